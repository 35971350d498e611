"""The HR view of a company: the administrator makes a company from trainers' groups and names
its HR; the HR person sees the people, their matrix and what expires, and downloads files that
open right in a European spreadsheet. Nobody else reaches a company, whatever id they try."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from lxml import html
from openpyxl import load_workbook
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Platform, User
from lti_tool.passports import erasure
from lti_tool.passports.models import Company, company_hr

from .conftest import OTHER_COURSE, OUTSIDER, csrf_token, sign_in

HR = {**OUTSIDER, "sub": "hr-person-1", "name": "Hanna HR", "email": "hanna@bakker.example"}


def _user_id(app: Any, sub: str) -> int:
    with app.app_context():
        return db.session.scalars(select(User).where(User.sub == sub)).one().id


def _group(client: Any, course_id: int, name: str, member_ids: list[int]) -> int:
    token = csrf_token(client, f"/passport/trainer/groups?course={course_id}")
    r = client.post(
        f"/passport/trainer/courses/{course_id}/groups", data={"csrf_token": token, "name": name}
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    group_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    token = csrf_token(client, f"/passport/trainer/groups/{group_id}")
    r = client.post(
        f"/passport/trainer/groups/{group_id}",
        data={"csrf_token": token, "name": name, "member_ids": [str(i) for i in member_ids]},
    )
    assert r.status_code == 303
    return group_id


def company_with_hr(
    app: Any, hr_person: Any = HR, hr_course: Any = OTHER_COURSE
) -> tuple[int, Any]:
    """Company "Bakker Bouw" = the trainer's group with Lena; Hanna (a learner of another
    course) is its HR unless told otherwise. Returns the company id and the HR's signed-in
    client."""
    hr = app.test_client()
    hr_ctx = sign_in(app, hr, hr_person, hr_course)
    trainer = app.test_client()
    ctx = sign_in(app, trainer, "instructor")
    lena = _user_id(app, "demo-learner-1")
    group_id = _group(trainer, ctx.course_id, "Bakker Bouw, day shift", [lena])

    admin = app.test_client()
    sign_in(app, admin, "admin")
    token = csrf_token(admin, "/passport/admin/companies")
    r = admin.post("/passport/admin/companies", data={"csrf_token": token, "name": "Bakker Bouw"})
    assert r.status_code == 303
    company_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    with app.app_context():
        hr_name = db.session.get(User, hr_ctx.user_id).name
    page = admin.get(f"/passport/admin/companies/{company_id}?q={hr_name.split()[0].lower()}")
    doc = html.fromstring(page.get_data(as_text=True))
    assert doc.xpath('//*[@data-testid="found-person"]//p/text()')[0].startswith(hr_name)
    token = doc.xpath("//input[@name='csrf_token']/@value")[0]
    r = admin.post(
        f"/passport/admin/companies/{company_id}",
        data={"csrf_token": token, "name": "Bakker Bouw", "group_ids": [str(group_id)]},
    )
    assert r.status_code == 303
    r = admin.post(
        f"/passport/admin/companies/{company_id}/hr",
        data={"csrf_token": token, "user_id": str(hr_ctx.user_id)},
    )
    assert r.status_code == 303
    return company_id, hr


def test_the_start_page_shows_the_hr_entries_once_someone_is_hr(passport_app):
    """The start page asks its entries' conditions in one select (main.home): a learner of
    another course has neither their people's training nor the surveys; as a company's HR, both."""
    hr = passport_app.test_client()
    sign_in(passport_app, hr, HR, OTHER_COURSE)
    before = hr.get("/home").get_data(as_text=True)
    assert "/passport/hr/" not in before and "/surveys/manage" not in before
    company_with_hr(passport_app)
    after = hr.get("/home").get_data(as_text=True)
    assert "/passport/hr/" in after and "/surveys/manage" in after


def test_the_start_pages_conditions_are_asked_for_each_launch(passport_app):
    """The select of the start page's conditions is built once per process and bound to each
    launch's person and platform: the HR's answer is not another person's."""
    _, hr = company_with_hr(passport_app)
    other = passport_app.test_client()
    sign_in(passport_app, other, {**HR, "sub": "not-hr-1", "name": "Nora Niet"}, OTHER_COURSE)
    for _ in range(2):
        assert "/passport/hr/" in hr.get("/home").get_data(as_text=True)
        page = other.get("/home").get_data(as_text=True)
        assert "Nora Niet" in page and "/passport/hr/" not in page and "/surveys/manage" not in page


def test_hr_sees_their_companys_people_matrix_and_what_expires(passport_app):
    company_id, hr = company_with_hr(passport_app)
    home = hr.get("/home").get_data(as_text=True)
    assert "/passport/hr/" in home
    r = hr.get("/passport/hr/")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/companies/{company_id}")
    page = hr.get(f"/passport/hr/companies/{company_id}")
    assert page.status_code == 200
    doc = html.fromstring(page.get_data(as_text=True))
    rows = [r.xpath("string(th)") for r in doc.xpath('//*[@data-testid="matrix-row"]')]
    assert rows == ["Lena de Vries"]  # Karim is in the course but not in the company's group
    states = doc.xpath('//*[@data-testid="matrix-row"]/td/@data-state')
    assert "expiring" in states
    attention = [
        " ".join(li.text_content().split()) for li in doc.xpath('//*[@data-testid="attention"]')
    ]
    assert any("Lena de Vries" in a and "First aid" in a and "expires on" in a for a in attention)
    # The HR link is in the passport's menu too.
    assert doc.xpath("//nav[@class='passport-nav']//a[contains(@href, '/passport/hr/')]")


