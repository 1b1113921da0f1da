"""steplens' HTTP service (FastAPI): thin routes over ``pipeline``; built by ``create_app()``."""

from __future__ import annotations
