"""Representative verbatims per step: what a CX lead reads to see what the numbers mean.

Two kinds per step, from the comments that mention it:

- **typical**: the comments classified to the step with the highest confidence among those whose
  sentiment about the step is the step's most common one, so they show the usual tone, not an
  outlier;
- **painful**: the most negative comments among those describing high effort at the step
  (moderate effort when no comment reaches high), the ones to act on first.

A comment appears at most once per list; empty texts never appear.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.report.stats import as_number

DEFAULT_PER_KIND = 3


@dataclass(frozen=True)
class Verbatim:
    """One comment quoted for a step, with the step's signals for it."""

    id: str
    text: str
    sentiment: str | None
    sentiment_score: float | None
    effort: str | None
    confidence: float | None


@dataclass(frozen=True)
class Mention:
    """A comment's entry for one step, with the comment's id and text."""

    id: str
    text: str
    entry: Mapping[str, Any]

    def verbatim(self) -> Verbatim:
        """The mention as a quote."""
        return Verbatim(
            id=self.id,
            text=self.text,
            sentiment=self.entry.get("sentiment"),
            sentiment_score=as_number(self.entry.get("sentiment_score")),
            effort=self.entry.get("effort"),
            confidence=as_number(self.entry.get("confidence")),
        )


def typical(mentions: Sequence[Mention], k: int = DEFAULT_PER_KIND) -> list[Verbatim]:
    """The ``k`` most confidently classified mentions in the step's most common sentiment."""
    usable = [m for m in mentions if m.text.strip()]
    if not usable:
        return []
    counts = Counter(m.entry.get("sentiment") for m in usable)
    common = counts.most_common(1)[0][0]
    chosen = [m for m in usable if m.entry.get("sentiment") == common]
    chosen.sort(key=lambda m: -(as_number(m.entry.get("confidence")) or 0.0))
    return _unique(chosen, k)


def painful(mentions: Sequence[Mention], k: int = DEFAULT_PER_KIND) -> list[Verbatim]:
    """The ``k`` most negative high-effort mentions (moderate effort when none is high)."""
    usable = [m for m in mentions if m.text.strip()]
    for level in ("high", "moderate"):
        chosen = [m for m in usable if m.entry.get("effort") == level]
        if chosen:
            chosen.sort(key=lambda m: as_number(m.entry.get("sentiment_score")) or 0.0)
            return _unique(chosen, k)
    return []


def _unique(mentions: Sequence[Mention], k: int) -> list[Verbatim]:
    seen: set[str] = set()
    quotes = []
    for mention in mentions:
        key = " ".join(mention.text.split()).lower()
        if key in seen:
            continue
        seen.add(key)
        quotes.append(mention.verbatim())
        if len(quotes) == k:
            break
    return quotes
