"""perception stage (see DESIGN.md)."""
