"""No English sentence reaches a Dutch, French or German page.

Every GET page of the app is rendered for a launched learner, trainer and administrator in nl, fr
and de (the routes come from the app's own URL map; an id in a route is filled with one of the
demo data's), and every package refusal reason is rendered through the tool. A page fails when it
holds a sentence of the English catalogue (a msgid of messages.pot, or the longest fixed part of
one with placeholders) verbatim. Short tokens and words the languages share ("Code", "E-mail",
"SCORM") are not sentences: a msgid counts when it has three words or more and its translation
differs from it.
"""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from lxml import html
from sqlalchemy import select

from learning_packages.errors import PackageRefused
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import Course, User
from lti_tool.passports.models import (
    Company,
    CompetenceFramework,
    Credential,
    LearnerGroup,
    PassportEntry,
    TrainingType,
)
from tests.passports.conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "lti_tool" / "translations"
LOCALES = ("nl", "fr", "de")
ROLES = ("learner", "instructor", "admin")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
WORD = re.compile(r"[A-Za-z]+")
# Routes that are not pages: machine endpoints, downloads, redirects to another origin.
NOT_PAGES = ("/xapi", "/api/", "/lti/", "/static", "/passport/static", "/.well-known", "/files/")


def english_sentences(locale: str) -> list[str]:
    """The sentences of the English catalogue a page in ``locale`` must not contain."""
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=locale)
    sentences = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in strings:
                continue  # the same in both languages: a name, not an English sentence
            longest = max(PLACEHOLDER.split(msgid), key=len).strip(" .,:;()—-")
            if len(WORD.findall(longest)) >= 3 and not any(longest in s for s in strings):
                sentences.add(longest)
    return sorted(sentences)


def page_text(body: str) -> str:
    doc = html.fromstring(body)
    for node in doc.xpath("//script|//style"):
        node.drop_tree()
    parts = [doc.text_content()]
    for attr in ("aria-label", "title", "alt", "placeholder"):
        parts.extend(doc.xpath(f"//@{attr}"))
    return " ".join(" ".join(parts).split())


def english_in(text: str, sentences: list[str]) -> list[str]:
    return [s for s in sentences if s in text]


def demo_ids(app: Any) -> dict[str, Any]:
    """A value for each kind of id a route takes, from the demo data."""
    with app.app_context():
        s = db.session
        entry = s.scalars(select(PassportEntry).order_by(PassportEntry.id)).first()
        values: dict[str, Any] = {
            "entry_id": entry.id if entry else None,
            "user_id": entry.user_id if entry else None,
            "learner_id": entry.user_id if entry else None,
            "type_id": s.scalar(select(TrainingType.id).order_by(TrainingType.id)),
            "training_type_id": s.scalar(select(TrainingType.id).order_by(TrainingType.id)),
            "framework_id": s.scalar(
                select(CompetenceFramework.id).order_by(CompetenceFramework.id)
            ),
            "group_id": s.scalar(select(LearnerGroup.id).order_by(LearnerGroup.id)),
            "public_id": s.scalar(select(Credential.public_id).order_by(Credential.id)),
            "company_id": s.scalar(select(Company.id).order_by(Company.id)),
            # The passport's course (bulk add); the blended pages' ids stay unknown here.
            "course_id": s.scalar(select(Course.id).where(Course.context_id == demo.COURSE["id"])),
        }
    return {k: v for k, v in values.items() if v is not None}


def page_urls(app: Any, ids: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The app's GET pages with their ids filled in, and the rules left out (an unknown id)."""
    urls, skipped = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(NOT_PAGES):
            continue
        if not set(rule.arguments) <= set(ids):
            skipped.append(rule.rule)
            continue
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **{a: ids[a] for a in rule.arguments}))
    return sorted(set(urls)), skipped


