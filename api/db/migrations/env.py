"""Alembic environment of the service's database, driven from code by ``steplens.api.db.engine``.

``Store.migrate`` passes its own open connection in ``config.attributes["connection"]`` so the
migrations run with the engine's settings (SQLite pragmas, pool); without one (the ``alembic``
command line) an engine is made from ``sqlalchemy.url``. SQLite runs in batch mode, since it
cannot ALTER most things in place. On PostgreSQL a transaction-scoped advisory lock makes
service processes that start together migrate one after the other instead of racing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

from steplens.api.db.models import Base

MIGRATION_LOCK_ID = 0x5_7E9_1E45
"""The PostgreSQL advisory lock key held while migrating (any constant unique to steplens)."""


def run_with(connection: Connection) -> None:
    """Run the pending migrations on an open connection."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_ID}
            )
        context.run_migrations()


def run_online() -> None:
    """Migrate over the caller's connection, or over a fresh engine from ``sqlalchemy.url``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("alembic: set sqlalchemy.url or pass a connection in config.attributes")
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as fresh:
            run_with(fresh)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("steplens migrations run online only (Store.migrate)")
run_online()
