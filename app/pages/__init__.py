"""One module per route; thin: layout and components bound to state."""
