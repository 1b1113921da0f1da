"""Access: every route but the probes needs a key, keys never reach the logs, and listings and
reports only ever show the journey asked for."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from steplens.api.app import create_app
from steplens.api.settings import Settings

PLAIN_KEY = "plain-key-4f1c9e"
HASHED_KEY = "hashed-key-77ab20"
PUBLIC_ASSETS = "/docs/assets/{name}"
PROBES = {"/healthz", "/readyz"}


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory, encoder: Any) -> Iterator[TestClient]:
    """A service with one plain key and one given as its SHA-256 hash."""
    folder = tmp_path_factory.mktemp("secured")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'steplens.db'}",
        api_keys=[PLAIN_KEY, "sha256:" + hashlib.sha256(HASHED_KEY.encode()).hexdigest()],
        rate_limit=0,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def every_route(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every route: the OpenAPI schema's, plus routes kept out of it."""
    schema = client.get("/openapi.json", headers={"X-API-Key": HASHED_KEY}).json()
    found = [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute | Route) and route.methods:
            found += [(method, route.path) for method in sorted(route.methods - {"HEAD"})]
    return found


def test_no_route_hides_from_the_schema() -> None:
    """The walk below reads the schema, so every API route must be in it."""
    from steplens.api.routes import classify, feedback, health, journeys, metrics, reports

    for module in (classify, feedback, health, journeys, metrics, reports):
        for router in (module.router, getattr(module, "page", module.router)):
            for route in router.routes:
                assert isinstance(route, APIRoute) and route.include_in_schema, route


def test_every_route_but_the_probes_needs_a_key(secured: TestClient) -> None:
    routes = every_route(secured)
    paths = {path for _, path in routes}
    assert {"/v1/classify", "/v1/feedback", "/report", "/docs", "/openapi.json"} <= paths
    for method, path in routes:
        url = path.replace("{name}", "ecommerce").replace("{item_id}", "f1")
        if path in PROBES:
            assert secured.request(method, url).status_code in (200, 503)
            continue
        if path == PUBLIC_ASSETS:  # Swagger UI's own files, no data: served without a key
            assert secured.get("/docs/assets/swagger-ui.css").status_code == 200
            assert secured.get("/docs/assets/..%2Fapp.py").status_code == 404
            continue
        assert secured.request(method, url).status_code == 401, (method, path)
        wrong = secured.request(method, url, headers={"X-API-Key": "not-a-key"})
        assert wrong.status_code == 401, (method, path)
        assert wrong.headers["WWW-Authenticate"] == "Bearer"
        for headers in ({"Authorization": f"Bearer {PLAIN_KEY}"}, {"X-API-Key": HASHED_KEY}):
            answer = secured.request(method, url, headers=headers)
            assert answer.status_code != 401, (method, path, headers)


def test_keys_never_reach_the_logs(
    tmp_path: Path, encoder: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'steplens.db'}",
        api_keys=[PLAIN_KEY],
        rate_limit=2,
    )
    with TestClient(create_app(settings)) as client:
        good = {"Authorization": f"Bearer {PLAIN_KEY}"}
        client.post("/v1/classify", json={"text": "checkout failed"}, headers=good)
        client.get("/v1/journeys", headers={"X-API-Key": "a-wrong-key-123"})
        for _ in range(4):  # past the rate limit
            client.get("/v1/journeys", headers=good)
        client.post("/v1/feedback", content=b"{broken", headers=good)
    logged = caplog.text + "".join(repr(record.args) for record in caplog.records)
    assert caplog.records  # the service did log
    for secret in (PLAIN_KEY, "a-wrong-key-123"):
        assert secret not in logged


def test_listings_and_reports_show_only_the_journey_asked_for(tmp_path: Path, encoder: Any) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'steplens.db'}", redact=False)
    with TestClient(create_app(settings)) as client:
        definition = client.get("/v1/journeys/ecommerce").json()
        definition.pop("name", None)
        assert client.put("/v1/journeys/shop2", json=definition).status_code in (200, 201)
        ecommerce = [{"id": f"s{i}", "text": "Checkout failed again"} for i in range(5)]
        other = [{"id": f"s{i}", "text": "The parcel was late"} for i in range(3)]
        for journey, items in (("ecommerce", ecommerce), ("shop2", other)):
            stored = client.post("/v1/feedback", json={"journey": journey, "items": items})
            assert stored.is_success, stored.text

        mine = client.get("/v1/feedback", params={"journey": "shop2", "limit": 100}).json()
        assert mine["total"] == 3
        assert {item["text"] for item in mine["items"]} == {"The parcel was late"}
        theirs = client.get("/v1/feedback", params={"journey": "ecommerce"}).json()
        assert theirs["total"] == 5

        # A label names its journey; the same id in another journey is untouched.
        correction = {"journey": "shop2", "step": "delivery"}
        labelled = client.post("/v1/feedback/s0/label", json=correction)
        assert labelled.is_success
        listed = client.get("/v1/feedback", params={"journey": "ecommerce", "limit": 100}).json()
        assert all(item["label"] is None for item in listed["items"])
        shop2 = client.get("/v1/feedback", params={"journey": "shop2"}).json()["items"]
        assert {item["id"]: item["label"] for item in shop2}["s0"] == "delivery"

        for journey, expected in (("shop2", 3), ("ecommerce", 5)):
            report = client.get(
                "/v1/reports/steps", params={"journey": journey, "key_phrases": "false"}
            ).json()
            assert report["comments"] == expected, (journey, report.get("comments"))
