"""Classified feedback in the store: idempotent upserts, filtered pages, and records for reports.

Each item is stored with its :class:`~steplens.pipeline.records.FeedbackRecord` (the one record
``steplens tag`` makes) and read back as one.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from steplens.api.db.base import StoreBase
from steplens.api.db.errors import InvalidCursor, StoreError
from steplens.api.db.label_store import latest_labels
from steplens.api.db.models import FeedbackRow, MentionRow, as_utc
from steplens.api.db.values import as_score, check_name, check_text, iso, plain, utc_now
from steplens.pipeline.records import (
    COMMENT_FIELDS,
    SIGNAL_FIELDS,
    FeedbackRecord,
    signal_fields,
)

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000
LOOKUP_BATCH = 500
"""Ids per ``IN (...)`` lookup, well under SQLite's bound-parameter limit."""
STREAM_BATCH = 500
"""Rows per query when streaming records; each batch is its own short read."""
CURSOR_PREFIX = "after:"
RECORD_FIELDS = ("id", "text", "created_at", "channel")
CLASSIFICATION_FIELDS = (*COMMENT_FIELDS, *SIGNAL_FIELDS)
"""What `tag` adds to a comment; stored with each item."""
CONTENT_COLUMNS = (
    "text",
    "created_at",
    "channel",
    "attributes",
    *CLASSIFICATION_FIELDS,
    "model_versions",
)
"""The stored columns an upsert compares: any difference means the item is replaced."""


@dataclass(frozen=True)
class StoredItem:
    """One classified comment to store: its record, as ``steplens tag`` makes it (the id, text,
    classification and, as ``record.columns``, the item's other input fields as JSON values),
    and what only the store keeps beside it."""

    record: FeedbackRecord
    created_at: datetime | None = None
    channel: str | None = None
    model_versions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def external_id(self) -> Any:
        """The item's id (unique per journey; the store takes text only)."""
        return self.record.id


@dataclass(frozen=True)
class UpsertResult:
    """The external ids of an upsert batch, by what happened to each."""

    inserted: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    """Ids already stored with another text or classification, now replaced."""
    unchanged: list[str] = field(default_factory=list)
    """Ids already stored exactly as sent, left as they were."""


@dataclass(frozen=True)
class FeedbackPage:
    """One page of stored feedback."""

    items: list[dict[str, Any]]
    total: int
    """Items matching the filters, on every page (the cursor does not change it)."""
    next_cursor: str | None
    """Pass it back for the next page; None on the last page."""


