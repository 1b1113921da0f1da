"""The report as files: steps.csv, steps.json and report.html in one folder.

- ``steps.csv``: one row per step over the whole report, in journey order, with the columns the
  architecture doc names (``step, name, comments, mentions, share, sentiment_mean,
  negative_share, effort_mean, high_effort_share``, the metrics' columns, ``drop_off_rate``,
  ``priority_score``, ``priority_rank``) followed by the intervals, the friction parts and, with
  ``--score-column``, ``nps, nps_low, nps_high, nps_impact`` for an NPS column or
  ``score_mean, score_mean_low, score_mean_high, score_impact`` for another score;
- ``steps_by_period.csv`` (with ``--period-column``) and ``steps_by_group.csv`` (with
  ``--group-by``): the same text columns per step x period or per step x group, joined to the
  metrics of that period or group;
- ``steps.json``: everything above plus stages, changes, alerts, correlations, verbatims, key
  phrases and the priority explanation; the HTML report is drawn from this same document.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from steplens.pipeline import __version__
from steplens.pipeline.report.aggregate import StepSignals
from steplens.pipeline.report.build import StepReport, combined_metrics
from steplens.pipeline.report.periods import Period
from steplens.pipeline.report.priority import PRIORITY_EXPLANATION, StepPriority
from steplens.pipeline.report.score_impact import ScoreImpact


@dataclass(frozen=True)
class ReportFiles:
    """Where ``write_report`` put each file."""

    folder: Path
    html: Path
    csv: Path
    json: Path
    extra: tuple[Path, ...]


def step_rows(report: StepReport) -> list[dict[str, Any]]:
    """steps.csv: one row per step in journey order (see the module docstring)."""
    score = {s.step: s for s in report.score.steps} if report.score else {}
    metric_names = _metric_names(report)
    rows = []
    for signals, priority in zip(report.steps, report.priorities, strict=True):
        row = _text_row(signals)
        values = report.metric_values.get(signals.step, {})
        row.update({name: values.get(name) for name in metric_names})
        if report.metrics is not None:
            row["drop_off_rate"] = values.get("drop_off_rate")
        row["priority_score"] = priority.priority_score
        row["priority_rank"] = priority.priority_rank
        row["stage"] = report.journey.step(signals.step).stage
        row["enough"] = signals.enough
        row.update(_friction_columns(priority))
        row.update(signals.interval_columns())
        if report.score is not None:
            row.update(score_columns(report.score.kind, score[signals.step]))
        rows.append(row)
    return rows


def score_columns(kind: str, impact: ScoreImpact) -> dict[str, float | None]:
    """A step's score columns: ``nps, nps_low, nps_high, nps_impact`` (NPS points) or
    ``score_mean, score_mean_low, score_mean_high, score_impact``."""
    value, impact_name = ("nps", "nps_impact") if kind == "nps" else ("score_mean", "score_impact")
    low, high = impact.interval or (None, None)
    return {
        value: impact.value,
        f"{value}_low": low,
        f"{value}_high": high,
        impact_name: impact.impact,
    }


def period_rows(report: StepReport) -> list[dict[str, Any]]:
    """steps_by_period.csv: per step x period, oldest period first."""
    by_key: dict[tuple[str, Period], dict[str, float | None]] = (
        combined_metrics(report.metrics, lambda r: (r.step, r.period) if r.period else None)
        if report.metrics is not None
        else {}
    )
    metric_names = _metric_names(report)
    rows = []
    for period, slice_rows in report.by_period.items():
        for signals in slice_rows:
            row = {"period": period.label, **_text_row(signals), "enough": signals.enough}
            values = by_key.get((signals.step, period), {})
            row.update({name: values.get(name) for name in metric_names})
            if report.metrics is not None:
                row["drop_off_rate"] = values.get("drop_off_rate")
            row.update(signals.interval_columns())
            rows.append(row)
    return rows


def group_rows(report: StepReport) -> list[dict[str, Any]]:
    """steps_by_group.csv: per step x group value."""
    rows = []
    joined = bool(report.group_metrics)
    for group, slice_rows in report.by_group.items():
        for signals in slice_rows:
            row = {report.group_by or "group": group, **_text_row(signals)}
            row["enough"] = signals.enough
            if joined:
                values = report.group_metrics.get((signals.step, group), {})
                for name in ("entered", "completed", "drop_off_rate"):
                    row[name] = values.get(name)
            row.update(signals.interval_columns())
            rows.append(row)
    return rows


def report_data(report: StepReport) -> dict[str, Any]:
    """The whole report as one JSON-ready document (steps.json, and the HTML's data)."""
    names = {step.id: step.name for step in report.journey.steps}
    data: dict[str, Any] = {
        "steplens_version": __version__,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "journey": {
            "name": report.journey.name,
            "description": report.journey.description,
            "steps": [{"id": s.id, "name": s.name, "stage": s.stage} for s in report.journey.steps],
        },
        "comments": report.comments,
        "has_metrics": report.metrics is not None,
        "metrics_columns": _metric_names(report),
        "priority_explanation": PRIORITY_EXPLANATION,
        "steps": step_rows(report),
        "period_kind": report.period_kind,
        "undated_comments": report.undated,
        "date_reading": report.date_reading,
        "not_english": report.not_english,
        "unreadable_dates": {
            "count": len(report.unreadable_dates),
            "first": [{"row": row, "value": value} for row, value in report.unreadable_dates[:5]],
        },
        "by_period": period_rows(report),
        "group_by": report.group_by,
        "by_group": group_rows(report),
        "stages": [
            {
                "stage": stage.stage,
                "steps": stage.steps,
                "entered": stage.entered,
                "lost": stage.lost,
                **_text_row(stage.signals, with_name=False),
                "enough": stage.signals.enough,
            }
            for stage in report.stages
        ],
        "alerts": [
            {**asdict(c), "name": names.get(c.step, c.step), "text": c.describe()}
            for c in report.alerts
        ],
        "changes": [asdict(change) for change in report.changes],
        "correlations": [
            {"step": c.step, "signal": c.signal, **c.correlation._asdict()}
            for c in report.correlations
        ],
        "score": (
            {
                "column": report.score.column,
                "kind": report.score.kind,
                "unit": report.score.unit,
                "overall": report.score.overall,
                "overall_interval": report.score.overall_interval,
                "scored": report.score.scored,
                "skipped": report.score.skipped,
                "skipped_rows": report.score.skipped_rows,
                "labelled": report.score.labelled,
                "mapped": report.score.mapped,
                "no_score": report.score.no_score,
                "unmapped": list(report.score.unmapped),
                "description": report.score.describe(),
            }
            if report.score
            else None
        ),
        "verbatims": {
            step: {
                "typical": [asdict(v) for v in report.typical.get(step, [])],
                "painful": [asdict(v) for v in report.painful.get(step, [])],
            }
            for step in report.journey.step_ids
        },
        "key_phrases": report.key_phrases,
        "themes": report.themes,
        "uncovered_themes": [theme.as_dict() for theme in report.uncovered_themes],
        "sub_themes": {
            step: [theme.as_dict() for theme in found] for step, found in report.sub_themes.items()
        },
    }
    finite: dict[str, Any] = _finite(data)
    return finite


def write_report(report: StepReport, folder: str | Path) -> ReportFiles:
    """Write steps.csv, steps.json, report.html (and the per-period / per-group CSVs)."""
    from steplens.pipeline.report.html import render_html

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    data = report_data(report)
    csv_path = _write_csv(out / "steps.csv", data["steps"])
    extra = []
    if data["by_period"]:
        extra.append(_write_csv(out / "steps_by_period.csv", data["by_period"]))
    if data["by_group"]:
        extra.append(_write_csv(out / "steps_by_group.csv", data["by_group"]))
    json_path = out / "steps.json"
    _write_atomically(json_path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    html_path = out / "report.html"
    _write_atomically(html_path, render_html(data))
    return ReportFiles(out, html_path, csv_path, json_path, tuple(extra))


def _text_row(signals: StepSignals, with_name: bool = True) -> dict[str, Any]:
    row = signals.as_row()
    if not with_name:
        del row["step"], row["name"]
    return row


def _friction_columns(priority: StepPriority) -> dict[str, Any]:
    funnel = priority.funnel
    return {
        "lost": funnel.lost if funnel else None,
        "excess_lost": funnel.excess_lost if funnel else None,
        "usual_drop_off_rate": funnel.usual_drop_off if funnel else None,
        "latest_drop_off_rate": funnel.latest_drop_off if funnel else None,
        "negative_mentions": priority.negative_mentions,
        "high_effort_mentions": priority.high_effort_mentions,
        "observed_friction": priority.observed_friction,
        "stated_friction": priority.stated_friction,
    }


def _metric_names(report: StepReport) -> list[str]:
    if report.metrics is None:
        return []
    return [
        "entered",
        "completed",
        *report.metrics.metric_columns,
        *report.metrics.extra_columns,
    ]


def _finite(value: Any) -> Any:
    """Floats to 6 significant digits; NaN and infinities become None (valid JSON for all)."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
    temporary.replace(path)
    return path


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