def test_csv_has_a_bom_the_locales_separator_and_translated_headers(passport_app):
    company_id, hr = company_with_hr(passport_app)
    r = hr.get(f"/passport/hr/companies/{company_id}/export.csv", headers={"Accept-Language": "nl"})
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    body = r.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body[3:].decode("utf-8")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][0] == "Naam" and len(table[0]) == 6
    assert {line[0] for line in table[1:]} == {"Lena de Vries"}
    # A reader may choose the separator; English readers get commas by default.
    chosen = hr.get(
        f"/passport/hr/companies/{company_id}/export.csv?separator=tab",
        headers={"Accept-Language": "nl"},
    )
    assert "\t" in chosen.get_data()[3:].decode().splitlines()[0]
    english = hr.get(
        f"/passport/hr/companies/{company_id}/export.csv", headers={"Accept-Language": "en"}
    )
    assert english.get_data()[3:].decode().splitlines()[0].startswith("Name,E-mail,")


def test_xlsx_has_real_dates_colours_a_frozen_header_and_a_filter(passport_app):
    company_id, hr = company_with_hr(passport_app)
    r = hr.get(
        f"/passport/hr/companies/{company_id}/export.xlsx", headers={"Accept-Language": "de"}
    )
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.get_data())).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    assert sheet["A1"].value == "Name" and sheet["D1"].value == "Status"
    rows = list(sheet.iter_rows(min_row=2))
    assert rows
    dated = [row for row in rows if row[5].value is not None]
    assert dated and all(isinstance(row[5].value, dt.datetime) for row in dated)
    assert all(row[5].is_date for row in dated)
    fills = {row[3].value: row[3].fill.fgColor.rgb for row in rows}
    assert len(set(fills.values())) == len(fills) >= 2


def test_nobody_else_reaches_a_company(passport_app):
    app = passport_app
    company_id, _hr = company_with_hr(app)
    urls = [
        f"/passport/hr/companies/{company_id}",
        f"/passport/hr/companies/{company_id}/export.csv",
        f"/passport/hr/companies/{company_id}/export.xlsx",
    ]
    for who in ("learner", "instructor"):
        client = app.test_client()
        sign_in(app, client, who)
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        assert client.get("/passport/hr/").status_code == 200
    anonymous = app.test_client()
    assert anonymous.get(urls[0]).status_code == 401
    # A company of another platform does not exist for this platform's admin or HR.
    hanna = _user_id(app, HR["sub"])
    with app.app_context():
        other = Platform(
            issuer="https://other.example",
            client_id="o",
            auth_login_url="https://other.example/a",
            auth_token_url="https://other.example/t",
        )
        db.session.add(other)
        db.session.flush()
        foreign = Company(platform_id=other.id, name="Elsewhere BV")
        db.session.add(foreign)
        db.session.flush()
        db.session.execute(company_hr.insert().values(company_id=foreign.id, user_id=hanna))
        db.session.commit()
        foreign_id = foreign.id
    admin = app.test_client()
    sign_in(app, admin, "admin")
    assert admin.get(f"/passport/hr/companies/{company_id}").status_code == 200
    assert admin.get(f"/passport/hr/companies/{foreign_id}").status_code == 404
    assert admin.get(f"/passport/admin/companies/{foreign_id}").status_code == 404
    hr = app.test_client()
    sign_in(app, hr, HR, OTHER_COURSE)
    assert hr.get(f"/passport/hr/companies/{foreign_id}").status_code == 404
    # Only admins manage companies.
    assert hr.get("/passport/admin/companies").status_code == 403


def test_company_forms_refuse_bad_names_and_keep_what_was_typed(passport_app):
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    token = csrf_token(admin, "/passport/admin/companies")
    assert admin.post("/passport/admin/companies", data={"name": "Bakker"}).status_code == 400
    r = admin.post("/passport/admin/companies", data={"csrf_token": token, "name": "   "})
    assert r.status_code == 400 and "Give the company a name" in r.get_data(as_text=True)
    admin.post("/passport/admin/companies", data={"csrf_token": token, "name": "Bakker"})
    r = admin.post("/passport/admin/companies", data={"csrf_token": token, "name": " bakker "})
    assert r.status_code == 400
    doc = html.fromstring(r.get_data(as_text=True))
    assert doc.xpath("//input[@id='name']/@value") == [" bakker "]
    assert doc.xpath("//*[@role='alert']")


def test_erasing_the_hr_person_removes_their_hr_rights(passport_app):
    app = passport_app
    company_id, hr = company_with_hr(app)
    hanna = _user_id(app, HR["sub"])
    with app.app_context():
        erasure.erase_learner(db.session(), hanna, actor_id=hanna, base_url="http://localhost")
        assert db.session.execute(select(company_hr)).all() == []
    # The company stays for the others.
    admin = app.test_client()
    sign_in(app, admin, "admin")
    assert admin.get(f"/passport/hr/companies/{company_id}").status_code == 200
