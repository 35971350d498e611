"""Trainer and administrator pages: proposals, manual entries with uploads, corrections, the
matrix and its exports, framework import, identity links, revocation and erasure."""

from __future__ import annotations

import csv
import io
import json

from lxml import html
from openpyxl import load_workbook
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.frameworks import MOODLE_HEADERS
from lti_tool.passports.models import Credential, EntryRevision, PassportAudit, PassportEntry

from .conftest import (
    EXECUTABLE,
    OTHER_COURSE,
    OTHER_TRAINER,
    OUTSIDER,
    csrf_token,
    launch_context,
    sign_in,
    tiny_pdf,
    tiny_png,
)


def _user_id(app, sub):
    with app.app_context():
        return db.session.scalars(select(User).where(User.sub == sub)).one().id


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


ENTRY_FORM = {
    "title": "Asbestos awareness",
    "provider": "Elsewhere Ltd",
    "modality": "external",
    "started_on": "2026-03-02",
    "completed_on": "2026-03-03",
    "hours": "7,5",
    "result": "passed",
}


def test_learner_proposes_with_evidence_and_trainer_approves(passport_app):
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner2")
    token = csrf_token(learner, "/passport/propose")
    r = learner.post(
        "/passport/propose",
        data={
            **ENTRY_FORM,
            "csrf_token": token,
            "certificate": (io.BytesIO(tiny_png()), "scan.png"),
        },
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:400]
    karim = _user_id(passport_app, "demo-learner-2")
    assert (
        _count(
            passport_app,
            PassportEntry,
            PassportEntry.user_id == karim,
            PassportEntry.status == "proposed",
        )
        == 1
    )
    page = learner.get("/passport/").get_data(as_text=True)
    assert "Asbestos awareness" in page and "waiting for your trainer" in page

    trainer = passport_app.test_client()
    sign_in(passport_app, trainer, "instructor")
    home = trainer.get("/passport/trainer/")
    doc = html.fromstring(home.get_data(as_text=True))
    cards = doc.xpath('//*[@data-testid="pending-proposal"]')
    assert len(cards) == 1 and "Karim Benali" in cards[0].text_content()
    form = cards[0].xpath(".//form")[0]
    evidence = cards[0].xpath(".//a[contains(@href, '/certificate')]/@href")[0]
    assert trainer.get(evidence, follow_redirects=True).data.startswith(b"\x89PNG")
    fields = {i.name: i.value for i in form.inputs if i.name == "csrf_token"}
    r = trainer.post(
        form.action, data={**fields, "decision": "approve", "note": "Certificate checked"}
    )
    assert r.status_code == 303
    with passport_app.app_context():
        entry = db.session.scalars(
            select(PassportEntry).where(PassportEntry.title == "Asbestos awareness")
        ).one()
        assert (
            entry.status == "approved"
            and entry.approved_by.name == "Tom Peeters"
            and entry.approved_at
        )
        assert str(entry.hours) == "7.50"
        assert entry.added_by_id == karim
    assert "Asbestos awareness" in learner.get("/passport/").get_data(as_text=True)


def test_proposal_without_evidence_or_with_a_forged_file_is_refused(passport_app):
    client = passport_app.test_client()
    sign_in(passport_app, client, "learner")
    token = csrf_token(client, "/passport/propose")
    r = client.post("/passport/propose", data={**ENTRY_FORM, "csrf_token": token})
    assert r.status_code == 400 and "Add evidence" in r.get_data(as_text=True)
    r = client.post(
        "/passport/propose",
        data={
            **ENTRY_FORM,
            "csrf_token": token,
            "certificate": (io.BytesIO(EXECUTABLE), "certificate.pdf"),
        },
    )
    assert r.status_code == 400 and "Send a PDF, PNG or JPEG file." in r.get_data(as_text=True)
    assert _count(passport_app, PassportEntry, PassportEntry.title == "Asbestos awareness") == 0


def test_an_oversized_upload_is_refused_before_it_is_read(passport_app):
    client = passport_app.test_client()
    sign_in(passport_app, client, "learner")
    token = csrf_token(client, "/passport/propose")
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    r = client.post(
        "/passport/propose",
        data={**ENTRY_FORM, "csrf_token": token, "certificate": (big, "big.pdf")},
    )
    assert r.status_code == 413
    assert "too large" in r.get_data(as_text=True)
    assert _count(passport_app, PassportEntry, PassportEntry.title == "Asbestos awareness") == 0


