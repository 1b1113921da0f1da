"""The library's STEPLENS_* variables: read in one place, checked, and shared with the service."""

from __future__ import annotations

from pathlib import Path

import pytest

from steplens.pipeline.environment import LibrarySettings, library_settings
from steplens.pipeline.errors import SteplensError


def test_folders_and_cache_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steplens.pipeline.embedding_cache import cache_dir
    from steplens.pipeline.paths import data_dir, models_dir

    monkeypatch.setenv("STEPLENS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("STEPLENS_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("STEPLENS_CACHE_DIR", str(tmp_path / "cache"))
    assert data_dir() == tmp_path and models_dir() == tmp_path
    assert cache_dir() == tmp_path / "cache"
    monkeypatch.setenv("STEPLENS_CACHE_DIR", "off")
    assert cache_dir() is None
    monkeypatch.setenv("STEPLENS_DATA_DIR", "")  # empty: as if unset
    assert library_settings().data_dir is None


def test_a_folder_that_does_not_exist_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steplens.pipeline.paths import journeys_dir

    monkeypatch.setenv("STEPLENS_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(SteplensError, match=r"STEPLENS_DATA_DIR: .*missing is not a folder"):
        journeys_dir()


def test_the_service_settings_extend_the_library_settings() -> None:
    from steplens.api.settings import Settings

    assert issubclass(Settings, LibrarySettings)
    assert set(LibrarySettings.model_fields) <= set(Settings.model_fields)
