"""Journey definitions in the store, answered from the last copy while the database is away."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from steplens.api.db.base import StoreBase
from steplens.api.db.errors import StoreError, StoreUnavailable
from steplens.api.db.models import JourneyRow
from steplens.api.db.values import check_name, plain, utc_now

logger = logging.getLogger(__name__)


class JourneyStore(StoreBase):
    """Store and read journey definitions by name."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        # The last definition (or None: not stored) read or written per journey name, so that
        # classification keeps working with the right journey while the database is away.
        self._journeys_seen: dict[str, dict[str, Any] | None] = {}

    def put_journey(self, name: str, definition: Mapping[str, Any]) -> bool:
        """Store a journey definition under its name; True when it replaced a stored one."""
        check_name(name, "journey name")
        stored = plain(definition, f"journey {name!r}: definition")
        if not isinstance(stored, dict):
            raise StoreError(f"journey {name!r}: the definition must be a mapping")

        def work(session: Session) -> bool:
            row = session.get(JourneyRow, name)
            if row is None:
                session.add(JourneyRow(name=name, definition=stored, updated_at=utc_now()))
                return False
            row.definition = stored
            row.updated_at = utc_now()
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
