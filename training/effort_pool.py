"""Draw the pool of real texts that is labelled for customer effort (data/effort/).

No public data set labels customer effort, so steplens labels its own: texts drawn from the
sentiment and complaint sets bundled under ``data/signals/`` (never invented), read one by one
against ``docs/effort-rubric.md``. The draw is deterministic (seeded) and oversamples the sources
where effort is talked about (complaints to brands, low-rated dialogue turns), so that the rare
``high`` and ``moderate`` labels are not drowned by ``none``.

    python -m training.effort_pool [--seed 0] [--out data/effort/pool.csv]

Writes ``id, source, split, double, text``: ``split`` is ``train`` or ``test`` (a stratified 20%
kept for the numbers reported at the end, never for training or tuning), ``double`` marks the
texts that get an independent second labelling pass.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from pipeline.paths import data_dir

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
TEST_SHARE = 0.2
DOUBLE_SHARE = 0.2
MIN_WORDS = 4
_SPACE = re.compile(r"\s+")


def signals_dir() -> Path:
    """Where the bundled sentiment and complaint sets live: ``<data dir>/signals``."""
    return data_dir() / "signals"


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def complaints(is_complaint: bool) -> list[str]:
    """Brand-directed tweets (the random_reply/random_tweet controls are left out)."""
    path = signals_dir() / "complaints_twitter" / "complaints-data.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            _clean(text)
            for _, text, label, domain in csv.reader(handle)
            if (label == "1") == is_complaint and not domain.startswith("random")
        ]


def uss_user_turns(low: bool) -> list[str]:
    """USER turns of the USS dialogues (SGD and MultiWOZ); ``low`` = mean rating <= 2.5."""
    texts = []
    for name in ("SGD.txt", "MWOZ.txt"):
        path = signals_dir() / "uss_satisfaction" / name
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 4 or parts[0] != "USER" or parts[1] == "OVERALL" or not parts[3]:
                continue
            ratings = [int(r) for r in parts[3].split(",") if r.strip().isdigit()]
            if ratings and (sum(ratings) / len(ratings) <= 2.5) == low:
                texts.append(_clean(parts[1]))
    return texts


def xml_sentences(path: Path) -> list[str]:
    """Every ``<sentence><text>`` of a SemEval/MAMS file."""
    return [_clean(node.text or "") for node in ET.parse(path).iter("text")]


def tweeteval_val() -> list[str]:
    """TweetEval sentiment validation tweets (test is for reported numbers only)."""
    path = signals_dir() / "tweeteval_sentiment" / "val_text.txt"
    return [_clean(line) for line in path.read_text(encoding="utf-8").splitlines()]


def sst2_train_sentences() -> list[str]:
    """SST-2 train rows that are whole sentences (ending in . ! ?), not phrases."""
    path = signals_dir() / "sst2" / "train_full.tsv"
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    texts = [_clean(row.rsplit("\t", 1)[0]) for row in rows]
    return [text for text in texts if text[-1:] in ".!?" and len(text.split()) >= 8]


def sources() -> dict[str, list[str]]:
    """Every source's candidate texts (deduplicated, at least ``MIN_WORDS`` words)."""
    raw = {
        "complaints_twitter:complaint": complaints(True),
        "complaints_twitter:other": complaints(False),
        "uss_satisfaction:low": uss_user_turns(True),
        "uss_satisfaction:other": uss_user_turns(False),
        "mams_acsa": xml_sentences(data_dir() / "benchmarks" / "mams_acsa" / "train.xml"),
        "semeval14_restaurants": xml_sentences(
            signals_dir() / "semeval14_restaurants" / "Restaurants_Train.xml"
        ),
        "semeval16_laptops": xml_sentences(
            signals_dir() / "semeval16_laptops" / "ABSA16_Laptops_Train_SB1_v2.xml"
        ),
        "tweeteval_sentiment:val": tweeteval_val(),
        "sst2:train": sst2_train_sentences(),
    }
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
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=data_dir() / "effort" / "pool.csv")
    args = parser.parse_args(argv)
    rows = draw(args.seed)
    write(rows, args.out)
    print(f"wrote {len(rows)} texts to {args.out}")


if __name__ == "__main__":
    main()
