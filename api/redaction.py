"""PII redaction in the service: texts (and string attributes) are redacted before they are
classified, stored or returned, unless ``STEPLENS_REDACT=false``.

The redactor is built once in the lifespan (spaCy NER loaded then) and handed to the
``TaggerPool``, which redacts inside the micro-batcher's work (``api/models.py``): NER runs
batched across concurrent requests, in the model's worker thread, never on the event loop, and
is queued and refused under overload like the model work. Each journey's vocabulary is protected
from name detection. ``RedactorDep`` gives routes the redactor (None when off).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from steplens.pipeline import __version__
from steplens.pipeline.redact import Redactor


def get_redactor(request: Request) -> Redactor | None:
    """The app's redactor; None when redaction is switched off."""
    redactor: Redactor | None = getattr(request.app.state, "redactor", None)
    return redactor


RedactorDep = Annotated[Redactor | None, Depends(get_redactor)]


def redaction_version(redactor: Redactor | None) -> dict[str, str]:
    """What redacted a stored record, kept with its model versions (empty when off)."""
    if redactor is None:
        return {}
    return {"redaction": f"steplens {__version__}: {','.join(redactor.kinds)}"}
