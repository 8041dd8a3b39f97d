"""Publish/subscribe of live changes (in-process by default, Redis when set)."""