def test_forms_without_a_csrf_token_are_refused(passport_app):
    client = passport_app.test_client()
    sign_in(passport_app, client, "learner")
    r = client.post("/passport/propose", data={**ENTRY_FORM, "evidence_note": "see HR file"})
    assert r.status_code == 400
    assert "form" in r.get_data(as_text=True).lower()
    assert _count(passport_app, PassportEntry, PassportEntry.title == "Asbestos awareness") == 0


def test_trainer_adds_an_entry_with_certificate_and_corrections_keep_history(passport_app):
    karim = _user_id(passport_app, "demo-learner-2")
    trainer = passport_app.test_client()
    sign_in(passport_app, trainer, "instructor")
    path = f"/passport/trainer/learners/{karim}/entries/new"
    token = csrf_token(trainer, path)
    r = trainer.post(
        path,
        data={
            **ENTRY_FORM,
            "modality": "classroom",
            "csrf_token": token,
            "certificate": (io.BytesIO(tiny_pdf()), "../asbestos.pdf"),
        },
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:300]
    with passport_app.app_context():
        entry = db.session.scalars(
            select(PassportEntry).where(PassportEntry.title == "Asbestos awareness")
        ).one()
        assert entry.status == "approved" and entry.added_by.name == "Tom Peeters"
        assert entry.certificate.filename == "asbestos.pdf"
        entry_id = entry.id
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner2")
    # Served from the content origin, by a signed URL the tool's route sends the browser to.
    download = learner.get(f"/passport/entries/{entry_id}/certificate", follow_redirects=True)
    assert download.request.host == passport_app.config["LEARNPASS"].content_url.split("//")[1]
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert download.headers["Content-Disposition"] == 'attachment; filename="asbestos.pdf"'

    edit = f"/passport/trainer/entries/{entry_id}/edit"
    token = csrf_token(trainer, edit)
    r = trainer.post(
        edit,
        data={
            **ENTRY_FORM,
            "hours": "8",
            "csrf_token": token,
            "note": "Hours on the certificate are 8",
        },
    )
    assert r.status_code == 303
    with passport_app.app_context():
        revision = db.session.scalars(
            select(EntryRevision).where(EntryRevision.entry_id == entry_id)
        ).one()
        assert revision.changes["hours"] == ["7.50", "8.00"]
        assert revision.note == "Hours on the certificate are 8"
    page = learner.get(f"/passport/entries/{entry_id}").get_data(as_text=True)
    assert "Hours on the certificate are 8" in page


def test_trainer_sees_only_learners_of_their_own_courses(passport_app):
    outsider = launch_context(passport_app, OUTSIDER, OTHER_COURSE)
    other_trainer = launch_context(passport_app, OTHER_TRAINER, OTHER_COURSE)
    karim = _user_id(passport_app, "demo-learner-2")
    trainer = passport_app.test_client()
    ctx = sign_in(passport_app, trainer, "instructor")
    assert trainer.get(f"/passport/trainer/learners/{karim}").status_code == 200
    assert trainer.get(f"/passport/trainer/learners/{outsider.user_id}").status_code == 404
    assert (
        trainer.get(f"/passport/trainer/learners/{outsider.user_id}/entries/new").status_code == 404
    )
    assert (
        trainer.get(f"/passport/trainer/matrix?course={other_trainer.course_id}").status_code == 404
    )
    assert (
        trainer.get(f"/passport/trainer/matrix.csv?course={other_trainer.course_id}").status_code
        == 404
    )
    assert trainer.get(f"/passport/trainer/matrix?course={ctx.course_id}").status_code == 200
    assert "Olga" not in trainer.get("/passport/trainer/").get_data(as_text=True)
    # The other course's trainer does not see the demo course's learners either.
    other = passport_app.test_client()
    sign_in(passport_app, other, OTHER_TRAINER, OTHER_COURSE)
    assert other.get(f"/passport/trainer/learners/{karim}").status_code == 404
    assert other.get(f"/passport/trainer/matrix?course={ctx.course_id}").status_code == 404


