"""The LLM stage's clients and prompts (PARSE-VOS: query decomposition and motion reasoning)."""
