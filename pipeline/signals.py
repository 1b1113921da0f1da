"""Sentiment and customer effort per clause, from the shipped signals model (models/signals/).

The model is the packaged all-MiniLM-L6-v2 with its top layers replaced by fine-tuned ones
(``encoder.safetensors``) and two linear heads (``heads.safetensors``):

- sentiment: negative / neutral / positive; ``sentiment_score = P(positive) - P(negative)``,
  in [-1, 1];
- effort: none / low / moderate / high (``docs/effort-rubric.md``); ``effort_score`` is the
  expected effort on the rubric's scale (low = 1, moderate = 3, high = 5) given that there is a
  signal, in [1, 5], and empty when the label is ``none``.

When the model was trained with step conditioning (``condition_on_steps``), a clause assigned
to a step is scored as the pair ``(step name, clause)``: its sentiment is the polarity *towards
that step*. Effort is always scored on the clause alone.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from steplens.pipeline import __version__
from steplens.pipeline.errors import SteplensError, model_files
from steplens.pipeline.model_view import EMAIL, NUMBER, PHONE, URL, model_views
from steplens.pipeline.records import Signals
from steplens.pipeline.steps.base import softmax

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import TextEncoder
    from steplens.pipeline.minilm import Precision

logger = logging.getLogger(__name__)

SENTIMENT_LABELS = ("negative", "neutral", "positive")
EFFORT_LABELS = ("none", "low", "moderate", "high")
EFFORT_VALUES = np.array([0.0, 1.0, 3.0, 5.0], dtype=np.float32)
MODEL_KIND = "steplens-signals"
FORMAT_VERSION = 1
HEAD_SCALE = 20.0
WINDOW_WORDS = 150
NEUTRAL = np.array([0.0, 1.0, 0.0], dtype=np.float32)
NO_EFFORT = np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)


class SignalsModelError(SteplensError):
    """A signals model directory that cannot be used."""


class SignalsModel:
    """A tuned encoder top plus sentiment and effort heads."""

    def __init__(
        self,
        encoder: TextEncoder,
        heads: dict[str, NDArray[np.float32]],
        *,
        state: dict[str, Any],
        tuned_layers: int,
        condition_on_steps: bool,
        info: dict[str, Any] | None = None,
        head_scale: float = HEAD_SCALE,
    ) -> None:
        self.encoder = encoder
        self.heads = heads
        self.head_scale = head_scale
        """What unit-length embeddings are multiplied by before the heads (saved and loaded)."""
        self.state = state
        self.tuned_layers = tuned_layers
        self.condition_on_steps = condition_on_steps
        self.info = info or {}

    @classmethod
    def from_parts(
        cls,
        base: TextEncoder,
        state: dict[str, Any],
        tuned_layers: int,
        heads: dict[str, NDArray[np.float32]],
        *,
        condition_on_steps: bool,
    ) -> SignalsModel:
        """Build from the packaged encoder, tuned layer weights and head arrays.

        ``base`` is the inference encoder (a :class:`~steplens.pipeline.minilm.BranchEncoder`, whose
        lower layers the signals branch then shares with the step branch) or, in training, the
        sentence-transformers :class:`~steplens.pipeline.encoder.Encoder`.
        """
        return cls(
            base.with_top_layers("signals", state, tuned_layers),
            heads,
            state=state,
            tuned_layers=tuned_layers,
            condition_on_steps=condition_on_steps,
        )

    def sentiment_from_embeddings(self, embeddings: NDArray[np.float32]) -> NDArray[np.float32]:
        """Sentiment probabilities (n, 3) from the tuned encoder's embeddings."""
        return self._head("sentiment", embeddings)

    def effort_from_embeddings(self, embeddings: NDArray[np.float32]) -> NDArray[np.float32]:
        """Effort probabilities (n, 4) from the tuned encoder's embeddings."""
        return self._head("effort", embeddings)

    def _head(self, name: str, embeddings: NDArray[np.float32]) -> NDArray[np.float32]:
        logits = (embeddings * self.head_scale) @ self.heads[f"{name}.weight"].T
        return softmax((logits + self.heads[f"{name}.bias"]).astype(np.float32))

    def predict_proba(
        self,
        texts: Sequence[str],
        steps: Sequence[str | None] | None = None,
        *,
        view: bool = True,
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """(sentiment probabilities, effort probabilities) for each text.

        The model reads each text's :func:`~steplens.pipeline.model_view.model_view` (the raw text
        with ``view=False``, which only benchmarks of the view use). ``steps`` gives each text's
        step name (or None); with a step-conditioned model the sentiment of a text with a step
        is read from the pair ``(step, text)``.
        """
        texts = model_views(texts) if view else list(texts)
        windows, owners = split_windows(texts)
        sentiment, effort = self.proba_from_windows(texts, self.encoder.encode(windows), owners)
        if steps is not None:
            pairs = [(i, step) for i, step in enumerate(steps) if step]
            if pairs:
                sentiment[[i for i, _ in pairs]] = self.pair_sentiment(texts, pairs, sentiment)
        return sentiment, effort

    def proba_from_windows(
        self,
        texts: Sequence[str],
        plain: NDArray[np.float32],
        owners: NDArray[np.int64],
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Each text's own (sentiment, effort) probabilities, given the embeddings of
        ``split_windows(texts)`` already (the tagger computes those in the same trunk pass as
        the step embeddings). Texts without words get neutral and no effort."""
        sentiment = _mean_by_owner(self.sentiment_from_embeddings(plain), owners, len(texts))
        effort = _mean_by_owner(self.effort_from_embeddings(plain), owners, len(texts))
        empty = [i for i, text in enumerate(texts) if not has_words(text)]
        sentiment[empty] = NEUTRAL
        effort[empty] = NO_EFFORT
        return sentiment, effort

    def pair_sentiment(
        self,
        texts: Sequence[str],
        pairs: Sequence[tuple[int, str]],
        own: NDArray[np.float32] | None = None,
    ) -> NDArray[np.float32]:
        """Sentiment probabilities (len(pairs), 3) of each ``(text index, step name)`` pair.

        A step-conditioned model reads the pair ``(step name, text)``: the polarity of the text
        *towards that step*, so a clause that mentions two steps ("great food, late courier")
        gets each its own answer. Texts without words are neutral. An unconditioned model gives
        each text's own sentiment for every step (``own``, when the caller has it already).
        """
        result = np.zeros((len(pairs), len(SENTIMENT_LABELS)), dtype=np.float32)
        if not pairs:
            return result
        if not self.condition_on_steps:
            if own is None:
                windows, owners = split_windows(texts)
                own = self.proba_from_windows(texts, self.encoder.encode(windows), owners)[0]
            result[:] = own[[i for i, _ in pairs]]
            return result
        scored = [k for k, (i, _) in enumerate(pairs) if has_words(texts[i])]
        result[:] = NEUTRAL
        if not scored:
            return result
        chosen = [pairs[k] for k in scored]
        pair_windows, pair_owners = split_windows([texts[i] for i, _ in chosen])
        inputs: list[Any] = [
            (chosen[o][1], w) for w, o in zip(pair_windows, pair_owners, strict=True)
        ]
        probabilities = self.sentiment_from_embeddings(self.encoder.encode(inputs))
        result[scored] = _mean_by_owner(probabilities, pair_owners, len(chosen))
        return result

    def describe(self) -> dict[str, Any]:
        """Kind and settings, for outputs and logs."""
        return {
            "kind": MODEL_KIND,
            "tuned_layers": self.tuned_layers,
            "condition_on_steps": self.condition_on_steps,
        }

    def save(self, directory: str | Path) -> Path:
        """Write config.json, encoder.safetensors (fp16), heads.safetensors and README.md."""
        from steplens.pipeline.encoder import save_top_layers
        from steplens.pipeline.weights import save_weights

        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        half = {name: tensor.half() for name, tensor in self.state.items()}
        save_top_layers(half, folder / "encoder.safetensors")
        save_weights(self.heads, folder / "heads.safetensors")
        config = {
            "kind": MODEL_KIND,
            "format_version": FORMAT_VERSION,
            "steplens_version": __version__,
            "encoder": {"name": self.encoder.name, "tuned_layers": self.tuned_layers},
            "condition_on_steps": self.condition_on_steps,
            "sentiment_labels": list(SENTIMENT_LABELS),
            "effort_labels": list(EFFORT_LABELS),
            "head_scale": self.head_scale,
            "info": self.info,
        }
        (folder / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        return folder


_LINKS_AND_HANDLES = re.compile(
    r"(?:https?://|www\.)\S+|@\w+|"
    + "|".join(rf"\b{re.escape(word)}\b" for word in (URL, PHONE, NUMBER, EMAIL)),
    re.IGNORECASE,
)
"""Links and handles, raw or as the model view writes them, and the view's words for phone
numbers, reference numbers and e-mail addresses: none of them is a word to score."""
_LETTER = re.compile(r"[^\W\d_]")


def has_words(text: str) -> bool:
    """True when the text has letters outside URLs and @mentions (hashtags count as words).

    It also reads model views (:mod:`steplens.pipeline.model_view`): ``http``, ``@user`` and the
    placeholders for numbers and e-mail addresses are not words.

    Texts without (emoji only, a bare URL, numbers, punctuation, empty) get a defined answer
    instead of a guess: neutral with score 0 and effort ``none``.
    """
    return bool(_LETTER.search(_LINKS_AND_HANDLES.sub(" ", text)))


def split_windows(
    texts: Sequence[str], words: int = WINDOW_WORDS
) -> tuple[list[str], NDArray[np.int64]]:
    """Texts longer than ``words`` words as overlapping windows (half a window apart).

    The encoder reads at most 256 word pieces; a longer clause is scored window by window and
    the probabilities averaged, instead of being cut off. Returns the windows and, for each, the
    index of its text.
    """
    windows: list[str] = []
    owners: list[int] = []
    for index, text in enumerate(texts):
        tokens = text.split()
        if len(tokens) <= words:
            windows.append(text)
            owners.append(index)
            continue
        step = words // 2
        for start in range(0, len(tokens) - step, step):
            windows.append(" ".join(tokens[start : start + words]))
            owners.append(index)
    return windows, np.asarray(owners, dtype=np.int64)


def _mean_by_owner(
    probabilities: NDArray[np.float32], owners: NDArray[np.int64], n: int
) -> NDArray[np.float32]:
    if len(owners) == n:
        return probabilities
    total = np.zeros((n, probabilities.shape[1]), dtype=np.float64)
    np.add.at(total, owners, probabilities)
    counts = np.bincount(owners, minlength=n)[:, None]
    result: NDArray[np.float32] = (total / np.maximum(counts, 1)).astype(np.float32)
    return result


def signals_from_proba(
    sentiment: NDArray[np.float32], effort: NDArray[np.float32]
) -> list[Signals]:
    """Labels and scores from probabilities (see the module docstring for the scores)."""
    sentiment_scores = sentiment[:, 2] - sentiment[:, 0]
    signal = effort[:, 1:].sum(axis=1)
    expected = (effort[:, 1:] @ EFFORT_VALUES[1:]) / np.maximum(signal, 1e-9)
    results = []
    for row in range(len(sentiment)):
        effort_label = EFFORT_LABELS[int(effort[row].argmax())]
        results.append(
            Signals(
                SENTIMENT_LABELS[int(sentiment[row].argmax())],
                round(float(sentiment_scores[row]), 4),
                effort_label,
                None if effort_label == "none" else round(float(expected[row]), 3),
            )
        )
    return results


def load_signals_model(directory: str | Path, base: TextEncoder) -> SignalsModel:
    """Load a signals model directory on top of the packaged encoder."""
    from safetensors.numpy import load_file
    from safetensors.torch import load_file as load_torch_file

    folder = Path(directory)
    rebuild = "rebuild it with `python -m steplens.training.signals`"
    with model_files(SignalsModelError, f"signals model {folder}", rebuild):
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if config.get("kind") != MODEL_KIND or config.get("format_version") != FORMAT_VERSION:
            raise SignalsModelError(
                f"signals model {folder}: not a version-{FORMAT_VERSION} {MODEL_KIND} ({rebuild})"
            )
        if config["encoder"]["name"] != base.name:
            raise SignalsModelError(
                f"signals model {folder} was trained on {config['encoder']['name']!r}, not "
                f"{base.name!r} ({rebuild})"
            )
        state = {
            k: v.float() for k, v in load_torch_file(str(folder / "encoder.safetensors")).items()
        }
        heads = load_file(str(folder / "heads.safetensors"))
    model = SignalsModel.from_parts(
        base,
        state,
        int(config["encoder"]["tuned_layers"]),
        heads,
        condition_on_steps=bool(config["condition_on_steps"]),
    )
    model.info = config.get("info", {})
    model.head_scale = float(config.get("head_scale", HEAD_SCALE))
    return model


def signals_model_dir() -> Path:
    """Where the shipped signals model lives: ``<models dir>/signals``."""
    from steplens.pipeline.paths import models_dir

    return models_dir() / "signals"


@functools.lru_cache(maxsize=2)
def load_default_signals_model(precision: Precision = "fp32") -> SignalsModel:
    """The shipped signals model on the packaged inference encoder, loaded once per process."""
    from steplens.pipeline.minilm import base_encoder

    return load_signals_model(signals_model_dir(), base_encoder(precision))
