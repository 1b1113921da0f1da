"""Values going into the store: checked (names, text, scores) and made plain JSON data, so that
what is stored reads back as it was sent; and the timestamps and messages the store writes."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from steplens.api.db.errors import StoreError

MAX_ID_LENGTH = 500
"""Longest journey name or feedback id, in characters (they are index keys)."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def first_line(exc: BaseException) -> str:
    """The first line of a database error (the driver's own message, without the SQL)."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def check_name(value: object, what: str) -> None:
    """A journey name or feedback id: non-empty text, at most ``MAX_ID_LENGTH`` characters."""
    check_text(value, what, required=True)
    assert isinstance(value, str)
    if len(value) > MAX_ID_LENGTH:
        raise StoreError(f"{what} is {len(value)} characters long; at most {MAX_ID_LENGTH}")


def check_text(value: object, what: str, *, required: bool) -> None:
    """Text a column can hold: a string, without NUL characters (PostgreSQL refuses them)."""
    if not isinstance(value, str):
        raise StoreError(f"{what} must be text, not {type(value).__name__}")
    if required and not value.strip():
        raise StoreError(f"{what} is empty")
    if "\x00" in value:
        raise StoreError(f"{what} contains a NUL character (\\x00), which cannot be stored")


def as_score(value: object, what: str, required: bool) -> float | None:
    """A finite number (or None when not required)."""
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise StoreError(f"{what} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise StoreError(f"{what} must be a finite number, not {value!r}")
    return number


def plain(value: Any, where: str) -> Any:
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
        converted = {}
        for key, inner in value.items():
            if not isinstance(key, str):
                raise StoreError(f"{where}: key {key!r} is not text")
            converted[key] = plain(inner, f"{where}.{key}")
        return converted
    if isinstance(value, list | tuple):
        return [plain(inner, f"{where}[{index}]") for index, inner in enumerate(value)]
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return plain(item(), where)
    raise StoreError(f"{where}: a {type(value).__name__} cannot be stored (not JSON data)")
