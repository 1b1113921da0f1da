"""Measure the tagger on a labelled sample of the user's own feedback (``steplens evaluate``).

The model card tells users to check the tool on their own data before trusting a report; this
is how. A labelled file holds a text column and a step column (one step per row, a text listed
on several rows or with ``a;b`` in one cell for a comment about several steps, ``unassigned``
for a comment about none) and optionally ``sentiment`` and ``effort`` columns. Steps go through
the same comment-level decision as ``tag`` (:meth:`steplens.pipeline.tagger.Tagger.step_evidence`,
replayed at the tagger's threshold, gives ``tag``'s steps; a test checks), so the numbers are the
product path's. The same evidence, replayed at other cut-offs, says which ``unassigned`` cut-off
would have been best on this sample.

    from steplens.pipeline.evaluation import evaluate, read_labelled
    sample = read_labelled("labelled.csv", tagger.journey)
    result = evaluate(tagger, sample)
    result.accuracy, result.best.threshold
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from steplens.pipeline.agreement import cohen_kappa, effort_agreement
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import UNASSIGNED, Journey
from steplens.pipeline.language import ENGLISH
from steplens.pipeline.signals import EFFORT_LABELS, SENTIMENT_LABELS
from steplens.pipeline.steps.comment import CommentRule

if TYPE_CHECKING:
    from steplens.pipeline.tagger import CommentEvidence, Tagger

LABEL_SEPARATORS = re.compile(r"[;|]")
"""Several steps in one label cell: ``delivery;returns`` or ``delivery|returns``."""
CUTOFFS = tuple(round(0.02 + 0.01 * i, 2) for i in range(97))
"""The ``unassigned`` cut-offs tried for the best one: 0.02 to 0.98."""
CONFUSIONS_SHOWN = 10
EXAMPLE_CHARS = 200
BATCH = 256


@dataclass(frozen=True)
class LabelledSample:
    """Unique texts of a labelled file with their gold steps and, where given, signals."""

    texts: list[str]
    gold: list[frozenset[str]]
    rows: list[int]
    """The data row (1 = first row after the header) where each text first appears."""
    sentiment: list[str | None] | None = None
    effort: list[str | None] | None = None
    skipped: dict[str, list[int]] = field(default_factory=dict)
    """Why rows were left out (no text, no label), with their data rows."""


@dataclass(frozen=True)
class StepMetrics:
    """One step (or ``unassigned``): how often it was labelled, predicted, and right."""

    step: str
    labelled: int
    predicted: int
    precision: float | None
    recall: float | None
    f1: float | None


@dataclass(frozen=True)
class Example:
    """A text of the sample, with its data row."""

    row: int
    text: str


@dataclass(frozen=True)
class Confusion:
    """Texts labelled ``gold`` whose main step came out ``predicted``."""

    gold: str
    predicted: str
    count: int
    examples: list[Example]


@dataclass(frozen=True)
class CutoffPoint:
    """Main-step accuracy with ``unassigned`` below ``threshold``."""

    threshold: float
    accuracy: float
    unassigned: int
    """Texts left ``unassigned`` at this cut-off."""


@dataclass(frozen=True)
class Agreement:
    """Agreement of predicted and labelled sentiment or effort, over the labelled texts."""

    labelled: int
    accuracy: float
    macro_f1: float
    kappa: float
    confusion: dict[str, dict[str, int]]
    """labelled -> predicted -> count."""
    measures: dict[str, float] = field(default_factory=dict)
    """Effort only: the rubric's signal F1 and quadratic kappa (:func:`effort_agreement`)."""


@dataclass(frozen=True)
class Evaluation:
    """What ``steplens evaluate`` measured; ``to_dict()`` is its JSON."""

    journey: str
    classifier: str
    texts: int
    accuracy: float
    """Main step right: one of the text's labelled steps, or ``unassigned`` for a text
    labelled ``unassigned``."""
    accuracy_interval: tuple[float, float]
    """95% Wilson interval of ``accuracy``."""
    micro_precision: float
    micro_recall: float
    micro_f1: float
    """Over every step listed against every step labelled (``unassigned`` not counted)."""
    multi_step: int
    """Texts listed with two or more steps."""
    steps: list[StepMetrics]
    confusions: list[Confusion]
    threshold: float
    best: CutoffPoint
    curve: list[CutoffPoint]
    sentiment: Agreement | None
    effort: Agreement | None
    skipped: dict[str, list[int]]
    notes: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return asdict(self)


