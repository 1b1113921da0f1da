"""The service's database: journeys, classified feedback, human labels and step metrics.

``Store`` wraps a synchronous SQLAlchemy engine (the web layer calls it from a worker thread).
Every method is one short transaction in its own session, so a ``Store`` is safe to share
between threads. A database that does not answer surfaces as ``StoreUnavailable`` (the web
layer answers 503); input the database cannot take surfaces as another ``StoreError`` whose
message names the item and the field; anything else is a bug and propagates as it is.

Timestamps are stored as UTC; a naive datetime passed in is taken to be UTC already.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from steplens.api.db.models import (
    FeedbackRow,
    JourneyRow,
    LabelRow,
    MentionRow,
    MetricsRowRecord,
    as_utc,
)
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.tagger import COMMENT_FIELDS, SIGNAL_FIELDS

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_SQLITE_FILE = "steplens.db"
"""The SQLite file ``Store.connect(None)`` opens, in the current working directory."""
SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another one before the store reports it unavailable."""
POSTGRES_CONNECT_TIMEOUT_S = 10
"""How long a PostgreSQL connection attempt may take (unless the URL sets connect_timeout)."""
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UNASSIGNED = "unassigned"
"""The step of a comment no journey step matched (as ``steplens.pipeline.journey.UNASSIGNED``)."""
MAX_ID_LENGTH = 500
"""Longest journey name or feedback id, in characters (they are index keys)."""
MAX_PAGE_SIZE = 1000
LOOKUP_BATCH = 500
"""Ids per ``IN (...)`` lookup, well under SQLite's bound-parameter limit."""
STREAM_BATCH = 500
"""Rows per query when streaming records; each batch is its own short read."""
CONFLICT_ATTEMPTS = 5
"""Tries of a write that lost an insert race to a concurrent writer (unique key clash)."""
CURSOR_PREFIX = "after:"
METRICS_FIELDS = ("step", "period", "entered", "completed", "groups", "values")
METRICS_RESERVED = ("step", "period", "entered", "completed")
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


class StoreError(SteplensError):
    """A request the database cannot carry out as asked; the message says what and where."""


class StoreUnavailable(StoreError):
    """The database does not answer (down, unreachable, locked too long): try again later."""


class NotFound(StoreError):
    """The journey item asked for is not stored."""


class InvalidCursor(StoreError):
    """A pagination cursor this store did not hand out (or one that was altered)."""


@dataclass(frozen=True)
class StoredItem:
    """One classified comment to store: what ``steplens tag`` writes at comment granularity.

    ``attributes`` holds the item's other input fields (JSON values); ``steps`` the mentioned
    steps as dicts with step, confidence, sentiment, sentiment_score, effort and effort_score.
    """

    external_id: str
    text: str
    created_at: datetime | None = None
    channel: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    step: str = UNASSIGNED
    step_confidence: float = 0.0
    steps: Sequence[Mapping[str, Any]] = ()
    sentiment: str | None = None
    sentiment_score: float | None = None
    effort: str | None = None
    effort_score: float | None = None
    language: str = "en"
    """ISO 639-1 code; a comment not in English is stored unscored."""
    model_versions: Mapping[str, Any] = field(default_factory=dict)


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


