"""The Redactor: structured detectors plus NER names, merged into typed placeholders."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.redact.detectors import FINDERS

if TYPE_CHECKING:
    from steplens.pipeline.journey import Journey
    from steplens.pipeline.redact.names import NameFinder
    from steplens.pipeline.tables import Chunk

logger = logging.getLogger(__name__)

PiiKind = Literal["url", "email", "iban", "card", "phone", "address", "name"]
KINDS: tuple[PiiKind, ...] = get_args(PiiKind)
"""Every kind, in priority order: where two detections overlap, the earlier kind wins."""
PLACEHOLDERS: dict[PiiKind, str] = {kind: f"[{kind.upper()}]" for kind in KINDS}
BUNDLED_JOURNEYS = ("ecommerce", "banking", "saas")
"""Journeys whose vocabulary is protected from name detection by default."""


@dataclass(frozen=True)
class PiiSpan:
    """One detection: its kind and character offsets in the original text."""

    kind: PiiKind
    start: int
    end: int

    @property
    def placeholder(self) -> str:
        """What replaces it: ``[EMAIL]``, ``[PHONE]``, ..."""
        return PLACEHOLDERS[self.kind]


@dataclass(frozen=True)
class Redaction:
    """A redacted text and what was found in the original, in order."""

    text: str
    spans: tuple[PiiSpan, ...]

    def counts(self) -> Counter[str]:
        """Detections per kind."""
        return Counter(span.kind for span in self.spans)


def apply_spans(text: str, spans: Sequence[PiiSpan]) -> str:
    """``text`` with each (sorted, non-overlapping) span replaced by its placeholder."""
    parts, cursor = [], 0
    for span in spans:
        parts += [text[cursor : span.start], span.placeholder]
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)


def _merge(candidates: Iterable[PiiSpan]) -> tuple[PiiSpan, ...]:
    """Non-overlapping spans, kinds in priority order, longer first within a kind."""
    rank = {kind: position for position, kind in enumerate(KINDS)}
    accepted: list[PiiSpan] = []
    for span in sorted(candidates, key=lambda s: (rank[s.kind], s.start - s.end, s.start)):
        if span.end > span.start and all(
            span.end <= other.start or span.start >= other.end for other in accepted
        ):
            accepted.append(span)
    return tuple(sorted(accepted, key=lambda s: s.start))


def to_redacted(spans: Sequence[PiiSpan], start: int, end: int) -> tuple[int, int]:
    """Offsets in the redacted text of [start, end) of the original text.

    A boundary inside a PII span moves out to its placeholder's edge, so a clause that starts or
    ends inside a name covers the whole ``[NAME]``.
    """

    def moved(offset: int, closing: bool) -> int:
        shift = 0
        for span in spans:
            if offset <= span.start:
                break
            if offset < span.end:  # inside the span
                edge = span.start + shift
                return edge + len(span.placeholder) if closing else edge
            shift += len(span.placeholder) - (span.end - span.start)
        return offset + shift

    return moved(start, False), moved(end, True)


def _to_original(spans: Sequence[PiiSpan], start: int, end: int) -> tuple[int, int] | None:
    """Offsets in the original text of [start, end) in the text with ``spans`` replaced by
    placeholders; None when it touches a placeholder."""
    shift = 0
    for span in spans:
        placeholder_start = span.start + shift
        placeholder_end = placeholder_start + len(span.placeholder)
        if end <= placeholder_start:
            break
        if start < placeholder_end:
            return None
        shift += len(span.placeholder) - (span.end - span.start)
    return start - shift, end - shift


class Redactor:
    """Replaces PII with typed placeholders; build it with :func:`build_redactor`."""

    def __init__(self, kinds: Iterable[PiiKind], names: NameFinder | None = None) -> None:
        self.kinds: tuple[PiiKind, ...] = tuple(k for k in KINDS if k in set(kinds))
        self.names = names if "name" in self.kinds else None
        if "name" in self.kinds and names is None:
            raise ValueError("redacting names needs a NameFinder (build_redactor makes one)")

    def redact(self, text: str) -> Redaction:
        """One text redacted, with the spans found."""
        return self.redact_many([text])[0]

    def redact_many(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> list[Redaction]:
        """Each text redacted; names are found with one batched NER pass over all of them.

        NER reads the text with the structured PII already replaced by placeholders, so an
        email or a phone number cannot pass for a name or confuse the names around it. With
        ``languages`` (ISO 639-1 per text), names are looked for in English texts only: the
        English NER model reads "Muy mal servicio" as a name. Structured PII (emails, phones,
        cards, IBANs, URLs, addresses) is found in every language.
        """
        structured = [_merge(self._structured(text)) for text in texts]
        masked = [apply_spans(t, s) if s else t for t, s in zip(texts, structured, strict=True)]
        if self.names is None:
            return [Redaction(m, s) for m, s in zip(masked, structured, strict=True)]
        results = []
        english = [i for i in range(len(texts)) if languages is None or languages[i] == "en"]
        names_of = dict(
            zip(english, self.names.find_many([masked[i] for i in english]), strict=True)
        )
        found = [names_of.get(i, []) for i in range(len(texts))]
        for text, spans, names in zip(texts, structured, found, strict=True):
            mapped = [_to_original(spans, start, end) for start, end in names]
            extra = [PiiSpan("name", *span) for span in mapped if span is not None]
            merged = _merge([*spans, *extra]) if extra else spans
            results.append(Redaction(apply_spans(text, merged) if merged else text, merged))
        return results

    def _structured(self, text: str) -> list[PiiSpan]:
        if not text:
            return []
        return [
            PiiSpan(kind, start, end)
            for kind in self.kinds
            if kind != "name"
            for start, end in FINDERS[kind](text)
        ]

    def for_journey(self, journey: Journey) -> Redactor:
        """This redactor also protecting ``journey``'s vocabulary from name detection."""
        if self.names is None:
            return self
        from steplens.pipeline.redact.names import journey_vocabulary

        extra = journey_vocabulary(journey)
        if extra <= self.names.protected:
            return self
        return Redactor(self.kinds, self.names.with_protected(self.names.protected | extra))

    def redacted_chunk(
        self, chunk: Chunk, text_column: str, redactions: Sequence[Redaction]
    ) -> tuple[Chunk, Counter[str]]:
        """A table chunk with its texts, and the text column of its rows, replaced by their
        ``redactions`` (from :meth:`redact_many`); and the PII found, by kind."""
        rows = []
        counts: Counter[str] = Counter()
        for row, redaction in zip(chunk.rows, redactions, strict=True):
            counts.update(redaction.counts())
            if redaction.spans:
                row = {**row, text_column: redaction.text}
            rows.append(row)
        return replace(chunk, rows=rows, texts=[r.text for r in redactions]), counts

    def describe(self) -> dict[str, Any]:
        """What it redacts, for checkpoints and logs."""
        return {"kinds": list(self.kinds), "names": "spacy-ner" if self.names else None}