@pytest.fixture
def seeded(passport_app: Any, client: Any) -> Any:
    """Demo data plus what the demo lacks: a group, a company of it whose HR people are the
    platform's people (its HR pages), a credential."""
    from lti_tool.passports import credentials
    from lti_tool.passports.models import LearnerGroup

    ctx = sign_in(passport_app, client, "instructor")
    with passport_app.app_context():
        entry = db.session.scalars(
            select(PassportEntry)
            .where(PassportEntry.status == "approved", PassportEntry.completed_on.is_not(None))
            .order_by(PassportEntry.id)
        ).first()
        assert entry is not None
        group = LearnerGroup(course_id=ctx.course_id, name="Night shift")
        db.session.add(group)
        company = Company(platform_id=ctx.platform_id, name="Bakker BV", groups=[group])
        company.hr_people = list(
            db.session.scalars(select(User).where(User.platform_id == ctx.platform_id))
        )
        db.session.add(company)
        db.session.commit()
        credentials.issue_for_entry(
            db.session(), entry, base_url="https://tool.example", issuer_name="Acme"
        )
    return passport_app


@pytest.mark.parametrize("locale", LOCALES)
def test_no_english_sentence_on_any_page(seeded: Any, client: Any, locale: str) -> None:
    sentences = english_sentences(locale)
    assert len(sentences) > 200  # the catalogue was read
    ids = demo_ids(seeded)
    urls, _skipped = page_urls(seeded, ids)
    assert any(u.startswith("/passport") for u in urls)
    problems: dict[str, list[str]] = {}
    pages = 0
    shown: set[str] = set()
    for role in ROLES:
        sign_in(seeded, client, role)
        for url in urls:
            joiner = "&" if "?" in url else "?"
            response = client.get(f"{url}{joiner}lang={locale}")
            if response.status_code in (301, 302, 303, 307, 308, 405):
                continue
            if not response.content_type.startswith("text/html"):
                continue
            pages += 1
            if response.status_code == 200:
                shown.add(re.sub(r"\d+", "<id>", url))
            found = english_in(page_text(response.get_data(as_text=True)), sentences)
            if found:
                problems[f"{role} {url} ({response.status_code})"] = found
    assert pages > 20
    # The pages of the issue's later points are among them, shown (not refused).
    for page in (
        "/passport/trainer/courses/<id>/entries/new",
        "/passport/hr/companies/<id>",
        "/passport/admin/companies/<id>",
        "/passport/admin/issuer",
        "/passport/admin/training-types/<id>/names",
        "/passport/admin/frameworks/<id>/names",
        "/passport/hr/",
        "/passport/trainer/matrix",
    ):
        assert page in shown, (page, sorted(shown))
    assert not problems, f"English on {locale} pages:\n" + "\n".join(
        f"{where}: {found}" for where, found in problems.items()
    )


# ---------------------------------------------------------------- package refusals


def refusal_calls() -> list[tuple[str, int, str]]:
    """Every ``PackageRefused(code, N_("..."), ...)`` in learning_packages: (file, line, template).

    A reason that is not a literal marked with ``N_`` cannot be in the catalogue: it fails here.
    """
    found = []
    for path in sorted((ROOT / "learning_packages").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            t.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "PackageRefused"
            ):
                continue
            reason = node.args[1]
            if isinstance(reason, ast.Name):
                reason = constants.get(reason.id, reason)
            marked = (
                isinstance(reason, ast.Call)
                and isinstance(reason.func, ast.Name)
                and reason.func.id == "N_"
                and isinstance(reason.args[0], ast.Constant)
            )
            assert marked, f'{path.name}:{node.lineno}: the reason is not N_("...")'
            found.append((path.name, node.lineno, reason.args[0].value))  # type: ignore[union-attr]
    return found


def test_every_refusal_reason_is_marked_for_translation() -> None:
    assert len(refusal_calls()) > 40


