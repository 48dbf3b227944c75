"""reasoning stage (see docs/architecture.md)."""
