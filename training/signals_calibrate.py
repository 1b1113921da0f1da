"""Calibrate the effort head's four levels on development data (a bias per level).

The effort head is trained with class weights on data where ``none`` is three in four texts and
``low`` under 5%, so its decision boundaries need not sit where the rubric's measures (signal
F1 and QWK among low / moderate / high) are best: the shipped model almost never said ``low``.
:func:`calibrate_effort_bias` adds one offset per level to the head's bias, chosen on the
development split (never the test split) by a grid search that maximises the mean of signal F1
and QWK averaged over bootstrap resamples of the development texts, so the choice does not
hinge on a handful of texts; among near-ties the smallest offsets win.

    python -m steplens.training.signals_calibrate models/signals

(in place; ``steplens.training.signals`` runs it)
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from steplens.pipeline.agreement import effort_agreement
from steplens.pipeline.signals import HEAD_SCALE

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.training.signals_settings import TaskData

GRID = tuple(np.round(np.arange(-1.5, 1.51, 0.25), 2))
TIE = 0.002


@dataclass(frozen=True)
class EffortCalibration:
    """Offsets added to the effort head's bias (none, low, moderate, high), and the development
    measure before and after."""

    offsets: tuple[float, float, float, float]
    before: float
    after: float
    texts: int


def effort_measure(gold: NDArray[np.int64], predicted: NDArray[np.int64]) -> float:
    """Mean of signal F1 and QWK (floored at 0): the effort half of the epoch rule."""
    agreement = effort_agreement(gold, predicted)
    return float(np.mean([agreement["signal_f1"], max(agreement["qwk"], 0.0)]))


def calibrate_effort_bias(
    logits: NDArray[np.float32],
    gold: NDArray[np.int64],
    *,
    draws: int = 30,
    seed: int = 0,
) -> EffortCalibration:
    """The per-level offsets (``none`` fixed at 0) that maximise the bootstrapped measure."""
    rng = np.random.default_rng(seed)
    samples = [rng.integers(0, len(gold), len(gold)) for _ in range(draws)]
    candidates = []
    for low, moderate, high in itertools.product(GRID, GRID, GRID):
        offsets = np.array([0.0, low, moderate, high], dtype=np.float32)
        predicted = (logits + offsets).argmax(axis=1)
        score = float(np.mean([effort_measure(gold[s], predicted[s]) for s in samples]))
        candidates.append((score, -float(np.abs(offsets).sum()), (0.0, low, moderate, high)))
    best_score = max(c[0] for c in candidates)
    near = [c for c in candidates if c[0] >= best_score - TIE]
    _, _, chosen = max(near, key=lambda c: c[1])
    offsets = np.array(chosen, dtype=np.float32)
    return EffortCalibration(
        offsets=tuple(float(x) for x in chosen),  # type: ignore[arg-type]
        before=effort_measure(gold, logits.argmax(axis=1)),
        after=effort_measure(gold, (logits + offsets).argmax(axis=1)),
        texts=len(gold),
    )


def effort_logits(
    embeddings: NDArray[np.float32], weight: NDArray[np.float32], bias: NDArray[np.float32]
) -> NDArray[np.float32]:
    """The effort head's logits, as :class:`steplens.pipeline.signals.SignalsModel` computes
    them."""
    result: NDArray[np.float32] = ((embeddings * HEAD_SCALE) @ weight.T + bias).astype(np.float32)
    return result


def calibrate_model(directory: Path, dev: TaskData | None = None) -> EffortCalibration:
    """Calibrate a saved signals model's effort levels in place, on its development split.

    ``dev``: the effort development texts, when the caller has them (training does); else the
    split is rebuilt from the settings saved with the model (the same ``--split-seed``), so no
    text the model trained on is used, and no test text.
    """
    from steplens.pipeline.encoder import load_encoder
    from steplens.pipeline.signals import load_signals_model
    from steplens.pipeline.weights import save_weights
    from steplens.training.signals_settings import SignalsSettings, load_data

    model = load_signals_model(directory, load_encoder())
    if dev is None:
        known = set(SignalsSettings.__dataclass_fields__)
        saved = model.info.get("settings", {})
        settings = SignalsSettings(**{k: v for k, v in saved.items() if k in known})
        dev = load_data(settings).effort_dev
    texts = [t if isinstance(t, str) else t[1] for t in dev.inputs]
    embeddings = model.encoder.encode(texts)
    logits = effort_logits(embeddings, model.heads["effort.weight"], model.heads["effort.bias"])
    result = calibrate_effort_bias(logits, dev.targets)
    heads = dict(model.heads)
    heads["effort.bias"] = (heads["effort.bias"] + np.array(result.offsets)).astype(np.float32)
    save_weights(heads, Path(directory) / "heads.safetensors")
    config_path = Path(directory) / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config.setdefault("info", {})["effort_calibration"] = asdict(result)
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return result


def main(argv: Sequence[str] | None = None) -> None:
    """Calibrate a model directory and print what changed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    result = calibrate_model(args.directory)
    print(
        f"effort offsets (none, low, moderate, high) {result.offsets}: development measure "
        f"{result.before:.3f} -> {result.after:.3f} on {result.texts} texts"
    )


if __name__ == "__main__":
    main()
