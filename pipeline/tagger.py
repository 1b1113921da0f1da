"""From comments to step records: segment, embed once, classify, assemble `tag` output.

The tagger is assembled from parts that are checked against each other when it is built (the
step classifier must match the journey and the encoder). It works a chunk of comments at a time:
all segments of the chunk are embedded in one batched call, so model work is shared across
comments. Each comment's steps come from its clauses and, where they disagree, from the whole
comment read once more (:mod:`steplens.pipeline.steps.comment`).

Clause inheritance: a clause that is ``unassigned`` but opens with a word that points back
(``it``, ``this``, ``that``, ``they``, ``which``, ...: "It was also damaged.") takes the step of
the previous clause of the same comment, with that clause's confidence. Comment-level ``steps``
are unchanged by it (the step is already listed); it matters for segment records and per-step
sentiment.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np

from steplens.pipeline.blas import single_threaded_blas
from steplens.pipeline.checkpoint import TagProgress, progress_path
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import UNASSIGNED, Journey
from steplens.pipeline.language import ENGLISH
from steplens.pipeline.minilm import DEFAULT_BATCH_SIZE
from steplens.pipeline.model_view import model_views, step_views, without_addressing
from steplens.pipeline.records import (
    CLAUSE_FIELDS,
    COMMENT_FIELDS,
    SIGNAL_FIELDS,
    ClauseRecord,
    FeedbackRecord,
    StepMention,
)
from steplens.pipeline.run_metadata import metadata_path, write_metadata
from steplens.pipeline.steps.base import StepClassifier, StepDecision, check_compatible, decide
from steplens.pipeline.steps.comment import CommentRule, CommentSteps, decide_comment
from steplens.pipeline.tables import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_ID_COLUMN,
    Chunk,
    TableWriter,
    open_table,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import TextEncoder
    from steplens.pipeline.language import LanguageDetector
    from steplens.pipeline.minilm import Precision
    from steplens.pipeline.records import Signals
    from steplens.pipeline.redact import Redactor
    from steplens.pipeline.redact.redactor import Redaction
    from steplens.pipeline.segment import Segment, Segmenter
    from steplens.pipeline.signals import SignalsModel

logger = logging.getLogger(__name__)

_Windows = tuple["NDArray[np.float32]", "NDArray[np.int64]"]
_R = TypeVar("_R")
"""The signals branch's embeddings of a chunk's clause windows, and each window's clause."""

Granularity = Literal["comment", "segment"]
GRANULARITIES: tuple[Granularity, ...] = ("comment", "segment")
OUTPUT_TYPES = {
    "step": "string",
    "step_confidence": "double",
    "language": "string",
    "steps": "steps",
    "sentiment": "string",
    "sentiment_score": "double",
    "effort": "string",
    "effort_score": "double",
    "segment": "int64",
    "start": "int64",
    "end": "int64",
}
"""Parquet types of the columns `tag` writes (:class:`~steplens.pipeline.tables.TableWriter`
``types``)."""

