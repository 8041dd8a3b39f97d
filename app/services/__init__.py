"""Use cases: plain functions taking (db, actor, args). Nothing here imports reflex."""
