"""report.html: one self-contained page (CSS, JavaScript and data inline; opens offline).

Safety, because every comment is customer-written text:

- the page is rendered by Jinja2 with autoescaping on, so a comment is always text, never
  markup (``<script>``, ``onerror=`` and friends show as typed);
- the report's data travels as JSON inside ``<script type="application/json">`` with ``<``,
  ``>`` and ``&`` escaped as ``\\u003c``-style sequences, so no text can close that element;
- the charts script puts text into the page only through ``textContent``;
- a Content-Security-Policy allows no network at all and only the one inline script whose
  SHA-256 it names: even markup that slipped through could neither run nor fetch anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

MAX_QUOTE_CHARS = 600


def render_html(data: dict[str, Any]) -> str:
    """The HTML page for a report document (``outputs.report_data``)."""
    js = asset("report.js")
    names = {step["id"]: step["name"] for step in data["journey"]["steps"]}
    environment = template_environment()
    environment.filters["step_name"] = lambda step: names.get(step, step)
    ranked = sorted(data["steps"], key=lambda row: row["priority_rank"])
    groups = sorted({row[data["group_by"]] for row in data["by_group"]}) if data["by_group"] else []
    group_cells = {(row["step"], row[data["group_by"]]): row for row in data["by_group"]}
    template = environment.get_template("report.html.j2")
    return template.render(
        data=data,
        journey_title=data["journey"]["name"],
        periods=sorted({row["period"] for row in data["by_period"]}),
        ranked=ranked,
        top=ranked[0],
        alerts=data["alerts"],
        mentioned=sum(1 for row in data["steps"] if row["mentions"]),
        groups=groups,
        group_cells=group_cells,
        css=asset("report.css"),
        js=js,
        script_hash="sha256-" + base64.b64encode(hashlib.sha256(js.encode()).digest()).decode(),
        data_json=script_safe_json(data),
    )


def script_safe_json(data: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``<``, ``>`` or ``&`` survive."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@cache
def asset(name: str) -> str:
    """A file of pipeline/report/assets, as text (cached)."""
    text: str = (resources.files("steplens.pipeline.report") / "assets" / name).read_text(
        encoding="utf-8"
    )
    return text


def template_environment() -> jinja2.Environment:
    """Jinja2 over the report assets: autoescaping on, strict undefined, the number filters."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: asset(name)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        pct=_pct, num=_num, count=_count, signed=_signed, clip=_clip, duration=_duration
    )
    return environment


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _pct(value: Any) -> str:
    return "–" if _missing(value) else f"{float(value):.0%}"


def _num(value: Any, digits: int = 2) -> str:
    return "–" if _missing(value) else f"{float(value):.{digits}f}"


def _count(value: Any) -> str:
    return "–" if _missing(value) else f"{round(float(value)):,}"


def _signed(value: Any) -> str:
    return "–" if _missing(value) else f"{float(value):+.2f}"


def _duration(value: Any) -> str:
    """Seconds as a person reads them: 98 s, 4.2 min, 3.1 h, 2.9 d."""
    if _missing(value):
        return "–"
    seconds = float(value)
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def _clip(value: Any) -> str:
    text = str(value)
    return text if len(text) <= MAX_QUOTE_CHARS else text[: MAX_QUOTE_CHARS - 1] + "…"
