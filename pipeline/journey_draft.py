"""Draft a journey from the feedback itself (``steplens journeys draft``).

The comments are split into clauses, the clauses embedded and clustered into themes
(:mod:`steplens.pipeline.themes`); each theme becomes a step named by its key phrases, described
by them, with the clauses nearest its centre as examples in the customers' own words. With an
existing journey only the clauses it leaves ``unassigned`` are read: the themes are steps to add.

Steps are ordered by the bundled journeys where the words make it clear: a theme close to a
bundled step (cosine of centres at least ``MATCH_SIMILARITY``) takes that step's place and stage
in the bundled journey most themes match; the rest follow, largest first. The draft is a start
for a person to edit, and the file says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import UNASSIGNED, Journey
from steplens.pipeline.themes import MIN_CLAUSES, Theme, find_themes, theme_id

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import TextEncoder
    from steplens.pipeline.segment import Segmenter
    from steplens.pipeline.signals import SignalsModel
    from steplens.pipeline.tagger import Tagger

logger = logging.getLogger(__name__)

MATCH_SIMILARITY = 0.55
"""Cosine between a theme's centre and a bundled step's centre for the theme to take its place."""
SIGNAL_SAMPLE = 300
"""Clauses per theme whose sentiment is read (a sample: the mean is for a comment in the file)."""


@dataclass(frozen=True)
class DraftStep:
    """A step drafted from one theme."""

    id: str
    theme: Theme
    comments: int
    """Comments with at least one clause in the theme."""
    share: float
    """``comments`` over the comments read."""
    sentiment_mean: float | None = None
    negative_share: float | None = None
    stage: str | None = None
    like: str | None = None
    """The bundled step it sits in the place of (``ecommerce/checkout``), if any."""

    @property
    def name(self) -> str:
        phrase = self.theme.key_phrases[0] if self.theme.key_phrases else self.id
        return phrase[:1].upper() + phrase[1:]

    @property
    def description(self) -> str:
        phrases = list(self.theme.key_phrases[:4])
        if not phrases:
            return "Drafted from feedback; describe what this step covers."
        listed = ", ".join(phrases[:-1]) + (" and " if len(phrases) > 1 else "") + phrases[-1]
        return f"What customers say about {listed}."


@dataclass
class JourneyDraft:
    """A drafted journey and what it was drafted from."""

    name: str
    steps: list[DraftStep]
    comments: int
    clauses: int
    noise: int
    """Clauses read that fit no theme."""
    existing: str | None = None

    def journey(self) -> Journey:
        """The draft as a journey (validated like any journey file)."""
        from steplens.pipeline.journey import journey_from_dict

        return journey_from_dict(self.as_dict(), source=f"draft {self.name}")

    def as_dict(self) -> dict[str, Any]:
        what = (
            f"steps to add to journey {self.existing!r}, drafted from the comments it leaves "
            "unassigned"
            if self.existing
            else "drafted from feedback"
        )
        return {
            "name": self.name,
            "description": f"{what[:1].upper()}{what[1:]} by steplens journeys draft; edit "
            "before use.",
            "steps": [_step_dict(step) for step in self.steps],
        }

    def to_yaml(self) -> str:
        """The journey file, each step preceded by a comment with its size and sentiment."""
        head = yaml.safe_dump(
            {k: v for k, v in self.as_dict().items() if k != "steps"},
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )
        lines = [
            "# Drafted by `steplens journeys draft`: a starting point, not a finished journey.",
            "# Edit it: rename and merge steps, fix the order and stages, keep five or more",
            "# examples each in customers' words, then `steplens journeys validate` it.",
            f"# Read {self.comments} comments, {self.clauses} clauses; {self.noise} clauses "
            f"({self.noise / max(self.clauses, 1):.0%}) fit no theme and are left out.",
            head.rstrip(),
            "steps:",
        ]
        for step in self.steps:
            lines.append(f"  # {_step_comment(step)}")
            body = yaml.safe_dump(
                [_step_dict(step)], sort_keys=False, allow_unicode=True, width=100
            )
            lines += [f"  {line}" if line else line for line in body.rstrip().splitlines()]
        return "\n".join(lines) + "\n"


def draft_journey(
    texts: Sequence[str],
    *,
    name: str,
    encoder: TextEncoder,
    segmenter: Segmenter,
    signals: SignalsModel | None = None,
    existing: Tagger | None = None,
    min_cluster_size: int | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> JourneyDraft:
    """Draft a journey from comments (see the module docstring). With ``existing`` (a tagger of
    the current journey), only the clauses it leaves unassigned are clustered."""
    from steplens.pipeline.model_view import step_views

    note = on_stage or (lambda message: None)
    kept = [(i, t) for i, t in enumerate(texts) if t and t.strip()]
    if existing is not None:
        note(f"tagging {len(kept)} comments with journey {existing.journey.name!r}")
        clauses, owners = _unassigned_clauses(existing, [t for _, t in kept])
    else:
        note(f"splitting {len(kept)} comments into clauses")
        clauses, owners = [], []
        for position, segments in enumerate(segmenter.segment_many([t for _, t in kept])):
            for segment in segments:
                if segment.text.strip():
                    clauses.append(segment.text)
                    owners.append(position)
    if len(clauses) < MIN_CLAUSES:
        which = "unassigned clauses" if existing is not None else "clauses"
        raise SteplensError(
            f"{len(clauses)} {which} in {len(kept)} comments are too few to draft from; "
            f"at least {MIN_CLAUSES} are needed (give more feedback)"
        )
    note(f"embedding {len(clauses)} clauses")
    embeddings = encoder.encode(step_views(clauses))
    note("clustering")
    themes, labels = find_themes(clauses, embeddings, min_cluster_size=min_cluster_size)
    if not themes:
        raise SteplensError(
            f"no themes found in {len(clauses)} clauses: they are too varied or too few; give "
            "more feedback or a smaller --min-cluster-size"
        )
    owner_array = np.asarray(owners)
    taken: set[str] = set(existing.journey.step_ids) if existing is not None else set()
    taken.add(UNASSIGNED)
    steps = []
    for theme in themes:
        members = np.asarray(theme.members)
        comments = len(set(owner_array[members].tolist()))
        sentiment_mean, negative = _sentiment(signals, clauses, members)
        steps.append(
            DraftStep(
                id=theme_id(theme.key_phrases[0] if theme.key_phrases else "theme", taken),
                theme=theme,
                comments=comments,
                share=comments / max(len(kept), 1),
                sentiment_mean=sentiment_mean,
                negative_share=negative,
            )
        )
    note("ordering the steps")
    steps = _ordered(steps, embeddings, encoder)
    return JourneyDraft(
        name=name,
        steps=steps,
        comments=len(kept),
        clauses=len(clauses),
        noise=int(np.sum(labels < 0)),
        existing=existing.journey.name if existing is not None else None,
    )


def _unassigned_clauses(tagger: Tagger, texts: Sequence[str]) -> tuple[list[str], list[int]]:
    clauses, owners = [], []
    for start in range(0, len(texts), 500):
        for offset, result in enumerate(tagger.tag(texts[start : start + 500])):
            for item in result.segments:
                if item.decision.step == UNASSIGNED and not item.inherited and item.segment.text:
                    clauses.append(item.segment.text)
                    owners.append(start + offset)
    return clauses, owners


def _sentiment(
    signals: SignalsModel | None, clauses: Sequence[str], members: NDArray[np.int64]
) -> tuple[float | None, float | None]:
    if signals is None:
        return None, None
    sample = members[:: max(1, len(members) // SIGNAL_SAMPLE)][:SIGNAL_SAMPLE]
    sentiment, _ = signals.predict_proba([clauses[i] for i in sample])
    scores = sentiment[:, 2] - sentiment[:, 0]
    negative = sentiment.argmax(axis=1) == 0
    return round(float(scores.mean()), 3), round(float(negative.mean()), 3)


def _ordered(
    steps: list[DraftStep], embeddings: NDArray[np.float32], encoder: TextEncoder
) -> list[DraftStep]:
    """Steps in the order of the bundled journey that most of them match (see the module
    docstring); ties go to the journey whose matches are closer."""
    from steplens.pipeline.journey import list_journeys, load_journey

    centres = np.vstack([_centre(embeddings, s.theme.members) for s in steps])
    matches: dict[str, tuple[Journey, dict[int, tuple[float, int]]]] = {}
    for info in list_journeys():
        journey = load_journey(info.path)
        texts = [" ".join([s.name, s.description, *s.examples]) for s in journey.steps]
        similarity = centres @ encoder.encode(texts).T
        found = {
            row: (float(similarity[row].max()), int(similarity[row].argmax()))
            for row in range(len(steps))
            if similarity[row].max() >= MATCH_SIMILARITY
        }
        if found:
            matches[journey.name] = (journey, found)
    if not matches:
        return steps
    chosen, found = max(
        matches.values(), key=lambda m: (len(m[1]), sum(score for score, _ in m[1].values()))
    )
    placed: list[tuple[int, DraftStep]] = []
    rest: list[DraftStep] = []
    for row, step in enumerate(steps):
        if row not in found:
            rest.append(step)
            continue
        bundled = chosen.steps[found[row][1]]
        moved = replace(step, stage=bundled.stage, like=f"{chosen.name}/{bundled.id}")
        placed.append((found[row][1], moved))
    placed.sort(key=lambda pair: pair[0])
    return [step for _, step in placed] + rest


def _centre(embeddings: NDArray[np.float32], members: Sequence[int]) -> NDArray[np.float32]:
    centre: NDArray[np.float32] = embeddings[list(members)].mean(axis=0)
    return centre / max(float(np.linalg.norm(centre)), 1e-9)


def _step_dict(step: DraftStep) -> dict[str, Any]:
    out: dict[str, Any] = {"id": step.id, "name": step.name, "description": step.description}
    if step.stage:
        out["stage"] = step.stage
    out["examples"] = list(step.theme.examples)
    return out


def _step_comment(step: DraftStep) -> str:
    parts = [
        f"{step.theme.size} clauses in {step.comments} comments ({step.share:.1%})",
    ]
    if step.sentiment_mean is not None and step.negative_share is not None:
        parts.append(f"sentiment {step.sentiment_mean:+.2f}, {step.negative_share:.0%} negative")
    parts.append("key phrases: " + ", ".join(step.theme.key_phrases))
    if step.like:
        parts.append(f"placed like {step.like}")
    return "; ".join(parts)