_POINTS_BACK = re.compile(
    r"^\W*(?:(?:and|but|also|plus|so)\s+)?(?:it|it's|its|this|that|they|they're|them|these|those|"
    r"which|he|she)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TaggedSegment:
    """One clause with its step decision."""

    segment: Segment
    decision: StepDecision
    inherited: bool = False
    """The clause reached no step alone and points back to the previous clause's step."""
    from_comment: bool = False
    """The clause alone read as a step the comment did not list; it takes the main step."""
    signals: Signals | None = None


@dataclass(frozen=True)
class CommentEvidence:
    """What the comment-level step decision reads for one comment (see
    :meth:`Tagger.step_evidence`)."""

    clauses: NDArray[np.float32]
    """(clauses x steps) probabilities."""
    whole: NDArray[np.float32] | None
    """The whole comment's step probabilities, when the rule may read it whole."""
    words: int

    def decide(self, rule: CommentRule) -> CommentSteps:
        """The comment rule at ``rule``'s cut-offs, exactly as :meth:`Tagger.tag` applies it."""
        whole = self.whole if rule.needs_whole_text(self.clauses, self.words) else None
        return decide_comment(rule, self.clauses, whole)


@dataclass(frozen=True)
class TaggedComment:
    """One comment: its tagged clauses and the comment-level step summary."""

    segments: list[TaggedSegment]
    step: str
    confidence: float
    steps: list[tuple[str, float]]
    signals: Signals | None = None
    step_signals: dict[str, Signals] | None = None
    language: str = ENGLISH
    """ISO 639-1 code (:mod:`steplens.pipeline.language`); a comment not in English is not
    scored."""
    signals_skipped: bool = False
    """The tagger scores signals but left this comment out (its language): fields are empty."""


class Tagger:
    """Segments comments, embeds every clause once, and classifies clauses to steps."""

    def __init__(
        self,
        journey: Journey,
        classifier: StepClassifier,
        segmenter: Segmenter,
        encoder: TextEncoder,
        *,
        signals: SignalsModel | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        normalise: bool = True,
        language: LanguageDetector | None = None,
    ) -> None:
        """``normalise=False`` lets the models read the raw clauses instead of their model
        view (:mod:`steplens.pipeline.model_view`); only benchmarks that measure the view use it."""
        check_compatible(classifier, journey, encoder.dimension)
        self.journey = journey
        self.classifier = classifier
        self.segmenter = segmenter
        self.encoder = encoder
        self.signals = signals
        self.batch_size = batch_size
        self.normalise = normalise
        self.language = language
        """Detects comments not in English, which are left unscored (None: all read as English)."""
        self._step_names = {step.id: step.name for step in journey.steps}

    def tag(self, texts: Sequence[str]) -> list[TaggedComment]:
        """Tag a batch of comments; empty texts come back unassigned with confidence 0.

        numpy's BLAS is held to one thread throughout (:mod:`steplens.pipeline.blas`): the heads'
        and spaCy's small products between the encoder passes otherwise leave BLAS threads spinning
        on the cores PyTorch's next pass needs.
        """
        with single_threaded_blas:
            return self._by_language(texts, self._tag, self._unscored)

    def _by_language(
        self,
        texts: Sequence[str],
        english: Callable[[Sequence[str]], list[_R]],
        other: Callable[[str, str], _R],
    ) -> list[_R]:
        """``english`` on the English texts (one call), ``other(text, language)`` on the rest,
        results in the texts' order: the models read English only."""
        languages = self.languages(texts)
        wanted = [i for i, code in enumerate(languages) if code == ENGLISH]
        if len(wanted) == len(texts):
            return english(texts)
        done = dict(zip(wanted, english([texts[i] for i in wanted]) if wanted else [], strict=True))
        return [done[i] if i in done else other(t, languages[i]) for i, t in enumerate(texts)]

    def languages(self, texts: Sequence[str]) -> list[str]:
        """Each text's ISO 639-1 code (all ``en`` without a detector)."""
        if self.language is None:
            return [ENGLISH] * len(texts)
        return self.language.detect_many(texts)

    def _unscored(self, text: str, language: str) -> TaggedComment:
        """A comment not in English: one unassigned clause (the whole text), no signals."""
        from steplens.pipeline.segment import Segment

        clause = TaggedSegment(Segment(text, 0, len(text)), StepDecision(UNASSIGNED, 0.0, ()))
        return TaggedComment(
            [clause] if text.strip() else [],
            UNASSIGNED,
            0.0,
            [],
            language=language,
            signals_skipped=self.signals is not None,
        )

    def step_evidence(self, texts: Sequence[str]) -> list[CommentEvidence]:
        """Each comment's clause probabilities and, when it could ever be read whole (two or more
        clauses, not too long), its whole-text probabilities: everything
        :func:`~steplens.pipeline.steps.comment.decide_comment` needs at any threshold.

        ``steplens evaluate`` replays the comment rule at other cut-offs from this without
        encoding again; at the classifier's own threshold the replay gives :meth:`tag`'s steps.
        """
        empty = np.zeros((0, len(self.classifier.step_ids)), dtype=np.float32)
        return self._by_language(
            texts,
            self._english_evidence,
            lambda text, _: CommentEvidence(empty, None, len(text.split())),
        )

    def _english_evidence(self, texts: Sequence[str]) -> list[CommentEvidence]:
        with single_threaded_blas:
            _, _, probabilities, spans, _ = self._clause_probabilities(texts, False)
            rule = self.comment_rule
            readable = [
                index
                for index, span in enumerate(spans)
                if span.stop - span.start >= 2
                and len(texts[index].split()) <= rule.whole_text_words
            ]
            whole = self._encode_whole(texts, readable)
            return [
                CommentEvidence(probabilities[span], whole.get(index), len(texts[index].split()))
                for index, span in enumerate(spans)
            ]

    def _clause_probabilities(
        self, texts: Sequence[str], with_signals: bool
    ) -> tuple[list[list[Segment]], list[str], NDArray[np.float32], list[slice], _Windows | None]:
        """Segment, embed every clause once (with the signals branch when asked) and classify:
        the clauses, their model views, step probabilities, each comment's span of rows and the
        signals' windows."""
        per_comment = self.segmenter.segment_many(texts)
        flat = [segment for segments in per_comment for segment in segments]
        views = model_views(s.text for s in flat) if self.normalise else [s.text for s in flat]
        step_texts = [without_addressing(view) for view in views] if self.normalise else views
        if with_signals:
            embeddings, signal_windows = self._embed(step_texts, views)
        else:
            embeddings = self.encoder.encode(step_texts, batch_size=self.batch_size)
            signal_windows = None
        probabilities = self.classifier.predict_proba(embeddings)
        spans, cursor = [], 0
        for segments in per_comment:
            spans.append(slice(cursor, cursor + len(segments)))
            cursor += len(segments)
        return per_comment, views, probabilities, spans, signal_windows

    def _tag(self, texts: Sequence[str]) -> list[TaggedComment]:
        per_comment, views, probabilities, spans, signal_windows = self._clause_probabilities(
            texts, self.signals is not None
        )
        decisions = decide(probabilities, self.classifier.step_ids, self.classifier.threshold)
        whole = self._whole_text_probabilities(texts, probabilities, spans)
        rule = self.comment_rule
        results = []
        for index, (segments, span) in enumerate(zip(per_comment, spans, strict=True)):
            decided = decide_comment(rule, probabilities[span], whole.get(index))
            results.append(self._summarise(segments, decisions[span], decided))
        if self.signals is not None and signal_windows is not None:
            results = self._add_signals(results, views, signal_windows)
        return results

    @property
    def comment_rule(self) -> CommentRule:
        """The comment-level cut-offs at the classifier's current threshold."""
        return CommentRule(threshold=self.classifier.threshold)

    def _whole_text_probabilities(
        self,
        texts: Sequence[str],
        probabilities: NDArray[np.float32],
        spans: Sequence[slice],
    ) -> dict[int, NDArray[np.float32]]:
        """Step probabilities of each whole comment whose clauses disagree (one batched pass)."""
        rule = self.comment_rule
        wanted = [
            index
            for index, span in enumerate(spans)
            if rule.needs_whole_text(probabilities[span], len(texts[index].split()))
        ]
        return self._encode_whole(texts, wanted)

    def _encode_whole(
        self, texts: Sequence[str], wanted: Sequence[int]
    ) -> dict[int, NDArray[np.float32]]:
        """Step probabilities of the whole comments at ``wanted`` positions (one batched pass)."""
        if not wanted:
            return {}
        chosen = [texts[index] for index in wanted]
        views = step_views(chosen) if self.normalise else chosen
        embeddings = self.encoder.encode(views, batch_size=self.batch_size)
        return dict(zip(wanted, self.classifier.predict_proba(embeddings), strict=True))

    def _summarise(
        self, segments: list[Segment], decisions: list[StepDecision], decided: CommentSteps
    ) -> TaggedComment:
        """The comment's steps, and each clause's decision as the comment attributes it."""
        step_ids = self.classifier.step_ids
        steps = [(step_ids[column], probability) for column, probability in decided.steps]
        listed = dict(steps)
        own: list[StepDecision] = []
        moved: list[bool] = []
        for decision, column in zip(decisions, decided.clause_steps, strict=True):
            if column is None and decision.step != UNASSIGNED:
                # Assigned alone, but the comment lists no step for it: not a step of this
                # comment (an unassigned clause's confidence is the chance no step fits).
                own.append(StepDecision(UNASSIGNED, round(1.0 - decision.confidence, 4), ()))
                moved.append(False)
            elif column is None or step_ids[column] == decision.step:
                own.append(StepDecision(decision.step, decision.confidence, ()))
                moved.append(False)
            else:
                step = step_ids[column]
                own.append(StepDecision(step, listed[step], ()))
                moved.append(True)
        tagged = [
            replace(item, from_comment=True) if was_moved else item
            for item, was_moved in zip(_inherit(segments, own), moved, strict=True)
        ]
        if decided.main is None:
            return TaggedComment(tagged, UNASSIGNED, decided.confidence, [])
        return TaggedComment(tagged, steps[0][0], decided.confidence, steps)

    def _embed(
        self, step_texts: list[str], views: list[str]
    ) -> tuple[NDArray[np.float32], _Windows | None]:
        """Step embeddings of the step views and, with signals, the signals branch's embeddings
        of the model views' windows.

        When both branches read the same inputs (no handle or link dropped from the step view,
        no clause split into windows), :func:`~steplens.pipeline.minilm.encode_together` runs their
        shared lower layers once.
        """
        from steplens.pipeline.minilm import encode_together

        if self.signals is None:
            return self.encoder.encode(step_texts, batch_size=self.batch_size), None
        from steplens.pipeline.signals import split_windows

        windows, owners = split_windows(views)
        if len(windows) == len(views) and step_texts == views:
            steps, plain = encode_together(
                views, [self.encoder, self.signals.encoder], batch_size=self.batch_size
            )
        else:
            steps = self.encoder.encode(step_texts, batch_size=self.batch_size)
            plain = self.signals.encoder.encode(windows, batch_size=self.batch_size)
        return steps, (plain, owners)

    def _add_signals(
        self, results: list[TaggedComment], views: list[str], windows: _Windows
    ) -> list[TaggedComment]:
        """Score every clause once and every (clause, step) mention once, then summarise.

        A clause's own sentiment is read towards its step; each step a comment mentions gets
        the sentiment of its clauses read towards *that* step, so "the food was great but the
        courier was 40 minutes late" gives one step positive and the other negative even when
        both are found in one clause. Effort is read from the clause alone.
        """
        from steplens.pipeline.signal_summary import combine
        from steplens.pipeline.signals import signals_from_proba

        assert self.signals is not None
        flat = [tagged for result in results for tagged in result.segments]
        plain, owners = windows
        sentiment, effort = self.signals.proba_from_windows(views, plain, owners)
        # Every step a comment lists is carried by at least one of its clauses
        # (steplens.pipeline.steps.comment), so the clauses' own steps are all the pairs needed.
        pairs = [
            (row, tagged.decision.step)
            for row, tagged in enumerate(flat)
            if tagged.decision.step != UNASSIGNED
        ]
        paired = self.signals.pair_sentiment(
            views, [(row, self._step_names[step]) for row, step in pairs], sentiment
        )
        pair_rows = {pair: len(flat) + k for k, pair in enumerate(pairs)}
        # One table of probabilities: the clauses' own rows, then one row per (clause, step).
        table = np.concatenate([sentiment, paired]) if pairs else sentiment
        effort_table = np.concatenate([effort, effort[[row for row, _ in pairs]]])
        own = [pair_rows.get((row, tagged.decision.step), row) for row, tagged in enumerate(flat)]
        per_clause = signals_from_proba(table[own], effort)
        done, cursor = [], 0
        for result in results:
            rows = list(range(cursor, cursor + len(result.segments)))
            cursor += len(rows)
            segments = [
                replace(tagged, signals=per_clause[row])
                for tagged, row in zip(result.segments, rows, strict=True)
            ]
            lengths = [len(t.segment.text) for t in result.segments]
            by_step = {
                step: combine(
                    table,
                    effort_table,
                    [pair_rows[(row, step)] for row in rows if (row, step) in pair_rows],
                )
                for step, _ in result.steps
            }
            overall = combine(table, effort_table, [own[row] for row in rows], lengths)
            done.append(replace(result, segments=segments, signals=overall, step_signals=by_step))
        return done

    def cutoffs_line(self, threshold_overridden: bool = False) -> str:
        """The step cut-offs in use, in one line for the terminal."""
        rule = self.comment_rule
        described = self.classifier.describe()
        calibrated = described.get("calibration", {})
        if "adapted" in described:
            source = "steps adapted to this input by self-training"
        elif calibrated:
            source = f"calibrated on {calibrated['source']}"
        else:
            source = f"{described.get('kind', 'trained')} step model"
        background = ""
        if threshold_overridden:
            source += ", threshold set by --threshold"
        elif "background_level" in calibrated:
            background = (
                f" (a best step scoring {calibrated['background_level']:.2f}, the score "
                f"{calibrated['background_quantile']:.0%} of random tweets and chatter stay below)"
            )
        else:
            source += ", threshold from held-out training texts"
        return (
            f"step cut-offs ({source}): unassigned below {rule.threshold:.2f}{background}; a "
            f"clause adds a second step at {rule.second_step_cut:.2f} or more with a "
            f"{rule.second_step_margin:.2f} lead over the main step"
        )

    def describe(self) -> dict[str, Any]:
        """The parts in use, for logs and outputs."""
        return describe_steps(self.journey, self.classifier)


def _inherit(segments: list[Segment], decisions: list[StepDecision]) -> list[TaggedSegment]:
    tagged: list[TaggedSegment] = []
    for segment, decision in zip(segments, decisions, strict=True):
        previous = tagged[-1] if tagged else None
        if (
            decision.step == UNASSIGNED
            and previous is not None
            and previous.decision.step != UNASSIGNED
            and _POINTS_BACK.match(segment.text)
        ):
            inherited = StepDecision(previous.decision.step, previous.decision.confidence, ())
            tagged.append(TaggedSegment(segment, inherited, inherited=True))
        else:
            tagged.append(TaggedSegment(segment, decision))
    return tagged


def feedback_record(
    result: TaggedComment, id: Any, text: str, columns: Mapping[str, Any], number: int = 0
) -> FeedbackRecord:
    """The typed record of a tagged comment (:mod:`steplens.pipeline.records`): what ``tag``
    writes, the report reads and the service stores. ``columns`` is the input row."""
    by_step = result.step_signals or {}
    return FeedbackRecord(
        id=id,
        text=text,
        step=result.step,
        step_confidence=result.confidence,
        language=result.language,
        steps=tuple(
            StepMention(
                step=step,
                confidence=confidence,
                signals=by_step.get(step),
                spans=tuple(
                    (item.segment.start, item.segment.end)
                    for item in result.segments
                    if item.decision.step == step
                ),
            )
            for step, confidence in result.steps
        ),
        signals=result.signals,
        scored=result.signals is not None or result.signals_skipped,
        clauses=tuple(
            ClauseRecord(
                text=item.segment.text,
                start=item.segment.start,
                end=item.segment.end,
                step=item.decision.step,
                confidence=item.decision.confidence,
                signals=item.signals,
            )
            for item in result.segments
        ),
        columns=columns,
        number=number,
    )


def chunk_records(chunk: Chunk, tagged: Sequence[TaggedComment]) -> list[FeedbackRecord]:
    """A tagged chunk's records, numbered by data row."""
    return [
        feedback_record(result, row_id, text, row, chunk.start + offset + 1)
        for offset, (row, row_id, text, result) in enumerate(
            zip(chunk.rows, chunk.ids, chunk.texts, tagged, strict=True)
        )
    ]


def tag_chunk(
    tagger: Tagger,
    chunk: Chunk,
    *,
    redactor: Redactor | None = None,
    text_column: str = "text",
) -> tuple[list[FeedbackRecord], Counter[str]]:
    """Tag a chunk and build its records; with a ``redactor``, the records hold the redacted
    text, with segment offsets and step spans moved onto it (the PII found is counted).

    The models read the text as written, redacted or not, so a run with redaction gives the same
    steps, sentiment and effort as one without (the CLI and the service answer alike whatever
    their redaction setting); only what is written or stored is redacted.
    """
    tagged = tagger.tag(chunk.texts)
    if redactor is None:
        return chunk_records(chunk, tagged), Counter()
    redactions, tagged = redact_tagged(redactor, chunk.texts, tagged)
    chunk, found = redactor.redacted_chunk(chunk, text_column, redactions)
    return chunk_records(chunk, tagged), found


def redact_tagged(
    redactor: Redactor, texts: Sequence[str], tagged: Sequence[TaggedComment]
) -> tuple[list[Redaction], list[TaggedComment]]:
    """Redact texts after they were tagged (names only in the English ones) and move each
    comment's clause offsets onto its redacted text; `tag --redact` and the service both do
    it here."""
    redactions = redactor.redact_many(texts, [item.language for item in tagged])
    return redactions, [redacted_comment(t, r) for t, r in zip(tagged, redactions, strict=True)]


def redacted_comment(tagged: TaggedComment, redaction: Redaction) -> TaggedComment:
    """``tagged`` with its clauses' offsets and texts on the redacted text."""
    if not redaction.spans:
        return tagged
    from steplens.pipeline.redact.redactor import to_redacted
    from steplens.pipeline.segment import Segment

    segments = []
    for item in tagged.segments:
        start, end = to_redacted(redaction.spans, item.segment.start, item.segment.end)
        moved = Segment(text=redaction.text[start:end], start=start, end=end)
        segments.append(replace(item, segment=moved))
    return replace(tagged, segments=segments)


def as_rows(
    records: Sequence[FeedbackRecord], granularity: Granularity, *, add_id: bool = False
) -> list[dict[str, Any]]:
    """What `tag` writes for ``records`` at ``granularity`` (also the service's answers):
    one row per comment, or one per clause."""
    if granularity == "segment":
        return [row for record in records for row in record.clause_rows()]
    return [record.to_row(add_id) for record in records]


def texts_chunk(texts: Sequence[str], start: int = 0) -> Chunk:
    """Bare texts as a chunk whose ids are their 0-based positions, counted from ``start`` (the
    service's requests, :func:`steplens.tag_texts`)."""
    ids = list(range(start, start + len(texts)))
    rows = [{"id": i, "text": t} for i, t in zip(ids, texts, strict=True)]
    return Chunk(start=start, rows=rows, texts=list(texts), ids=ids)


class DuplicateIds:
    """Counts ids seen more than once (both rows are kept and tagged; the user is told).

    Ids are kept as 8-byte digests, so a million ids cost tens of MB, not the ids themselves.
    """

    def __init__(self, enabled: bool = True, examples: int = 5) -> None:
        self.enabled = enabled
        self.seen: set[bytes] = set()
        self.count = 0
        self.examples: list[str] = []
        self.limit = examples

    def add(self, ids: Sequence[Any]) -> None:
        """Note a chunk's ids."""
        if not self.enabled:
            return
        for value in ids:
            text = str(value)
            digest = hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).digest()
            if digest in self.seen:
                self.count += 1
                if len(self.examples) < self.limit:
                    self.examples.append(text)
            else:
                self.seen.add(digest)

    def warn(self, source: Path) -> None:
        """One warning for the run, with a few examples."""
        if self.count:
            logger.warning(
                "%s: %d rows repeat an earlier id (e.g. %s); every row was kept and tagged",
                source,
                self.count,
                ", ".join(repr(e) for e in self.examples),
            )


