"""The two unassigned rules that bench_unassigned measures beside the background level."""

from __future__ import annotations

import numpy as np

from bench.bench_unassigned import corpus_adaptive_assigned, per_step_assigned


def test_per_step_levels_pass_a_tenth_of_the_background_and_favour_quiet_steps() -> None:
    rng = np.random.default_rng(0)
    # step 0 is reached by chatter often (high background), step 1 rarely
    background = np.stack([rng.normal(0.4, 0.05, 2000), rng.normal(0.1, 0.05, 2000)], axis=1)
    assert abs(per_step_assigned(background, background).mean() - 0.1) < 0.01
    texts = np.array([[0.45, 0.0], [0.0, 0.3]], dtype=np.float32)
    # the same 0.05-0.2 distance above each step's background mean: only the quiet step clears
    assert per_step_assigned(texts, background).tolist() == [False, True]


def test_corpus_adaptive_cut_follows_the_share_of_off_topic_texts() -> None:
    rng = np.random.default_rng(1)
    background = rng.normal(0.2, 0.05, 1000)
    chatter = rng.normal(0.2, 0.05, 300)
    on_topic = rng.normal(0.33, 0.03, 300)
    assert corpus_adaptive_assigned(chatter, background).mean() < 0.02
    assert corpus_adaptive_assigned(on_topic, background).mean() > 0.95
    mixed = corpus_adaptive_assigned(np.concatenate([on_topic, chatter]), background)
    assert mixed[:300].mean() > 0.95
    # what it bounds is the share of wrong assignments (about q = 0.1), not off-topic recall
    assert mixed[300:].sum() / mixed.sum() < 0.15
