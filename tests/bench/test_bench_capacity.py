"""The capacity bench: development data only, disjoint splits, a clear error for a bad teacher."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.bench_capacity import load_teacher, one_score, paired_interval, probe_tasks
from steplens.pipeline.signals import EFFORT_LABELS
from steplens.training.signals_data import effort, tweet_key, tweeteval


def test_probe_tasks_never_score_a_test_split_and_never_share_a_text() -> None:
    tasks = probe_tasks(train_texts=500)
    assert [len(t.train) > 0 and len(t.dev) > 0 for t in tasks] == [True] * 3
    for task in tasks:
        train = {tweet_key(e.text) for e in task.train}
        assert not train & {tweet_key(e.text) for e in task.dev}, task.name
    tweet_tests = {tweet_key(e.text) for e in tweeteval("test")}
    effort_tests = {tweet_key(e.text) for e in effort("test")}
    for task in tasks:
        seen = {tweet_key(e.text) for e in task.train + task.dev}
        assert not seen & (effort_tests if task.labels == EFFORT_LABELS else tweet_tests), task.name


def test_identical_predictions_have_a_zero_interval() -> None:
    gold = np.array([0, 1, 2, 1, 0, 2, 2, 1])
    predicted = np.array([0, 1, 1, 1, 0, 2, 0, 1])
    accuracy = one_score(lambda g, p: {"accuracy": float(np.mean(g == p))}, "accuracy")
    assert paired_interval(gold, predicted, predicted, accuracy) == (0.0, 0.0)
    low, high = paired_interval(gold, predicted, gold, accuracy)
    assert 0.0 <= low <= high <= 1.0 and high > 0.0


def test_a_folder_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="not a sentence-transformers directory"):
        load_teacher(tmp_path)