@dataclass(frozen=True)
class TagSummary:
    """Counts from a `tag` run, for the CLI's closing line."""

    comments: int
    records: int
    unassigned: int
    output: Path
    ids_are_row_numbers: bool
    resumed_after: int = 0
    """Input rows an interrupted run had already written (0 for a fresh run)."""
    redacted: dict[str, int] = field(default_factory=dict)
    """PII found and replaced by kind, in the rows this run tagged (with a redactor)."""
    not_english: dict[str, int] = field(default_factory=dict)
    """Comments left unscored because they are not in English, by language (this run's rows)."""


def tag_file(
    tagger: Tagger,
    input_path: str | Path,
    output_path: str | Path,
    *,
    granularity: Granularity = "comment",
    text_column: str = "text",
    id_column: str | None = None,
    encoding: str = "utf-8",
    sheet: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_rows: Callable[[int], None] | None = None,
    resume: bool = False,
    redactor: Redactor | None = None,
) -> TagSummary:
    """Tag a feedback file chunk by chunk and write the records; returns counts.

    Every chunk is durable once written, with a checkpoint beside the output
    (``steplens.pipeline.checkpoint``); once the output is complete, the run's settings and
    calibrated cut-offs are written beside it (:mod:`steplens.pipeline.run_metadata`). After an
    interruption, ``resume=True`` continues after the last durable chunk, so every input row is
    written exactly once, in input order. With a
    ``redactor``, each chunk's texts are redacted as they are read: the text column written and
    the segment texts and offsets are those of the redacted text.
    """
    if granularity not in GRANULARITIES:
        raise SteplensError(f"granularity must be one of {', '.join(GRANULARITIES)}")
    if Path(input_path).resolve() == Path(output_path).resolve():
        raise SteplensError("the output file must differ from the input file")
    table = open_table(
        input_path,
        text_column=text_column,
        id_column=id_column,
        chunk_size=chunk_size,
        encoding=encoding,
        sheet=sheet,
    )
    add_id = table.ids_are_row_numbers
    if granularity == "comment":
        written = (*COMMENT_FIELDS, *(SIGNAL_FIELDS if tagger.signals is not None else ()))
        clashes = [name for name in written if name in table.columns]
        if clashes:
            raise SteplensError(
                f"{table.path} already has column(s) {', '.join(map(repr, clashes))}, which "
                "`tag` writes; rename them in the input so no data is overwritten"
            )
        columns = [*table.columns, *([DEFAULT_ID_COLUMN] if add_id else []), *written]
    else:
        written = ()
        signal_columns = SIGNAL_FIELDS if tagger.signals is not None else ()
        columns = [*CLAUSE_FIELDS, *signal_columns]
    # The columns tag itself writes (never the input's own), typed so a first chunk of empty or
    # unscored comments cannot fix a score column as text in Parquet.
    own = written if granularity == "comment" else [*CLAUSE_FIELDS[1:], *signal_columns]
    types = {name: OUTPUT_TYPES.get(name, "string") for name in own}
    options = {
        "granularity": granularity,
        "text_column": text_column,
        "id_column": id_column,
        **({"sheet": sheet} if sheet is not None else {}),
        "chunk_size": chunk_size,
        "columns": columns,
        "tagger": tagger.describe(),
    }
    if redactor is not None:
        options["redact"] = redactor.describe()
    checkpoint = progress_path(output_path)
    progress = TagProgress.start(input_path, options)
    previous = TagProgress.load(checkpoint)
    # An earlier run's metadata must not sit beside an output this run has not finished.
    metadata_path(output_path).unlink(missing_ok=True)
    if previous is not None and not resume:
        raise SteplensError(
            f"an interrupted run left {previous.rows_done} tagged rows for {output_path}: pass "
            f"--resume to continue it, or delete {checkpoint} to start over"
        )
    if previous is not None:
        differences = previous.differences(progress)
        if differences:
            raise SteplensError(
                f"cannot resume {output_path}: "
                + "; ".join(differences)
                + f". Run the same command as before, or delete {checkpoint} to start over"
            )
        progress = previous
        writer = TableWriter.reopen(
            output_path,
            columns=columns,
            position=previous.position,
            rows_written=previous.records_written,
        )
        logger.info("resuming %s after input row %d", output_path, previous.rows_done)
    else:
        if resume:
            logger.warning("nothing to resume for %s: starting from the first row", output_path)
        writer = TableWriter(output_path, columns=columns, durable=True, types=types)
    skipped = progress.rows_done
    duplicates = DuplicateIds(enabled=not add_id)
    redacted: Counter[str] = Counter()
    not_english: Counter[str] = Counter()
    try:
        for chunk in table.chunks():
            end = chunk.start + len(chunk)
            if end <= progress.rows_done:
                continue  # done before the interruption
            duplicates.add(chunk.ids)
            records, found = tag_chunk(tagger, chunk, redactor=redactor, text_column=text_column)
            redacted.update(found)
            not_english.update(r.language for r in records if r.language != ENGLISH)
            rows = as_rows(records, granularity, add_id=add_id)
            writer.write(rows)
            progress.rows_done = end
            progress.records_written += len(rows)
            progress.unassigned += sum(record.step == UNASSIGNED for record in records)
            progress.position = writer.position()
            progress.save(checkpoint)
            if on_rows is not None:
                on_rows(len(chunk))
    except BaseException:
        writer.abort(keep=progress.rows_done > 0)
        if progress.rows_done == 0:
            checkpoint.unlink(missing_ok=True)
        raise
    writer.close()
    duplicates.warn(table.path)
    write_metadata(
        output_path,
        {
            "input": table.path.name,
            **options,
            "signals": tagger.signals is not None,
            "counts": {
                "comments": progress.rows_done,
                "records": progress.records_written,
                "unassigned": progress.unassigned,
            },
        },
    )
    checkpoint.unlink(missing_ok=True)  # after the metadata: a kill in between can resume
    return TagSummary(
        progress.rows_done,
        progress.records_written,
        progress.unassigned,
        Path(output_path),
        add_id,
        resumed_after=skipped,
        redacted=dict(redacted),
        not_english=dict(not_english),
    )


