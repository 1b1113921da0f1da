"""Compare signals model directories on the development texts every training run shares.

Runs with different ``--sst2-sample`` sizes draw different SST-2 subsets, so SST-2 is left out;
every other source is split identically (same seed), so this comparison is fair across runs and
never touches a test split. Effort is also scored on the development texts from the second
labelling round alone (``*_round2``): a model trained before that round never saw any of them,
while the rest of today's effort dev split may overlap an older run's training texts.

Each model after the first also gets a paired bootstrap of its score difference against the
first (the development texts resampled with replacement, the same draw for both models): a
95% interval and the share of draws in which it scores higher. About 100 development texts
carry effort, so a score difference of a point or two is often inside the noise.

    python -m training.signals_compare models/signals /tmp/other-run [...]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pipeline.encoder import load_encoder
from pipeline.signals import effort_agreement, load_signals_model, macro_recall
from training.effort_pool import round_texts
from training.signals import SignalsSettings, load_data


@dataclass(frozen=True)
class DevPredictions:
    """One model's predicted classes on the shared development texts, beside the gold ones."""

    sentiment_gold: NDArray[np.int64]
    sentiment: NDArray[np.int64]
    effort_gold: NDArray[np.int64]
    effort: NDArray[np.int64]

    def score(
        self,
        sentiment_rows: NDArray[np.int64] | None = None,
        effort_rows: NDArray[np.int64] | None = None,
    ) -> float:
        """Mean of sentiment macro-recall, effort signal F1 and QWK (floored at 0), on some rows."""
        s = slice(None) if sentiment_rows is None else sentiment_rows
        e = slice(None) if effort_rows is None else effort_rows
        recall = macro_recall(self.sentiment_gold[s], self.sentiment[s], 3)
        agreement = effort_agreement(self.effort_gold[e], self.effort[e])
        return float(np.mean([recall, agreement["signal_f1"], max(agreement["qwk"], 0.0)]))


def paired_bootstrap(
    base: DevPredictions, other: DevPredictions, draws: int = 1000, seed: int = 0
) -> dict[str, float]:
    """``other``'s score minus ``base``'s over resampled texts: a 95% interval and P(better)."""
    rng = np.random.default_rng(seed)
    n_sentiment, n_effort = len(base.sentiment_gold), len(base.effort_gold)
    differences = np.empty(draws)
    for k in range(draws):
        s = rng.integers(0, n_sentiment, n_sentiment)
        e = rng.integers(0, n_effort, n_effort)
        differences[k] = other.score(s, e) - base.score(s, e)
    low, high = np.percentile(differences, [2.5, 97.5])
    return {
        "score_difference": other.score() - base.score(),
        "difference_low": float(low),
        "difference_high": float(high),
        "share_better": float(np.mean(differences > 0)),
    }


def compare(directories: Sequence[str], seed: int = 0) -> list[dict[str, float | str]]:
    """Development metrics of each model directory (see the module docstring)."""
    data = load_data(SignalsSettings(seed=seed))
    dev = data.sentiment_dev
    keep = [i for i, source in enumerate(dev.sources) if source != "sst2"]
    texts = [t[1] if isinstance(t, tuple) else t for t in (dev.inputs[i] for i in keep)]
    steps = [t[0] if isinstance(t, tuple) else None for t in (dev.inputs[i] for i in keep)]
    gold = dev.targets[keep]
    sources = np.array([dev.sources[i] for i in keep])
    effort_texts = [t if isinstance(t, str) else t[1] for t in data.effort_dev.inputs]
    fresh = round_texts(2)
    new = np.array([text in fresh for text in effort_texts])
    encoder = load_encoder()
    results: list[dict[str, float | str]] = []
    predictions: list[DevPredictions] = []
    for directory in directories:
        model = load_signals_model(directory, encoder)
        predicted = model.predict_proba(texts, steps)[0].argmax(axis=1)
        effort = model.predict_proba(effort_texts)[1].argmax(axis=1)
        agreement = effort_agreement(data.effort_dev.targets, effort)
        recall = macro_recall(gold, predicted, 3)
        row: dict[str, float | str] = {"model": directory, "sentiment_macro_recall": recall}
        for source in ("tweeteval", "mams"):
            chosen = sources == source
            row[f"{source}_accuracy"] = float(np.mean(predicted[chosen] == gold[chosen]))
        row["effort_signal_f1"] = agreement["signal_f1"]
        row["effort_qwk"] = agreement["qwk"]
        if new.any():
            later = effort_agreement(data.effort_dev.targets[new], effort[new])
            row["effort_signal_f1_round2"] = later["signal_f1"]
            row["effort_qwk_round2"] = later["qwk"]
        predictions.append(DevPredictions(gold, predicted, data.effort_dev.targets, effort))
        row["score"] = predictions[-1].score()
        if len(predictions) > 1:
            row.update(paired_bootstrap(predictions[0], predictions[-1], seed=seed))
        results.append(row)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Print one line per model directory."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("directories", nargs="+")
    args = parser.parse_args(argv)
    for row in compare(args.directories):
        print(
            " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items())
        )


if __name__ == "__main__":
    main()
