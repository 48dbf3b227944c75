"""engines stage (see docs/architecture.md)."""
