"""Where steplens finds its bundled data (journeys, samples) and trained models.

The repository layout puts ``data/`` and ``models/`` beside the packages; an editable install
(``make install``) finds them there. ``STEPLENS_DATA_DIR`` and ``STEPLENS_MODELS_DIR`` point
elsewhere, e.g. in a container that copies only what it needs.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The repository root: the folder that holds ``pipeline/``."""
    return Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The bundled data folder (``STEPLENS_DATA_DIR`` overrides it)."""
    override = os.environ.get("STEPLENS_DATA_DIR")
    return Path(override) if override else project_root() / "data"


def journeys_dir() -> Path:
    """Folder of the bundled journey YAML files."""
    return data_dir() / "journeys"


def samples_dir() -> Path:
    """Folder of the bundled demo data."""
    return data_dir() / "samples"


def models_dir() -> Path:
    """Folder of the trained artifacts shipped with steplens (``STEPLENS_MODELS_DIR`` overrides)."""
    override = os.environ.get("STEPLENS_MODELS_DIR")
    return Path(override) if override else project_root() / "models"