def test_matrix_page_filters_and_exports(passport_app):
    trainer = passport_app.test_client()
    sign_in(passport_app, trainer, "instructor")
    page = trainer.get("/passport/trainer/matrix")
    doc = html.fromstring(page.get_data(as_text=True))
    rows = doc.xpath('//*[@data-testid="matrix-row"]')
    assert [r.xpath("string(th)") for r in rows] == ["Karim Benali", "Lena de Vries"]
    headers = [th.text_content() for th in doc.xpath("//table[@class='matrix']/thead//th")][1:]
    lena = dict(zip(headers, rows[1].xpath("td/@data-state")))
    assert lena == {
        "First aid (EHBO)": "expiring",
        "VCA basic safety": "valid",
        "Working at height": "missing",
    }
    expired = html.fromstring(
        trainer.get("/passport/trainer/matrix?state=expired").get_data(as_text=True)
    )
    assert [r.xpath("string(th)") for r in expired.xpath('//*[@data-testid="matrix-row"]')] == [
        "Karim Benali"
    ]

    text = trainer.get("/passport/trainer/matrix.csv?state=expired").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][0] == "Learner" and len(table) == 2 and table[1][0] == "Karim Benali"
    assert any(cell.startswith("Expired on ") for cell in table[1])
    assert not any("until" in cell for cell in table[1])

    workbook = load_workbook(io.BytesIO(trainer.get("/passport/trainer/matrix.xlsx").data))
    sheet = workbook.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Learner" and [v[0] for v in values[1:]] == [
        "Karim Benali",
        "Lena de Vries",
    ]
    assert values[2][headers.index("Working at height") + 1] == "Missing"


def test_trainer_chooses_required_trainings(passport_app):
    trainer = passport_app.test_client()
    ctx = sign_in(passport_app, trainer, "instructor")
    page = trainer.get("/passport/trainer/matrix").get_data(as_text=True)
    doc = html.fromstring(page)
    forklift = doc.xpath(
        "//label[span[text()='Forklift driver']]/input[@name='training_type_ids']/@value"
    )[0]
    token = csrf_token(trainer, "/passport/trainer/matrix")
    r = trainer.post(
        f"/passport/trainer/courses/{ctx.course_id}/required",
        data={"csrf_token": token, "training_type_ids": [forklift]},
    )
    assert r.status_code == 303
    doc = html.fromstring(trainer.get("/passport/trainer/matrix").get_data(as_text=True))
    assert [th.text_content() for th in doc.xpath("//table[@class='matrix']/thead//th")] == [
        "Learner",
        "Forklift driver",
    ]


def test_admin_imports_a_framework_adds_types_and_links_identities(passport_app):
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    token = csrf_token(admin, "/passport/admin/")
    csv_text = (
        ",".join(f'"{h}"' for h in MOODLE_HEADERS)
        + "\n"
        + '"","WELD","Welding","","1","","","","","","","","1",""\n'
        + '"","WELD-1","Weld steel plates","","1","","","","","","","","0",""\n'
    )
    r = admin.post(
        "/passport/admin/frameworks",
        data={"csrf_token": token, "framework": (io.BytesIO(csv_text.encode()), "weld.csv")},
        follow_redirects=True,
    )
    assert "Framework Welding imported with 1 competence." in r.get_data(as_text=True)
    r = admin.post(
        "/passport/admin/frameworks",
        data={"csrf_token": token, "framework": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")},
        follow_redirects=True,
    )
    assert "not Moodle" in r.get_data(as_text=True)
    r = admin.post(
        "/passport/admin/training-types",
        data={
            "csrf_token": token,
            "code": "WELD",
            "name": "Welding licence",
            "validity_months": "48",
        },
        follow_redirects=True,
    )
    assert "Welding licence" in r.get_data(as_text=True) and "valid 48 months" in r.get_data(
        as_text=True
    )

    lena = _user_id(passport_app, "demo-learner-1")
    twin = launch_context(
        passport_app, {**OUTSIDER, "sub": "lena-at-plant-b", "name": "Lena de Vries"}, OTHER_COURSE
    ).user_id
    r = admin.post(
        "/passport/admin/identity-links",
        data={"csrf_token": token, "primary_user_id": str(lena), "linked_user_id": str(twin)},
        follow_redirects=True,
    )
    assert "share one passport" in r.get_data(as_text=True)
    twin_client = passport_app.test_client()
    sign_in(
        passport_app,
        twin_client,
        {**OUTSIDER, "sub": "lena-at-plant-b", "name": "Lena de Vries"},
        OTHER_COURSE,
    )
    assert "First aid refresher" in twin_client.get("/passport/").get_data(as_text=True)


def test_admin_revokes_a_credential_and_verify_says_so(passport_app):
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    lena = _user_id(passport_app, "demo-learner-1")
    with passport_app.app_context():
        entry_id = db.session.scalars(
            select(PassportEntry.id).where(
                PassportEntry.user_id == lena, PassportEntry.title == "VCA basic safety"
            )
        ).one()
    assert learner.get(f"/passport/entries/{entry_id}/credential").status_code == 200
    with passport_app.app_context():
        public_id = db.session.scalars(
            select(Credential.public_id).where(Credential.entry_id == entry_id)
        ).one()
    anyone = passport_app.test_client()
    assert anyone.get(f"/verify/{public_id}?format=json").get_json()["status"] == "current"

    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    token = csrf_token(admin, "/passport/admin/")
    assert (
        learner.post(
            f"/passport/admin/credentials/{public_id}/revoke",
            data={"csrf_token": csrf_token(learner, "/passport/propose")},
        ).status_code
        == 403
    )
    r = admin.post(
        f"/passport/admin/credentials/{public_id}/revoke",
        data={"csrf_token": token, "reason": "Issued by mistake", "confirm": "yes"},
    )
    assert r.status_code == 303
    page = anyone.get(f"/verify/{public_id}").get_data(as_text=True)
    doc = html.fromstring(page)
    assert doc.xpath('//*[@data-testid="verify-status"]/@data-status') == ["revoked"]
    assert "Issued by mistake" in page
    with passport_app.app_context():
        assert db.session.scalars(select(PassportAudit.action)).all() == ["revoke"]
    # The revocation holds: downloading again gives no fresh credential (test_revoked_credentials).
    assert learner.get(f"/passport/entries/{entry_id}/credential").status_code == 410
    assert _count(passport_app, Credential, Credential.entry_id == entry_id) == 1


def test_expired_and_tampered_credentials(passport_app):
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    lena = _user_id(passport_app, "demo-learner-1")
    with passport_app.app_context():
        entry_id = db.session.scalars(
            select(PassportEntry.id).where(
                PassportEntry.user_id == lena, PassportEntry.title == "Fire warden"
            )
        ).one()
    learner.get(f"/passport/entries/{entry_id}/credential")
    with passport_app.app_context():
        credential = db.session.scalars(
            select(Credential).where(Credential.entry_id == entry_id)
        ).one()
        public_id = credential.public_id
        assert (
            passport_app.test_client().get(f"/verify/{public_id}?format=json").get_json()["status"]
            == "expired"
        )
        head, payload, signature = credential.token.split(".")
        credential.token = ".".join(
            [head, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), signature]
        )
        db.session.commit()
    assert (
        passport_app.test_client().get(f"/verify/{public_id}?format=json").get_json()["status"]
        == "not_genuine"
    )


