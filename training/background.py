"""Build the background sample: random real tweets, as the models read them, against which
the zero-shot classifier sets a journey's ``unassigned`` level (issue 22, item 5).

A text is on-topic for a journey when it comes closer to one of its steps than most random
text does. "Random text" here is real tweets about anything (SemEval 2013-2016 sentiment
tweets, ``data/signals/semeval_tweets``, sampled across all their files and topics), written
as the model view writes them (handles as ``@user``, links as ``http``), so the file holds no
user handle. The sample is written to ``data/calibration/background_tweets.txt``; nothing is
trained, and the same seed gives the same file.

    python -m training.background [--size 1000] [--seed 0] [--out PATH]
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.model_view import model_view
from pipeline.paths import data_dir

logger = logging.getLogger(__name__)

HEADER = """\
# Background sample for the zero-shot "unassigned" level (pipeline/steps/background.py).
# {size} tweets drawn at random (seed {seed}) from the SemEval 2013-2016 Task 4 subtask A files in
# data/signals/semeval_tweets (see its SOURCE.md: research data under Twitter's terms), as the
# models read them: handles -> @user, links -> http. Rebuild with `python -m training.background`.
# One text per line; lines starting with # are comments.
"""


def read_semeval_tweets(folder: Path) -> list[str]:
    """Distinct tweet texts of every ``*.tsv`` file in ``folder``, in file order."""
    texts: dict[str, None] = {}
    for path in sorted(folder.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            text = " ".join(parts[2].split()) if len(parts) >= 3 else ""
            if len(text) > 1 and text[0] == text[-1] == '"':
                text = text[1:-1].replace('""', '"')  # the files quote some tweets CSV-style
            if text:
                texts[text] = None
    return list(texts)


def sample_background(texts: Sequence[str], size: int, seed: int) -> list[str]:
    """``size`` distinct model views of ``texts`` drawn with ``random.Random(seed)``."""
    views = list(dict.fromkeys(model_view(text) for text in texts))
    if len(views) < size:
        raise ValueError(f"only {len(views)} distinct tweets to draw {size} from")
    return random.Random(seed).sample(views, size)


def main(argv: Sequence[str] | None = None) -> None:
    """Write the background file."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=data_dir() / "calibration" / "background_tweets.txt"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    tweets = read_semeval_tweets(data_dir() / "signals" / "semeval_tweets")
    sample = sample_background(tweets, args.size, args.seed)
    lines = [line for line in sample if not line.startswith("#")]
    args.out.write_text(
        HEADER.format(size=len(lines), seed=args.seed) + "\n".join(lines) + "\n", encoding="utf-8"
    )
    logger.info("wrote %d background tweets to %s", len(lines), args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
