"""Segmentation: sentence and clause splits, exact offsets, short and long texts, odd input.

Runs the real spaCy pipeline, loaded once for the module.
"""

from __future__ import annotations

import logging
import random
import subprocess
import sys
from pathlib import Path

import pytest

from steplens.pipeline.segment import Segment, Segmenter, load_segmenter

_BLANK = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\ufeff"
"""Zero-width and bidi characters, which the segmenter trims like whitespace."""


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    """The project's segmenter over the real spaCy pipeline (loaded once per process)."""
    return load_segmenter()


def texts(segments: list[Segment]) -> list[str]:
    return [segment.text for segment in segments]


def is_blank(text: str) -> bool:
    return all(ch.isspace() or ch in _BLANK for ch in text)


def check_offsets(comment: str, segments: list[Segment], max_chars: int = 100_000) -> None:
    """Offsets are exact, increasing, non-overlapping, and only blank text lies between."""
    covered = comment[:max_chars]
    position = 0
    for segment in segments:
        assert segment.text == comment[segment.start : segment.end]
        assert segment.text, "empty segment"
        assert segment.start >= position, "overlapping or unordered segments"
        assert is_blank(comment[position : segment.start]), "text lost between segments"
        assert not is_blank(segment.text[0]) and not is_blank(segment.text[-1]), "untrimmed"
        position = segment.end
    assert is_blank(covered[position:]), "text lost after the last segment"
    assert position <= max_chars


# -- the basic behaviours ----------------------------------------------------------------------


def test_contrast_sentence_splits_in_two_with_exact_offsets(segmenter: Segmenter) -> None:
    comment = "checkout was quick but delivery took two weeks"
    assert segmenter.segment(comment) == [
        Segment("checkout was quick", 0, 18),
        Segment("but delivery took two weeks", 19, 46),
    ]


@pytest.mark.parametrize(
    "comment",
    [
        "the food and the service were great",
        "The staff at the store were friendly and very helpful with my return",
        "Fast and easy checkout, great prices and quick delivery",
        "I ordered two shirts and a pair of jeans from the summer sale",
        "I ordered and paid with my card",
        "They told me the refund would arrive in three working days",
        "When I opened the box, the item was broken",
    ],
)
def test_noun_coordination_and_one_clause_do_not_split(segmenter: Segmenter, comment: str) -> None:
    assert texts(segmenter.segment(comment)) == [comment]


def test_multi_sentence_text_splits_into_sentences(segmenter: Segmenter) -> None:
    comment = "I ordered on Monday. The parcel arrived on Friday. The box was badly damaged!"
    assert texts(segmenter.segment(comment)) == [
        "I ordered on Monday.",
        "The parcel arrived on Friday.",
        "The box was badly damaged!",
    ]


def test_line_break_between_sentences_is_a_boundary(segmenter: Segmenter) -> None:
    comment = "The app is great\nThe delivery was late\r\n\r\nand the box was wet"
    assert texts(segmenter.segment(comment)) == [
        "The app is great",
        "The delivery was late",
        "and the box was wet",
    ]


@pytest.mark.parametrize(
    "comment", ["Great app, thanks!", "  love it but slow  ", "Refund still not here 😡", "ok"]
)
def test_short_text_stays_whole(segmenter: Segmenter, comment: str) -> None:
    start = len(comment) - len(comment.lstrip())
    stripped = comment.strip()
    assert segmenter.segment(comment) == [Segment(stripped, start, start + len(stripped))]


@pytest.mark.parametrize("comment", ["", " ", "\n\t  \r\n", "\u200b", " \u202e \ufeff "])
def test_empty_or_blank_text_has_no_segments(segmenter: Segmenter, comment: str) -> None:
    assert segmenter.segment(comment) == []


def test_short_clauses_merge_into_a_neighbour(segmenter: Segmenter) -> None:
    comment = "Great product but shipping took forever"
    assert texts(segmenter.segment(comment)) == [comment]  # "Great product" has 2 words
    finer = Segmenter(segmenter.nlp, min_clause_tokens=1, short_text_tokens=0)
    assert texts(finer.segment(comment)) == ["Great product", "but shipping took forever"]


def test_leading_and_trailing_whitespace_is_excluded(segmenter: Segmenter) -> None:
    comment = "\n  The app is great but the delivery was late.  \t\n"
    segments = segmenter.segment(comment)
    assert texts(segments) == ["The app is great", "but the delivery was late."]
    assert segments[0].start == 3 and segments[-1].end == len(comment.rstrip())


# -- realistic customer comments ----------------------------------------------------------------