def build_redactor(
    *,
    kinds: Iterable[str] = KINDS,
    journeys: Iterable[Journey | str | Path] = BUNDLED_JOURNEYS,
    protect: Iterable[str] = (),
    names_with_ner: bool = True,
    batch_size: int = 64,
) -> Redactor:
    """A Redactor for ``kinds`` (all by default).

    Names come from spaCy NER (``names_with_ner``; without it ``name`` is dropped from the
    kinds), never from the vocabulary of ``journeys`` (bundled names or paths, or Journey
    objects) or the extra words in ``protect``. spaCy is loaded here only when names are on.
    """
    wanted = list(kinds)
    unknown = [kind for kind in wanted if kind not in KINDS]
    if unknown:
        raise SteplensError(
            f"unknown PII kind(s) {', '.join(map(repr, unknown))}; choose from {', '.join(KINDS)}"
        )
    chosen: list[PiiKind] = [k for k in KINDS if k in wanted and (k != "name" or names_with_ner)]
    if "name" not in chosen:
        return Redactor(chosen)
    from steplens.pipeline.journey import Journey, load_journey
    from steplens.pipeline.redact.names import (
        NameFinder,
        journey_vocabulary,
        load_ner,
        vocabulary_words,
    )

    protected = vocabulary_words(protect)
    for journey in journeys:
        loaded = journey if isinstance(journey, Journey) else load_journey(journey)
        protected |= journey_vocabulary(loaded)
    finder = NameFinder(load_ner(), protected, batch_size=batch_size)
    return Redactor(chosen, finder)
