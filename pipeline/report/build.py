"""Assemble the per-step report: text signals, step metrics, priority, change, alerts, quotes.

``build_report`` is the one function the CLI (``steplens report``) and the service call; it
reads nothing from disk itself (``load_tagged`` and ``metrics.load_metrics`` do), so the same
numbers come out whichever way the records arrive.

What is computed, and from what:

- per step over everything (``steps``): the text signals (``aggregate``), the step's funnel
  and metrics summed over the metrics file's rows (counts summed; ``median_time_s`` and extra
  columns as traffic-weighted means), survey-score impact (``--score-column``) and priority;
- per step x period (``by_period``) when comments carry a date (``period_column``): comments are
  bucketed into the metrics' period size (ISO weeks when there are no metrics);
- per step x group (``by_group``) with ``group_by``, joined to the metrics' rows of the same
  group when the metrics file has that column;
- per stage (``stages``): the journey's ``stage`` roll-up, a comment counted once per stage;
- changes between consecutive periods with alerts, correlations of text signals with
  conversion, representative verbatims and key phrases per step.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey
from steplens.pipeline.language import ENGLISH, LANGUAGES
from steplens.pipeline.records import FeedbackRecord, StepMention
from steplens.pipeline.report.aggregate import StepSignals, aggregate, summarise
from steplens.pipeline.report.change import StepChange, funnel_changes, text_changes, with_alerts
from steplens.pipeline.report.correlate import SignalCorrelation, signal_correlations
from steplens.pipeline.report.dates import DateReading, detect_reading
from steplens.pipeline.report.metrics import MetricsRow, StepMetrics
from steplens.pipeline.report.periods import Period, PeriodKind, bucket
from steplens.pipeline.report.priority import StepPriority, prioritise
from steplens.pipeline.report.score_impact import ScoreSummary, ScoreType, score_impacts
from steplens.pipeline.report.stats import MIN_N
from steplens.pipeline.report.verbatims import Mention, Verbatim, painful, typical

if TYPE_CHECKING:
    from steplens.pipeline.encoder import TextEncoder
    from steplens.pipeline.report.themes import ThemeSummary

logger = logging.getLogger(__name__)

K = TypeVar("K")

DEFAULT_PERIOD_KIND: PeriodKind = "week"
NO_GROUP = "(none)"
KEY_PHRASES_PER_STEP = 8


@dataclass(frozen=True)
class StageSignals:
    """A journey stage's text signals (a comment counted once) and its summed funnel."""

    stage: str
    steps: list[str]
    signals: StepSignals
    entered: int | None
    lost: int | None


@dataclass
class StepReport:
    """Everything ``steplens report`` writes; ``steplens.pipeline.report.outputs`` turns it into
    files."""

    journey: Journey
    comments: int
    steps: list[StepSignals]
    priorities: list[StepPriority]
    metric_values: dict[str, dict[str, float | None]]
    metrics: StepMetrics | None = None
    period_kind: PeriodKind | None = None
    by_period: dict[Period, list[StepSignals]] = field(default_factory=dict)
    undated: int = 0
    """Comments with no date (empty): counted in the totals, not in trends."""
    date_reading: str | None = None
    """How the period column's dates were read (day-first, ISO, Excel serials...), in words."""
    not_english: dict[str, int] = field(default_factory=dict)
    """Comments the models did not read because they are not in English, by language."""
    unreadable_dates: list[tuple[int, str]] = field(default_factory=list)
    """(data row, value) of every comment whose date could not be read: left out of trends."""
    group_by: str | None = None
    by_group: dict[str, list[StepSignals]] = field(default_factory=dict)
    group_metrics: dict[tuple[str, str], dict[str, float | None]] = field(default_factory=dict)
    stages: list[StageSignals] = field(default_factory=list)
    changes: list[StepChange] = field(default_factory=list)
    correlations: list[SignalCorrelation] = field(default_factory=list)
    score: ScoreSummary | None = None
    typical: dict[str, list[Verbatim]] = field(default_factory=dict)
    painful: dict[str, list[Verbatim]] = field(default_factory=dict)
    key_phrases: dict[str, list[str]] = field(default_factory=dict)
    themes: bool = False
    """Whether themes were looked for (an encoder was given)."""
    uncovered_themes: list[ThemeSummary] = field(default_factory=list)
    """What customers say that no step covers, largest first."""
    sub_themes: dict[str, list[ThemeSummary]] = field(default_factory=dict)
    """The largest themes inside each step's clauses."""

    @property
    def alerts(self) -> list[StepChange]:
        """The changes flagged as alerts, the largest rise first."""
        return sorted((c for c in self.changes if c.alert), key=lambda c: -c.difference)


