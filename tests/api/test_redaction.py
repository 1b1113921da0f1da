"""The service redacts PII before classifying, storing or returning texts, unless switched off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from steplens.api.settings import Settings
from tests.api.conftest import make_client

TEXT = "Checkout charged card 4111 1111 1111 1111 twice. Ask Priya Raman, priya@example.org."
REDACTED = "Checkout charged card [CARD] twice. Ask [NAME], [EMAIL]."
ITEM = {
    "id": "p1",
    "text": TEXT,
    "channel": "email",
    "agent": {"name": "Oluwaseun Adeyemi", "phone": "+44 7700 900123"},
    "store": 12,
}


@pytest.fixture(scope="module")
def redacting(tmp_path_factory: pytest.TempPathFactory, encoder: Any) -> Iterator[TestClient]:
    with make_client(tmp_path_factory.mktemp("redacting")) as client:
        yield client


def test_redaction_is_on_by_default() -> None:
    assert Settings().redact is True


def test_feedback_is_stored_redacted(redacting: TestClient) -> None:
    stored = redacting.post("/v1/feedback", json={"journey": "ecommerce", "items": [ITEM]})
    assert stored.status_code == 200, stored.text
    assert stored.json()["model_versions"]["redaction"].endswith(
        "url,email,iban,card,phone,address,name"
    )
    item = redacting.get("/v1/feedback", params={"journey": "ecommerce"}).json()["items"][0]
    assert item["text"] == REDACTED
    assert item["attributes"] == {"agent": {"name": "[NAME]", "phone": "[PHONE]"}, "store": 12}
    assert item["channel"] == "email" and item["step"] != "unassigned"
    again = redacting.post("/v1/feedback", json={"journey": "ecommerce", "items": [ITEM]})
    assert again.json()["unchanged"] == ["p1"]  # redaction is deterministic: still idempotent


def test_classify_returns_redacted_text(redacting: TestClient) -> None:
    answer = redacting.post("/v1/classify", json={"text": TEXT})
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["text"] == REDACTED
    segments = redacting.post("/v1/classify", json={"text": TEXT, "granularity": "segment"})
    records = segments.json()["results"]
    assert "".join(r["text"] for r in records).replace(" ", "") == REDACTED.replace(" ", "")
    for record in records:
        assert REDACTED[record["start"] : record["end"]] == record["text"]


def test_redaction_can_be_switched_off(tmp_path: Path, encoder: Any) -> None:
    with make_client(tmp_path, redact=False) as client:
        stored = client.post("/v1/feedback", json={"journey": "ecommerce", "items": [ITEM]})
        assert stored.status_code == 200, stored.text
        assert "redaction" not in stored.json()["model_versions"]
        item = client.get("/v1/feedback", params={"journey": "ecommerce"}).json()["items"][0]
        assert item["text"] == TEXT
        assert item["attributes"]["agent"] == ITEM["agent"]
        answer = client.post("/v1/classify", json={"text": TEXT})
        assert answer.json()["results"][0]["text"] == TEXT


def test_the_environment_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEPLENS_REDACT", "false")
    assert Settings().redact is False
