"""Admin actions are guarded: a training type's months are a positive number or "never
expires" on purpose, revoking shows whose credential it is and asks for a reason and a
confirmation, destructive buttons look destructive, and the people list can be searched."""

from __future__ import annotations

import io

from lxml import html
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports import credentials
from lti_tool.passports.models import Credential, PassportEntry, TrainingType

from .conftest import csrf_token, sign_in


def _type(app, code):
    with app.app_context():
        found = db.session.scalars(select(TrainingType).where(TrainingType.code == code)).first()
        return None if found is None else (found.name, found.validity_months)


def _problems(response) -> str:
    """The refused form's problems, shown on the page itself (nothing saved, 400)."""
    assert response.status_code == 400
    doc = html.fromstring(response.get_data(as_text=True))
    return " ".join(doc.xpath("string(//*[@data-testid='form-problems'])").split())


def test_months_are_a_positive_number_or_never_expires_ticked(passport_app):
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    token = csrf_token(admin, "/passport/admin/")
    base = {"csrf_token": token, "code": "NIGHT", "name": "Night work"}
    for months in ("", "0", "-3", "two", "1201"):
        r = admin.post("/passport/admin/training-types", data={**base, "validity_months": months})
        assert "whole number of months from 1 to 1200" in _problems(r), months
        assert _type(passport_app, "NIGHT") is None
    r = admin.post(
        "/passport/admin/training-types",
        data={**base, "validity_months": "12", "never_expires": "1"},
    )
    assert "not both" in _problems(r)
    assert _type(passport_app, "NIGHT") is None
    r = admin.post(
        "/passport/admin/training-types",
        data={**base, "validity_months": "", "never_expires": "1"},
    )
    assert r.status_code == 303 and _type(passport_app, "NIGHT") == ("Night work", None)
    # Changing it to 12 months goes through the confirmation; confirming "never" keeps working.
    r = admin.post("/passport/admin/training-types", data={**base, "validity_months": "12"})
    assert r.status_code == 200
    doc = html.fromstring(r.get_data(as_text=True))
    confirm = doc.xpath("//input[@name='confirm']/@value")[0]
    r = admin.post(
        "/passport/admin/training-types",
        data={**base, "validity_months": "12", "confirm": confirm},
    )
    assert r.status_code == 303 and _type(passport_app, "NIGHT") == ("Night work", 12)
    page = html.fromstring(admin.get("/passport/admin/").get_data(as_text=True))
    assert page.xpath("//input[@name='never_expires' and @type='checkbox']")
    assert page.xpath("//input[@id='tt-months']/@min") == ["1"]


def test_a_refused_training_type_keeps_what_was_typed_and_lists_every_problem(passport_app):
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    with passport_app.app_context():
        from lti_tool.passports.models import Competence

        competence_id = db.session.scalars(
            select(Competence.id).where(Competence.idnumber == "LP-CARE-FIRE")
        ).one()
    typed = {
        "csrf_token": csrf_token(admin, "/passport/admin/"),
        "code": "CRANE",
        "name": "",
        "validity_months": "12",
        "never_expires": "1",
        "competence_id": str(competence_id),
    }
    r = admin.post("/passport/admin/training-types", data=typed)
    assert r.status_code == 400 and _type(passport_app, "CRANE") is None
    doc = html.fromstring(r.get_data(as_text=True))
    problems = doc.xpath("//*[@data-testid='form-problems']//li")
    assert len(problems) == 2  # both at once: the name, and months with "never"
    text = " ".join(doc.xpath("string(//*[@data-testid='form-problems'])").split())
    assert "code and a name" in text and "not both" in text
    assert doc.xpath("//input[@id='tt-code']/@value") == ["CRANE"]
    assert doc.xpath("//input[@id='tt-months']/@value") == ["12"]
    assert doc.xpath("//input[@name='never_expires']/@checked")
    assert doc.xpath("//select[@id='tt-competence']/option[@selected]/@value") == [
        str(competence_id)
    ]
    # The page says where to look, and the other forms are not touched by it.
    assert doc.xpath("//a[@href='#types-problems']")
    assert doc.xpath("//*[@id='types-problems']")
    # Fixed and sent again from the same page: saved.
    r = admin.post(
        "/passport/admin/training-types",
        data={**typed, "name": "Crane operator", "never_expires": ""},
    )
    assert r.status_code == 303 and _type(passport_app, "CRANE") == ("Crane operator", 12)


