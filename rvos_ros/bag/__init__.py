"""bag stage (see docs/architecture.md)."""
