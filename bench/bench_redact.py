"""PII redaction: recall and precision per kind, speed, and what redaction costs in accuracy.

    python -m bench.bench_redact [--only pii,speed,accuracy] [--seed 0] [--tweets 2000]
                                 [--speed-texts 2000] [--show-misses] [--write-docs]

- **pii**: the test set of ``bench/pii_testset.py`` (real texts with planted PII and decoys),
  span level. A planted value is *found* when placeholders of its kind cover every character of
  it; a detection is *correct* when it overlaps a planted value of its kind, or real PII of the
  same kind that a person found in the base texts. "covered (any kind)" counts a planted value
  as covered by placeholders of any kind (what matters for privacy).
- **speed**: texts/s on the test set's texts (cycled to ``--speed-texts``): the redactor
  (regexes, then spaCy NER with only the ``ner`` component, ``nlp.pipe`` in batches of 64,
  lowercase texts skipped), the regexes alone, and the obvious implementation as the baseline:
  the full en_core_web_sm pipeline and ``nlp(text)`` per text, with the same regexes and the
  same filters on its PERSON entities ("same spans" compares their outputs).
- **accuracy**: the public benchmarks the project reports (bench_steps, bench_signals), scored
  on the original texts and on the redacted texts with the same classifiers, in points. Step
  heads are trained on a 10-per-label sample of the training split (seed 0) to keep the run
  short; TweetEval test is a seeded sample of ``--tweets`` tweets.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from bench.pii_testset import KINDS, STRUCTURED, Example, build
from bench.report import DocsSection, Row, Table, target_note
from steplens.pipeline.redact import Redaction, Redactor, build_redactor

PARTS = ("pii", "speed", "accuracy")
SECTION = DocsSection(
    "redact",
    "## PII redaction\n\n"
    "Written by `python -m bench.bench_redact --write-docs`. The test set is "
    "`bench/pii_testset.py` (seed 0): real complaint tweets, dialogue turns and reviews with "
    "generated PII planted at recorded spans, and decoys; see docs/security.md.",
    PARTS,
)
PLANTED, FOUND, RECALL, DETECTIONS, PRECISION = (
    *("planted", "found", "recall", "detections", "precision"),
)
COVERED = "covered (any kind)"
TEXTS_PER_S, RATIO, SAME = "texts/s", "x baseline", "same spans as baseline"
STRUCTURED_TARGET = 0.95


# --- pii -------------------------------------------------------------------------------------


def _covered(start: int, end: int, text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether every non-space character of text[start:end] lies in one of ``spans``."""
    return all(text[i].isspace() or any(a <= i < b for a, b in spans) for i in range(start, end))


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in spans)


def score(
    examples: Sequence[Example], redactions: Sequence[Redaction]
) -> tuple[dict[str, Counter[str]], list[tuple[str, str, str]]]:
    """Counts per kind (planted, found, covered, detections, correct) and the misses
    (kind, value, text) and false detections ("false " + kind, detected text, text)."""
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    problems: list[tuple[str, str, str]] = []
    for example, redaction in zip(examples, redactions, strict=True):
        by_kind: dict[str, list[tuple[int, int]]] = {kind: [] for kind in KINDS}
        for span in redaction.spans:
            by_kind[span.kind].append((span.start, span.end))
        every = [(s.start, s.end) for s in redaction.spans]
        for planted in example.planted:
            count = counts[planted.kind]
            count[PLANTED] += 1
            if _covered(planted.start, planted.end, example.text, by_kind[planted.kind]):
                count[FOUND] += 1
            else:
                problems.append((planted.kind, planted.value, example.text))
            count[COVERED] += _covered(planted.start, planted.end, example.text, every)
        truth = [*example.planted, *example.known]
        for span in redaction.spans:
            if _overlaps(span.start, span.end, list(example.ignore)):
                continue
            counts[span.kind][DETECTIONS] += 1
            same = [(p.start, p.end) for p in truth if p.kind == span.kind]
            if _overlaps(span.start, span.end, same):
                counts[span.kind]["correct"] += 1
            else:
                detected = example.text[span.start : span.end]
                problems.append((f"false {span.kind}", detected, example.text))
    return counts, problems


