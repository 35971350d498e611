"""The learner's passport through a real LTI launch over HTTP, and what ids in URLs can reach."""

from __future__ import annotations

import json
import re

import jwt
import pytest
from lxml import html
from sqlalchemy import select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import PassportEntry
from tests.lti.flows import auto_form, launch

from .conftest import tiny_pdf


def _passport_link(app):
    with app.app_context():
        return next(
            link["id"] for link in demo.links() if link["custom"].get("target") == "passport"
        )


def _entries_of(app, sub):
    with app.app_context():
        user = db.session.scalars(select(User).where(User.sub == sub)).one()
        return user.id, [
            e.id
            for e in db.session.scalars(
                select(PassportEntry).where(PassportEntry.user_id == user.id)
            )
        ]


def test_learner_launch_opens_their_passport(passport_app, live_server, http):
    r = launch(http, live_server.url, user="learner", link=_passport_link(passport_app))
    assert r.status_code == 200, r.text
    assert "/passport/" in r.url
    doc = html.fromstring(r.text)
    assert doc.xpath('string(//*[@data-testid="passport-owner"])') == "Lena de Vries"
    assert doc.xpath('string(//*[@data-testid="entry-count"])') == "5"
    assert doc.xpath('string(//*[@data-testid="hours-total"])') == "41"
    assert "First aid refresher expires on" in doc.xpath(
        'string(//*[@data-testid="expiring-item"])'
    )
    assert "Fire warden expired on" in doc.xpath('string(//*[@data-testid="expired-item"])')
    assert {
        c.text_content().split(" (")[0] for c in doc.xpath('//*[@data-testid="competence"]')
    } >= {"Give first aid", "Assess workplace risks"}
    assert doc.xpath("//meta[@name='viewport']")
    assert len(doc.xpath("//h1")) == 1
    # Karim's entry (the demo's other learner) is not on Lena's page.
    assert r.text.count("VCA basic safety") >= 1 and "Karim" not in r.text


def test_changing_ids_in_urls_never_reveals_another_learners_entry(passport_app, live_server, http):
    lena_id, lena_entries = _entries_of(passport_app, "demo-learner-1")
    with passport_app.app_context():
        entry = db.session.get(PassportEntry, lena_entries[0])
        from lti_tool.passports.models import CertificateFile

        entry.certificate = CertificateFile(
            owner_id=lena_id,
            filename="vca.pdf",
            media_type="application/pdf",
            size=10,
            sha256="0",
            content=tiny_pdf(),
        )
        db.session.commit()
    r = launch(http, live_server.url, user="learner2", link=_passport_link(passport_app))
    assert r.status_code == 200
    assert "Lena" not in r.text
    base = live_server.url
    for entry_id in lena_entries:
        for suffix in ("", "/certificate", "/credential"):
            probe = http.get(f"{base}/passport/entries/{entry_id}{suffix}")
            assert probe.status_code == 404, (entry_id, suffix, probe.status_code)
            assert "Lena" not in probe.text and "%PDF" not in probe.text
    for path in (
        f"/passport/trainer/learners/{lena_id}",
        f"/passport/trainer/entries/{lena_entries[0]}",
        f"/passport/trainer/entries/{lena_entries[0]}/certificate",
        "/passport/trainer/matrix",
        f"/passport/admin/people/{lena_id}/erase",
        "/passport/admin/export.csv",
    ):
        probe = http.get(base + path)
        assert probe.status_code == 403, (path, probe.status_code)
        assert "Lena" not in probe.text
    # Ids in the query string are ignored: the passport is always the launch's own.
    for path in (
        f"/passport/?user_id={lena_id}",
        f"/passport/export.json?user={lena_id}",
        f"/passport/my-data.json?user_id={lena_id}",
    ):
        probe = http.get(base + path)
        assert probe.status_code == 200
        assert "Lena" not in probe.text and "Karim Benali" in probe.text
    exported = http.get(base + "/passport/export.json").json()
    assert [e["title"] for e in exported["entries"]] == ["VCA basic safety"]


def test_without_a_launch_the_passport_asks_to_come_from_the_course(
    passport_app, live_server, http
):
    r = http.get(live_server.url + "/passport/")
    assert r.status_code == 401
    assert "learning platform" in r.text


