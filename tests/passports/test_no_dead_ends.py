"""No dead ends: a refused form says every problem at once and keeps what was typed, a proposal
of training not yet followed (or of more hours than its days hold) is refused with a reason, a
too-large file says the limit, every error page has a way on, and inside the LMS's frame the
tool shows no second brand bar or language switch."""

from __future__ import annotations

import datetime as dt
import io

from lxml import html
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.passports.models import PassportEntry

from .conftest import csrf_token, sign_in, tiny_pdf

FORM = {
    "title": "Asbestos awareness",
    "provider": "Elsewhere Ltd",
    "modality": "external",
    "started_on": "2026-03-02",
    "completed_on": "2026-03-03",
    "hours": "7,5",
    "result": "passed",
    "evidence_note": "Certificate at the site office",
}


def _proposals(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(PassportEntry)
            .where(PassportEntry.title == FORM["title"])
        )


def _problems(response) -> list[str]:
    doc = html.fromstring(response.get_data(as_text=True))
    box = doc.xpath('//*[@data-testid="form-problems"]')[0]
    items = box.xpath(".//li")
    return [li.text_content() for li in items] if items else [box.text_content().strip()]


def test_a_proposal_in_the_future_or_with_too_many_hours_is_refused_with_a_reason(passport_app):
    app = passport_app
    client = app.test_client()
    sign_in(app, client, "learner")
    token = csrf_token(client, "/passport/propose")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    r = client.post(
        "/passport/propose",
        data={**FORM, "csrf_token": token, "started_on": tomorrow, "completed_on": tomorrow},
    )
    assert r.status_code == 400
    assert any("in the future" in p for p in _problems(r))
    r = client.post(
        "/passport/propose",
        data={
            **FORM,
            "csrf_token": token,
            "started_on": "2026-03-02",
            "completed_on": "2026-03-02",
            "hours": "30",
        },
    )
    assert r.status_code == 400
    assert any("30 hours do not fit in 1 day" in p for p in _problems(r))
    # Two days hold 30 hours.
    r = client.post("/passport/propose", data={**FORM, "csrf_token": token, "hours": "30"})
    assert r.status_code == 303
    assert _proposals(app) == 1


def test_a_bad_form_lists_every_problem_and_keeps_what_was_typed(passport_app):
    client = passport_app.test_client()
    sign_in(passport_app, client, "learner")
    token = csrf_token(client, "/passport/propose")
    r = client.post(
        "/passport/propose",
        data={
            **FORM,
            "csrf_token": token,
            "title": "",
            "hours": "lots",
            "started_on": "2026-03-05",
            "completed_on": "2026-03-01",
            "provider": "Typed provider",
        },
    )
    assert r.status_code == 400
    problems = _problems(r)
    assert len(problems) == 3, problems
    assert any("title" in p for p in problems)
    assert any("Hours must be a number" in p for p in problems)
    assert any("before the start date" in p for p in problems)
    doc = html.fromstring(r.get_data(as_text=True))
    assert doc.xpath("//input[@id='provider']/@value") == ["Typed provider"]
    assert doc.xpath("//input[@id='started_on']/@value") == ["2026-03-05"]
    assert _proposals(passport_app) == 0


