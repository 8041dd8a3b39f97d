"""Plume: the workspace of a French training organisation."""
