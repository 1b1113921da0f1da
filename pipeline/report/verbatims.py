"""Representative verbatims per step: what a CX lead reads to see what the numbers mean.

Two kinds per step, from the comments that mention it:

- **typical**: the comments classified to the step with the highest confidence among those whose
  sentiment about the step is the step's most common one, so they show the usual tone, not an
  outlier;
- **painful**: the most negative comments among those describing high effort at the step
  (moderate effort when no comment reaches high), the ones to act on first.

A quote is the clause (or clauses) about the step, with a little of the text around it, not the
whole comment: a long comment about five steps shows each step its own part (files tagged before
``spans`` existed quote the whole comment). A comment appears at most once per step, in one of
the two lists; empty texts never appear.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from steplens.pipeline.records import StepMention

DEFAULT_PER_KIND = 3
CONTEXT_CHARS = 40
"""Characters of the comment shown around the step's clauses (cut at a word boundary)."""


@dataclass(frozen=True)
class Verbatim:
    """One comment quoted for a step, with the step's signals for it."""

    id: str
    text: str
    quote: str
    """The clauses about the step, with a little context; ``…`` where the comment goes on."""
    sentiment: str | None
    sentiment_score: float | None
    effort: str | None
    confidence: float | None


@dataclass(frozen=True)
class Mention:
    """A comment's mention of one step, with the comment's id and text."""

    id: str
    text: str
    entry: StepMention

    @property
    def about_step(self) -> str:
        """The clauses about the step (the whole text when the entry has no spans): what key
        phrases are counted on, so a word of another step's clause is not counted here."""
        spans = _valid_spans(self.entry.spans, len(self.text))
        if not spans:
            return self.text
        return " ".join(self.text[start:end] for start, end in spans)

    def verbatim(self) -> Verbatim:
        """The mention as a quote."""
        return Verbatim(
            id=self.id,
            text=self.text,
            quote=quote(self.text, self.entry.spans),
            sentiment=self.entry.sentiment,
            sentiment_score=self.entry.sentiment_score,
            effort=self.entry.effort,
            confidence=self.entry.confidence,
        )


def typical(mentions: Sequence[Mention], k: int = DEFAULT_PER_KIND) -> list[Verbatim]:
    """The ``k`` most confidently classified mentions in the step's most common sentiment."""
    usable = [m for m in mentions if m.text.strip()]
    if not usable:
        return []
    counts = Counter(m.entry.sentiment for m in usable)
    common = counts.most_common(1)[0][0]
    chosen = [m for m in usable if m.entry.sentiment == common]
    chosen.sort(key=lambda m: -(m.entry.confidence or 0.0))
    return _unique(chosen, k)


def painful(
    mentions: Sequence[Mention], k: int = DEFAULT_PER_KIND, shown: Sequence[Verbatim] = ()
) -> list[Verbatim]:
    """The ``k`` most negative high-effort mentions (moderate effort when none is high), leaving
    out the comments already ``shown`` for the step (its typical quotes)."""
    taken = {v.id for v in shown}
    usable = [m for m in mentions if m.text.strip() and m.id not in taken]
    for level in ("high", "moderate"):
        chosen = [m for m in usable if m.entry.effort == level]
        if chosen:
            chosen.sort(key=lambda m: m.entry.sentiment_score or 0.0)
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


def quote(text: str, spans: Any, context: int = CONTEXT_CHARS) -> str:
    """The parts of ``text`` at ``spans`` (``[[start, end], ...]``), each with up to ``context``
    characters around it cut at a word boundary, joined by ``…``; the whole text without spans.
    """
    parts = _valid_spans(spans, len(text))
    if not parts:
        return " ".join(text.split())
    windows: list[list[int]] = []
    for start, end in parts:
        left = _word_start(text, max(0, start - context), start)
        right = _word_end(text, min(len(text), end + context), end)
        if windows and left <= windows[-1][1] + 1:
            windows[-1][1] = max(windows[-1][1], right)
        else:
            windows.append([left, right])
    pieces = [" ".join(text[left:right].split()) for left, right in windows]
    before = "…" if text[: windows[0][0]].strip() else ""
    after = "…" if text[windows[-1][1] :].strip() else ""
    return before + " … ".join(pieces) + after


def _valid_spans(spans: Any, length: int) -> list[tuple[int, int]]:
    """Spans that are pairs of offsets inside the text, sorted; anything else is ignored."""
    if not isinstance(spans, list | tuple):
        return []
    valid = []
    for span in spans:
        if (
            isinstance(span, list | tuple)
            and len(span) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
            and 0 <= span[0] < span[1] <= length
        ):
            valid.append((span[0], span[1]))
    return sorted(valid)


def _word_start(text: str, position: int, limit: int) -> int:
    """``position`` moved right to the start of a word (not past ``limit``)."""
    if position == 0 or text[position - 1].isspace():
        return position
    space = text.find(" ", position, limit)
    return limit if space == -1 else space + 1


def _word_end(text: str, position: int, limit: int) -> int:
    """``position`` moved left to the end of a word (not before ``limit``)."""
    if position == len(text) or text[position].isspace():
        return position
    space = text.rfind(" ", limit, position)
    return limit if space == -1 else space
