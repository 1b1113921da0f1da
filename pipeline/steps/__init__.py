"""Step classification: zero-shot from the journey, or a head trained on labelled examples."""

from __future__ import annotations
