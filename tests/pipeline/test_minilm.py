"""The inference MiniLM: parity with sentence-transformers, shared trunk, bf16, bad weights."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.minilm import (
    _LAYER_KEY,
    BranchEncoder,
    base_encoder,
    encode_together,
    load_minilm,
    resolve_precision,
    split_state,
)
from steplens.pipeline.signals import load_signals_model, signals_model_dir

TEXTS = [
    "the checkout kept timing out",
    "Delivery was quick but the box was damaged and nobody answered my emails for a week.",
    "ok",
    "",
    "🙂🙂🙂 https://example.com/x?token=1",
    "word " * 400,  # longer than the 256-token window: truncated like sentence-transformers
]


@pytest.fixture(scope="module")
def fast() -> BranchEncoder:
    return base_encoder("fp32")


@pytest.fixture(scope="module")
def signal_models(encoder: Any, fast: BranchEncoder) -> tuple[Any, Any]:
    """The shipped signals model on sentence-transformers and on the inference MiniLM."""
    return (
        load_signals_model(signals_model_dir(), encoder),
        load_signals_model(signals_model_dir(), fast),
    )


def test_embeddings_match_sentence_transformers(encoder: Any, fast: BranchEncoder) -> None:
    expected = encoder.encode(TEXTS)
    got = fast.encode(TEXTS)
    assert got.shape == expected.shape == (len(TEXTS), 384)
    assert np.abs(got - expected).max() < 1e-5
    pairs = [("Checkout", "it kept timing out"), ("Delivery", "two weeks late")]
    assert np.abs(fast.encode(pairs) - encoder.encode(pairs)).max() < 1e-5


def test_order_is_kept_whatever_the_length_buckets(fast: BranchEncoder) -> None:
    one_by_one = np.vstack([fast.encode([t]) for t in TEXTS])
    batched = fast.encode(TEXTS, batch_size=2)
    assert np.abs(one_by_one - batched).max() < 1e-5


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_layers_skip_the_padding_and_change_nothing(
    precision: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packed (real tokens only) and padded forwards give the same embeddings."""
    import torch

    from steplens.pipeline.minilm import PackedTokens

    encoder = base_encoder(precision)  # type: ignore[arg-type]
    mixed = [*TEXTS, ("Checkout", "slow"), ("Returns", "the label never printed")]
    packed = encoder.encode(mixed)
    with monkeypatch.context() as patch:
        patch.setattr("steplens.pipeline.minilm.PACK_MIN_PADDING", 1.0)  # never pack
        padded = encoder.encode(mixed)
    # bf16 products on AMX tiles accumulate in an order that depends on the number of rows, so
    # packed and padded batches round differently (6e-4 seen); padding that leaked into the
    # result would move embeddings by 1e-1 or more.
    tolerance = 1e-5 if precision == "fp32" else 2e-3
    assert np.abs(packed - padded).max() < tolerance
    mask = torch.tensor([[True, True, True], [True, False, False]])
    tokens = PackedTokens.from_mask(mask)
    assert tokens.positions.tolist() == [0, 1, 2, 3] and tokens.rows.tolist() == [0, 0, 0, 1]
    values = torch.arange(4.0).unsqueeze(1)
    assert tokens.mean(values).squeeze(1).tolist() == [1.0, 3.0]
    assert tokens.heads(values, 1)[1, 0, :, 0].tolist() == [3.0, 0.0, 0.0]


def test_signals_branch_matches_the_tuned_sentence_transformer(
    signal_models: tuple[Any, Any],
) -> None:
    reference, ours = signal_models
    assert isinstance(ours.encoder, BranchEncoder)
    for a, b in zip(reference.predict_proba(TEXTS), ours.predict_proba(TEXTS), strict=True):
        assert np.abs(a - b).max() < 1e-4


def test_one_trunk_pass_gives_each_branch_its_own_embeddings(
    fast: BranchEncoder, signal_models: tuple[Any, Any]
) -> None:
    # A branch that tunes the top 4 layers (those of the shipped signals model, which tunes
    # all 6): the bottom 2 are the very same modules as the base's, so they run once.
    state = signal_models[1].state
    top = {
        key: tensor
        for key, tensor in state.items()
        if (match := _LAYER_KEY.search(key)) and int(match.group(1)) >= 2
    }
    signals = fast.with_top_layers("top-4", top, 4)
    shared = [a is b for a, b in zip(fast.branch.layers, signals.branch.layers, strict=True)]
    assert shared == [True, True, False, False, False, False]
    together = encode_together(TEXTS, [fast, signals])
    assert np.abs(together[0] - fast.encode(TEXTS)).max() < 1e-5
    assert np.abs(together[1] - signals.encode(TEXTS)).max() < 1e-5


def test_bf16_stays_close_to_fp32() -> None:
    fp32, bf16 = base_encoder("fp32").encode(TEXTS[:3]), base_encoder("bf16").encode(TEXTS[:3])
    assert bf16.dtype == np.float32
    assert (fp32 * bf16).sum(axis=1).min() > 0.99


def test_precision_is_validated() -> None:
    assert resolve_precision("fp32") == "fp32"
    assert resolve_precision("auto") in ("fp32", "bf16")
    with pytest.raises(SteplensError, match="precision must be"):
        resolve_precision("int4")


def test_fine_tuned_layers_that_do_not_fit_are_refused(signal_models: tuple[Any, Any]) -> None:
    model = load_minilm("fp32")
    state = signal_models[1].state
    with pytest.raises(SteplensError, match="expected layers \\[4, 5\\]"):
        model.branch("x", state, 2)  # the file holds layers 0-5, not the top 2
    broken = {k: v[:10] if k.endswith("query.weight") else v for k, v in state.items()}
    with pytest.raises(SteplensError, match="does not fit"):
        model.branch("x", broken, 6)


def test_state_keys_of_both_libraries_are_understood(signal_models: tuple[Any, Any]) -> None:
    embeddings, layers = split_state(signal_models[1].state)
    assert not embeddings and sorted(layers) == [0, 1, 2, 3, 4, 5]
    assert "query.weight" in layers[0] and "output_norm.bias" in layers[5]


def test_bf16_linears_are_prepacked_with_the_same_results() -> None:
    import copy

    import torch

    from steplens.pipeline.onednn import prepacked_linear

    plain = torch.nn.Linear(384, 1536).to(torch.bfloat16).requires_grad_(False)
    packed = prepacked_linear(plain)
    if packed is plain:
        pytest.skip("this PyTorch has no oneDNN prepacked linear")
    x = torch.randn(7, 384).to(torch.bfloat16)
    with torch.inference_mode():
        assert torch.equal(packed(x), plain(x))
        assert torch.equal(copy.deepcopy(packed)(x), plain(x))
        assert packed(x.view(1, 7, 384)).shape == (1, 7, 1536)
    layer = base_encoder("bf16").model.base.layers[0]
    assert type(layer.query).__name__ == "PrepackedLinear"
