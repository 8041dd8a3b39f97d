"""Reflex State classes, one module per feature; thin: they call services."""
