"""A trainer enters a classroom day once for many learners, and decides a proposal on its own
page, setting its training type there; the menu says which "add" is the trainer's own."""

from __future__ import annotations

from lxml import html
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import PassportEntry, TrainingType

from .conftest import OTHER_COURSE, OUTSIDER, csrf_token, launch_context, sign_in

DAY = {
    "title": "Toolbox day: working at height",
    "provider": "Site office",
    "modality": "classroom",
    "started_on": "2026-03-02",
    "completed_on": "2026-03-02",
    "hours": "7,5",
    "result": "attended",
}


def _user_id(app, sub):
    with app.app_context():
        return db.session.scalars(select(User).where(User.sub == sub)).one().id


def _entries_titled(app, title):
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(PassportEntry.user_id).where(PassportEntry.title == title)
            ).all()
        )


def test_one_training_for_the_ticked_learners_of_a_course(passport_app):
    app = passport_app
    trainer = app.test_client()
    ctx = sign_in(app, trainer, "instructor")
    lena, karim = _user_id(app, "demo-learner-1"), _user_id(app, "demo-learner-2")
    outsider = launch_context(app, OUTSIDER, OTHER_COURSE).user_id
    url = f"/passport/trainer/courses/{ctx.course_id}/entries/new"
    matrix = trainer.get(f"/passport/trainer/matrix?course={ctx.course_id}").get_data(as_text=True)
    assert url in matrix
    page = trainer.get(url)
    doc = html.fromstring(page.get_data(as_text=True))
    assert {int(v) for v in doc.xpath("//input[@name='learner_ids']/@value")} == {lena, karim}
    token = doc.xpath("//input[@name='csrf_token']/@value")[0]
    with app.app_context():
        height = db.session.scalars(select(TrainingType).where(TrainingType.code == "HEIGHT")).one()
        height_id = height.id

    # Nobody ticked: refused, and what was typed stays.
    r = trainer.post(url, data={**DAY, "csrf_token": token, "training_type_id": str(height_id)})
    assert r.status_code == 400
    doc = html.fromstring(r.get_data(as_text=True))
    assert "Tick at least one learner." in doc.xpath("string(//*[@role='alert'])")
    assert doc.xpath("//input[@id='title']/@value") == [DAY["title"]]
    assert doc.xpath("//select[@id='training_type_id']/option[@selected]/@value") == [
        str(height_id)
    ]
    assert _entries_titled(app, DAY["title"]) == []

    # Two learners and someone of another course: the two get it, the outsider does not.
    r = trainer.post(
        url,
        data={
            **DAY,
            "csrf_token": token,
            "training_type_id": str(height_id),
            "learner_ids": [str(lena), str(karim), str(outsider)],
        },
    )
    assert r.status_code == 303
    assert _entries_titled(app, DAY["title"]) == sorted([lena, karim])
    with app.app_context():
        added = db.session.scalars(
            select(PassportEntry).where(PassportEntry.title == DAY["title"])
        ).all()
        assert {e.status for e in added} == {"approved"}
        assert {e.training_type_id for e in added} == {height_id}
        assert all(e.valid_until is not None for e in added)
    assert "to the passports of 2 learners" in trainer.get(r.headers["Location"]).get_data(
        as_text=True
    )

    # A training type the trainer may not use (a stale form): refused in the reader's language,
    # the ticks stay, and the form has a way back to the matrix.
    r = trainer.post(
        url + "?lang=nl",
        data={
            **DAY,
            "title": "Second day",
            "csrf_token": token,
            "training_type_id": "987654",
            "learner_ids": [str(lena)],
        },
    )
    assert r.status_code == 400
    doc = html.fromstring(r.get_data(as_text=True))
    alert = doc.xpath("string(//*[@role='alert'])")
    assert "Onbekend" in alert and "Unknown" not in alert, alert
    assert doc.xpath("//input[@name='learner_ids' and @checked]/@value") == [str(lena)]
    assert doc.xpath("//a[@data-testid='form-cancel']/@href") == [
        f"/passport/trainer/matrix?course={ctx.course_id}"
    ]
    assert _entries_titled(app, "Second day") == []


