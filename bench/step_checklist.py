"""A behavioural suite for step classification (CheckList, Ribeiro et al., ACL 2020).

Benchmarks say how often the step is right on one data set; these cases say *what* breaks.
Every case is generated here from templates written for steplens (none is trained or tuned
on), for the travel journey of ``data/label_sets/travel_tweets.yaml``:

- **MFT, a clear mention of each step**: five plain complaints or questions per step, each
  naming what the step covers in a customer's words ("you lost my suitcase");
- **MFT, chatter stays unassigned**: thanks, greetings and fillers, bare and addressed to a
  brand (``@united thanks!``), which name no step;
- **INV**: the step must not change when the comment is addressed to a brand (one or two
  handles before it, one after), ends with a link, names the brand, has a typo, is in capitals,
  or gains a closing "thanks" or greeting. The reference is the prediction on the plain case,
  right or wrong, so invariance is measured apart from accuracy.

A case fails when the comment-level step of ``steplens tag`` differs from what it should be.
``bench.bench_step_checklist`` runs the suite beside the cosine baseline.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.checklist import random_url, with_typo
from steplens.pipeline.journey import UNASSIGNED

JOURNEY = "travel_tweets"

MENTIONS: dict[str, tuple[str, ...]] = {
    "booking": (
        "I can't change the date on my ticket online",
        "the fare went up by 80 dollars while I was paying",
        "your website won't let me pick a seat when I book",
        "how do I change the name on my reservation?",
        "I booked a ticket and never got a confirmation",
    ),
    "check_in_boarding": (
        "online check-in keeps failing for my flight tomorrow",
        "the security line at the airport took an hour",
        "the gate changed twice and nobody announced it",
        "boarding was chaos, nobody called the groups",
        "the kiosk would not print my boarding pass",
    ),
    "delays": (
        "my flight is delayed again, three hours now",
        "the train is running forty minutes late",
        "we have been sitting on the tarmac for an hour",
        "the bus is late every single morning",
        "why is the 8:15 held outside the station?",
    ),
    "cancellations": (
        "you cancelled my flight with no warning",
        "the last train tonight was cancelled",
        "I missed my connection and there is no other flight until Monday",
        "is the 6pm service still running or is it cancelled?",
        "my flight was cancelled and you rebooked me two days later",
    ),
    "baggage": (
        "you lost my suitcase",
        "my bag came off the carousel with a broken handle",
        "how much is a second checked bag?",
        "can I take a guitar on as carry-on?",
        "four days and my luggage still hasn't turned up",
    ),
    "on_board": (
        "the seat was broken and would not recline",
        "there was no wifi for the whole flight",
        "the toilets on the train were filthy",
        "the crew were lovely and the food was good",
        "the heating in the carriage was off all night",
    ),
    "customer_service": (
        "I have been on hold for an hour",
        "nobody answers the phone or the chat",
        "your agent hung up on me",
        "I emailed three times and got no reply",
        "the woman at the help desk was so rude",
    ),
    "refunds": (
        "still waiting for my refund after six weeks",
        "I want compensation for the delay",
        "you gave me a voucher instead of my money back",
        "how do I claim my travel credit?",
        "the refund went to a card I no longer have",
    ),
}
"""Per step of the travel journey, plain mentions of it (written for steplens)."""

CHATTER = (
    "thanks!",
    "thank you so much",
    "you too!",
    "ok",
    "will do",
    "lol",
    "yes please",
    "hello?",
    "good morning",
    "cheers mate",
)
"""Replies and fillers that name no step."""

HANDLES = ("@united", "@AmericanAir", "@SouthwestAir", "@VirginTrains", "@JetBlue")
BRANDS = ("United", "American", "Southwest", "Virgin Trains", "JetBlue")
CLOSINGS = ("thanks", "cheers", "have a nice day", "please help")


@dataclass(frozen=True)
class StepCase:
    """One comment and the step it must get (or, for invariance, the plain case it must match)."""

    capability: str
    text: str
    expected: str | None = None  # the step; None: the same step as the case ``reference``
    reference: int | None = None  # index of the plain case (invariance)


PERTURBATIONS: dict[str, Callable[[random.Random, str], str]] = {
    "addressed to a brand": lambda rng, t: f"{rng.choice(HANDLES)} {t}",
    "addressed to two brands": lambda rng, t: " ".join(rng.sample(HANDLES, 2)) + f" {t}",
    "a handle after it": lambda rng, t: f"{t} {rng.choice(HANDLES)}",
    "a link after it": lambda rng, t: f"{t} {random_url(rng)}",
    "the brand named": lambda rng, t: f"{t} ({rng.choice(BRANDS)})",
    "a typo": with_typo,
    "capitals": lambda rng, t: t.upper(),
    "a closing courtesy": lambda rng, t: f"{t}. {rng.choice(CLOSINGS).capitalize()}!",
}
"""Changes that must not change a comment's step."""


def step_cases(seed: int = 0) -> list[StepCase]:
    """Every case: the plain mentions first (invariance cases refer to them by index)."""
    rng = random.Random(seed)
    cases = [
        StepCase("MFT: a clear mention of each step", text, expected=step)
        for step, texts in MENTIONS.items()
        for text in texts
    ]
    plain = len(cases)
    for text in CHATTER:
        for addressed in (text, f"{rng.choice(HANDLES)} {text}", f"{text} {rng.choice(HANDLES)}"):
            cases.append(StepCase("MFT: chatter stays unassigned", addressed, expected=UNASSIGNED))
    for name, perturb in PERTURBATIONS.items():
        for index in range(plain):
            changed = perturb(rng, cases[index].text)
            if changed != cases[index].text:
                cases.append(StepCase(f"INV: {name}", changed, reference=index))
    return cases


@dataclass(frozen=True)
class CapabilityRate:
    """A capability's failure rate and a few of its failures (text, got, wanted)."""

    capability: str
    cases: int
    failure_rate: float
    examples: tuple[tuple[str, str, str], ...]


def failure_rates(
    cases: Sequence[StepCase], predicted: Sequence[str], examples: int = 3
) -> list[CapabilityRate]:
    """Share of failed cases per capability, in order of first appearance."""
    by_capability: dict[str, list[tuple[str, str, str, bool]]] = {}
    for case, got in zip(cases, predicted, strict=True):
        wanted = case.expected if case.reference is None else predicted[case.reference]
        assert wanted is not None
        by_capability.setdefault(case.capability, []).append(
            (case.text, got, wanted, got != wanted)
        )
    rates = []
    for capability, outcomes in by_capability.items():
        failed = [(text, got, wanted) for text, got, wanted, bad in outcomes if bad]
        rates.append(
            CapabilityRate(
                capability, len(outcomes), len(failed) / len(outcomes), tuple(failed[:examples])
            )
        )
    return rates


def pooled_invariance(rates: Sequence[CapabilityRate]) -> float:
    """The failure rate of all invariance cases together."""
    invariance = [r for r in rates if r.capability.startswith("INV")]
    cases = sum(r.cases for r in invariance)
    return sum(r.failure_rate * r.cases for r in invariance) / cases if cases else 0.0
