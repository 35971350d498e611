"""Data in the reader's language: names per language of the catalogue, results, days and hours.

A training type or framework of the administrator's own platform gets a name per language on its
names page; every page shows the reader's, else the name given. Moodle's CSV holds one language:
importing it again keeps the others. Organisation-wide ones are read-only from a platform.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from flask_babel import force_locale
from lxml import html
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.passports import display
from lti_tool.passports.forms import typed_decimal
from lti_tool.passports.frameworks import MOODLE_HEADERS
from lti_tool.passports.models import (
    Competence,
    CompetenceFramework,
    PassportEntry,
    TrainingType,
)
from tests.security.conftest import csrf_token, launch_as, sign_in

from .conftest import launch_context

CSV = (
    ",".join(f'"{h}"' for h in MOODLE_HEADERS)
    + "\n"
    + '"","OWN-FW","Safety basics","","1","","","","","","","","1",""\n'
    + '"","OWN-AREA","Working at height","","1","","","","","","","","0",""\n'
    + '"OWN-AREA","OWN-LADDER","Use a ladder","","1","","","","","","","","0",""\n'
)


def _client(app: Any, role: str) -> Any:
    client = app.test_client()
    sign_in(client, launch_as(app, platform="demo", role=role, sub=f"demo-{role}-names"))
    return client


def _own_type(app: Any, admin: Any) -> int:
    admin.post(
        "/passport/admin/training-types",
        data={
            "csrf_token": csrf_token(admin, "/passport/admin/"),
            "code": "OWN-LIFT",
            "name": "Forklift driving",
            "validity_months": "24",
        },
    )
    with app.app_context():
        return db.session.scalars(
            select(TrainingType.id).where(TrainingType.code == "OWN-LIFT")
        ).one()


def test_a_training_type_reads_in_the_readers_language(passport_app: Any) -> None:
    admin = _client(passport_app, "admin")
    type_id = _own_type(passport_app, admin)
    page = f"/passport/admin/training-types/{type_id}/names"
    response = admin.post(
        page,
        data={
            "csrf_token": csrf_token(admin, page),
            "name_nl": "Heftruck rijden",
            "name_fr": "Conduite de chariot élévateur",
            "name_de": "",
            "name_en": "Forklift driving",
        },
    )
    assert response.status_code == 303
    with passport_app.app_context():
        saved = db.session.get(TrainingType, type_id)
        assert saved.names == {
            "nl": "Heftruck rijden",
            "fr": "Conduite de chariot élévateur",
            "en": "Forklift driving",
        }
    trainer = _client(passport_app, "instructor")
    for lang, shown in (
        ("nl", "Heftruck rijden"),
        ("fr", "Conduite de chariot élévateur"),
        ("de", "Forklift driving"),
    ):
        body = trainer.get(f"/passport/trainer/matrix?lang={lang}").get_data(as_text=True)
        options = html.fromstring(body).xpath('//input[@name="training_type_ids"]/..//text()')
        assert shown in options, (lang, options)
    # The list in the admin's page links to the names page, in the reader's language.
    doc = html.fromstring(admin.get("/passport/admin/?lang=nl").get_data(as_text=True))
    assert "Heftruck rijden" in doc.xpath('//*[@data-testid="training-type"]//a/text()')


def test_organisation_wide_names_are_read_only_from_a_platform(passport_app: Any) -> None:
    admin = _client(passport_app, "admin")
    with passport_app.app_context():
        shared = db.session.scalars(
            select(TrainingType).where(TrainingType.platform_id.is_(None))
        ).first()
        shared_id, before = shared.id, dict(shared.names)
    page = f"/passport/admin/training-types/{shared_id}/names"
    body = admin.get(page).get_data(as_text=True)
    assert "readonly" in body and "Save the names" not in body
    response = admin.post(page, data={"csrf_token": csrf_token(admin, page), "name_nl": "Gekaapt"})
    assert response.status_code == 403
    with passport_app.app_context():
        assert db.session.get(TrainingType, shared_id).names == before


def test_framework_names_survive_a_new_import_and_name_the_area(passport_app: Any) -> None:
    admin = _client(passport_app, "admin")

    def upload() -> None:
        response = admin.post(
            "/passport/admin/frameworks",
            data={
                "csrf_token": csrf_token(admin, "/passport/admin/"),
                "framework": (io.BytesIO(CSV.encode()), "fw.csv"),
            },
        )
        assert response.status_code in (302, 303)

    upload()
    with passport_app.app_context():
        fw = db.session.scalars(
            select(CompetenceFramework).where(CompetenceFramework.idnumber == "OWN-FW")
        ).one()
        ids = {c.idnumber: c.id for c in fw.competences}
        fw_id = fw.id
    page = f"/passport/admin/frameworks/{fw_id}/names"
    response = admin.post(
        page,
        data={
            "csrf_token": csrf_token(admin, page),
            "name_nl": "Basis veiligheid",
            f"c{ids['OWN-AREA']}_name_nl": "Werken op hoogte",
            f"c{ids['OWN-LADDER']}_name_nl": "Een ladder gebruiken",
            f"c{ids['OWN-LADDER']}_name_fr": "Utiliser une échelle",
        },
    )
    assert response.status_code == 303
    upload()  # Moodle's file again: one language, the others stay
    with passport_app.app_context():
        ladder = db.session.get(Competence, ids["OWN-LADDER"])
        assert ladder.names == {"nl": "Een ladder gebruiken", "fr": "Utiliser une échelle"}
        assert ladder.area_names == {"nl": "Werken op hoogte"}
        assert db.session.get(CompetenceFramework, fw_id).names == {"nl": "Basis veiligheid"}
        with passport_app.test_request_context("/"):
            from lti_tool.passports import names

            assert names.local_name(ladder, "nl") == "Een ladder gebruiken"
            assert names.local_name(ladder, "de") == "Use a ladder"
            assert names.area_name(ladder, "nl") == "Werken op hoogte"
            assert names.area_name(ladder, "fr") == "Working at height"
    trainer = _client(passport_app, "instructor")
    with passport_app.app_context():
        learner = launch_as(passport_app, platform="demo", role="learner", sub="demo-learner-names")
    form = trainer.get(f"/passport/trainer/learners/{learner.user_id}/entries/new?lang=nl")
    text = form.get_data(as_text=True)
    assert "Een ladder gebruiken" in text and "Werken op hoogte" in text


@pytest.mark.parametrize(
    ("locale", "day", "hours", "result"),
    [
        ("nl", "2 oktober 2026", "7,5", "geslaagd (85%)"),
        ("fr", "2 octobre 2026", "7,5", "réussi (85 %)"),
        ("de", "2. Oktober 2026", "7,5", "bestanden (85 %)"),
        ("en", "October 2, 2026", "7.5", "passed (85%)"),
    ],
)
def test_days_hours_and_results_by_locale(
    app: Any, locale: str, day: str, hours: str, result: str
) -> None:
    with app.test_request_context("/"), force_locale(locale):
        assert display.day(dt.date(2026, 10, 2)) == day
        assert display.hours_text(Decimal("7.50")) == hours
        assert display.hours_text(Decimal("8.00")) == "8"
        assert display.result_label("passed (85%)") == result
        assert display.result_label("Good, with distinction") == "Good, with distinction"
        assert typed_decimal(hours) == Decimal("7.5")


@pytest.mark.parametrize("locale", ["nl", "fr", "de", "en"])
def test_typed_hours_are_read_by_locale(app: Any, locale: str) -> None:
    with app.test_request_context("/"), force_locale(locale):
        assert typed_decimal("7,5") == Decimal("7.5")
        assert typed_decimal("7.5") == Decimal("7.5")
        assert typed_decimal("") == Decimal("0")
        with pytest.raises(InvalidOperation):
            typed_decimal("seven")


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "&lt;b&gt;Ladders &amp; steps&lt;/b&gt; expired on March 2, 2020."),
        ("nl", "&lt;b&gt;Ladders &amp; steps&lt;/b&gt; is verlopen op 2 maart 2020."),
    ],
)
def test_needs_attention_sentences_are_translated_with_the_title_escaped(
    passport_app: Any, lang: str, sentence: str
):
    """The sentences are worded once per page (display.attention_lines), as the template's
    _() wrote each one: the translation as it is, the title and day escaped."""
    client = passport_app.test_client()
    learner = sign_in(client, launch_context(passport_app, "learner"))
    with passport_app.app_context():
        db.session.add(
            PassportEntry(
                user_id=learner.user_id,
                title="<b>Ladders & steps</b>",
                completed_on=dt.date(2019, 3, 2),
                valid_until=dt.date(2020, 3, 2),
            )
        )
        db.session.commit()
    page = client.get(f"/passport/?lang={lang}").get_data(as_text=True)
    items = re.findall(r'<li data-testid="expired-item">(.*?)</li>', page)
    assert sentence in items
