"""Who opened which knowledge-base item in a course: one row per learner per item, made the first
time they open it (through a placed link or a path step), and the "experienced" statement that
goes with that first opening.

A row holds a person: the catalogue's erase removes it (``erasure.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import DateTime, ForeignKey, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from xapi import vocab

from ..lrs.recording import record
from ..lti.context import LaunchContext
from ..models import Base, utcnow
from .material import CatalogueMaterial
from .texts import in_language

MATERIAL_LIST_ACTIVITY = "catalogue/material"


def material_activity(item_id: int) -> str:
    """The item's activity: its public page (``<base>/catalogue/material/<id>``)."""
    return f"{MATERIAL_LIST_ACTIVITY}/{item_id}"


class CatalogueMaterialOpen(Base):
    """A learner opened a knowledge-base item in a course (the first time)."""

    __tablename__ = "catalogue_material_open"

    material_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_material.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("lp_user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


def record_open(session: Session, ctx: LaunchContext, item: CatalogueMaterial) -> bool:
    """Note that the launched learner opened ``item``; True the first time. The first opening
    also emits "experienced" the item, in a savepoint: a statement that cannot be written never
    undoes the opening. Not committed: the caller's transaction holds both."""
    if session.get(CatalogueMaterialOpen, (item.id, ctx.user_id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(CatalogueMaterialOpen(material_id=item.id, user_id=ctx.user_id))
    except IntegrityError:  # the same learner's other tab was first
        return False
    try:
        with session.begin_nested():
            record(
                ctx,
                verb=vocab.Verb.EXPERIENCED,
                object_id=material_activity(item.id),
                object_name=in_language(item.titles, "en") or None,
                activity_type=vocab.ActivityType.CATALOGUE_MATERIAL,
                parent=[MATERIAL_LIST_ACTIVITY],
            )
    except Exception:  # recording never breaks the user's action
        current_app.logger.exception("could not record a knowledge-base statement")
    return True


def opened_by(session: Session, item_id: int, user_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """When each of ``user_ids`` first opened the item (those who did not are left out)."""
    if not user_ids:
        return {}
    wanted = set(user_ids)
    query = select(CatalogueMaterialOpen.user_id, CatalogueMaterialOpen.opened_at).where(
        CatalogueMaterialOpen.material_id == item_id
    )
    if len(wanted) <= 200:  # no query binds one value per learner for a large course
        query = query.where(CatalogueMaterialOpen.user_id.in_(wanted))
    return {uid: at for uid, at in session.execute(query) if uid in wanted}
