"""Which language a comment is in, so text the English models were not trained for is not
scored (or redacted) as if it were English.

Two detectors that ship their models must agree before a comment is called non-English: Lingua
(trigram models, low-accuracy mode: 28 MB instead of 370 MB for these languages) and langid.py
(``py3langid``, naive Bayes over byte n-grams), both restricted to the languages below. Either
alone misreads short English: Lingua called "thx so much!!" Spanish and "meh whatever dude"
German; langid.py missed "Muy mal servicio". Handles, hashtags and links are removed first (a
brand's name says nothing about the language), and a text with fewer than
:data:`MIN_LETTERS` letters (3 in a non-Latin script) is too short to tell: it is read as English,
as it was before detection existed.

Measured (``python -m bench.bench_language``, development data): called non-English were 1 of
2,000 SemEval tweets (it is Indonesian), 0 of 74 chatter lines, 0 of 2,890 laptop review
sentences and 0 of 3,321 complaint tweets; the bundled sample's two non-English comments and no
others; 20 of 20 short complaints written in 13 other languages. Lingua alone flagged 20 of the
tweets and 84 of the laptop sentences; langid.py alone missed 4 of the 20. It costs about 0.15 ms
a comment (``tag`` ran at 0.95x its throughput before, on 3,321 tweets).

Both libraries are imported on first use; without them every comment is read as English and a
warning names the ``pip install`` to run.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

ENGLISH = "en"
LANGUAGES = (
    "en", "es", "fr", "de", "pt", "it", "nl", "pl", "tr", "ru", "ar", "zh", "ja", "ko", "hi",
    "id", "sv", "da", "fi", "cs", "ro", "hu", "el", "uk", "he", "vi", "th",
)  # fmt: skip
"""ISO 639-1 codes both detectors choose among: the most common languages of feedback."""
MIN_LETTERS = 10
MIN_OTHER_SCRIPT = 3
MIN_AGREEMENT = 0.5
"""langid.py's probability for Lingua's language (over the languages above) needed to agree."""
_ADDRESSING = re.compile(r"@\w+|#\w+|https?://\S+|www\.\S+")
_SURROGATES = re.compile("[\ud800-\udfff]")
"""Lone surrogates (valid in JSON, not in UTF-8) would stop Lingua's Rust core."""


class LanguageDetector:
    """``detect_many(texts)``: an ISO 639-1 code per text, ``en`` when English or unsure."""

    def __init__(self, lingua: Any, langid: Any | None = None) -> None:
        """``langid`` is loaded on first need when not given (its model takes 0.4 s to load,
        and only the texts Lingua calls non-English are asked)."""
        self._lingua = lingua
        self._langid = langid

    def detect(self, text: str) -> str:
        """The language of one text (``en`` when English, too short or unsure)."""
        if self._lingua is None:
            return ENGLISH
        cleaned = _SURROGATES.sub("\ufffd", _ADDRESSING.sub(" ", text))
        if len(cleaned) < 4 * MIN_LETTERS:  # long texts have letters enough
            letters = [ch for ch in cleaned if ch.isalpha()]
            other_script = sum(ord(ch) > 0x24F for ch in letters)
            if len(letters) < MIN_LETTERS and other_script < MIN_OTHER_SCRIPT:
                return ENGLISH
        found = self._lingua.detect_language_of(cleaned)
        if found is None:
            return ENGLISH
        code = str(found.iso_code_639_1.name).lower()
        if code == ENGLISH:
            return ENGLISH
        second, probability = self.second_opinion().classify(cleaned)
        return code if second == code and probability >= MIN_AGREEMENT else ENGLISH

    def detect_many(self, texts: Sequence[str]) -> list[str]:
        """The language of each text."""
        return [self.detect(text) for text in texts]

    def second_opinion(self) -> Any:
        """langid.py, restricted to :data:`LANGUAGES`, loaded on first use."""
        if self._langid is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            langid = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            langid.set_languages(list(LANGUAGES))
            self._langid = langid
        return self._langid


@functools.lru_cache(maxsize=1)
def load_language_detector() -> LanguageDetector:
    """The detector, built once per process (Lingua's models load on first use)."""
    try:
        import py3langid  # noqa: F401  (checked now, loaded when first needed)
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
    except ImportError:
        logger.warning(
            "language detection is off (pip install lingua-language-detector py3langid): every "
            "comment is read as English"
        )
        return LanguageDetector(None, None)
    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES
    ]
    lingua = (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_minimum_relative_distance(0.1)
        .with_low_accuracy_mode()
        .build()
    )
    return LanguageDetector(lingua)
