"""The service's database layer: SQLAlchemy models, Alembic migrations and ``Store``.

Import ``steplens.api.db.store`` for the store; this package imports nothing itself, so importing
the service does not pull SQLAlchemy in before it is needed.
"""

from __future__ import annotations
