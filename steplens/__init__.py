"""steplens as a library: tag feedback and build per-step reports from Python (docs/python.md).

    import steplens
    tagger = steplens.load_tagger("ecommerce")
    tagged = steplens.tag_dataframe(tagger, frame, text_column="comment")
    report = steplens.report_from_dataframe(tagged, "ecommerce", score_column="nps")
    steplens.write_report(report, "report/")

The CLI (``steplens ...``) and the service are layers over the same calls. Names are imported
on first use, so ``import steplens`` loads no model and no heavy library.
"""

from __future__ import annotations

import importlib
from typing import Any

from steplens.pipeline import __version__

_EXPORTS = {
    "load_journey": "steplens.pipeline.journey",
    "Journey": "steplens.pipeline.journey",
    "Tagger": "steplens.pipeline.tagger",
    "TaggedComment": "steplens.pipeline.tagger",
    "FeedbackRecord": "steplens.pipeline.records",
    "StepMention": "steplens.pipeline.records",
    "ClauseRecord": "steplens.pipeline.records",
    "Signals": "steplens.pipeline.records",
    "StepReport": "steplens.pipeline.report.build",
    "Evaluation": "steplens.pipeline.evaluation",
    "SteplensError": "steplens.pipeline.errors",
    "load_tagger": "steplens.library",
    "tag_texts": "steplens.library",
    "tag_dataframe": "steplens.library",
    "report_from_dataframe": "steplens.library",
    "report_from_records": "steplens.library",
    "write_report": "steplens.library",
    "evaluate_file": "steplens.library",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is used."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'steplens' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