def test_credential_is_a_signed_open_badge_that_verifies(passport_app, live_server, http):
    _lena_id, lena_entries = _entries_of(passport_app, "demo-learner-1")
    launch(http, live_server.url, user="learner", link=_passport_link(passport_app))
    with passport_app.app_context():
        entry = db.session.scalars(
            select(PassportEntry).where(
                PassportEntry.id.in_(lena_entries), PassportEntry.title == "First aid refresher"
            )
        ).one()
    r = http.get(f"{live_server.url}/passport/entries/{entry.id}/credential")
    assert r.status_code == 200
    token = r.text
    header = jwt.get_unverified_header(token)
    jwks = http.get(live_server.url + "/lti/jwks.json").json()
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(
        token, jwt.PyJWK(key).key, algorithms=["RS256"], options={"verify_exp": False}
    )
    vc = claims["vc"]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in vc["@context"]
    assert vc["validFrom"] < vc["validUntil"]
    subject = vc["credentialSubject"]
    assert subject["achievement"]["name"] == "First aid refresher"
    assert [a["targetCode"] for a in subject["achievement"]["alignment"]] == ["LP-CARE-AID"]
    assert subject["hours"] == 8.0
    assert "demo-learner-1" not in json.dumps(vc)  # the LMS user id travels only hashed
    # The same entry gives the same credential until it changes.
    assert http.get(f"{live_server.url}/passport/entries/{entry.id}/credential").text == token

    page = http.get(vc["id"])
    assert page.status_code == 200
    doc = html.fromstring(page.text)
    assert doc.xpath('//*[@data-testid="verify-status"]/@data-status') == ["current"]
    assert doc.xpath('string(//*[@data-testid="verify-holder"])') == "Lena de Vries"
    public_id = vc["id"].rsplit("/", 1)[-1]
    assert (
        http.get(f"{live_server.url}/verify/{public_id}?format=json").json()["status"] == "current"
    )
    assert http.get(f"{live_server.url}/verify/not-a-credential").status_code == 404


def test_pdf_carries_the_name_and_a_verification_link(passport_app, live_server, http):
    launch(http, live_server.url, user="learner", link=_passport_link(passport_app))
    r = http.get(live_server.url + "/passport/export.pdf")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/pdf"
    body = r.content
    assert body.startswith(b"%PDF-")
    match = re.search(rb"/URI \((http[^)]+/verify/[0-9a-f]+)\)", body)
    assert match, "no verification link annotation"
    verify_url = match.group(1).decode()
    assert b"/Title (Training passport of Lena de Vries)" in body
    page = http.get(verify_url)
    doc = html.fromstring(page.text)
    assert doc.xpath('//*[@data-testid="verify-status"]/@data-status') == ["current"]
    assert doc.xpath('string(//*[@data-testid="verify-holder"])') == "Lena de Vries"
    assert "First aid refresher" in page.text
    # Downloading again without changes reuses the same signed snapshot.
    again = http.get(live_server.url + "/passport/export.pdf").content
    assert verify_url.encode() in again


def test_deep_linking_offers_my_passport(passport_app, live_server, http):
    r = launch(http, live_server.url, user="instructor", dl=True)
    assert r.status_code == 200
    form = auto_form(r)
    assert "passport" in r.text and "My passport" in r.text
    assert form.fields["csrf_token"]


def test_pdf_renders_with_the_name_and_wraps_long_titles(passport_app, tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    from lti_tool.passports import overview, services
    from lti_tool.passports.issuer import issuer_for
    from lti_tool.passports.passport_pdf import passport_pdf
    from lti_tool.passports.pdf_layout import Reader

    long_title = (
        "Working safely with hazardous substances in confined spaces, including gas measurement"
    )
    with passport_app.app_context():
        lena = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        services.record_completion(
            db.session(),
            user_id=lena.id,
            title=long_title,
            provider="Safety Academy",
            modality="classroom",
            started_on=None,
            completed_on=None,
            hours=4,
            result="",
            competences=[],
            source="test",
            source_ref="long",
        )
        summary = overview.passport_summary(db.session(), lena.id)
        issuer = issuer_for(db.session(), lena.platform_id, "learnpass")
        body = passport_pdf(summary, "http://127.0.0.1/verify/abc", issuer, Reader(lambda s: s))
    document = pdfium.PdfDocument(body)
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        assert "Lena de Vries" in text
        assert "gas measurement" in text and "Fire warden" in text
        image = page.render(scale=1).to_pil()
        image.save(tmp_path / "passport.png")
        assert image.convert("L").getextrema()[0] < 50  # something dark was drawn
    finally:
        document.close()
