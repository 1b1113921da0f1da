"""A trained step classifier: a linear head on sentence embeddings, loaded and run.

The head is trained by :mod:`steplens.pipeline.steps.head_training` (``steplens train-steps``,
``tag --adapt``); this module holds the model itself: its probabilities, its ``unassigned``
threshold, and saving and loading it.

The model directory is self-contained (see ``save``): ``config.json`` (kind, journey, encoder,
settings, held-out metrics), ``head.safetensors`` (weight and bias), ``journey.yaml``, a
model card ``README.md`` and, when ``steplens.training.steps`` fine-tuned the encoder's top
layers, ``encoder.safetensors`` with those layers. No pickles.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from steplens.pipeline import __version__
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey, journey_from_dict, step_differences
from steplens.pipeline.steps.base import sigmoid, softmax

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import TextEncoder

logger = logging.getLogger(__name__)

MODEL_KIND = "steplens-step-classifier"
FORMAT_VERSION = 1
TUNED_ENCODER_FILE = "encoder.safetensors"


class StepModelError(SteplensError):
    """A step model directory that cannot be used as asked."""


@dataclass
class TrainingReport:
    """What happened during training, shown by the CLI and written to the model card."""

    texts: int
    labels: int
    multi_label: bool
    per_step: dict[str, int]
    negatives: int
    background: int = 0
    regularisation: float = 0.0
    temperature: float = 1.0
    threshold: float = 0.5
    held_out: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class TrainedStepClassifier:
    """A linear head over frozen embeddings, with calibrated probabilities and a threshold."""

    kind = "trained-head"

    def __init__(
        self,
        journey: Journey,
        weight: NDArray[np.float32],
        bias: NDArray[np.float32],
        *,
        multi_label: bool,
        threshold: float,
        temperature: float = 1.0,
        encoder_name: str,
        info: dict[str, Any] | None = None,
        tuned_layers: int = 0,
        tuned_state: dict[str, Any] | None = None,
    ) -> None:
        n_steps = len(journey.steps)
        if weight.shape[0] not in (n_steps, n_steps + 1) or bias.shape != (weight.shape[0],):
            raise StepModelError(
                f"head shape {weight.shape} does not match the journey's {len(journey.steps)} steps"
            )
        self.journey = journey
        self.weight = weight.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.multi_label = multi_label
        self.threshold = threshold
        self.temperature = temperature
        self.encoder_name = encoder_name
        self.info = info or {}
        if bool(tuned_layers) != (tuned_state is not None):
            raise StepModelError("tuned_layers and tuned_state must be given together")
        self.tuned_layers = tuned_layers
        self.tuned_state = tuned_state

    def encoder_for(self, base: TextEncoder) -> TextEncoder:
        """The encoder this head reads: ``base``, or ``base`` with the fine-tuned top layers."""
        if self.tuned_state is None:
            return base
        return base.with_top_layers("steps", self.tuned_state, self.tuned_layers)

    @property
    def step_ids(self) -> list[str]:
        """Step ids in journey order (the columns of the probabilities)."""
        return self.journey.step_ids

    @property
    def encoder_dimension(self) -> int:
        """The embedding length the head was trained on."""
        return int(self.weight.shape[1])

    def predict_proba(self, embeddings: NDArray[np.float32]) -> NDArray[np.float32]:
        """Calibrated probabilities: softmax over steps (and "no step"), or a sigmoid per step."""
        logits = embeddings @ self.weight.T + self.bias
        return head_probabilities(
            logits, self.multi_label, len(self.journey.steps), self.temperature
        )

    def describe(self) -> dict[str, Any]:
        """Kind, journey and settings."""
        return {
            "kind": self.kind,
            "journey": self.journey.name,
            "multi_label": self.multi_label,
            "threshold": self.threshold,
            "temperature": self.temperature,
            "tuned_layers": self.tuned_layers,
            **{k: v for k, v in self.info.items() if k in ("trained_at", "examples", "adapted")},
        }

    def save(self, directory: str | Path, report: TrainingReport | None = None) -> Path:
        """Write the self-contained model directory; returns its path."""
        from steplens.pipeline.weights import save_weights

        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        save_weights({"weight": self.weight, "bias": self.bias}, folder / "head.safetensors")
        tuned_file = folder / TUNED_ENCODER_FILE
        if self.tuned_state is not None:
            from steplens.pipeline.encoder import save_top_layers

            save_top_layers(self.tuned_state, tuned_file)
        elif tuned_file.exists():
            tuned_file.unlink()  # a retrained frozen model must not pick up stale layers
        journey_data = self.journey.model_dump(mode="json", exclude_defaults=False)
        (folder / "journey.yaml").write_text(
            yaml.safe_dump(journey_data, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        config = {
            "kind": MODEL_KIND,
            "format_version": FORMAT_VERSION,
            "steplens_version": __version__,
            "head": "sigmoid" if self.multi_label else "softmax",
            "threshold": self.threshold,
            "temperature": self.temperature,
            "journey": {"name": self.journey.name, "steps": self.journey.step_ids},
            "encoder": {
                "name": self.encoder_name,
                "dimension": self.encoder_dimension,
                "tuned_layers": self.tuned_layers,
            },
            "info": self.info,
        }
        if report is not None:
            config["training"] = _report_dict(report)
        (folder / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        (folder / "README.md").write_text(_model_card(self, report), encoding="utf-8")
        return folder


def load_step_model(
    directory: str | Path, *, journey: Journey | None = None, encoder_name: str | None = None
) -> TrainedStepClassifier:
    """Load a model directory; refuse it when the journey or encoder does not match."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    folder = Path(directory)
    config_path = folder / "config.json"
    if not folder.is_dir():
        raise StepModelError(f"step model {folder}: no such directory")
    if not config_path.is_file():
        raise StepModelError(
            f"step model {folder}: no config.json; is this a directory written by "
            "`steplens train-steps`?"
        )
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise StepModelError(f"step model {config_path}: not valid JSON ({exc})") from None
    if config.get("kind") != MODEL_KIND:
        raise StepModelError(f"step model {folder}: kind {config.get('kind')!r}, not {MODEL_KIND}")
    if config.get("format_version") != FORMAT_VERSION:
        raise StepModelError(
            f"step model {folder}: format version {config.get('format_version')}, this steplens "
            f"reads version {FORMAT_VERSION}; retrain it with `steplens train-steps`"
        )
    try:
        journey_text = (folder / "journey.yaml").read_text(encoding="utf-8")
        stored_journey = journey_from_dict(
            yaml.safe_load(journey_text), str(folder / "journey.yaml")
        )
        tensors = load_file(str(folder / "head.safetensors"))
        tuned_layers = int(config["encoder"].get("tuned_layers", 0))
        tuned_state = _load_tuned_state(folder) if tuned_layers else None
    except (OSError, ValueError, KeyError, SafetensorError, yaml.YAMLError) as exc:
        raise StepModelError(f"step model {folder}: incomplete or corrupt ({exc})") from None
    recorded_encoder = config["encoder"]["name"]
    if encoder_name is not None and recorded_encoder != encoder_name:
        raise StepModelError(
            f"step model {folder} was trained on encoder {recorded_encoder!r}, "
            f"but the pipeline uses {encoder_name!r}; retrain it with `steplens train-steps`"
        )
    if journey is not None and journey.step_ids != stored_journey.step_ids:
        detail = step_differences(journey.step_ids, stored_journey.step_ids)
        raise StepModelError(
            f"step model {folder} was trained for journey {stored_journey.name!r}, which does not "
            f"match journey {journey.name!r} ({detail}); retrain with `steplens train-steps`"
        )
    return TrainedStepClassifier(
        journey if journey is not None else stored_journey,
        tensors["weight"],
        tensors["bias"],
        multi_label=config["head"] == "sigmoid",
        threshold=float(config["threshold"]),
        temperature=float(config.get("temperature", 1.0)),
        encoder_name=recorded_encoder,
        info=config.get("info", {}),
        tuned_layers=tuned_layers,
        tuned_state=tuned_state,
    )


