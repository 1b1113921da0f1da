"""steplens' library: from feedback text to step-level records and reports.

Import what you need from the submodules (``steplens.pipeline.journey``,
``steplens.pipeline.tables``, ``steplens.pipeline.encoder``); this package does no work at import
time and imports no heavy library.
"""

from __future__ import annotations

__version__ = "0.1.0"