@pytest.mark.parametrize("locale", LOCALES)
def test_every_refusal_reads_in_the_language(app: Any, locale: str) -> None:
    from flask_babel import force_locale

    from lti_tool.content.refusals import refusal_text

    sentences = english_sentences(locale)
    problems = []
    with app.test_request_context(f"/?lang={locale}"), force_locale(locale):
        for file, line, template in refusal_calls():
            names = set(re.findall(r"%\((\w+)\)s", template))
            exc = PackageRefused(
                "x", template, "imsmanifest.xml", 3, 7, **dict.fromkeys(names, 4000)
            )
            text = refusal_text(exc)
            english = exc.reason
            if text == english or english_in(text, sentences):
                problems.append(f"{file}:{line}: {text}")
            assert "4000" not in text  # numbers are written the reader's way
    assert not problems, f"refusals in English for {locale}:\n" + "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_refused_upload_reads_in_the_language(
    passport_app: Any, client: Any, locale: str, tmp_path: Path
) -> None:
    """A real refused package on the import page: the reason in the reader's language."""
    from tests.passports.conftest import csrf_token

    sign_in(passport_app, client, "admin")
    sentences = english_sentences(locale)
    bad = tmp_path / "notes.zip"
    bad.write_text("not a zip at all")
    token = csrf_token(client, f"/content/admin?lang={locale}")
    with bad.open("rb") as stream:
        response = client.post(
            "/content/admin",
            data={"csrf_token": token, "package": (stream, "notes.zip")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 400
    doc = html.fromstring(response.get_data(as_text=True))
    assert doc.get("lang") == locale
    refused = " ".join(doc.xpath('string(//*[@data-testid="import-refused"])').split())
    assert "notes.zip: " in refused
    assert "is not a zip file" not in refused
    assert not english_in(page_text(response.get_data(as_text=True)), sentences)


@pytest.mark.parametrize("locale", LOCALES)
def test_refused_passport_forms_read_in_the_language(
    passport_app: Any, client: Any, locale: str
) -> None:
    """The answer to a refused form (a page rendered from a POST, which the GET walk above never
    sees): a proposal, the trainers' entry and bulk add, the admin's training type, framework
    import, identity link and issuer; every problem in the reader's language."""
    from tests.passports.conftest import csrf_token, tiny_pdf

    sentences = english_sentences(locale)
    future = "2999-01-01"
    bad_entry = {"title": "", "hours": "lots", "started_on": future, "completed_on": "2999-01-03"}
    ctx = sign_in(passport_app, client, "learner")
    with passport_app.app_context():
        lena = db.session.scalars(select(User.id).where(User.sub == "demo-learner-1")).one()
    forms: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "learner": [
            ("/passport/propose", bad_entry),
            (
                "/passport/propose",
                {**bad_entry, "certificate": (io.BytesIO(tiny_pdf()), "c.pdf")},
            ),
            ("/passport/propose", {**bad_entry, "certificate": (io.BytesIO(b"x"), "c.txt")}),
        ],
        "instructor": [
            (f"/passport/trainer/learners/{lena}/entries/new", bad_entry),
            (f"/passport/trainer/courses/{ctx.course_id}/entries/new", bad_entry),
        ],
        "admin": [
            (
                "/passport/admin/training-types",
                {"code": "", "validity_months": "3", "never_expires": "1", "competence_id": "9"},
            ),
            ("/passport/admin/frameworks", {"framework": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")}),
            ("/passport/admin/frameworks", {"framework": (io.BytesIO(b"\xff\xfe"), "x.csv")}),
            ("/passport/admin/identity-links", {"primary_user_id": lena, "linked_user_id": lena}),
            (
                "/passport/admin/issuer",
                {
                    "name": "n" * 300,
                    "address": "a" * 1200,
                    "logo": (io.BytesIO(b"not an image"), "logo.png"),
                },
            ),
        ],
    }
    pages = {
        "learner": "/passport/propose",
        "instructor": "/passport/propose",
        "admin": "/passport/admin/",
    }
    problems = {}
    for role, posts in forms.items():
        sign_in(passport_app, client, role)
        token = csrf_token(client, f"{pages[role]}?lang={locale}")
        for url, data in posts:
            response = client.post(
                f"{url}?lang={locale}",
                data={**data, "csrf_token": token},
                content_type="multipart/form-data",
            )
            assert response.status_code == 400, (role, url, response.status_code)
            body = response.get_data(as_text=True)
            doc = html.fromstring(body)
            assert doc.get("lang") == locale
            assert doc.xpath('//*[@role="alert"]'), (role, url)
            found = english_in(page_text(body), sentences)
            if found:
                problems[f"{role} {url}"] = found
    assert not problems, f"English on refused {locale} forms:\n" + "\n".join(
        f"{where}: {found}" for where, found in problems.items()
    )
