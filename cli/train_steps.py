"""`steplens train-steps`: train a step classifier from labelled examples."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from cli.options import encoding_option, input_argument, journey_option, text_column_option
from cli.output import console, is_quiet

logger = logging.getLogger("cli")


@click.command("train-steps")
@input_argument
@journey_option
@text_column_option
@click.option(
    "--label-column",
    default="step",
    show_default=True,
    help="Column with the step id of each example ('unassigned' for texts about no step).",
)
@encoding_option
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed for splits.")
@click.option(
    "--out",
    "output_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the model to (created if missing).",
)
def train_steps_command(
    input_path: Path,
    journey: str,
    text_column: str,
    label_column: str,
    encoding: str,
    seed: int,
    output_dir: Path,
) -> None:
    """Train a step classifier from EXAMPLES (rows of text and step id).

    A text listed with several labels is a multi-label example. Works from 5 examples per step
    up to tens of thousands; the regularisation, calibration and the `unassigned` threshold
    are chosen on held-out training data. The model directory is self-contained (JSON config,
    safetensors weights, the journey and a model card) and is used with `tag --model DIR`.
    """
    from pipeline.encoder import load_encoder
    from pipeline.journey import load_journey
    from pipeline.steps.trained import read_examples, train_step_classifier

    loaded = load_journey(journey)
    texts, labels = read_examples(
        input_path, text_column=text_column, label_column=label_column, encoding=encoding
    )
    encoder = load_encoder()
    classifier, report = train_step_classifier(
        loaded, texts, labels, encoder, seed=seed, on_progress=logger.info
    )
    classifier.save(output_dir, report)
    if is_quiet():
        return
    out = console()
    out.print(
        f"trained a {'multi-label' if report.multi_label else 'softmax'} step classifier on "
        f"{report.texts} texts for journey {loaded.name!r}"
    )
    for name, value in report.held_out.items():
        out.print(f"  held-out {name}: {value:.4f}")
    out.print(f"  unassigned threshold: {report.threshold}")
    out.print(f"wrote {output_dir}")