def read_labelled(
    path: str | Path,
    journey: Journey,
    *,
    text_column: str = "text",
    label_column: str = "step",
    sentiment_column: str | None = None,
    effort_column: str | None = None,
    labels_path: str | Path | None = None,
    id_column: str | None = None,
    encoding: str = "utf-8",
) -> LabelledSample:
    """Read a labelled file: labels are checked against ``journey`` (a step id or name, any
    case), and sentiment/effort against their label sets, before any model loads.

    With ``labels_path``, the labels come from that file instead (its ``id_column``, default
    ``id``, and ``label_column``; an id on several rows for several steps), joined to ``path``
    on the same id column. Rows without a text or without a label are left out and listed in
    ``skipped``.
    """
    from steplens.pipeline.tables import as_text, open_table

    joined = labels_path is not None
    table = open_table(
        path,
        text_column=text_column,
        id_column=id_column if joined else None,
        encoding=encoding,
        ids_needed=joined,
    )
    if joined:
        assert labels_path is not None
        if table.ids_are_row_numbers:
            raise SteplensError(
                f"{path}: no 'id' column to join the labels of {labels_path} on; name it with "
                "--id-column"
            )
        by_id = _labels_by_id(labels_path, id_column or "id", label_column, encoding)
    else:
        table.require_column(label_column, "label", "--label-column")
    for column, role, option in (
        (sentiment_column, "sentiment", "--sentiment-column"),
        (effort_column, "effort", "--effort-column"),
    ):
        if column is not None:
            table.require_column(column, role, option)
    steps = _step_lookup(journey)
    order: dict[str, int] = {}
    gold: list[set[str]] = []
    rows: list[int] = []
    sentiment: list[str | None] = []
    effort: list[str | None] = []
    skipped: dict[str, list[int]] = defaultdict(list)
    unknown: dict[str, list[int]] = defaultdict(list)
    bad_signals: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for chunk in table.chunks():
        for offset, (row, text) in enumerate(zip(chunk.rows, chunk.texts, strict=True)):
            number = chunk.start + offset + 1
            text = text.strip()
            cells = (
                by_id.get(as_text(chunk.ids[offset]).strip(), [])
                if joined
                else [as_text(row.get(label_column))]
            )
            labels = [
                part.strip()
                for cell in cells
                for part in LABEL_SEPARATORS.split(cell)
                if part.strip()
            ]
            if not text:
                skipped["no text"].append(number)
                continue
            if not labels:
                skipped["no label"].append(number)
                continue
            found = set()
            for label in labels:
                step = steps.get(label.casefold())
                if step is None:
                    unknown[label].append(number)
                else:
                    found.add(step)
            if text not in order:
                order[text] = len(gold)
                gold.append(set())
                rows.append(number)
                sentiment.append(
                    _signal_label(row, sentiment_column, "sentiment", number, bad_signals)
                )
                effort.append(_signal_label(row, effort_column, "effort", number, bad_signals))
            gold[order[text]] |= found
    if unknown:
        raise SteplensError(_unknown_labels(path, journey, unknown))
    if bad_signals:
        raise SteplensError(_bad_signal_labels(path, bad_signals))
    if not gold:
        reasons = "; ".join(f"{len(r)} with {why}" for why, r in skipped.items()) or "no rows"
        raise SteplensError(f"{path}: no labelled texts to evaluate ({reasons})")
    for label_set in gold:
        if len(label_set) > 1:
            label_set.discard(UNASSIGNED)
    return LabelledSample(
        texts=list(order),
        gold=[frozenset(label_set) for label_set in gold],
        rows=rows,
        sentiment=sentiment if sentiment_column is not None else None,
        effort=effort if effort_column is not None else None,
        skipped=dict(skipped),
    )


