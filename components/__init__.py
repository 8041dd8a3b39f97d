"""Reusable UI pieces: layout, forms, cards."""
