"""Draw the pool of real texts that is labelled for customer effort (data/effort/).

No public data set labels customer effort, so steplens labels its own: texts drawn from the
sentiment and complaint sets bundled under ``data/signals/`` (never invented), read one by one
against ``docs/effort-rubric.md``. The draw is deterministic (seeded) and oversamples the sources
where effort is talked about (complaints to brands, low-rated dialogue turns), so that the rare
``high`` and ``moderate`` labels are not drowned by ``none``.

    python -m steplens.training.effort_pool [--seed 0] [--out data/effort/pool.csv]
    python -m steplens.training.effort_pool --more [--seed N]   # next round: appends training texts

Writes ``id, source, split, double, text``: ``split`` is ``train`` or ``test`` (a stratified 20%
kept for the numbers reported at the end, never for training or tuning), ``double`` marks the
texts that get an independent second labelling pass.

Later rounds (``--more``) append ``ROUND_QUOTAS[n]`` texts not already pooled, all in the
``train`` split: the test split and round one's agreement sample stay exactly as drawn. Rounds
two and three draw only from the sources where effort is talked about, because round one showed
that the rest are almost all ``none``; round three takes every complaint tweet that was left and
leans on MAMS and low-rated dialogue turns. Round four looks for the rare ``low`` label: texts
from review sentences, tweets, Laptop-ACOS usability sentences and MAMS that mention ease or
speed (``EASE_OR_SPEED`` picks what is read; reading decides the label), and 20% of it is marked
``double`` for its own independent second pass.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from steplens.pipeline.paths import data_dir
from steplens.training.signals_data import (
    Example,
    acos_sentences,
    aspect_sentences,
    brand_tweets,
    review_sentences,
    semeval_tweets,
    sst2,
    sxsw_brand_tweets,
    tweeteval,
    uss_rated_turns,
)

# How many texts to draw from each source; see the module docstring for why these proportions.
QUOTAS = {
    "complaints_twitter:complaint": 560,
    "complaints_twitter:other": 160,
    "uss_satisfaction:low": 170,
    "uss_satisfaction:other": 90,
    "mams_acsa": 200,
    "semeval14_restaurants": 140,
    "semeval16_laptops": 140,
    "tweeteval_sentiment:val": 100,
    "sst2:train": 100,
}
# Later rounds: training texts only, from the sources where round one found effort.
ROUND_QUOTAS: dict[int, dict[str, int]] = {
    2: {
        "complaints_twitter:complaint": 500,
        "complaints_twitter:other": 150,
        "uss_satisfaction:low": 150,
        "mams_acsa": 150,
        "semeval14_restaurants": 50,
        "semeval16_laptops": 50,
    },
    3: {
        "complaints_twitter:complaint": 169,
        "complaints_twitter:other": 200,
        "uss_satisfaction:low": 300,
        "mams_acsa": 400,
        "semeval16_laptops": 100,
    },
    # Round four looks for the rare `low` label: texts that mention ease or speed.
    4: {
        "review_sentiment:ease": 250,
        "laptop_acos:usability": 168,
        "semeval_tweets:ease": 200,
        "brand_tweets_sxsw:ease": 80,
        "mams_acsa:ease": 92,
    },
}
EASE_OR_SPEED = re.compile(
    r"\b(?:eas(?:y|ily|ier|iest)|simple|simply|quick(?:ly)?|fast|effortless(?:ly)?|breeze|"
    r"hassle|straightforward|intuitive|smooth(?:ly)?|seamless(?:ly)?|painless|convenient|"
    r"no time|in (?:a few |two |five |\d+ )?minutes|first (?:call|try|time)|sorted|no problem|"
    r"user[- ]friendly|took (?:only|just)|instantly|right away|straight away)\b",
    re.IGNORECASE,
)
"""Round four draws texts that mention ease or speed, so that `low` is not too rare to learn.
It only chooses which texts are read: the label is decided by reading each text against the
rubric ("easy to clean" is `low`, "take it easy" and "fast processor" are `none`)."""
TEST_SHARE = 0.2
DOUBLE_SHARE = 0.2
DOUBLE_FROM_ROUND = 4
MIN_WORDS = 4
LOW_RATING = 2.5  # a USS user turn rated at most this (mean of annotators) is "low"


def sources() -> dict[str, list[str]]:
    """Every source's candidate texts (deduplicated, at least ``MIN_WORDS`` words)."""
    tweets = brand_tweets()
    turns = uss_rated_turns()
    raw = {
        "complaints_twitter:complaint": [text for text, flagged in tweets if flagged],
        "complaints_twitter:other": [text for text, flagged in tweets if not flagged],
        "uss_satisfaction:low": [text for text, mean in turns if mean <= LOW_RATING],
        "uss_satisfaction:other": [text for text, mean in turns if mean > LOW_RATING],
        "mams_acsa": [text for text, _ in aspect_sentences("mams")],
        "semeval14_restaurants": [text for text, _ in aspect_sentences("semeval14")],
        "semeval16_laptops": [text for text, _ in aspect_sentences("semeval16")],
        "tweeteval_sentiment:val": [example.text for example in tweeteval("val")],
        "sst2:train": [
            example.text
            for example in sst2("train")
            if example.text[-1:] in ".!?" and len(example.text.split()) >= 8
        ],
    }
    eased = {
        "review_sentiment:ease": [e.text for e in review_sentences()],
        "semeval_tweets:ease": [e.text for e in semeval_tweets()],
        "brand_tweets_sxsw:ease": [e.text for e in sxsw_brand_tweets()],
        "mams_acsa:ease": raw["mams_acsa"],
    }
    raw |= {name: [t for t in texts if EASE_OR_SPEED.search(t)] for name, texts in eased.items()}
    raw["laptop_acos:usability"] = [
        text
        for text, pairs in acos_sentences("train")
        if any(category.endswith("#USABILITY") for category, _ in pairs)
    ]
    return {
        name: list(dict.fromkeys(t for t in texts if len(t.split()) >= MIN_WORDS))
        for name, texts in raw.items()
    }


