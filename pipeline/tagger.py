"""From comments to step records: segment, embed once, classify, assemble `tag` output.

The tagger is assembled from parts that are checked against each other when it is built (the
step classifier must match the journey and the encoder). It works a chunk of comments at a time:
all segments of the chunk are embedded in one batched call, so model work is shared across
comments.

Clause inheritance: a clause that is ``unassigned`` but opens with a word that points back
(``it``, ``this``, ``that``, ``they``, ``which``, ...: "It was also damaged.") takes the step of
the previous clause of the same comment, with that clause's confidence. Comment-level ``steps``
are unchanged by it (the step is already listed); it matters for segment records and per-step
sentiment.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.errors import SteplensError
from pipeline.journey import UNASSIGNED, Journey
from pipeline.steps.base import StepClassifier, StepDecision, check_compatible, decide
from pipeline.tables import DEFAULT_CHUNK_SIZE, DEFAULT_ID_COLUMN, Chunk, TableWriter, open_table

if TYPE_CHECKING:
    from pipeline.encoder import Encoder
    from pipeline.segment import Segment, Segmenter

logger = logging.getLogger(__name__)

Granularity = Literal["comment", "segment"]
GRANULARITIES: tuple[Granularity, ...] = ("comment", "segment")
COMMENT_FIELDS = ("step", "step_confidence", "steps")
SEGMENT_FIELDS = ("id", "segment", "text", "start", "end", "step", "step_confidence")

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


@dataclass(frozen=True)
class TaggedComment:
    """One comment: its tagged clauses and the comment-level step summary."""

    segments: list[TaggedSegment]
    step: str
    confidence: float
    steps: list[tuple[str, float]]


class Tagger:
    """Segments comments, embeds every clause once, and classifies clauses to steps."""

    def __init__(
        self,
        journey: Journey,
        classifier: StepClassifier,
        segmenter: Segmenter,
        encoder: Encoder,
        *,
        batch_size: int = 64,
    ) -> None:
        check_compatible(classifier, journey, encoder.dimension)
        self.journey = journey
        self.classifier = classifier
        self.segmenter = segmenter
        self.encoder = encoder
        self.batch_size = batch_size

    def tag(self, texts: Sequence[str]) -> list[TaggedComment]:
        """Tag a batch of comments; empty texts come back unassigned with confidence 0."""
        per_comment = self.segmenter.segment_many(texts)
        flat = [segment for segments in per_comment for segment in segments]
        embeddings = self.encoder.encode([s.text for s in flat], batch_size=self.batch_size)
        probabilities = self.classifier.predict_proba(embeddings)
        decisions = decide(probabilities, self.classifier.step_ids, self.classifier.threshold)
        results, cursor = [], 0
        for segments in per_comment:
            own = decisions[cursor : cursor + len(segments)]
            cursor += len(segments)
            results.append(_summarise(_inherit(segments, own)))
        return results

    def describe(self) -> dict[str, Any]:
        """The parts in use, for logs and outputs."""
        return {"journey": self.journey.name, "steps": self.classifier.describe()}


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


def _summarise(segments: list[TaggedSegment]) -> TaggedComment:
    if not segments:
        return TaggedComment([], UNASSIGNED, 0.0, [])
    mentioned: dict[str, float] = {}
    for tagged in segments:
        decision = tagged.decision
        candidates = decision.mentions or (
            ((decision.step, decision.confidence),) if decision.step != UNASSIGNED else ()
        )
        for step, confidence in candidates:
            mentioned[step] = max(confidence, mentioned.get(step, 0.0))
    steps = sorted(mentioned.items(), key=lambda item: -item[1])
    if steps:
        return TaggedComment(segments, steps[0][0], steps[0][1], steps)
    confidence = min(tagged.decision.confidence for tagged in segments)
    return TaggedComment(segments, UNASSIGNED, confidence, [])


def comment_records(
    chunk: Chunk, tagged: list[TaggedComment], add_id: bool
) -> list[dict[str, Any]]:
    """Comment-granularity records: the input row plus step, step_confidence and steps."""
    records = []
    for row, row_id, result in zip(chunk.rows, chunk.ids, tagged, strict=True):
        record = dict(row)
        if add_id:
            record[DEFAULT_ID_COLUMN] = row_id
        record["step"] = result.step
        record["step_confidence"] = result.confidence
        record["steps"] = [{"step": step, "confidence": conf} for step, conf in result.steps]
        records.append(record)
    return records


def segment_records(chunk: Chunk, tagged: list[TaggedComment]) -> list[dict[str, Any]]:
    """Segment-granularity records; a comment with no clauses gives one empty, unassigned row."""
    records: list[dict[str, Any]] = []
    for row_id, result in zip(chunk.ids, tagged, strict=True):
        if not result.segments:
            records.append(
                {
                    "id": row_id,
                    "segment": 0,
                    "text": "",
                    "start": 0,
                    "end": 0,
                    "step": UNASSIGNED,
                    "step_confidence": 0.0,
                }
            )
            continue
        for index, item in enumerate(result.segments):
            records.append(
                {
                    "id": row_id,
                    "segment": index,
                    "text": item.segment.text,
                    "start": item.segment.start,
                    "end": item.segment.end,
                    "step": item.decision.step,
                    "step_confidence": item.decision.confidence,
                }
            )
    return records


@dataclass(frozen=True)
class TagSummary:
    """Counts from a `tag` run, for the CLI's closing line."""

    comments: int
    records: int
    unassigned: int
    output: Path
    ids_are_row_numbers: bool


