"""Small reusable widgets of the desktop UI: sparklines, GPU cards, charts, tiles (Qt only)."""
