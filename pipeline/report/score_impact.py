"""Which steps drag a survey score down: per-step score and impact (``--score-column``).

A score that came with each comment is read one of two ways (``--score-type``):

- **NPS** (0-10 "how likely are you to recommend"): a CX lead reads it as the Net Promoter Score,
  % promoters (9-10) minus % detractors (0-6), from -100 to 100, not as a mean. Per step,
  ``value`` is the NPS of the comments that mention the step, with a 95% interval (normal
  approximation of the difference of two shares); ``impact`` is in NPS points.
- **mean** (CSAT, CES, any other number): ``value`` is the mean score of the comments that
  mention the step, with a 95% interval (mean +- 1.96 standard errors).

``auto`` (the default) reads NPS when the column's name says so ("nps", "recommend") and every
score is a whole number from 0 to 10; otherwise the mean. Either way ``impact`` is the overall
value minus the value with that step's comments left out: negative means the comments about the
step pull the overall score down, by what it would gain if those customers scored like everyone
else.

Survey tools often export a score as its label: ``10 - Extremely likely``, ``0 - Not at all
likely``, ``5 (Very satisfied)``. A label that starts with a number is read as that number (and
counted in ``labelled``, so the report says how many were read from labels). Comments without a
usable score (empty, a label without a leading number, or outside 0-10 for NPS) are left out and
counted with their data rows, never read as 0; a column with no number at all is refused.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey
from steplens.pipeline.records import FeedbackRecord, as_number

_LEADING_NUMBER = re.compile(
    r"^\s*([-+]?\d+(?:[.,]\d+)?)"  # the number, then what may follow it in a label:
    r"(?:\s*$|\s*\(|\s*/\s*\d+(?:[.,]\d+)?\s*$|\s*[-–—:]\s*[^\W\d_]|\s+[-–—:]\s|\s+[^\W\d_])"
)
"""A score label that starts with its number: ``10 - Extremely likely``, ``4 (Satisfied)``."""

ScoreType = Literal["auto", "nps", "mean"]
SCORE_TYPES: tuple[ScoreType, ...] = ("auto", "nps", "mean")
NPS_WORDS = ("nps", "recommend")
ROWS_NAMED = 5
Z95 = 1.96


@dataclass(frozen=True)
class ScoreImpact:
    """One step's survey-score summary."""

    step: str
    scored_comments: int
    value: float | None
    """NPS (-100 to 100) or the mean score of the comments that mention the step."""
    interval: tuple[float, float] | None
    impact: float | None
    """Overall value minus the value without this step's comments (NPS points or score units)."""


@dataclass(frozen=True)
class ScoreSummary:
    """The overall value, per-step impacts, and the comments left out (with data rows)."""

    column: str
    kind: Literal["nps", "mean"]
    overall: float | None
    overall_interval: tuple[float, float] | None
    scored: int
    skipped: int
    steps: list[ScoreImpact]
    skipped_rows: list[int] = field(default_factory=list)
    """The first data rows left out (up to five)."""
    labelled: int = 0
    """Scores read from a label's leading number (``10 - Extremely likely``)."""
    mapped: int = 0
    """Scores read through the score map (``Very satisfied`` -> 5)."""
    no_score: int = 0
    """Answers the score map marks as carrying no score (``Offered: null``), left out."""
    unmapped: tuple[str, ...] = ()
    """The most common answers that were neither numbers nor in the map (up to five)."""
    reason: str = ""
    """Why ``kind`` was chosen, in words for the report."""

    @property
    def unit(self) -> str:
        """What the numbers are, for table headers."""
        return "NPS" if self.kind == "nps" else f"mean {self.column}"

    def describe(self) -> str:
        """One sentence for the report and the terminal."""
        if self.kind == "nps":
            what = (
                f"{self.column} read as NPS (% promoters 9-10 minus % detractors 0-6, -100 to "
                f"100; impact in NPS points)"
            )
        else:
            what = f"{self.column} read as a mean score (impact in score units)"
        left = f"; {self.labelled} read from labels such as '10 - ...'" if self.labelled else ""
        if self.mapped:
            left += f"; {self.mapped} read through the score map"
        why = []
        if self.no_score:
            why.append(f"{self.no_score} that the score map marks as no score")
        if self.unmapped:
            answers = ", ".join(map(repr, self.unmapped))
            why.append(f"answers with no number: {answers}; map them with --score-map")
        if self.skipped_rows:
            more = ", ..." if self.skipped > len(self.skipped_rows) else ""
            why.append(f"data rows {', '.join(map(str, self.skipped_rows))}{more}")
        if self.skipped:
            left += f"; {self.skipped} comments without a usable score left out"
            left += f" ({'; '.join(why)})" if why else ""
        return f"{what}, {self.reason}, over {self.scored} comments{left}."


