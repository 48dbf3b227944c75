"""perception stage (see docs/architecture.md)."""