def run_pii(seed: int, show_misses: bool) -> Table:
    """Recall and precision per kind on the planted test set."""
    examples = build(seed)
    redactor = build_redactor()
    started = time.perf_counter()
    redactions = redactor.redact_many([e.text for e in examples])
    seconds = time.perf_counter() - started
    counts, problems = score(examples, redactions)
    table = Table(
        "pii",
        f"Recall and precision per kind ({len(examples)} texts, seed {seed})",
        (PLANTED, FOUND, RECALL, DETECTIONS, PRECISION, COVERED),
    )
    totals: Counter[str] = Counter()
    for kind in KINDS:
        count = counts[kind]
        if kind in STRUCTURED:
            totals.update(count)
        table.rows.append(Row(kind, "ours", _metrics(count), seconds))
    table.rows.append(Row("structured (all six)", "ours", _metrics(totals), seconds))
    name = _metrics(counts["name"])
    worst = min(_metrics(counts[kind])[RECALL] for kind in STRUCTURED)
    table.notes += [
        target_note("lowest structured recall", worst, STRUCTURED_TARGET),
        f"names (spaCy en_core_web_sm NER): precision {name[PRECISION]:.3f}, recall "
        f"{name[RECALL]:.3f}; a name counts as found only when all of it is covered",
        f"{sum(len(e.planted) for e in examples)} planted values in "
        f"{sum(1 for e in examples if e.planted)} texts; "
        f"{sum(1 for e in examples if not e.planted)} texts hold only decoys; the base texts' "
        f"own PII ({sum(len(e.known) for e in examples)} uses) counts for precision only",
        "seconds: the whole set through one redact_many call",
    ]
    if show_misses:
        for kind, value, text in sorted(problems):
            print(f"{kind:>14}  {value!r}  <- {text[:160]!r}", file=sys.stderr)
    return table


def _metrics(count: Counter[str]) -> dict[str, float]:
    return {
        PLANTED: float(count[PLANTED]),
        FOUND: float(count[FOUND]),
        RECALL: count[FOUND] / max(count[PLANTED], 1),
        DETECTIONS: float(count[DETECTIONS]),
        PRECISION: count["correct"] / max(count[DETECTIONS], 1),
        COVERED: count[COVERED] / max(count[PLANTED], 1),
    }


# --- speed -----------------------------------------------------------------------------------


class ObviousRedactor:
    """The baseline: the full spaCy pipeline, one ``nlp(text)`` per text, the same rules."""

    def __init__(self, reference: Redactor) -> None:
        import spacy

        from steplens.pipeline.segment import SPACY_MODEL

        assert reference.names is not None
        self.nlp = spacy.load(SPACY_MODEL)
        self.reference = reference
        self.names = reference.names

    def redact_many(self, texts: Sequence[str]) -> list[Redaction]:
        from steplens.pipeline.redact import PiiSpan, apply_spans
        from steplens.pipeline.redact.redactor import _merge

        results = []
        for text in texts:
            spans = self.reference._structured(text)
            if text:
                names = self.names._names(self.nlp(text))
                spans += [PiiSpan("name", a, b) for a, b in names]
            merged = _merge(spans)
            results.append(Redaction(apply_spans(text, merged), merged))
        return results


def run_speed(seed: int, count: int) -> Table:
    """texts/s: the redactor, the regexes alone, the obvious implementation."""
    examples = build(seed)
    texts = [examples[i % len(examples)].text for i in range(count)]
    ours = build_redactor()
    regexes = build_redactor(names_with_ner=False)
    baseline = ObviousRedactor(ours)
    ours.redact_many(texts[:50])  # warm up each (first calls allocate)
    baseline.redact_many(texts[:50])
    table = Table(
        "speed", f"Redaction speed on {count:,} test-set texts", (TEXTS_PER_S, RATIO, SAME)
    )
    results: dict[str, tuple[list[Redaction], float]] = {}
    methods: dict[str, Callable[[Sequence[str]], list[Redaction]]] = {
        "baseline: full spaCy pipeline, nlp(text) per text": baseline.redact_many,
        "ours: regexes + NER only, nlp.pipe": ours.redact_many,
        "regexes only (names off)": regexes.redact_many,
    }
    for method, run in methods.items():
        started = time.perf_counter()
        output = run(texts)
        results[method] = (output, time.perf_counter() - started)
    base_output, base_seconds = next(iter(results.values()))
    for method, (output, seconds) in results.items():
        same = np.mean([a.spans == b.spans for a, b in zip(output, base_output, strict=True)])
        table.rows.append(
            Row(
                "test set",
                method,
                {TEXTS_PER_S: count / seconds, RATIO: base_seconds / seconds, SAME: float(same)},
                seconds,
            )
        )
    table.notes += [
        "the NER component of en_core_web_sm has its own tok2vec, so loading only it gives the "
        "same entities as the full pipeline; texts without a capital letter skip NER",
        "same spans: ours runs NER on the text with the structured PII already replaced, the "
        "baseline on the original text, which changes the names found in a few texts",
    ]
    return table