REALISTIC = [
    (
        "The app is great but the delivery was late and nobody answered the phone",
        ["The app is great", "but the delivery was late", "and nobody answered the phone"],
    ),
    (
        "Checkout was quick, however the parcel arrived damaged.",
        ["Checkout was quick,", "however the parcel arrived damaged."],
    ),
    (
        "Although the agent was friendly it took three calls to sort out my refund",
        ["Although the agent was friendly", "it took three calls to sort out my refund"],
    ),
    (
        "I love the new design but the search never finds what I am looking for",
        ["I love the new design", "but the search never finds what I am looking for"],
    ),
    (
        "Sign up took two minutes whereas cancelling my plan took three weeks of emails",
        ["Sign up took two minutes", "whereas cancelling my plan took three weeks of emails"],
    ),
    (
        "The website kept timing out at checkout so I ordered by phone instead",
        ["The website kept timing out at checkout", "so I ordered by phone instead"],
    ),
    (
        "My refund was approved quickly though the money took ten days to reach my account",
        ["My refund was approved quickly", "though the money took ten days to reach my account"],
    ),
    (
        "The courier left the parcel with a neighbour - nobody told me where it was.",
        ["The courier left the parcel with a neighbour -", "nobody told me where it was."],
    ),
    (
        "The parcel arrived on time; the box was crushed and one glass was broken.",
        ["The parcel arrived on time;", "the box was crushed", "and one glass was broken."],
    ),
    (
        "Delivery was fast. The jacket is too small and the return label did not print!",
        ["Delivery was fast.", "The jacket is too small", "and the return label did not print!"],
    ),
    (
        "Great prices and fast delivery, but the app logs me out every single day",
        ["Great prices and fast delivery,", "but the app logs me out every single day"],
    ),
    (
        "Sign up was easy, the onboarding emails were confusing, support never replied.",
        ["Sign up was easy,", "the onboarding emails were confusing,", "support never replied."],
    ),
    (
        "The app is great but crashes every time I open the camera",
        ["The app is great", "but crashes every time I open the camera"],
    ),
    (
        "Great service 😍😍😍 but delivery took forever 😡😡",
        ["Great service 😍😍😍", "but delivery took forever 😡😡"],
    ),
    (
        "THE APP IS GREAT BUT THE DELIVERY WAS LATE AND NOBODY ANSWERED THE PHONE",
        ["THE APP IS GREAT", "BUT THE DELIVERY WAS LATE", "AND NOBODY ANSWERED THE PHONE"],
    ),
    (  # a run-on without punctuation still splits at "but" and "and"
        "i love the app the design is clean but the search never finds what i want and the "
        "filters reset every time",
        [
            "i love the app the design is clean",
            "but the search never finds what i want",
            "and the filters reset every time",
        ],
    ),
    (
        "@AcmeHelp my parcel never arrived #fail #neveragain but the refund was quick "
        "https://acme.example/help",
        [
            "@AcmeHelp my parcel never arrived #fail #neveragain",
            "but the refund was quick https://acme.example/help",
        ],
    ),
]


@pytest.mark.parametrize(("comment", "expected"), REALISTIC, ids=[c[:32] for c, _ in REALISTIC])
def test_realistic_comments_split_into_clauses(
    segmenter: Segmenter, comment: str, expected: list[str]
) -> None:
    segments = segmenter.segment(comment)
    assert texts(segments) == expected
    check_offsets(comment, segments)


# -- nasty input: offsets always exact, never an exception ---------------------------------------

_RANDOM = random.Random(20240601)
_ALPHABET = "ab cdeF.,!?;-\n\t😀\u200b\u202e\x00'\"<>/#@ butandso"

NASTY = [
    "😡" * 300,
    "🔥🔥🔥 love it 🔥🔥🔥 but 💩 delivery 💩 took ages 😭😭 " * 5,
    "https://example.com/a/b?c=d&e=f#g " * 20 + "the link above does not work but the app does",
    "@support @help why is my refund not here #fail #refund #neveragain " * 8,
    "WHY DOES THE PAYMENT PAGE KEEP CRASHING WHEN I USE APPLE PAY!!! FIX IT NOW!!!",
    "the app is great but the delivery was late and i waited for ages " * 20,
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!?????????? ... !!!",
    "Great app!!!!!! But delivery????? Took 3 weeks!!!!!!!!! Never again!!!!",
    "\u200bThe\u200b app\u200b is great\u200b but the delivery was late\u200b",
    "\u202eThe delivery was late but the refund was quick\u202c and the agent was kind",
    "\u200f\u05e9\u05dc\u05d5\u05dd the app is great but slow \u05ea\u05d5\u05d3\u05d4 " * 4,
    "control\x00chars\x01here\x02 and\x07 the delivery\x1b[31m was late\x7f but ok\x1c fine",
    "<p>The checkout page <b>crashed</b> twice</p><br>but the support team fixed it quickly",
    "<html><body><script>alert('x')</script><div>Great &amp; fast delivery</div></body></html>",
    "# Review\n\n**Checkout**: smooth\n**Delivery**: late and the box was crushed\n"
    "- returns: impossible to find the label\n\n```\ncode block\n```\n> quoted text here",
    "word " * 50,
    "a" * 5000,
    "x.y.z." * 1000,
    "-" * 3000 + " - - - ; ; ; " * 100,
    "\r\n\r\n".join(["line one is here and it is fine"] * 50),
    "\t\t\tTabs\tbetween\twords\tand the delivery\twas late\t\t",
    "\ud83d lone surrogates \udc00 in the text but the parse still works fine \ud800",
    "The app is great but delivery took two weeks. " * 650,  # about 30,000 characters
    *(
        "".join(_RANDOM.choice(_ALPHABET) for _ in range(_RANDOM.randint(0, 300)))
        for _ in range(60)
    ),
]
# 150,750 characters: 50,750 beyond max_chars.
HUGE = "Unfortunately, the replacement headphones arrived completely broken again.\n" * 2_010


