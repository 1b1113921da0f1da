"""The store's errors: each says what the database could not do, and for which item and field."""

from __future__ import annotations

from steplens.pipeline.errors import SteplensError


class StoreError(SteplensError):
    """A request the database cannot carry out as asked; the message says what and where."""


class StoreUnavailable(StoreError):
    """The database does not answer (down, unreachable, locked too long): try again later."""


class NotFound(StoreError):
    """The journey item asked for is not stored."""


class InvalidCursor(StoreError):
    """A pagination cursor this store did not hand out (or one that was altered)."""
