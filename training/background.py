"""Build the background sample: random real tweets, as the models read them, against which
the zero-shot classifier sets a journey's ``unassigned`` level (issue 22, item 5).

A text is on-topic for a journey when it comes closer to one of its steps than most random
text does. "Random text" here is real tweets about anything (SemEval 2013-2016 sentiment
tweets, ``data/signals/semeval_tweets``, sampled across all their files and topics), written
as the model view writes them (handles as ``@user``, links as ``http``), so the file holds no
user handle. The sample is written to ``data/calibration/background_tweets.txt``, and the
embeddings of every background text (the tweets and ``off_topic.txt``, in the step view that
step classification reads: no opening or closing handles) by the packaged encoder in fp32 to
``background_embeddings.npy`` with a JSON note of the encoder and texts they belong
to (runs with another encoder embed the texts themselves). Nothing is trained, and the same
seed gives the same files.

    python -m steplens.training.background [--size 1000] [--seed 0] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from steplens.pipeline.model_view import model_view
from steplens.pipeline.paths import data_dir
from steplens.training.signals_data import semeval_tweets

logger = logging.getLogger(__name__)

HEADER = """\
# Background sample for the zero-shot "unassigned" level (pipeline/steps/background.py).
# {size} tweets drawn at random (seed {seed}) from the SemEval 2013-2016 Task 4 subtask A files in
# data/signals/semeval_tweets (see its SOURCE.md: research data under Twitter's terms; escapes
# decoded, TweetEval val/test tweets left out), as the models read them: handles -> @user, links
# -> http. Their topics include brands and devices.
# Rebuild: `python -m steplens.training.background`.
# One text per line; lines starting with # are comments.
"""


def sample_background(texts: Sequence[str], size: int, seed: int) -> list[str]:
    """``size`` distinct model views of ``texts`` drawn with ``random.Random(seed)``; views that
    open with ``#`` (a hashtag) are left out, since the file reads such lines as comments."""
    views = [v for v in dict.fromkeys(model_view(text) for text in texts) if not v.startswith("#")]
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
    tweets = [example.text for example in semeval_tweets()]
    sample = sample_background(tweets, args.size, args.seed)
    args.out.write_text(
        HEADER.format(size=len(sample), seed=args.seed) + "\n".join(sample) + "\n",
        encoding="utf-8",
    )
    logger.info("wrote %d background tweets to %s", len(sample), args.out)
    write_embeddings(args.out.parent)


def write_embeddings(folder: Path) -> None:
    """Embed every background text with the packaged fp32 encoder and write them beside the
    texts, with the encoder's cache key and the texts' digest."""
    from steplens.pipeline.minilm import base_encoder
    from steplens.pipeline.steps.background import (
        SHIPPED_META,
        SHIPPED_VECTORS,
        background_texts,
        texts_digest,
    )

    encoder = base_encoder("fp32")
    texts = background_texts()
    vectors = np.asarray(encoder.encode(texts), dtype=np.float32)
    np.save(folder / SHIPPED_VECTORS, vectors, allow_pickle=False)
    meta = {
        "encoder": encoder.name,
        "texts": texts_digest(texts),
        "shape": vectors.shape,
    }
    (folder / SHIPPED_META).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    logger.info("wrote the embeddings of %d background texts to %s", len(texts), folder)


if __name__ == "__main__":
    main(sys.argv[1:])
