"""ros stage (see docs/architecture.md)."""
