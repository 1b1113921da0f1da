"""The ``steplens`` command line: thin commands over the ``pipeline`` library."""

from __future__ import annotations
