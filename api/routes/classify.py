"""``POST /v1/classify``: tag texts for a support tool, records exactly as ``steplens tag``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from steplens.api.deps import BatcherDep, LanesDep, PoolDep, SettingsDep, StoreDep, resolve_journey
from steplens.api.schemas import ClassifyRequest, ClassifyResponse, Granularity
from steplens.api.settings import Settings
from steplens.pipeline.tagger import TaggedComment, as_rows, chunk_records, texts_chunk

router = APIRouter(tags=["classify"])


def check_limits(texts: list[str], settings: Settings, field: str = "texts") -> None:
    """422 when a request has too many texts or a text is too long (limits from settings)."""
    if len(texts) > settings.max_batch:
        raise HTTPException(
            422,
            [
                {
                    "loc": ["body", field],
                    "msg": f"{len(texts)} texts; at most {settings.max_batch} per request",
                    "type": "too_long",
                }
            ],
        )
    for index, text in enumerate(texts):
        if len(text) > settings.max_text_chars:
            raise HTTPException(
                422,
                [
                    {
                        "loc": ["body", field, index],
                        "msg": f"text of {len(text)} characters; at most {settings.max_text_chars}",
                        "type": "string_too_long",
                    }
                ],
            )


def as_records(
    texts: list[str], tagged: list[TaggedComment], granularity: Granularity
) -> list[dict[str, Any]]:
    """``tag``'s records for texts whose ids are their 0-based positions."""
    return as_rows(chunk_records(texts_chunk(texts), tagged), granularity)


@router.post("/classify", response_model=ClassifyResponse, summary="Tag texts with journey steps")
async def classify(
    body: ClassifyRequest,
    settings: SettingsDep,
    store: StoreDep,
    pool: PoolDep,
    batcher: BatcherDep,
    lanes: LanesDep,
) -> ClassifyResponse:
    """Split each text into clauses, classify each to a step, score sentiment and effort.

    Concurrent calls share forward passes (micro-batching); the model work runs off the event
    loop. ``id`` in each record is the text's position in the request. Unless the service runs
    with ``STEPLENS_REDACT=false``, PII is replaced by placeholders first (``[EMAIL]``, ...):
    the records carry the redacted text, and offsets refer to it.
    """
    texts = body.all_texts()
    check_limits(texts, settings, "text" if body.text is not None else "texts")
    batcher.admit(len(texts))  # under overload, refuse before doing any work
    journey = await resolve_journey(body.journey, settings, store)
    key = await pool.key_in(batcher, journey, body.model)
    classified = await lanes.submit(key, texts)
    return ClassifyResponse(
        results=as_records(
            [c.text for c in classified], [c.tagged for c in classified], body.granularity
        )
    )
