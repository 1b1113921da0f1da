"""The training command line: the bare command is the shipped recipe, and every flag lands."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from steplens.pipeline.paths import models_dir
from steplens.training.signals import parse_args
from steplens.training.signals_settings import EARLIER_RECIPE, SignalsSettings


def test_the_bare_command_trains_the_shipped_recipe_into_models() -> None:
    settings, out = parse_args([])
    assert settings == SignalsSettings()
    shipped = json.loads((models_dir() / "signals" / "config.json").read_text(encoding="utf-8"))
    saved = shipped["info"]["settings"]
    # Settings added after the shipped model was trained are at their "off" defaults.
    assert {k: v for k, v in asdict(settings).items() if k in saved} == saved
    later = {k: v for k, v in asdict(settings).items() if k not in saved}
    assert later == {k: getattr(SignalsSettings(), k) for k in later}
    assert settings.real_text and settings.model_view and settings.effort_rounds == 4
    assert out == models_dir() / "signals"


def test_every_flag_reaches_the_settings(tmp_path: Path) -> None:
    settings, out = parse_args(
        [
            "--out", str(tmp_path), "--epochs", "2", "--tuned-layers", "3", "--seed", "4",
            "--split-seed", "5", "--sst2-sample", "600", "--sst2-min-words", "7",
            "--sst2-fresh-per-epoch", "--tweeteval-repeats", "8", "--no-aspects",
            "--no-real-text", "--no-model-view", "--augment-share", "0.5", "--effort-rounds", "2",
            "--no-calibrate-effort", "--aspect-repeats", "3", "--tweet-neutral-sample", "900",
        ]
    )  # fmt: skip
    assert out == tmp_path
    assert settings == SignalsSettings(
        epochs=2,
        tuned_layers=3,
        seed=4,
        split_seed=5,
        sst2_sample=600,
        sst2_min_words=7,
        sst2_fresh_per_epoch=True,
        tweeteval_repeats=8,
        condition_on_aspects=False,
        real_text=False,
        model_view=False,
        augment_share=0.5,
        effort_rounds=2,
        calibrate_effort=False,
        aspect_repeats=3,
        tweet_neutral_sample=900,
    )


def test_the_model_cards_flags_reproduce_the_run(tmp_path: Path) -> None:
    import shlex

    from steplens.training.signals import recipe_flags

    assert recipe_flags(asdict(SignalsSettings())) == ""
    earlier = SignalsSettings(**{**EARLIER_RECIPE, "epochs": 3})
    flags = recipe_flags(asdict(earlier))
    assert "--no-real-text" in flags and "--aspect-repeats 1" in flags
    settings, _ = parse_args(["--out", str(tmp_path), *shlex.split(flags)])
    assert settings == earlier


def test_counts_below_one_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for flags in (["--aspect-repeats", "0"], ["--tweet-neutral-sample", "-1"]):
        with pytest.raises(SystemExit):
            parse_args(flags)
        assert flags[0] in capsys.readouterr().err
