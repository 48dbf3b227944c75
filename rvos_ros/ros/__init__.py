"""ros stage (see DESIGN.md)."""