def _load_tuned_state(folder: Path) -> dict[str, Any]:
    from safetensors.torch import load_file as load_torch_file

    path = folder / TUNED_ENCODER_FILE
    if not path.is_file():
        raise OSError(f"{TUNED_ENCODER_FILE} is missing but config.json lists tuned layers")
    return dict(load_torch_file(str(path)))


def head_probabilities(
    logits: NDArray[np.float32], multi_label: bool, n_steps: int, temperature: float = 1.0
) -> NDArray[np.float32]:
    """Step probabilities from head logits; a softmax head's "no step" column is dropped last."""
    scaled = logits / temperature
    if multi_label:
        return sigmoid(scaled)
    return softmax(scaled)[:, :n_steps]


def _report_dict(report: TrainingReport) -> dict[str, Any]:
    return {
        "texts": report.texts,
        "labels": report.labels,
        "multi_label": report.multi_label,
        "per_step": report.per_step,
        "negatives": report.negatives,
        "background_negatives": report.background,
        "regularisation": report.regularisation,
        "temperature": report.temperature,
        "threshold": report.threshold,
        "held_out": report.held_out,
        "warnings": report.warnings,
    }


def _model_card(classifier: TrainedStepClassifier, report: TrainingReport | None) -> str:
    lines = [
        f"# Step classifier for journey `{classifier.journey.name}`",
        "",
        "Written by `steplens train-steps`: a "
        + ("multi-label (one sigmoid per step)" if classifier.multi_label else "softmax")
        + " logistic-regression head on "
        + (
            f"`{classifier.encoder_name}` embeddings whose top {classifier.tuned_layers} "
            f"layers were fine-tuned to these steps (`{TUNED_ENCODER_FILE}`)."
            if classifier.tuned_layers
            else f"frozen `{classifier.encoder_name}` embeddings."
        ),
        "",
        f"- steps: {', '.join(classifier.step_ids)}",
        f"- unassigned threshold: {classifier.threshold} (chosen on held-out training data)",
        f"- temperature: {classifier.temperature}",
        f"- trained: {classifier.info.get('trained_at', 'unknown')}",
    ]
    adapted = classifier.info.get("adapted")
    if adapted:
        lines.append(
            f"- adapted to a corpus by `steplens tag --adapt` (or `train-steps --adapt`): "
            f"{adapted['method']}, {adapted['comments_read']} comments read, "
            + (f"{adapted['labelled']} labelled by people, " if adapted.get("labelled") else "")
            + "pseudo-labels per step "
            + ", ".join(f"{step} {n}" for step, n in adapted["pseudo_labels_per_step"].items())
        )
    if report is not None:
        lines += [
            f"- training texts: {report.texts} ({report.negatives} labelled unassigned), and "
            + (
                f"{report.background} background texts (random tweets and chatter) as "
                "unassigned negatives"
                if report.background
                else "no background negatives"
            ),
            f"- regularisation C: {report.regularisation}",
            "",
            "## Examples per step",
            "",
            "| step | examples |",
            "|---|---:|",
            *[f"| {step} | {count} |" for step, count in report.per_step.items()],
            "",
            "## Held-out metrics (on training data held out during selection)",
            "",
            *[f"- {name}: {value:.4f}" for name, value in report.held_out.items()],
        ]
        if report.warnings:
            lines += ["", "## Warnings", "", *[f"- {w}" for w in report.warnings]]
    lines += [
        "",
        "## Limits",
        "",
        "Held-out numbers come from the training data's own distribution; measure on your own "
        "labelled sample before trusting them on new feedback.",
        "",
    ]
    return "\n".join(lines)
