"""Training and evaluation code for the models shipped in ``models/``."""

from __future__ import annotations
