"""Fixtures for the database layer: a migrated ``Store`` on SQLite and on PostgreSQL.

The PostgreSQL stores live in one fresh database made for the test session on the server named
by ``STEPLENS_TEST_POSTGRES_URL`` (the admin database it connects to first), migrated once,
emptied before each test and dropped at the end.
When no server answers there, the PostgreSQL cases are skipped and say why.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from steplens.api.app import create_app
from steplens.api.db.models import Base
from steplens.api.db.store import Store
from steplens.api.settings import Settings

POSTGRES_ENV = "STEPLENS_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> sa.URL:
    """The admin database URL (env override or the local default)."""
    return sa.make_url(os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES_URL))


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    """An autocommit engine on the admin database (skips when no server answers)."""
    url = postgres_admin_url()
    engine = sa.create_engine(
        url,
        isolation_level="AUTOCOMMIT",
        poolclass=sa.NullPool,
        connect_args={"connect_timeout": 3},
    )
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        shown = url.render_as_string(hide_password=True)
        pytest.skip(f"no PostgreSQL server answers at {shown} (set {POSTGRES_ENV}): {exc.orig}")
    yield engine
    engine.dispose()


def _sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.connect(f"sqlite:///{tmp_path / 'steplens.db'}")
    store.migrate()
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgres_url(postgres_admin: sa.Engine) -> Iterator[str]:
    """A fresh, migrated database for this test session, dropped at its end."""
    name = f"steplens_test_{secrets.token_hex(6)}"
    with postgres_admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = postgres_admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        store = Store.connect(url)
        store.migrate()
        store.close()
        yield url
    finally:
        with postgres_admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _postgres_store(url: str) -> Iterator[Store]:
    """A store on the session's database, emptied first (creating one per test is slow)."""
    store = Store.connect(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with store.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A freshly migrated, empty store on each backend."""
    if request.param == "sqlite":
        yield from _sqlite_store(tmp_path)
    else:
        yield from _postgres_store(request.getfixturevalue("postgres_url"))


def make_client(tmp: Path, **overrides: Any) -> TestClient:
    """A test client for the app on a SQLite file in ``tmp``, with settings ``overrides``."""
    settings = Settings(database_url=f"sqlite:///{tmp / 'steplens.db'}", **overrides)
    return TestClient(create_app(settings))