def test_bulk_add_is_for_trainers_of_the_course_only(passport_app):
    app = passport_app
    ctx = launch_context(app, "instructor")
    learner = app.test_client()
    sign_in(app, learner, "learner")
    url = f"/passport/trainer/courses/{ctx.course_id}/entries/new"
    assert learner.get(url).status_code == 403
    other = app.test_client()
    from .conftest import OTHER_TRAINER

    sign_in(app, other, OTHER_TRAINER, OTHER_COURSE)
    assert other.get(url).status_code == 404


def test_trainer_approves_a_proposal_on_its_page_and_sets_its_training_type(passport_app):
    app = passport_app
    learner = app.test_client()
    sign_in(app, learner, "learner")
    token = csrf_token(learner, "/passport/propose")
    r = learner.post(
        "/passport/propose",
        data={
            **DAY,
            "title": "First aid at the Red Cross",
            "modality": "external",
            "evidence_note": "Certificate at HR",
            "csrf_token": token,
        },
    )
    assert r.status_code == 303
    with app.app_context():
        entry = db.session.scalars(
            select(PassportEntry).where(PassportEntry.status == "proposed")
        ).one()
        entry_id = entry.id
        aid = db.session.scalars(select(TrainingType).where(TrainingType.code == "FIRST-AID")).one()
        aid_id, months = aid.id, aid.validity_months

    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    home = trainer.get("/passport/trainer/").get_data(as_text=True)
    assert f"/passport/trainer/entries/{entry_id}" in home
    page = trainer.get(f"/passport/trainer/entries/{entry_id}")
    doc = html.fromstring(page.get_data(as_text=True))
    form = doc.xpath("//form[contains(@action, '/decide')]")[0]
    assert form.xpath(".//select[@name='training_type_id']/option[@value]")
    token = form.xpath(".//input[@name='csrf_token']/@value")[0]

    # An unknown training type is refused with a reason; the proposal stays open.
    r = trainer.post(
        f"/passport/trainer/entries/{entry_id}/decide",
        data={"csrf_token": token, "decision": "approve", "training_type_id": "999999"},
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/entries/{entry_id}")
    assert "Choose one of the training types" in trainer.get(r.headers["Location"]).get_data(
        as_text=True
    )
    r = trainer.post(
        f"/passport/trainer/entries/{entry_id}/decide",
        data={
            "csrf_token": token,
            "decision": "approve",
            "training_type_id": str(aid_id),
            "back": "entry",
        },
    )
    assert r.status_code == 303
    with app.app_context():
        entry = db.session.get(PassportEntry, entry_id)
        assert entry.status == "approved" and entry.training_type_id == aid_id
        assert entry.valid_until is not None
        assert (entry.valid_until.year - entry.completed_on.year) * 12 + (
            entry.valid_until.month - entry.completed_on.month
        ) == months
        assert entry.revisions[-1].changes["training_type_id"] == [None, aid_id]
    # Deciding twice is refused.
    r = trainer.post(
        f"/passport/trainer/entries/{entry_id}/decide",
        data={"csrf_token": token, "decision": "reject"},
    )
    assert "already been decided" in trainer.get(r.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PassportEntry, entry_id).status == "approved"
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(PassportEntry)
                .where(PassportEntry.title == "First aid at the Red Cross")
            )
            == 1
        )


def test_the_trainers_menu_says_which_add_is_their_own(passport_app):
    trainer = passport_app.test_client()
    sign_in(passport_app, trainer, "instructor")
    doc = html.fromstring(trainer.get("/passport/").get_data(as_text=True))
    nav = doc.xpath("string(//nav[@class='passport-nav'])")
    assert "Add to my own passport" in nav and "Add a training" not in nav
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    doc = html.fromstring(learner.get("/passport/").get_data(as_text=True))
    assert "Add a training" in doc.xpath("string(//nav[@class='passport-nav'])")