def score_impacts(
    records: Iterable[FeedbackRecord],
    journey: Journey,
    column: str,
    score_type: ScoreType = "auto",
    score_map: Mapping[str, float | None] | None = None,
) -> ScoreSummary:
    """Per-step score and impact on the overall score (see the module docstring). ``score_map``
    reads text answers as numbers (``Very satisfied`` -> 5; case and spacing ignored), or as
    no score where it maps an answer to None (a help desk's ``Offered``: asked, not answered);
    a number or a label's leading number is read as it is."""
    if score_type not in SCORE_TYPES:
        raise SteplensError(f"score type must be one of {', '.join(SCORE_TYPES)}: {score_type!r}")
    scores: list[float | None] = []
    mentioned: list[set[str]] = []
    labelled = 0
    lookup = score_lookup(score_map or {})
    mapped = no_score = 0
    unmapped: Counter[str] = Counter()
    for record in records:
        value = record.get(column)
        score = as_number(value)
        if score is None and isinstance(value, str) and value.strip():
            key = _answer_key(value)
            if key in lookup:
                score = lookup[key]
                mapped += score is not None
                no_score += score is None
            else:
                score = score_from_label(value)
                labelled += score is not None
                if score is None:
                    unmapped[value.strip()] += 1
        scores.append(score)
        mentioned.append({mention.step for mention in record.steps})
    numbers = [s for s in scores if s is not None]
    if not numbers:
        raise SteplensError(
            f"score column {column!r} holds no numbers in {len(scores)} rows; name a numeric "
            "column (NPS 0-10, CSAT, CES) with --score-column"
        )
    kind, reason = _kind(column, numbers, score_type)
    usable = [s if s is not None and (kind == "mean" or _is_nps(s)) else None for s in scores]
    skipped_rows = [n for n, s in enumerate(usable, start=1) if s is None]
    value = _nps if kind == "nps" else _mean
    kept = [s for s in usable if s is not None]
    overall = value(kept)
    impacts = []
    for step in journey.step_ids:
        inside = [s for s, m in zip(usable, mentioned, strict=True) if s is not None and step in m]
        outside = [
            s for s, m in zip(usable, mentioned, strict=True) if s is not None and step not in m
        ]
        own = value(inside)
        rest = value(outside)[0]
        impact = overall[0] - rest if overall[0] is not None and rest is not None else None
        impacts.append(ScoreImpact(step, len(inside), own[0], own[1], impact if inside else None))
    return ScoreSummary(
        column=column,
        kind=kind,
        overall=overall[0],
        overall_interval=overall[1],
        scored=len(kept),
        skipped=len(skipped_rows),
        steps=impacts,
        skipped_rows=skipped_rows[:ROWS_NAMED],
        reason=reason,
        labelled=labelled,
        mapped=mapped,
        no_score=no_score,
        unmapped=tuple(answer for answer, _ in unmapped.most_common(5)),
    )


def score_from_label(label: str) -> float | None:
    """The number a score label starts with (``10 - Extremely likely`` -> 10.0), else None."""
    match = _LEADING_NUMBER.match(label)
    if match is None:
        return None
    return as_number(match.group(1).replace(",", "."))


def _answer_key(answer: str) -> str:
    return " ".join(answer.lower().split())


def load_score_map(path: str | Path) -> dict[str, float | None]:
    """A score map file: YAML or JSON mapping each text answer to its number
    (``Very satisfied: 5``), or to nothing (``Offered:`` or ``Offered: null``) for an answer
    that carries no score; a clean error for anything else."""
    import yaml

    source = Path(path)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SteplensError(f"{source}: cannot read the score map ({exc})") from None
    if not isinstance(data, dict) or not data:
        raise SteplensError(
            f"{source}: a score map is a mapping of answers to numbers, e.g. 'Very satisfied: 5'"
        )
    try:
        score_lookup(data)
    except SteplensError as exc:
        raise SteplensError(f"{source}: {exc}") from None
    return {str(k): as_number(v) if v is not None else None for k, v in data.items()}


def score_lookup(score_map: Mapping[Any, Any]) -> dict[str, float | None]:
    """A score map keyed as answers are matched (case and spacing ignored), its values as
    numbers or None; a clean error for a value that is neither, or for two answers that are
    the same once case and spacing are ignored."""
    bad = [f"{k!r}: {v!r}" for k, v in score_map.items() if v is not None and as_number(v) is None]
    if bad:
        raise SteplensError(
            f"these answers map to no number: {', '.join(bad[:5])} (map an answer that carries "
            "no score to null)"
        )
    lookup: dict[str, float | None] = {}
    for answer, value in score_map.items():
        key = _answer_key(str(answer))
        number = as_number(value) if value is not None else None
        if key in lookup and lookup[key] != number:
            raise SteplensError(
                f"the score map gives {answer!r} two different scores (answers are matched "
                "ignoring case and spacing)"
            )
        lookup[key] = number
    return lookup


def _is_nps(score: float) -> bool:
    return 0 <= score <= 10 and float(score).is_integer()


def _kind(
    column: str, numbers: Sequence[float], score_type: ScoreType
) -> tuple[Literal["nps", "mean"], str]:
    if score_type == "nps":
        return "nps", "as asked (--score-type nps)"
    if score_type == "mean":
        return "mean", "as asked (--score-type mean)"
    named = any(word in column.casefold() for word in NPS_WORDS)
    if named and all(_is_nps(s) for s in numbers):
        return "nps", "as its name says NPS and every score is a whole number from 0 to 10"
    if named:
        return "mean", "not as NPS: some scores are not whole numbers from 0 to 10"
    return "mean", "as its name does not say NPS (--score-type nps to read it so)"


def _nps(scores: Sequence[float]) -> tuple[float | None, tuple[float, float] | None]:
    """NPS and its 95% interval: the variance of (promoter - detractor) indicators over n."""
    n = len(scores)
    if n == 0:
        return None, None
    promoters = sum(s >= 9 for s in scores) / n
    detractors = sum(s <= 6 for s in scores) / n
    nps = promoters - detractors
    spread = math.sqrt(max(promoters + detractors - nps * nps, 0.0) / n) * Z95
    low, high = max(-1.0, nps - spread), min(1.0, nps + spread)
    return 100 * nps, (round(100 * low, 2), round(100 * high, 2))


def _mean(scores: Sequence[float]) -> tuple[float | None, tuple[float, float] | None]:
    n = len(scores)
    if n == 0:
        return None, None
    mean = sum(scores) / n
    if n < 2:
        return mean, None
    variance = sum((s - mean) ** 2 for s in scores) / (n - 1)
    half = Z95 * math.sqrt(variance / n)
    return mean, (round(mean - half, 4), round(mean + half, 4))