def tag_file(
    tagger: Tagger,
    input_path: str | Path,
    output_path: str | Path,
    *,
    granularity: Granularity = "comment",
    text_column: str = "text",
    id_column: str | None = None,
    encoding: str = "utf-8",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_rows: Callable[[int], None] | None = None,
) -> TagSummary:
    """Tag a feedback file chunk by chunk and write the records; returns counts."""
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
    )
    add_id = table.ids_are_row_numbers
    if granularity == "comment":
        clashes = [name for name in COMMENT_FIELDS if name in table.columns]
        if clashes:
            raise SteplensError(
                f"{table.path} already has column(s) {', '.join(map(repr, clashes))}, which "
                "`tag` writes; rename them in the input so no data is overwritten"
            )
        columns = [*table.columns, *([DEFAULT_ID_COLUMN] if add_id else []), *COMMENT_FIELDS]
    else:
        columns = list(SEGMENT_FIELDS)
    comments = records_written = unassigned = 0
    with TableWriter(output_path, columns=columns) as writer:
        for chunk in table.chunks():
            tagged = tagger.tag(chunk.texts)
            if granularity == "comment":
                records = comment_records(chunk, tagged, add_id)
            else:
                records = segment_records(chunk, tagged)
            writer.write(records)
            comments += len(chunk)
            records_written += len(records)
            unassigned += sum(result.step == UNASSIGNED for result in tagged)
            if on_rows is not None:
                on_rows(len(chunk))
    return TagSummary(comments, records_written, unassigned, Path(output_path), add_id)


def build_tagger(
    journey: Journey,
    *,
    model_dir: str | Path | None = None,
    threshold: float | None = None,
) -> Tagger:
    """Load the encoder, the segmenter and a step classifier (trained if ``model_dir``)."""
    from pipeline.encoder import load_encoder
    from pipeline.segment import load_segmenter

    encoder = load_encoder()
    classifier: StepClassifier
    if model_dir is not None:
        from pipeline.steps.trained import load_step_model

        classifier = load_step_model(model_dir, journey=journey, encoder_name=encoder.name)
        if threshold is not None:
            classifier.threshold = threshold
    else:
        from pipeline.steps.zero_shot import ZeroShotStepClassifier

        classifier = ZeroShotStepClassifier(journey, encoder, threshold=threshold)
    return Tagger(journey, classifier, load_segmenter(), encoder)
