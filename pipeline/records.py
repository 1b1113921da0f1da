"""The one record a tagged comment is, from ``tag`` to the report and the store.

A :class:`FeedbackRecord` holds a comment as tagging left it: its id and text, the input row's
other columns, its top step, the steps it mentions (:class:`StepMention`, each with its own
sentiment, effort and the clauses that carry it), its language, its signals and its clauses
(:class:`ClauseRecord`). ``tag`` writes ``to_row()`` (comment granularity) or ``clause_rows()``
(segment granularity); the report and the store read records back with :meth:`from_row`; the
service returns ``to_row()``. This module is the only place a record becomes a row or a row a
record: the ``steps`` column is a list of :meth:`StepMention.to_json` objects (a JSON string
in CSV).
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import UNASSIGNED
from steplens.pipeline.language import ENGLISH
from steplens.pipeline.tables.readers import DEFAULT_ID_COLUMN

ID_COLUMN = DEFAULT_ID_COLUMN
"""The column ``tag`` adds for the record's id when the input has no id column."""
SIGNAL_FIELDS = ("sentiment", "sentiment_score", "effort", "effort_score")
COMMENT_FIELDS = ("step", "step_confidence", "language", "steps")
"""The columns ``tag`` writes after the input's own (then ``SIGNAL_FIELDS`` when it scores)."""
CLAUSE_FIELDS = ("id", "segment", "text", "start", "end", "step", "step_confidence", "language")
"""The columns of a segment-granularity row (then ``SIGNAL_FIELDS`` when the run scores)."""

Span = tuple[int, int]


@dataclass(frozen=True)
class Signals:
    """Sentiment and effort of a comment, a clause or a step mention (the signals model's
    labels and scores; a score read back from a file may be missing)."""

    sentiment: str
    sentiment_score: float | None
    effort: str | None
    effort_score: float | None

    def fields(self) -> dict[str, Any]:
        """The four signal columns, in their written order."""
        return {
            "sentiment": self.sentiment,
            "sentiment_score": self.sentiment_score,
            "effort": self.effort,
            "effort_score": self.effort_score,
        }

    @classmethod
    def read(cls, values: Mapping[str, Any]) -> Signals | None:
        """The signals in a row or a ``steps`` entry, None without a sentiment; a cell that is
        not a number reads as None (tagged files come back from CSV as text, and a report must
        not trip on one cell)."""
        sentiment = _label(values.get("sentiment"))
        if sentiment is None:
            return None
        return cls(
            sentiment=sentiment,
            sentiment_score=as_number(values.get("sentiment_score")),
            effort=_label(values.get("effort")),
            effort_score=as_number(values.get("effort_score")),
        )


def signal_fields(signals: Signals | None) -> dict[str, Any]:
    """The four signal columns, empty (None) without signals."""
    return signals.fields() if signals is not None else dict.fromkeys(SIGNAL_FIELDS)


@dataclass(frozen=True)
class StepMention:
    """One step a comment mentions: the step's confidence, the signals of the clauses about it,
    and their character offsets in the comment's text (what the report quotes)."""

    step: str
    confidence: float | None
    signals: Signals | None = None
    spans: tuple[Span, ...] = ()

    @property
    def sentiment(self) -> str | None:
        return self.signals.sentiment if self.signals is not None else None

    @property
    def sentiment_score(self) -> float | None:
        return self.signals.sentiment_score if self.signals is not None else None

    @property
    def effort(self) -> str | None:
        return self.signals.effort if self.signals is not None else None

    @property
    def effort_score(self) -> float | None:
        return self.signals.effort_score if self.signals is not None else None

    def to_json(self) -> dict[str, Any]:
        """The object written in the ``steps`` column (signal keys only when scored)."""
        return {
            "step": self.step,
            "confidence": self.confidence,
            **(self.signals.fields() if self.signals is not None else {}),
            "spans": [list(span) for span in self.spans],
        }

    @classmethod
    def from_json(cls, entry: Any, where: str = "") -> StepMention:
        """A ``steps`` entry as read back; refuses one with no step name, keeps only the spans
        that are pairs of offsets."""
        if not isinstance(entry, Mapping):
            raise SteplensError(f"{where}column 'steps' must be a list of step objects")
        step = entry.get("step")
        if not isinstance(step, str) or not step:
            raise SteplensError(f"{where}a 'steps' entry has no step name: {dict(entry)!r}")
        spans: Any = entry.get("spans")
        if hasattr(spans, "tolist"):  # numpy arrays, from a Parquet file read with pandas
            spans = spans.tolist()
        return cls(
            step=step,
            confidence=as_number(entry.get("confidence")),
            signals=Signals.read(entry),
            spans=tuple(_spans(spans)) if isinstance(spans, list | tuple) else (),
        )


@dataclass(frozen=True)
class ClauseRecord:
    """One clause of a comment: its text and offsets, its step and its signals."""

    text: str
    start: int
    end: int
    step: str
    confidence: float
    signals: Signals | None = None


