"""llm stage (see DESIGN.md)."""