def evaluate(
    tagger: Tagger,
    sample: LabelledSample,
    *,
    examples: int = 2,
    on_rows: Callable[[int], None] | None = None,
) -> Evaluation:
    """Tag ``sample`` through ``tagger``'s comment-level decision and compare with its labels.

    Signals are scored (through :meth:`Tagger.tag`) only when the sample has sentiment or
    effort labels and the tagger has a signals model.
    """
    sample = _english_only(sample, tagger.languages(sample.texts))
    evidence: list[CommentEvidence] = []
    signals: list[tuple[str, str | None] | None] = []
    want_signals = tagger.signals is not None and (
        sample.sentiment is not None or sample.effort is not None
    )
    for start in range(0, len(sample.texts), BATCH):
        batch = sample.texts[start : start + BATCH]
        evidence += tagger.step_evidence(batch)
        if want_signals:
            signals += [
                (c.signals.sentiment, c.signals.effort) if c.signals else None
                for c in tagger.tag(batch)
            ]
        if on_rows is not None:
            on_rows(len(batch))
    step_ids = tagger.classifier.step_ids
    threshold = float(tagger.classifier.threshold)
    listed = _listed_steps(evidence, step_ids, CommentRule(threshold=threshold))
    main = [steps[0] if steps else UNASSIGNED for steps in listed]
    hits = [m in g for m, g in zip(main, sample.gold, strict=True)]
    accuracy = float(np.mean(hits))
    micro = _micro(listed, sample.gold)
    curve = [_cutoff(evidence, step_ids, t, sample.gold) for t in CUTOFFS]
    current = _cutoff(evidence, step_ids, threshold, sample.gold)
    best = max(curve, key=lambda p: (round(p.accuracy, 9), -abs(p.threshold - threshold)))
    if best.accuracy <= current.accuracy:
        best = current
    notes = _notes(sample, best, current)
    return Evaluation(
        journey=tagger.journey.name,
        classifier=str(tagger.classifier.describe().get("kind", "step classifier")),
        texts=len(sample.texts),
        accuracy=accuracy,
        accuracy_interval=wilson_interval(sum(hits), len(hits)),
        micro_precision=micro[0],
        micro_recall=micro[1],
        micro_f1=micro[2],
        multi_step=sum(1 for steps in listed if len(steps) > 1),
        steps=_step_metrics(listed, sample.gold, [*step_ids, UNASSIGNED]),
        confusions=_confusions(main, sample, examples),
        threshold=threshold,
        best=best,
        curve=curve,
        sentiment=_agreement(sample.sentiment, [s and s[0] for s in signals], SENTIMENT_LABELS)
        if want_signals
        else None,
        effort=_agreement(sample.effort, [s and s[1] for s in signals], EFFORT_LABELS)
        if want_signals
        else None,
        skipped=sample.skipped,
        notes=notes,
    )


def _labels_by_id(
    path: str | Path, id_column: str, label_column: str, encoding: str
) -> dict[str, list[str]]:
    """Label cells of a labels file by id (an id on several rows has several)."""
    from steplens.pipeline.tables import as_text, open_table

    table = open_table(path, text_column=label_column, id_column=id_column, encoding=encoding)
    found: dict[str, list[str]] = defaultdict(list)
    for chunk in table.chunks():
        for identifier, cell in zip(chunk.ids, chunk.texts, strict=True):
            found[as_text(identifier).strip()].append(cell)
    return found