class FeedbackStore(StoreBase):
    """Upsert, list and stream a journey's classified feedback."""

    def upsert_feedback(self, journey: str, items: Sequence[StoredItem]) -> UpsertResult:
        """Store a batch of classified comments, idempotent on (journey, external id).

        A new id is inserted; a stored id whose text, fields or classification differ is
        replaced (its step mentions too); a stored id sent exactly as stored is left alone.
        The batch is one transaction: all of it is stored, durably, or none of it.
        """
        check_name(journey, "journey name")
        prepared = [_prepare(item, number) for number, item in enumerate(items, start=1)]
        first_seen: dict[str, int] = {}
        for number, values in enumerate(prepared, start=1):
            earlier = first_seen.setdefault(values["external_id"], number)
            if earlier != number:
                raise StoreError(
                    f"journey {journey!r}: feedback id {values['external_id']!r} appears twice "
                    f"in the batch (items {earlier} and {number}); send each id once"
                )
        result = self._write(lambda session: _upsert(session, journey, prepared), retry=True)
        logger.info(
            "journey %r: %d feedback items inserted, %d replaced, %d unchanged",
            journey,
            len(result.inserted),
            len(result.replaced),
            len(result.unchanged),
        )
        return result

    def list_feedback(
        self,
        journey: str,
        *,
        step: str | None = None,
        sentiment: str | None = None,
        effort: str | None = None,
        channel: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> FeedbackPage:
        """One page of a journey's feedback, oldest stored first, with the total matching.

        ``step`` keeps items that mention the step (not only those whose top step it is);
        with ``step``, ``sentiment`` and ``effort`` apply to that step's mention, without it
        to the whole comment. ``created_from`` is inclusive and ``created_to`` exclusive;
        either one leaves out items with no ``created_at``. ``cursor`` is a page's
        ``next_cursor``; ``limit`` is 1 to ``MAX_PAGE_SIZE``.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
            raise StoreError(
                f"limit must be a whole number from 1 to {MAX_PAGE_SIZE}, not {limit!r}"
            )
        conditions = _filters(journey, step, sentiment, effort, channel, created_from, created_to)
        after = _decode_cursor(cursor) if cursor is not None else 0
        with self._read() as session:
            total = session.scalar(
                sa.select(sa.func.count()).select_from(FeedbackRow).where(*conditions)
            )
            rows = list(
                session.scalars(
                    sa.select(FeedbackRow)
                    .where(*conditions, FeedbackRow.pk > after)
                    .order_by(FeedbackRow.pk)
                    .limit(limit + 1)
                )
            )
            page = rows[:limit]
            labels = latest_labels(session, [row.pk for row in page])
        next_cursor = _encode_cursor(page[-1].pk) if len(rows) > limit else None
        items = [_item(row, labels.get(row.pk)) for row in page]
        return FeedbackPage(items=items, total=int(total or 0), next_cursor=next_cursor)

    def iter_feedback_records(
        self,
        journey: str,
        *,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> Iterator[FeedbackRecord]:
        """Every stored item of a journey as the record ``steplens tag`` makes, in pk order.

        A record's columns are id, text, created_at (ISO), channel and the item's attributes (a
        stored field of the same name wins). Rows are read in batches, each a short read of its
        own, so a slow consumer holds no connection. Date filters as in ``list_feedback``.
        """
        conditions = _filters(journey, None, None, None, None, created_from, created_to)
        return self._stream(conditions)

    def _stream(self, conditions: list[sa.ColumnElement[bool]]) -> Iterator[FeedbackRecord]:
        after = 0
        number = 0
        while True:
            with self._read() as session:
                rows = list(
                    session.scalars(
                        sa.select(FeedbackRow)
                        .where(*conditions, FeedbackRow.pk > after)
                        .order_by(FeedbackRow.pk)
                        .limit(STREAM_BATCH)
                    )
                )
            for row in rows:
                number += 1
                yield _record(row, number)
            if len(rows) < STREAM_BATCH:
                return
            after = rows[-1].pk


def _upsert(session: Session, journey: str, prepared: list[dict[str, Any]]) -> UpsertResult:
    """Insert, replace or leave each prepared item (inside the caller's transaction)."""
    existing: dict[str, FeedbackRow] = {}
    ids = [values["external_id"] for values in prepared]
    for start in range(0, len(ids), LOOKUP_BATCH):
        query = sa.select(FeedbackRow).where(
            FeedbackRow.journey == journey,
            FeedbackRow.external_id.in_(ids[start : start + LOOKUP_BATCH]),
        )
        existing.update((row.external_id, row) for row in session.scalars(query))
    result = UpsertResult()
    now = utc_now()
    for values in prepared:
        external_id = values["external_id"]
        row = existing.get(external_id)
        if row is None:
            row = FeedbackRow(journey=journey, ingested_at=now, updated_at=now, **values)
            row.mentions = _mentions(values)
            session.add(row)
            result.inserted.append(external_id)
        elif any(getattr(row, column) != values[column] for column in CONTENT_COLUMNS):
            for column in CONTENT_COLUMNS:
                setattr(row, column, values[column])
            row.updated_at = now
            row.mentions = _mentions(values)
            result.replaced.append(external_id)
        else:
            result.unchanged.append(external_id)
    session.flush()
    return result


def _mentions(values: Mapping[str, Any]) -> list[MentionRow]:
    """One mention per distinct step the item mentions, plus its top step when not listed."""
    mentions: dict[str, MentionRow] = {}
    for entry in values["steps"]:
        step = entry["step"]
        if step not in mentions:
            mentions[step] = MentionRow(
                step=step, sentiment=entry.get("sentiment"), effort=entry.get("effort")
            )
    if values["step"] not in mentions:
        mentions[values["step"]] = MentionRow(
            step=values["step"], sentiment=values["sentiment"], effort=values["effort"]
        )
    return list(mentions.values())


def _prepare(item: StoredItem, number: int) -> dict[str, Any]:
    """Check one item and return its column values, normalised as they will read back."""
    if not isinstance(item, StoredItem):
        raise StoreError(f"feedback item {number}: expected a StoredItem, not {type(item)}")
    where = f"feedback item {number}"
    check_name(item.external_id, f"{where}: id")
    where = f"{where} (id {item.external_id!r})"
    record = item.record
    check_text(record.text, f"{where}: text", required=False)
    if item.created_at is not None and not isinstance(item.created_at, datetime):
        raise StoreError(f"{where}: created_at must be a datetime or None")
    if item.channel is not None:
        check_text(item.channel, f"{where}: channel", required=False)
    check_text(record.step, f"{where}: step", required=True)
    check_text(record.language, f"{where}: language", required=True)
    signals = signal_fields(record.signals)
    for name in ("sentiment", "effort"):
        if signals[name] is not None:
            check_text(signals[name], f"{where}: {name}", required=True)
    # The item's other fields; id, text, created_at and channel have columns of their own (a
    # record read back from the store or a file carries them among its columns).
    own = {k: v for k, v in record.columns.items() if k not in RECORD_FIELDS}
    attributes = plain(own, f"{where}: attributes")
    model_versions = plain(item.model_versions, f"{where}: model_versions")
    for name, mapping in (("attributes", attributes), ("model_versions", model_versions)):
        if not isinstance(mapping, dict):
            raise StoreError(f"{where}: {name} must be a mapping")
    steps = plain([mention.to_json() for mention in record.steps], f"{where}: steps")
    for position, entry in enumerate(steps, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("step"), str):
            raise StoreError(f"{where}: steps entry {position} must be a mapping with a 'step'")
        check_text(entry["step"], f"{where}: steps entry {position} step", required=True)
        for name in ("sentiment", "effort"):
            if entry.get(name) is not None:
                check_text(entry[name], f"{where}: steps entry {position} {name}", required=True)
    return {
        "external_id": item.external_id,
        "text": record.text,
        "created_at": None if item.created_at is None else as_utc(item.created_at),
        "channel": item.channel,
        "attributes": attributes,
        "step": record.step,
        "step_confidence": as_score(record.step_confidence, f"{where}: step_confidence", True),
        "steps": steps,
        "sentiment": signals["sentiment"],
        "sentiment_score": as_score(signals["sentiment_score"], f"{where}: sentiment_score", False),
        "effort": signals["effort"],
        "effort_score": as_score(signals["effort_score"], f"{where}: effort_score", False),
        "language": record.language,
        "model_versions": model_versions,
    }


def _filters(
    journey: str,
    step: str | None,
    sentiment: str | None,
    effort: str | None,
    channel: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
) -> list[sa.ColumnElement[bool]]:
    """The WHERE conditions of a feedback listing (see ``Store.list_feedback``)."""
    check_text(journey, "journey name", required=True)
    for name, wanted in (("step", step), ("sentiment", sentiment), ("effort", effort)):
        if wanted is not None:
            check_text(wanted, f"{name} filter", required=True)
    if channel is not None:
        check_text(channel, "channel filter", required=False)
    conditions: list[sa.ColumnElement[bool]] = [FeedbackRow.journey == journey]
    if step is not None:
        mention = [MentionRow.feedback_pk == FeedbackRow.pk, MentionRow.step == step]
        if sentiment is not None:
            mention.append(MentionRow.sentiment == sentiment)
        if effort is not None:
            mention.append(MentionRow.effort == effort)
        conditions.append(sa.exists().where(*mention))
    else:
        if sentiment is not None:
            conditions.append(FeedbackRow.sentiment == sentiment)
        if effort is not None:
            conditions.append(FeedbackRow.effort == effort)
    if channel is not None:
        conditions.append(FeedbackRow.channel == channel)
    for name, bound in (("created_from", created_from), ("created_to", created_to)):
        if bound is not None and not isinstance(bound, datetime):
            raise StoreError(f"{name} must be a datetime, not {bound!r}")
    if created_from is not None:
        conditions.append(FeedbackRow.created_at >= as_utc(created_from))
    if created_to is not None:
        conditions.append(FeedbackRow.created_at < as_utc(created_to))
    return conditions


def _item(row: FeedbackRow, label: str | None) -> dict[str, Any]:
    """A feedback row as the API shows it."""
    return {
        "id": row.external_id,
        "text": row.text,
        "created_at": iso(row.created_at),
        "channel": row.channel,
        "attributes": row.attributes,
        **{name: getattr(row, name) for name in CLASSIFICATION_FIELDS},
        "model_versions": row.model_versions,
        "ingested_at": iso(row.ingested_at),
        "updated_at": iso(row.updated_at),
        "label": label,
    }


def _record(row: FeedbackRow, number: int) -> FeedbackRecord:
    """A feedback row as the record ``steplens tag`` makes (its ``number``: the position in
    the stream, for messages)."""
    columns: dict[str, Any] = {
        "id": row.external_id,
        "text": row.text,
        "created_at": iso(row.created_at),
        "channel": row.channel,
    }
    reserved = set(RECORD_FIELDS) | set(CLASSIFICATION_FIELDS)
    columns.update((k, v) for k, v in row.attributes.items() if k not in reserved)
    columns.update((name, getattr(row, name)) for name in CLASSIFICATION_FIELDS)
    return FeedbackRecord.from_row(columns, number=number, where=f"stored item {number}: ")


def _encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{pk}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    """The last pk of the previous page, from a cursor ``_encode_cursor`` made."""
    if not isinstance(cursor, str):
        raise InvalidCursor(f"cursor must be text, not {type(cursor).__name__}")
    problem = InvalidCursor(
        f"cursor {cursor[:60]!r} is not one this service handed out; "
        "leave it out to start from the first page"
    )
    if not cursor or len(cursor) > 64:
        raise problem
    try:
        decoded = base64.b64decode(
            cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True
        ).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise problem from None
    digits = decoded.removeprefix(CURSOR_PREFIX)
    if digits == decoded or not digits.isdigit() or not digits.isascii() or int(digits) < 1:
        raise problem
    return int(digits)
