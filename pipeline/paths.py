"""Where steplens finds its bundled data (journeys, samples, calibration) and trained models.

In a checkout (an editable install, ``make install``) they are ``data/`` and ``models/`` beside
the packages. An installed wheel carries the ones steplens needs at run time as
``steplens/_bundled/data`` and ``steplens/_bundled/models`` (pyproject.toml), so a wheel
installed anywhere tags with the bundled journeys and the shipped models and needs no
environment variable. ``STEPLENS_DATA_DIR`` and ``STEPLENS_MODELS_DIR`` point elsewhere, e.g. in
a container that copies only what it needs.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The folder that holds ``pipeline/``: the repository root in a checkout (``steplens/``
    links to the top-level folders, and the link is resolved), the installed ``steplens``
    package in a wheel."""
    return Path(__file__).resolve().parent.parent


def in_checkout() -> bool:
    """Whether the code runs from a checkout (its pyproject.toml beside the packages)."""
    root = project_root()
    return (root / "pyproject.toml").is_file() and (root / "data").is_dir()


def _bundled(name: str) -> Path:
    """``steplens/_bundled/<name>`` of an installed wheel."""
    return project_root() / "_bundled" / name


def data_dir() -> Path:
    """The bundled data folder (``STEPLENS_DATA_DIR`` overrides it)."""
    override = os.environ.get("STEPLENS_DATA_DIR")
    if override:
        return Path(override)
    return project_root() / "data" if in_checkout() else _bundled("data")


def journeys_dir() -> Path:
    """Folder of the bundled journey YAML files."""
    return data_dir() / "journeys"


def samples_dir() -> Path:
    """Folder of the bundled demo data."""
    return data_dir() / "samples"


def models_dir() -> Path:
    """Folder of the trained artifacts shipped with steplens (``STEPLENS_MODELS_DIR`` overrides)."""
    override = os.environ.get("STEPLENS_MODELS_DIR")
    if override:
        return Path(override)
    return project_root() / "models" if in_checkout() else _bundled("models")
