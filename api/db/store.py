"""The service's database: journeys, classified feedback, human labels and step metrics.

``Store`` wraps a synchronous SQLAlchemy engine (the web layer calls it from a worker thread).
Every method is one short transaction in its own session, so a ``Store`` is safe to share
between threads. A database that does not answer surfaces as ``StoreUnavailable`` (the web
layer answers 503); input the database cannot take surfaces as another ``StoreError`` whose
message names the item and the field; anything else is a bug and propagates as it is.

Timestamps are stored as UTC; a naive datetime passed in is taken to be UTC already.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from steplens.api.db.engine import alembic_config, create_store_engine
from steplens.api.db.errors import InvalidCursor, NotFound, StoreError, StoreUnavailable
from steplens.api.db.feedback_store import FeedbackPage, FeedbackStore, StoredItem, UpsertResult
from steplens.api.db.journey_store import JourneyStore
from steplens.api.db.label_store import LabelStore
from steplens.api.db.metrics_store import MetricsStore
from steplens.api.db.values import first_line

__all__ = [
    "FeedbackPage",
    "InvalidCursor",
    "NotFound",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "StoredItem",
    "UpsertResult",
]

logger = logging.getLogger(__name__)


class Store(JourneyStore, FeedbackStore, LabelStore, MetricsStore):
    """Journeys, feedback, labels and step metrics in one SQL database (SQLite or PostgreSQL).

    Each entity's calls live in their own module (``journey_store``, ``feedback_store``,
    ``label_store``, ``metrics_store``); this class joins them and owns the schema.
    """

    @classmethod
    def connect(cls, url: str | None) -> Store:
        """A store over a database URL; None means the SQLite file ``steplens.db`` here.

        SQLite gets WAL journaling, a busy timeout, foreign keys and cross-thread use;
        PostgreSQL (``postgresql://`` means the psycopg 3 driver) gets pre-ping and a
        connect timeout. Nothing is opened until the first call.
        """
        return cls(create_store_engine(url))

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
            logger.warning("database %s does not answer: %s", self.url, first_line(exc))
            return False