def test_too_large_says_the_limit_and_error_pages_have_a_way_back(passport_app):
    client = passport_app.test_client()
    sign_in(passport_app, client, "learner")
    token = csrf_token(client, "/passport/propose")
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    referrer = "http://localhost/passport/propose"
    r = client.post(
        "/passport/propose",
        data={**FORM, "csrf_token": token, "certificate": (big, "big.pdf")},
        headers={"Referer": referrer},
    )
    assert r.status_code == 413
    doc = html.fromstring(r.get_data(as_text=True))
    assert "at most 10 MB" in doc.xpath("string(//*[@role='alert'])")
    links = {a.text_content().strip(): a.get("href") for a in doc.xpath("//main//a")}
    assert links["Back to the previous page"] == referrer
    assert links["To the start page"].endswith("/home")
    # Another site as the referrer is no way back: only the start page is offered.
    r = client.get("/passport/nothing-here", headers={"Referer": "https://evil.example/x"})
    assert r.status_code == 404
    doc = html.fromstring(r.get_data(as_text=True))
    hrefs = doc.xpath("//main//a/@href")
    assert hrefs and all("evil" not in h for h in hrefs)
    # Without a launch the page says to open learnpass from the course (no start page to offer).
    r = passport_app.test_client().get("/passport/")
    assert r.status_code == 401
    assert "open the activity again" in r.get_data(as_text=True)


def test_inside_the_lms_frame_there_is_no_second_brand_bar(passport_app):
    client = passport_app.test_client()
    sign_in(passport_app, client, "learner")
    framed = html.fromstring(
        client.get("/passport/", headers={"Sec-Fetch-Dest": "iframe"}).get_data(as_text=True)
    )
    assert framed.xpath("//header[contains(@class, 'site-header')]") == []
    assert framed.xpath("//nav[@class='passport-nav']")  # the page's own menu stays
    alone = html.fromstring(
        client.get("/passport/", headers={"Sec-Fetch-Dest": "document"}).get_data(as_text=True)
    )
    assert alone.xpath("//header[contains(@class, 'site-header')]")


def test_a_proposal_lists_future_dates_hours_and_missing_evidence_together(passport_app):
    """Every reason a proposal is refused, in one list: dates in the future, more hours than
    its days hold, no evidence, and a file that cannot be kept."""
    client = passport_app.test_client()
    sign_in(passport_app, client, "learner")
    token = csrf_token(client, "/passport/propose")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    typed = {
        **FORM,
        "csrf_token": token,
        "started_on": tomorrow,
        "completed_on": tomorrow,
        "hours": "30",
        "evidence_note": "",
    }
    r = client.post("/passport/propose", data=typed)
    assert r.status_code == 400
    problems = _problems(r)
    assert len(problems) == 3, problems
    assert any("in the future" in p for p in problems)
    assert any("30 hours do not fit in 1 day" in p for p in problems)
    assert any("Add evidence" in p for p in problems)
    doc = html.fromstring(r.get_data(as_text=True))
    assert doc.xpath("//input[@id='title']/@value") == [FORM["title"]]
    assert doc.xpath("//input[@id='hours']/@value") == ["30"]
    assert doc.xpath("//a[@data-testid='form-cancel']/@href") == ["/passport/"]  # a way back
    # A file that is no certificate is one more reason, not instead of the others.
    r = client.post(
        "/passport/propose",
        data={**typed, "certificate": (io.BytesIO(b"just text"), "note.txt")},
        content_type="multipart/form-data",
    )
    problems = _problems(r)
    assert r.status_code == 400 and len(problems) == 3, problems
    assert any("Send a PDF, PNG or JPEG file." in p for p in problems)
    assert not any("Add evidence" in p for p in problems)  # a file was sent: the file is wrong
    # A good file with a bad form: the page asks to choose it again (a browser does not keep it).
    r = client.post(
        "/passport/propose",
        data={
            **FORM,
            "csrf_token": token,
            "title": "",
            "certificate": (io.BytesIO(tiny_pdf()), "c.pdf"),
        },
        content_type="multipart/form-data",
    )
    problems = _problems(r)
    assert r.status_code == 400 and len(problems) == 2, problems
    assert any("Choose the certificate file again" in p for p in problems)
    assert _proposals(passport_app) == 0
    # In Dutch the same reasons, in Dutch.
    r = client.post("/passport/propose?lang=nl", data=typed)
    problems = _problems(r)
    assert any("toekomst" in p for p in problems), problems
    assert not any("Add evidence" in p or "future" in p for p in problems), problems
