"""The HTTP service end to end, in-process (TestClient runs the real lifespan, models and DB)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from steplens.pipeline.journey import load_journey
from steplens.pipeline.paths import samples_dir
from steplens.pipeline.tables import open_table
from tests.api.conftest import make_client


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, encoder: Any) -> Iterator[TestClient]:
    with make_client(tmp_path_factory.mktemp("service")) as client:
        yield client


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_classify_gives_the_records_tag_writes(client: TestClient) -> None:
    from steplens.pipeline.tagger import as_rows, build_tagger, chunk_records

    texts = ["Checkout froze on the address page.", "", "The parcel came two days late 😡"]
    answer = client.post("/v1/classify", json={"texts": texts})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    tagger = build_tagger(load_journey("ecommerce"))
    from steplens.pipeline.tables.readers import Chunk

    rows = [{"id": i, "text": t} for i, t in enumerate(texts)]
    chunk = Chunk(start=0, rows=rows, texts=texts, ids=[0, 1, 2])
    expected = json.loads(json.dumps(as_rows(chunk_records(chunk, tagger.tag(texts)), "comment")))
    assert [r["step"] for r in results] == [r["step"] for r in expected]
    assert [r["sentiment"] for r in results] == [r["sentiment"] for r in expected]
    assert set(results[0]) == set(expected[0])
    assert results[0]["step"] == "checkout" and results[1]["step"] == "unassigned"
    one = client.post("/v1/classify", json={"text": texts[0], "granularity": "segment"})
    assert one.status_code == 200 and one.json()["results"][0]["start"] == 0


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"texts": []}, "empty"),
        ({"text": "a", "texts": ["b"]}, "exactly one"),
        ({"texts": ["ok", "bad\u0000text"]}, "NUL character at position 3"),
        ({"texts": ["x" * 10_001]}, "at most 10000"),
        ({"texts": ["a"] * 257}, "at most 256 per request"),
        ({"text": "a", "granularity": "word"}, "comment"),
        ({"text": 5}, "string"),
        ({"text": "a", "colour": "red"}, "Extra inputs"),
    ],
)
def test_bad_classify_requests_are_json_422s(
    client: TestClient, body: dict[str, Any], where: str
) -> None:
    answer = client.post("/v1/classify", json=body)
    assert answer.status_code == 422, answer.text
    assert where in json.dumps(answer.json())


def test_malformed_bodies_never_500(client: TestClient) -> None:
    bad_json = client.post(
        "/v1/classify", content=b'{"text": ', headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 422 and "detail" in bad_json.json()
    surrogate = client.post(
        "/v1/classify",
        content=b'{"text": "a\\ud800b"}',
        headers={"content-type": "application/json"},
    )
    assert surrogate.status_code == 422 and "lone surrogate" in surrogate.text
    unknown = client.post("/v1/classify", json={"text": "a", "journey": "nope"})
    assert unknown.status_code == 404 and "known journeys" in unknown.json()["detail"]
    model = client.post("/v1/classify", json={"text": "a", "model": "nope"})
    assert model.status_code == 422 and "registered models" in model.json()["detail"]


def test_journeys_round_trip(client: TestClient) -> None:
    names = {row["name"] for row in client.get("/v1/journeys").json()["journeys"]}
    assert {"ecommerce", "banking", "saas"} <= names
    mini = {"steps": [{"id": "signup", "name": "Sign-up"}, {"id": "billing"}]}
    put = client.put("/v1/journeys/mini", json=mini)
    assert put.status_code == 200 and put.json()["steps"] == ["signup", "billing"]
    assert client.get("/v1/journeys/mini").json()["steps"][0]["name"] == "Sign-up"
    answer = client.post("/v1/classify", json={"text": "I could not sign up", "journey": "mini"})
    assert answer.status_code == 200
    bad = client.put("/v1/journeys/broken", json={"steps": [{"id": "Bad Id"}]})
    assert bad.status_code == 422 and "Bad Id" in bad.json()["detail"]
    assert client.get("/v1/journeys/absent").status_code == 404
    # the YAML users write is accepted as it is, with YAML errors located
    yaml_text = "steps:\n  - id: signup\n    description: creating an account\n  - id: billing\n"
    headers = {"Content-Type": "application/yaml"}
    put = client.put("/v1/journeys/mini-yaml", content=yaml_text, headers=headers)
    assert put.status_code == 200, put.text
    assert put.json()["steps"] == ["signup", "billing"]
    broken = client.put("/v1/journeys/mini-yaml", content="steps: [\n  - id", headers=headers)
    assert broken.status_code == 422 and "not valid YAML" in broken.json()["detail"]
    typo = client.put(
        "/v1/journeys/mini-yaml", content="steps:\n  - id: a\n    descripton: x\n", headers=headers
    )
    assert typo.status_code == 422 and "did you mean 'description'" in typo.json()["detail"]
    other = client.put(
        "/v1/journeys/mini-yaml", content="steps: []", headers={"Content-Type": "text/plain"}
    )
    assert other.status_code == 415


def test_feedback_is_idempotent_and_listable(client: TestClient) -> None:
    items = [
        {"id": "f1", "text": "Checkout froze twice", "channel": "web", "created_at": "2026-07-01"},
        {"id": "f2", "text": "Parcel arrived late", "channel": "app", "store": 12},
    ]
    first = client.post("/v1/feedback", json={"journey": "ecommerce", "items": items})
    assert first.status_code == 200, first.text
    assert first.json()["inserted"] == ["f1", "f2"]
    again = client.post("/v1/feedback", json={"items": items})
    assert again.json()["inserted"] == [] and sorted(again.json()["unchanged"]) == ["f1", "f2"]
    changed = [{**items[0], "text": "Checkout froze three times"}]
    replaced = client.post("/v1/feedback", json={"items": changed})
    assert replaced.json()["replaced"] == ["f1"]
    listing = client.get("/v1/feedback", params={"journey": "ecommerce", "limit": 1})
    page = listing.json()
    assert page["total"] >= 2 and len(page["items"]) == 1 and page["next_cursor"]
    assert page["items"][0]["text"] == "Checkout froze three times"
    web = client.get("/v1/feedback", params={"channel": "app"}).json()
    assert [item["id"] for item in web["items"]] == ["f2"]
    assert web["items"][0]["attributes"] == {"store": 12}
    checkout = client.get("/v1/feedback", params={"step": "checkout"}).json()
    assert "f1" in [item["id"] for item in checkout["items"]]
    dupes = client.post("/v1/feedback", json={"items": [items[0], items[0]]})
    assert dupes.status_code == 422 and "appears twice" in dupes.text
    label = client.post("/v1/feedback/f2/label", json={"step": "delivery", "author": "ana"})
    assert label.status_code == 200 and label.json()["journey"] == "ecommerce"
    # no journey named: the item's own journey, not the default one
    saas = client.post(
        "/v1/feedback",
        json={"journey": "saas", "items": [{"id": "s1", "text": "the invoice was wrong"}]},
    )
    assert saas.status_code == 200, saas.text
    step = load_journey("saas").step_ids[0]
    own = client.post("/v1/feedback/s1/label", json={"step": step})
    assert own.status_code == 200 and own.json()["journey"] == "saas", own.text
    both = client.post(
        "/v1/feedback",
        json={"journey": "saas", "items": [{"id": "f2", "text": "parcel arrived late"}]},
    )
    assert both.status_code == 200
    ambiguous = client.post("/v1/feedback/f2/label", json={"step": "delivery"})
    assert ambiguous.status_code == 422 and "name the journey" in ambiguous.text
    assert client.post("/v1/feedback/zzz/label", json={"step": "delivery"}).status_code == 404
    wrong = client.post("/v1/feedback/f2/label", json={"journey": "ecommerce", "step": "teleport"})
    assert wrong.status_code == 422 and "its steps" in wrong.text


def test_bad_metrics_name_row_and_column(client: TestClient) -> None:
    rows = [{"step": "checkout", "entered": 5, "completed": 7}, {"step": "chekout", "entered": 1}]
    answer = client.put("/v1/metrics", json={"journey": "ecommerce", "rows": rows})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "data row 1, column 'completed'" in detail and "data row 2, column 'step'" in detail


def test_the_service_report_equals_the_cli_report(
    tmp_path: Path, tagged_sample: Path, encoder: Any
) -> None:
    from steplens.pipeline.report.build import build_report, load_tagged
    from steplens.pipeline.report.metrics import load_metrics
    from steplens.pipeline.report.outputs import report_data

    journey = load_journey("ecommerce")
    feedback = [
        row for chunk in open_table(samples_dir() / "ecommerce_feedback.csv") for row in chunk.rows
    ]
    metrics_rows = [
        row
        for chunk in open_table(samples_dir() / "ecommerce_metrics.csv", text_column="step")
        for row in chunk.rows
    ]
    # The CLI's file was tagged without --redact and the service redacts (its default): the
    # models read the texts as sent either way, so the numbers are the same.
    with make_client(tmp_path) as client:
        items = [
            {
                "id": r["id"],
                "text": r["text"],
                "created_at": r["created_at"],
                "channel": r["channel"],
                "nps": r["nps"],
            }
            for r in feedback
        ]
        for start in range(0, len(items), 200):
            answer = client.post("/v1/feedback", json={"items": items[start : start + 200]})
            assert answer.status_code == 200, answer.text
        put = client.put("/v1/metrics", json={"rows": metrics_rows})
        assert put.status_code == 200, put.text
        params = {"group_by": "channel", "key_phrases": "false", "score_column": "nps"}
        served = client.get("/v1/reports/steps", params=params)
        assert served.status_code == 200, served.text
        typo = client.get("/v1/reports/steps", params={**params, "grup_by": "channel"})
        assert typo.status_code == 422 and "grup_by" in typo.text
        themed = client.get("/v1/reports/steps", params={**params, "themes": "true"}).json()
        assert themed["themes"] is True and any(themed["sub_themes"].values())
        assert served.json()["themes"] is False  # off by default in the service
        page = client.get("/report")
        assert page.status_code == 200 and "default-src 'none'" in page.text
    cli = report_data(
        build_report(
            load_tagged(tagged_sample),
            journey,
            metrics=load_metrics(samples_dir() / "ecommerce_metrics.csv", journey),
            period_column="created_at",
            group_by="channel",
            score_column="nps",
            key_phrases=False,
        )
    )
    ours = served.json()
    assert ours["score"]["kind"] == "nps"
    assert ours["score"]["overall"] == pytest.approx(cli["score"]["overall"])
    for theirs, mine in zip(cli["steps"], ours["steps"], strict=True):
        for column in (
            "step",
            "mentions",
            "negative_share",
            "high_effort_share",
            "entered",
            "drop_off_rate",
            "priority_rank",
            "nps",
            "nps_impact",
        ):
            assert mine[column] == pytest.approx(theirs[column]), (mine["step"], column)
        assert mine["priority_score"] == pytest.approx(theirs["priority_score"], abs=1e-3)
    assert [a["text"] for a in ours["alerts"]] == [a["text"] for a in cli["alerts"]]
    assert len(ours["by_period"]) == len(cli["by_period"])


def test_keys_rate_limits_and_body_size(tmp_path: Path, encoder: Any) -> None:
    import hashlib

    hashed = "sha256:" + hashlib.sha256(b"second-key").hexdigest()
    with make_client(
        tmp_path, api_keys=["first-key", hashed], rate_limit=3, max_body_bytes=2_048
    ) as client:
        assert client.get("/healthz").status_code == 200  # open for probes
        assert client.get("/v1/journeys").status_code == 401
        assert client.get("/v1/journeys", headers={"X-API-Key": "wrong"}).status_code == 401
        bearer = {"Authorization": "Bearer first-key"}
        assert client.get("/v1/journeys", headers=bearer).status_code == 200
        assert client.get("/v1/journeys", headers={"X-API-Key": "second-key"}).status_code == 200
        statuses = [client.get("/v1/journeys", headers=bearer).status_code for _ in range(3)]
        assert statuses[-1] == 429
        limited = client.get("/v1/journeys", headers=bearer)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        big = client.post(
            "/v1/classify", json={"text": "x" * 5_000}, headers={"X-API-Key": "second-key"}
        )
        assert big.status_code == 413 and "larger than 2048 bytes" in big.json()["detail"]
        for path in ("/openapi.json", "/docs"):
            assert client.get(path).status_code == 401
            assert client.get(path, headers={"X-API-Key": "second-key"}).status_code == 200
        # Every route but the probes needs a key.
        for path, methods in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
            if path in ("/healthz", "/readyz"):
                continue
            for method in methods:
                url = path.replace("{name}", "ecommerce").replace("{item_id}", "f1")
                answer = client.request(method.upper(), url)
                assert answer.status_code == 401, (method, path, answer.status_code)
