"""Documents Plume generates (PDF), built from services' data; no Reflex here."""
