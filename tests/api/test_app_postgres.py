"""The service on PostgreSQL: ingest, idempotency, listing, labels, metrics and the report."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from steplens.api.app import create_app
from steplens.api.db.models import Base
from steplens.api.settings import Settings

ITEMS = [
    {"id": f"p{i}", "text": text, "created_at": f"2026-07-0{1 + i % 7}", "channel": "web"}
    for i, text in enumerate(
        [
            "Checkout froze on the address page, tried four times",
            "The parcel came a week late",
            "Refund still missing after 3 weeks",
            "Search results were spot on",
            "Checkout would not accept my card",
            "Delivery driver was lovely",
        ]
        * 3
    )
]


def test_the_service_on_postgresql(postgres_url: str, encoder: Any, tmp_path: Any) -> None:
    engine = sa.create_engine(postgres_url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    with TestClient(create_app(Settings(database_url=postgres_url))) as client:
        assert client.get("/readyz").json()["status"] == "ready"
        first = client.post("/v1/feedback", json={"items": ITEMS})
        assert first.status_code == 200, first.text
        assert len(first.json()["inserted"]) == len(ITEMS)
        again = client.post("/v1/feedback", json={"items": ITEMS})
        assert again.json()["inserted"] == [] and len(again.json()["unchanged"]) == len(ITEMS)
        pages, cursor = [], None
        while True:
            params: dict[str, Any] = {"limit": 5, **({"cursor": cursor} if cursor else {})}
            page = client.get("/v1/feedback", params=params).json()
            pages += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(pages) == sorted(item["id"] for item in ITEMS) and page["total"] == 18
        labels = {
            "p0": "checkout",
            "p4": "checkout",
            "p1": "delivery",
            "p7": "delivery",
            "p2": "refunds",
            "p8": "refunds",
            "p3": "discovery",
            "p9": "discovery",
        }
        for item_id, step in labels.items():
            assert client.post(f"/v1/feedback/{item_id}/label", json={"step": step}).is_success
        metrics = [{"step": "checkout", "period": "2026-W27", "entered": 100, "completed": 70}]
        assert client.put("/v1/metrics", json={"rows": metrics}).status_code == 200
        report = client.get("/v1/reports/steps", params={"key_phrases": "false"})
        assert report.status_code == 200, report.text
        checkout = next(row for row in report.json()["steps"] if row["step"] == "checkout")
        # The three "Checkout froze ..." items; "Checkout would not accept my card" is read as
        # payment, and a second step inside one clause is not listed (docs/steps.md).
        assert checkout["mentions"] >= 3 and checkout["entered"] == 100

    # Corrections train a model: train-steps --from-db reads the labels stored above.
    from steplens.cli.main import cli

    result = CliRunner(env={"STEPLENS_DATABASE_URL": postgres_url}).invoke(
        cli,
        [
            "train-steps",
            "--from-db",
            "-j",
            "ecommerce",
            "--fine-tune",
            "never",
            "--out",
            str(tmp_path / "model"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "model" / "config.json").exists()
