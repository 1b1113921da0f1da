"""Keep Hugging Face libraries off the network: steplens loads models only from local folders."""

from __future__ import annotations

import os

OFFLINE_VARIABLES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def ensure_offline() -> None:
    """Set the offline switches (unless the user set them) before transformers is imported.

    Called by every loader right before its lazy import of transformers or sentence-transformers,
    so no code path can reach a model hub.
    """
    for name, value in OFFLINE_VARIABLES.items():
        os.environ.setdefault(name, value)
