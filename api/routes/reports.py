"""``GET /v1/reports/steps`` (the numbers ``steplens report`` writes) and ``GET /report`` (HTML).

Both build the report with the same library call as the CLI, from the stored feedback and
metrics, so the same data gives the same numbers whichever way it is asked for.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse

from steplens.api.db.store import Store
from steplens.api.deps import SettingsDep, StoreDep, resolve_journey
from steplens.api.errors import NotFoundError
from steplens.pipeline.journey import Journey
from steplens.pipeline.report.build import build_report
from steplens.pipeline.report.metrics import metrics_from_rows

PeriodKindQuery = Literal["day", "week", "month"]
ScoreTypeQuery = Literal["auto", "nps", "mean"]


@dataclass
class ReportQuery:
    """The query parameters both report endpoints take (the options of ``steplens report``)."""

    journey: str | None = None
    created_from: Annotated[datetime | None, Query(alias="from")] = None
    created_to: Annotated[datetime | None, Query(alias="to")] = None
    period: PeriodKindQuery | None = None
    group_by: str | None = None
    score_column: Annotated[
        str | None,
        Query(description="A score stored with each item (an extra field such as nps or csat)."),
    ] = None
    score_type: Annotated[
        ScoreTypeQuery,
        Query(description="nps (% promoters minus % detractors), mean, or auto (as the CLI)."),
    ] = "auto"
    themes: Annotated[
        bool,
        Query(
            description="Also cluster what no step covers and each step's clauses into themes "
            "(embeds the stored texts: seconds for thousands of items)."
        ),
    ] = False


REPORT_PARAMETERS = frozenset(
    {
        "journey",
        "from",
        "to",
        "period",
        "group_by",
        "score_column",
        "score_type",
        "key_phrases",
        "themes",
    }
)


def known_parameters_only(request: Request) -> None:
    """Refuse a query parameter the report does not take (a typo must not pass silently)."""
    unknown = sorted(set(request.query_params) - REPORT_PARAMETERS)
    if unknown:
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": "unknown query parameter; known: "
                    + ", ".join(sorted(REPORT_PARAMETERS)),
                    "input": request.query_params[name],
                }
                for name in unknown
            ]
        )


ReportQueryDep = Annotated[ReportQuery, Depends()]
router = APIRouter(tags=["reports"], dependencies=[Depends(known_parameters_only)])
page = APIRouter(tags=["reports"], dependencies=[Depends(known_parameters_only)])


def _report_data(
    store: Store, journey: Journey, query: ReportQuery, key_phrases: bool
) -> dict[str, Any]:
    from steplens.pipeline.report.outputs import report_data
    from steplens.pipeline.report.themes import themes_encoder

    records = list(
        store.iter_feedback_records(
            journey.name, created_from=query.created_from, created_to=query.created_to
        )
    )
    if not records:
        raise NotFoundError(f"no stored feedback for journey {journey.name!r} in that range")
    stored_metrics = store.metrics_rows(journey.name)
    metrics = (
        metrics_from_rows(stored_metrics, journey, source="stored metrics")
        if (stored_metrics)
        else None
    )
    with_periods = query.period is not None or (
        metrics is not None and metrics.period_kind is not None
    )
    report = build_report(
        records,
        journey,
        metrics=metrics,
        period_column="created_at" if with_periods else None,
        period_kind=query.period,
        group_by=query.group_by,
        score_column=query.score_column,
        score_type=query.score_type,
        key_phrases=key_phrases,
        themes_encoder=themes_encoder() if query.themes else None,
    )
    return report_data(report)


@router.get("/reports/steps", summary="The per-step report's numbers")
async def steps_report(
    settings: SettingsDep, store: StoreDep, query: ReportQueryDep, key_phrases: bool = True
) -> dict[str, Any]:
    """What ``steplens report`` writes to steps.json, for the stored feedback and metrics."""
    found = await resolve_journey(query.journey, settings, store)
    return await asyncio.to_thread(_report_data, store, found, query, key_phrases)


@page.get("/report", response_class=HTMLResponse, summary="The per-step report page")
async def report_page(
    settings: SettingsDep, store: StoreDep, query: ReportQueryDep, key_phrases: bool = True
) -> HTMLResponse:
    """The same self-contained HTML page ``steplens report`` writes."""
    from steplens.pipeline.report.html import render_html

    found = await resolve_journey(query.journey, settings, store)
    data = await asyncio.to_thread(_report_data, store, found, query, key_phrases)
    return HTMLResponse(render_html(data))
