"""evaluation.html: the result of ``steplens evaluate`` as one self-contained page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steplens.pipeline.report.html import template_environment
from steplens.pipeline.signals import EFFORT_LABELS, SENTIMENT_LABELS

if TYPE_CHECKING:
    from steplens.pipeline.evaluation import Evaluation


def render_evaluation_html(evaluation: Evaluation) -> str:
    """The page (no script, no network: the same Content-Security-Policy as the report)."""
    template = template_environment().get_template("evaluation.html.j2")
    labels = {"Sentiment": SENTIMENT_LABELS, "Effort": EFFORT_LABELS}
    return template.render(e=evaluation.to_dict(), labels=labels)