def _english_only(sample: LabelledSample, languages: Sequence[str]) -> LabelledSample:
    """The sample without the texts not in English (``tag`` leaves them unassigned and
    unscored; they would measure the language rule, not the models), listed in ``skipped``."""
    keep = [i for i, code in enumerate(languages) if code == ENGLISH]
    if len(keep) == len(sample.texts):
        return sample
    if not keep:
        raise SteplensError("no labelled text is in English; steplens reads English only")
    dropped = sorted(sample.rows[i] for i in range(len(sample.texts)) if languages[i] != ENGLISH)

    def pick(values: list[Any] | None) -> list[Any] | None:
        return None if values is None else [values[i] for i in keep]

    return LabelledSample(
        texts=[sample.texts[i] for i in keep],
        gold=[sample.gold[i] for i in keep],
        rows=[sample.rows[i] for i in keep],
        sentiment=pick(sample.sentiment),
        effort=pick(sample.effort),
        skipped={**sample.skipped, "text not in English": dropped},
    )


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default)."""
    if total == 0:
        return (0.0, 1.0)
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return (round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))


def _step_lookup(journey: Journey) -> dict[str, str]:
    lookup = {UNASSIGNED: UNASSIGNED}
    for step in journey.steps:
        lookup[step.name.casefold()] = step.id
        lookup[step.id.casefold()] = step.id
    return lookup


SIGNAL_LABELS: dict[str, tuple[str, ...]] = {
    "sentiment": SENTIMENT_LABELS,
    "effort": EFFORT_LABELS,
}


def _signal_label(
    row: dict[str, Any],
    column: str | None,
    role: str,
    number: int,
    bad: dict[str, list[tuple[int, str]]],
) -> str | None:
    """A sentiment or effort label, lower-cased; a value outside the role's labels is noted."""
    from steplens.pipeline.tables import as_text

    if column is None:
        return None
    value = as_text(row.get(column)).strip()
    if not value:
        return None
    if value.casefold() not in SIGNAL_LABELS[role]:
        bad[f"{role} column {column!r}"].append((number, value))
        return None
    return value.casefold()


def _rows_text(rows: Sequence[int], shown: int = 5) -> str:
    listed = ", ".join(map(str, rows[:shown]))
    return f"data row{'s' if len(rows) > 1 else ''} {listed}" + (
        f" and {len(rows) - shown} more" if len(rows) > shown else ""
    )


def _unknown_labels(path: str | Path, journey: Journey, unknown: dict[str, list[int]]) -> str:
    choices = [*journey.step_ids, UNASSIGNED]
    parts = []
    for label, rows in sorted(unknown.items(), key=lambda item: -len(item[1])):
        close = difflib.get_close_matches(label.casefold(), choices, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        parts.append(f"{label!r} in {_rows_text(rows)}{hint}")
    return (
        f"{path}: labels that are not steps of journey {journey.name!r}: {'; '.join(parts)}. "
        f"The journey's steps are: {', '.join(journey.step_ids)} (and {UNASSIGNED!r} for "
        "comments about none); a step's name works too"
    )


def _bad_signal_labels(path: str | Path, bad: dict[str, list[tuple[int, str]]]) -> str:
    parts = []
    for where, found in bad.items():
        values = Counter(value for _, value in found)
        rows = [number for number, _ in found]
        expected = SIGNAL_LABELS[where.split()[0]]
        parts.append(
            f"the {where} has {', '.join(repr(v) for v in values)} in {_rows_text(rows)}; "
            f"expected one of {', '.join(expected)} (or empty)"
        )
    return f"{path}: " + "; ".join(parts)


def _listed_steps(
    evidence: Sequence[CommentEvidence], step_ids: Sequence[str], rule: CommentRule
) -> list[list[str]]:
    """Each comment's listed steps (main step first) under ``rule``."""
    listed = []
    for item in evidence:
        decided = item.decide(rule)
        listed.append([step_ids[column] for column, _ in decided.steps])
    return listed


def _cutoff(
    evidence: Sequence[CommentEvidence],
    step_ids: Sequence[str],
    threshold: float,
    gold: Sequence[frozenset[str]],
) -> CutoffPoint:
    listed = _listed_steps(evidence, step_ids, CommentRule(threshold=threshold))
    main = [steps[0] if steps else UNASSIGNED for steps in listed]
    accuracy = float(np.mean([m in g for m, g in zip(main, gold, strict=True)]))
    return CutoffPoint(round(threshold, 4), accuracy, sum(m == UNASSIGNED for m in main))


def _micro(
    listed: Sequence[Sequence[str]], gold: Sequence[frozenset[str]]
) -> tuple[float, float, float]:
    true_positive = predicted = labelled = 0
    for steps, labels in zip(listed, gold, strict=True):
        own = set(steps)
        wanted = labels - {UNASSIGNED}
        true_positive += len(own & wanted)
        predicted += len(own)
        labelled += len(wanted)
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / labelled if labelled else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _step_metrics(
    listed: Sequence[Sequence[str]], gold: Sequence[frozenset[str]], steps: Sequence[str]
) -> list[StepMetrics]:
    predicted_sets = [set(s) if s else {UNASSIGNED} for s in listed]
    result = []
    for step in steps:
        labelled = sum(step in g for g in gold)
        predicted = sum(step in p for p in predicted_sets)
        both = sum(step in g and step in p for g, p in zip(gold, predicted_sets, strict=True))
        precision = both / predicted if predicted else None
        recall = both / labelled if labelled else None
        f1 = None
        if precision is not None and recall is not None:
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if labelled or predicted:
            result.append(StepMetrics(step, labelled, predicted, precision, recall, f1))
    return result


def _confusions(main: Sequence[str], sample: LabelledSample, examples: int) -> list[Confusion]:
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (step, labels) in enumerate(zip(main, sample.gold, strict=True)):
        if step not in labels:
            found[("+".join(sorted(labels)), step)].append(index)
    ranked = sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))[:CONFUSIONS_SHOWN]
    return [
        Confusion(
            gold,
            predicted,
            len(indices),
            [
                Example(sample.rows[i], _clip(sample.texts[i]))
                for i in sorted(indices, key=lambda i: len(sample.texts[i]))[:examples]
            ],
        )
        for (gold, predicted), indices in ranked
    ]


