"""The store's database engine: SQLite (a file, WAL, a busy timeout) or PostgreSQL, and the
Alembic configuration its migrations run with."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Engine

from steplens.api.db.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_SQLITE_FILE = "steplens.db"
"""The SQLite file ``Store.connect(None)`` opens, in the current working directory."""
SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another one before the store reports it unavailable."""
POSTGRES_CONNECT_TIMEOUT_S = 10
"""How long a PostgreSQL connection attempt may take (unless the URL sets connect_timeout)."""
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_store_engine(url: str | None) -> Engine:
    """An engine for ``Store``: SQLite (default file, WAL, busy timeout) or PostgreSQL."""
    if url is None:
        url = f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError:
        raise StoreError(f"database URL {url!r} is not a valid URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend in ("postgresql", "postgres"):
        return _postgres_engine(parsed)
    raise StoreError(
        f"database URL {parsed.render_as_string(hide_password=True)!r}: {backend!r} is not "
        "supported; use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
    )


def _sqlite_engine(url: URL) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if not memory:
        folder = Path(str(url.database)).expanduser().resolve().parent
        if not folder.is_dir():
            raise StoreError(f"database URL {url}: folder {folder} does not exist")
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False},
        poolclass=sa.pool.StaticPool if memory else None,
    )

    @sa.event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return engine


def _postgres_engine(url: URL) -> Engine:
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def alembic_config(url: URL) -> Config:
    """An Alembic ``Config`` for the steplens migrations, built in code (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    rendered = url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config
