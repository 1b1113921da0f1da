"""Faults: the database goes away mid-run and comes back; nothing answered 2xx is lost.

PostgreSQL is reached through a small TCP proxy that the test can cut (every connection is
dropped and new ones are refused, as when the server stops) and restore. The service must say so
on ``/readyz``, answer writes with 503 and ``Retry-After``, keep classifying, keep everything it
had acknowledged, and recover by itself when the database is back.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from steplens.api.app import create_app
from steplens.api.db.models import Base
from steplens.api.settings import Settings


class CuttableProxy:
    """Forwards TCP connections from a local port to ``target``; ``cut()`` and ``restore()``."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        """Accept connections again (on the same port)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and drop every open one."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            for sock in list(self._sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxied_url(postgres_url: str) -> Iterator[tuple[str, CuttableProxy]]:
    """The session's PostgreSQL database, emptied, reached through a cuttable proxy."""
    engine = sa.create_engine(postgres_url, poolclass=sa.NullPool)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    url = sa.make_url(postgres_url)
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    try:
        yield url.set(host="127.0.0.1", port=proxy.port).render_as_string(False), proxy
    finally:
        proxy.cut()


def items(prefix: str, n: int) -> list[dict[str, Any]]:
    """``n`` feedback items with ids ``prefix0``..."""
    texts = ["Checkout kept failing, tried three times", "The parcel came a week late"]
    return [{"id": f"{prefix}{i}", "text": texts[i % 2]} for i in range(n)]


def stored_ids(postgres_url: str) -> set[str]:
    """Feedback ids in the database, read directly (not through the service)."""
    engine = sa.create_engine(postgres_url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT external_id FROM feedback")).scalars().all()
    engine.dispose()
    return set(rows)


def test_database_goes_away_and_comes_back(
    proxied_url: tuple[str, CuttableProxy], postgres_url: str, encoder: Any
) -> None:
    url, proxy = proxied_url
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.get("/readyz").status_code == 200
        before = client.post("/v1/feedback", json={"items": items("a", 6)})
        assert before.status_code == 200, before.text

        proxy.cut()
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "database" in str(ready.json()["problems"])
        assert ready.headers["Retry-After"]
        write = client.post("/v1/feedback", json={"items": items("b", 4)})
        assert write.status_code == 503, write.text
        assert write.headers["Retry-After"] and "unavailable" in write.json()["detail"]
        assert client.get("/v1/feedback").status_code == 503
        assert client.put("/v1/journeys/x", json={"steps": []}).status_code in (422, 503)
        # Classification needs no database: support tools keep working.
        classified = client.post("/v1/classify", json={"text": "checkout failed twice"})
        assert classified.status_code == 200

        proxy.restore()
        deadline = time.monotonic() + 20
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the service did not recover by itself"
            time.sleep(0.2)
        after = client.post("/v1/feedback", json={"items": items("b", 4)})
        assert after.status_code == 200, after.text
        assert len(after.json()["inserted"]) == 4  # the refused write was not half-stored
        listed = client.get("/v1/feedback", params={"limit": 100}).json()
        assert listed["total"] == 10
    # Everything acknowledged with a 2xx is durably in the database.
    assert stored_ids(postgres_url) == {f"a{i}" for i in range(6)} | {f"b{i}" for i in range(4)}


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_serve_refuses_to_start_without_a_working_signals_model(damage: str, tmp_path: Any) -> None:
    import os
    import shutil
    import subprocess
    import sys

    from steplens.pipeline.signals import signals_model_dir

    models = tmp_path / "models"
    models.mkdir()
    if damage == "corrupt":
        shutil.copytree(signals_model_dir(), models / "signals")
        (models / "signals" / "encoder.safetensors").write_bytes(b"\x00" * 64)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from steplens.cli.main import main; main()",
            "serve",
            "--port",
            "1",
        ],
        env={**os.environ, "STEPLENS_MODELS_DIR": str(models)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: signals model")
    assert "python -m steplens.training.signals" in result.stderr
