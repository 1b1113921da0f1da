"""Segmentation speed: steplens' Segmenter vs spaCy's full pipeline, on tweet-length comments.

The claim to check: ``Segmenter.segment_many`` (nlp.pipe in batches, only tok2vec, tagger and
parser, a parse-free fast path for short texts) is far faster than calling the full spaCy
pipeline per text, while also cutting sentences into clauses. The ``tag`` pipeline needs 300
comments/s on 2 cores; segmentation should be well above that (aim: 1,000/s).

    python -m bench.bench_segment [--comments 4000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable, Sequence

from steplens.pipeline.minilm import usable_cores

# ~40 hand-written comments of tweet length: praise, complaints, mixed clauses, emoji, URLs,
# @mentions, hashtags, ALL CAPS, no punctuation, line breaks.
COMMENTS = [
    "Checkout was quick but delivery took two weeks and nobody told me why",
    "The app is great but the delivery was late and nobody answered the phone",
    "Checkout was quick, however the parcel arrived damaged.",
    "Although the agent was friendly it took three calls to sort out my refund",
    "Love the new design! Finding my past orders is so much easier now.",
    "@AcmeHelp my parcel says delivered but it's not here?? #notimpressed",
    "Ordered on Monday, arrived Wednesday, perfect fit. Will order again 👍",
    "the app keeps logging me out every time i switch to another app and it is driving me mad",
    "Refund still not here after 3 weeks 😡 called 4 times, every agent says something different",
    "Great prices. Terrible website. The filters reset every time you go back to the results.",
    "Sign up was easy, the onboarding emails were confusing, and support never replied.",
    "WHY DOES THE PAYMENT PAGE KEEP CRASHING WHEN I USE APPLE PAY",
    "Courier left the box in the rain - everything inside was soaked.",
    "I could not apply my promo code at checkout so I paid full price, not happy",
    "Fast delivery and the packaging was fully recyclable, thank you!",
    "The return label was easy to print; the refund took just two days.",
    "Support chat was helpful while the phone line kept me on hold for 40 minutes",
    "Item looked nothing like the photos https://acme.example/p/12345 and the return costs me £5",
    "Password reset email never arrives, tried 5 times, checked spam too",
    "I love this app\nBut the latest update made search unusable",
    "Tracking page said out for delivery all day then suddenly 'delayed' at 9pm. No explanation.",
    "The store pickup option was convenient and the staff were friendly.",
    "The size guide is wrong, I had to return two pairs before one fitted",
    "Card declined three times even though my bank says everything is fine!!!",
    "Easy to browse, hard to check out. The address form rejects my postcode.",
    "Was charged twice for one order and it took a week to get the money back",
    "Delivery driver was very polite and even carried the parcel upstairs 😊",
    "I waited 20 minutes for the live chat but the agent closed the chat before answering",
    "Nice clothes but the quality has gone down a lot this year #disappointed",
    "The app crashed during payment so I do not know if my order went through",
    "cancelled my subscription online in two clicks, whereas last year I had to call them",
    "Everything was fine until the courier lost my parcel and blamed me for it",
    "Product is great. Delivery was on time. Customer service solved my issue in one call.",
    "The voucher from the email did not work at checkout and the chat bot was useless",
    "Good value for money though the instructions were only in German",
    "i ordered the wrong size and the exchange was painless, new one came the next day",
    "Still waiting for my refund!!! 2 weeks now. @AcmeHelp please respond",
    "Website is slow on mobile and the images never load on my train commute",
    "The loyalty points disappeared from my account after the update, nobody can explain why",
    "Quick delivery, great quality, fair price. What more could you want?",
]

EXTRA_WORDS = ["thanks", "again", "today", "honestly", "overall", "fyi", "btw", "lol"]


def build_comments(n: int) -> list[str]:
    """``n`` comments: the hand-written ones cycled, each with a small variation appended."""
    texts = []
    for i in range(n):
        base = COMMENTS[i % len(COMMENTS)]
        word = EXTRA_WORDS[(i // len(COMMENTS)) % len(EXTRA_WORDS)]
        texts.append(f"{base} {word} {i}")
    return texts


def best_rate(
    run: Callable[[Sequence[str]], list[int]], texts: Sequence[str], repeats: int
) -> tuple[float, float, float]:
    """Best comments per second (wall clock and CPU time) over ``repeats`` runs, and segments
    per comment. CPU time counts all threads, so it is the fairer number on a shared machine."""
    best_wall = best_cpu = float("inf")
    counts: list[int] = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        counts = run(texts)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return len(texts) / best_wall, len(texts) / best_cpu, sum(counts) / len(texts)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=4000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    import spacy

    from steplens.pipeline.segment import (
        EXCLUDED_COMPONENTS,
        SPACY_MODEL,
        Segmenter,
        load_segmenter,
    )

    texts = build_comments(args.comments)
    full = spacy.load(SPACY_MODEL)
    segmenter = load_segmenter()
    # The same rules over spaCy's default ops (blis for every matrix product), to show what the
    # switch of the models' products to numpy's single-threaded BLAS is worth on this machine.
    plain = Segmenter(spacy.load(SPACY_MODEL, exclude=list(EXCLUDED_COMPONENTS)))

    def baseline(batch: Sequence[str]) -> list[int]:
        return [len(list(full(text).sents)) for text in batch]

    def one_by_one(batch: Sequence[str]) -> list[int]:
        return [len(segmenter.segment(text)) for text in batch]

    def batched_plain_ops(batch: Sequence[str]) -> list[int]:
        return [len(segments) for segments in plain.segment_many(batch)]

    def batched(batch: Sequence[str]) -> list[int]:
        return [len(segments) for segments in segmenter.segment_many(batch)]

    rows = [
        ("(a) baseline: full spaCy pipeline, nlp(text) per text, sentences", baseline),
        ("Segmenter.segment, one text at a time", one_by_one),
        ("Segmenter.segment_many, spaCy's default ops (blis)", batched_plain_ops),
        (f"(b) Segmenter.segment_many (nlp.pipe, batch {segmenter.batch_size})", batched),
    ]
    for _, run in rows:  # warm up
        run(texts[:200])
    cores = usable_cores()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(
        f"\n{len(texts):,} tweet-length comments, {cores} cores, n_process=1, "
        f"best of {args.repeats}, {platform.machine()}, load average before: {load}\n"
    )
    print("| method | comments/s | comments per CPU second | segments per comment |")
    print("|---|---:|---:|---:|")
    rates = []
    for label, run in rows:
        rate, cpu_rate, per_comment = best_rate(run, texts, args.repeats)
        rates.append(rate)
        print(f"| {label} | {rate:,.0f} | {cpu_rate:,.0f} | {per_comment:.2f} |")
    print(f"\n(b) vs (a): {rates[-1] / rates[0]:.1f}x the comments per second")


if __name__ == "__main__":
    main()
