"""One platform's people never see another platform's: courses, passports, entries, groups,
credentials and exports, by id in the URL or the form.

Platform B ("other") is registered beside the seeded demo platform ("demo"); both have a course
with the same context id, so only the platform keeps them apart.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.passports import credentials, entries, learner_groups
from lti_tool.passports.models import LearnerGroup

from .conftest import csrf_token, launch_as, sign_in


@pytest.fixture
def two_tenants(app: Any) -> dict[str, Any]:
    """A learner with an approved entry and a credential, a trainer and a group, on platform A."""
    a_learner = launch_as(app, platform="demo", role="learner", sub="a-learner", name="Anna Alpha")
    a_trainer = launch_as(app, platform="demo", role="instructor", sub="a-trainer")
    with app.app_context():
        session = db.session()
        entry = entries.add_entry(
            session,
            user_id=a_learner.user_id,
            actor_id=a_trainer.user_id,
            data=entries.EntryInput(
                title="Alpha forklift",
                hours=Decimal("4"),
                completed_on=dt.date.today(),
            ),
            certificate=None,
            course_id=a_learner.course_id,
        )
        credential = credentials.issue_for_entry(
            session, entry, base_url="http://127.0.0.1", issuer_name="learnpass"
        )
        group = learner_groups.create_group(
            session, a_trainer.course_id, "Alpha night shift", actor_id=a_trainer.user_id
        )
        ids = {
            "entry": entry.id,
            "credential": credential.public_id,
            "group": group.id,
        }
    return {"learner": a_learner, "trainer": a_trainer, **ids}


def test_trainer_of_platform_b_reaches_nothing_of_platform_a(
    app: Any, client: Any, two_tenants: dict[str, Any]
) -> None:
    a = two_tenants
    sign_in(client, launch_as(app, platform="other", role="instructor", sub="b-trainer"))
    learner, course = a["learner"].user_id, a["learner"].course_id
    for path in (
        f"/passport/trainer/learners/{learner}",
        f"/passport/trainer/learners/{learner}/entries/new",
        f"/passport/trainer/entries/{a['entry']}",
        f"/passport/trainer/entries/{a['entry']}/edit",
        f"/passport/trainer/entries/{a['entry']}/certificate",
        f"/passport/trainer/matrix?course={course}",
        f"/passport/trainer/matrix.csv?course={course}",
        f"/passport/trainer/groups?course={course}",
        f"/passport/trainer/groups/{a['group']}",
    ):
        assert client.get(path).status_code == 404, path
    home = client.get("/passport/trainer/").get_data(as_text=True)
    assert "Anna Alpha" not in home and "Alpha forklift" not in home
    token = csrf_token(client, "/passport/trainer/groups")
    for path in (
        f"/passport/trainer/groups/{a['group']}/delete",
        f"/passport/trainer/courses/{course}/groups",
        f"/passport/trainer/courses/{course}/required",
        f"/passport/trainer/entries/{a['entry']}/decide",
    ):
        assert client.post(path, data={"csrf_token": token, "name": "x"}).status_code == 404, path
    with app.app_context():
        assert db.session.get(LearnerGroup, a["group"]) is not None


def test_learner_of_platform_b_reaches_no_entry_of_platform_a(
    app: Any, client: Any, two_tenants: dict[str, Any]
) -> None:
    sign_in(client, launch_as(app, platform="other", role="learner", sub="a-learner"))
    entry = two_tenants["entry"]
    for path in (
        f"/passport/entries/{entry}",
        f"/passport/entries/{entry}/certificate",
        f"/passport/entries/{entry}/credential",
    ):
        assert client.get(path).status_code == 404, path
    # Same ``sub`` on another platform is another person: an empty passport.
    assert "Alpha forklift" not in client.get("/passport/export.json").get_data(as_text=True)


def test_trainer_of_course_1_reaches_nothing_of_course_2_on_the_same_platform(
    app: Any, client: Any, two_tenants: dict[str, Any]
) -> None:
    a = two_tenants
    sign_in(
        client,
        launch_as(app, platform="demo", role="instructor", sub="c2-trainer", course="course-2"),
    )
    course = a["learner"].course_id
    for path in (
        f"/passport/trainer/learners/{a['learner'].user_id}",
        f"/passport/trainer/entries/{a['entry']}",
        f"/passport/trainer/matrix?course={course}",
        f"/passport/trainer/groups?course={course}",
        f"/passport/trainer/groups/{a['group']}",
    ):
        assert client.get(path).status_code == 404, path


def test_admin_of_platform_b_does_not_list_or_export_people_of_platform_a(
    app: Any, client: Any, two_tenants: dict[str, Any]
) -> None:
    sign_in(client, launch_as(app, platform="other", role="admin", sub="b-admin"))
    admin_page = client.get("/passport/admin/").get_data(as_text=True)
    export = client.get("/passport/admin/export.csv").get_data(as_text=True)
    trainer_home = client.get("/passport/trainer/").get_data(as_text=True)
    assert "Anna Alpha" not in admin_page
    assert two_tenants["credential"] not in admin_page
    assert "Anna Alpha" not in export and "Alpha forklift" not in export
    assert "demo course-1" not in trainer_home


def test_admin_of_platform_b_opens_no_passport_or_matrix_of_platform_a(
    app: Any, client: Any, two_tenants: dict[str, Any]
) -> None:
    a = two_tenants
    sign_in(client, launch_as(app, platform="other", role="admin", sub="b-admin"))
    for path in (
        f"/passport/trainer/learners/{a['learner'].user_id}",
        f"/passport/trainer/entries/{a['entry']}",
        f"/passport/trainer/matrix?course={a['learner'].course_id}",
        f"/passport/admin/people/{a['learner'].user_id}/erase",
    ):
        assert client.get(path).status_code == 404, path


def test_admin_of_platform_b_cannot_erase_or_revoke_on_platform_a(
    app: Any, client: Any, two_tenants: dict[str, Any]
) -> None:
    a = two_tenants
    sign_in(client, launch_as(app, platform="other", role="admin", sub="b-admin"))
    token = csrf_token(client, "/passport/admin/")
    client.post(
        f"/passport/admin/credentials/{a['credential']}/revoke",
        data={"csrf_token": token, "reason": "cross-tenant", "confirm": "yes"},
    )
    client.post(
        f"/passport/admin/people/{a['learner'].user_id}/erase",
        data={"csrf_token": token, "confirm": "ERASE"},
    )
    with app.app_context():
        from lti_tool.passports.models import Credential, PassportEntry

        session = db.session()
        credential = session.scalars(
            select(Credential).where(Credential.public_id == a["credential"])
        ).one()
        assert credential.revoked_at is None
        assert session.get(PassportEntry, a["entry"]) is not None


def test_admin_keeps_their_own_platform_and_links_identities_only_inside_it(
    app: Any, client: Any, two_tenants: dict[str, Any]
) -> None:
    from lti_tool.passports.models import IdentityLink

    a = two_tenants
    b_learner = launch_as(app, platform="other", role="learner", sub="b-learner")
    sign_in(client, launch_as(app, platform="demo", role="admin", sub="a-admin"))
    admin_page = client.get("/passport/admin/").get_data(as_text=True)
    assert "Anna Alpha" in admin_page and "b-learner" not in admin_page
    assert "Alpha forklift" in client.get("/passport/admin/export.csv").get_data(as_text=True)
    assert client.get(f"/passport/trainer/learners/{a['learner'].user_id}").status_code == 200
    assert client.get(f"/passport/trainer/learners/{b_learner.user_id}").status_code == 404
    token = csrf_token(client, "/passport/admin/")
    client.post(
        "/passport/admin/identity-links",
        data={
            "csrf_token": token,
            "primary_user_id": str(a["learner"].user_id),
            "linked_user_id": str(b_learner.user_id),
        },
    )
    with app.app_context():
        assert db.session.scalars(select(IdentityLink)).all() == []


def test_identities_of_two_platforms_are_linked_from_the_command_line(
    app: Any, runner: Any, client: Any, two_tenants: dict[str, Any]
) -> None:
    from .conftest import OTHER_ISSUER

    launch_as(app, platform="other", role="learner", sub="anna-elsewhere")
    with app.app_context():
        from lti_tool.demo import platform as demo

        issuer = demo.issuer()
    result = runner.invoke(
        args=[
            "passport",
            "link-identities",
            "--issuer",
            issuer,
            "--sub",
            "a-learner",
            "--linked-issuer",
            OTHER_ISSUER,
            "--linked-sub",
            "anna-elsewhere",
        ]
    )
    assert result.exit_code == 0, result.output
    sign_in(client, launch_as(app, platform="other", role="learner", sub="anna-elsewhere"))
    assert "Alpha forklift" in client.get("/passport/").get_data(as_text=True)
    missing = runner.invoke(
        args=[
            "passport",
            "link-identities",
            "--issuer",
            issuer,
            "--sub",
            "nobody",
            "--linked-issuer",
            OTHER_ISSUER,
            "--linked-sub",
            "anna-elsewhere",
        ]
    )
    assert missing.exit_code != 0 and "nobody" in missing.output


def test_verify_reveals_the_credential_not_the_person(
    app: Any, client: Any, two_tenants: dict[str, Any]
) -> None:
    public_id = two_tenants["credential"]
    assert len(public_id) == 32  # a random UUID: ids cannot be walked
    answer = client.get(f"/verify/{public_id}?format=json").get_json()
    assert set(answer) == {"status", "name", "valid_from", "valid_until", "revoked_at"}
    assert answer["status"] == "current" and answer["name"] == "Alpha forklift"
    page = client.get(f"/verify/{public_id}").get_data(as_text=True)
    # The holder's name and the training, to compare with the person showing it; nothing more.
    assert "Alpha forklift" in page and "Anna Alpha" in page
    for private in ("a-learner", "127.0.0.1:", "@"):
        assert private not in page.split("<main", 1)[-1], private
    assert client.get("/verify/" + "0" * 32).status_code == 404
