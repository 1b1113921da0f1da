"""The packaged encoder with its top transformer layers replaced by fine-tuned copies.

``steplens train-steps --fine-tune`` adapts only the top layers of all-MiniLM-L6-v2 to a
journey's steps; the embeddings and lower layers stay as packaged. A step model therefore
stores just those layers (``encoder.safetensors``, a few MB) and this module rebuilds the full
encoder from the installed package plus that file. Keeping the lower layers shared is what lets
the tagger run them once for every branch (see docs/steps.md).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from steplens.pipeline.encoder import Encoder
from steplens.pipeline.errors import SteplensError

if TYPE_CHECKING:
    import torch


def transformer_layers(model: Any) -> Any:
    """The ``nn.ModuleList`` of transformer layers inside a SentenceTransformer."""
    return model[0].auto_model.encoder.layer


def layers_prefix(model: Any) -> str:
    """The state-dict prefix of the layer list (sentence-transformers versions differ)."""
    layers = transformer_layers(model)
    for name, module in model.named_modules():
        if module is layers:
            return f"{name}."
    raise SteplensError("cannot find the transformer layers inside the encoder")


def top_layer_names(model: Any, tuned_layers: int) -> list[str]:
    """State-dict keys (relative to the SentenceTransformer) of the top ``tuned_layers`` layers."""
    layers = transformer_layers(model)
    total = len(layers)
    if not 1 <= tuned_layers <= total:
        raise SteplensError(f"tuned layers must be between 1 and {total}, not {tuned_layers}")
    prefix = layers_prefix(model)
    names = []
    for index in range(total - tuned_layers, total):
        for key in layers[index].state_dict():
            names.append(f"{prefix}{index}.{key}")
    return names


class TunedEncoder(Encoder):
    """An :class:`Encoder` whose top ``tuned_layers`` layers come from a step model."""

    def __init__(self, base: Encoder, state: dict[str, torch.Tensor], tuned_layers: int) -> None:
        expected = set(top_layer_names(base.model, tuned_layers))
        if set(state) != expected:
            missing = sorted(expected - set(state))[:3]
            extra = sorted(set(state) - expected)[:3]
            raise SteplensError(
                f"fine-tuned encoder layers do not fit the encoder (missing {missing}, "
                f"unexpected {extra})"
            )
        model = copy.deepcopy(base.model)
        model.load_state_dict(state, strict=False)
        model.eval()
        super().__init__(model, name=base.name)
        self.tuned_layers = tuned_layers


def save_top_layers(state: dict[str, torch.Tensor], path: str | Path) -> None:
    """Write the tuned layers as safetensors."""
    from steplens.pipeline.weights import save_weights

    save_weights(state, path)