def build_step_classifier(
    journey: Journey,
    *,
    model_dir: str | Path | None = None,
    threshold: float | None = None,
    precision: Precision = "fp32",
) -> tuple[StepClassifier, TextEncoder]:
    """The step classifier (trained if ``model_dir``, else zero-shot) and the encoder it reads
    clauses through, without the segmenter or the signals model (`tag` with Ray describes its
    run with it on the driver)."""
    from steplens.pipeline.minilm import base_encoder

    base = base_encoder(precision)
    if model_dir is not None:
        from steplens.pipeline.steps.trained import load_step_model

        model = load_step_model(model_dir, journey=journey, encoder_name=base.name)
        if threshold is not None:
            model.threshold = threshold
        return model, model.encoder_for(base)
    from steplens.pipeline.steps.zero_shot import ZeroShotStepClassifier

    # Prototypes, background level and calibration are the classifier's parameters: always
    # fp32, so that --precision changes only the arithmetic on the comments (docs/speed.md).
    return ZeroShotStepClassifier(journey, base_encoder("fp32"), threshold=threshold), base


def describe_steps(journey: Journey, classifier: StepClassifier) -> dict[str, Any]:
    """The journey, step classifier and comment-rule cut-offs, for logs and run metadata."""
    return {
        "journey": journey.name,
        "steps": classifier.describe(),
        "comment_rule": CommentRule(threshold=classifier.threshold).describe(),
    }