def test_learner_downloads_all_their_data_and_admin_erases_with_confirmation(passport_app):
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    token = csrf_token(learner, "/passport/propose")
    learner.post(
        "/passport/propose",
        data={
            **ENTRY_FORM,
            "csrf_token": token,
            "certificate": (io.BytesIO(tiny_pdf()), "asbestos.pdf"),
        },
    )
    data = json.loads(learner.get("/passport/my-data.json").data)
    assert (
        data["person"]["name"] == "Lena de Vries" and data["person"]["email"] == "lena@example.org"
    )
    assert len(data["passport_entries"]) == 6
    assert data["files"][0]["filename"] == "asbestos.pdf" and data["files"][0][
        "content"
    ].startswith("JVBERi0")  # base64 of %PDF-
    assert data["enrolments"][0]["course"] == "Veilig werken op de bouwplaats"

    lena = _user_id(passport_app, "demo-learner-1")
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    path = f"/passport/admin/people/{lena}/erase"
    token = csrf_token(admin, path)
    r = admin.post(path, data={"csrf_token": token, "confirm": "yes"})
    assert r.status_code == 400
    assert _count(passport_app, PassportEntry, PassportEntry.user_id == lena) == 6
    r = admin.post(path, data={"csrf_token": token, "confirm": "ERASE"})
    assert r.status_code == 303
    assert _count(passport_app, PassportEntry, PassportEntry.user_id == lena) == 0
    with passport_app.app_context():
        person = db.session.get(User, lena)
        assert person.name == "" and person.email == ""
        record = db.session.scalars(select(PassportAudit)).one()
        assert (
            record.action == "erase"
            and record.details["entries"] == 6
            and record.details["files"] == 1
        )
        # A random reference, not the hash of her id: the record cannot lead back to her.
        assert record.subject_ref.startswith("erased:") and "demo-learner-1" not in json.dumps(
            record.details
        )
        assert record.actor_id == _user_id(passport_app, "demo-admin-1")


def test_admin_bulk_export_has_one_row_per_learner_and_training(passport_app):
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    rows = list(
        csv.DictReader(io.StringIO(admin.get("/passport/admin/export.csv").get_data(as_text=True)))
    )
    assert len(rows) == 6
    assert {(r["name"], r["training"]) for r in rows} >= {
        ("Lena de Vries", "Fire warden"),
        ("Karim Benali", "VCA basic safety"),
    }
    assert {r["status"] for r in rows if r["training"] == "Fire warden"} == {"expired"}
    trainer = passport_app.test_client()
    sign_in(passport_app, trainer, "instructor")
    assert trainer.get("/passport/admin/export.csv").status_code == 403
