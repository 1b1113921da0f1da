"""Compare signals model directories on the development texts every training run shares.

Every source but SST-2 is split identically (same ``--split-seed``), so this comparison is fair
across runs and never touches a test split. Runs with other ``--sst2-sample`` or
``--sst2-min-words`` values draw other SST-2 subsets, so SST-2 is left out of the score, and its
development accuracy is reported only when every model compared held out the default SST-2
development phrases.

Effort is also scored on the development texts from the second labelling round alone
(``*_round2``): a model trained before that round never saw any of them, while the rest of
today's effort dev split may overlap an older run's training texts.

Each model after the first also gets a paired bootstrap of its differences against the first,
for the score and for each measure (the development texts resampled with replacement, the same
draw for both models): a 95% interval and the share of draws in which it does better. About
100 development texts carry effort, so a difference of a point or two is often inside the noise.

    python -m steplens.training.signals_compare models/signals /tmp/other-run [...]
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from steplens.pipeline.agreement import effort_agreement, macro_recall
from steplens.pipeline.encoder import load_encoder
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.model_view import model_view
from steplens.pipeline.signals import SignalsModel, load_signals_model
from steplens.training.effort_pool import round_texts
from steplens.training.signals import development_score, source_accuracies
from steplens.training.signals_settings import EARLIER_RECIPE, SignalsSettings, load_data

logger = logging.getLogger(__name__)


MEASURES = (
    "sentiment_macro_recall",
    "tweeteval_accuracy",
    "mams_accuracy",
    "sst2_accuracy",
    "effort_signal_f1",
    "effort_qwk",
    "score",
)


@dataclass(frozen=True)
class DevPredictions:
    """One model's predicted classes on the shared development texts, beside the gold ones."""

    sentiment_gold: NDArray[np.int64]
    sentiment: NDArray[np.int64]
    sentiment_sources: NDArray[np.str_]
    effort_gold: NDArray[np.int64]
    effort: NDArray[np.int64]

    def measures(
        self,
        sentiment_rows: NDArray[np.int64] | None = None,
        effort_rows: NDArray[np.int64] | None = None,
    ) -> dict[str, float]:
        """The development measures on some rows (all by default).

        ``score`` is the mean of sentiment macro-recall without SST-2, effort signal F1 and QWK
        (floored at 0): the number the training epoch rule and earlier comparisons use.
        """
        s = np.arange(len(self.sentiment_gold)) if sentiment_rows is None else sentiment_rows
        e = slice(None) if effort_rows is None else effort_rows
        gold, predicted, sources = (
            self.sentiment_gold[s],
            self.sentiment[s],
            self.sentiment_sources[s],
        )
        not_sst2 = sources != "sst2"
        result = {
            "sentiment_macro_recall": macro_recall(gold[not_sst2], predicted[not_sst2], 3),
            **source_accuracies(gold, predicted, sources),
        }
        agreement = effort_agreement(self.effort_gold[e], self.effort[e])
        result["effort_signal_f1"] = agreement["signal_f1"]
        result["effort_qwk"] = agreement["qwk"]
        result["score"] = development_score(
            result["sentiment_macro_recall"], agreement["signal_f1"], agreement["qwk"]
        )
        return result


@dataclass(frozen=True)
class Difference:
    """One measure, other minus base: observed, 95% interval, share of draws other is better."""

    observed: float
    low: float
    high: float
    share_better: float


def paired_bootstrap(
    base: DevPredictions, other: DevPredictions, draws: int = 1000, seed: int = 0
) -> dict[str, Difference]:
    """``other`` minus ``base`` for every measure, over texts resampled the same way for both."""
    rng = np.random.default_rng(seed)
    n_sentiment, n_effort = len(base.sentiment_gold), len(base.effort_gold)
    observed_base, observed_other = base.measures(), other.measures()
    names = [name for name in MEASURES if name in observed_base]
    differences = {name: np.empty(draws) for name in names}
    for k in range(draws):
        s = rng.integers(0, n_sentiment, n_sentiment)
        e = rng.integers(0, n_effort, n_effort)
        first, second = base.measures(s, e), other.measures(s, e)
        for name in names:
            # A resample can miss a small source; count that draw as no difference.
            differences[name][k] = second.get(name, 0.0) - first.get(name, 0.0)
    result = {}
    for name in names:
        low, high = np.percentile(differences[name], [2.5, 97.5])
        result[name] = Difference(
            observed=observed_other[name] - observed_base[name],
            low=float(low),
            high=float(high),
            share_better=float(np.mean(differences[name] > 0)),
        )
    return result


def holds_out_default_sst2(settings: Mapping[str, Any], split_seed: int) -> bool:
    """Whether a run with these training settings held out the default SST-2 dev phrases."""
    # Models from before --split-seed used their one seed for the split too.
    trained_split = settings.get("split_seed", settings.get("seed"))
    default = SignalsSettings(split_seed=split_seed)
    return trained_split == split_seed and all(
        settings.get(name) == getattr(default, name) for name in ("sst2_sample", "sst2_min_words")
    )


