"""Theme discovery against gold labels: steplens's themes beside BERTopic's, same embeddings.

    python -m bench.bench_themes [--sets laptop,complaints,clinc150,banking77] [--bertopic]

Real texts with step-like gold labels (one label per text): laptop reviews by aspect category
(Laptop-ACOS dev), consumer complaints by product domain, CLINC150 intents (val), Banking77 intents
(a seeded 3,000 of train). Each text is embedded once (all-MiniLM-L6-v2, the step view the tagger
reads); both methods cluster the same embeddings. Measures: NMI, ARI, the share of gold labels that
are the majority of some cluster, clusters found, noise share, seconds (mean, and min-max over
``--seeds`` runs). BERTopic (``pip install 'steplens[bench]'``) runs with its defaults (UMAP to 5
dimensions, HDBSCAN) given a seed, at steplens's own minimum theme size and at 10 (BERTopic's
default), so both look for themes of the same size.
These are development sets: nothing here is a test split.
"""

from __future__ import annotations

import argparse
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from bench.datasets import LabelledTexts, banking77, clinc150, complaint_domains, laptop_reviews
from steplens.pipeline.themes import cluster_labels, default_min_cluster_size, nmi_ari

logger = logging.getLogger(__name__)

SETS: dict[str, Callable[[], LabelledTexts]] = {
    "laptop": lambda: laptop_reviews("dev"),
    "complaints": complaint_domains,
    "clinc150": lambda: clinc150("val"),
    "banking77": lambda: _sample(banking77("train"), 3000),
}


def _sample(data: LabelledTexts, n: int, seed: int = 0) -> LabelledTexts:
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    keep = sorted(order[:n])
    return LabelledTexts([data.texts[i] for i in keep], [data.labels[i] for i in keep])


def single_label(data: LabelledTexts) -> tuple[list[str], list[str]]:
    """The texts with exactly one gold label."""
    pairs = [(t, ls[0]) for t, ls in zip(data.texts, data.labels, strict=True) if len(ls) == 1]
    return [t for t, _ in pairs], [label for _, label in pairs]


def embed(texts: Sequence[str]) -> np.ndarray:
    from steplens.pipeline.minilm import base_encoder
    from steplens.pipeline.model_view import step_views

    return base_encoder("fp32").encode(step_views(texts))


def bertopic_labels(
    texts: Sequence[str], embeddings: np.ndarray, min_topic: int, seed: int = 0
) -> Any:
    try:
        from bertopic import BERTopic
        from umap import UMAP
    except ImportError:
        raise SystemExit(
            "--bertopic needs BERTopic: pip install 'steplens[bench]' (or pip install bertopic)"
        ) from None

    # BERTopic's own UMAP settings, with a seed (unseeded, its results change run to run)
    umap = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    model = BERTopic(
        umap_model=umap, min_topic_size=min_topic, calculate_probabilities=False, verbose=False
    )
    topics, _ = model.fit_transform(list(texts), embeddings=embeddings)
    return np.asarray(topics, dtype=np.int64)


def run(
    method: str, texts: Sequence[str], embeddings: np.ndarray, size: int, seed: int
) -> tuple[np.ndarray, float]:
    """One method's labels and seconds (the embeddings are given: their time is not counted)."""
    started = time.perf_counter()
    if method == "bertopic":
        labels = bertopic_labels(texts, embeddings, size, seed)
    else:
        labels = cluster_labels(embeddings, min_cluster_size=size, seed=seed)
    return labels, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--bertopic", action="store_true", help="also run BERTopic")
    parser.add_argument(
        "--sizes", default="10", help="other minimum theme sizes to run (10: BERTopic's default)"
    )
    parser.add_argument("--seeds", type=int, default=3, help="runs per method (mean, min-max)")
    args = parser.parse_args(argv)
    rows = []
    for name in args.sets.split(","):
        texts, gold = single_label(SETS[name]())
        embeddings = embed(texts)
        size = default_min_cluster_size(len(texts))
        sizes = [size, *(int(s) for s in args.sizes.split(",") if s and int(s) != size)]
        methods = ["steplens", *(["bertopic"] if args.bertopic else [])]
        for minimum in sizes:
            for method in methods:
                scores, seconds = [], []
                for seed in range(args.seeds):
                    labels, took = run(method, texts, embeddings, minimum, seed)
                    scores.append(nmi_ari(gold, labels))
                    seconds.append(took)
                label = f"{'BERTopic' if method == 'bertopic' else 'steplens'} (min {minimum})"
                rows.append((name, len(texts), len(set(gold)), label, scores, seconds))
    print(
        "| set | texts | gold labels | method | NMI | ARI | labels with a cluster | clusters "
        "| noise | seconds |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for name, n, gold_n, method, scores, seconds in rows:
        cells = [
            spread([s[key] for s in scores], digits)
            for key, digits in (
                ("nmi", 3),
                ("ari", 3),
                ("labels_with_a_cluster", 2),
                ("clusters", 0),
                ("noise", 2),
            )
        ]
        print(
            f"| {name} | {n} | {gold_n} | {method} | {' | '.join(cells)} | {np.mean(seconds):.1f} |"
        )


def spread(values: Sequence[float], digits: int) -> str:
    """The mean, and the range when there are several runs."""
    mean = f"{np.mean(values):.{digits}f}"
    if len(values) == 1:
        return mean
    return f"{mean} ({min(values):.{digits}f}-{max(values):.{digits}f})"


if __name__ == "__main__":
    main()
