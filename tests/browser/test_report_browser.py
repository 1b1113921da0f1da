"""report.html in a real headless Chromium: charts drawn, no request, no console error, no XSS.

Uses Debian's ``chromium`` (``/usr/bin/chromium``; ``.ci/run`` installs it when missing) driven
by Playwright's Python package; nothing downloads a browser. Where either is missing the tests
skip and say why. The screenshot lands in the test's temporary folder, or in
``$STEPLENS_SCREENSHOTS`` when that is set (to look at it).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from steplens.pipeline.journey import load_journey
from steplens.pipeline.report.build import build_report, load_tagged
from steplens.pipeline.report.outputs import write_report
from tests.conftest import build_sample_report

CHROMIUM = Path(os.environ.get("STEPLENS_CHROMIUM", "/usr/bin/chromium"))
CHARTS = ("chart-matrix", "chart-sentiment", "chart-effort", "chart-funnel", "chart-trends")
INJECTED = [
    "<script>window.__pwned = 'script'</script> checkout froze on the address page",
    "<img src=x onerror=\"window.__pwned = 'img'\"> the checkout button did nothing",
    "</script><script>window.__pwned = 'breakout'</script> checkout crashed again",
    "<svg onload=\"window.__pwned = 'svg'\"></svg> delivery was late",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install -e .[dev])"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def report_html(tagged_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's report with hostile comments appended to the tagged file."""
    folder = tmp_path_factory.mktemp("browser-report")
    tagged = folder / "tagged.csv"
    lines = tagged_sample.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    assert header[:5] == ["id", "created_at", "channel", "nps", "text"]
    with tagged.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(lines)
        writer = csv.writer(handle)
        for i, text in enumerate(INJECTED):
            entry = {
                "step": "checkout",
                "confidence": 0.99,
                "sentiment": "negative",
                "sentiment_score": -1.0,
                "effort": "high",
                "effort_score": 5.0,
            }
            row = {name: "" for name in header}
            row.update(
                id=f"x{i}",
                created_at="2026-08-20",
                channel="web",
                nps="0",
                text=text,
                step="checkout",
                step_confidence="0.99",
                steps=json.dumps([entry]),
            )
            writer.writerow([row[name] for name in header])
    report = build_sample_report(tagged)
    return write_report(report, folder / "out").html


def test_the_report_renders_offline_without_errors_or_injection(
    browser: Any, report_html: Path, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report_html.as_uri())
    page.wait_for_selector("html[data-charts=drawn]", timeout=10_000)

    assert requests == [report_html.as_uri()]  # nothing but the file itself
    assert problems == []
    for chart in CHARTS:
        drawn = page.locator(f"#{chart} svg").locator("rect, circle, polyline").count()
        assert drawn >= 5, f"{chart} drew {drawn} marks"
    assert page.evaluate("window.__pwned") is None
    assert page.locator("blockquote.verbatim img, blockquote.verbatim svg").count() == 0
    painful = page.locator("#step-checkout blockquote.verbatim").all_inner_texts()
    assert any("<script>window.__pwned" in text for text in painful)  # shown, as text
    assert page.locator("table.ranked tbody tr").first.get_attribute("data-step") == "checkout"
    assert page.locator("li.alert[data-step=checkout]").count() >= 1

    folder = Path(os.environ.get("STEPLENS_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    page.close()


def test_the_charts_fall_back_to_a_message_without_metrics(
    browser: Any, tagged_sample: Path, tmp_path: Path
) -> None:
    report = build_report(load_tagged(tagged_sample), load_journey("ecommerce"), key_phrases=False)
    html = write_report(report, tmp_path).html
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(html.as_uri())
    page.wait_for_selector("html[data-charts=drawn]", timeout=10_000)
    assert errors == []
    assert "metrics file" in page.locator("#chart-funnel").inner_text()
    assert page.locator("#chart-sentiment svg rect").count() >= 5
    page.close()


def _overlapping(boxes: list[dict[str, float]]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes)
        if i < j
        and a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    ]


def test_the_charts_are_readable(browser: Any, report_html: Path) -> None:
    """Layout checks: full step names in the priority matrix with no two labels overlapping,
    axis scales on it, and trend charts with a legend and whole axis labels."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(report_html.as_uri())
    page.wait_for_selector("html[data-charts=drawn]", timeout=10_000)
    labels = page.locator("#chart-matrix text.bubble-label")
    names = labels.all_text_contents()
    assert len(names) == 12 and not any(name.endswith("\u2026") for name in names)
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    assert _overlapping(boxes) == []
    ticks = page.locator("#chart-matrix text.tick").all_text_contents()
    assert {"0.00", "0.50", "1.00"} <= set(ticks)
    legend = " ".join(page.locator("#chart-trends g.legend text").all_text_contents())
    assert "negative share" in legend and "drop-off rate" in legend
    svg = page.locator("#chart-trends svg").bounding_box()
    for i, tick in enumerate(page.locator("#chart-trends text.tick").all()):
        box = tick.bounding_box()
        assert box["x"] >= svg["x"] - 0.5, f"trend axis label {i} is cut at the left edge"
    assert "100%" in page.locator("#chart-trends text.tick").all_text_contents()
    page.close()
