"""engines stage (see DESIGN.md)."""
