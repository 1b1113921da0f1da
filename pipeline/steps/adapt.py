"""Adapt zero-shot steps to the corpus being tagged: self-training (issue 22, item 2).

The idea of Gera et al. (EMNLP 2022, "Zero-Shot Text Classification with Self-Training"): the
zero-shot classifier reads every comment of the corpus; for each step, the comments it is most
sure of (best step, above the background level) become that step's pseudo-labelled examples;
a ``train-steps`` head is fitted on them, on the journey's own texts (names, descriptions,
examples) and on the background negatives; the corpus is then tagged with that head. The head
learns how *this* corpus talks about each step, which the journey's wording alone does not say.

It does not win everywhere (docs/steps.md: on development data it helped tweets to brands and
CLINC150 queries, left restaurant reviews and Banking77 level, hurt laptop reviews, and left
more off-topic text assigned), so it is an option (``tag --adapt``), not the default,
and a run that adapted says so in its metadata. The adapted head is a normal step model
directory (``OUTPUT.adapted/``: config, weights, model card), so a resumed run reuses it and a
user can inspect it or pass it to ``tag --model`` later.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey
from steplens.pipeline.model_view import step_views
from steplens.pipeline.steps.head_training import train_step_classifier
from steplens.pipeline.steps.trained import TrainedStepClassifier, TrainingReport
from steplens.pipeline.steps.zero_shot import ZeroShotStepClassifier, build_prototypes

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import TextEncoder

logger = logging.getLogger(__name__)

PER_STEP = 50
"""Pseudo-labelled comments per step (development data: 20 did better on the 77- and 150-intent
sets, 50 on the 8-step ones; the mean over five sets was level, and journeys have few steps)."""
MAX_TEXTS = 20_000
"""Comments read to adapt on; a longer file adapts on its first MAX_TEXTS (spread is enough)."""


@dataclass(frozen=True)
class PseudoLabels:
    """The comments chosen per step, with the step each one stands for."""

    texts: list[str]
    labels: list[str]
    per_step: dict[str, int]


def pseudo_labels(
    classifier: ZeroShotStepClassifier,
    views: Sequence[str],
    embeddings: NDArray[np.float32],
    per_step: int = PER_STEP,
) -> PseudoLabels:
    """Each step's ``per_step`` comments with the highest score among those whose best step it
    is and whose score beats the journey's background level."""
    scores = classifier.scores(embeddings)
    best, top = scores.max(axis=1), scores.argmax(axis=1)
    level = classifier.calibration.level
    texts: list[str] = []
    labels: list[str] = []
    counts: dict[str, int] = {}
    for index, step in enumerate(classifier.step_ids):
        chosen = np.flatnonzero((top == index) & (best >= level))
        chosen = chosen[np.argsort(-best[chosen], kind="stable")][:per_step]
        texts += [views[int(i)] for i in chosen]
        labels += [step] * len(chosen)
        counts[step] = len(chosen)
    return PseudoLabels(texts, labels, counts)


def adapt_to_corpus(
    journey: Journey,
    texts: Sequence[str],
    encoder: TextEncoder,
    *,
    labelled: Sequence[tuple[str, str]] = (),
    per_step: int = PER_STEP,
    seed: int = 0,
    background: bool = True,
    on_progress: Callable[[str], None] | None = None,
) -> tuple[TrainedStepClassifier, TrainingReport]:
    """A step head fitted on the corpus's most confident comments per step (see module doc).

    ``labelled`` adds (text, step) pairs a person labelled (``unassigned`` allowed): they are
    trained on as given, and their texts are never pseudo-labelled. ``background`` adds the
    background texts as ``unassigned`` negatives (without them the head seldom says
    ``unassigned``). ``encoder`` must be the packaged encoder the zero-shot classifier reads
    (fp32).
    """
    note = on_progress or (lambda message: None)
    gold = _labelled_views(journey, labelled)
    views = [view for view in dict.fromkeys(step_views(texts)) if view.strip()][:MAX_TEXTS]
    candidates = [view for view in views if view not in gold]
    if not candidates and not gold:
        raise SteplensError("--adapt needs comments with text to adapt on")
    zero_shot = ZeroShotStepClassifier(journey, encoder)
    note(f"reading {len(candidates)} comments to adapt the steps to them")
    embeddings = (
        encoder.encode(candidates)
        if candidates
        else np.zeros((0, encoder.dimension), dtype=np.float32)
    )
    chosen = pseudo_labels(zero_shot, candidates, embeddings, per_step)
    found = sum(chosen.per_step.values())
    note(
        f"adapting on {found} comments the journey is sure of "
        f"({sum(n > 0 for n in chosen.per_step.values())} of {len(journey.steps)} steps)"
        + (f" and {len(gold)} labelled by people" if gold else "")
    )
    # One label per text, or the head would become multi-label: a person's label wins, then a
    # journey text keeps its first step, and a comment that repeats either is left to it.
    first_step: dict[str, str] = {}
    prototypes = build_prototypes(journey)
    for prototype, view in zip(prototypes, step_views(p.text for p in prototypes), strict=True):
        first_step.setdefault(view, journey.steps[prototype.step_index].id)
    journey_texts = [(text, step) for text, step in first_step.items() if text not in gold]
    pairs = zip(chosen.texts, chosen.labels, strict=True)
    pseudo = [(text, step) for text, step in pairs if text not in first_step and text not in gold]
    training = [*pseudo, *journey_texts, *gold.items()]
    classifier, report = train_step_classifier(
        journey,
        [text for text, _ in training],
        [step for _, step in training],
        encoder,
        seed=seed,
        background=background,
    )
    classifier.info["adapted"] = {
        "comments_read": len(candidates),  # distinct texts with words, up to MAX_TEXTS
        "labelled": len(gold),
        "pseudo_labels_per_step": chosen.per_step,
        "per_step": per_step,
        "method": "self-training on the zero-shot classifier's most confident comments",
    }
    return classifier, report


