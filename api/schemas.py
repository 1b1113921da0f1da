"""Request and response bodies of the HTTP API (pydantic), documented in the OpenAPI schema.

Limits that come from settings (batch size, text length) are checked in the routes, where the
settings are known; what every text must be (no NUL, no lone surrogate, valid Unicode) is checked
here, so a bad text is a 422 that names its position, never an error deep in the model or the
database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError(f"contains a NUL character at position {value.index(chr(0))}")
    for position, char in enumerate(value):
        if "\ud800" <= char <= "\udfff":
            raise ValueError(
                f"contains a lone surrogate (U+{ord(char):04X}) at position {position}"
            )
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
Granularity = Literal["comment", "segment"]


class ClassifyRequest(BaseModel):
    """One text or a batch of texts to tag, exactly as ``steplens tag`` would."""

    model_config = ConfigDict(extra="forbid")

    text: Text | None = Field(default=None, description="One comment.")
    texts: list[Text] | None = Field(default=None, description="A batch of comments.")
    journey: str | None = Field(default=None, description="Journey name; default from settings.")
    granularity: Granularity = Field(default="comment", description="comment or segment.")
    model: str | None = Field(default=None, description="A registered step model's name.")

    @model_validator(mode="after")
    def _one_of(self) -> ClassifyRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("send exactly one of 'text' and 'texts'")
        if self.texts is not None and not self.texts:
            raise ValueError("'texts' is empty: send at least one text")
        return self

    def all_texts(self) -> list[str]:
        """The texts in order (one for ``text``)."""
        return [self.text] if self.text is not None else list(self.texts or [])


class ClassifyResponse(BaseModel):
    """Records exactly as ``steplens tag`` writes them (``id`` is the text's 0-based index)."""

    results: list[dict[str, Any]]


class FeedbackItem(BaseModel):
    """One piece of feedback; fields beyond these are kept as attributes."""

    model_config = ConfigDict(extra="allow")

    id: Annotated[str, Field(min_length=1, max_length=200)]
    text: Text
    created_at: datetime | None = None
    channel: Annotated[str, Field(max_length=100)] | None = None

    def attributes(self) -> dict[str, Any]:
        """The extra fields sent with the item."""
        return dict(self.model_extra or {})


class FeedbackIn(BaseModel):
    """A batch of feedback to classify and store, idempotent on (journey, id)."""

    model_config = ConfigDict(extra="forbid")

    journey: str | None = None
    items: list[FeedbackItem]

    @model_validator(mode="after")
    def _unique_ids(self) -> FeedbackIn:
        if not self.items:
            raise ValueError("'items' is empty: send at least one item")
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            if item.id in seen:
                raise ValueError(f"items[{index}]: id {item.id!r} appears twice in this batch")
            seen.add(item.id)
        return self


class FeedbackStored(BaseModel):
    """What an ingest did: new ids, ids whose text replaced an earlier one, unchanged ids."""

    journey: str
    inserted: list[str]
    replaced: list[str]
    unchanged: list[str]
    model_versions: dict[str, str]


class FeedbackPage(BaseModel):
    """A page of stored feedback: ``total`` matches the filters; pass ``next_cursor`` on."""

    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None


class LabelIn(BaseModel):
    """A person's step for a stored item: a correction ``train-steps --from-db`` learns from."""

    model_config = ConfigDict(extra="forbid")

    journey: str | None = None
    step: str
    author: Annotated[str, Field(max_length=200)] | None = None


class MetricsIn(BaseModel):
    """Step metrics rows (the metrics file contract, as objects); replaces the journey's rows."""

    model_config = ConfigDict(extra="forbid")

    journey: str | None = None
    rows: list[dict[str, Any]]
