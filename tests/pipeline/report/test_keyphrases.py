"""Key phrases per step: noun-chunk extraction with the real spaCy pipeline, c-TF-IDF ranking."""

from __future__ import annotations

import math

import pytest

from steplens.pipeline.report.keyphrases import extract_phrases, key_phrases, rank_phrases

CHECKOUT = [
    "The promo code was rejected and customer service was no help.",
    "My promo code failed at the payment page.",
    "The payment page froze twice. Customer service never replied.",
    "I tried another promo code but the payment page crashed again.",
]
DELIVERY = [
    "The courier left my parcel in the rain. Customer service shrugged.",
    "The parcel arrived late and the courier was rude.",
    "Customer service could not track the parcel.",
    "Our courier never rang the bell.",
]


# -- extraction ---------------------------------------------------------------------------------


def test_noun_chunks_are_lower_cased_without_determiners_or_pronouns() -> None:
    (phrases,) = extract_phrases(["The Checkout Page kept timing out and my promo code failed."])
    assert phrases == ["checkout page", "promo code"]


def test_stop_word_only_chunks_are_dropped() -> None:
    assert extract_phrases(["It was all of them, something else."]) == [[]]


def test_blank_texts_give_no_phrases_and_keep_their_place() -> None:
    assert extract_phrases([]) == []
    result = extract_phrases(["", "The parcel was late.", "   \n"])
    assert result == [[], ["parcel"], []]


def test_emoji_url_and_odd_texts_do_not_crash_or_leak_into_phrases() -> None:
    texts = [
        "😡😡😡",
        "🙂",
        "https://shop.example.com/checkout?step=2",
        "www.example.org/returns",
        "write to help@example.com",
        "bad \ud800 text",  # a lone surrogate, which spaCy's tokenizer cannot encode
        "!!! ??? ...",
        "3",
    ]
    result = extract_phrases(texts)
    assert len(result) == len(texts)
    phrases = [p for per_text in result for p in per_text]
    assert all("http" not in p and "www" not in p and "@" not in p for p in phrases)
    assert all(any(ch.isalpha() for ch in p) for p in phrases)
    assert result[:5] == [[], [], [], [], []]
    assert key_phrases({"anywhere": texts[:5]}) == {"anywhere": []}


# -- ranking with the real pipeline -------------------------------------------------------------


def test_step_specific_phrases_rank_above_phrases_common_to_all_steps() -> None:
    result = key_phrases({"checkout": CHECKOUT, "delivery": DELIVERY}, top_k=10)
    for step, specific in [
        ("checkout", {"promo code", "payment page"}),
        ("delivery", {"courier", "parcel"}),
    ]:
        ranked = [k.phrase for k in result[step]]
        assert set(ranked[:2]) == specific, ranked
        assert "customer service" in ranked
        common = next(k for k in result[step] if k.phrase == "customer service")
        for phrase in result[step][:2]:
            assert phrase.score > common.score
            assert phrase.count >= common.count  # ranked higher even when as frequent or more
    assert not {"promo code", "payment page"} & {k.phrase for k in result["delivery"]}


def test_scores_are_descending_and_counts_are_per_step() -> None:
    texts = {
        "delivery": ["The parcel was late, then the parcel was damaged.", "Parcel lost."],
        "returns": ["The refund took weeks.", "No refund label in the box."],
    }
    result = key_phrases(texts, top_k=3)
    delivery = result["delivery"]
    assert len(delivery) <= 3
    assert [k.score for k in delivery] == sorted((k.score for k in delivery), reverse=True)
    parcel = next(k for k in delivery if k.phrase == "parcel")
    assert (parcel.count, parcel.comments) == (3, 2)
    assert delivery[0] == parcel


def test_empty_input_and_steps_without_texts() -> None:
    assert key_phrases({}) == {}
    assert key_phrases({"sign_up": [], "checkout": ["", "  "]}) == {"sign_up": [], "checkout": []}
    result = key_phrases({"sign_up": [], "delivery": DELIVERY})
    assert result["sign_up"] == []
    assert result["delivery"]


def test_batch_size_does_not_change_the_result() -> None:
    texts = {"checkout": CHECKOUT, "delivery": DELIVERY}
    assert key_phrases(texts, batch_size=1) == key_phrases(texts, batch_size=64)


# -- c-TF-IDF arithmetic (no spaCy) ---------------------------------------------------------------


def test_rank_phrases_matches_hand_computed_ctfidf() -> None:
    # a: x x y (3 phrases), b: y z (2). A = 2.5; f(x) = 2, f(y) = 2, f(z) = 1.
    result = rank_phrases({"a": [["x", "y"], ["x"]], "b": [["y", "z"]]})
    x, y = result["a"]
    assert (x.phrase, x.count, x.comments) == ("x", 2, 2)
    assert x.score == pytest.approx(2 / 3 * math.log(1 + 2.5 / 2))
    assert (y.phrase, y.count, y.comments) == ("y", 1, 1)
    assert y.score == pytest.approx(1 / 3 * math.log(1 + 2.5 / 2))
    assert [k.phrase for k in result["b"]] == ["z", "y"]
    assert [k.score for k in result["b"]] == pytest.approx(
        [0.5 * math.log(1 + 2.5 / 1), 0.5 * math.log(1 + 2.5 / 2)]
    )


def test_rank_phrases_top_k_min_count_and_ties() -> None:
    docs = {"a": [["b", "a", "c"], ["c"]], "b": [["d"]]}
    assert [k.phrase for k in rank_phrases(docs, top_k=2)["a"]] == ["c", "a"]  # tie: alphabetical
    assert [k.phrase for k in rank_phrases(docs, min_count=2)["a"]] == ["c"]
    assert rank_phrases(docs, top_k=0) == {"a": [], "b": []}
