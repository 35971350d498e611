"""Progress over time for the trainer's view: steps completed per week by the learners shown,
from the step marks' days (one query that counts per learner and day), drawn as a server-side SVG bar chart the template
writes with a title, a description and the same figures as a table (no JavaScript)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Date, func, select
from sqlalchemy.orm import Session

from .path_models import BlendedPath, BlendedStepMark
from .steps import BIND_LEARNERS_UP_TO

WEEKS = 12
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 40, 30, 10


@dataclass(frozen=True)
class Bar:
    week: dt.date  # the Monday the week starts on
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    peak: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM

    @property
    def total(self) -> int:
        return sum(b.count for b in self.bars)


def weekly_completions(
    session: Session, path: BlendedPath, user_ids: Sequence[int], today: dt.date
) -> Chart:
    """Steps completed per week over the last ``WEEKS`` weeks (this week last)."""
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=WEEKS - 1)
    counts = {first + dt.timedelta(weeks=i): 0 for i in range(WEEKS)}
    step_ids = [s.id for s in path.steps]
    if step_ids and user_ids:
        # Counted by the database per learner and day (a big course has tens of thousands of
        # marks); the learners are bound only when few, as in the progress view.
        wanted = set(user_ids)
        day = func.date(BlendedStepMark.marked_at, type_=Date)
        query = (
            select(BlendedStepMark.user_id, day, func.count())
            .where(
                BlendedStepMark.step_id.in_(step_ids),
                BlendedStepMark.done.is_(True),
                BlendedStepMark.marked_at >= dt.datetime.combine(first, dt.time()),
            )
            .group_by(BlendedStepMark.user_id, day)
        )
        if len(wanted) <= BIND_LEARNERS_UP_TO:
            query = query.where(BlendedStepMark.user_id.in_(wanted))
        for user_id, on, count in session.connection().execute(query).all():
            if on is None or user_id not in wanted:
                continue
            week = on - dt.timedelta(days=on.weekday())
            if week in counts:
                counts[week] += count
    peak = max(counts.values()) or 1
    slot = (WIDTH - LEFT) / WEEKS
    usable = HEIGHT - BOTTOM - TOP
    bars = []
    for index, (week, count) in enumerate(sorted(counts.items())):
        height = round(usable * count / peak, 1)
        bars.append(
            Bar(
                week=week,
                count=count,
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=height,
            )
        )
    return Chart(bars=bars, peak=max(counts.values()))
