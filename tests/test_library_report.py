"""The library's report takes a help desk's export as the CLI does: the ids it quotes come from
``id_column``, and a score map may mark an answer as carrying no score."""

from __future__ import annotations

from pathlib import Path

import pytest

import steplens
from steplens.pipeline.errors import SteplensError

pd = pytest.importorskip("pandas")


def test_report_from_dataframe_quotes_its_own_ids_and_reads_no_score(tagged_sample: Path) -> None:
    frame = pd.read_csv(tagged_sample, dtype={"id": str}).rename(columns={"id": "Ticket ID"})
    frame["rating"] = [
        "Offered" if n % 9 == 4 else "Good" if score >= 7 else "Bad"
        for n, score in enumerate(frame["nps"])
    ]
    frame["Ticket ID"] = "T-" + frame["Ticket ID"]
    report = steplens.report_from_dataframe(
        frame,
        "ecommerce",
        id_column="Ticket ID",
        score_column="rating",
        score_map={"Good": 1, "Bad": 0, "Offered": None},
        key_phrases=False,
    )
    quoted = [v.id for verbatims in report.typical.values() for v in verbatims]
    assert quoted and all(str(quote).startswith("T-fb-") for quote in quoted)
    offered = int((frame["rating"] == "Offered").sum())
    assert report.score is not None and report.score.no_score == offered > 0
    assert report.score.mapped == len(frame) - offered
    with pytest.raises(SteplensError, match="no id column 'Ticket'"):
        steplens.report_from_dataframe(frame, "ecommerce", id_column="Ticket", key_phrases=False)
