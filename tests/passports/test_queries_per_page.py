"""A passport's pages read its entries in a fixed number of queries: 40 more entries (with
training types and competences) add no query to the page, the PDF, the JSON export, the
trainer's view of it or the matrix (no query per entry or per learner)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, insert, select

from lti_tool.extensions import db
from lti_tool.models import Course, Enrolment, User
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


def _add_many(app, user_id: int, how_many: int) -> None:
    """``how_many`` entries with two competences each, in a few statements (Core inserts)."""
    with app.app_context():
        session = db.session()
        types = list(session.scalars(select(TrainingType.id)))
        competences = list(session.scalars(select(Competence.id).limit(2)))
        first = dt.date(2020, 1, 1)
        session.execute(
            insert(PassportEntry),
            [
                {
                    "user_id": user_id,
                    "title": f"Many {i}",
                    "completed_on": first + dt.timedelta(days=i),
                    "training_type_id": types[i % len(types)] if i % 2 else None,
                    "result": "passed (80%)",
                }
                for i in range(how_many)
            ],
        )
        ids = session.scalars(
            select(PassportEntry.id).where(PassportEntry.title.like("Many %"))
        ).all()
        session.execute(
            insert(entry_competence),
            [{"entry_id": e, "competence_id": c} for e in ids for c in competences],
        )
        session.commit()


def _add_people(app, course_id: int, how_many: int, start: int) -> None:
    """``how_many`` learners of the course, each with a proposal waiting for the trainer."""
    with app.app_context():
        session = db.session()
        platform_id = session.get(Course, course_id).platform_id
        users = [
            User(
                issuer="https://lms.example",
                client_id="c",
                sub=f"many-{i}",
                account_name=f"many-{i}",
                name=f"Many {i:05d}",
                family_name=f"{i:05d}",
                platform_id=platform_id,
            )
            for i in range(start, start + how_many)
        ]
        session.add_all(users)
        session.flush()
        session.add_all(
            [Enrolment(course_id=course_id, user_id=u.id, role="learner") for u in users]
            + [PassportEntry(user_id=u.id, title="Proposed", status="proposed") for u in users[:20]]
        )
        session.commit()


def test_many_entries_and_people_add_no_query(passport_app):
    """600 more entries (past SQLAlchemy's batches of 500) and 2,500 more learners (past the
    trainer home's switch from sorting to the name index) add no statement to the passport's
    pages, the trainer's home or the administrator's page."""
    app = passport_app
    learner = app.test_client()
    ctx = sign_in(app, learner, "learner")
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    admin = app.test_client()
    sign_in(app, admin, "admin")
    urls = [
        *PAGES,
        f"/passport/trainer/learners/{ctx.user_id}",
        "/passport/trainer/",
        "/passport/admin/",
        "/passport/admin/?q=many&page=2",
    ]
    clients = [learner] * len(PAGES) + [trainer, trainer, admin, admin]
    _add_people(app, ctx.course_id, 30, 0)

    def counts() -> list[int]:
        return [_queries(app, c, u) for c, u in zip(clients, urls, strict=True)]

    before = counts()
    _add_many(app, ctx.user_id, 600)
    _add_people(app, ctx.course_id, 2500, 30)
    after = counts()
    assert after == before, dict(zip(urls, zip(before, after, strict=True), strict=True))
