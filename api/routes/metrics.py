"""``PUT /v1/metrics``: a journey's step metrics, validated exactly as the CLI validates a file."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter

from steplens.api.deps import SettingsDep, StoreDep, resolve_journey
from steplens.api.schemas import MetricsIn
from steplens.pipeline.report.metrics import metrics_from_rows

router = APIRouter(tags=["metrics"])


@router.put("/metrics", summary="Replace a journey's step metrics")
async def put_metrics(body: MetricsIn, settings: SettingsDep, store: StoreDep) -> dict[str, Any]:
    """Validate every row (errors name the row and column) and replace the stored rows."""
    journey = await resolve_journey(body.journey, settings, store)
    metrics = metrics_from_rows(body.rows, journey, source="metrics rows")
    rows = [
        {
            "step": row.step,
            "period": row.period.label if row.period is not None else None,
            "entered": row.entered,
            "completed": row.completed,
            "groups": dict(row.groups),
            "values": {k: v for k, v in row.values.items() if v is not None},
        }
        for row in metrics.rows
    ]
    count = await asyncio.to_thread(store.put_metrics, journey.name, rows)
    return {
        "journey": journey.name,
        "rows": count,
        "period_kind": metrics.period_kind,
        "group_columns": list(metrics.group_columns),
    }
