"""Writing safetensors weight files with the permissions of any other file the user writes.

safetensors writes through a private temporary file, so its output is readable by its owner
only (mode 0600) whatever the umask; a model directory shared with a team or copied into a
container image then fails to load for other users. Every weight file goes through here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def save_weights(tensors: Mapping[str, Any], path: str | Path) -> Path:
    """Save numpy arrays or torch tensors (by the first value's type) to ``path``, mode 0666
    less the umask, as ``open()`` would create it."""
    target = Path(path)
    first = next(iter(tensors.values()), None)
    if first is not None and type(first).__module__.startswith("torch"):
        from safetensors.torch import save_file as save_torch

        save_torch(dict(tensors), str(target))
    else:
        from safetensors.numpy import save_file as save_numpy

        save_numpy(dict(tensors), str(target))
    os.chmod(target, 0o666 & ~_umask())
    return target


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
