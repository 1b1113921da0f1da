"""PyTorch's private CPU operators and checks, behind one guard, each with a public fallback.

Two things steplens uses are PyTorch's own but not public API: oneDNN's weight prepacking
(``torch.ops.mkldnn._reorder_linear_weight`` / ``_linear_pointwise``, what ``torch.compile``
freezing uses) and the CPU feature checks (``torch.cpu._is_avx512_bf16_supported``,
``_is_amx_tile_supported``). A PyTorch without them (or refusing them) keeps the plain
``Linear`` and reads the CPU as having no native bf16: slower, never wrong. Tests check both the
fast path's results and the fallbacks.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

logger = logging.getLogger(__name__)

PRIVATE_LINEAR_OPS = ("_reorder_linear_weight", "_linear_pointwise")
PRIVATE_CPU_CHECKS = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")


def prepacking_available() -> bool:
    """Whether this PyTorch has oneDNN and both private prepacking operators."""
    import torch

    backend: Any = torch.backends.mkldnn
    ops = torch.ops.mkldnn
    return bool(backend.is_available()) and all(hasattr(ops, name) for name in PRIVATE_LINEAR_OPS)


# oneDNN lays a weight out for its kernels; a plain bf16 ``Linear`` does that on every call.
PREPACK_ROWS_HINT = 64


def prepacked_linear(linear: Any) -> Any:
    """``linear`` (bf16) with its weight laid out for oneDNN once, at load; else ``linear``.

    The same products and results (a test checks them), 1.1x the comments per second of
    ``Tagger.tag`` on batches of 1 to 64 here (docs/speed.md). The two operators are PyTorch's
    own (``torch.ops.mkldnn``, what ``torch.compile`` freezing uses) but not public API, so a
    PyTorch without them keeps the plain ``Linear``.
    """
    if not prepacking_available():
        return linear
    try:
        return _prepacked_class()(linear.weight.detach(), linear.bias.detach())
    except RuntimeError as exc:  # an operator that exists but refuses this build's weights
        logger.info("keeping plain bf16 Linear layers: %s", exc)
        return linear


@functools.lru_cache(maxsize=1)
def _prepacked_class() -> type:
    import torch

    class PrepackedLinear(torch.nn.Module):
        """A Linear whose weight is stored in oneDNN's own layout (see prepacked_linear)."""

        def __init__(self, weight: torch.Tensor, bias: torch.Tensor) -> None:
            super().__init__()
            self.out_features, self.in_features = weight.shape
            ops = torch.ops.mkldnn
            self.packed = ops._reorder_linear_weight(weight, PREPACK_ROWS_HINT)
            self.bias = bias
            ops._linear_pointwise(  # fail here, at load, rather than on the first comment
                weight.new_zeros(1, self.in_features), self.packed, bias, "none", [], ""
            )

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            flat = x.reshape(-1, self.in_features)
            out = torch.ops.mkldnn._linear_pointwise(flat, self.packed, self.bias, "none", [], "")
            result: torch.Tensor = out.view(*x.shape[:-1], self.out_features)
            return result

        def __deepcopy__(self, memo: dict[int, Any]) -> PrepackedLinear:
            # oneDNN's opaque tensors cannot be copied; rebuild from the dense weight
            return PrepackedLinear(self.packed.to_dense(), self.bias.clone())

    return PrepackedLinear


def native_bf16() -> bool:
    """True when this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX); else bf16 is slow."""
    import torch

    cpu = torch.cpu
    return any(bool(getattr(cpu, name, lambda: False)()) for name in PRIVATE_CPU_CHECKS)
