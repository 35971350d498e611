"""Documents an employer can trust: the verify page, the PDF passport and the certificate are
rendered and read back (text extracted with pypdfium2), with an expired training (Fire warden)
and an expiring one (First aid refresher) among Lena's entries; they name the issuing
organisation the platform's administrator set, in the reader's language and date format."""

from __future__ import annotations

import io
import re
from typing import Any

import jwt
import pypdfium2 as pdfium
from lxml import html
from sqlalchemy import select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import Competence, IssuingOrganisation, PassportEntry

from .conftest import csrf_token, sign_in, tiny_pdf, tiny_png

ISSUER = "Bouwbedrijf Jansen BV"
ADDRESS = "Dorpsstraat 1\n8321 AB Urk"


def pdf_pages(body: bytes, picture: Any = None) -> list[str]:
    """Each page's text; with ``picture`` (a path), the first page is also saved as a PNG."""
    assert body.startswith(b"%PDF-")
    document = pdfium.PdfDocument(body)
    try:
        if picture is not None:
            document[0].render(scale=1.5).to_pil().save(picture)
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def flat(text: str) -> str:
    """PDF text with its line breaks as spaces (a wrapped cell is one phrase again)."""
    return " ".join(text.split())


def set_issuer(app: Any, logo: bytes | None = None) -> Any:
    admin = app.test_client()
    sign_in(app, admin, "admin")
    token = csrf_token(admin, "/passport/admin/issuer")
    data: dict[str, Any] = {"csrf_token": token, "name": ISSUER, "address": ADDRESS}
    if logo is not None:
        data["logo"] = (io.BytesIO(logo), "logo.png")
    r = admin.post("/passport/admin/issuer", data=data, content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    return admin


def entry_id(app: Any, title: str) -> int:
    with app.app_context():
        lena = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        return db.session.scalars(
            select(PassportEntry.id).where(
                PassportEntry.user_id == lena.id, PassportEntry.title == title
            )
        ).one()


def verify_page(client: Any, url: str) -> Any:
    path = url.split("://", 1)[1].split("/", 1)[1]
    r = client.get("/" + path)
    assert r.status_code == 200
    return html.fromstring(r.get_data(as_text=True))


def test_pdf_passport_verify_page_and_certificate_read_back(passport_app, tmp_path):
    admin = set_issuer(passport_app, logo=tiny_png())
    page = html.fromstring(admin.get("/passport/admin/issuer").get_data(as_text=True))
    assert page.xpath('string(//*[@data-testid="issuer-name"])') == ISSUER
    logo_src = page.xpath('//*[@data-testid="issuer-preview"]//img/@src')[0]
    logo = passport_app.test_client().get(logo_src)  # public: no launch
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert logo.data.startswith(b"\x89PNG")

    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")

    # The PDF passport: issuer, each training's status, results, competences, the QR link.
    r = learner.get("/passport/export.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = flat("\n".join(pdf_pages(r.data, tmp_path / "passport.png")))
    assert ISSUER in text and "Dorpsstraat 1" in text and "8321 AB Urk" in text
    assert f"by {ISSUER}" in text
    assert "Lena de Vries" in text
    assert re.search(r"Fire warden .*Expired on \w+ \d+, \d{4}", text), text
    assert re.search(r"First aid refresher .*Expires soon, on \w+ \d+, \d{4}", text), text
    assert "Valid, expires on" in text
    assert "until" not in text.lower()
    assert "Valid: 3 · expire soon: 1 · expired: 1" in text
    assert "92%" in text and "passed" in text  # results
    assert "Competences" in text and "First aid" in text  # the competence profile
    verify_url = re.search(r"http\S+/verify/[0-9a-f]+", text).group(0)

    # The verify page of the passport: genuine, but it says which trainings expired.
    doc = verify_page(passport_app.test_client(), verify_url)
    status = doc.xpath('string(//*[@data-testid="verify-status"])')
    assert "Genuine." in status and "Genuine and valid" not in status
    assert "1 of the trainings listed has expired." in " ".join(status.split())
    assert doc.xpath('string(//*[@data-testid="verify-issuer-name"])') == ISSUER
    assert "8321 AB Urk" in doc.xpath('string(//*[@data-testid="verify-issuer"])')
    assert doc.xpath('//*[@data-testid="verify-issuer"]//img/@alt') == [f"Logo of {ISSUER}"]
    trainings = {
        t.xpath("string(h3)"): (t.get("data-state"), " ".join(t.text_content().split()))
        for t in doc.xpath('//*[@data-testid="verify-training"]')
    }
    assert trainings["Fire warden"][0] == "expired"
    assert "Expired on" in trainings["Fire warden"][1]
    assert trainings["First aid refresher"][0] == "expiring"
    assert "Expires soon, on" in trainings["First aid refresher"][1]
    assert trainings["VCA basic safety"][0] == "valid"
    assert "Result92%" in trainings["Ladders and scaffolds (e-learning)"][1]
    assert "learnpass" not in doc.xpath('string(//*[@data-testid="verify-issuer"])')

    # The certificate of the expired training: one page, its status, a link that verifies.
    fire = entry_id(passport_app, "Fire warden")
    r = learner.get(f"/passport/entries/{fire}/certificate.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pages = pdf_pages(r.data, tmp_path / "certificate.png")
    assert len(pages) == 1
    text = flat(pages[0])
    for words in (ISSUER, "Dorpsstraat 1", "Certificate", "Lena de Vries", "Fire warden"):
        assert words in text, words
    assert "BHV Nederland" in text and "passed" in text and "Expired on" in text
    cert_url = re.search(r"http\S+/verify/[0-9a-f]+", text).group(0)
    doc = verify_page(passport_app.test_client(), cert_url)
    assert doc.xpath('//*[@data-testid="verify-status"]/@data-status') == ["expired"]
    assert "Expired on" in doc.xpath('string(//*[@data-testid="verify-status"])')
    assert doc.xpath('string(//*[@data-testid="verify-name"])') == "Fire warden"

    # The expiring training's certificate says so, and its verify page does too.
    aid = entry_id(passport_app, "First aid refresher")
    text = flat(pdf_pages(learner.get(f"/passport/entries/{aid}/certificate.pdf").data)[0])
    assert "Expires soon, on" in text
    doc = verify_page(
        passport_app.test_client(), re.search(r"http\S+/verify/[0-9a-f]+", text).group(0)
    )
    assert doc.xpath('//*[@data-testid="verify-entry-status"]/@data-state') == ["expiring"]

    # The Open Badges file is the same credential, with the issuer's name and image.
    token = learner.get(f"/passport/entries/{aid}/credential").get_data(as_text=True)
    issuer = jwt.decode(token, options={"verify_signature": False})["vc"]["issuer"]
    assert issuer["name"] == ISSUER
    assert issuer["image"]["type"] == "Image"
    assert re.search(r"/passport/issuers/\d+/logo\.png\?v=\d+$", issuer["image"]["id"])
    entry_page = learner.get(f"/passport/entries/{aid}").get_data(as_text=True)
    assert "Print the certificate (PDF)" in entry_page
    assert "Digital badge for a badge wallet (Open Badges file)" in entry_page


def test_documents_in_the_readers_language(passport_app):
    set_issuer(passport_app)
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    expected = {
        "nl": ("Verlopen op", "Verloopt binnenkort, op", "oktober|november|december|januari"),
        "fr": ("Expirée le", "Expire bientôt, le", "octobre|novembre|décembre|janvier"),
        "de": ("Abgelaufen am", "Läuft bald ab, am", "Oktober|November|Dezember|Januar"),
    }
    for lang, (expired, expiring, _months) in expected.items():
        text = flat(pdf_pages(learner.get(f"/passport/export.pdf?lang={lang}").data)[0])
        assert expired in text and expiring in text, (lang, text)
        assert "Expired on" not in text
        # Dates as people of the language write them, not 2026-10-02.
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text.split("http")[0]), (lang, text)
        fire = entry_id(passport_app, "Fire warden")
        text = flat(pdf_pages(learner.get(f"/passport/entries/{fire}/certificate.pdf").data)[0])
        assert expired in text and ISSUER in text


def test_issuer_form_refuses_what_it_cannot_keep(passport_app):
    admin = set_issuer(passport_app, logo=tiny_png())
    with passport_app.app_context():
        before = db.session.scalars(select(IssuingOrganisation)).one()
        saved_logo = before.logo_png
    for upload, reason in (
        (tiny_pdf(), "Send the logo as a PNG or JPEG image."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "Send the logo as a PNG or JPEG image."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (3 * 1024 * 1024), "larger than 2 MB"),
    ):
        r = admin.post(
            "/passport/admin/issuer",
            data={
                "csrf_token": csrf_token(admin, "/passport/admin/issuer"),
                "name": "Someone else",
                "address": "",
                "logo": (io.BytesIO(upload), "logo.png"),
            },
            content_type="multipart/form-data",
        )
        assert r.status_code in (400, 413), r.status_code
        if r.status_code == 400:
            body = r.get_data(as_text=True)
            assert reason in body
            assert 'value="Someone else"' in body  # what was typed is kept
    with passport_app.app_context():
        after = db.session.scalars(select(IssuingOrganisation)).one()
        assert after.name == ISSUER and after.logo_png == saved_logo  # nothing half-written
    r = admin.post(
        "/passport/admin/issuer",
        data={"csrf_token": csrf_token(admin, "/passport/admin/issuer"), "name": "x" * 300},
    )
    assert r.status_code == 400 and "longer than 255" in r.get_data(as_text=True)
    # Every problem at once, with what was typed kept (a file is chosen again: the page says so).
    r = admin.post(
        "/passport/admin/issuer",
        data={
            "csrf_token": csrf_token(admin, "/passport/admin/issuer"),
            "name": "y" * 300,
            "address": "Street 1\n" + "z" * 1200,
            "logo": (io.BytesIO(tiny_pdf()), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    page = html.fromstring(r.get_data(as_text=True))
    problems = page.xpath('//*[@data-testid="form-problems"]//li/text()')
    assert r.status_code == 400 and len(problems) == 4, problems
    assert any("longer than 255" in p for p in problems)
    assert any("longer than 1,000" in p for p in problems)
    assert any("PNG or JPEG" in p for p in problems)
    assert any("Choose the logo again" in p for p in problems)
    assert page.xpath('//input[@name="name"]/@value') == ["y" * 300]
    assert page.xpath("string(//textarea[@name='address'])").startswith("Street 1")
    assert page.xpath('//a[contains(@href, "/passport/admin/")]')  # a way back
    # Only the platform's administrator edits it; the form needs its CSRF token.
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    assert learner.get("/passport/admin/issuer").status_code == 403
    assert admin.post("/passport/admin/issuer", data={"name": "x"}).status_code == 400


def test_certificate_only_of_ones_own_or_a_visible_learner(passport_app):
    fire = entry_id(passport_app, "Fire warden")
    other = passport_app.test_client()
    sign_in(passport_app, other, "learner2")
    assert other.get(f"/passport/entries/{fire}/certificate.pdf").status_code == 404
    trainer = passport_app.test_client()
    sign_in(passport_app, trainer, "instructor")
    r = trainer.get(f"/passport/trainer/entries/{fire}/certificate.pdf")
    assert r.status_code == 200 and "Fire warden" in flat(pdf_pages(r.data)[0])
    # Without a setting, the documents name the platform, never the tool.
    text = flat(pdf_pages(r.data)[0])
    assert "Issued by learnpass demo platform." in text

    # A revoked training prints no certificate: the learner is told why.
    from lti_tool.passports import credentials

    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    assert learner.get(f"/passport/entries/{fire}/certificate.pdf").status_code == 200
    sign_in(passport_app, passport_app.test_client(), "admin")
    with passport_app.app_context():
        admin = db.session.scalars(select(User).where(User.sub == demo.USERS["admin"]["sub"])).one()
        entry = db.session.get(PassportEntry, fire)
        issued = credentials.issue_for_entry(
            db.session(), entry, base_url="http://localhost", issuer_name="x"
        )
        credentials.revoke(
            db.session(), issued, actor=admin, reason="Wrong person", base_url="http://localhost"
        )
    r = learner.get(f"/passport/entries/{fire}/certificate.pdf")
    assert r.status_code == 410 and r.mimetype == "text/html"
    assert trainer.get(f"/passport/trainer/entries/{fire}/certificate.pdf").status_code == 410
    entry_page = learner.get(f"/passport/entries/{fire}").get_data(as_text=True)
    assert "Print the certificate (PDF)" not in entry_page


def test_certificate_stays_one_page_with_long_texts(passport_app):
    """A very long title, provider, result and twenty competences are cut, never a second page."""
    import datetime as dt

    from lti_tool.passports.certificate import certificate_pdf
    from lti_tool.passports.issuer import issuer_for
    from lti_tool.passports.models import Competence
    from lti_tool.passports.pdf_layout import Reader

    fire = entry_id(passport_app, "Fire warden")
    with passport_app.app_context(), db.session.no_autoflush:
        entry = db.session.get(PassportEntry, fire)
        entry.title = "Working safely in confined spaces " * 12
        entry.provider = "Safety Academy of the Northern Provinces " * 8
        entry.result = "passed with distinction " * 15
        # Never written: the rollback below drops them.
        entry.competences = [
            Competence(shortname=f"Competence number {n} with a long name") for n in range(20)
        ]
        issuer = issuer_for(db.session(), entry.user.platform_id, "learnpass")
        body = certificate_pdf(
            entry,
            "http://127.0.0.1/verify/" + "a" * 32,
            issuer,
            Reader(lambda s: s),
            today=dt.date.today(),
            warn_days=60,
        )
        db.session.rollback()
    pages = pdf_pages(body)
    assert len(pages) == 1
    text = flat(pages[0])
    assert "Lena de Vries" in text and "Expired on" in text
    assert "http://127.0.0.1/verify/" + "a" * 32 in text.replace(" ", "")


# What Lena's trainings are called in each language: VCA's title is its type's name, so it reads
# as the type's name in the reader's language; "Fire warden" and "First aid refresher" were
# written by a person, so they stay, and their type is named beside them in the reader's words.
NAMES = {
    "nl": ("VCA basisveiligheid", "Bedrijfshulpverlening (BHV)", "Eerste hulp (EHBO)", "Brandbestrijding", "Zorg", "geslaagd"),
    "fr": ("VCA sécurité de base", "Équipier d'intervention incendie", "Premiers secours", "Lutte contre l'incendie", "Soins", "réussi"),
    "de": ("SCC Basis", "Brandschutzhelfer", "Erste Hilfe", "Brandbekämpfung", "Fürsorge", "bestanden"),
}  # fmt: skip


def _name_fire_competence(app: Any) -> None:
    """The competence of Lena's fire warden training, and its area, named per language."""
    with app.app_context():
        fire = db.session.scalars(
            select(Competence).where(Competence.idnumber == "LP-CARE-FIRE")
        ).one()
        fire.names = {lang: words[3] for lang, words in NAMES.items()}
        fire.area_names = {lang: words[4] for lang, words in NAMES.items()}
        db.session.commit()


def test_training_names_in_the_readers_language(passport_app):
    set_issuer(passport_app)
    _name_fire_competence(passport_app)
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    fire = entry_id(passport_app, "Fire warden")
    aid = entry_id(passport_app, "First aid refresher")
    for lang, (vca, warden, first_aid, competence, area, passed) in NAMES.items():
        # The PDF passport: each title and type in the reader's language, with its status.
        text = flat("\n".join(pdf_pages(learner.get(f"/passport/export.pdf?lang={lang}").data)))
        assert vca in text and "VCA basic safety" not in text, (lang, text)
        assert f"Fire warden ({warden})" in text, (lang, text)
        assert f"First aid refresher ({first_aid})" in text, (lang, text)
        assert f"{competence} ({area} ·" in text, (lang, text)
        assert passed in text and " passed " not in text, (lang, text)
        verify_url = re.search(r"http\S+/verify/[0-9a-f]+", text).group(0)

        # Its verify page, read in the same language: the signed snapshot keeps the names.
        doc = verify_page(passport_app.test_client(), f"{verify_url}?lang={lang}")
        listed = {
            t.xpath("string(h3)"): (
                t.get("data-state"),
                t.xpath('string(.//*[@data-testid="verify-type"])'),
                " ".join(t.text_content().split()),
            )
            for t in doc.xpath('//*[@data-testid="verify-training"]')
        }
        assert listed[vca][0] == "valid" and listed[vca][1] == ""
        assert listed["Fire warden"][:2] == ("expired", warden)
        assert listed["First aid refresher"][:2] == ("expiring", first_aid)
        assert passed in listed[vca][2]
        assert "VCA basic safety" not in doc.text_content()

        # The certificates of the expired and the expiring training.
        for entry, type_name in ((fire, warden), (aid, first_aid)):
            body = learner.get(f"/passport/entries/{entry}/certificate.pdf?lang={lang}").data
            text = flat(pdf_pages(body)[0])
            assert type_name in text and passed in text, (lang, text)
            if entry == fire:
                assert competence in text, (lang, text)
            cert_url = re.search(r"http\S+/verify/[0-9a-f]+", text).group(0)
            doc = verify_page(passport_app.test_client(), f"{cert_url}?lang={lang}")
            assert doc.xpath('string(//*[@data-testid="verify-type"])') == type_name

    # The learner's own page says the same, and an English reader sees the names as given.
    page = learner.get("/passport/?lang=nl").get_data(as_text=True)
    assert "VCA basisveiligheid" in page and "VCA basic safety" not in page
    text = flat(pdf_pages(learner.get("/passport/export.pdf?lang=en").data)[0])
    assert "VCA basic safety" in text and "Fire warden (Fire warden (BHV))" in text
