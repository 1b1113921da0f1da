"""The models the service runs: one tagger per (journey, step model), built once and reused.

The encoder, spaCy pipeline and signals model are loaded once per process by ``pipeline``
(their loaders are cached); what differs per journey is the step classifier (zero-shot
prototypes, or a registered ``train-steps`` model), so taggers are cached by the journey's
definition and the model name.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from steplens.pipeline import __version__
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey
from steplens.pipeline.tagger import TaggedComment, Tagger, build_tagger, redact_tagged

if TYPE_CHECKING:
    from steplens.api.batcher import MicroBatcher
    from steplens.pipeline.redact import Redactor

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Classified:
    """One text as the pool tagged it: the text (redacted, when the pool redacts) and its tags."""

    text: str
    tagged: TaggedComment


class UnknownModel(SteplensError):
    """A request named a step model that is not registered."""


class TaggerPool:
    """Taggers by key; ``tag(key, texts)`` is what the micro-batcher runs in its worker thread."""

    def __init__(
        self,
        step_models: Mapping[str, Path],
        *,
        signals: bool = True,
        precision: str = "auto",
        redactor: Redactor | None = None,
    ) -> None:
        self.step_models = dict(step_models)
        self.signals = signals
        self.precision = precision
        self.redactor = redactor
        self._taggers: dict[Hashable, Tagger] = {}
        self._redactors: dict[Hashable, Redactor] = {}
        self._lock = threading.Lock()

    def check_models(self) -> None:
        """Fail at start, not at the first request, when a model does not load: every
        registered step model and (with signals on) the shipped signals model."""
        from steplens.pipeline.minilm import resolve_precision
        from steplens.pipeline.signals import load_default_signals_model
        from steplens.pipeline.steps.trained import load_step_model

        for name, path in self.step_models.items():
            try:
                load_step_model(path)
            except SteplensError as exc:
                raise SteplensError(f"step model {name!r} ({path}): {exc}") from None
        if self.signals:
            load_default_signals_model(resolve_precision(self.precision))

    def key_of(self, journey: Journey, model: str | None) -> Hashable:
        """The key for ``journey`` with ``model``, without building anything."""
        if model is not None and model not in self.step_models:
            known = ", ".join(sorted(self.step_models)) or "none registered"
            raise UnknownModel(f"unknown model {model!r}; registered models: {known}")
        definition = json.dumps(journey.model_dump(mode="json"), sort_keys=True)
        return (hashlib.sha256(definition.encode()).hexdigest(), model)

    def key(self, journey: Journey, model: str | None) -> Hashable:
        """A key for ``journey`` with ``model``, building its tagger on first use.

        Building encodes the journey's examples: the service calls this in the model's worker
        thread (``MicroBatcher.run_in_worker``), never on the event loop.
        """
        key = self.key_of(journey, model)
        with self._lock:
            if key not in self._taggers:
                path = self.step_models[model] if model is not None else None
                logger.info("building the tagger for journey %r, model %s", journey.name, model)
                self._taggers[key] = build_tagger(
                    journey, model_dir=path, signals=self.signals, precision=self.precision
                )
        return key

    async def key_in(
        self, batcher: MicroBatcher[Classified], journey: Journey, model: str | None
    ) -> Hashable:
        """``key()`` for a route: a dictionary lookup once the tagger is built, else the build
        runs in the main lane's worker thread (builds never run in the long-text lane)."""
        key = self.key_of(journey, model)
        if key in self._taggers:
            return key
        return await batcher.run_in_worker(self.key, journey, model)

    def tagger(self, key: Hashable) -> Tagger:
        """The tagger behind ``key`` (from ``key()``)."""
        return self._taggers[key]

    def tag(self, key: Hashable, texts: list[str]) -> list[Classified]:
        """Tag texts with the tagger behind ``key`` and redact them (when the pool redacts).

        The models read the texts as sent, so the service's answers do not depend on whether it
        redacts (and match `steplens tag` with or without --redact); what is returned and stored
        is the redacted text, with clause offsets moved onto it. The micro-batcher runs this in
        its one worker thread, so redaction's NER pass is batched across concurrent requests and
        queued (and refused under overload) like the model work.
        """
        tagged = self._taggers[key].tag(texts)
        redactor = self._scoped_redactor(key)
        if redactor is None or not texts:
            return [Classified(text, item) for text, item in zip(texts, tagged, strict=True)]
        redactions, moved = redact_tagged(redactor, texts, tagged)
        return [Classified(r.text, item) for r, item in zip(redactions, moved, strict=True)]

    def _scoped_redactor(self, key: Hashable) -> Redactor | None:
        """The redactor with the journey behind ``key``'s vocabulary protected (None: off)."""
        if self.redactor is None:
            return None
        scoped = self._redactors.get(key)
        if scoped is None:
            scoped = self.redactor.for_journey(self._taggers[key].journey)
            self._redactors[key] = scoped
        return scoped

    def redact(self, key: Hashable, texts: list[str]) -> list[str]:
        """``texts`` redacted for the journey behind ``key`` (unchanged without a redactor)."""
        scoped = self._scoped_redactor(key)
        if scoped is None or not texts:
            return texts
        return [r.text for r in scoped.redact_many(texts)]

    def redact_values(self, key: Hashable, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every string (at any depth) of each mapping in ``values``, redacted for ``key``."""
        if self.redactor is None:
            return values
        strings = [text for value in values for text in _strings(value)]
        replacements = iter(self.redact(key, strings))
        return [_rebuild(value, replacements) for value in values]

    def versions(self, key: Hashable) -> dict[str, str]:
        """What produced a record, stored with it: the step model and the signals model."""
        journey_hash, model = cast("tuple[str, str | None]", key)
        tagger = self._taggers[key]
        info = tagger.describe()
        versions = {
            "journey_sha256": str(journey_hash)[:16],
            "steps": str(model or info["steps"].get("kind", "zero-shot")),
            "encoder": f"{tagger.encoder.name} ({getattr(tagger.encoder, 'precision', 'fp32')})",
        }
        if tagger.signals is not None:
            versions["signals"] = f"steplens {__version__} models/signals"
        return versions


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _rebuild(value: Any, replacements: Any) -> Any:
    if isinstance(value, str):
        return next(replacements)
    if isinstance(value, dict):
        return {key: _rebuild(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [_rebuild(item, replacements) for item in value]
    return value
