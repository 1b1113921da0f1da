"""Person names: spaCy's named-entity recogniser, with the journey's own words protected.

Only the ``ner`` component of the project's spaCy pipeline is loaded (it has its own tok2vec in
en_core_web_sm, so tagger, parser and the rest are excluded), once per process and lazily.
A ``PERSON`` entity is kept as a name unless every word of it is a word of the journey's
vocabulary (step ids, names, descriptions, examples; stop words left out), it is written
without a capital or in capitals only, it is (part of) a handle, a hashtag, a URL, a number or
a placeholder, or it follows a place preposition ("in", "into", "through", "via", "near").
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from steplens.pipeline.blas import single_threaded_blas
from steplens.pipeline.errors import MissingDependencyError

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from steplens.pipeline.journey import Journey

logger = logging.getLogger(__name__)

NER_COMPONENTS_EXCLUDED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
"""Everything but the tokenizer and ``ner``: the NER component carries its own tok2vec."""
DEFAULT_NER_CHUNK_CHARS = 5_000
"""Longer texts are run through NER in pieces of at most this many characters."""

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s?$", re.IGNORECASE)
_NOT_IN_NAMES = re.compile(r"[\d/\\:@#_=&%+<>]|www\.|\.(?:com|co|org|net)\b", re.IGNORECASE)
_PLACE_PREPOSITIONS = frozenset({"in", "into", "through", "via", "near"})
_PLACEHOLDER = re.compile(r"\[(?:EMAIL|PHONE|CARD|IBAN|URL|ADDRESS|NAME)\]")
_SURROGATES = re.compile("[\ud800-\udfff]")
"""spaCy cannot hash lone surrogates: each becomes one replacement character (offsets kept)."""
_NER_LOCK = threading.Lock()
"""spaCy does not promise thread safety: one NER pass at a time per process."""


@functools.lru_cache(maxsize=1)
def load_ner() -> Any:
    """spaCy's tokenizer and NER component only, loaded once per process."""
    from steplens.pipeline.segment import SPACY_MODEL, load_spacy_pipeline

    nlp = load_spacy_pipeline(NER_COMPONENTS_EXCLUDED)
    if "ner" not in nlp.pipe_names:
        raise MissingDependencyError(f"the spaCy pipeline {SPACY_MODEL} has no ner component")
    logger.info("loaded spaCy NER from %s (%s)", SPACY_MODEL, ", ".join(nlp.pipe_names))
    return nlp


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def vocabulary_words(texts: Iterable[str]) -> frozenset[str]:
    """The lowercase content words of ``texts`` with their simple singular and plural forms."""
    stop = _stop_words()
    words: set[str] = set()
    for text in texts:
        for match in _WORD.finditer(text.replace("_", " ")):
            word = _POSSESSIVE.sub("", match.group().lower())
            if len(word) < 2 or word in stop:
                continue
            words.add(word)
            words.add(word[:-1] if word.endswith("s") else word + "s")
    return frozenset(words)


@functools.lru_cache(maxsize=64)
def journey_vocabulary(journey: Journey) -> frozenset[str]:
    """The words a journey uses for itself: its name and description, and each step's id,
    name, description and examples (cached per journey definition)."""
    texts = [journey.name, journey.description]
    for step in journey.steps:
        texts += [step.id, step.name, step.description, *step.examples]
    return vocabulary_words(texts)


def chunk_bounds(text: str, size: int) -> list[tuple[int, int]]:
    """``[start, end)`` pieces of at most ``size`` characters, cut at whitespace when possible."""
    bounds, start = [], 0
    while len(text) - start > size:
        end = start + size
        cut = max(text.rfind(" ", start + size // 2, end), text.rfind("\n", start + size // 2, end))
        end = cut if cut > start else end
        bounds.append((start, end))
        start = end
    bounds.append((start, len(text)))
    return bounds


class NameFinder:
    """Finds person names with spaCy NER, batch-wise, never in the protected vocabulary."""

    def __init__(
        self,
        nlp: Any,
        protected: frozenset[str],
        *,
        batch_size: int = 64,
        chunk_chars: int = DEFAULT_NER_CHUNK_CHARS,
    ) -> None:
        self.nlp = nlp
        self.protected = protected
        self.batch_size = batch_size
        self.chunk_chars = chunk_chars

    def with_protected(self, protected: frozenset[str]) -> NameFinder:
        """The same model protecting ``protected`` instead."""
        return NameFinder(
            self.nlp, protected, batch_size=self.batch_size, chunk_chars=self.chunk_chars
        )

    def find_many(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """The name spans of each text; texts without a capital letter are not run through NER."""
        found: list[list[tuple[int, int]]] = [[] for _ in texts]
        pieces: list[tuple[int, int, str]] = []  # (text index, offset, piece)
        for index, text in enumerate(texts):
            if not any(c.isupper() for c in text):
                continue  # the model finds no names in lowercase text; skip the pass
            readable = _SURROGATES.sub("\ufffd", text)
            for start, end in chunk_bounds(readable, self.chunk_chars):
                pieces.append((index, start, readable[start:end]))
        if not pieces:
            return found
        with _NER_LOCK, single_threaded_blas:  # small products; see steplens.pipeline.blas
            docs = list(self.nlp.pipe([p for _, _, p in pieces], batch_size=self.batch_size))
        for (index, offset, _), doc in zip(pieces, docs, strict=True):
            found[index] += [(offset + a, offset + b) for a, b in self._names(doc)]
        return found

    def _names(self, doc: Doc) -> list[tuple[int, int]]:
        spans = []
        for entity in doc.ents:
            if entity.label_ != "PERSON":
                continue
            tokens = list(entity)
            while tokens and (tokens[-1].is_punct or tokens[-1].lower_ in ("'s", "’s", "'")):
                tokens.pop()
            while tokens and tokens[0].is_punct:
                tokens.pop(0)
            if not tokens:
                continue
            start = tokens[0].idx
            end = tokens[-1].idx + len(tokens[-1].text)
            if start > 0 and doc.text[start - 1] in "#@":
                continue  # a hashtag or a handle
            before = doc[tokens[0].i - 1].lower_ if tokens[0].i > 0 else ""
            if before in _PLACE_PREPOSITIONS:
                continue  # "in King's Lynn", "through Stratford": a place
            if self._keep(doc.text[start:end]):
                spans.append((start, end))
        return spans

    def _keep(self, text: str) -> bool:
        """Whether an entity's text is a name worth redacting (see the module docstring)."""
        if _NOT_IN_NAMES.search(text) or _PLACEHOLDER.search(text):
            return False
        if not any(c.isupper() for c in text) or not any(c.islower() for c in text):
            return False
        if any(len(w) >= 3 and w.isupper() for w in text.split()):
            return False  # a code or an acronym ("ref QRRJUA", "DPD"), not part of a name
        words = [_POSSESSIVE.sub("", w.lower()) for w in _WORD.findall(text)]
        if not words:
            return False
        return not all(word in self.protected for word in words)