class Store:
    """Journeys, feedback, labels and step metrics in one SQL database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # The last definition (or None: not stored) read or written per journey name, so that
        # classification keeps working with the right journey while the database is away.
        self._journeys_seen: dict[str, dict[str, Any] | None] = {}

    @classmethod
    def connect(cls, url: str | None) -> Store:
        """A store over a database URL; None means the SQLite file ``steplens.db`` here.

        SQLite gets WAL journaling, a busy timeout, foreign keys and cross-thread use;
        PostgreSQL (``postgresql://`` means the psycopg 3 driver) gets pre-ping and a
        connect timeout. Nothing is opened until the first call.
        """
        return cls(create_store_engine(url))

    @property
    def url(self) -> str:
        """The database URL, password hidden (for logs and messages)."""
        return self.engine.url.render_as_string(hide_password=True)

    def describe(self) -> str:
        """Which database this is, for logs: the SQLite file or the PostgreSQL server and name."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return f"SQLite {url.database or ':memory:'}"
        where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"
        return f"PostgreSQL {where}" + (f" as {url.username}" if url.username else "")

    def close(self) -> None:
        """Close every pooled connection (the store can still be used; it reconnects)."""
        self.engine.dispose()

    # --- schema ---------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the latest migration; a database already there is left as is."""
        from alembic import command

        config = alembic_config(self.engine.url)
        with self._guard(), self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        logger.info("database %s is at schema revision %s", self.url, self.schema_revision())
        for name in self.list_journeys():
            self.get_journey(name)

    def schema_revision(self) -> str | None:
        """The migration the database is at (None before the first ``migrate``)."""
        from alembic.migration import MigrationContext

        with self._guard(), self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def ping(self) -> bool:
        """True when the database answers ``SELECT 1`` (for health checks; never raises)."""
        try:
            with self.engine.connect() as connection:
                return bool(connection.execute(sa.text("SELECT 1")).scalar() == 1)
        except sa_exc.SQLAlchemyError as exc:
            logger.warning("database %s does not answer: %s", self.url, _first_line(exc))
            return False

    # --- journeys -------------------------------------------------------------------------

    def put_journey(self, name: str, definition: Mapping[str, Any]) -> bool:
        """Store a journey definition under its name; True when it replaced a stored one."""
        _check_name(name, "journey name")
        stored = _plain(definition, f"journey {name!r}: definition")
        if not isinstance(stored, dict):
            raise StoreError(f"journey {name!r}: the definition must be a mapping")

        def work(session: Session) -> bool:
            row = session.get(JourneyRow, name)
            if row is None:
                session.add(JourneyRow(name=name, definition=stored, updated_at=_now()))
                return False
            row.definition = stored
            row.updated_at = _now()
            return True

        replaced = self._write(work, retry=True)
        self._journeys_seen[name] = stored
        logger.info("journey %r %s", name, "replaced" if replaced else "stored")
        return replaced

    def get_journey(self, name: str) -> dict[str, Any] | None:
        """The stored definition of a journey, or None when there is none by that name.

        While the database is away, a journey this store has already read or written is
        answered from that last copy (logged); any other raises ``StoreUnavailable``.
        """
        query = sa.select(JourneyRow.definition).where(JourneyRow.name == name)
        try:
            with self._read() as session:
                definition: dict[str, Any] | None = session.scalar(query)
        except StoreUnavailable:
            if name not in self._journeys_seen:
                raise
            logger.warning("database away: journey %r as last read", name)
            return self._journeys_seen[name]
        self._journeys_seen[name] = definition
        return definition

    def list_journeys(self) -> list[str]:
        """The names of the stored journeys, sorted."""
        with self._read() as session:
            return list(session.scalars(sa.select(JourneyRow.name).order_by(JourneyRow.name)))

    # --- feedback -------------------------------------------------------------------------

    def upsert_feedback(self, journey: str, items: Sequence[StoredItem]) -> UpsertResult:
        """Store a batch of classified comments, idempotent on (journey, external id).

        A new id is inserted; a stored id whose text, fields or classification differ is
        replaced (its step mentions too); a stored id sent exactly as stored is left alone.
        The batch is one transaction: all of it is stored, durably, or none of it.
        """
        _check_name(journey, "journey name")
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
            labels = _latest_labels(session, [row.pk for row in page])
        next_cursor = _encode_cursor(page[-1].pk) if len(rows) > limit else None
        items = [_item(row, labels.get(row.pk)) for row in page]
        return FeedbackPage(items=items, total=int(total or 0), next_cursor=next_cursor)

    def iter_feedback_records(
        self,
        journey: str,
        *,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every stored item of a journey as a comment-granularity tagged record, in pk order.

        Records have the keys ``steplens tag`` writes: id, text, created_at (ISO), channel, the
        item's attributes (a stored field of the same name wins), then step, step_confidence,
        steps, sentiment, sentiment_score, effort and effort_score. Rows are read in batches,
        each a short read of its own, so a slow consumer holds no connection. Date filters as
        in ``list_feedback``.
        """
        conditions = _filters(journey, None, None, None, None, created_from, created_to)
        return self._stream(conditions)

    def _stream(self, conditions: list[sa.ColumnElement[bool]]) -> Iterator[dict[str, Any]]:
        after = 0
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
                yield _record(row)
            if len(rows) < STREAM_BATCH:
                return
            after = rows[-1].pk

    # --- labels ---------------------------------------------------------------------------

    def add_label(
        self, journey: str, external_id: str, step: str, author: str | None = None
    ) -> None:
        """Record a human's step for a stored item (the latest label of an item counts).

        Raises NotFound when the journey has no item with that id. The step is not checked
        against the journey here: the caller knows the journey's steps.
        """
        _check_name(journey, "journey name")
        _check_text(external_id, "feedback id", required=True)
        where = f"journey {journey!r}, feedback {external_id!r}: label"
        _check_text(step, f"{where} step", required=True)
        if author is not None:
            _check_text(author, f"{where} author", required=False)

        def work(session: Session) -> None:
            pk = session.scalar(
                sa.select(FeedbackRow.pk).where(
                    FeedbackRow.journey == journey, FeedbackRow.external_id == external_id
                )
            )
            if pk is None:
                raise NotFound(f"journey {journey!r} has no feedback with id {external_id!r}")
            session.add(LabelRow(feedback_pk=pk, step=step, created_at=_now(), author=author))

        self._write(work)

    def journeys_with_item(self, external_id: str) -> list[str]:
        """The journeys that hold a stored item with this id (a label call without a journey
        names it by id alone)."""
        _check_text(external_id, "feedback id", required=True)
        with self._read() as session:
            found = session.scalars(
                sa.select(FeedbackRow.journey)
                .where(FeedbackRow.external_id == external_id)
                .distinct()
                .order_by(FeedbackRow.journey)
            )
            return list(found)

    def training_examples(self, journey: str) -> list[tuple[str, str]]:
        """(text, step) of each labelled item of a journey, by its latest label, in pk order."""
        latest = (
            sa.select(sa.func.max(LabelRow.pk).label("pk"))
            .join(FeedbackRow, FeedbackRow.pk == LabelRow.feedback_pk)
            .where(FeedbackRow.journey == journey)
            .group_by(LabelRow.feedback_pk)
            .subquery()
        )
        query = (
            sa.select(FeedbackRow.text, LabelRow.step)
            .join(LabelRow, LabelRow.feedback_pk == FeedbackRow.pk)
            .join(latest, latest.c.pk == LabelRow.pk)
            .order_by(FeedbackRow.pk)
        )
        with self._read() as session:
            return [(text, step) for text, step in session.execute(query)]

    # --- metrics --------------------------------------------------------------------------

    def put_metrics(self, journey: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Replace all stored step metrics of a journey with these rows; returns their count.

        Each row has step, entered and completed, and optionally period (str or None), groups
        (column -> value) and values (column -> number). One transaction: the old rows go
        only when every new one is in.
        """
        _check_name(journey, "journey name")
        prepared = [_prepare_metrics(row, number) for number, row in enumerate(rows, start=1)]
        seen: dict[tuple[str, str | None, str], int] = {}
        for number, values in enumerate(prepared, start=1):
            key = (values["step"], values["period"], values["group_key"])
            earlier = seen.setdefault(key, number)
            if earlier != number:
                raise StoreError(
                    f"metrics row {number} repeats row {earlier}: step {key[0]!r}, period "
                    f"{key[1]!r}, groups {key[2]}; send one row per step, period and group"
                )

        def work(session: Session) -> int:
            session.execute(sa.delete(MetricsRowRecord).where(MetricsRowRecord.journey == journey))
            now = _now()
            session.add_all(
                MetricsRowRecord(journey=journey, updated_at=now, **values) for values in prepared
            )
            return len(prepared)

        count = self._write(work)
        logger.info("journey %r: %d metrics rows stored", journey, count)
        return count

    def metrics_rows(self, journey: str) -> list[dict[str, Any]]:
        """A journey's stored metrics rows, in the order they were put, as flat dicts.

        Keys: step, period (left out when None), entered, completed, then each group column
        and each value column, as a metrics file has them.
        """
        query = (
            sa.select(MetricsRowRecord)
            .where(MetricsRowRecord.journey == journey)
            .order_by(MetricsRowRecord.pk)
        )
        with self._read() as session:
            stored = list(session.scalars(query))
        flat = []
        for row in stored:
            out: dict[str, Any] = {"step": row.step}
            if row.period is not None:
                out["period"] = row.period
            out.update(entered=row.entered, completed=row.completed, **row.groups, **row.values)
            flat.append(out)
        return flat

    # --- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn "the database does not answer" errors into StoreUnavailable."""
        try:
            yield
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
            raise self._unavailable(exc) from exc
        except sa_exc.DBAPIError as exc:
            if exc.connection_invalidated:
                raise self._unavailable(exc) from exc
            raise

    def _unavailable(self, exc: sa_exc.DBAPIError) -> StoreUnavailable:
        logger.warning("database %s is unavailable: %s", self.url, _first_line(exc))
        return StoreUnavailable(f"database {self.url} is unavailable: {_first_line(exc)}")

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A session for reads (rolled back and closed at the end)."""
        with self._guard(), self._sessions() as session:
            yield session

    def _write(self, work: Callable[[Session], T], *, retry: bool = False) -> T:
        """Run ``work`` in one transaction, committed when it returns.

        With ``retry``, a unique-key clash (a concurrent writer inserted the same key between
        our read and our insert) runs the whole transaction again, which then sees that row.
        """
        attempts = CONFLICT_ATTEMPTS if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                with self._guard(), self._sessions.begin() as session:
                    return work(session)
            except sa_exc.IntegrityError as exc:
                if attempt == attempts:
                    raise
                logger.info("write lost a race (%s); trying again", _first_line(exc))
        raise AssertionError("unreachable")


def create_store_engine(url: str | None) -> Engine:
    """An engine for ``Store``: SQLite (default file, WAL, busy timeout) or PostgreSQL."""
    if url is None:
        url = f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError:
        raise StoreError(f"database URL {url!r} is not a valid URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend in ("postgresql", "postgres"):
        return _postgres_engine(parsed)
    raise StoreError(
        f"database URL {parsed.render_as_string(hide_password=True)!r}: {backend!r} is not "
        "supported; use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
    )


def _sqlite_engine(url: URL) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if not memory:
        folder = Path(str(url.database)).expanduser().resolve().parent
        if not folder.is_dir():
            raise StoreError(f"database URL {url}: folder {folder} does not exist")
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False},
        poolclass=sa.pool.StaticPool if memory else None,
    )

    @sa.event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return engine


def _postgres_engine(url: URL) -> Engine:
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def alembic_config(url: URL) -> Config:
    """An Alembic ``Config`` for the steplens migrations, built in code (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    rendered = url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


# --- upsert -------------------------------------------------------------------------------


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
    now = _now()
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
    _check_name(item.external_id, f"{where}: id")
    where = f"{where} (id {item.external_id!r})"
    _check_text(item.text, f"{where}: text", required=False)
    if item.created_at is not None and not isinstance(item.created_at, datetime):
        raise StoreError(f"{where}: created_at must be a datetime or None")
    if item.channel is not None:
        _check_text(item.channel, f"{where}: channel", required=False)
    _check_text(item.step, f"{where}: step", required=True)
    _check_text(item.language, f"{where}: language", required=True)
    for name in ("sentiment", "effort"):
        value = getattr(item, name)
        if value is not None:
            _check_text(value, f"{where}: {name}", required=True)
    attributes = _plain(item.attributes, f"{where}: attributes")
    model_versions = _plain(item.model_versions, f"{where}: model_versions")
    for name, mapping in (("attributes", attributes), ("model_versions", model_versions)):
        if not isinstance(mapping, dict):
            raise StoreError(f"{where}: {name} must be a mapping")
    steps = _plain(list(item.steps), f"{where}: steps")
    for position, entry in enumerate(steps, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("step"), str):
            raise StoreError(f"{where}: steps entry {position} must be a mapping with a 'step'")
        _check_text(entry["step"], f"{where}: steps entry {position} step", required=True)
        for name in ("sentiment", "effort"):
            if entry.get(name) is not None:
                _check_text(entry[name], f"{where}: steps entry {position} {name}", required=True)
    return {
        "external_id": item.external_id,
        "text": item.text,
        "created_at": None if item.created_at is None else as_utc(item.created_at),
        "channel": item.channel,
        "attributes": attributes,
        "step": item.step,
        "step_confidence": _score(item.step_confidence, f"{where}: step_confidence", True),
        "steps": steps,
        "sentiment": item.sentiment,
        "sentiment_score": _score(item.sentiment_score, f"{where}: sentiment_score", False),
        "effort": item.effort,
        "effort_score": _score(item.effort_score, f"{where}: effort_score", False),
        "language": item.language,
        "model_versions": model_versions,
    }


def _prepare_metrics(row: Mapping[str, Any], number: int) -> dict[str, Any]:
    """Check one metrics row and return its column values."""
    where = f"metrics row {number}"
    if not isinstance(row, Mapping):
        raise StoreError(f"{where}: expected a mapping, not {type(row).__name__}")
    unknown = sorted(set(row) - set(METRICS_FIELDS))
    if unknown:
        raise StoreError(f"{where}: unknown keys {unknown}; expected {list(METRICS_FIELDS)}")
    missing = [name for name in ("step", "entered", "completed") if name not in row]
    if missing:
        raise StoreError(f"{where}: missing {missing}")
    _check_text(row["step"], f"{where}: step", required=True)
    period = row.get("period")
    if period is not None:
        _check_text(period, f"{where}: period", required=True)
    counts = {}
    for name in ("entered", "completed"):
        value = row[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise StoreError(f"{where}: {name} must be a whole number, not {value!r}")
        counts[name] = value
    groups = _plain(row.get("groups") or {}, f"{where}: groups")
    values = _plain(row.get("values") or {}, f"{where}: values")
    if not isinstance(groups, dict) or not isinstance(values, dict):
        raise StoreError(f"{where}: groups and values must be mappings")
    for name, value in values.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise StoreError(f"{where}: value {name!r} must be a number or None, not {value!r}")
    clashes = sorted(
        (set(groups) & set(values)) | ((set(groups) | set(values)) & set(METRICS_RESERVED))
    )
    if clashes:
        raise StoreError(f"{where}: columns {clashes} appear twice (groups, values, counts)")
    return {
        "step": row["step"],
        "period": period,
        "groups": groups,
        "group_key": json.dumps(groups, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        "values": values,
        **counts,
    }


# --- queries and output -------------------------------------------------------------------


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
    _check_text(journey, "journey name", required=True)
    for name, wanted in (("step", step), ("sentiment", sentiment), ("effort", effort)):
        if wanted is not None:
            _check_text(wanted, f"{name} filter", required=True)
    if channel is not None:
        _check_text(channel, "channel filter", required=False)
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


def _latest_labels(session: Session, pks: list[int]) -> dict[int, str]:
    """The latest human label step of each of these feedback rows that has one."""
    if not pks:
        return {}
    query = (
        sa.select(LabelRow.feedback_pk, LabelRow.step)
        .where(LabelRow.feedback_pk.in_(pks))
        .order_by(LabelRow.pk)
    )
    return {pk: step for pk, step in session.execute(query)}


def _item(row: FeedbackRow, label: str | None) -> dict[str, Any]:
    """A feedback row as the API shows it."""
    return {
        "id": row.external_id,
        "text": row.text,
        "created_at": _iso(row.created_at),
        "channel": row.channel,
        "attributes": row.attributes,
        **{name: getattr(row, name) for name in CLASSIFICATION_FIELDS},
        "model_versions": row.model_versions,
        "ingested_at": _iso(row.ingested_at),
        "updated_at": _iso(row.updated_at),
        "label": label,
    }


def _record(row: FeedbackRow) -> dict[str, Any]:
    """A feedback row as a comment-granularity tagged record (what ``steplens tag`` writes)."""
    record: dict[str, Any] = {
        "id": row.external_id,
        "text": row.text,
        "created_at": _iso(row.created_at),
        "channel": row.channel,
    }
    reserved = set(RECORD_FIELDS) | set(CLASSIFICATION_FIELDS)
    record.update((k, v) for k, v in row.attributes.items() if k not in reserved)
    record.update((name, getattr(row, name)) for name in CLASSIFICATION_FIELDS)
    return record


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


# --- values -------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _first_line(exc: BaseException) -> str:
    """The first line of a database error (the driver's own message, without the SQL)."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def _check_name(value: object, what: str) -> None:
    """A journey name or feedback id: non-empty text, at most ``MAX_ID_LENGTH`` characters."""
    _check_text(value, what, required=True)
    assert isinstance(value, str)
    if len(value) > MAX_ID_LENGTH:
        raise StoreError(f"{what} is {len(value)} characters long; at most {MAX_ID_LENGTH}")


def _check_text(value: object, what: str, *, required: bool) -> None:
    """Text a column can hold: a string, without NUL characters (PostgreSQL refuses them)."""
    if not isinstance(value, str):
        raise StoreError(f"{what} must be text, not {type(value).__name__}")
    if required and not value.strip():
        raise StoreError(f"{what} is empty")
    if "\x00" in value:
        raise StoreError(f"{what} contains a NUL character (\\x00), which cannot be stored")


def _score(value: object, what: str, required: bool) -> float | None:
    """A finite number (or None when not required)."""
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise StoreError(f"{what} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise StoreError(f"{what} must be a finite number, not {value!r}")
    return number


def _plain(value: Any, where: str) -> Any:
    """``value`` as plain JSON data, as it will read back from a JSON column.

    Tuples become lists, dates ISO strings, Decimals and numpy scalars plain numbers;
    NaN and infinities become None (JSON has no such numbers). Mapping keys must be text.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        plain = {}
        for key, inner in value.items():
            if not isinstance(key, str):
                raise StoreError(f"{where}: key {key!r} is not text")
            plain[key] = _plain(inner, f"{where}.{key}")
        return plain
    if isinstance(value, list | tuple):
        return [_plain(inner, f"{where}[{index}]") for index, inner in enumerate(value)]
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return _plain(item(), where)
    raise StoreError(f"{where}: a {type(value).__name__} cannot be stored (not JSON data)")