def build_tagger(
    journey: Journey,
    *,
    model_dir: str | Path | None = None,
    threshold: float | None = None,
    signals: bool = True,
    precision: str = "auto",
    signals_model: SignalsModel | None = None,
    normalise: bool = True,
    detect_language: bool = True,
) -> Tagger:
    """Load the encoder, the segmenter, a step classifier (trained if ``model_dir``) and, unless
    ``signals`` is False, the shipped sentiment and effort model (or ``signals_model``, another
    one already loaded; benchmarks compare models that way). ``normalise``: see :class:`Tagger`.
    ``detect_language``: leave comments not in English unscored (:mod:`steplens.pipeline.language`);
    benchmarks of English data sets turn it off.

    Every model reads clauses through one :class:`~steplens.pipeline.minilm.MiniLM` at ``precision``
    (``auto``: bf16 on CPUs that multiply it natively, else fp32; see docs/benchmarks.md).
    """
    from steplens.pipeline.minilm import resolve_precision
    from steplens.pipeline.segment import load_segmenter

    resolved = resolve_precision(precision)
    classifier, encoder = build_step_classifier(
        journey, model_dir=model_dir, threshold=threshold, precision=resolved
    )
    if not signals:
        signals_model = None
    elif signals_model is None:
        from steplens.pipeline.signals import load_default_signals_model

        signals_model = load_default_signals_model(resolved)
    from steplens.pipeline.language import load_language_detector

    return Tagger(
        journey,
        classifier,
        load_segmenter(),
        encoder,
        signals=signals_model,
        normalise=normalise,
        language=load_language_detector() if detect_language else None,
    )
