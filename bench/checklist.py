"""A behavioural test suite for sentiment and effort, in the spirit of CheckList.

Ribeiro, Wu, Guestrin and Singh, "Beyond Accuracy: Behavioral Testing of NLP Models with
CheckList" (ACL 2020): instead of one accuracy on one benchmark, a model is checked capability by
capability with cases generated from templates:

- **MFT** (minimum functionality): a simple text with a known answer ("thanks so much for
  sorting my refund" is not negative; "when does my order arrive?" is neutral);
- **INV** (invariance): a change that must not change the answer (a brand handle, a link, an
  order number, a typo) applied to a text, and the answer compared with the original's;
- **DIR** (directional): a change that may move the answer only one way ("good" -> "really
  good" must not lower the score; adding "I had to call five times" must not lower effort).

Cases run through the product path: a :class:`~steplens.pipeline.tagger.Tagger` on a small
food-delivery journey (``CHECKLIST_JOURNEY``), reading the comment-level ``sentiment`` and
``effort``, and the per-step entries for the contrast cases ("the food was great but the courier was
40 minutes late": one step each, each its own sentiment). Every case is generated here from
templates written for steplens; none is trained on, and the brand names and emoji used for
invariance are disjoint from those of the training augmentation (``training/signals_augment.py``).

    from bench.checklist import generate_cases, run_cases
    cases = generate_cases()            # about 4,000 cases, deterministic
    outcomes = run_cases(tagger, cases) # one Outcome per case
    failure_rates(outcomes)             # per capability
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from steplens.pipeline.journey import Journey
    from steplens.pipeline.records import Signals
    from steplens.pipeline.tagger import Tagger

Kind = Literal["MFT", "INV", "DIR"]
Signal = Literal["sentiment", "effort"]
EFFORT_LEVEL = {"none": 0, "low": 1, "moderate": 2, "high": 3}

CHECKLIST_JOURNEY = {
    "name": "food_delivery_checklist",
    "description": "Ordering food for delivery through an app, from ordering to refunds.",
    "steps": [
        {
            "id": "ordering",
            "name": "Ordering in the app",
            "description": "Browsing the menu, the app and website, the basket and checkout.",
            "examples": ["the app kept crashing at checkout", "ordering was quick in the app"],
        },
        {
            "id": "payment",
            "name": "Payment",
            "description": "Paying for the order: cards, charges, promo codes and receipts.",
            "examples": ["I was charged twice", "my promo code didn't work"],
        },
        {
            "id": "food",
            "name": "Food quality",
            "description": "The food itself: taste, temperature, portions, missing items.",
            "examples": ["the pizza was cold", "the curry was delicious"],
        },
        {
            "id": "delivery",
            "name": "Delivery",
            "description": "The courier or driver and the delivery: timing, lateness, handover.",
            "examples": ["the driver was 40 minutes late", "the courier was friendly"],
        },
        {
            "id": "support",
            "name": "Customer support",
            "description": "Contacting support by chat, phone or e-mail, and how agents helped.",
            "examples": ["support never answered my emails", "the agent was very helpful"],
        },
        {
            "id": "refunds",
            "name": "Refunds",
            "description": "Getting money back for a wrong, missing or cancelled order.",
            "examples": ["still waiting for my refund", "the refund came through quickly"],
        },
    ],
}

# --- Fillers ---------------------------------------------------------------------------------
# Brands, names and emoji for invariance: none of them is in TRAINING_BRANDS or OBJECT_EMOJI of
# training/signals_augment.py, so the suite measures names the augmentation never showed.
SUITE_BRANDS = (
    "Deliveroo",
    "United",
    "VirginAmerica",
    "AmericanAir",
    "Ocado",
    "Zomato",
    "Argos",
    "BritishAirways",
    "Hermes",
    "Sainsburys",
    "Etsy",
    "Revolut",
)
SUITE_EMOJI = ("🍔", "🚲", "🧾", "📞", "🎧", "🛍️")
PEOPLE = ("Maria", "Tom", "Aisha", "Kenji", "Priya", "Lukas")
NUMBERS = ("two", "three", "four", "five", "six")

PRAISE = (
    "thank you",
    "thanks",
    "thanks so much",
    "many thanks",
    "thank you so much",
    "cheers",
    "thx",
    "big thanks",
)
PRAISE_FOR = (
    "",
    " for the quick reply",
    " for sorting my refund",
    " for your help",
    " for fixing my order",
    " for getting back to me",
    " to the driver",
    " for the great service",
)
PRAISE_STATEMENTS = (
    "the driver was lovely",
    "your support team was brilliant",
    "the app is great",
    "delivery was super fast",
    "the ordering process was painless",
    "really impressed with the service",
    "love the new app",
    "best pizza in town",
    "great food, will order again",
    "the agent was so helpful",
    "excellent service as always",
    "the curry was delicious",
    "you guys are amazing",
    "absolutely love this place",
)
COMPLAINTS = (
    "my order never arrived",
    "the food was cold",
    "the driver was rude",
    "worst customer service ever",
    "I was charged twice",
    "the app keeps crashing",
    "my parcel was damaged",
    "the website is useless",
    "half my order was missing",
    "support hung up on me",
    "the burger was disgusting",
    "they cancelled my order without telling me",
    "terrible experience, never again",
    "the courier threw my bag on the floor",
)
QUESTIONS = (
    "when will my order arrive",
    "can I change my delivery address",
    "how do I reset my password",
    "do you deliver on Sundays",
    "what time does the store open",
    "is there a student discount",
    "can you send me an invoice",
    "how do I update my card details",
    "where can I find my order history",
    "do you have this in blue",
    "can I pay with PayPal",
    "is the app available on Android",
)
QUESTION_OPENINGS = ("", "hi, ", "hello, quick question: ", "hey ", "hi there, ")
REQUESTS = (
    "please send me the receipt",
    "I'd like to change my order",
    "please call me back tomorrow",
    "I want to update my email address",
    "could you add extra napkins next time",
    "please deliver to the side door",
)
NEGATED_POSITIVE = (
    "the {thing} was not good",
    "the {thing} wasn't helpful",
    "the {thing} was not great",
    "the {thing} wasn't friendly at all",
    "I didn't enjoy the {thing}",
    "the {thing} was not worth the money",
)
NEGATED_NEGATIVE = (
    "the {thing} was not bad",
    "the {thing} wasn't rude at all",
    "no problems with the {thing}",
    "I have no complaints about the {thing}",
    "the {thing} was not disappointing",
    "nothing wrong with the {thing}",
)
THINGS = ("food", "driver", "app", "support agent", "delivery", "service")
POSITIVE_ADJECTIVES = ("good", "nice", "helpful", "fast", "friendly")
NEGATIVE_ADJECTIVES = ("bad", "slow", "rude", "cold", "unhelpful")
INTENSIFIERS = ("really ", "very ", "extremely ", "incredibly ")

HIGH_EFFORT = (
    "I had to call {n} times",
    "I've been on hold for {n} hours",
    "still waiting for my refund after {n} weeks",
    "I couldn't find the cancel button anywhere",
    "I had to explain my problem {n} times",
    "it took {n} calls to get it sorted",
    "I was transferred {n} times",
    "the site kept logging me out so I gave up",
    "I've sent {n} emails and nobody replies",
    "I had to chase them {n} times for a simple refund",
)
LOW_EFFORT = (
    "sorted in two minutes",
    "it was so easy to return the item",
    "Agent {person} sorted my refund in 2 minutes, really impressed",
    "setting up the account took no time at all",
    "sorted on the first call",
    "seamless checkout",
    "quick reply from support, no hassle",
    "the return was effortless",
    "the refund was processed in minutes, super easy",
    "{person} fixed it straight away, no fuss",
)
NO_EFFORT = (
    "the food was tasty",
    "the driver was rude",
    "the packaging looks nice",
    "the prices are too high",
    "I love the colour of the new app",
    "the portions are small",
    "the curry was too spicy for me",
    "great value for money",
    "the new menu has more vegan options",
    "the driver was very polite",
    "the chips were soggy",
    "the pizza tasted amazing",
)
EFFORT_ADDITIONS = (
    " and I had to call {n} times",
    ", after {n} calls",
    " but it took {n} weeks and {n} emails",
    " and I was on hold for {n} hours",
)

# Contrast: one positive and one negative clause, each about its own step.
STEP_CLAUSES = {
    "food": ("the food was great", "the food was cold"),
    "delivery": ("the courier was friendly", "the courier was 40 minutes late"),
    "ordering": ("ordering in the app was easy", "the app kept crashing at checkout"),
    "support": ("the support agent was really helpful", "support never answered my emails"),
    "payment": ("paying was quick", "I was charged twice"),
    "refunds": ("the refund came through quickly", "I'm still waiting for my refund"),
}
CONNECTORS = (" but ", ", however ", ". Sadly ", " although ")


@dataclass(frozen=True)
class Case:
    """One behavioural check.

    ``allowed``: the labels that pass (MFT). ``original``: the text before the change (INV,
    DIR). ``direction``: for DIR, +1 when the change may only raise the signal (sentiment score,
    effort level), -1 when it may only lower it. ``steps``: for contrast cases, each step id with
    the sentiment expected towards it.
    """

    capability: str
    kind: Kind
    signal: Signal
    text: str
    allowed: frozenset[str] = frozenset()
    original: str | None = None
    direction: int = 0
    steps: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Outcome:
    """A case and whether it passed; ``got`` says what the model answered."""

    case: Case
    passed: bool
    got: str


@dataclass
class CapabilityResult:
    """Failure rate of one capability (one row of the suite's table)."""

    capability: str
    kind: Kind
    signal: Signal
    cases: int
    failures: int
    examples: list[str] = field(default_factory=list)

    @property
    def failure_rate(self) -> float:
        """Share of cases that failed."""
        return self.failures / self.cases if self.cases else 0.0


# --- Generation ------------------------------------------------------------------------------


def _mft(capability: str, signal: Signal, texts: Iterable[str], allowed: set[str]) -> list[Case]:
    return [
        Case(capability, "MFT", signal, text, frozenset(allowed)) for text in dict.fromkeys(texts)
    ]


def sentiment_bases() -> list[Case]:
    """The minimum-functionality sentiment cases; also the texts the invariance cases change."""
    thanks = [f"{t}{f}" for t, f in itertools.product(PRAISE, PRAISE_FOR)]
    thanks += [f"{t}, {s}" for t, s in itertools.product(PRAISE[:4], PRAISE_STATEMENTS)]
    praise = list(PRAISE_STATEMENTS) + [f"{s}!" for s in PRAISE_STATEMENTS]
    questions = [
        f"{opening}{question}?"
        for opening, question in itertools.product(QUESTION_OPENINGS, QUESTIONS)
    ]
    requests = [
        f"{opening}{r}" for opening, r in itertools.product(QUESTION_OPENINGS[:3], REQUESTS)
    ]
    negated_positive = [t.format(thing=x) for t in NEGATED_POSITIVE for x in THINGS]
    negated_negative = [t.format(thing=x) for t in NEGATED_NEGATIVE for x in THINGS]
    complaints = list(COMPLAINTS) + [f"{c}!!" for c in COMPLAINTS]
    return [
        *_mft("thanks", "sentiment", thanks, {"positive"}),
        *_mft("praise", "sentiment", praise, {"positive"}),
        *_mft(
            "thanks and praise: not negative", "sentiment", thanks + praise, {"positive", "neutral"}
        ),
        *_mft("complaints", "sentiment", complaints, {"negative"}),
        *_mft("questions and requests are neutral", "sentiment", questions + requests, {"neutral"}),
        *_mft("negation: not + positive", "sentiment", negated_positive, {"negative"}),
        *_mft("negation: not + negative", "sentiment", negated_negative, {"neutral", "positive"}),
    ]


def effort_bases() -> list[Case]:
    """Minimum-functionality effort cases: stated high effort, stated ease, no effort at all."""
    rng = random.Random(7)
    high = [t.format(n=n) for t in HIGH_EFFORT for n in NUMBERS]
    low = [t.format(person=p) for t in LOW_EFFORT for p in PEOPLE]
    return [
        *_mft("effort: repeated attempts and waits", "effort", high, {"moderate", "high"}),
        *_mft("effort: stated as easy (not moderate/high)", "effort", low, {"low", "none"}),
        *_mft("effort: none stated", "effort", NO_EFFORT, {"none"}),
        *_mft(
            "effort: stated as easy (exactly low)",
            "effort",
            rng.sample(low, min(len(low), 30)),
            {"low"},
        ),
    ]


def with_typo(rng: random.Random, text: str) -> str:
    """One pair of adjacent letters swapped in one word of five or more letters."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    word = words[i]
    k = rng.randrange(1, len(word) - 2)
    words[i] = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    return " ".join(words)


def _email(rng: random.Random) -> str:
    person = rng.choice(PEOPLE).lower()
    return (
        f"{person}.{rng.randrange(10, 99)}@{rng.choice(('gmail.com', 'outlook.com', 'mail.co.uk'))}"
    )


def _phone(rng: random.Random) -> str:
    return rng.choice(
        (
            f"07700 {rng.randrange(100000, 999999)}",
            f"+44 20 7946 {rng.randrange(1000, 9999)}",
            f"(555) {rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
        )
    )


def random_url(rng: random.Random) -> str:
    code = "".join(rng.choice("abcdefghkmnpqrstuvwxyz23456789") for _ in range(8))
    return rng.choice(
        (f"https://t.co/{code}", f"http://bit.ly/{code}", f"https://help.example.org/a/{code}")
    )


PERTURBATIONS: dict[str, Callable[[random.Random, str], str]] = {
    "handles": lambda rng, t: rng.choice(
        (f"@{rng.choice(SUITE_BRANDS)} {t}", f"{t} @{rng.choice(SUITE_BRANDS)}")
    ),
    "two handles": lambda rng, t: (
        f"@{rng.choice(SUITE_BRANDS)} @{rng.choice(SUITE_BRANDS).lower()}_help {t}"
    ),
    "brand names": lambda rng, t: rng.choice(
        (f"Dear {rng.choice(SUITE_BRANDS)}, {t}", f"{t}, {rng.choice(SUITE_BRANDS)}")
    ),
    "URLs": lambda rng, t: f"{t} {random_url(rng)}",
    "e-mail addresses": lambda rng, t: f"{t} ({_email(rng)})",
    "phone numbers": lambda rng, t: f"{t} ({_phone(rng)})",
    "order numbers": lambda rng, t: rng.choice(
        (f"{t} (order #{rng.randrange(10**6, 10**9)})", f"Order {rng.randrange(10**5, 10**8)}: {t}")
    ),
    "emoji (objects)": lambda rng, t: f"{t} {rng.choice(SUITE_EMOJI)}",
    "typos": with_typo,
    "casing": lambda rng, t: rng.choice((t.upper(), t.lower(), t.capitalize())),
    "HTML entities": lambda rng, t: (
        t.replace(" and ", " &amp; ").replace("'", "&#39;")
        if (" and " in t or "'" in t)
        else f"{t} &amp; more"
    ),
}


def invariance_cases(bases: Sequence[Case], seed: int = 0) -> list[Case]:
    """Every perturbation applied to every base case (a changed copy; same expected answer)."""
    rng = random.Random(seed)
    cases = []
    for name, change in PERTURBATIONS.items():
        for base in bases:
            changed = change(rng, base.text)
            if changed != base.text:
                suffix = "" if base.signal == "sentiment" else " (effort)"
                cases.append(
                    Case(
                        f"invariance: {name}{suffix}",
                        "INV",
                        base.signal,
                        changed,
                        original=base.text,
                    )
                )
    return cases


def directional_cases() -> list[Case]:
    """Intensity and added effort: the answer may move one way only."""
    cases = []
    for thing, adjective, intensifier in itertools.product(
        THINGS, POSITIVE_ADJECTIVES, INTENSIFIERS
    ):
        plain = f"the {thing} was {adjective}"
        cases.append(
            Case(
                "intensity: positive",
                "DIR",
                "sentiment",
                f"the {thing} was {intensifier}{adjective}",
                original=plain,
                direction=+1,
            )
        )
    for thing, adjective, intensifier in itertools.product(
        THINGS, NEGATIVE_ADJECTIVES, INTENSIFIERS
    ):
        plain = f"the {thing} was {adjective}"
        cases.append(
            Case(
                "intensity: negative",
                "DIR",
                "sentiment",
                f"the {thing} was {intensifier}{adjective}",
                original=plain,
                direction=-1,
            )
        )
    for base, addition, n in itertools.product(
        (*COMPLAINTS[:8], *NO_EFFORT), EFFORT_ADDITIONS, NUMBERS[1:4]
    ):
        cases.append(
            Case(
                "effort: adding a high-effort cue",
                "DIR",
                "effort",
                base + addition.format(n=n),
                original=base,
                direction=+1,
            )
        )
    for praise, complaint in itertools.product(PRAISE_STATEMENTS, COMPLAINTS[:6]):
        cases.append(
            Case(
                "adding a complaint",
                "DIR",
                "sentiment",
                f"{praise}, but {complaint}",
                original=praise,
                direction=-1,
            )
        )
    return cases


def contrast_cases() -> list[Case]:
    """Two steps in one comment, one praised and one criticised, in both orders."""
    cases = []
    for (good_step, (good, _)), (bad_step, (_, bad)) in itertools.permutations(
        STEP_CLAUSES.items(), 2
    ):
        for k, connector in enumerate(CONNECTORS):
            first, second = (good, bad) if k % 2 == 0 else (bad, good)
            text = f"{first[0].upper()}{first[1:]}{connector}{second}."
            cases.append(
                Case(
                    "contrast: a step each, each its own sentiment",
                    "MFT",
                    "sentiment",
                    text,
                    steps=((good_step, "positive"), (bad_step, "negative")),
                )
            )
    return cases


def generate_cases(seed: int = 0) -> list[Case]:
    """The whole suite, deterministic for a seed."""
    sentiment = sentiment_bases()
    effort = effort_bases()
    plain_effort = [c for c in effort if "exactly" not in c.capability]
    plain_sentiment = [c for c in sentiment if "not negative" not in c.capability]
    return [
        *sentiment,
        *effort,
        *invariance_cases(plain_sentiment + plain_effort, seed),
        *directional_cases(),
        *contrast_cases(),
    ]


def fast_subset(cases: Sequence[Case], share: float, seed: int = 0) -> list[Case]:
    """A seeded share of every capability (at least 5 cases each), for ``make test``."""
    by_capability: dict[str, list[Case]] = {}
    for case in cases:
        by_capability.setdefault(case.capability, []).append(case)
    rng = random.Random(seed)
    chosen = []
    for items in by_capability.values():
        n = min(len(items), max(5, round(len(items) * share)))
        chosen += rng.sample(items, n)
    return chosen


# --- Running ---------------------------------------------------------------------------------


def checklist_journey() -> Journey:
    """The suite's food-delivery journey."""
    from steplens.pipeline.journey import journey_from_dict

    return journey_from_dict(CHECKLIST_JOURNEY, "<checklist journey>")


def _label(signals: Signals | None, signal: Signal) -> str:
    if signals is None:
        return "none"
    return signals.sentiment if signal == "sentiment" else signals.effort


def _value(signals: Signals | None, signal: Signal) -> float:
    if signals is None:
        return 0.0
    if signal == "sentiment":
        return signals.sentiment_score
    return float(EFFORT_LEVEL[signals.effort])


def judge(case: Case, got: str, before: str, change: float) -> Outcome:
    """One MFT, INV or DIR case (not contrast) judged from what a model answered.

    ``got``: the label for the case's text; ``before``: the label for its original text (INV);
    ``change``: the signal's value (sentiment score, effort level) minus the original's (DIR),
    which may move the wrong way by at most 0.1 for sentiment and not at all for effort.
    """
    if case.kind == "MFT":
        return Outcome(case, got in case.allowed, got)
    if case.kind == "INV":
        return Outcome(case, got == before, f"{before} -> {got}")
    tolerance = 0.1 if case.signal == "sentiment" else 0.0
    return Outcome(case, change * case.direction >= -tolerance, f"change {change:+.2f}")


def run_cases(tagger: Tagger, cases: Sequence[Case], batch_size: int = 256) -> list[Outcome]:
    """Tag every text once (originals too) and judge each case."""
    texts = list(dict.fromkeys([c.text for c in cases] + [c.original for c in cases if c.original]))
    answers = {}
    for start in range(0, len(texts), batch_size):
        batch = texts[start : start + batch_size]
        answers.update(zip(batch, tagger.tag(batch), strict=True))
    outcomes = []
    for case in cases:
        result = answers[case.text]
        got = _label(result.signals, case.signal)
        if case.steps:
            found = result.step_signals or {}
            parts = [
                f"{step}={found[step].sentiment if step in found else 'not found'}"
                for step, _ in case.steps
            ]
            passed = all(
                step in found and found[step].sentiment == expected for step, expected in case.steps
            )
            outcomes.append(Outcome(case, passed, ", ".join(parts)))
        else:
            original = answers[case.original or case.text].signals
            outcomes.append(
                judge(
                    case,
                    got,
                    _label(original, case.signal),
                    _value(result.signals, case.signal) - _value(original, case.signal),
                )
            )
    return outcomes


def run_pairs(tagger: Tagger, cases: Sequence[Case]) -> list[Outcome]:
    """Contrast cases scored on the gold (clause, step) pairs, without step classification.

    This isolates the signals model's per-step conditioning from the step classifier: the
    comment and each gold step name are read as a pair.
    """
    from steplens.pipeline.model_view import model_view

    assert tagger.signals is not None
    names = {step.id: step.name for step in tagger.journey.steps}
    chosen = [c for c in cases if c.steps]
    texts = [model_view(c.text) for c in chosen]
    pairs = [(i, names[step]) for i, c in enumerate(chosen) for step, _ in c.steps]
    probabilities = tagger.signals.pair_sentiment(texts, pairs)
    labels = ("negative", "neutral", "positive")
    outcomes = []
    row = 0
    for case in chosen:
        got = []
        for _, expected in case.steps:
            got.append((labels[int(probabilities[row].argmax())], expected))
            row += 1
        passed = all(a == b for a, b in got)
        outcomes.append(
            Outcome(
                Case(
                    "contrast, gold steps given (the model alone)",
                    case.kind,
                    case.signal,
                    case.text,
                    steps=case.steps,
                ),
                passed,
                ", ".join(a for a, _ in got),
            )
        )
    return outcomes


def failure_rates(outcomes: Iterable[Outcome], examples: int = 3) -> list[CapabilityResult]:
    """Per capability, in order of first appearance: cases, failures and a few failed texts."""
    results: dict[str, CapabilityResult] = {}
    for outcome in outcomes:
        case = outcome.case
        result = results.setdefault(
            case.capability, CapabilityResult(case.capability, case.kind, case.signal, 0, 0)
        )
        result.cases += 1
        if not outcome.passed:
            result.failures += 1
            if len(result.examples) < examples:
                result.examples.append(f"{case.text!r} ({outcome.got})")
    return list(results.values())