@dataclass(frozen=True)
class FeedbackRecord:
    """One tagged comment (see the module docstring).

    ``columns`` are the input row's own columns (everything but what ``tag`` writes); ``scored``
    says whether the run scored signals, so a comment it left unscored (not in English) still
    has empty signal columns. ``number`` is the comment's 1-based data row where it was read.
    """

    id: Any
    text: str
    step: str = UNASSIGNED
    step_confidence: float | None = 0.0
    language: str = ENGLISH
    steps: tuple[StepMention, ...] = ()
    signals: Signals | None = None
    scored: bool = False
    clauses: tuple[ClauseRecord, ...] = ()
    columns: Mapping[str, Any] = field(default_factory=dict)
    number: int = 0

    def __post_init__(self) -> None:
        if self.signals is not None and not self.scored:
            object.__setattr__(self, "scored", True)  # signals given: they are written

    def get(self, column: str) -> Any:
        """A column's value as written: one of tag's fields, else the input's own column."""
        if column in SIGNAL_FIELDS and self.scored:
            return signal_fields(self.signals)[column]
        if column == "steps":
            return [mention.to_json() for mention in self.steps]
        if column in COMMENT_FIELDS:
            return getattr(self, column)
        return self.columns.get(column)

    def column_names(self) -> list[str]:
        """The columns of :meth:`to_row` (without an added id)."""
        return [*self.columns, *COMMENT_FIELDS, *(SIGNAL_FIELDS if self.scored else ())]

    def mention(self, step: str) -> StepMention | None:
        """The mention of ``step``, if the comment mentions it."""
        return next((m for m in self.steps if m.step == step), None)

    def to_row(self, add_id: bool = False) -> dict[str, Any]:
        """The comment-granularity row ``tag`` writes: the input's columns, the id when the input
        had none (``add_id``), then step, step_confidence, language, steps and the signals."""
        row = dict(self.columns)
        if add_id:
            row[ID_COLUMN] = self.id
        row["step"] = self.step
        row["step_confidence"] = self.step_confidence
        row["language"] = self.language
        row["steps"] = [mention.to_json() for mention in self.steps]
        if self.scored:
            row.update(signal_fields(self.signals))
        return row

    def clause_rows(self) -> list[dict[str, Any]]:
        """The segment-granularity rows: one per clause, or one empty, unassigned row for a
        comment with no clauses."""
        signals = signal_fields if self.scored else (lambda _: {})
        if not self.clauses:
            return [
                {
                    "id": self.id,
                    "segment": 0,
                    "text": "",
                    "start": 0,
                    "end": 0,
                    "step": UNASSIGNED,
                    "step_confidence": 0.0,
                    "language": self.language,
                    **signals(self.signals),
                }
            ]
        return [
            {
                "id": self.id,
                "segment": index,
                "text": clause.text,
                "start": clause.start,
                "end": clause.end,
                "step": clause.step,
                "step_confidence": clause.confidence,
                "language": self.language,
                **signals(clause.signals),
            }
            for index, clause in enumerate(self.clauses)
        ]

    @classmethod
    def from_row(
        cls,
        row: Mapping[str, Any],
        *,
        number: int = 0,
        id: Any = None,
        text: str | None = None,
        text_column: str = "text",
        where: str = "",
    ) -> FeedbackRecord:
        """A comment-granularity row as ``tag`` wrote it (from a file, a DataFrame or the
        store). ``id`` and ``text`` default to the row's ``id`` and ``text_column``; ``where``
        prefixes errors (``"tagged.csv, row 12: "``)."""
        if id is None:
            id = row.get(ID_COLUMN, number - 1)
        if text is None:
            value = row.get(text_column)
            text = "" if value is None or (isinstance(value, float) and value != value) else value
        # Signal columns are the run's only when all four are there: an input column that happens
        # to be called ``sentiment`` (tagged with --no-signals) stays the input's.
        scored = all(name in row for name in SIGNAL_FIELDS)
        own = {*COMMENT_FIELDS, *(SIGNAL_FIELDS if scored else ())}
        return cls(
            id=id,
            text=str(text),
            step=_label(row.get("step")) or UNASSIGNED,
            step_confidence=as_number(row.get("step_confidence")),
            language=_label(row.get("language")) or ENGLISH,
            steps=tuple(
                StepMention.from_json(entry, where)
                for entry in parse_steps(row.get("steps"), where)
            ),
            signals=Signals.read(row) if scored else None,
            scored=scored,
            columns={k: v for k, v in row.items() if k not in own},
            number=number,
        )


def parse_steps(value: Any, where: str = "") -> list[Any]:
    """The ``steps`` cell as a list: parsed from JSON when it came from CSV; empty when blank."""
    if hasattr(value, "tolist"):  # numpy arrays, as pandas reads a Parquet list column
        value = value.tolist()
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        if not value.strip():
            return []
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise SteplensError(f"{where}column 'steps' is not valid JSON ({exc})") from None
    if not isinstance(value, list):
        raise SteplensError(f"{where}column 'steps' must be a list of step objects")
    return value


def records_from_rows(
    rows: Iterable[Mapping[str, Any]],
    source: str = "record",
    text_column: str = "text",
    id_column: str | None = None,
) -> list[FeedbackRecord]:
    """Rows that arrive as objects (a DataFrame's, the store's) as records, numbered from 1;
    ids from ``id_column`` when given (a row without one, empty or NaN, gets its 0-based
    position, as a file without ids does), else ``id``, else the position; errors name
    ``source`` and the number."""
    records = []
    for number, row in enumerate(rows, start=1):
        given = None
        if id_column is not None:
            given = row.get(id_column)
            if _label(given) is None:
                given = number - 1
        records.append(
            FeedbackRecord.from_row(
                row, number=number, text_column=text_column, id=given, where=f"{source} {number}: "
            )
        )
    return records


def _label(value: Any) -> str | None:
    """A label cell as text; None when empty or missing (NaN included)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value)
    return text if text else None


def _spans(spans: Sequence[Any]) -> list[Span]:
    pairs = [span.tolist() if hasattr(span, "tolist") else span for span in spans]
    return [
        (int(span[0]), int(span[1]))
        for span in pairs
        if isinstance(span, list | tuple)
        and len(span) == 2
        and all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in span)
    ]


def as_number(value: object) -> float | None:
    """A tagged field as a finite float; None when it is missing, empty, true/false or not a
    number (tagged files come back from CSV as text, and a report must not trip on one cell)."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