def load_tagged(
    path: str | Path,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    encoding: str = "utf-8",
) -> list[FeedbackRecord]:
    """Read a file written by ``steplens tag`` at comment granularity; ``id_column`` is the
    input's id column `tag` was told (``id`` or row numbers when None)."""
    from steplens.pipeline.tables import open_table

    table = open_table(path, text_column=text_column, id_column=id_column, encoding=encoding)
    if "steps" not in table.columns:
        hint = (
            " It looks like a segment-granularity file: tag with --granularity comment"
            " (the default)."
            if "segment" in table.columns
            else " Run `steplens tag` on the feedback first and report on its output."
        )
        raise SteplensError(f"{table.path}: no 'steps' column, so it is not a tagged file.{hint}")
    records = []
    for chunk in table.chunks():
        for offset, (row, text, comment_id) in enumerate(
            zip(chunk.rows, chunk.texts, chunk.ids, strict=True)
        ):
            number = chunk.start + offset + 1
            records.append(
                FeedbackRecord.from_row(
                    row,
                    number=number,
                    id=str(comment_id),
                    text=text,
                    where=f"{table.path}, row {number}: ",
                )
            )
    if not records:
        raise SteplensError(f"{table.path}: no comments to report on")
    return records


def build_report(
    records: Sequence[FeedbackRecord],
    journey: Journey,
    *,
    metrics: StepMetrics | None = None,
    period_column: str | None = None,
    group_by: str | None = None,
    score_column: str | None = None,
    score_type: ScoreType = "auto",
    period_kind: PeriodKind | None = None,
    key_phrases: bool = True,
    nlp: Any = None,
    themes_encoder: TextEncoder | None = None,
    date_format: str | None = None,
    score_map: Mapping[str, float | None] | None = None,
) -> StepReport:
    """The whole report for ``records`` (see the module docstring).

    ``period_kind`` sets the period size comments are bucketed into; by default the metrics'
    (ISO weeks without metrics). It must agree with metrics that have periods. With
    ``themes_encoder``, the clauses are embedded with it and clustered into uncovered themes and
    sub-themes per step (:mod:`steplens.pipeline.report.themes`). Dates are read one way for
    the whole column, detected from the data or given as ``date_format``
    (:mod:`steplens.pipeline.report.dates`).
    """
    records = list(records)  # one list, read several times (and periods keyed by its items)
    if not records:
        raise SteplensError("no comments to report on")
    for column in (period_column, group_by, score_column):
        if column is not None:
            _require_column(records, column)
    steps = aggregate(records, journey)[None]
    report = StepReport(
        journey=journey,
        comments=len(records),
        steps=steps,
        priorities=prioritise(steps, metrics),
        metric_values=combined_metrics(metrics, lambda r: r.step) if metrics is not None else {},
        metrics=metrics,
        group_by=group_by,
    )
    languages = Counter(r.language for r in records)
    report.not_english = {
        code: n for code, n in sorted(languages.items()) if code in LANGUAGES and code != ENGLISH
    }
    periods: list[Period | None] | None = None
    if period_column is not None:
        kind = _period_kind(period_kind, metrics)
        report.period_kind = kind
        reading = detect_reading(
            (record.get(period_column) for record in records), period_column, date_format
        )
        report.date_reading = reading.describe(period_column)
        periods = []
        for position, record in enumerate(records, start=1):
            period, unreadable = _period_of(record, period_column, kind, reading)
            periods.append(period)
            if unreadable is not None:
                report.unreadable_dates.append((record.number or position, unreadable))
        report.undated = sum(p is None for p in periods) - len(report.unreadable_dates)
        if report.unreadable_dates:
            first = ", ".join(
                f"data row {row}: {value!r}" for row, value in report.unreadable_dates[:3]
            )
            if not any(periods):
                raise SteplensError(
                    f"period column {period_column!r} holds no dates ({first}, ...); name the "
                    "comments' date column with --period-column"
                )
            logger.warning(
                "%d comments have a %r that is not a date (%s%s); they are left out of trends "
                "and counted in the report",
                len(report.unreadable_dates),
                period_column,
                first,
                ", ..." if len(report.unreadable_dates) > 3 else "",
            )
        period_of = {id(r): p for r, p in zip(records, periods, strict=True) if p}
        if period_of:
            dated = [r for r in records if id(r) in period_of]
            slices = aggregate(dated, journey, key=lambda r: period_of[id(r)])
            by_period = cast("dict[Period, list[StepSignals]]", slices)
            report.by_period = dict(sorted(by_period.items()))
        report.changes = text_changes(report.by_period)
    if metrics is not None:
        report.changes += funnel_changes(metrics)
        if report.by_period:
            report.correlations = signal_correlations(report.by_period, metrics)
    report.changes = with_alerts(report.changes)
    if group_by is not None:
        slices = aggregate(records, journey, key=lambda r: _group_of(r.get(group_by)))
        report.by_group = {str(k): v for k, v in sorted(slices.items(), key=lambda kv: str(kv[0]))}
        if metrics is not None and group_by in metrics.group_columns:
            report.group_metrics = combined_metrics(
                metrics, lambda r: (r.step, r.groups.get(group_by) or NO_GROUP)
            )
    if score_column is not None:
        report.score = score_impacts(records, journey, score_column, score_type, score_map)
    report.stages = stage_rollup(records, journey, report.priorities)
    mentions = _mentions(records, journey)
    report.typical = {step: typical(found) for step, found in mentions.items()}
    report.painful = {
        step: painful(found, shown=report.typical[step]) for step, found in mentions.items()
    }
    if themes_encoder is not None:
        from steplens.pipeline.report.themes import report_themes

        report.themes = True
        report.uncovered_themes, report.sub_themes = report_themes(
            records, journey.step_ids, themes_encoder, periods
        )
    if key_phrases:
        from steplens.pipeline.report.keyphrases import key_phrases as rank

        texts = {step: [m.about_step for m in found] for step, found in mentions.items()}
        ranked = rank(texts, KEY_PHRASES_PER_STEP, min_count=2, nlp=nlp)
        report.key_phrases = {step: [p.phrase for p in ranked[step]] for step in ranked}
    return report


