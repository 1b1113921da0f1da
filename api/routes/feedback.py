"""``/v1/feedback``: ingest (classified and stored, idempotent), listing, human labels."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from steplens.api.db.store import StoredItem
from steplens.api.deps import BatcherDep, LanesDep, PoolDep, SettingsDep, StoreDep, resolve_journey
from steplens.api.errors import NotFoundError
from steplens.api.redaction import RedactorDep, redaction_version
from steplens.api.routes.classify import check_limits
from steplens.api.schemas import FeedbackIn, FeedbackPage, FeedbackStored, LabelIn
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import UNASSIGNED, Journey
from steplens.pipeline.tagger import feedback_record

router = APIRouter(tags=["feedback"])
logger = logging.getLogger(__name__)


def check_step(journey: Journey, step: str) -> None:
    """422 naming the journey's steps when ``step`` is not one of them (or ``unassigned``)."""
    if step not in journey.step_ids and step != UNASSIGNED:
        raise SteplensError(
            f"step {step!r} is not in journey {journey.name!r}; its steps: "
            + ", ".join(journey.step_ids)
        )


@router.post("/feedback", response_model=FeedbackStored, summary="Classify and store feedback")
async def ingest(
    body: FeedbackIn,
    settings: SettingsDep,
    store: StoreDep,
    pool: PoolDep,
    batcher: BatcherDep,
    lanes: LanesDep,
    redactor: RedactorDep,
) -> FeedbackStored:
    """Classify every item and store it with the model versions, idempotent on (journey, id).

    Sending the same items again stores them once; an item whose text changed replaces the
    stored one and is listed under ``replaced``. A 2xx answer means the batch is committed.
    Unless the service runs with ``STEPLENS_REDACT=false``, PII in the text and in the string
    values of extra fields is replaced by placeholders before anything is returned or stored
    (the models read the text as sent).
    """
    texts = [item.text for item in body.items]
    check_limits(texts, settings, "items")
    batcher.admit(len(texts))  # under overload, refuse before doing any work
    journey = await resolve_journey(body.journey, settings, store)
    key = await pool.key_in(batcher, journey, None)
    classified = await lanes.submit(key, texts)
    attributes = await batcher.run_in_worker(
        pool.redact_values, key, [item.attributes() for item in body.items]
    )
    versions = {**pool.versions(key), **redaction_version(redactor)}
    stored = [
        StoredItem(
            record=feedback_record(done.tagged, item.id, done.text, attrs),
            created_at=item.created_at,
            channel=item.channel,
            model_versions=versions,
        )
        for item, done, attrs in zip(body.items, classified, attributes, strict=True)
    ]
    result = await asyncio.to_thread(store.upsert_feedback, journey.name, stored)
    if settings.log_texts:
        logger.info("stored %s", [(s.external_id, s.record.text) for s in stored])
    return FeedbackStored(
        journey=journey.name,
        inserted=list(result.inserted),
        replaced=list(result.replaced),
        unchanged=list(result.unchanged),
        model_versions=versions,
    )


@router.get("/feedback", response_model=FeedbackPage, summary="List stored feedback")
async def list_feedback(
    settings: SettingsDep,
    store: StoreDep,
    journey: str | None = None,
    step: str | None = Query(default=None, description="Items that mention this step."),
    sentiment: Literal["negative", "neutral", "positive"] | None = None,
    effort: Literal["none", "low", "moderate", "high"] | None = None,
    channel: str | None = None,
    created_from: Annotated[datetime | None, Query(alias="from")] = None,
    created_to: Annotated[datetime | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> FeedbackPage:
    """Stored items, oldest first, filtered; ``total`` counts every match, not just this page."""
    found = await resolve_journey(journey, settings, store)
    if step is not None:
        check_step(found, step)
    page = await asyncio.to_thread(
        store.list_feedback,
        found.name,
        step=step,
        sentiment=sentiment,
        effort=effort,
        channel=channel,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        cursor=cursor,
    )
    return FeedbackPage(items=page.items, total=page.total, next_cursor=page.next_cursor)


@router.post("/feedback/{item_id}/label", summary="Store a person's step for an item")
async def label(
    item_id: str, body: LabelIn, settings: SettingsDep, store: StoreDep
) -> dict[str, str]:
    """A correction: ``steplens train-steps --from-db`` trains on these. Without a journey, the
    item's own journey (the one journey that holds an item with this id)."""
    name = body.journey
    if name is None:
        holding = await asyncio.to_thread(store.journeys_with_item, item_id)
        if not holding:
            raise NotFoundError(f"no stored feedback has id {item_id!r}")
        if len(holding) > 1:
            raise SteplensError(
                f"feedback id {item_id!r} is stored in journeys {', '.join(holding)}: name the "
                "journey in the body"
            )
        name = holding[0]
    journey = await resolve_journey(name, settings, store)
    check_step(journey, body.step)
    await asyncio.to_thread(store.add_label, journey.name, item_id, body.step, body.author)
    return {"journey": journey.name, "id": item_id, "step": body.step}
