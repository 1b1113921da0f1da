"""Augmentation that teaches the signals model what must *not* change its answer.

A handle, a brand name, a link, an order number or an object emoji says nothing about how a
customer feels or how hard something was, but in the training data they are not spread evenly:
complaint tweets open with airline handles, SST-2 and review sentences never have any. So a
share of the plain training texts (not aspect pairs, not development texts) is replaced by a
copy with one such token added, each copy keeping its label.

The brand names and handles here are disjoint from those the behavioural suite uses
(``bench/checklist``), so the suite measures invariance to names the model never saw in
augmentation. Casing needs no augmentation: the encoder's tokenizer lower-cases.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace

from steplens.training.signals_data import Example

TRAINING_BRANDS = (
    "Delta",
    "Amazon",
    "Verizon",
    "Comcast",
    "Uber",
    "Walmart",
    "Target",
    "Netflix",
    "Spotify",
    "Airbnb",
    "Chase",
    "Vodafone",
    "Tesco",
    "Zalando",
    "Lyft",
    "Southwest",
    "JetBlue",
    "Sprint",
    "Hulu",
    "Starbucks",
)
OBJECT_EMOJI = ("📦", "✈️", "📱", "🍕", "🚚", "💳", "🛒", "🏠", "💻", "☕")


def _handle(rng: random.Random, text: str) -> str:
    brand = rng.choice(TRAINING_BRANDS)
    handle = "@" + (brand if rng.random() < 0.5 else brand.lower() + rng.choice(("", "help", "uk")))
    return f"{handle} {text}" if rng.random() < 0.7 else f"{text} {handle}"


def _brand(rng: random.Random, text: str) -> str:
    brand = rng.choice(TRAINING_BRANDS)
    if "@" in text:  # a handle becomes the plain brand name
        words = [brand if w.startswith("@") and len(w) > 1 else w for w in text.split()]
        return " ".join(words)
    return rng.choice((f"{brand}: {text}", f"{text} #{brand}", f"re {brand} - {text}"))


def _link(rng: random.Random, text: str) -> str:
    code = "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGH0123456789") for _ in range(10))
    url = rng.choice(
        (f"https://t.co/{code}", f"http://bit.ly/{code[:7]}", f"www.example.com/{code}")
    )
    return f"{text} {url}"


def _order_number(rng: random.Random, text: str) -> str:
    number = str(rng.randrange(10_000, 99_999_999))
    return rng.choice(
        (f"{text} (order #{number})", f"Ref {number}: {text}", f"{text} ticket {number}")
    )


def _emoji(rng: random.Random, text: str) -> str:
    return f"{text} {rng.choice(OBJECT_EMOJI)}"


AUGMENTATIONS: tuple[Callable[[random.Random, str], str], ...] = (
    _handle,
    _brand,
    _link,
    _order_number,
    _emoji,
)


def augment(examples: Sequence[Example], share: float, seed: int) -> list[Example]:
    """``examples`` with a seeded ``share`` of the plain ones replaced by an augmented copy.

    Aspect examples (``aspect`` set) are left alone: their text is a review sentence read
    towards a category. The number of examples, their order and their labels do not change.
    """
    rng = random.Random(seed)
    result = []
    for example in examples:
        if example.aspect is None and rng.random() < share:
            change = rng.choice(AUGMENTATIONS)
            example = replace(example, text=change(rng, example.text))
        result.append(example)
    return result