def stage_rollup(
    records: Sequence[FeedbackRecord], journey: Journey, priorities: Sequence[StepPriority]
) -> list[StageSignals]:
    """Signals per journey stage (a comment that mentions two steps of a stage counts once)."""
    stages = journey.stages()
    if not stages:
        return []
    funnels = {p.step: p.funnel for p in priorities}
    stage_of = {step: stage for stage, steps in stages.items() for step in steps}
    entries_by_stage: dict[str, list[StepMention]] = {stage: [] for stage in stages}
    for record in records:
        worst: dict[str, StepMention] = {}
        for entry in record.steps:
            stage = stage_of.get(entry.step)
            if stage is None:
                continue
            # The comment's voice on the stage is its most negative entry there.
            if stage not in worst or _sentiment(entry) < _sentiment(worst[stage]):
                worst[stage] = entry
        for stage, entry in worst.items():
            entries_by_stage[stage].append(entry)
    rolled = []
    for stage, steps in stages.items():
        step_funnels = [f for s in steps if (f := funnels.get(s)) is not None]
        rolled.append(
            StageSignals(
                stage=stage,
                steps=steps,
                signals=summarise(stage, stage, len(records), entries_by_stage[stage], MIN_N),
                entered=step_funnels[0].entered if step_funnels else None,
                lost=sum(f.lost for f in step_funnels) if step_funnels else None,
            )
        )
    return rolled