def development_settings(
    models: Sequence[SignalsModel], split_seed: int, real_text: bool
) -> SignalsSettings:
    """The settings the development split is drawn with.

    A ``--real-text`` run that sampled its neutral SemEval tweets drew its split from that
    sample, so its development tweets are only unseen by it when the same sample is used: every
    real-text model compared must share it (models trained without the tweets see none of them).
    """
    samples = {
        model.info.get("settings", {}).get("tweet_neutral_sample", 0)
        for model in models
        if model.info.get("settings", {}).get("real_text")
    }
    if len(samples) > 1:
        raise SteplensError(
            "these models drew different neutral SemEval tweet samples "
            f"({', '.join(map(str, sorted(samples)))}), so no development split is unseen by all"
        )
    sample = samples.pop() if samples and real_text else 0
    # Raw development texts (each model reads them raw or as views), and the effort rounds one
    # to three every model so far was compared on: the earlier recipe's data.
    return SignalsSettings(
        **{**EARLIER_RECIPE, "real_text": real_text},
        split_seed=split_seed,
        tweet_neutral_sample=sample,
    )


@dataclass
class Comparison:
    """Each model's development measures, and each later model's differences from the first."""

    models: list[str]
    measures: list[dict[str, float]]
    differences: list[dict[str, Difference]]


def compare(
    directories: Sequence[str],
    split_seed: int = 0,
    draws: int = 1000,
    *,
    real_text: bool = False,
    raw: bool = False,
) -> Comparison:
    """Development measures of each model directory (see the module docstring).

    ``real_text``: the development split of ``--real-text`` training (SemEval tweets, all of
    TweetEval val, review sentences, SXSW brand tweets, Laptop-ACOS besides the rest). ``raw``:
    each model is measured reading the raw texts first, then their model views, so the first
    difference printed is what the view is worth.
    """
    encoder = load_encoder()
    loaded = [load_signals_model(directory, encoder) for directory in directories]
    runs = [
        (f"{directory} ({'model view' if view else 'raw text'})", model, view)
        for directory, model in zip(directories, loaded, strict=True)
        for view in ((False, True) if raw else (True,))
    ]
    models = [model for _, model, _ in runs]
    data = load_data(development_settings(models, split_seed, real_text))
    dev = data.sentiment_dev
    with_sst2 = all(
        holds_out_default_sst2(model.info.get("settings", {}), split_seed) for model in models
    )
    keep = [i for i, source in enumerate(dev.sources) if with_sst2 or source != "sst2"]
    if not with_sst2:
        logger.info("SST-2 left out: not every model held out the default SST-2 dev phrases")
    texts = [t[1] if isinstance(t, tuple) else t for t in (dev.inputs[i] for i in keep)]
    steps = [t[0] if isinstance(t, tuple) else None for t in (dev.inputs[i] for i in keep)]
    gold = dev.targets[keep]
    sources = np.array([dev.sources[i] for i in keep])
    effort_texts = [t if isinstance(t, str) else t[1] for t in data.effort_dev.inputs]
    fresh = {model_view(text) for text in round_texts(2)}  # the dev inputs are model views
    new = np.array([model_view(text) in fresh for text in effort_texts])
    comparison = Comparison(models=[], measures=[], differences=[])
    predictions: list[DevPredictions] = []
    for directory, model, view in runs:
        predicted = model.predict_proba(texts, steps, view=view)[0].argmax(axis=1)
        effort = model.predict_proba(effort_texts, view=view)[1].argmax(axis=1)
        predictions.append(
            DevPredictions(gold, predicted, sources, data.effort_dev.targets, effort)
        )
        measures = predictions[-1].measures()
        if new.any():
            later = effort_agreement(data.effort_dev.targets[new], effort[new])
            measures["effort_signal_f1_round2"] = later["signal_f1"]
            measures["effort_qwk_round2"] = later["qwk"]
        comparison.models.append(str(directory))
        comparison.measures.append(measures)
        if len(predictions) > 1:
            comparison.differences.append(
                paired_bootstrap(predictions[0], predictions[-1], draws=draws)
            )
    return comparison


def main(argv: Sequence[str] | None = None) -> None:
    """Print each model's measures, then each later model's differences from the first."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("directories", nargs="+")
    parser.add_argument("--draws", type=int, default=1000, help="bootstrap resamplings")
    parser.add_argument(
        "--real-text", action="store_true", help="the development split of --real-text training"
    )
    parser.add_argument(
        "--raw", action="store_true", help="also measure each model reading the raw texts"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        result = compare(args.directories, draws=args.draws, real_text=args.real_text, raw=args.raw)
    except SteplensError as error:
        parser.exit(2, f"error: {error}\n")
    for model, measures in zip(result.models, result.measures, strict=True):
        print(f"model={model} " + " ".join(f"{k}={v:.3f}" for k, v in measures.items()))
    base = result.models[0]
    for model, differences in zip(result.models[1:], result.differences, strict=True):
        print(f"\n{model} minus {base} (95% interval; share of {args.draws} draws better):")
        for name, d in differences.items():
            print(
                f"  {name:<24} {d.observed:+.3f}  [{d.low:+.3f}, {d.high:+.3f}]  "
                f"{d.share_better:.2f}"
            )


if __name__ == "__main__":
    main()