def _labelled_views(journey: Journey, labelled: Sequence[tuple[str, str]]) -> dict[str, str]:
    """A person's labels by step view, checked before any encoding: every label a step of the
    journey (or ``unassigned``), empty texts dropped, and texts that read the same with two
    different labels left out with a warning (which one is right cannot be told)."""
    from steplens.pipeline.steps.head_training import group_examples

    pairs = [
        (view, step)
        for view, (_, step) in zip(step_views(t for t, _ in labelled), labelled, strict=True)
    ]
    pairs = [(view, step) for view, step in pairs if view.strip()]
    texts, label_sets = group_examples(
        [view for view, _ in pairs], [step for _, step in pairs], journey
    )
    conflicting = [text for text, steps in zip(texts, label_sets, strict=True) if len(steps) > 1]
    if conflicting:
        logger.warning(
            "%d labelled texts carry two or more different labels and are left out, e.g. %r",
            len(conflicting),
            conflicting[0][:80],
        )
    return {
        text: next(iter(steps))
        for text, steps in zip(texts, label_sets, strict=True)
        if len(steps) == 1
    }


def read_feedback(
    path: Path,
    *,
    text_column: str,
    label_column: str | None = None,
    require_labels: bool = False,
    id_column: str | None = None,
    encoding: str = "utf-8",
    sheet: str | None = None,
) -> tuple[list[str], list[tuple[str, str]]]:
    """A feedback file's texts to adapt on (up to :data:`MAX_TEXTS`), and (text, step) for the
    rows whose ``label_column`` is filled (a person's label, trained on as given).

    A file without the label column is all unlabelled, unless ``require_labels`` (the column was
    asked for by name): then its absence is an error that lists the columns. Texts are read as
    written, redacted or not: the models always read the original (``tag --redact`` redacts only
    what it writes).
    """
    from steplens.pipeline.tables import as_text, open_table

    texts: list[str] = []
    labelled: list[tuple[str, str]] = []
    table = open_table(
        path, text_column=text_column, id_column=id_column, encoding=encoding, sheet=sheet
    )
    if require_labels and label_column is not None:
        table.require_column(label_column, "label", "--label-column")
    wanted = label_column if label_column in table.columns else None
    for chunk in table.chunks():
        for text, row in zip(chunk.texts, chunk.rows, strict=True):
            label = as_text(row.get(wanted)).strip() if wanted is not None else ""
            if label:
                labelled.append((text, label))
            else:
                texts.append(text)
        if len(texts) >= MAX_TEXTS:
            break
    return texts, labelled


def adapted_directory(output: Path) -> Path:
    """Where a run writing ``output`` keeps its adapted head: ``OUTPUT.adapted/`` beside it."""
    return output.with_name(output.name + ".adapted")


def input_identity(path: Path) -> dict[str, object]:
    """What an adapted head was fitted on: the input file (name, size, mtime); a resumed run
    reuses the head only for the same."""
    stat = path.stat()
    return {"name": path.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def adapt_file(
    journey: Journey,
    input_path: Path,
    output_path: Path,
    *,
    text_column: str,
    id_column: str | None = None,
    encoding: str = "utf-8",
    sheet: str | None = None,
    resume: bool = False,
    on_progress: Callable[[str], None] | None = None,
) -> Path:
    """Adapt the journey's steps to a feedback file and save the head beside the output.

    A resumed run (``resume`` with the interrupted run's checkpoint in place) reuses the head
    saved then, when it was fitted on the same input, so the rows tagged before and after the
    interruption come from the same model. An interrupted run is never overwritten by a new
    head: without ``resume`` it is refused, as ``tag`` refuses it, before any work.
    """
    from steplens.pipeline.checkpoint import progress_path
    from steplens.pipeline.minilm import base_encoder

    note = on_progress or logger.info
    directory = adapted_directory(output_path)
    checkpoint = progress_path(output_path)
    identity = input_identity(input_path)
    if checkpoint.exists() and not resume:
        raise SteplensError(
            f"an interrupted run left tagged rows for {output_path}: pass --resume to continue "
            f"it, or delete {checkpoint} to start over"
        )
    if resume and checkpoint.exists():
        saved = _saved_identity(directory)
        if saved == identity:
            note(f"reusing the adapted steps in {directory}")
            return directory
        raise SteplensError(
            f"cannot resume {output_path} with --adapt: the adapted steps in {directory} "
            + ("are missing" if saved is None else "were fitted on another input")
            + f". Delete {checkpoint} to start over"
        )
    texts, _ = read_feedback(
        input_path,
        text_column=text_column,
        id_column=id_column,
        encoding=encoding,
        sheet=sheet,
    )
    classifier, report = adapt_to_corpus(journey, texts, base_encoder("fp32"), on_progress=note)
    classifier.info["adapted"]["input"] = identity
    staging = directory.with_name(directory.name + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    classifier.save(staging, report)
    shutil.rmtree(directory, ignore_errors=True)
    staging.rename(directory)  # the folder is complete or absent, never half written
    return directory


def _saved_identity(directory: Path) -> dict[str, object] | None:
    """The input identity recorded in an adapted head's config, or None."""
    try:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    identity = config.get("info", {}).get("adapted", {}).get("input")
    return identity if isinstance(identity, dict) else None
