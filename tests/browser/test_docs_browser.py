"""/docs works offline: Swagger UI's files come from the package, and the page draws in Chromium.

Chromium's requests are answered by the app in-process (Playwright's request routing hands each
one to a FastAPI TestClient); any request to another host is refused and recorded, as it would
fail on a machine with no network.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import make_client
from tests.browser.test_report_browser import CHROMIUM

BASE = "http://steplens.test"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, encoder: Any) -> Iterator[Any]:
    with make_client(tmp_path_factory.mktemp("docs")) as client:
        yield client


def test_docs_assets_come_from_the_package(client: Any) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "/docs/assets/swagger-ui-bundle.js" in page.text
    script = client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert client.get("/docs/assets/secrets.txt").status_code == 404


def test_docs_draw_in_chromium_with_no_network(client: Any) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    outside: list[str] = []

    def answer(route: Any) -> None:
        url = route.request.url
        if not url.startswith(BASE):
            outside.append(url)
            route.abort()
            return
        response = client.get(url[len(BASE) :])
        route.fulfill(
            status=response.status_code, headers=dict(response.headers), body=response.content
        )

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.route("**/*", answer)
        page.goto(f"{BASE}/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
        title = page.locator(".swagger-ui .info .title").inner_text()
        operations = page.locator(".opblock").count()
        browser.close()
    assert outside == []
    assert "steplens" in title and operations >= 8