# --- accuracy --------------------------------------------------------------------------------


_REDACTION_SECONDS: list[float] = []


def _redacted(redactor: Redactor, texts: Sequence[str]) -> tuple[list[str], float]:
    """The redacted texts and the share of texts redaction changed (time kept for the table)."""
    started = time.perf_counter()
    out = [r.text for r in redactor.redact_many(texts)]
    _REDACTION_SECONDS.append(time.perf_counter() - started)
    return out, float(np.mean([a != b for a, b in zip(out, texts, strict=True)]))


def _encode_pair(encoder: Any, texts: Sequence[str], redacted: Sequence[str]) -> tuple[Any, Any]:
    """Embeddings of the originals and of the redacted texts (only changed texts re-encoded)."""
    original = encoder.encode(list(texts))
    changed = [i for i, (a, b) in enumerate(zip(texts, redacted, strict=True)) if a != b]
    after = original.copy()
    if changed:
        after[changed] = encoder.encode([redacted[i] for i in changed])
    return original, after


def run_accuracy(tweets: int) -> Table:
    """Each accuracy benchmark on the original and the redacted texts, same models."""
    from bench.bench_signals import gold_sentiment
    from bench.bench_steps import comment_metrics, gold_ids, journey_for, load_sample
    from bench.datasets import banking77, banking77_labels, clinc150, clinc150_labels, few_shot
    from steplens.pipeline.agreement import effort_agreement, macro_recall
    from steplens.pipeline.journey import UNASSIGNED, load_journey
    from steplens.pipeline.minilm import base_encoder
    from steplens.pipeline.signals import EFFORT_LABELS, load_default_signals_model
    from steplens.pipeline.steps.base import decide
    from steplens.pipeline.steps.head_training import train_step_classifier
    from steplens.pipeline.steps.zero_shot import ZeroShotStepClassifier
    from steplens.pipeline.tagger import build_tagger
    from steplens.training.signals_data import effort, sst2, tweeteval

    base = build_redactor()
    encoder = base_encoder("fp32")
    results: dict[str, tuple[float, float, float, int, float]] = {}

    def record(name: str, before: float, after: float, changed: float, n: int) -> None:
        results[name] = (before, after, changed, n, _REDACTION_SECONDS[-1])
        print(f"  {name}: {before:.4f} -> {after:.4f} ({changed:.1%} changed)", file=sys.stderr)

    # Banking77: zero-shot from the label names, and a head trained on 10 per label.
    journey, to_id = journey_for("banking77", banking77_labels(), ids_from_names=True)
    redactor = base.for_journey(journey)
    test = banking77("test")
    redacted, changed = _redacted(redactor, test.texts)
    gold = gold_ids(test, to_id)
    x, x_red = _encode_pair(encoder, test.texts, redacted)
    zero = ZeroShotStepClassifier(journey, encoder)
    sample = few_shot(banking77("train"), 10, 0)
    head = train_step_classifier(
        journey, sample.texts, gold_ids(sample, to_id), encoder, background=False
    )[0]
    ids = journey.step_ids
    for name, model in (("zero-shot", zero), ("10-shot head", head)):
        before, after = (
            float(np.mean([ids[i] == g for i, g in zip(p.argmax(1), gold, strict=True)]))
            for p in (model.predict_proba(x), model.predict_proba(x_red))
        )
        record(f"Banking77 test top-1, {name}", before, after, changed, len(gold))

    # CLINC150: in-scope accuracy and out-of-scope recall with a 10-shot head.
    journey, to_id = journey_for("clinc150", clinc150_labels())
    redactor = base.for_journey(journey)
    test, oos = clinc150("test"), clinc150("oos_test")
    texts = [*test.texts, *oos.texts]
    gold = [*gold_ids(test, to_id), *[UNASSIGNED] * len(oos)]
    redacted, changed = _redacted(redactor, texts)
    x, x_red = _encode_pair(encoder, texts, redacted)
    sample = few_shot(clinc150("train"), 10, 0)
    head = train_step_classifier(
        journey, sample.texts, gold_ids(sample, to_id), encoder, background=False
    )[0]
    in_scope = [i for i, g in enumerate(gold) if g != UNASSIGNED]
    scores = []
    for embeddings in (x, x_red):
        probs = head.predict_proba(embeddings)
        decided = [d.step for d in decide(probs, head.step_ids, head.threshold)]
        scores.append(float(np.mean([decided[i] == gold[i] for i in in_scope])))
    record("CLINC150 in-scope accuracy, 10-shot head", *scores, changed, len(texts))

    # The bundled sample through the whole tagger (segmentation, zero-shot steps).
    ecommerce = load_journey("ecommerce")
    tagger = build_tagger(ecommerce, signals=False, precision="fp32")
    texts, references = load_sample()
    redacted, changed = _redacted(base.for_journey(ecommerce), texts)
    f1s = []
    for batch in (texts, redacted):
        tagged = tagger.tag(batch)
        predicted = [{step for step, _ in result.steps} for result in tagged]
        f1s.append(comment_metrics(predicted, [r.step for r in tagged], references)["micro F1"])
    record("sample comment steps micro F1 (tag)", *f1s, changed, len(texts))

    # Sentiment and effort with the shipped signals model.
    model = load_default_signals_model("fp32")
    tweet_set = tweeteval("test")
    tweet_set = random.Random(0).sample(tweet_set, min(tweets, len(tweet_set)))
    for name, examples, metric in (
        (
            f"TweetEval test macro recall ({len(tweet_set):,} sampled)",
            tweet_set,
            lambda p, g: macro_recall(g, p[0].argmax(axis=1), 3),
        ),
        (
            "SST-2 dev accuracy",
            sst2("dev"),
            lambda p, g: float(np.mean((p[0][:, 2] > p[0][:, 0]) == (g == 2))),
        ),
        (
            "effort test signal F1",
            effort("test"),
            lambda p, g: effort_agreement(g, p[1].argmax(axis=1))["signal_f1"],
        ),
    ):
        texts = [e.text for e in examples]
        if name.startswith("effort"):
            gold_array = np.array([EFFORT_LABELS.index(e.label) for e in examples])
        else:
            gold_array = gold_sentiment(examples)
        redacted, changed = _redacted(base, texts)
        probs = model.predict_proba(texts)
        probs_red = _splice(model, probs, texts, redacted)
        record(name, metric(probs, gold_array), metric(probs_red, gold_array), changed, len(texts))

    table = Table(
        "accuracy",
        "Accuracy on original vs redacted texts (same models, same run)",
        ("original", "redacted", "redacted - original (points)", "texts changed"),
    )
    for name, (before, after, changed, n, seconds) in results.items():
        delta = 100 * (after - before)
        metrics = {
            "original": before,
            "redacted": after,
            "redacted - original (points)": delta,
            "texts changed": changed,
        }
        table.rows.append(Row(f"{name} (n={n:,})", "ours", metrics, seconds))
    worst = max(abs(row.metrics["redacted - original (points)"]) for row in table.rows)
    table.notes += [
        target_note("largest change, in points", worst, 1.0, 2, at_most=True),
        "redacted with every kind on, protecting the benchmark journey's vocabulary (the label "
        "names) as `tag --redact` protects its journey's; step heads are trained on a seeded "
        "10-per-label sample of the training split and fixed, so only the evaluated texts change",
        "seconds: redacting the texts; texts changed: the share with at least one placeholder "
        "(TweetEval's are mostly public figures' names)",
    ]
    return table


