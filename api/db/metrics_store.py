"""Step metrics in the store (traffic, completions, extra columns), replaced per journey."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from steplens.api.db.base import StoreBase
from steplens.api.db.errors import StoreError
from steplens.api.db.models import MetricsRowRecord
from steplens.api.db.values import check_name, check_text, plain, utc_now

logger = logging.getLogger(__name__)

METRICS_FIELDS = ("step", "period", "entered", "completed", "groups", "values")
METRICS_RESERVED = ("step", "period", "entered", "completed")


class MetricsStore(StoreBase):
    """Put and read a journey's step metrics rows."""

    def put_metrics(self, journey: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Replace all stored step metrics of a journey with these rows; returns their count.

        Each row has step, entered and completed, and optionally period (str or None), groups
        (column -> value) and values (column -> number). One transaction: the old rows go
        only when every new one is in.
        """
        check_name(journey, "journey name")
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
            now = utc_now()
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
    check_text(row["step"], f"{where}: step", required=True)
    period = row.get("period")
    if period is not None:
        check_text(period, f"{where}: period", required=True)
    counts = {}
    for name in ("entered", "completed"):
        value = row[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise StoreError(f"{where}: {name} must be a whole number, not {value!r}")
        counts[name] = value
    groups = plain(row.get("groups") or {}, f"{where}: groups")
    values = plain(row.get("values") or {}, f"{where}: values")
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
