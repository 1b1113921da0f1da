"""The database layer on SQLite and PostgreSQL: schema, journeys, feedback, labels, metrics."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from steplens.api.db import feedback_store as store_module
from steplens.api.db.models import Base
from steplens.api.db.store import (
    InvalidCursor,
    NotFound,
    Store,
    StoredItem,
    StoreError,
    StoreUnavailable,
)
from steplens.pipeline.records import FeedbackRecord, StepMention

UTC = timezone.utc
DAY = datetime(2026, 7, 1, tzinfo=UTC)


def item(external_id: str, step: str = "delivery", **fields: Any) -> StoredItem:
    """A classified item mentioning ``step`` (negative, high effort unless told otherwise)."""
    sentiment = fields.pop("sentiment", "negative")
    effort = fields.pop("effort", "high")
    entry = {
        "step": step,
        "confidence": 0.9,
        "sentiment": sentiment,
        "sentiment_score": -0.8,
        "effort": effort,
        "effort_score": 4.0,
    }
    values: dict[str, Any] = {
        "text": f"text of {external_id}",
        "created_at": DAY,
        "channel": "web",
        "attributes": {"nps": 3, "region": "north"},
        "step": step,
        "step_confidence": 0.9,
        "steps": [entry],
        "sentiment": sentiment,
        "sentiment_score": -0.8,
        "effort": effort,
        "effort_score": 4.0,
        "model_versions": {"steps": "zero-shot", "encoder": "all-MiniLM-L6-v2"},
    }
    values.update(fields)
    kept = {name: values.pop(name) for name in ("created_at", "channel", "model_versions")}
    text = values.pop("text")
    row = {**values.pop("attributes"), **values}
    return StoredItem(record=FeedbackRecord.from_row(row, id=external_id, text=text), **kept)


def all_ids(store: Store, journey: str = "shop", **filters: Any) -> list[str]:
    """Every id a listing returns, following the cursors."""
    ids: list[str] = []
    cursor = None
    while True:
        page = store.list_feedback(journey, limit=500, cursor=cursor, **filters)
        ids += [entry["id"] for entry in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return ids


# --- schema ---------------------------------------------------------------------------------


def test_migrate_twice_is_a_no_op(store: Store) -> None:
    assert store.schema_revision() == "0002"
    store.put_journey("shop", {"name": "shop"})
    tables = set(sa.inspect(store.engine).get_table_names())
    store.migrate()
    assert store.schema_revision() == "0002"
    assert set(sa.inspect(store.engine).get_table_names()) == tables
    assert tables >= {"journeys", "feedback", "feedback_mentions", "labels", "step_metrics"}
    assert store.get_journey("shop") == {"name": "shop"}


def test_migration_matches_the_models(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_ping(store: Store) -> None:
    assert store.ping() is True


# --- journeys -------------------------------------------------------------------------------


def test_journeys_round_trip(store: Store) -> None:
    definition = {"name": "shop", "steps": [{"id": "delivery", "name": "Délivery 🚚"}]}
    assert store.put_journey("shop", definition) is False
    assert store.put_journey("bank", {"name": "bank", "steps": []}) is False
    assert store.get_journey("shop") == definition
    assert store.list_journeys() == ["bank", "shop"]
    changed = {**definition, "description": "new"}
    assert store.put_journey("shop", changed) is True
    assert store.get_journey("shop") == changed
    assert store.get_journey("missing") is None


# --- feedback: upsert -----------------------------------------------------------------------


def test_upsert_is_idempotent_and_reports_replacements(store: Store) -> None:
    batch = [item("a1"), item("a2", "checkout"), item("a3")]
    first = store.upsert_feedback("shop", batch)
    assert (first.inserted, first.replaced, first.unchanged) == (["a1", "a2", "a3"], [], [])
    again = store.upsert_feedback("shop", batch)
    assert (again.inserted, again.replaced, again.unchanged) == ([], [], ["a1", "a2", "a3"])
    assert store.list_feedback("shop").total == 3

    record = replace(
        batch[1].record,
        text="Checkout broke",
        step="payment",
        steps=(StepMention("payment", None),),
    )
    changed = replace(batch[1], record=record)
    third = store.upsert_feedback("shop", [batch[0], changed, item("a4")])
    assert (third.inserted, third.replaced, third.unchanged) == (["a4"], ["a2"], ["a1"])
    page = store.list_feedback("shop")
    assert page.total == 4
    stored = {entry["id"]: entry for entry in page.items}
    assert stored["a2"]["text"] == "Checkout broke"
    assert stored["a2"]["step"] == "payment"
    assert stored["a2"]["updated_at"] > stored["a2"]["ingested_at"]
    assert stored["a1"]["updated_at"] == stored["a1"]["ingested_at"]
    # the mentions follow the replacement
    assert all_ids(store, step="payment") == ["a2"]
    assert all_ids(store, step="checkout") == []


def test_same_text_new_classification_is_a_replacement(store: Store) -> None:
    store.upsert_feedback("shop", [item("a1")])
    result = store.upsert_feedback("shop", [item("a1", sentiment="positive")])
    assert result.replaced == ["a1"]
    assert store.list_feedback("shop").items[0]["sentiment"] == "positive"


def test_concurrent_upserts_store_each_id_once(store: Store) -> None:
    batches = [[item(f"i{n:02d}") for n in range(start, start + 20)] for start in (0, 10, 5, 15)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda batch: store.upsert_feedback("shop", batch), batches))
    inserted = sorted(external_id for result in results for external_id in result.inserted)
    assert inserted == [f"i{n:02d}" for n in range(35)]
    assert sum(len(result.unchanged) for result in results) == 80 - 35
    assert store.list_feedback("shop").total == 35


def test_upsert_is_all_or_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real = store_module._mentions
    calls: list[int] = []

    def failing(values: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return real(values)

    monkeypatch.setattr(store_module, "_mentions", failing)
    with pytest.raises(RuntimeError):
        store.upsert_feedback("shop", [item("a1"), item("a2"), item("a3")])
    monkeypatch.setattr(store_module, "_mentions", real)
    assert store.list_feedback("shop").total == 0


def test_upsert_rejects_bad_batches_with_a_clear_message(store: Store) -> None:
    with pytest.raises(StoreError, match=r"'a1' appears twice in the batch \(items 1 and 3\)"):
        store.upsert_feedback("shop", [item("a1"), item("a2"), item("a1")])
    with pytest.raises(StoreError, match=r"feedback item 2 \(id 'a2'\): text contains a NUL"):
        store.upsert_feedback("shop", [item("a1"), item("a2", text="bad\x00text")])
    with pytest.raises(StoreError, match=r"feedback item 1: id is empty"):
        store.upsert_feedback("shop", [item("")])
    with pytest.raises(StoreError, match=r"attributes.when: a set cannot be stored"):
        store.upsert_feedback("shop", [item("a1", attributes={"when": {1}})])
    assert store.list_feedback("shop").total == 0


def test_json_fields_are_stored_as_plain_json(store: Store) -> None:
    attributes = {"nps": float("nan"), "tags": ("a", "b"), "on": datetime(2026, 1, 2, 3, 4)}
    store.upsert_feedback("shop", [item("a1", attributes=attributes)])
    stored = store.list_feedback("shop").items[0]["attributes"]
    assert stored == {"nps": None, "tags": ["a", "b"], "on": "2026-01-02T03:04:00"}
    again = store.upsert_feedback("shop", [item("a1", attributes=attributes)])
    assert again.unchanged == ["a1"]


def test_unicode_and_long_texts_are_stored_exactly(store: Store) -> None:
    texts = {
        "emoji": "Refund still not here 😡🙄👍🏽 👨‍👩‍👧 — called 3×",
        "rtl": "\u202bהמשלוח איחר\u202c and \u200fمرحبا\u200e mixed",
        "combining": "Cafe\u0301 \ufeff zero\u200bwidth \r\n tabs\tand\nlines",
        "long": ("Delivery took ages. " * 1000)[:20_000],
    }
    assert len(texts["long"]) == 20_000
    store.upsert_feedback("shop", [item(key, text=text) for key, text in texts.items()])
    stored = {entry["id"]: entry["text"] for entry in store.list_feedback("shop").items}
    assert stored == texts
    again = store.upsert_feedback("shop", [item(key, text=text) for key, text in texts.items()])
    assert again.unchanged == list(texts)
    records = {record.id: record.text for record in store.iter_feedback_records("shop")}
    assert records == texts


def test_timestamps_come_back_as_utc(store: Store) -> None:
    paris = timezone(timedelta(hours=2))
    store.upsert_feedback(
        "shop",
        [
            item("aware", created_at=datetime(2026, 7, 1, 12, 30, 15, 123456, tzinfo=paris)),
            item("naive", created_at=datetime(2026, 7, 1, 12, 30)),
            item("none", created_at=None),
        ],
    )
    stored = {entry["id"]: entry for entry in store.list_feedback("shop").items}
    assert stored["aware"]["created_at"] == "2026-07-01T10:30:15.123456+00:00"
    assert stored["naive"]["created_at"] == "2026-07-01T12:30:00+00:00"
    assert stored["none"]["created_at"] is None
    assert datetime.fromisoformat(stored["none"]["ingested_at"]).tzinfo is not None


# --- feedback: listing ----------------------------------------------------------------------


@pytest.fixture
def listed(store: Store) -> Store:
    """A store with a small varied journey "shop" and one item of another journey."""
    two_steps = [
        {"step": "checkout", "confidence": 0.8, "sentiment": "positive", "effort": "low"},
        {"step": "delivery", "confidence": 0.7, "sentiment": "negative", "effort": "high"},
    ]
    store.upsert_feedback(
        "shop",
        [
            item("d1"),
            item("c1", "checkout", sentiment="positive", effort="low", channel="app"),
            item("mix", "checkout", steps=two_steps, sentiment="neutral", effort="moderate"),
            item("late", created_at=DAY + timedelta(days=10), channel="email"),
            item("undated", "checkout", created_at=None, sentiment="positive", effort="none"),
            item("none", "unassigned", steps=[], sentiment=None, effort=None, channel=None),
        ],
    )
    store.upsert_feedback("bank", [item("d1"), item("b2")])
    return store


def test_step_filter_uses_mentions(listed: Store) -> None:
    assert all_ids(listed, step="delivery") == ["d1", "mix", "late"]
    assert all_ids(listed, step="checkout") == ["c1", "mix", "undated"]
    assert all_ids(listed, step="unassigned") == ["none"]
    assert all_ids(listed, step="payment") == []


def test_signal_filters(listed: Store) -> None:
    assert all_ids(listed, sentiment="negative") == ["d1", "late"]
    assert all_ids(listed, sentiment="neutral") == ["mix"]
    assert all_ids(listed, effort="low") == ["c1"]
    # with a step, the signals are that step's: "mix" is negative about delivery
    assert all_ids(listed, step="delivery", sentiment="negative") == ["d1", "mix", "late"]
    assert all_ids(listed, step="checkout", sentiment="positive") == ["c1", "mix", "undated"]
    assert all_ids(listed, step="checkout", effort="high") == []


def test_channel_and_date_filters(listed: Store) -> None:
    assert all_ids(listed, channel="app") == ["c1"]
    assert all_ids(listed, channel="email") == ["late"]
    everything = ["d1", "c1", "mix", "late", "none"]
    assert all_ids(listed, created_from=DAY) == everything
    assert all_ids(listed, created_to=DAY + timedelta(days=10)) == ["d1", "c1", "mix", "none"]
    assert all_ids(listed, created_from=DAY + timedelta(seconds=1)) == ["late"]
    naive = datetime(2026, 7, 11)  # taken as UTC
    assert all_ids(listed, created_from=naive, created_to=naive + timedelta(days=1)) == ["late"]
    assert all_ids(listed, channel="web", created_to=DAY + timedelta(days=1)) == ["d1", "mix"]


def test_listing_shape_and_journey_isolation(listed: Store) -> None:
    page = listed.list_feedback("shop", step="delivery", limit=2)
    assert page.total == 3
    assert [entry["id"] for entry in page.items] == ["d1", "mix"]
    first = page.items[0]
    assert set(first) == {
        "id",
        "text",
        "created_at",
        "channel",
        "attributes",
        "step",
        "step_confidence",
        "language",
        "steps",
        "sentiment",
        "sentiment_score",
        "effort",
        "effort_score",
        "model_versions",
        "ingested_at",
        "updated_at",
        "label",
    }
    assert first["attributes"] == {"nps": 3, "region": "north"}
    assert first["created_at"] == "2026-07-01T00:00:00+00:00"
    assert first["label"] is None
    assert all_ids(listed, "bank") == ["d1", "b2"]
    assert listed.list_feedback("nowhere").total == 0


def test_pagination_covers_every_item_once(store: Store) -> None:
    store.upsert_feedback(
        "shop", [item(f"i{n:02d}", channel=("web", "app")[n % 2]) for n in range(23)]
    )
    cases: list[tuple[dict[str, Any], int]] = [({}, 23), ({"channel": "app"}, 11)]
    for filters, expected in cases:
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            page = store.list_feedback("shop", limit=5, cursor=cursor, **filters)
            assert page.total == expected
            seen += [entry["id"] for entry in page.items]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == expected
        assert seen == sorted(seen)
        assert pages == -(-expected // 5)
    exact = store.list_feedback("shop", limit=23)
    assert len(exact.items) == 23 and exact.next_cursor is None


def test_malformed_cursor(store: Store) -> None:
    store.upsert_feedback("shop", [item("a1")])
    bad = ["", "not a cursor", "!!!!", "YWZ0ZXI6", "YWZ0ZXI6LTE", "MTIz", "x" * 200, "YWZ0ZXI6MA"]
    for cursor in bad:
        with pytest.raises(InvalidCursor, match=r"cursor .* is not one this service handed out"):
            store.list_feedback("shop", cursor=cursor)


def test_limit_is_checked(store: Store) -> None:
    for limit in (0, -1, 1001):
        with pytest.raises(StoreError, match="limit must be a whole number"):
            store.list_feedback("shop", limit=limit)


# --- feedback: records for reports ----------------------------------------------------------


def test_records_have_the_tag_shape(listed: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "STREAM_BATCH", 2)  # several batches
    records = list(listed.iter_feedback_records("shop"))
    assert [record.id for record in records] == ["d1", "c1", "mix", "late", "undated", "none"]
    assert list(records[0].to_row()) == [
        "id",
        "text",
        "created_at",
        "channel",
        "nps",
        "region",
        "step",
        "step_confidence",
        "language",
        "steps",
        "sentiment",
        "sentiment_score",
        "effort",
        "effort_score",
    ]
    assert records[0].get("created_at") == "2026-07-01T00:00:00+00:00"
    assert records[2].steps[1].step == "delivery"
    ranged = listed.iter_feedback_records("shop", created_from=DAY + timedelta(days=1))
    assert [record.id for record in ranged] == ["late"]


# --- labels ---------------------------------------------------------------------------------


def test_labels_and_training_examples(listed: Store) -> None:
    with pytest.raises(NotFound, match="journey 'shop' has no feedback with id 'zz'"):
        listed.add_label("shop", "zz", "delivery")
    with pytest.raises(NotFound):
        listed.add_label("bank", "c1", "delivery")
    assert listed.training_examples("shop") == []
    listed.add_label("shop", "mix", "checkout", author="ana")
    listed.add_label("shop", "d1", "payment")
    listed.add_label("shop", "mix", "delivery")  # the latest label counts
    listed.add_label("bank", "d1", "checkout")
    assert listed.training_examples("shop") == [
        ("text of d1", "payment"),
        ("text of mix", "delivery"),
    ]
    assert listed.training_examples("bank") == [("text of d1", "checkout")]
    labels = {entry["id"]: entry["label"] for entry in listed.list_feedback("shop").items}
    assert labels == {
        "d1": "payment",
        "c1": None,
        "mix": "delivery",
        "late": None,
        "undated": None,
        "none": None,
    }


# --- metrics --------------------------------------------------------------------------------


def metrics_row(step: str, period: str | None = "2026-W31", **extra: Any) -> dict[str, Any]:
    """A metrics row with web-channel group and a time value."""
    row: dict[str, Any] = {
        "step": step,
        "period": period,
        "entered": 1000,
        "completed": 900,
        "groups": {"channel": "web"},
        "values": {"median_time_s": 42.5, "support_contacts": 7},
    }
    row.update(extra)
    return row


def test_metrics_replace_and_round_trip(store: Store) -> None:
    rows = [
        metrics_row("checkout"),
        metrics_row("checkout", groups={"channel": "app"}, entered=5_000_000_000),
        metrics_row("delivery", period=None, groups={}, values={}),
    ]
    assert store.put_metrics("shop", rows) == 3
    assert store.put_metrics("bank", [metrics_row("login")]) == 1
    assert store.metrics_rows("shop") == [
        {
            "step": "checkout",
            "period": "2026-W31",
            "entered": 1000,
            "completed": 900,
            "channel": "web",
            "median_time_s": 42.5,
            "support_contacts": 7,
        },
        {
            "step": "checkout",
            "period": "2026-W31",
            "entered": 5_000_000_000,
            "completed": 900,
            "channel": "app",
            "median_time_s": 42.5,
            "support_contacts": 7,
        },
        {"step": "delivery", "entered": 1000, "completed": 900},
    ]
    assert store.put_metrics("shop", [metrics_row("payment", period="2026-W32")]) == 1
    assert [row["step"] for row in store.metrics_rows("shop")] == ["payment"]
    assert [row["step"] for row in store.metrics_rows("bank")] == ["login"]
    assert store.put_metrics("shop", []) == 0
    assert store.metrics_rows("shop") == []


def test_bad_metrics_leave_the_stored_rows(store: Store) -> None:
    store.put_metrics("shop", [metrics_row("checkout")])
    with pytest.raises(StoreError, match=r"metrics row 3 repeats row 1: step 'a', period None"):
        store.put_metrics(
            "shop", [metrics_row("a", None), metrics_row("b"), metrics_row("a", None)]
        )
    with pytest.raises(StoreError, match=r"metrics row 1: entered must be a whole number"):
        store.put_metrics("shop", [metrics_row("a", entered="12")])
    with pytest.raises(StoreError, match=r"metrics row 1: columns \['step'\] appear twice"):
        store.put_metrics("shop", [metrics_row("a", groups={"step": "x"})])
    with pytest.raises(StoreError, match=r"metrics row 1: unknown keys \['colour'\]"):
        store.put_metrics("shop", [metrics_row("a", colour="red")])
    assert [row["step"] for row in store.metrics_rows("shop")] == ["checkout"]


# --- connecting -----------------------------------------------------------------------------


def test_default_is_a_wal_sqlite_file_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = Store.connect(None)
    try:
        store.migrate()
        assert (tmp_path / "steplens.db").is_file()
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert store.describe() == f"SQLite {tmp_path / 'steplens.db'}"
    finally:
        store.close()


def test_bad_urls_are_store_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is not a valid URL"):
        Store.connect("not a url")
    with pytest.raises(StoreError, match="'mysql' is not supported"):
        Store.connect("mysql://user:secret@localhost/db")
    with pytest.raises(StoreError, match="does not exist"):
        Store.connect(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")


def test_a_database_that_is_down_is_unavailable() -> None:
    store = Store.connect("postgresql://postgres:secret@127.0.0.1:1/steplens?connect_timeout=2")
    try:
        assert store.engine.url.drivername == "postgresql+psycopg"
        assert store.ping() is False
        with pytest.raises(
            StoreUnavailable,
            match=r"127\.0\.0\.1:1/steplens\?connect_timeout=2 is unavailable: connection",
        ) as info:
            store.list_journeys()
        assert "secret" not in str(info.value)
        with pytest.raises(StoreUnavailable):
            store.migrate()
        with pytest.raises(StoreUnavailable):
            store.upsert_feedback("shop", [item("a1")])
    finally:
        store.close()


def test_rows_stored_before_languages_read_as_english(tmp_path: Path) -> None:
    """A database at the first schema, with a stored comment, upgrades to the language column."""
    from alembic import command

    from steplens.api.db.engine import alembic_config

    old = Store.connect(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(old.engine.url)
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            sa.text(
                "INSERT INTO feedback (journey, external_id, text, attributes, step, "
                "step_confidence, steps, model_versions, ingested_at, updated_at) VALUES "
                "('shop', 'a', 'late parcel', '{}', 'delivery', 0.9, '[]', '{}', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    old.migrate()
    assert old.schema_revision() == "0002"
    (record,) = list(old.iter_feedback_records("shop"))
    assert record.language == "en" and record.step == "delivery"
    old.close()
