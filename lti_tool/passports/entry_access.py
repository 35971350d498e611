"""Which passport entry a page may show: the launch user's own, or one of a learner the trainer
may see (also when it came from a linked identity). Anything else is 404, never 403, so an entry's
existence is not told."""

from __future__ import annotations

from flask import abort

from ..extensions import db
from . import entries, identities, roster
from .blueprint import launch_ctx
from .models import PassportEntry


def own_entry(entry_id: int) -> PassportEntry:
    """One of the launch user's own entries."""
    entry = entries.entry_for_user(db.session(), entry_id, launch_ctx().user_id)
    if entry is None:
        abort(404)
    return entry


def visible_entry(entry_id: int) -> PassportEntry:
    """An entry of a learner the trainer may see, also when it came from a linked identity."""
    ctx = launch_ctx()
    session = db.session()
    entry = session.get(PassportEntry, entry_id)
    if entry is None or not any(
        roster.trainer_may_see(
            session, ctx.user_id, uid, is_admin=ctx.is_admin, platform_id=ctx.platform_id
        )
        for uid in identities.identity_user_ids(session, entry.user_id)
    ):
        abort(404)
    return entry
