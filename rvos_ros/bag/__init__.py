"""bag stage (see DESIGN.md)."""
