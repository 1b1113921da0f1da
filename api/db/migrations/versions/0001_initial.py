"""Initial schema: journeys, feedback with step mentions, labels and step metrics.

Revision ID: 0001
Revises:
Create Date: 2026-08-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    """A timezone-aware timestamp column (stored as UTC by the models)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create every table and index of the first schema."""
    op.create_table(
        "journeys",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("name", name="pk_journeys"),
    )
    op.create_table(
        "feedback",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("journey", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _timestamp("created_at", nullable=True),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("step_confidence", sa.Float(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("sentiment", sa.String(), nullable=True),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column("effort", sa.String(), nullable=True),
        sa.Column("effort_score", sa.Float(), nullable=True),
        sa.Column("model_versions", sa.JSON(), nullable=False),
        _timestamp("ingested_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("pk", name="pk_feedback"),
        sa.UniqueConstraint("journey", "external_id", name="uq_feedback_journey_external_id"),
    )
    op.create_index("ix_feedback_journey", "feedback", ["journey"])
    op.create_index("ix_feedback_channel", "feedback", ["channel"])
    op.create_index("ix_feedback_step", "feedback", ["step"])
    op.create_index("ix_feedback_journey_created_at", "feedback", ["journey", "created_at"])
    op.create_table(
        "feedback_mentions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("feedback_pk", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("sentiment", sa.String(), nullable=True),
        sa.Column("effort", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_feedback_mentions"),
        sa.ForeignKeyConstraint(
            ["feedback_pk"],
            ["feedback.pk"],
            name="fk_feedback_mentions_feedback",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_feedback_mentions_feedback_pk", "feedback_mentions", ["feedback_pk"])
    op.create_index(
        "ix_feedback_mentions_step_feedback_pk", "feedback_mentions", ["step", "feedback_pk"]
    )
    op.create_table(
        "labels",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("feedback_pk", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        _timestamp("created_at"),
        sa.Column("author", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_labels"),
        sa.ForeignKeyConstraint(
            ["feedback_pk"], ["feedback.pk"], name="fk_labels_feedback", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_labels_feedback_pk", "labels", ["feedback_pk"])
    op.create_table(
        "step_metrics",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("journey", sa.String(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=True),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("entered", sa.BigInteger(), nullable=False),
        sa.Column("completed", sa.BigInteger(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("pk", name="pk_step_metrics"),
        sa.UniqueConstraint(
            "journey", "step", "period", "group_key", name="uq_step_metrics_journey_step_period"
        ),
    )
    op.create_index("ix_step_metrics_journey", "step_metrics", ["journey"])


def downgrade() -> None:
    """Drop everything the upgrade created (children first)."""
    op.drop_table("step_metrics")
    op.drop_table("labels")
    op.drop_table("feedback_mentions")
    op.drop_table("feedback")
    op.drop_table("journeys")
