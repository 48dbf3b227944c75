"""LLM clients behind one call: ``complete(messages, schema) -> validated pydantic answer``.

:class:`OpenAICompatibleClient` talks to any OpenAI-compatible server (vLLM,
llama.cpp, Ollama, TensorRT-LLM, OpenAI) with the ``openai`` package, asking
for structured output with the schema's JSON schema. The API key is read from
the environment variable named in ``llm.api_key_env`` and is never logged or
shown (``repr`` hides it). Every failure (timeout, connection, HTTP status,
invalid JSON) becomes an :class:`~rvos_ros.errors.LLMError` whose message
says what happened, so the rules can answer with stage ``fallback``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from rvos_ros.config import LLMConfig
from rvos_ros.errors import ConfigError, LLMError
from rvos_ros.llm.schemas import Answer, parse_answer

__all__ = ["ChatClient", "OpenAICompatibleClient", "build_client"]


class ChatClient(Protocol):
    def complete(self, messages: Sequence[Mapping[str, str]], schema: type[Answer]) -> Answer:
        """Ask and validate; LLMError on any failure."""


class OpenAICompatibleClient:
    """Structured-output chat completions on an OpenAI-compatible server."""

    def __init__(self, config: LLMConfig, *, env: Mapping[str, str] | None = None) -> None:
        try:
            import openai
        except ImportError as err:
            raise ConfigError("llm.backend openai needs the openai package: pip install 'rvos_ros[llm]'") from err
        self.config = config
        key = (env if env is not None else os.environ).get(config.api_key_env, "")
        # Local servers accept any key; the client library insists on a non-empty one.
        self._client = openai.OpenAI(base_url=config.base_url, api_key=key or "unused",
                                     timeout=config.timeout_s, max_retries=config.max_retries)
        self._openai = openai

    def __repr__(self) -> str:
        return f"OpenAICompatibleClient(base_url={self.config.base_url!r}, model={self.config.model!r})"

    def complete(self, messages: Sequence[Mapping[str, str]], schema: type[Answer]) -> Answer:
        oa = self._openai
        fmt = {"type": "json_schema",
               "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()}}
        create: Any = self._client.chat.completions.create  # plain dicts for messages: servers are not all OpenAI
        try:
            resp: Any = create(model=self.config.model, messages=[dict(m) for m in messages], temperature=0.0,
                               max_tokens=self.config.max_tokens, response_format=fmt)
        except oa.APITimeoutError:
            raise LLMError(f"the LLM server did not answer within {self.config.timeout_s:g} s") from None
        except oa.APIStatusError as err:
            raise LLMError(f"the LLM server answered HTTP {err.status_code}") from None
        except oa.APIConnectionError:
            raise LLMError(f"cannot reach the LLM server at {self.config.base_url}") from None
        except oa.OpenAIError as err:  # anything else the client raises (bad response shape, ...)
            raise LLMError(f"the LLM request failed: {type(err).__name__}") from None
        try:
            text = resp.choices[0].message.content
        except (AttributeError, IndexError, TypeError):
            raise LLMError("the LLM server's answer has no message") from None
        return parse_answer(text, schema)


def build_client(config: LLMConfig) -> ChatClient | None:
    """The configured client, or None for ``llm.backend: none``."""
    if config.backend == "none":
        return None
    if config.backend == "openai":
        return OpenAICompatibleClient(config)
    from rvos_ros.llm.local import LocalJsonModel

    return LocalJsonModel.from_config(config)
