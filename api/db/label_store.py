"""Human labels of stored feedback: the corrections ``train-steps --from-db`` trains on."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from steplens.api.db.base import StoreBase
from steplens.api.db.errors import NotFound
from steplens.api.db.models import FeedbackRow, LabelRow
from steplens.api.db.values import check_name, check_text, utc_now


class LabelStore(StoreBase):
    """Add labels, find the journeys of an id, and read labelled examples."""

    def add_label(
        self, journey: str, external_id: str, step: str, author: str | None = None
    ) -> None:
        """Record a human's step for a stored item (the latest label of an item counts).

        Raises NotFound when the journey has no item with that id. The step is not checked
        against the journey here: the caller knows the journey's steps.
        """
        check_name(journey, "journey name")
        check_text(external_id, "feedback id", required=True)
        where = f"journey {journey!r}, feedback {external_id!r}: label"
        check_text(step, f"{where} step", required=True)
        if author is not None:
            check_text(author, f"{where} author", required=False)

        def work(session: Session) -> None:
            pk = session.scalar(
                sa.select(FeedbackRow.pk).where(
                    FeedbackRow.journey == journey, FeedbackRow.external_id == external_id
                )
            )
            if pk is None:
                raise NotFound(f"journey {journey!r} has no feedback with id {external_id!r}")
            session.add(LabelRow(feedback_pk=pk, step=step, created_at=utc_now(), author=author))

        self._write(work)

    def journeys_with_item(self, external_id: str) -> list[str]:
        """The journeys that hold a stored item with this id (a label call without a journey
        names it by id alone)."""
        check_text(external_id, "feedback id", required=True)
        with self._read() as session:
            found = session.scalars(
                sa.select(FeedbackRow.journey)
                .where(FeedbackRow.external_id == external_id)
                .distinct()
                .order_by(FeedbackRow.journey)
            )
            return list(found)

    def training_examples(self, journey: str) -> list[tuple[str, str]]:
        """(text, step) of each labelled item of a journey, by its latest label, in pk order."""
        latest = (
            sa.select(sa.func.max(LabelRow.pk).label("pk"))
            .join(FeedbackRow, FeedbackRow.pk == LabelRow.feedback_pk)
            .where(FeedbackRow.journey == journey)
            .group_by(LabelRow.feedback_pk)
            .subquery()
        )
        query = (
            sa.select(FeedbackRow.text, LabelRow.step)
            .join(LabelRow, LabelRow.feedback_pk == FeedbackRow.pk)
            .join(latest, latest.c.pk == LabelRow.pk)
            .order_by(FeedbackRow.pk)
        )
        with self._read() as session:
            return [(text, step) for text, step in session.execute(query)]


def latest_labels(session: Session, pks: list[int]) -> dict[int, str]:
    """The latest human label step of each of these feedback rows that has one."""
    if not pks:
        return {}
    query = (
        sa.select(LabelRow.feedback_pk, LabelRow.step)
        .where(LabelRow.feedback_pk.in_(pks))
        .order_by(LabelRow.pk)
    )
    return {pk: step for pk, step in session.execute(query)}
