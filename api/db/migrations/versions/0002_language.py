"""Each stored comment's language: comments not in English are stored unscored.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``feedback.language`` (ISO 639-1); rows stored before it were read as English."""
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("language", sa.String(), nullable=False, server_default="en"))


def downgrade() -> None:
    """Drop ``feedback.language``."""
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("language")
