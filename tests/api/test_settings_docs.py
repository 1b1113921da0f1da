"""Every service setting is documented in docs/service.md under its environment variable."""

from __future__ import annotations

from pathlib import Path

from steplens.api.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "service.md"


def test_every_setting_is_in_the_settings_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [
        f"STEPLENS_{name.upper()}"
        for name in Settings.model_fields
        if f"`STEPLENS_{name.upper()}`" not in text
    ]
    assert not missing, f"undocumented settings in docs/service.md: {missing}"


def test_the_service_and_the_cli_take_the_same_precisions() -> None:
    from typing import get_args

    from steplens.pipeline.minilm import PRECISION_CHOICES

    assert get_args(Settings.model_fields["precision"].annotation) == PRECISION_CHOICES
