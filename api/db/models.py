"""The service's tables as SQLAlchemy 2 declarative models.

The schema itself is created by the hand-written Alembic migrations in ``api/db/migrations``;
these models must match them (``tests/api/test_store.py`` checks that they do). Timestamps are
stored as UTC and always come back timezone-aware, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware DateTime that stores UTC and reads back aware UTC datetimes.

    SQLite keeps no offset, so values are converted to UTC on the way in and tagged UTC on the
    way out; a naive datetime is taken to be UTC already.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC before storing."""
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime whatever the backend gave back."""
        return None if value is None else as_utc(value)


def as_utc(value: datetime) -> datetime:
    """The same instant as an aware UTC datetime (a naive one is taken to be UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


NAMING = {
    "pk": "pk_%(table_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(referred_table_name)s",
}
"""Constraint and index names, the ones the migrations spell out."""


class Base(DeclarativeBase):
    """Declarative base of the service's tables."""

    metadata = sa.MetaData(naming_convention=NAMING)


class JourneyRow(Base):
    """A journey definition, stored as the dict the journey file holds."""

    __tablename__ = "journeys"

    name: Mapped[str] = mapped_column(sa.String, primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class FeedbackRow(Base):
    """One customer comment of a journey with its classification (as ``steplens tag`` makes)."""

    __tablename__ = "feedback"
    __table_args__ = (
        sa.UniqueConstraint("journey", "external_id", name="uq_feedback_journey_external_id"),
        sa.Index("ix_feedback_journey_created_at", "journey", "created_at"),
    )

    pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    journey: Mapped[str] = mapped_column(sa.String, nullable=False, index=True)
    external_id: Mapped[str] = mapped_column(sa.String, nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    channel: Mapped[str | None] = mapped_column(sa.String, nullable=True, index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    step: Mapped[str] = mapped_column(sa.String, nullable=False, index=True)
    step_confidence: Mapped[float] = mapped_column(sa.Float, nullable=False)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, nullable=False)
    language: Mapped[str] = mapped_column(sa.String, nullable=False, server_default="en")
    sentiment: Mapped[str | None] = mapped_column(sa.String, nullable=True)
    sentiment_score: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    effort: Mapped[str | None] = mapped_column(sa.String, nullable=True)
    effort_score: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    model_versions: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    mentions: Mapped[list[MentionRow]] = relationship(
        back_populates="feedback",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="MentionRow.pk",
    )


class MentionRow(Base):
    """A step one comment mentions, with that step's signals: makes "mentions step X" indexed."""

    __tablename__ = "feedback_mentions"
    __table_args__ = (sa.Index("ix_feedback_mentions_step_feedback_pk", "step", "feedback_pk"),)

    pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    feedback_pk: Mapped[int] = mapped_column(
        sa.Integer,
        sa.ForeignKey("feedback.pk", ondelete="CASCADE", name="fk_feedback_mentions_feedback"),
        nullable=False,
        index=True,
    )
    step: Mapped[str] = mapped_column(sa.String, nullable=False)
    sentiment: Mapped[str | None] = mapped_column(sa.String, nullable=True)
    effort: Mapped[str | None] = mapped_column(sa.String, nullable=True)

    feedback: Mapped[FeedbackRow] = relationship(back_populates="mentions")


class LabelRow(Base):
    """A human's step label for one comment; the latest one of a comment counts."""

    __tablename__ = "labels"

    pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    feedback_pk: Mapped[int] = mapped_column(
        sa.Integer,
        sa.ForeignKey("feedback.pk", ondelete="CASCADE", name="fk_labels_feedback"),
        nullable=False,
        index=True,
    )
    step: Mapped[str] = mapped_column(sa.String, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    author: Mapped[str | None] = mapped_column(sa.String, nullable=True)


class MetricsRowRecord(Base):
    """One row of a journey's step metrics (funnel counts per step, period and group)."""

    __tablename__ = "step_metrics"
    __table_args__ = (
        sa.UniqueConstraint(
            "journey", "step", "period", "group_key", name="uq_step_metrics_journey_step_period"
        ),
    )

    pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    journey: Mapped[str] = mapped_column(sa.String, nullable=False, index=True)
    step: Mapped[str] = mapped_column(sa.String, nullable=False)
    period: Mapped[str | None] = mapped_column(sa.String, nullable=True)
    groups: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    group_key: Mapped[str] = mapped_column(sa.String, nullable=False)
    entered: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    completed: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    values: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