def _splice(
    model: Any, probs: tuple[Any, Any], texts: Sequence[str], redacted: Sequence[str]
) -> tuple[Any, Any]:
    """The signals model's probabilities for the redacted texts (only changed ones rerun)."""
    changed = [i for i, (a, b) in enumerate(zip(texts, redacted, strict=True)) if a != b]
    sentiment, effort = probs[0].copy(), probs[1].copy()
    if changed:
        new_sentiment, new_effort = model.predict_proba([redacted[i] for i in changed])
        sentiment[changed], effort[changed] = new_sentiment, new_effort
    return sentiment, effort


# --- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Run the parts, print their tables, optionally write them to docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--seed", type=int, default=0, help="test set seed")
    parser.add_argument("--tweets", type=int, default=2000, help="TweetEval test tweets sampled")
    parser.add_argument("--speed-texts", type=int, default=2000)
    parser.add_argument("--show-misses", action="store_true", help="list misses on stderr")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    for part in args.only.split(","):
        if part not in PARTS:
            parser.error(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
        if part == "pii":
            table = run_pii(args.seed, args.show_misses)
        elif part == "speed":
            table = run_speed(args.seed, args.speed_texts)
        else:
            table = run_accuracy(args.tweets)
        SECTION.publish(table, write=args.write_docs)


if __name__ == "__main__":
    main()
