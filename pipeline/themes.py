"""Themes in feedback clauses: clustered on the shared encoder's embeddings, named by key phrases.

BERTopic's recipe (Grootendorst, 2022) without its heavy dependencies: the clauses' unit-length
all-MiniLM-L6-v2 embeddings are laid out in ``DIMENSIONS`` dimensions the way UMAP does it
(McInnes et al., 2018: a fuzzy graph of each clause's ``NEIGHBOURS`` nearest neighbours, then
attraction along its edges and repulsion from random clauses, here in PyTorch), and clustered
with scikit-learn's HDBSCAN, so a clause in no dense region is noise rather than forced into a
theme. Each cluster is named by class-based TF-IDF over its clauses' words (a word frequent in
this cluster and rare in the others) and shown by the clauses nearest its centre, in the
customers' own words.

``journeys draft`` turns themes into a journey; clustering quality against gold labels is
measured by ``bench/bench_themes.py`` (docs/benchmarks.md).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from steplens.pipeline.errors import SteplensError

if TYPE_CHECKING:
    from numpy.typing import NDArray

DIMENSIONS = 5
"""Dimensions of the layout HDBSCAN reads (UMAP's and BERTopic's default)."""
NEIGHBOURS = 15
"""Nearest neighbours per clause in the graph the layout keeps (UMAP's default)."""
LAYOUT_EPOCHS = 200
NEGATIVE_SAMPLES = 5
_CURVE_A, _CURVE_B = 1.896, 0.8006
"""UMAP's low-dimensional similarity curve 1 / (1 + a d^2b) for min_dist 0, spread 1."""
MIN_CLUSTER_SHARE = 0.01
"""Smallest theme, as a share of the clauses (at least ``MIN_CLUSTER_SIZE``)."""
MIN_CLUSTER_SIZE = 8
MIN_SAMPLES = 5
"""HDBSCAN's density estimate reads this many neighbours (its default, the minimum cluster size,
merges more; 5 scored better on every development set, docs/benchmarks.md)."""
MAX_THEME_SHARE = 0.5
"""Largest theme, as a share of the clauses: short, generic clauses ("thanks", "any update?")
can join everything into one dense region, which HDBSCAN would otherwise call one theme."""
MIN_CLAUSES = 40
"""Fewer clauses than this cannot be clustered into themes worth naming."""
KEY_PHRASES = 8
PHRASE_SHARE = 0.7
"""A two-word phrase scoring at least this share of its stronger word is preferred to the word."""
EXAMPLES = 8
EXAMPLE_WORDS = (3, 20)
"""Examples are clauses of this many words (shorter ones say too little, longer ones too much)."""
_STOP_EXTRA = {
    "user", "http", "amp", "im", "ive", "id", "ill", "youre", "theyre", "thats", "theres", "weve",
    "youve", "dont", "didnt", "doesnt", "cant", "wont", "isnt", "arent", "wasnt", "werent",
    "hasnt", "havent", "hadnt", "couldnt", "wouldnt", "shouldnt", "lol", "pls", "plz", "thx",
}  # fmt: skip
_KEEP = {"not", "no", "never", "cannot", "nothing"}
"""Stop words kept: "not working" and "no refund" name a theme; "working" and "refund" do not."""
_WORD = r"(?u)\b[^\W\d_][^\W\d_]+\b"
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
"""Redaction placeholders ([EMAIL], [PHONE]): the service's stored texts carry them."""


@dataclass(frozen=True)
class Theme:
    """One cluster of clauses: its key phrases, its members and the clauses that show it."""

    label: int
    key_phrases: tuple[str, ...]
    members: tuple[int, ...]
    """Indices of its clauses in the list clustered."""
    examples: tuple[str, ...]
    """Clauses nearest the theme's centre, distinct, most typical first."""

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def name(self) -> str:
        """A readable name from the top key phrases (``promo code, discount``)."""
        return ", ".join(self.key_phrases[:3]) if self.key_phrases else f"theme {self.label}"


def default_min_cluster_size(n: int) -> int:
    """The smallest theme for ``n`` clauses: ``MIN_CLUSTER_SHARE`` of them, at least
    ``MIN_CLUSTER_SIZE``."""
    return max(MIN_CLUSTER_SIZE, round(n * MIN_CLUSTER_SHARE))


def cluster_labels(
    embeddings: NDArray[np.float32], *, min_cluster_size: int | None = None, seed: int = 0
) -> NDArray[np.int64]:
    """A cluster label per embedding (-1: noise): HDBSCAN on the manifold layout; numbered by
    cluster size, largest first."""
    from sklearn.cluster import HDBSCAN

    n = len(embeddings)
    if n < MIN_CLAUSES:
        raise SteplensError(
            f"{n} clauses are too few to find themes in; at least {MIN_CLAUSES} are needed"
        )
    size = min_cluster_size or default_min_cluster_size(n)
    reduced = manifold_layout(embeddings, seed=seed)
    labels = HDBSCAN(
        min_cluster_size=size,
        min_samples=min(MIN_SAMPLES, size),
        max_cluster_size=max(size + 1, round(n * MAX_THEME_SHARE)),
        copy=True,
    ).fit_predict(reduced)
    found = [label for label in np.unique(labels) if label >= 0]
    by_size = sorted(found, key=lambda label: -int(np.sum(labels == label)))
    renumbered = np.full(n, -1, dtype=np.int64)
    for new, old in enumerate(by_size):
        renumbered[labels == old] = new
    return renumbered


def manifold_layout(
    embeddings: NDArray[np.float32],
    *,
    dimensions: int = DIMENSIONS,
    neighbours: int = NEIGHBOURS,
    epochs: int = LAYOUT_EPOCHS,
    seed: int = 0,
) -> NDArray[np.float32]:
    """A low-dimensional layout that keeps each embedding's neighbourhood, as UMAP builds it:
    cosine nearest neighbours, each point's fuzzy memberships (its nearest neighbour at 1, the
    rest decaying so they sum to log2(neighbours)), the union of both directions as edge
    weights, then ``epochs`` of attraction along edges (sampled by weight) and repulsion from
    ``NEGATIVE_SAMPLES`` random points each, with a learning rate falling from 1 to 0. Starts
    from PCA; the same for the same seed."""
    import torch
    from sklearn.decomposition import PCA

    n = len(embeddings)
    k = min(neighbours, n - 1)
    heads, tails, weights = _fuzzy_graph(torch.from_numpy(np.ascontiguousarray(embeddings)), k)
    start = PCA(min(dimensions, n - 1), random_state=seed).fit_transform(embeddings)
    spread = np.maximum(start.max(axis=0) - start.min(axis=0), 1e-9)
    layout = torch.from_numpy((10.0 * (start - start.min(axis=0)) / spread).astype(np.float32))
    generator = torch.Generator().manual_seed(seed)
    a, b = _CURVE_A, _CURVE_B
    for epoch in range(epochs):
        rate = 1.0 - epoch / epochs
        keep = torch.rand(len(weights), generator=generator) < weights
        head, tail = heads[keep], tails[keep]
        step = torch.zeros_like(layout)
        difference = layout[head] - layout[tail]
        squared = (difference * difference).sum(dim=1, keepdim=True)
        pull = (-2 * a * b * squared.pow(b - 1)) / (1 + a * squared.pow(b))
        pull = torch.where(squared > 0, pull, torch.zeros_like(pull))
        force = (pull * difference).clamp(-4, 4) * rate
        step.index_add_(0, head, force)
        step.index_add_(0, tail, -force)
        pushed = head.repeat_interleave(NEGATIVE_SAMPLES)
        others = torch.randint(0, n, (len(pushed),), generator=generator)
        difference = layout[pushed] - layout[others]
        squared = (difference * difference).sum(dim=1, keepdim=True)
        push = (2 * b) / ((0.001 + squared) * (1 + a * squared.pow(b)))
        step.index_add_(0, pushed, (push * difference).clamp(-4, 4) * rate)
        layout += step
    result: NDArray[np.float32] = layout.numpy()
    return result


def _fuzzy_graph(vectors: Any, k: int) -> tuple[Any, Any, Any]:
    """UMAP's fuzzy neighbour graph of unit vectors: (heads, tails, weights scaled to max 1)."""
    import scipy.sparse as sparse
    import torch

    n = len(vectors)
    index = torch.empty((n, k), dtype=torch.long)
    distance = torch.empty((n, k))
    for start in range(0, n, 2048):
        similarity = vectors[start : start + 2048] @ vectors.T
        rows = torch.arange(similarity.shape[0])
        similarity[rows, rows + start] = -2.0  # not its own neighbour
        values, found = similarity.topk(k, dim=1)
        index[start : start + 2048] = found
        distance[start : start + 2048] = (1.0 - values).clamp_min(0.0)
    # rho: the nearest distance that is not zero (duplicates are at zero), as UMAP takes it
    positive = torch.where(distance > 0, distance, torch.full_like(distance, math.inf))
    nearest = positive.min(dim=1, keepdim=True).values
    nearest = torch.where(torch.isinf(nearest), torch.zeros_like(nearest), nearest)
    target = math.log2(k)
    low, high = torch.zeros(n, 1), torch.full((n, 1), math.inf)
    sigma = torch.ones(n, 1)
    for _ in range(64):  # each point's bandwidth, by bisection
        total = torch.exp(-(distance - nearest).clamp_min(0.0) / sigma).sum(dim=1, keepdim=True)
        above = total > target
        high = torch.where(above, sigma, high)
        low = torch.where(above, low, sigma)
        sigma = torch.where(torch.isinf(high), sigma * 2, (low + high) / 2)
    # UMAP's floor: a bandwidth of at least 1e-3 of the mean distance to the neighbours
    sigma = torch.maximum(sigma, 1e-3 * distance.mean(dim=1, keepdim=True))
    membership = torch.exp(-(distance - nearest).clamp_min(0.0) / sigma)
    graph = sparse.csr_matrix(
        (membership.numpy().ravel(), (np.repeat(np.arange(n), k), index.numpy().ravel())),
        shape=(n, n),
    )
    graph = (graph + graph.T - graph.multiply(graph.T)).tocoo()
    weights = torch.from_numpy(graph.data.astype(np.float32))
    return (
        torch.from_numpy(graph.row.astype(np.int64)),
        torch.from_numpy(graph.col.astype(np.int64)),
        weights / weights.max(),
    )


def class_tfidf(
    texts: Sequence[str], labels: NDArray[np.int64], top: int = KEY_PHRASES
) -> dict[int, list[str]]:
    """Key phrases per cluster (noise left out) by class-based TF-IDF: a term's share of the
    cluster's words times ``log(1 + average words per cluster / the term's count overall)``.
    A phrase must occur in two clauses of the cluster; a word already inside a chosen phrase
    is not repeated."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    clusters = sorted(int(label) for label in np.unique(labels) if label >= 0)
    if not clusters:
        return {}
    vectorizer = CountVectorizer(
        ngram_range=(1, 2),
        stop_words=sorted((ENGLISH_STOP_WORDS - _KEEP) | _STOP_EXTRA),
        token_pattern=_WORD,
        lowercase=True,
    )
    try:
        counts = vectorizer.fit_transform([_plain(text) for text in texts]).tocsr()
    except ValueError:  # no words at all
        return {label: [] for label in clusters}
    terms = vectorizer.get_feature_names_out()
    per_class = np.vstack(
        [np.asarray(counts[labels == label].sum(axis=0)).ravel() for label in clusters]
    ).astype(np.float64)
    in_clauses = np.vstack(
        [np.asarray((counts[labels == label] > 0).sum(axis=0)).ravel() for label in clusters]
    )
    overall = per_class.sum(axis=0)
    average = per_class.sum() / len(clusters)
    idf = np.log1p(average / np.maximum(overall, 1.0))
    tf = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1.0)
    scores = tf * idf
    scores[in_clauses < 2] = 0.0
    # A two-word phrase nearly as strong as its stronger word names the theme better ("promo
    # code", not "code"): it takes that word's place.
    vocabulary = vectorizer.vocabulary_
    for index, term in enumerate(terms):
        pair = str(term).split()
        if len(pair) == 2 and all(w in vocabulary for w in pair):
            parts = scores[:, [vocabulary[w] for w in pair]].max(axis=1)
            strong = scores[:, index] >= PHRASE_SHARE * parts
            scores[strong, index] = np.maximum(scores[strong, index], parts[strong] * 1.001)
    phrases: dict[int, list[str]] = {}
    for row, label in enumerate(clusters):
        chosen: list[str] = []
        for index in np.argsort(-scores[row]):
            if scores[row, index] <= 0 or len(chosen) == top:
                break
            term = str(terms[index])
            words = set(term.split())
            if any(words <= set(c.split()) or set(c.split()) <= words for c in chosen):
                continue
            chosen.append(term)
        phrases[label] = chosen
    return phrases


def find_themes(
    texts: Sequence[str],
    embeddings: NDArray[np.float32],
    *,
    min_cluster_size: int | None = None,
    seed: int = 0,
) -> tuple[list[Theme], NDArray[np.int64]]:
    """The themes of ``texts`` (clauses) given their embeddings, largest first, and each
    clause's cluster label (-1: noise)."""
    labels = cluster_labels(embeddings, min_cluster_size=min_cluster_size, seed=seed)
    phrases = class_tfidf(texts, labels)
    themes = []
    for label in sorted(phrases):
        members = np.flatnonzero(labels == label)
        themes.append(
            Theme(
                label=label,
                key_phrases=tuple(phrases[label]),
                members=tuple(int(i) for i in members),
                examples=tuple(typical_clauses(texts, embeddings, members)),
            )
        )
    return themes, labels


def typical_clauses(
    texts: Sequence[str],
    embeddings: NDArray[np.float32],
    members: NDArray[np.int64],
    k: int = EXAMPLES,
) -> list[str]:
    """Up to ``k`` distinct clauses of ``members`` nearest their centre, of a readable length."""
    centre = embeddings[members].mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-9)
    order = members[np.argsort(-(embeddings[members] @ centre))]
    low, high = EXAMPLE_WORDS
    chosen: list[str] = []
    seen: set[str] = set()
    for index in order:
        text = " ".join(texts[index].split())
        key = re.sub(r"\W+", " ", text.lower()).strip()
        if not low <= len(text.split()) <= high or key in seen:
            continue
        seen.add(key)
        chosen.append(text)
        if len(chosen) == k:
            break
    if not chosen:  # no clause of a readable length: the most typical ones, cut short
        for index in order[:k]:
            words = texts[index].split()
            text = " ".join(words[:high]) + (" …" if len(words) > high else "")
            if text and text not in chosen:
                chosen.append(text)
    return chosen