def _agreement(
    gold: Sequence[str | None] | None,
    predicted: Sequence[str | None],
    labels: Sequence[str],
) -> Agreement | None:
    if gold is None:
        return None
    pairs = [(g, p) for g, p in zip(gold, predicted, strict=True) if g is not None and p]
    if not pairs:
        return None
    index = {label: k for k, label in enumerate(labels)}
    g = np.array([index[a] for a, _ in pairs], dtype=np.int64)
    p = np.array([index[str(b)] for _, b in pairs], dtype=np.int64)
    f1s = []
    for k in sorted(set(g.tolist())):
        tp = float(np.sum((g == k) & (p == k)))
        precision = tp / max(float(np.sum(p == k)), 1.0)
        recall = tp / float(np.sum(g == k))
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    confusion: dict[str, dict[str, int]] = {}
    for a, b in pairs:
        confusion.setdefault(a, {}).setdefault(str(b), 0)
        confusion[a][str(b)] += 1
    measures = effort_agreement(g, p) if tuple(labels) == EFFORT_LABELS else {}
    return Agreement(
        labelled=len(pairs),
        accuracy=float(np.mean(g == p)),
        macro_f1=float(np.mean(f1s)),
        kappa=cohen_kappa(g, p, len(labels)),
        confusion=confusion,
        measures={name: round(float(value), 4) for name, value in measures.items()},
    )


def _notes(sample: LabelledSample, best: CutoffPoint, current: CutoffPoint) -> list[str]:
    notes = []
    if not any(UNASSIGNED in labels for labels in sample.gold):
        notes.append(
            "No text is labelled 'unassigned', so the lowest cut-off (assign everything) can only "
            "look better here; label some off-topic comments 'unassigned' to choose a cut-off."
        )
    if best.threshold != current.threshold and any(UNASSIGNED in g for g in sample.gold):
        notes.append(
            f"On this sample a cut-off of {best.threshold:.2f} would have been right "
            f"{best.accuracy:.1%} of the time against {current.accuracy:.1%}: try it with "
            f"`steplens tag --threshold {best.threshold:.2f}`. It was chosen on these "
            f"{len(sample.texts)} texts, so expect less on new ones."
        )
    return notes


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXAMPLE_CHARS else flat[: EXAMPLE_CHARS - 1] + "…"
