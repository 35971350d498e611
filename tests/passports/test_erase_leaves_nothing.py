"""An erase leaves nothing: after an admin erases a learner who has data in every feature, no
table of the database holds their name, e-mail or LTI user id, nor the hashes the tool derived
from that id. The tables are read from the database itself, so a table a later feature adds is
checked too. Their open session stops working, and a later launch of the same person starts a
fresh user that nothing links to the erased one."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from lxml import html
from sqlalchemy import MetaData, Table, inspect, select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox, KeyValue, User
from lti_tool.passports import credentials, identities, learner_groups
from lti_tool.passports.models import Credential, PassportEntry
from tests.lti.flows import launch
from tests.scorm.builders import PAGE, single_sco_12, write_zip
from tests.scorm.flows import commit, place_package, player_config
from tests.xapi.builders import make_client
from tests.xapi.test_attachments import attachment_meta, multipart
from xapi.actor import account_actor

from .conftest import csrf_token, launch_context, sign_in, tiny_pdf

LENA = demo.USERS["learner"]
# Lena's account on an older platform course, which an admin linked to her passport.
OLD_SUB = "lena-old-lms-77"
ACTIVITY = "https://example.org/activities/ladder-safety"
XAPI = {"X-Experience-API-Version": "1.0.3"}
MAIL_SHA1 = hashlib.sha1(("mailto:" + LENA["email"]).encode(), usedforsecurity=False).hexdigest()

CMI5_XML = """<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/erase-course">
  <title><langstring lang="en">Ladders</langstring></title></course>
  <au id="https://example.org/erase-course/au1" moveOn="Completed">
  <title><langstring>One</langstring></title>
  <url>index.html</url></au></courseStructure>"""


def imported(runner: Any, path: Path) -> int:
    result = runner.invoke(args=["scorm", "import", str(path)])
    assert result.exit_code == 0, result.output
    return int(result.output.split("package ", 1)[1].split(" ", 1)[0])


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def tables_holding(app: Any, needles: list[str]) -> dict[str, set[str]]:
    """Every table of the database (read from the database, not from our models) whose rows
    contain one of ``needles`` anywhere in any column, as text; table name -> needles found."""
    found: dict[str, set[str]] = {}
    with app.app_context():
        assert db.engine is not None
        with db.engine.connect() as conn:
            names = inspect(conn).get_table_names()
            assert {"lp_user", "kv_store", "scorm_sco_state", "xapi_statement"} <= set(names)
            for name in names:
                table = Table(name, MetaData(), autoload_with=conn)
                for row in conn.execute(select(table)):
                    text = "\x1f".join(_text(v) for v in row)
                    for needle in needles:
                        if needle in text:
                            found.setdefault(name, set()).add(needle)
    return found


def derived_ids(issuer: str, sub: str) -> list[str]:
    """The pseudonyms the tool computes from an account (audit subject, credential subject)."""
    digest = hashlib.sha256(f"{issuer}|{sub}".encode()).hexdigest()
    return [digest, digest[:32]]


def open_cmi5_au(http: requests.Session, page: requests.Response) -> dict[str, str]:
    (link,) = html.fromstring(page.text).xpath('//a[contains(@class, "scorm-toc-item")]')
    r = http.get(urlsplit(page.url)._replace(path=link.get("href"), query="").geturl())
    assert r.history and r.history[0].status_code == 303, r.text[:300]
    # The last redirect: the content origin's single-use entry sends the browser on to the AU.
    au_url = r.history[-1].headers["Location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(au_url).query).items()}


def test_erase_leaves_nothing_of_the_person_in_any_table(
    passport_app: Any, runner: Any, live_server: Any, http: requests.Session, tmp_path: Path
) -> None:
    app, base = passport_app, live_server.url
    with app.app_context():
        issuer = demo.issuer()
        scorm_id = imported(runner, single_sco_12(tmp_path / "scorm.zip"))
        place_package(http, base, scorm_id)
        scorm_link = demo.links()[-1]
        cmi5_id = imported(
            runner, write_zip(tmp_path / "cmi5.zip", {"cmi5.xml": CMI5_XML, "index.html": PAGE})
        )
        place_package(http, base, cmi5_id)
        cmi5_link = demo.links()[-1]

    # SCORM: a real launch, and a commit naming her as the run time does; passed, so a grade
    # waits in the outbox, a passport entry is added and statements with her name are stored.
    http.cookies.clear()
    config = player_config(launch(http, base, user="learner", link=scorm_link["id"]))
    cmi = {
        "core": {
            "student_id": LENA["sub"],
            "student_name": LENA["name"],
            "lesson_location": "page-3",
            "lesson_status": "passed",
            "exit": "suspend",
            "session_time": "00:05:00",
            "total_time": "00:05:00",
            "score": {"raw": "90", "min": "0", "max": "100"},
        },
        "suspend_data": "bookmark=3",
        "interactions": {},
    }
    r = commit(http, base, config, config["scos"][0]["id"], cmi, seq=1, trigger="terminate")
    assert r.status_code == 200 and r.json()["stored"] is True, r.text

    # cmi5: a launch in another browser session; the AU fetches its token (an LRS client bound
    # to her) and keeps learner preferences in her agent profile.
    au_http = requests.Session()
    au = open_cmi5_au(au_http, launch(au_http, base, user="learner", link=cmi5_link["id"]))
    token = au_http.post(au["fetch"], timeout=30).json()["auth-token"]
    preferences = (
        au["endpoint"]
        + "agents/profile?"
        + urlencode({"agent": au["actor"], "profileId": "cmi5LearnerPreferences"})
    )
    auth = {**XAPI, "Authorization": "Basic " + token}
    provided = au_http.get(preferences, headers=auth, timeout=30)  # the LMS wrote it at launch
    assert provided.status_code == 200, provided.text
    r = au_http.put(
        preferences,
        json={"languagePreference": "nl-NL"},
        headers={**auth, "If-Match": provided.headers["ETag"]},
        timeout=30,
    )
    assert r.status_code == 204, r.text

    # The LRS: a trainer's statement naming her as instructor, and a state document about her.
    headers = make_client(app, ["all"])
    client = app.test_client()
    lena_agent = account_actor(issuer, LENA["sub"], LENA["name"])
    karim = account_actor(issuer, "demo-learner-2", "Karim Benali")
    r = client.post(
        "/xapi/statements",
        json={
            "actor": karim,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
            "object": {"objectType": "Activity", "id": ACTIVITY},
            "context": {"instructor": lena_agent},
        },
        headers=headers,
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    # Another client knows her by her e-mail, as a mailbox and as its hash...
    by_mail = {"objectType": "Agent", "mbox": "mailto:" + LENA["email"], "name": "L. de Vries"}
    r = client.post(
        "/xapi/statements",
        json={
            "actor": karim,
            "verb": {"id": "https://example.org/verbs/mentored"},
            "object": by_mail,
            # ... and in the same statement by her account: one agent, named two ways.
            "context": {
                "instructor": lena_agent,
                "team": {"objectType": "Group", "member": [{"mbox_sha1sum": MAIL_SHA1}]},
            },
        },
        headers=headers,
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    mail_state = "/xapi/activities/state?" + urlencode(
        {"activityId": ACTIVITY, "agent": json.dumps(by_mail), "stateId": "notes"}
    )
    assert client.put(mail_state, json={"seen": True}, headers=headers).status_code == 204
    # Her own statement with a report attached that names her.
    report = f"Ladder check by {LENA['name']} <{LENA['email']}>".encode()
    body, content_type = multipart(
        {
            "actor": lena_agent,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"objectType": "Activity", "id": ACTIVITY},
            "attachments": [attachment_meta(report)],
        },
        [(report, "text/plain")],
    )
    r = client.post("/xapi/statements", data=body, content_type=content_type, headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    state = "/xapi/activities/state?" + urlencode(
        {"activityId": ACTIVITY, "agent": json.dumps(lena_agent), "stateId": "notes"}
    )
    r = client.put(state, json={"who": LENA["name"], "mail": LENA["email"]}, headers=headers)
    assert r.status_code == 204, r.get_data(as_text=True)

    # The passport: a proposal with a certificate, a credential, the passport PDF, a group, and
    # a second identity of hers linked by the admin.
    learner = app.test_client()
    sign_in(app, learner, "learner")
    r = learner.post(
        "/passport/propose",
        data={
            "title": "Asbestos awareness",
            "provider": "Elsewhere Ltd",
            "modality": "external",
            "started_on": "2026-03-02",
            "completed_on": "2026-03-03",
            "hours": "7,5",
            "result": "passed",
            "csrf_token": csrf_token(learner, "/passport/propose"),
            "certificate": (io.BytesIO(tiny_pdf(LENA["name"])), "asbestos.pdf"),
        },
    )
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:500]
    with app.app_context():
        lena = db.session.scalars(select(User).where(User.sub == LENA["sub"])).one()
        lena_id = lena.id
        approved = db.session.scalars(
            select(PassportEntry.id).where(
                PassportEntry.user_id == lena_id,
                PassportEntry.status == "approved",
                PassportEntry.completed_on.is_not(None),
            )
        ).first()
    assert learner.get(f"/passport/entries/{approved}/credential").status_code == 200
    assert learner.get("/passport/export.pdf").status_code == 200
    old = launch_context(app, {**LENA, "sub": OLD_SUB})
    admin = app.test_client()
    admin_ctx = sign_in(app, admin, "admin")
    with app.app_context():
        session = db.session()
        group = learner_groups.create_group(
            session, _course_id(lena_id), "Night shift", actor_id=admin_ctx.user_id
        )
        learner_groups.set_group_members(session, group, [lena_id])
        identities.link_identities(
            session, lena_id, old.user_id, admin_ctx.user_id, platform_id=old.platform_id
        )
        # An admin revoked one credential with a reason that names her.
        credentials.revoke(
            session,
            session.scalars(select(Credential).where(Credential.user_id == lena_id)).first(),
            actor=session.get(User, admin_ctx.user_id),
            reason=f"{LENA['name']} failed the practical test.",
            base_url=base,
        )
        assert db.session.scalars(select(GradeOutbox).where(GradeOutbox.user_id == lena_id)).all()
        assert db.session.scalars(select(Credential).where(Credential.user_id == lena_id)).all()

    needles = [
        LENA["name"],
        LENA["email"],
        LENA["sub"],
        OLD_SUB,
        MAIL_SHA1,
        *derived_ids(issuer, LENA["sub"]),
        *derived_ids(issuer, OLD_SUB),
    ]
    before = tables_holding(app, needles)
    # The data is really there, in the tables of every feature.
    assert {
        "lp_user",
        "kv_store",
        "scorm_sco_state",
        "cmi5_session",
        "xapi_statement",
        "xapi_document",
        "xapi_client",
        "xapi_attachment",
        "passport_audit",
        "passport_credential",
    } <= set(before), before

    with app.app_context():
        bound_before = [
            row.key
            for row in db.session.scalars(
                select(KeyValue).where(KeyValue.key.startswith("content-binding:"))
            )
            if row.value.get("user") == lena_id
        ]
    path = f"/passport/admin/people/{lena_id}/erase"
    r = admin.post(path, data={"csrf_token": csrf_token(admin, path), "confirm": "ERASE"})
    assert r.status_code == 303, r.get_data(as_text=True)[:800]

    left = tables_holding(app, needles)
    assert not left, f"the erase left the person in: {sorted(left.items())}"
    # The content origin's browser bindings name her by user id alone: they end with her too.
    with app.app_context():
        bindings = [
            row.value
            for row in db.session.scalars(
                select(KeyValue).where(KeyValue.key.startswith("content-binding:"))
            )
        ]
    assert bound_before and not [b for b in bindings if b.get("user") == lena_id], bindings

    # Her open sessions no longer open anything: neither the player's browser nor the passport.
    assert http.get(base + "/passport/", timeout=30).status_code == 401
    assert learner.get("/passport/").status_code == 401
    # Others keep theirs, and their data.
    assert admin.get("/passport/admin/").status_code == 200
    with app.app_context():
        karim_row = db.session.scalars(select(User).where(User.sub == "demo-learner-2")).one()
        assert karim_row.name == "Karim Benali"
        erased = db.session.get(User, lena_id)
        assert erased is not None and erased.name == erased.email == ""

    # She comes back through the platform: a new, empty user, not the erased row.
    again = requests.Session()
    assert launch(again, base, user="learner").status_code == 200
    with app.app_context():
        fresh = db.session.scalars(select(User).where(User.sub == LENA["sub"])).one()
        assert fresh.id != lena_id
        assert not db.session.scalars(
            select(PassportEntry).where(PassportEntry.user_id.in_([fresh.id, lena_id]))
        ).all()


def _course_id(user_id: int) -> int:
    from lti_tool.models import Enrolment

    return int(
        db.session.scalars(select(Enrolment.course_id).where(Enrolment.user_id == user_id)).first()
    )


def test_a_session_the_erase_did_not_find_opens_nothing(passport_app: Any) -> None:
    """The erase deletes the sessions it recognises; one kept elsewhere (another instance's copy,
    a restored backup) still ends, because a launch of an erased person is no launch."""
    from lti_tool.shared_store import SharedStore

    app = passport_app
    learner = app.test_client()
    sign_in(app, learner, "learner")
    assert learner.get("/passport/").status_code == 200
    with app.app_context():
        store = SharedStore(db.session())
        (key,) = [
            k
            for k in store.keys_with_prefix("session:")
            if (store.get(k) or {}).get("launch", {}).get("sub") == LENA["sub"]
        ]
        kept = store.get(key)
        lena_id = kept["launch"]["user_id"]
    admin = app.test_client()
    sign_in(app, admin, "admin")
    path = f"/passport/admin/people/{lena_id}/erase"
    r = admin.post(path, data={"csrf_token": csrf_token(admin, path), "confirm": "ERASE"})
    assert r.status_code == 303
    with app.app_context():
        store = SharedStore(db.session())
        assert store.get(key) is None
        store.set(key, kept, 3600)
    assert learner.get("/passport/").status_code == 401
    with app.app_context():
        # The request that found the erased launch also dropped it from the session.
        assert "launch" not in (SharedStore(db.session()).get(key) or {})


def test_an_erase_that_fails_halfway_changes_nothing(passport_app: Any) -> None:
    """One transaction: a feature's eraser failing after the passport's part undoes all of it."""
    from lti_tool import erasure as core
    from lti_tool.passports import erasure

    app = passport_app
    learner = app.test_client()
    sign_in(app, learner, "learner")
    admin = launch_context(app, "admin")

    def broken(session: Any, user: User) -> dict[str, Any]:
        raise RuntimeError("disk full")

    core.register_eraser(broken)
    try:
        with app.app_context():
            lena = db.session.scalars(select(User).where(User.sub == LENA["sub"])).one()
            entries = len(
                db.session.scalars(
                    select(PassportEntry).where(PassportEntry.user_id == lena.id)
                ).all()
            )
            try:
                erasure.erase_learner(
                    db.session(), lena.id, actor_id=admin.user_id, base_url="http://tool"
                )
            except RuntimeError:
                db.session.rollback()
            else:
                raise AssertionError("the broken eraser did not run")
    finally:
        core._erasers.remove(broken)
    with app.app_context():
        lena = db.session.scalars(select(User).where(User.sub == LENA["sub"])).one()
        assert lena.name == LENA["name"] and lena.email == LENA["email"]
        assert (
            len(
                db.session.scalars(
                    select(PassportEntry).where(PassportEntry.user_id == lena.id)
                ).all()
            )
            == entries
            > 0
        )
    assert learner.get("/passport/").status_code == 200
