"""PyTorch's private operators are behind one guard, and the public fallbacks work."""

from __future__ import annotations

import pytest
import torch

from steplens.pipeline import onednn


def test_without_the_private_operators_linear_layers_stay_plain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = torch.nn.Linear(8, 4).to(torch.bfloat16)
    monkeypatch.setattr(onednn, "PRIVATE_LINEAR_OPS", ("_no_such_operator",))
    assert not onednn.prepacking_available()
    assert onednn.prepacked_linear(plain) is plain
    x = torch.randn(3, 8, dtype=torch.bfloat16)
    assert torch.equal(onednn.prepacked_linear(plain)(x), plain(x))


def test_when_an_operator_refuses_the_weights_the_plain_layer_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not onednn.prepacking_available():
        pytest.skip("this PyTorch has no oneDNN prepacking")

    class Refusing:
        def __init__(self, *args: object) -> None:
            raise RuntimeError("no kernel for this layout")

    monkeypatch.setattr(onednn, "_prepacked_class", lambda: Refusing)
    plain = torch.nn.Linear(8, 4).to(torch.bfloat16)
    assert onednn.prepacked_linear(plain) is plain


def test_without_the_private_cpu_checks_bf16_is_not_native(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(onednn, "PRIVATE_CPU_CHECKS", ("_no_such_check",))
    assert onednn.native_bf16() is False
