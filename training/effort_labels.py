"""Assemble the effort data set from its labelling passes (data/effort/).

Files (all CSV with a header):

- ``pool.csv``: ``id, source, split, double, text``, drawn by ``steplens.training.effort_pool``;
- ``labels_pass1.csv``: ``id, label`` for every pooled text (first pass, read against
  docs/effort-rubric.md);
- ``labels_pass2.csv``: ``id, label`` for the texts marked ``double``, labelled independently
  (the second labeller never saw pass one);
- ``adjudication.csv``: ``id, label, reason`` for every text where the passes disagree, decided
  by a third reading against the rubric.

    python -m steplens.training.effort_labels agreement [--round 4]   # kappa between the passes
    python -m steplens.training.effort_labels build       # writes effort.csv (the final labels)

``effort.csv`` (``id, source, split, text, label``) takes the adjudicated label where there is
one, otherwise the first pass's.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from steplens.pipeline.agreement import cohen_kappa, effort_agreement
from steplens.pipeline.paths import data_dir
from steplens.pipeline.signals import EFFORT_LABELS


def effort_dir() -> Path:
    """``<data dir>/effort``."""
    return data_dir() / "effort"


def read_rows(name: str) -> list[dict[str, str]]:
    """Rows of one CSV under ``data/effort``."""
    with (effort_dir() / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_labels(name: str) -> dict[str, str]:
    """``id -> label`` from a labels file, checked against the rubric's labels."""
    labels = {}
    for line, row in enumerate(read_rows(name), start=2):
        if row["label"] not in EFFORT_LABELS:
            raise ValueError(
                f"{name}, line {line}: label {row['label']!r} is not one of {EFFORT_LABELS}"
            )
        if row["id"] in labels:
            raise ValueError(f"{name}, line {line}: id {row['id']} labelled twice")
        labels[row["id"]] = row["label"]
    return labels


@dataclass(frozen=True)
class Agreement:
    """How the two labelling passes agree on the doubly labelled texts."""

    texts: int
    raw_agreement: float
    cohen_kappa: float
    quadratic_weighted_kappa_4way: float
    qwk_on_texts_both_see_effort: float
    texts_both_see_effort: int
    signal_f1_pass2_vs_pass1: float
    confusion_pass1_to_pass2: dict[str, int]
    disagreements: list[str]


def agreement(round_number: int = 1) -> Agreement:
    """Agreement between the two passes on one round's doubly labelled texts.

    Round one's 332 texts are the agreement the benchmarks quote (they span the test split);
    round four has its own second pass.
    """
    from steplens.training.effort_pool import round_of_index

    first, second = read_labels("labels_pass1.csv"), read_labels("labels_pass2.csv")
    ids = [i for i in second if i in first and round_of_index(int(i.lstrip("e"))) == round_number]
    a = np.array([EFFORT_LABELS.index(first[i]) for i in ids])
    b = np.array([EFFORT_LABELS.index(second[i]) for i in ids])
    both = (a > 0) & (b > 0)
    pairs = Counter(zip([first[i] for i in ids], [second[i] for i in ids], strict=True))
    return Agreement(
        texts=len(ids),
        raw_agreement=round(float(np.mean(a == b)), 4),
        cohen_kappa=round(cohen_kappa(a, b, len(EFFORT_LABELS)), 4),
        quadratic_weighted_kappa_4way=round(
            cohen_kappa(a, b, len(EFFORT_LABELS), quadratic=True), 4
        ),
        qwk_on_texts_both_see_effort=round(cohen_kappa(a[both] - 1, b[both] - 1, 3, True), 4),
        texts_both_see_effort=int(both.sum()),
        signal_f1_pass2_vs_pass1=round(effort_agreement(a, b)["signal_f1"], 4),
        confusion_pass1_to_pass2={f"{x}->{y}": n for (x, y), n in sorted(pairs.items())},
        disagreements=[i for i in ids if first[i] != second[i]],
    )


def build() -> Path:
    """Write effort.csv from the pool, pass one and the adjudication."""
    pool = read_rows("pool.csv")
    first = read_labels("labels_pass1.csv")
    second = read_labels("labels_pass2.csv")
    adjudicated = read_labels("adjudication.csv")
    missing = [row["id"] for row in pool if row["id"] not in first]
    if missing:
        raise ValueError(f"{len(missing)} pooled texts have no first-pass label: {missing[:5]}")
    undecided = [i for i in second if second[i] != first[i] and i not in adjudicated]
    if undecided:
        raise ValueError(f"{len(undecided)} disagreements are not adjudicated: {undecided[:5]}")
    path = effort_dir() / "effort.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "source", "split", "text", "label"])
        writer.writeheader()
        for row in pool:
            label = adjudicated.get(row["id"], first[row["id"]])
            kept = {k: row[k] for k in ("id", "source", "split", "text")}
            writer.writerow({**kept, "label": label})
    return path


def main(argv: Sequence[str] | None = None) -> None:
    """``agreement`` or ``build``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("command", choices=["agreement", "build"])
    parser.add_argument(
        "--round", type=int, default=1, help="agreement: the labelling round (1 or 4)"
    )
    args = parser.parse_args(argv)
    if args.command == "agreement":
        print(json.dumps(asdict(agreement(args.round)), indent=2))
    else:
        path = build()
        rows = read_rows(path.name)
        print(f"wrote {path}: {len(rows)} texts")
        for split in ("train", "test"):
            counts = Counter(r["label"] for r in rows if r["split"] == split)
            print(f"  {split}: {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main()
