"""Key phrases per step: spaCy noun chunks ranked c-TF-IDF style against the other steps.

The report lists, for each step, what customers talk about there ("promo code", "courier"),
not what they talk about everywhere ("customer service"). Phrases are noun chunks, lower-cased,
with leading determiners and pronouns stripped ("my promo code" -> "promo code"); chunks of
stop words only ("it", "something"), URLs, e-mail addresses, emoji and chunks without a word of
two letters or more ("3", "e") are dropped. There is no lemmatizer in the pipeline, so
"delivery" and "deliveries" count as two phrases.

Ranking is class-based TF-IDF as in BERTopic, with each step as one class:

    score(t, step) = tf(t, step) * log(1 + A / f(t))

where tf is the phrase's share of all phrase occurrences in the step's comments, f(t) its
occurrences across all steps and A the average number of phrase occurrences per step (over the
steps that have any). A phrase frequent in one step and rare elsewhere scores highest.

spaCy is imported lazily: importing this module costs nothing.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from steplens.pipeline.segment import DEFAULT_BATCH_SIZE, DEFAULT_MAX_CHARS, load_nlp

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from spacy.tokens import Doc, Span, Token

logger = logging.getLogger(__name__)

DEFAULT_TOP_K = 10
NEEDED_COMPONENTS = frozenset({"tok2vec", "tagger", "attribute_ruler", "parser"})
"""Components noun chunks need: the parse, and the coarse POS the attribute ruler maps from tags."""

_LEADING_TAGS = frozenset({"DT", "PDT", "WDT", "PRP", "PRP$", "WP", "WP$", "POS"})
_LEADING_POS = frozenset({"DET", "PRON"})
_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class KeyPhrase:
    """One ranked phrase of a step: its c-TF-IDF score, occurrences and comments containing it."""

    phrase: str
    score: float
    count: int
    comments: int


def key_phrases(
    texts_by_step: Mapping[str, Sequence[str]],
    top_k: int = DEFAULT_TOP_K,
    *,
    min_count: int = 1,
    nlp: Any = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dict[str, list[KeyPhrase]]:
    """The ``top_k`` key phrases of each step, best first, from the texts that mention it.

    Every step of ``texts_by_step`` is in the result (an empty list when it has no phrases).
    Phrases seen fewer than ``min_count`` times in a step are not listed for it. ``nlp`` defaults
    to the project's spaCy pipeline, loaded once per process; all texts go through one
    ``nlp.pipe`` stream in batches of ``batch_size``.
    """
    steps = list(texts_by_step)
    owners = [i for i, step in enumerate(steps) for _ in texts_by_step[step]]
    texts = [text for step in steps for text in texts_by_step[step]]
    phrases_by_step: list[list[list[str]]] = [[] for _ in steps]
    extracted = extract_phrases(texts, nlp=nlp, batch_size=batch_size)
    for owner, phrases in zip(owners, extracted, strict=True):
        phrases_by_step[owner].append(phrases)
    return rank_phrases(dict(zip(steps, phrases_by_step, strict=True)), top_k, min_count=min_count)


def extract_phrases(
    texts: Sequence[str], *, nlp: Any = None, batch_size: int = DEFAULT_BATCH_SIZE
) -> list[list[str]]:
    """The normalised noun-chunk phrases of each text, in order (empty for blank texts)."""
    results: list[list[str]] = [[] for _ in texts]
    todo = [i for i, text in enumerate(texts) if text and not text.isspace()]
    if not todo:
        return results
    model = load_nlp() if nlp is None else nlp
    skipped = [name for name in model.pipe_names if name not in NEEDED_COMPONENTS]
    cleaned = [_clean(texts[i]) for i in todo]
    try:
        docs = model.pipe(cleaned, batch_size=batch_size, disable=skipped)
        for i, doc in zip(todo, docs, strict=True):
            results[i] = list(_doc_phrases(doc))
    except Exception:
        logger.warning("parsing a batch failed; parsing its texts one by one")
        for i, text in zip(todo, cleaned, strict=True):
            try:
                (doc,) = model.pipe([text], batch_size=1, disable=skipped)
            except Exception:
                logger.exception("parsing a text failed; it gives no key phrases")
                continue
            results[i] = list(_doc_phrases(doc))
    return results


def rank_phrases(
    phrases_by_step: Mapping[str, Sequence[Sequence[str]]],
    top_k: int = DEFAULT_TOP_K,
    *,
    min_count: int = 1,
) -> dict[str, list[KeyPhrase]]:
    """Rank each step's phrases by c-TF-IDF (module docstring); ties go to the more frequent,
    then the alphabetically first phrase. Input: per step, the phrase list of each comment."""
    vocabulary = sorted({p for docs in phrases_by_step.values() for doc in docs for p in doc})
    index = {phrase: i for i, phrase in enumerate(vocabulary)}
    size = len(vocabulary)
    counts: dict[str, NDArray[np.int64]] = {}
    comments: dict[str, NDArray[np.int64]] = {}
    for step, docs in phrases_by_step.items():
        occurrences = [index[p] for doc in docs for p in doc]
        once_per_doc = [i for doc in docs for i in {index[p] for p in doc}]
        counts[step] = np.bincount(np.asarray(occurrences, dtype=np.int64), minlength=size)
        comments[step] = np.bincount(np.asarray(once_per_doc, dtype=np.int64), minlength=size)
    result: dict[str, list[KeyPhrase]] = {step: [] for step in phrases_by_step}
    totals = {step: int(c.sum()) for step, c in counts.items()}
    active = [step for step, total in totals.items() if total > 0]
    if not active or top_k <= 0:
        return result
    frequency = np.zeros(size, dtype=np.int64)
    for step in active:
        frequency += counts[step]
    average = float(np.mean([totals[step] for step in active]))
    idf = np.log1p(average / np.maximum(frequency, 1))
    for step in active:
        count = counts[step]
        ids = np.flatnonzero(count >= max(min_count, 1))
        scores = count[ids] / totals[step] * idf[ids]
        order = np.lexsort((ids, -count[ids], -scores))[:top_k]
        result[step] = [
            KeyPhrase(
                vocabulary[ids[j]],
                float(scores[j]),
                int(count[ids[j]]),
                int(comments[step][ids[j]]),
            )
            for j in order
        ]
    return result


def _clean(text: str) -> str:
    """The text spaCy can take: lone surrogates replaced, cut at DEFAULT_MAX_CHARS."""
    return _SURROGATES.sub("\ufffd", text[:DEFAULT_MAX_CHARS])


def _doc_phrases(doc: Doc) -> Iterable[str]:
    """The normalised phrases of a parsed text's noun chunks (see the module docstring)."""
    for chunk in doc.noun_chunks:
        phrase = _normalise(chunk)
        if phrase:
            yield phrase


def _normalise(chunk: Span) -> str | None:
    """A noun chunk as a phrase, or None when nothing worth listing is left."""
    tokens = [t for t in chunk if _is_wordlike(t)]
    while tokens and (tokens[0].pos_ in _LEADING_POS or tokens[0].tag_ in _LEADING_TAGS):
        tokens.pop(0)
    if not tokens or all(t.is_stop for t in tokens):
        return None
    if not any(t.is_alpha and len(t.text) > 1 for t in tokens):
        return None
    parts = [tokens[0].lower_]
    for before, token in itertools.pairwise(tokens):
        adjacent = token.idx == before.idx + len(before.text)
        parts.append(token.lower_ if adjacent else " " + token.lower_)
    return "".join(parts)


def _is_wordlike(token: Token) -> bool:
    """A token a phrase keeps: not punctuation, space, URL, e-mail or symbol-only (emoji)."""
    if token.is_punct or token.is_space or token.like_url or token.like_email:
        return False
    return any(ch.isalnum() for ch in token.text)
