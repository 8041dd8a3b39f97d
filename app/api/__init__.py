"""HTTP routes beside Reflex's websocket: health now; files, ICS and OIDC later."""
