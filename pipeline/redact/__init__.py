"""PII redaction: emails, phones, cards, IBANs, secret-bearing URLs, addresses and names become
typed placeholders (``[EMAIL]``, ``[PHONE]``, ...), so steps and sentiment still read the text.

``build_redactor()`` makes a :class:`Redactor`; ``redact(text)`` and ``redact_many(texts)``
return :class:`Redaction` objects (the redacted text and the spans found). Nothing is loaded
at import: spaCy's NER is loaded the first time a redactor that finds names is built.
What is and is not redacted, and the measured recall, are in docs/security.md.
"""

from __future__ import annotations

from steplens.pipeline.redact.redactor import (
    BUNDLED_JOURNEYS,
    KINDS,
    PLACEHOLDERS,
    PiiKind,
    PiiSpan,
    Redaction,
    Redactor,
    apply_spans,
    build_redactor,
)

__all__ = [
    "BUNDLED_JOURNEYS",
    "KINDS",
    "PLACEHOLDERS",
    "PiiKind",
    "PiiSpan",
    "Redaction",
    "Redactor",
    "apply_spans",
    "build_redactor",
]
