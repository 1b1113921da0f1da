"""Compare signals model directories on the development texts every training run shares.

Runs with different ``--sst2-sample`` sizes draw different SST-2 subsets, so SST-2 is left out;
every other source is split identically (same seed), so this comparison is fair across runs and
never touches a test split. Effort is also scored on the development texts from the second
labelling round alone (``*_round2``): a model trained before that round never saw any of them,
while the rest of today's effort dev split may overlap an older run's training texts.

    python -m training.signals_compare models/signals /tmp/other-run [...]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from pipeline.encoder import load_encoder
from pipeline.signals import effort_agreement, load_signals_model, macro_recall
from training.effort_pool import round_texts
from training.signals import SignalsSettings, load_data


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
        row["score"] = float(np.mean([recall, agreement["signal_f1"], max(agreement["qwk"], 0)]))
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
