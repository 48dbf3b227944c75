"""What the LLM must answer, as pydantic models: the JSON schema sent to the server and the validator.

Answers are parsed with ``model_validate_json``; anything that does not fit
(missing keys, wrong types, out-of-range numbers) is an
:class:`~rvos_ros.errors.LLMError`, and the rules answer instead. Extra keys are
ignored: models like to add commentary fields.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rvos_ros.errors import LLMError
from rvos_ros.types import Descriptor, ParsedQuery
from rvos_ros.vocabulary import KINDS, problem

__all__ = ["DescriptorAnswer", "QueryAnswer", "TargetAnswer", "parse_answer"]

_MAX_ITEMS = 16


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


KindName = Literal[tuple(KINDS)]  # type: ignore[valid-type]
"""A descriptor kind of :data:`rvos_ros.vocabulary.KINDS` (an ``enum`` in the JSON schema)."""


class DescriptorAnswer(_Answer):
    """One descriptor of the vocabulary (:data:`rvos_ros.vocabulary.KINDS`): kind, value, the entity it refers
    to, negation. A kind off the vocabulary, or a value or ref its kind does not take, fails validation."""

    kind: KindName  # type: ignore[valid-type]  # built from the registry at import
    value: str = Field(default="", max_length=80)
    ref: str = Field(default="", max_length=80)
    negated: bool = False

    @field_validator("kind", mode="before")
    @classmethod
    def _plain_kind(cls, v: object) -> object:
        return v.strip().lower() if isinstance(v, str) else v

    @model_validator(mode="after")
    def _fits_its_kind(self) -> DescriptorAnswer:
        off = problem(self.to_descriptor())
        if off is not None:
            raise ValueError(off)
        return self

    def to_descriptor(self) -> Descriptor:
        return Descriptor(self.kind, self.value.strip().lower(), self.ref.strip().lower(), self.negated)


class QueryAnswer(_Answer):
    """Query decomposition (PARSE-VOS): candidate categories, context entities and descriptors."""

    categories: list[str] = Field(max_length=_MAX_ITEMS)
    context: list[str] = Field(default_factory=list, max_length=_MAX_ITEMS)
    motions: list[DescriptorAnswer] = Field(default_factory=list, max_length=_MAX_ITEMS)
    attributes: list[DescriptorAnswer] = Field(default_factory=list, max_length=_MAX_ITEMS)
    relations: list[DescriptorAnswer] = Field(default_factory=list, max_length=_MAX_ITEMS)
    count: int = Field(default=1, ge=0, le=_MAX_ITEMS)

    def to_query(self, text: str) -> ParsedQuery:
        def clean(words: list[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(w.strip().lower() for w in words if w.strip()))

        return ParsedQuery(text=text, categories=clean(self.categories), context=clean(self.context),
                           motions=tuple(d.to_descriptor() for d in self.motions),
                           attributes=tuple(d.to_descriptor() for d in self.attributes),
                           relations=tuple(d.to_descriptor() for d in self.relations),
                           count=self.count, understood=True, source="llm")


class TargetAnswer(_Answer):
    """Motion reasoning's answer: which candidate ids the command means, how sure, and why (short)."""

    targets: list[int] = Field(max_length=_MAX_ITEMS)
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str = Field(default="", max_length=400)


Answer = TypeVar("Answer", bound=BaseModel)


def parse_answer(text: str | None, schema: type[Answer]) -> Answer:
    """Validate an LLM's JSON text against ``schema``; LLMError naming the problem otherwise."""
    if not text or not text.strip():
        raise LLMError("the LLM answered with an empty message")
    body = text.strip()
    if body.startswith("```"):  # some servers wrap JSON in a markdown fence despite the schema
        body = body.strip("`").removeprefix("json").strip()
    try:
        return schema.model_validate_json(body)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "answer"
        raise LLMError(f"the LLM answer is not valid {schema.__name__} JSON ({where}: {first.get('msg')})") from None