def draw(seed: int = 0) -> list[dict[str, str]]:
    """The pool: a seeded sample per source, split into train/test, some marked for pass two."""
    rng = random.Random(seed)
    seen: set[str] = set()
    rows: list[dict[str, str]] = []
    for name, texts in sources().items():
        if name not in QUOTAS:
            continue  # a source of a later round
        candidates = [t for t in texts if t.lower() not in seen]
        chosen = rng.sample(candidates, min(QUOTAS[name], len(candidates)))
        n_test = round(len(chosen) * TEST_SHARE)
        for index, text in enumerate(chosen):
            seen.add(text.lower())
            rows.append(
                {
                    "source": name,
                    "split": "test" if index < n_test else "train",
                    "text": text,
                }
            )
    rng.shuffle(rows)
    doubles = set(rng.sample(range(len(rows)), round(len(rows) * DOUBLE_SHARE)))
    return [
        {"id": f"e{i:04d}", **row, "double": "1" if i in doubles else "0"}
        for i, row in enumerate(rows)
    ]


def draw_more(
    pooled: Sequence[dict[str, str]], round_number: int, seed: int
) -> list[dict[str, str]]:
    """A later round: ``ROUND_QUOTAS[round_number]`` new training texts, numbered on."""
    quotas = ROUND_QUOTAS[round_number]
    rng = random.Random(seed)
    seen = {row["text"].lower() for row in pooled}
    rows: list[dict[str, str]] = []
    for name, texts in sources().items():
        if name not in quotas:
            continue
        candidates = [t for t in texts if t.lower() not in seen]
        for text in rng.sample(candidates, min(quotas[name], len(candidates))):
            seen.add(text.lower())
            rows.append({"source": name, "split": "train", "text": text})
    rng.shuffle(rows)
    start = len(pooled)
    # From round four on, a share of each round gets its own independent second pass.
    share = DOUBLE_SHARE if round_number >= DOUBLE_FROM_ROUND else 0.0
    doubles = set(rng.sample(range(len(rows)), round(len(rows) * share)))
    return [
        {"id": f"e{start + i:04d}", **row, "double": "1" if i in doubles else "0"}
        for i, row in enumerate(rows)
    ]


def read(path: Path) -> list[dict[str, str]]:
    """The pool as written by ``write``."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def round_sizes() -> list[int]:
    """How many texts each round drew, round one first (the pool's rows are in round order)."""
    return [sum(QUOTAS.values())] + [sum(q.values()) for _, q in sorted(ROUND_QUOTAS.items())]


def round_of_index(index: int) -> int:
    """The round (1, 2, ...) that drew the pooled text at 0-based ``index`` (rows are in round
    order, and a text's id is ``e`` plus its index)."""
    return int(np.searchsorted(np.cumsum(round_sizes()), index, side="right")) + 1


def effort_by_round(split: str) -> dict[int, list[Example]]:
    """The effort set's ``split`` (:func:`steplens.training.signals_data.effort`) grouped by the
    labelling round that drew each text (1, 2, 3, ...)."""
    path = data_dir() / "effort" / "effort.csv"
    if not path.is_file():
        raise FileNotFoundError(f"data file not found: {path} (see the folder's SOURCE.md)")
    rounds: dict[int, list[Example]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["split"] != split:
                continue
            number = round_of_index(int(row["id"].lstrip("e")))
            example = Example(row["text"], row["label"], f"effort:{row['source']}")
            rounds.setdefault(number, []).append(example)
    return rounds


def round_of(pooled: Sequence[dict[str, str]]) -> list[int]:
    """The round each pooled row was drawn in."""
    return [round_of_index(index) for index in range(len(pooled))]


def round_texts(round_number: int, path: Path | None = None) -> set[str]:
    """The texts a later round appended to the pool (empty before that round)."""
    pooled = read(path or data_dir() / "effort" / "pool.csv")
    rounds = round_of(pooled)
    return {row["text"] for row, r in zip(pooled, rounds, strict=True) if r == round_number}


def write(rows: Sequence[dict[str, str]], path: Path) -> None:
    """Write the pool as CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "source", "split", "double", "text"])
        writer.writeheader()
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> None:
    """Draw the pool and write it."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--seed", type=int, default=None, help="default: the round number minus one"
    )
    parser.add_argument("--out", type=Path, default=data_dir() / "effort" / "pool.csv")
    parser.add_argument("--more", action="store_true", help="append the next round to --out")
    args = parser.parse_args(argv)
    if args.more:
        pooled = read(args.out)
        sizes = np.cumsum(round_sizes())
        done = [int(n) for n in sizes].index(len(pooled)) + 1 if len(pooled) in sizes else 0
        if not done or done + 1 not in ROUND_QUOTAS:
            raise SystemExit(
                f"{args.out} holds {len(pooled)} texts, which is not the end of a round with "
                "another round to follow; not appending"
            )
        round_number = done + 1
        seed = round_number - 1 if args.seed is None else args.seed
        added = draw_more(pooled, round_number, seed)
        write([*pooled, *added], args.out)
        print(f"appended round {round_number}: {len(added)} training texts to {args.out}")
        return
    rows = draw(0 if args.seed is None else args.seed)
    write(rows, args.out)
    print(f"wrote {len(rows)} texts to {args.out}")


if __name__ == "__main__":
    main()
