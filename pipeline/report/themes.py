"""Themes in the report: what customers say that no step covers, and what they say within a step.

- **Uncovered themes**: the parts of comments outside every step's clauses (a comment with no
  step: all of it) are clustered into themes (:mod:`steplens.pipeline.themes`); a theme that
  grows and fits no step is a step the journey is missing.
- **Sub-themes**: each step's own clauses (its mentions' spans) clustered the same way, so a CX
  lead sees the few causes inside a step (promo codes, declined cards, the address form).

Each theme is summarised by its key phrases, size, share of comments, the sentiment and effort of
the comments it comes from (for sub-themes, of those comments' mentions of the step), each comment
counted once, two verbatims and, with periods, its comments per period. The clauses are embedded
once more here (a tagged file keeps their text, not their embeddings), so themes cost the report an
encoder pass.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from steplens.pipeline.language import ENGLISH
from steplens.pipeline.records import FeedbackRecord, Signals
from steplens.pipeline.themes import MIN_CLAUSES, find_themes

if TYPE_CHECKING:
    from steplens.pipeline.encoder import TextEncoder

UNCOVERED_THEMES = 8
MAX_PIECES = 20_000
"""Pieces clustered per set at most: a larger set is sampled (seeded), so a big file or a wide
date range costs bounded time and memory; sizes and shares are then of the sample, scaled."""
SUB_THEMES = 3
MIN_PIECE_WORDS = 3
"""A piece of a comment outside every step's clauses is read only with this many words."""
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class ThemeSummary:
    """One theme of the report."""

    name: str
    key_phrases: tuple[str, ...]
    clauses: int
    comments: int
    share: float
    """``comments`` over all the report's comments."""
    sentiment_mean: float | None
    negative_share: float | None
    high_effort_share: float | None
    verbatims: tuple[str, ...]
    by_period: dict[str, int] = field(default_factory=dict)
    """Comments per period (with periods), in period order."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key_phrases": list(self.key_phrases),
            "clauses": self.clauses,
            "comments": self.comments,
            "share": self.share,
            "sentiment_mean": self.sentiment_mean,
            "negative_share": self.negative_share,
            "high_effort_share": self.high_effort_share,
            "verbatims": list(self.verbatims),
            "by_period": self.by_period,
        }


@dataclass(frozen=True)
class _Piece:
    text: str
    owner: int
    """Index of its record."""
    signals: Signals | None


def themes_encoder() -> TextEncoder:
    """The packaged encoder themes are embedded with (loaded once per process: the tagger's)."""
    from steplens.pipeline.minilm import base_encoder, resolve_precision

    return base_encoder(resolve_precision("auto"))


def uncovered_pieces(record: FeedbackRecord) -> list[str]:
    """The parts of a comment outside every step's clauses, cut at sentence ends, with at least
    ``MIN_PIECE_WORDS`` words (comments not in English have none: the models did not read them)."""
    if record.language != ENGLISH or not record.text.strip():
        return []
    covered = sorted(span for mention in record.steps for span in mention.spans)
    if record.steps and not covered:
        return []  # tagged before spans existed: where the steps are is unknown
    gaps, cursor = [], 0
    for start, end in covered:
        if start > cursor:
            gaps.append(record.text[cursor:start])
        cursor = max(cursor, end)
    gaps.append(record.text[cursor:])
    pieces = [p.strip(" ,-") for gap in gaps for p in _SENTENCE.split(gap)]
    return [p for p in pieces if len(p.split()) >= MIN_PIECE_WORDS]


def report_themes(
    records: Sequence[FeedbackRecord],
    step_ids: Sequence[str],
    encoder: TextEncoder,
    periods: Sequence[Hashable | None] | None = None,
) -> tuple[list[ThemeSummary], dict[str, list[ThemeSummary]]]:
    """(uncovered themes, sub-themes per step) of ``records``; ``periods`` gives each record's
    period (None: undated) for the per-period counts. A set of clauses too small to cluster
    gives no themes."""
    uncovered = [
        _Piece(text, owner, record.signals)
        for owner, record in enumerate(records)
        for text in uncovered_pieces(record)
    ]
    found = _summaries(uncovered, len(records), encoder, periods)[:UNCOVERED_THEMES]
    within: dict[str, list[ThemeSummary]] = {}
    for step in step_ids:
        pieces = []
        for owner, record in enumerate(records):
            mention = record.mention(step)
            if mention is None or record.language != ENGLISH:
                continue
            spans = mention.spans or ((0, len(record.text)),)
            pieces += [
                _Piece(record.text[start:end], owner, mention.signals)
                for start, end in spans
                if record.text[start:end].strip()
            ]
        within[step] = _summaries(pieces, len(records), encoder, periods)[:SUB_THEMES]
    return found, within


def _summaries(
    pieces: Sequence[_Piece],
    comments: int,
    encoder: TextEncoder,
    periods: Sequence[Hashable | None] | None,
) -> list[ThemeSummary]:
    if len(pieces) < MIN_CLAUSES:
        return []
    from steplens.pipeline.model_view import step_views

    scale = 1.0
    if len(pieces) > MAX_PIECES:
        order = np.random.default_rng(0).permutation(len(pieces))[:MAX_PIECES]
        scale = len(pieces) / MAX_PIECES
        pieces = [pieces[i] for i in sorted(order)]

    texts = [piece.text for piece in pieces]
    themes, _ = find_themes(texts, encoder.encode(step_views(texts)))
    summaries = []
    for theme in themes:
        members = [pieces[i] for i in theme.members]
        by_owner = {piece.owner: piece.signals for piece in members}  # a comment counts once
        owners = sorted(by_owner)
        signals = [s for s in by_owner.values() if s is not None]
        scores = [s.sentiment_score for s in signals if s.sentiment_score is not None]
        by_period: dict[str, int] = {}
        if periods is not None:
            counted = Counter(periods[owner] for owner in owners if periods[owner] is not None)
            by_period = {str(period): counted[period] for period in sorted(counted, key=str)}
        summaries.append(
            ThemeSummary(
                name=theme.name,
                key_phrases=theme.key_phrases,
                clauses=round(theme.size * scale),
                comments=round(len(owners) * scale),
                share=min(1.0, len(owners) * scale / max(comments, 1)),
                sentiment_mean=float(np.mean(scores)) if scores else None,
                negative_share=_share(signals, lambda s: s.sentiment == "negative"),
                high_effort_share=_share(signals, lambda s: s.effort == "high"),
                verbatims=theme.examples[:2],
                by_period=by_period,
            )
        )
    return summaries


def _share(signals: Sequence[Signals], test: Any) -> float | None:
    return sum(bool(test(s)) for s in signals) / len(signals) if signals else None
