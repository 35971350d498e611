"""Groups of a course's learners: a trainer makes, fills, renames and deletes them; the matrix
and its exports show one group; nobody reaches another course's groups by changing an id."""

from __future__ import annotations

import csv
import io

from lxml import html
from openpyxl import load_workbook
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports import erasure
from lti_tool.passports.models import LearnerGroup, group_member

from .conftest import OTHER_COURSE, OTHER_TRAINER, OUTSIDER, csrf_token, launch_context, sign_in


def _user_id(app, sub):
    with app.app_context():
        return db.session.scalars(select(User).where(User.sub == sub)).one().id


def _rows(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    doc = html.fromstring(response.get_data(as_text=True))
    return [r.xpath("string(th)") for r in doc.xpath('//*[@data-testid="matrix-row"]')]


def _make_group(client, course_id: int, name: str) -> int:
    token = csrf_token(client, f"/passport/trainer/groups?course={course_id}")
    r = client.post(
        f"/passport/trainer/courses/{course_id}/groups", data={"csrf_token": token, "name": name}
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def _save_group(client, group_id: int, name: str, member_ids: list[int]):
    token = csrf_token(client, f"/passport/trainer/groups/{group_id}")
    return client.post(
        f"/passport/trainer/groups/{group_id}",
        data={"csrf_token": token, "name": name, "member_ids": [str(i) for i in member_ids]},
    )


def test_trainer_makes_a_group_and_the_matrix_and_exports_show_only_it(passport_app):
    trainer = passport_app.test_client()
    ctx = sign_in(passport_app, trainer, "instructor")
    karim = _user_id(passport_app, "demo-learner-2")
    lena = _user_id(passport_app, "demo-learner-1")

    matrix = trainer.get("/passport/trainer/matrix").get_data(as_text=True)
    assert f"/passport/trainer/groups?course={ctx.course_id}" in matrix
    group_id = _make_group(trainer, ctx.course_id, "  Night   shift ")

    page = trainer.get(f"/passport/trainer/groups/{group_id}").get_data(as_text=True)
    doc = html.fromstring(page)
    offered = {int(v) for v in doc.xpath("//input[@name='member_ids']/@value")}
    assert offered == {karim, lena}
    assert doc.xpath("//input[@name='member_ids']/@checked") == []
    assert doc.xpath("//input[@id='name']/@value") == ["Night shift"]

    r = _save_group(trainer, group_id, "Night shift", [karim])
    assert r.status_code == 303
    assert "Night shift has 1 learner." in trainer.get(r.headers["Location"]).get_data(as_text=True)

    assert _rows(trainer.get("/passport/trainer/matrix")) == ["Karim Benali", "Lena de Vries"]
    filtered = trainer.get(f"/passport/trainer/matrix?group={group_id}")
    assert _rows(filtered) == ["Karim Benali"]
    doc = html.fromstring(filtered.get_data(as_text=True))
    assert doc.xpath("//select[@id='group']/option[@selected]/text()") == ["Night shift"]
    # The download links carry the filter, and the downloads honour it.
    csv_link = doc.xpath("//a[contains(@href, 'matrix.csv')]/@href")[0]
    assert f"group={group_id}" in csv_link
    table = list(csv.reader(io.StringIO(trainer.get(csv_link).get_data(as_text=True))))
    assert [line[0] for line in table] == ["Learner", "Karim Benali"]
    sheet = load_workbook(
        io.BytesIO(trainer.get(f"/passport/trainer/matrix.xlsx?group={group_id}").data)
    ).active
    assert [row[0].value for row in sheet.iter_rows()] == ["Learner", "Karim Benali"]
    # Other filters still apply inside the group: Karim's First aid is expired, nothing expiring.
    assert _rows(trainer.get(f"/passport/trainer/matrix?group={group_id}&state=expiring")) == []

    # Rename and change the members in one save; an empty group shows nobody.
    assert _save_group(trainer, group_id, "Company X", [lena]).status_code == 303
    assert _rows(trainer.get(f"/passport/trainer/matrix?group={group_id}")) == ["Lena de Vries"]
    assert _save_group(trainer, group_id, "Company X", []).status_code == 303
    assert _rows(trainer.get(f"/passport/trainer/matrix?group={group_id}")) == []
    with passport_app.app_context():
        assert db.session.get(LearnerGroup, group_id).name == "Company X"


def test_group_names_must_be_given_and_differ_within_a_course(passport_app):
    trainer = passport_app.test_client()
    ctx = sign_in(passport_app, trainer, "instructor")
    first = _make_group(trainer, ctx.course_id, "Night shift")
    second = _make_group(trainer, ctx.course_id, "Day shift")
    token = csrf_token(trainer, f"/passport/trainer/groups?course={ctx.course_id}")
    for name, message in (
        ("   ", "Give the group a name"),
        ("night SHIFT", "already has a group with that name"),
        ("x" * 300, "too long"),
    ):
        r = trainer.post(
            f"/passport/trainer/courses/{ctx.course_id}/groups",
            data={"csrf_token": token, "name": name},
        )
        assert r.status_code == 400 and message in r.get_data(as_text=True)
    r = _save_group(trainer, second, "Night shift", [])
    assert r.status_code == 400 and "already has a group" in r.get_data(as_text=True)
    with passport_app.app_context():
        names = db.session.scalars(select(LearnerGroup.name).order_by(LearnerGroup.id)).all()
        assert names == ["Night shift", "Day shift"] and first != second
    # The same name is fine in another course.
    other = passport_app.test_client()
    other_ctx = sign_in(passport_app, other, OTHER_TRAINER, OTHER_COURSE)
    _make_group(other, other_ctx.course_id, "Night shift")


def test_only_learners_of_the_course_can_be_members(passport_app):
    outsider = launch_context(passport_app, OUTSIDER, OTHER_COURSE)
    trainer = passport_app.test_client()
    ctx = sign_in(passport_app, trainer, "instructor")
    karim = _user_id(passport_app, "demo-learner-2")
    tom = ctx.user_id  # the trainer is enrolled, but not as a learner
    group_id = _make_group(trainer, ctx.course_id, "Night shift")
    assert _save_group(trainer, group_id, "Night shift", [karim, outsider.user_id, tom]).status_code
    with passport_app.app_context():
        members = db.session.scalars(
            select(group_member.c.user_id).where(group_member.c.group_id == group_id)
        ).all()
        assert members == [karim]


def test_a_trainer_never_reaches_another_courses_groups(passport_app):
    trainer = passport_app.test_client()
    ctx = sign_in(passport_app, trainer, "instructor")
    mine = _make_group(trainer, ctx.course_id, "Night shift")
    other = passport_app.test_client()
    other_ctx = sign_in(passport_app, other, OTHER_TRAINER, OTHER_COURSE)
    theirs = _make_group(other, other_ctx.course_id, "Company X")
    karim = _user_id(passport_app, "demo-learner-2")

    token = csrf_token(trainer, f"/passport/trainer/groups?course={ctx.course_id}")
    for path in (
        f"/passport/trainer/groups?course={other_ctx.course_id}",
        f"/passport/trainer/groups/{theirs}",
        f"/passport/trainer/matrix?group={theirs}",
        f"/passport/trainer/matrix.csv?group={theirs}",
        f"/passport/trainer/matrix.xlsx?group={theirs}",
        f"/passport/trainer/matrix?course={other_ctx.course_id}&group={theirs}",
        f"/passport/trainer/matrix?group={theirs + 1000}",
        "/passport/trainer/matrix?group=abc",
    ):
        assert trainer.get(path).status_code == 404, path
    for path, data in (
        (f"/passport/trainer/groups/{theirs}", {"name": "Taken over", "member_ids": [karim]}),
        (f"/passport/trainer/groups/{theirs}/delete", {}),
        (f"/passport/trainer/courses/{other_ctx.course_id}/groups", {"name": "Sneaky"}),
    ):
        assert trainer.post(path, data={"csrf_token": token, **data}).status_code == 404, path
    with passport_app.app_context():
        theirs_row = db.session.get(LearnerGroup, theirs)
        assert theirs_row.name == "Company X" and theirs_row.members == []
        assert db.session.scalar(select(func.count()).select_from(LearnerGroup)) == 2
    # The other trainer's group page does not list this course's group either.
    page = other.get(f"/passport/trainer/groups?course={other_ctx.course_id}")
    assert "Company X" in page.get_data(as_text=True)
    assert "Night shift" not in page.get_data(as_text=True)
    assert other.get(f"/passport/trainer/groups/{mine}").status_code == 404

    # Learners cannot manage groups at all; an admin can, in any course.
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    assert learner.get(f"/passport/trainer/groups?course={ctx.course_id}").status_code == 403
    assert learner.get(f"/passport/trainer/groups/{mine}").status_code == 403
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    assert admin.get(f"/passport/trainer/groups/{theirs}").status_code == 200


def test_group_forms_need_the_csrf_token(passport_app):
    trainer = passport_app.test_client()
    ctx = sign_in(passport_app, trainer, "instructor")
    group_id = _make_group(trainer, ctx.course_id, "Night shift")
    for path, data in (
        (f"/passport/trainer/courses/{ctx.course_id}/groups", {"name": "No token"}),
        (f"/passport/trainer/groups/{group_id}", {"name": "No token"}),
        (f"/passport/trainer/groups/{group_id}/delete", {}),
    ):
        assert trainer.post(path, data=data).status_code == 400, path
    with passport_app.app_context():
        assert db.session.scalars(select(LearnerGroup.name)).all() == ["Night shift"]


def test_deleting_a_group_keeps_the_learners_and_erasing_a_learner_leaves_groups(passport_app):
    trainer = passport_app.test_client()
    ctx = sign_in(passport_app, trainer, "instructor")
    karim = _user_id(passport_app, "demo-learner-2")
    lena = _user_id(passport_app, "demo-learner-1")
    group_id = _make_group(trainer, ctx.course_id, "Night shift")
    _save_group(trainer, group_id, "Night shift", [karim, lena])

    admin = launch_context(passport_app, "admin")
    base = passport_app.config["LEARNPASS"].base_url
    with passport_app.app_context():
        record = erasure.erase_learner(db.session(), lena, actor_id=admin.user_id, base_url=base)
        assert record.details["group_memberships"] == 1
        assert [u.id for u in db.session.get(LearnerGroup, group_id).members] == [karim]

    token = csrf_token(trainer, f"/passport/trainer/groups/{group_id}")
    r = trainer.post(f"/passport/trainer/groups/{group_id}/delete", data={"csrf_token": token})
    assert r.status_code == 303
    assert "Its learners and their passports stay." in trainer.get(r.headers["Location"]).get_data(
        as_text=True
    )
    assert trainer.get(f"/passport/trainer/groups/{group_id}").status_code == 404
    assert trainer.get(f"/passport/trainer/matrix?group={group_id}").status_code == 404
    assert "Karim Benali" in _rows(trainer.get("/passport/trainer/matrix"))
    with passport_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(group_member)) == 0