def theme_id(phrase: str, taken: set[str]) -> str:
    """A step id from a key phrase (``promo code`` -> ``promo_code``), unique among ``taken``."""
    ascii_ = unicodedata.normalize("NFKD", phrase).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_") or "theme"
    if base[0].isdigit():
        base = f"theme_{base}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    taken.add(candidate)
    return candidate


def _plain(text: str) -> str:
    """Words only: handles, links, placeholders and numbers out (they name no theme), and
    contractions as one word ("don't" -> "dont", a stop word)."""
    text = _PLACEHOLDER.sub(" ", text)
    text = re.sub(r"@\w+|https?://\S+|www\.\S+", " ", text)
    text = re.sub(r"(?<=[^\W\d_])['’](?=[^\W\d_])", "", text)
    return re.sub(r"\d+", " ", text)


def nmi_ari(gold: Sequence[str], labels: NDArray[np.int64]) -> dict[str, float]:
    """Normalised mutual information and adjusted Rand index of ``labels`` against ``gold``,
    noise counted as one more cluster (as BERTopic's outliers are), and the share of gold labels
    that are the majority of some cluster (a label with a cluster of its own)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    own = set()
    for label in set(int(x) for x in labels if x >= 0):
        members = [g for g, x in zip(gold, labels, strict=True) if x == label]
        top = max(set(members), key=members.count)
        own.add(top)
    return {
        "nmi": float(normalized_mutual_info_score(gold, labels)),
        "ari": float(adjusted_rand_score(gold, labels)),
        "labels_with_a_cluster": len(own) / max(len(set(gold)), 1),
        "clusters": float(len(set(int(x) for x in labels if x >= 0))),
        "noise": float(np.mean(labels < 0)) if len(labels) else math.nan,
    }
