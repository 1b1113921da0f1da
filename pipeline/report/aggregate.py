"""Per-step text signals from tagged comments: counts, shares with Wilson intervals, means.

Input is what ``steplens tag`` writes at comment granularity, as typed records
(:class:`~steplens.pipeline.records.FeedbackRecord`): one per comment, whose step mentions carry
the step's own ``sentiment``, ``sentiment_score``, ``effort`` and ``effort_score``. For each
step of the journey:

- ``comments``: comments in the slice (every comment counts, whether it mentions a step or not);
- ``mentions``: comments that mention the step; ``share = mentions / comments``;
- ``sentiment_mean``: mean ``sentiment_score`` of those mentions; ``negative_share`` and
  ``positive_share``: the shares of them whose sentiment is negative or positive;
- ``effort_mean``: mean ``effort_score`` over the mentions with an effort signal (1 to 5);
  ``high_effort_share``: the share of mentions with ``high`` effort;
- Wilson 95% intervals for the three shares and ``enough``: at least ``MIN_N`` mentions, below
  which a number is shown but never read as a trend.

Slices are the whole file, or one key per comment (a period, a group value) via ``key``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey
from steplens.pipeline.records import FeedbackRecord, StepMention, as_number
from steplens.pipeline.report.stats import MIN_N, enough, wilson_interval


@dataclass(frozen=True)
class StepSignals:
    """The text signals of one step in one slice of comments."""

    step: str
    name: str
    comments: int
    mentions: int
    negatives: int
    positives: int
    high_efforts: int
    share: float
    share_interval: tuple[float, float]
    sentiment_mean: float | None
    negative_share: float | None
    negative_interval: tuple[float, float]
    positive_share: float | None
    effort_mean: float | None
    high_effort_share: float | None
    high_effort_interval: tuple[float, float]
    enough: bool

    def as_row(self) -> dict[str, Any]:
        """The text columns the architecture doc names for steps.csv, in its order."""
        return {
            "step": self.step,
            "name": self.name,
            "comments": self.comments,
            "mentions": self.mentions,
            "share": self.share,
            "sentiment_mean": self.sentiment_mean,
            "negative_share": self.negative_share,
            "positive_share": self.positive_share,
            "effort_mean": self.effort_mean,
            "high_effort_share": self.high_effort_share,
        }

    def interval_columns(self) -> dict[str, float]:
        """The Wilson 95% intervals of the three shares, as ``<share>_low``/``<share>_high``."""
        return {
            "share_low": self.share_interval[0],
            "share_high": self.share_interval[1],
            "negative_share_low": self.negative_interval[0],
            "negative_share_high": self.negative_interval[1],
            "high_effort_share_low": self.high_effort_interval[0],
            "high_effort_share_high": self.high_effort_interval[1],
        }


def aggregate(
    records: Iterable[FeedbackRecord],
    journey: Journey,
    key: Callable[[FeedbackRecord], Hashable] | None = None,
    minimum: int = MIN_N,
) -> dict[Hashable, list[StepSignals]]:
    """Per-step signals for each slice (one slice, key ``None``, without ``key``).

    Steps come out in journey order; a step no comment mentions still gets a row (0 mentions).
    """
    known = set(journey.step_ids)
    comments: dict[Hashable, int] = {}
    entries: dict[tuple[Hashable, str], list[StepMention]] = {}
    for number, record in enumerate(records, start=1):
        slice_key = key(record) if key is not None else None
        comments[slice_key] = comments.get(slice_key, 0) + 1
        seen: set[str] = set()
        for entry in record.steps:
            step = entry.step
            if step not in known:
                row = record.number or number
                raise SteplensError(
                    f"tagged record {row}: step {step!r} is not in journey {journey.name!r}; "
                    "was the file tagged with another journey?"
                )
            if step in seen:
                continue
            seen.add(step)
            entries.setdefault((slice_key, step), []).append(entry)
    return {
        slice_key: [
            summarise(step.id, step.name, total, entries.get((slice_key, step.id), []), minimum)
            for step in journey.steps
        ]
        for slice_key, total in comments.items()
    }


def summarise(
    step: str, name: str, comments: int, entries: Sequence[StepMention], minimum: int = MIN_N
) -> StepSignals:
    """One step's signals from its mention entries (see the module docstring)."""
    mentions = len(entries)
    scores = _numbers(entry.sentiment_score for entry in entries)
    efforts = _numbers(
        entry.effort_score for entry in entries if entry.effort not in (None, "none")
    )
    negative = sum(entry.sentiment == "negative" for entry in entries)
    positive = sum(entry.sentiment == "positive" for entry in entries)
    high = sum(entry.effort == "high" for entry in entries)
    return StepSignals(
        step=step,
        name=name,
        comments=comments,
        mentions=mentions,
        negatives=negative,
        positives=positive,
        high_efforts=high,
        share=mentions / comments if comments else 0.0,
        share_interval=wilson_interval(mentions, comments),
        sentiment_mean=float(np.mean(scores)) if scores else None,
        negative_share=negative / mentions if mentions else None,
        negative_interval=wilson_interval(negative, mentions),
        positive_share=positive / mentions if mentions else None,
        effort_mean=float(np.mean(efforts)) if efforts else None,
        high_effort_share=high / mentions if mentions else None,
        high_effort_interval=wilson_interval(high, mentions),
        enough=enough(mentions, minimum),
    )


def _numbers(values: Iterable[Any]) -> list[float]:
    return [number for value in values if (number := as_number(value)) is not None]
