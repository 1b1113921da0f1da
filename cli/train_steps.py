"""`steplens train-steps`: train a step classifier from labelled examples."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from steplens.cli.options import encoding_option, journey_option, text_column_option
from steplens.cli.output import console, is_quiet, progress_note
from steplens.pipeline.errors import SteplensError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from steplens.api.db.store import Store
    from steplens.pipeline.journey import Journey


@click.command("train-steps")
@click.argument(
    "input_path",
    metavar="[EXAMPLES]",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@journey_option
@text_column_option
@click.option(
    "--label-column",
    default="step",
    show_default=True,
    help="Column with the step id of each example ('unassigned' for texts about no step).",
)
@encoding_option
@click.option(
    "--fine-tune",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Fine-tune the encoder's top layers: 'auto' keeps it only when it beats the frozen "
    "encoder on held-out training data.",
)
@click.option(
    "--tuned-layers",
    type=click.IntRange(1, 6),
    default=2,
    show_default=True,
    help="How many top encoder layers fine-tuning adapts (the rest stay shared).",
)
@click.option(
    "--epochs", type=click.IntRange(1, 50), default=3, show_default=True, help="Fine-tuning epochs."
)
@click.option(
    "--max-minutes",
    type=click.FloatRange(min=0.1),
    default=None,
    help="CPU time budget per fine-tuning run; stops after the last epoch that fits.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "--background/--no-background",
    default=True,
    show_default=True,
    help="Add 1,000 random real tweets and chit-chat as 'unassigned' examples, so the model "
    "says unassigned to other topics; turn off when steps are themselves chit-chat.",
)
@click.option(
    "--from-db",
    is_flag=True,
    help="Train on the corrections stored through the service (POST /v1/feedback/{id}/label) "
    "in STEPLENS_DATABASE_URL's database, instead of EXAMPLES.",
)
@click.option(
    "--adapt",
    is_flag=True,
    help="Self-training, no labels needed: EXAMPLES (or, with --from-db, all the feedback the "
    "service stored for the journey) is the feedback to adapt the zero-shot steps to; rows "
    "with a label (or stored corrections) are trained on as given.",
)
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
    fine_tune: str,
    tuned_layers: int,
    epochs: int,
    max_minutes: float | None,
    seed: int,
    background: bool,
    from_db: bool,
    adapt: bool,
    output_dir: Path,
) -> None:
    """Train a step classifier from EXAMPLES (rows of text and step id) or --from-db.

    A text listed with several labels is a multi-label example. Works from 5 examples per step
    up to tens of thousands; the regularisation, calibration and the `unassigned` threshold
    are chosen on held-out training data, and so is whether fine-tuning the encoder's top layers
    pays. The model directory is self-contained (JSON config, safetensors weights, the journey
    and a model card) and is used with `tag --model DIR`.
    """
    from steplens.pipeline.encoder import load_encoder
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.steps.head_training import read_examples
    from steplens.training.step_encoder import FineTuneSettings
    from steplens.training.steps import train_steps

    loaded = load_journey(journey)
    if from_db == (input_path is not None):
        raise click.UsageError("give EXAMPLES or --from-db, not both and not neither")
    if adapt:
        context = click.get_current_context()
        explicit = [
            f"--{name.replace('_', '-')}"
            for name in ("fine_tune", "tuned_layers", "epochs", "max_minutes")
            if context.get_parameter_source(name) is not ParameterSource.DEFAULT
        ]
        if explicit:
            raise click.UsageError(
                f"--adapt fits a head on the frozen encoder; {', '.join(explicit)} cannot be "
                "used with it"
            )
        label_given = context.get_parameter_source("label_column") is not ParameterSource.DEFAULT
        _adapt(
            loaded,
            input_path,
            text_column=text_column,
            label_column=label_column,
            require_labels=label_given,
            encoding=encoding,
            seed=seed,
            background=background,
            output_dir=output_dir,
        )
        return
    if input_path is not None:
        texts, labels = read_examples(
            input_path, text_column=text_column, label_column=label_column, encoding=encoding
        )
    else:
        texts, labels = stored_examples(loaded.name)
    encoder = load_encoder()
    settings = FineTuneSettings(
        tuned_layers=tuned_layers,
        epochs=epochs,
        seed=seed,
        time_budget_s=None if max_minutes is None else max_minutes * 60,
    )
    classifier, report = train_steps(
        loaded,
        texts,
        labels,
        encoder,
        fine_tune=fine_tune,  # type: ignore[arg-type]
        settings=settings,
        background=background,
        on_progress=progress_note,
    )
    classifier.save(output_dir, report)
    if is_quiet():
        return
    out = console()
    tuned = (
        f" with the top {classifier.tuned_layers} encoder layers fine-tuned"
        if classifier.tuned_layers
        else " on the frozen encoder"
    )
    out.print(
        f"trained a {'multi-label' if report.multi_label else 'softmax'} step classifier{tuned} "
        f"on {report.texts} texts for journey {loaded.name!r}"
        + (f" and {report.background} background texts as unassigned" if report.background else "")
    )
    decision = classifier.info.get("fine_tune", {}).get("decision")
    if decision:
        out.print(f"  {decision}")
    for name, value in report.held_out.items():
        out.print(f"  held-out {name}: {value:.4f}")
    out.print(f"  unassigned threshold: {report.threshold}")
    out.print(f"wrote {output_dir}")


def _adapt(
    journey: Journey,
    input_path: Path | None,
    *,
    text_column: str,
    label_column: str,
    require_labels: bool,
    encoding: str,
    seed: int,
    background: bool,
    output_dir: Path,
) -> None:
    """``train-steps --adapt``: self-training on a feedback file or the stored feedback."""
    from steplens.pipeline.minilm import base_encoder
    from steplens.pipeline.steps.adapt import adapt_to_corpus, read_feedback

    if input_path is not None:
        texts, labelled = read_feedback(
            input_path,
            text_column=text_column,
            label_column=label_column,
            require_labels=require_labels,
            encoding=encoding,
        )
    else:
        texts, labelled = stored_feedback(journey.name)
    classifier, report = adapt_to_corpus(
        journey,
        texts,
        base_encoder("fp32"),
        labelled=labelled,
        seed=seed,
        background=background,
        on_progress=progress_note,
    )
    classifier.save(output_dir, report)
    if is_quiet():
        return
    adapted = classifier.info["adapted"]
    out = console()
    chosen = sum(adapted["pseudo_labels_per_step"].values())
    out.print(
        f"adapted journey {journey.name!r} to {adapted['comments_read']} comments: a step head "
        f"fitted on the {chosen} the journey is surest of"
        + (f", {adapted['labelled']} labelled by people" if adapted["labelled"] else "")
        + (f" and {report.background} background texts as unassigned" if background else "")
    )
    out.print(f"  unassigned threshold: {report.threshold}")
    out.print(f"wrote {output_dir} (use it with tag --model, or register it with the service)")


@contextmanager
def connected_store() -> Iterator[Store]:
    """The service's store (``STEPLENS_DATABASE_URL``), migrated, closed on the way out."""
    from steplens.api.db.store import Store
    from steplens.api.settings import get_settings

    store = Store.connect(get_settings().database_url)
    try:
        store.migrate()
        yield store
    finally:
        store.close()


def stored_feedback(journey: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Every stored feedback text of ``journey`` (up to adapt's MAX_TEXTS) and its stored
    corrections, for ``--from-db --adapt``."""
    from steplens.pipeline.steps.adapt import MAX_TEXTS

    with connected_store() as store:
        texts = []
        for record in store.iter_feedback_records(journey):
            texts.append(record.text)
            if len(texts) >= MAX_TEXTS:
                break
        labelled = store.training_examples(journey)
    if not texts:
        raise SteplensError(
            f"no stored feedback for journey {journey!r} in {store.describe()}; send some with "
            "POST /v1/feedback first"
        )
    progress_note(f"adapting to {len(texts)} stored comments of journey {journey!r}")
    return texts, labelled


def stored_examples(journey: str) -> tuple[list[str], list[str]]:
    """(texts, steps) from the human labels stored by the service for ``journey``."""
    with connected_store() as store:
        pairs = store.training_examples(journey)
    if not pairs:
        raise SteplensError(
            f"no stored labels for journey {journey!r} in {store.describe()}; label items with "
            "POST /v1/feedback/{id}/label first"
        )
    progress_note(f"training on {len(pairs)} stored labels for journey {journey!r}")
    return [text for text, _ in pairs], [step for _, step in pairs]