def test_a_refused_framework_import_or_identity_link_says_why_on_the_page(passport_app):
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    token = csrf_token(admin, "/passport/admin/")
    r = admin.post(
        "/passport/admin/frameworks",
        data={"csrf_token": token, "framework": (io.BytesIO(b"\xff\xfe not text"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    doc = html.fromstring(r.get_data(as_text=True))
    assert "not UTF-8" in doc.xpath("string(//*[@id='frameworks-problems'])")
    with passport_app.app_context():
        lena = db.session.scalars(select(User.id).where(User.sub == "demo-learner-1")).one()
    r = admin.post(
        "/passport/admin/identity-links",
        data={"csrf_token": token, "primary_user_id": lena, "linked_user_id": lena},
    )
    assert r.status_code == 400
    doc = html.fromstring(r.get_data(as_text=True))
    assert doc.xpath("string(//*[@id='links-problems'])").strip()
    assert doc.xpath("//select[@id='primary']/option[@selected]/@value") == [str(lena)]
    assert doc.xpath("//select[@id='linked']/option[@selected]/@value") == [str(lena)]


def _lena_credential(app) -> str:
    with app.app_context():
        entry = db.session.scalars(
            select(PassportEntry).where(PassportEntry.title == "First aid refresher")
        ).one()
        credential = credentials.issue_for_entry(
            db.session(), entry, base_url="http://localhost", issuer_name="learnpass"
        )
        return credential.public_id


def test_revoking_shows_the_holder_and_needs_a_reason_and_a_confirmation(passport_app):
    app = passport_app
    public_id = _lena_credential(app)
    admin = app.test_client()
    sign_in(app, admin, "admin")
    page = html.fromstring(admin.get("/passport/admin/").get_data(as_text=True))
    revoke = page.xpath(f"//form[contains(@action, '{public_id}/revoke')]//button")[0]
    assert "danger" in revoke.get("class")
    token = csrf_token(admin, "/passport/admin/")
    url = f"/passport/admin/credentials/{public_id}/revoke"

    r = admin.post(url, data={"csrf_token": token, "reason": "Issued by mistake"})
    assert r.status_code == 200
    doc = html.fromstring(r.get_data(as_text=True))
    assert "Lena de Vries" in doc.xpath("string(//*[@data-testid='revoke-holder'])")
    assert doc.xpath("//input[@name='reason']/@value") == ["Issued by mistake"]
    assert "danger" in doc.xpath("//button[@type='submit']/@class")[0]

    def revoked() -> bool:
        with app.app_context():
            found = db.session.scalars(
                select(Credential).where(Credential.public_id == public_id)
            ).one()
            return found.revoked_at is not None

    assert not revoked()
    r = admin.post(url, data={"csrf_token": token, "reason": "  ", "confirm": "yes"})
    assert r.status_code == 400 and not revoked()
    assert "Say why" in html.fromstring(r.get_data(as_text=True)).xpath(
        "string(//*[@role='alert'])"
    )
    r = admin.post(url, data={"csrf_token": token, "reason": "Issued by mistake", "confirm": "yes"})
    assert r.status_code == 303 and revoked()


def test_destructive_buttons_look_destructive(passport_app):
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    with passport_app.app_context():
        from lti_tool.models import User

        lena = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one().id
    doc = html.fromstring(admin.get(f"/passport/admin/people/{lena}/erase").get_data(as_text=True))
    assert "danger" in doc.xpath("//main//button[@type='submit']/@class")[0]


def test_the_people_list_can_be_searched_and_keeps_the_search_when_paging(passport_app):
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    doc = html.fromstring(admin.get("/passport/admin/?q=KARIM").get_data(as_text=True))
    section = doc.xpath('//section[@aria-labelledby="people-heading"]')[0]
    names = [li.text_content().split("(")[0].strip() for li in section.xpath(".//ul/li")]
    assert names == ["Karim Benali"]
    assert section.xpath(".//input[@name='q']/@value") == ["KARIM"]
    doc = html.fromstring(admin.get("/passport/admin/?q=nobody-like-this").get_data(as_text=True))
    assert "Nobody of this platform matches." in doc.text_content()


def test_the_erase_page_counts_entries_with_plurals(passport_app):
    """ngettext, not "1 passport entries": Karim has one entry, Lena five."""
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    with passport_app.app_context():
        ids = {
            sub: db.session.scalars(select(User.id).where(User.sub == sub)).one()
            for sub in ("demo-learner-1", "demo-learner-2")
        }
    words = {
        ("demo-learner-2", "en"): "This removes 1 passport entry, its certificate",
        ("demo-learner-1", "en"): "This removes 5 passport entries, their certificates",
        ("demo-learner-2", "nl"): "Dit verwijdert 1 regel uit het paspoort",
        ("demo-learner-1", "nl"): "Dit verwijdert 5 regels uit het paspoort",
    }
    for (sub, lang), expected in words.items():
        page = admin.get(f"/passport/admin/people/{ids[sub]}/erase?lang={lang}")
        assert page.status_code == 200
        text = " ".join(html.fromstring(page.get_data(as_text=True)).text_content().split())
        assert expected in text, (sub, lang, text[:400])
