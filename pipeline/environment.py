"""The ``STEPLENS_*`` environment variables the library reads, validated in one place.

The service's settings (:class:`steplens.api.settings.Settings`) extend these, so the service
checks them at start-up and a variable means the same to ``steplens tag``, a notebook and the
service. The library reads them from the environment on each call, not once (a notebook or a
test may change the environment between calls), and checks a folder only when it is used: a
stale ``STEPLENS_MODELS_DIR`` does not stop a run that reads no model.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from steplens.pipeline.errors import SteplensError

CACHE_OFF = ("off", "0", "false", "no", "none")
"""Values of ``STEPLENS_CACHE_DIR`` that turn the embedding cache off."""


class LibrarySettings(BaseSettings):
    """Where the library finds its data and models, and where it caches embeddings."""

    model_config = SettingsConfigDict(env_prefix="STEPLENS_", extra="ignore")

    data_dir: Path | None = Field(
        default=None,
        description="A folder with journeys/, samples/ and calibration/ used instead of the "
        "bundled data.",
    )
    models_dir: Path | None = Field(
        default=None, description="A folder of trained models used instead of the shipped ones."
    )
    cache_dir: str | None = Field(
        default=None,
        description="Where cached embeddings go ('off' turns the cache off); unset: "
        "$XDG_CACHE_HOME/steplens, else ~/.cache/steplens.",
    )

    @field_validator("data_dir", "models_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def cache_off(self) -> bool:
        """``STEPLENS_CACHE_DIR`` says not to cache (``off``, or empty)."""
        return self.cache_dir is not None and (
            not self.cache_dir.strip() or self.cache_dir.strip().lower() in CACHE_OFF
        )


def library_settings() -> LibrarySettings:
    """The library's settings as the environment gives them now; a bad value is a clean error
    that names the variable."""
    try:
        return LibrarySettings()
    except ValidationError as exc:
        problems = "; ".join(
            f"STEPLENS_{str(error['loc'][0]).upper()}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise SteplensError(f"environment: {problems}") from None
