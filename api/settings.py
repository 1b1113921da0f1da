"""Service settings: one validated place, from ``STEPLENS_*`` environment variables.

Read through the cached ``get_settings()`` (FastAPI's recommended pattern), so tests can build
their own ``Settings`` and hand them to ``create_app(settings)`` instead.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from steplens.pipeline.environment import LibrarySettings

HASH_PREFIX = "sha256:"


class Settings(LibrarySettings):
    """Everything the service can be told; every default is the safe one. The library's own
    variables (data, models and cache folders) come with it."""

    model_config = SettingsConfigDict(env_prefix="STEPLENS_", extra="ignore")

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; unset: a SQLite file steplens.db here."
    )
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated API keys, each plain or as sha256:<hex of the key>.",
    )
    rate_limit: int = Field(
        default=600, ge=0, description="Requests per minute per key (0: no limit)."
    )
    default_journey: str = Field(default="ecommerce", description="Journey when none is named.")
    max_batch: int = Field(default=256, ge=1, description="Most texts in one request.")
    max_text_chars: int = Field(default=10_000, ge=1, description="Longest text accepted.")
    max_body_bytes: int = Field(
        default=4_000_000, ge=1_024, description="Largest request body, in bytes (413 above)."
    )
    batch_window_ms: float = Field(
        default=8.0,
        ge=0,
        description="How long the micro-batcher waits to fill a batch while calls overlap.",
    )
    batch_max_texts: int = Field(
        default=128, ge=1, description="Most texts one shared forward pass takes."
    )
    queue_max_texts: int = Field(
        default=2048,
        ge=1,
        description="Most texts waiting for the model; beyond it calls get 503 + Retry-After.",
    )
    queue_max_wait_s: float = Field(
        default=5.0,
        gt=0,
        description="Longest estimated wait a call may join; beyond it 503 + Retry-After.",
    )
    long_text_chars: int = Field(
        default=2000,
        ge=0,
        description="Texts longer than this are tagged in a second lane (its own worker thread), "
        "so a long text never holds up short requests; 0: one lane for all.",
    )
    step_models: Annotated[dict[str, Path], NoDecode] = Field(
        default_factory=dict,
        description="Registered step models, name=path pairs separated by commas.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed by CORS (comma-separated); none: off."
    )
    log_texts: bool = Field(default=False, description="Log comment texts (off: never).")
    signals: bool = Field(default=True, description="Score sentiment and effort.")
    redact: bool = Field(
        default=True,
        description="Redact PII (emails, phones, cards, IBANs, secret URLs, addresses, names) "
        "before texts are stored or returned (the models read them as sent).",
    )
    workers: int = Field(
        default=1,
        ge=1,
        description="Worker processes serving together (steplens serve --workers sets it).",
    )
    torch_threads: int = Field(
        default=0,
        ge=0,
        description="PyTorch threads per worker process; 0: the CPU cores shared out "
        "among the workers.",
    )
    precision: Literal["auto", "fp32", "bf16"] = Field(
        default="auto",
        description="Encoder arithmetic: auto is bf16 on CPUs with native bf16, else fp32.",
    )

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("step_models", mode="before")
    @classmethod
    def _split_models(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        models: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in value.split(","))):
            name, sep, path = part.partition("=")
            if not sep or not name.strip() or not path.strip():
                raise ValueError(f"{part!r} is not name=path")
            models[name.strip()] = path.strip()
        return models

    @field_validator("api_keys")
    @classmethod
    def _check_hashes(cls, keys: list[str]) -> list[str]:
        for key in keys:
            if key.startswith(HASH_PREFIX):
                digest = key[len(HASH_PREFIX) :]
                if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
                    raise ValueError("a sha256: key must be followed by 64 hex digits")
        return keys

    def key_digests(self) -> list[bytes]:
        """SHA-256 digests of the accepted keys (plain keys are hashed here, once)."""
        return [
            bytes.fromhex(key[len(HASH_PREFIX) :])
            if key.startswith(HASH_PREFIX)
            else hashlib.sha256(key.encode()).digest()
            for key in self.api_keys
        ]


def key_matches(candidate: str, digests: list[bytes]) -> bool:
    """Whether ``candidate`` is one of the keys, compared in constant time against every key."""
    digest = hashlib.sha256(candidate.encode("utf-8", "surrogatepass")).digest()
    found = False
    for known in digests:
        found |= hmac.compare_digest(digest, known)
    return found


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