@pytest.fixture(scope="module")
def nasty_segments(segmenter: Segmenter) -> list[list[Segment]]:
    return segmenter.segment_many(NASTY)


@pytest.mark.parametrize("index", range(len(NASTY)))
def test_offsets_are_exact_for_nasty_input(nasty_segments: list[list[Segment]], index: int) -> None:
    comment = NASTY[index]
    segments = nasty_segments[index]
    check_offsets(comment, segments)
    assert segments or is_blank(comment)


def test_text_beyond_max_chars_is_ignored_with_one_warning(
    segmenter: Segmenter, caplog: pytest.LogCaptureFixture
) -> None:
    assert len(HUGE) > 150_000
    with caplog.at_level(logging.WARNING, logger="steplens.pipeline.segment"):
        segments = segmenter.segment(HUGE)
    check_offsets(HUGE, segments, max_chars=100_000)
    assert segments[-1].end <= 100_000 and segments[-1].end > 99_900
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert f"{len(HUGE) - 100_000} characters" in warnings[0]


def test_segment_many_equals_segment_per_text(
    segmenter: Segmenter, nasty_segments: list[list[Segment]]
) -> None:
    comments = ["", "short one", *(comment for comment, _ in REALISTIC)]
    assert segmenter.segment_many(comments) == [segmenter.segment(c) for c in comments]
    assert nasty_segments == [segmenter.segment(comment) for comment in NASTY]
    assert segmenter.segment_many([]) == []


def test_long_text_is_chunked_and_offsets_map_back(segmenter: Segmenter) -> None:
    sentences = [f"Order number {i} arrived two days late." for i in range(120)]
    comment = "  " + " ".join(sentences[:60]) + "\n" + " ".join(sentences[60:]) + " "
    small_chunks = Segmenter(segmenter.nlp, chunk_chars=300)
    segments = small_chunks.segment(comment)
    check_offsets(comment, segments)
    assert texts(segments) == sentences
    assert [s.start for s in segments] == [comment.index(sentence) for sentence in sentences]
    assert segmenter.segment(comment) == segments  # same cuts with the default chunk size


def test_long_text_without_whitespace_is_cut_hard(segmenter: Segmenter) -> None:
    comment = "a" * 5_000
    assert segmenter.segment(comment) == [Segment(comment, 0, 5_000)]


def test_random_text_never_raises(segmenter: Segmenter) -> None:
    rng = random.Random(7)
    alphabet = [chr(c) for c in (*range(0, 128), 0x200B, 0x202E, 0x2028, 0x1F600, 0xFEFF, 0xD7FF)]
    comments = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200))) for _ in range(80)
    ]
    for comment, segments in zip(comments, segmenter.segment_many(comments), strict=True):
        check_offsets(comment, segments)


# -- options and loading ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option", [{"min_clause_tokens": 0}, {"batch_size": 0}, {"max_chars": 0}, {"chunk_chars": 5}]
)
def test_invalid_options_are_rejected(segmenter: Segmenter, option: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=next(iter(option))):
        Segmenter(segmenter.nlp, **option)


def test_load_segmenter_reuses_the_loaded_pipeline(segmenter: Segmenter) -> None:
    other = load_segmenter(min_clause_tokens=2)
    assert other.nlp is segmenter.nlp
    assert other.min_clause_tokens == 2
    assert "ner" not in segmenter.nlp.pipe_names and "lemmatizer" not in segmenter.nlp.pipe_names


def test_blas_threads_are_restored_after_parsing(segmenter: Segmenter) -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads() -> list[int]:
        return [lib["num_threads"] for lib in threadpoolctl.threadpool_info()]

    before = blas_threads()
    segmenter.segment_many(["The app is great but the delivery was late and nobody called."] * 3)
    assert blas_threads() == before


def test_importing_the_module_loads_nothing_heavy() -> None:
    heavy = ("spacy", "thinc", "numpy", "threadpoolctl")
    code = f"import sys, pipeline.segment; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"
