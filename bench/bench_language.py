"""Language detection on real text: English must stay English, other languages must be caught.

    python -m bench.bench_language

``steplens.pipeline.language`` decides which comments the English models do not score. The costly
mistake is calling English text foreign (it would silently drop out of every step), so most of
the rows are real English: SemEval tweets (with their handles), chatter, laptop review
sentences, the complaint tweets (real tweets to brands and random ones) and the bundled sample.
The other row is short complaints in 13 languages, written for this bench (translations of
typical complaints; no public labelled set of non-English feedback is in data/). Each row: how
many texts were called non-English, with examples, beside the two detectors alone.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence

from bench.bench_steps import load_sample
from bench.datasets import complaint_domains, laptop_reviews
from steplens.pipeline.language import ENGLISH, LanguageDetector, load_language_detector
from steplens.pipeline.steps.background import read_texts

OTHER_LANGUAGES = {
    "es": ["Muy mal servicio", "El paquete llegó tarde y roto", "No puedo pagar con mi tarjeta",
           "Pedido cancelado sin aviso, qué vergüenza", "gracias por nada"],
    "fr": ["Service client nul, jamais de réponse", "La livraison a pris deux semaines",
           "merci pour rien"],
    "de": ["Der Kundenservice ist schrecklich", "Lieferung kam zu spät", "danke für nichts"],
    "it": ["Il pacco non è mai arrivato"],
    "pt": ["O reembolso ainda não chegou"],
    "nl": ["De bezorging was te laat"],
    "pl": ["Dostawa była opóźniona"],
    "tr": ["Kargo çok geç geldi"],
    "ru": ["Доставка опоздала на неделю"],
    "ja": ["配送が遅すぎる"],
    "zh": ["退款还没有到账"],
    "ar": ["التوصيل تأخر كثيرا"],
}  # fmt: skip


def english_sets() -> dict[str, list[str]]:
    """Real English text (and the bundled sample, which holds two non-English comments)."""
    from steplens.training.signals_data import semeval_tweets

    tweets = [example.text for example in semeval_tweets()]
    return {
        "SemEval tweets (2,000, seed 0)": random.Random(0).sample(tweets, 2000),
        "chatter lines (data/calibration)": read_texts("off_topic.txt"),
        "laptop review sentences (train)": laptop_reviews("train").texts,
        "complaint tweets, all (real tweets to brands and random ones)": complaint_domains().texts,
        "bundled sample (2 comments not in English)": [t for t in load_sample()[0] if t.strip()],
    }


def detectors() -> dict[str, Callable[[str], str]]:
    """Both detectors together (in use) and each alone, with the same restrictions."""
    detector = load_language_detector()
    lingua, langid = detector._lingua, detector.second_opinion()  # the same configured models

    def lingua_alone(text: str) -> str:
        alone = LanguageDetector(lingua, _Agree())
        return alone.detect(text)

    def langid_alone(text: str) -> str:
        code, probability = langid.classify(text)
        return code if code != ENGLISH and probability >= 0.9 else ENGLISH

    return {
        "both agree (in use)": detector.detect,
        "Lingua alone": lingua_alone,
        "langid.py alone (p >= 0.9)": langid_alone,
    }


class _Agree:
    """A second opinion that always agrees (to measure Lingua alone through the same rules)."""

    def classify(self, text: str) -> tuple[str, float]:
        found = load_language_detector()._lingua.detect_language_of(text)
        return (str(found.iso_code_639_1.name).lower() if found else ENGLISH), 1.0


def flagged(detect: Callable[[str], str], texts: Sequence[str]) -> tuple[int, list[str]]:
    """How many texts are called non-English, with up to three examples."""
    found = [(text, detect(text)) for text in texts]
    foreign = [(text, code) for text, code in found if code != ENGLISH]
    return len(foreign), [f"{text[:50]!r} -> {code}" for text, code in foreign[:3]]


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table."""
    del argv
    sets = english_sets()
    others = [text for texts in OTHER_LANGUAGES.values() for text in texts]
    print("| texts | detector | called non-English | examples |")
    print("|---|---|---:|---|")
    for name, detect in detectors().items():
        for label, texts in sets.items():
            count, examples = flagged(detect, texts)
            print(f"| {label} ({len(texts):,}) | {name} | {count} | {'; '.join(examples)} |")
        caught = Counter(
            detect(text) == code for code, texts in OTHER_LANGUAGES.items() for text in texts
        )
        print(f"| other languages ({len(others)}, 13 languages) | {name} | {caught[True]} | |")
    detector = load_language_detector()
    texts = sets["SemEval tweets (2,000, seed 0)"]
    started = time.perf_counter()
    detector.detect_many(texts)
    per_1000 = (time.perf_counter() - started) / len(texts) * 1000
    print(f"\nboth detectors: {per_1000:.2f} s per 1,000 tweets on this machine")


if __name__ == "__main__":
    main(sys.argv[1:])