def combine_metric_rows(rows: Iterable[MetricsRow]) -> dict[str, float | None]:
    """Several metric rows as one: counts summed, other values traffic-weighted means."""
    rows = list(rows)
    entered = sum(r.entered for r in rows)
    completed = sum(r.completed for r in rows)
    combined: dict[str, float | None] = {
        "entered": entered,
        "completed": completed,
        "drop_off_rate": 1.0 - completed / entered if entered else None,
    }
    names = dict.fromkeys(name for r in rows for name in r.values)
    for name in names:
        present = [(r.entered, r.values.get(name)) for r in rows if r.values.get(name) is not None]
        if not present:
            combined[name] = None
        elif name in ("support_contacts", "escalations"):
            combined[name] = float(sum(float(v) for _, v in present if v is not None))
        else:
            weight = sum(w for w, _ in present)
            values = [(w, float(v)) for w, v in present if v is not None]
            combined[name] = (
                sum(w * v for w, v in values) / weight
                if weight
                else sum(v for _, v in values) / len(values)
            )
    return combined


def combined_metrics(
    metrics: StepMetrics, key: Callable[[MetricsRow], K | None]
) -> dict[K, dict[str, float | None]]:
    """Metric rows grouped by ``key`` (rows where it is None are left out), each group combined
    with ``combine_metric_rows``: per step, per (step, period), per (step, group value)."""
    grouped: dict[K, list[MetricsRow]] = {}
    for row in metrics.rows:
        value = key(row)
        if value is not None:
            grouped.setdefault(value, []).append(row)
    return {value: combine_metric_rows(rows) for value, rows in grouped.items()}


def _require_column(records: Sequence[FeedbackRecord], column: str) -> None:
    columns = records[0].column_names()
    if column not in columns:
        raise SteplensError(
            f"the tagged file has no column {column!r}; its columns are: "
            + ", ".join(repr(c) for c in columns)
        )


def _period_of(
    record: FeedbackRecord, column: str, kind: PeriodKind, reading: DateReading
) -> tuple[Period | None, str | None]:
    """The record's period, or None; and the value when it is there but not a date."""
    value = record.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, float) and value != value:
        return None, None
    try:
        return bucket(reading.parse(value), kind), None
    except (TypeError, ValueError, OverflowError, OSError):
        return None, str(value)


def _period_kind(asked: PeriodKind | None, metrics: StepMetrics | None) -> PeriodKind:
    metrics_kind = metrics.period_kind if metrics is not None else None
    if asked is not None and metrics_kind is not None and asked != metrics_kind:
        raise SteplensError(
            f"the metrics are per {metrics_kind}, so comments cannot be bucketed per {asked}"
        )
    return asked or metrics_kind or DEFAULT_PERIOD_KIND


def _group_of(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return NO_GROUP
    text = str(value).strip()
    return text or NO_GROUP


def _mentions(records: Sequence[FeedbackRecord], journey: Journey) -> dict[str, list[Mention]]:
    found: dict[str, list[Mention]] = {step: [] for step in journey.step_ids}
    for record in records:
        seen: set[str] = set()
        for entry in record.steps:
            step = entry.step
            if step in found and step not in seen:
                seen.add(step)
                found[step].append(Mention(str(record.id), record.text, entry))
    return found


def _sentiment(entry: StepMention) -> float:
    return entry.sentiment_score or 0.0
