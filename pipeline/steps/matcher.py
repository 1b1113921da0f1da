"""The step matcher: the encoder's top layers tuned to match texts to step names and descriptions.

Trained by ``python -m steplens.training.step_matcher`` on public label sets (Banking77, CLINC150,
restaurant and laptop review aspects, complaint industries), each with names and descriptions
written for its labels; zero-shot step classification reads clauses and prototypes through it
instead of the packaged encoder's own top layers. It is a branch of the shared trunk
(:meth:`~steplens.pipeline.minilm.BranchEncoder.with_top_layers`), so the lower layers still run
once per clause for steps and signals together. A directory holds ``config.json`` and
``layers.safetensors`` (the tuned layers in fp16).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from steplens.pipeline.errors import SteplensError, model_files

if TYPE_CHECKING:
    from steplens.pipeline.encoder import TextEncoder

MATCHER_KIND = "steplens-step-matcher"
FORMAT_VERSION = 1


class MatcherError(SteplensError):
    """A step matcher directory that cannot be used."""


def load_matcher_state(directory: str | Path) -> tuple[dict[str, Any], int]:
    """The tuned layers (fp32 tensors keyed as in the full encoder) and how many there are."""
    from safetensors.torch import load_file

    folder = Path(directory)
    rebuild = "rebuild it with `python -m steplens.training.step_matcher`"
    with model_files(MatcherError, f"step matcher {folder}", rebuild):
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if not isinstance(config, dict):
            raise MatcherError(f"step matcher {folder}: config.json is not an object ({rebuild})")
        if config.get("kind") != MATCHER_KIND or config.get("format_version") != FORMAT_VERSION:
            raise MatcherError(
                f"step matcher {folder}: not a version-{FORMAT_VERSION} {MATCHER_KIND} ({rebuild})"
            )
        state = {k: v.float() for k, v in load_file(str(folder / "layers.safetensors")).items()}
        return state, int(config["tuned_layers"])


def matcher_encoder(base: TextEncoder, directory: str | Path) -> TextEncoder:
    """``base`` with the matcher's top layers: the encoder zero-shot steps read through."""
    state, tuned_layers = load_matcher_state(directory)
    try:
        return base.with_top_layers("step_matcher", state, tuned_layers)
    except (SteplensError, RuntimeError) as exc:
        raise MatcherError(
            f"step matcher {directory} does not fit this encoder ({exc}); rebuild it with "
            "`python -m steplens.training.step_matcher`"
        ) from None


def held_out_sources(directory: str | Path) -> list[str]:
    """The label sets a matcher was trained without (``--hold-out``): only on these is its
    number zero-shot."""
    config = json.loads((Path(directory) / "config.json").read_text(encoding="utf-8"))
    return list(config.get("training", {}).get("held_out", []))
