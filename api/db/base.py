"""What every part of the store shares: the engine, short sessions, and the rule that a database
that does not answer is ``StoreUnavailable`` (one transaction per call, retried on insert races)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from steplens.api.db.errors import StoreUnavailable
from steplens.api.db.values import first_line

logger = logging.getLogger(__name__)

T = TypeVar("T")

CONFLICT_ATTEMPTS = 5
"""Tries of a write that lost an insert race to a concurrent writer (unique key clash)."""


class StoreBase:
    """The engine and the session plumbing the journey, feedback, label and metrics parts use."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        """The database URL, password hidden (for logs and messages)."""
        return self.engine.url.render_as_string(hide_password=True)

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
        logger.warning("database %s is unavailable: %s", self.url, first_line(exc))
        return StoreUnavailable(f"database {self.url} is unavailable: {first_line(exc)}")

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
                logger.info("write lost a race (%s); trying again", first_line(exc))
        raise AssertionError("unreachable")
