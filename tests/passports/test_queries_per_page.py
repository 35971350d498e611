"""A passport's pages read its entries in a fixed number of queries: 40 more entries (with
training types and competences) add no query to the page, the PDF, the JSON export, the
trainer's view of it or the matrix (no query per entry or per learner)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, insert, select

from lti_tool.extensions import db
from lti_tool.passports.models import Competence, PassportEntry, TrainingType, entry_competence

from .conftest import launch_context, sign_in

PAGES = ("/passport/", "/passport/export.pdf", "/passport/export.json")


def _queries(app, client, url: str) -> int:
    client.get(url)  # warm-up: what a first visit caches (roster sync, names)
    count = 0

    def counted(*_args) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert response.status_code == 200, url
    return count


def _add_entries(app, user_id: int, how_many: int) -> None:
    with app.app_context():
        session = db.session()
        types = list(session.scalars(select(TrainingType.id)))
        competences = list(session.scalars(select(Competence.id).limit(3)))
        for i in range(how_many):
            entry = PassportEntry(
                user_id=user_id,
                title=f"Extra {i}",
                completed_on=dt.date(2025, 1, 1) + dt.timedelta(days=i),
                training_type_id=types[i % len(types)],
                valid_until=dt.date(2026, 1, 1) + dt.timedelta(days=30 * i),
            )
            session.add(entry)
            session.flush()
            session.execute(
                insert(entry_competence),
                [{"entry_id": entry.id, "competence_id": c} for c in competences],
            )
        session.commit()


def test_more_entries_add_no_query(passport_app):
    app = passport_app
    learner = app.test_client()
    ctx = sign_in(app, learner, "learner")
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    urls = [*PAGES, f"/passport/trainer/learners/{ctx.user_id}", "/passport/trainer/matrix"]
    clients = [learner] * len(PAGES) + [trainer, trainer]
    before = [_queries(app, c, u) for c, u in zip(clients, urls, strict=True)]
    _add_entries(app, ctx.user_id, 40)
    _add_entries(app, launch_context(app, "learner2").user_id, 40)
    after = [_queries(app, c, u) for c, u in zip(clients, urls, strict=True)]
    assert after == before, dict(zip(urls, zip(before, after, strict=True), strict=True))
