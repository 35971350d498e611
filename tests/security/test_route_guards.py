"""Every route of the app, listed from ``app.url_map``: anonymous requests are refused unless the
route is public on purpose, and every state-changing route checks a CSRF token unless its
exemption is documented here. A new route has to be placed in one of these lists to pass."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lti_tool.extensions import csrf

from .conftest import launch_as, sign_in

# Public on purpose, and why.
PUBLIC = {
    "main.index": "the landing page, shows no data without a launch",
    "main.healthz": "health check for the proxy",
    "static": "stylesheet and logo",
    "passports.static": "passport stylesheet",
    "surveys.static": "survey stylesheet and script",
    "content.static": "player scripts",
    "content_files.static": "the run-time frame's script (content origin only)",
    "content_files.runtime_file": "scorm-again from node_modules (content origin only)",
    "content.cmi5_returned": "where an AU ends; shows no data",
    "lti.login": "OIDC login initiation from the platform",
    "lti.launch": "the platform's signed launch",
    "lti.new_window": "begins again, in a new window, a login whose launch lacked its cookie",
    "lti.jwks": "the tool's public keys",
    "lti.register": "LTI Dynamic Registration (see test_registration.py)",
    "passports.verify": "public credential check by unguessable id",
    "passports.issuer_logo": "the issuing organisation's logo, shown on /verify and in shared "
    "credentials; a re-encoded PNG, no personal data",
    "lrs.about": "xAPI /about is public by the spec",
    "surveys.invite_code": "the page an invitation link opens; shows no data",
    "surveys.invite_open": "takes an invitation code (stored hashed); opens only its survey",
    "catalogue.search_page": "the public catalogue: published offers only, no person "
    "(no rate limit by hand: the reverse proxy's job, docs/catalogue.md)",
    "catalogue.offer_page": "a published offer's public page; drafts and withdrawn offers 404",
    "catalogue.api_offers": "the public search as JSON: published offers only",
    "catalogue.static": "the catalogue's stylesheet",
    "catalogue.material_list": "the knowledge base's public list: active public items only "
    "(network members' items only after a launch, one platform's only to its people)",
    "catalogue.material_page": "a public knowledge-base item; withdrawn, members-only and "
    "one-platform ones 404 (the in-course page and the Deep Linking picker need a launch)",
    "catalogue.material_file": "a public item's file: on to the content origin; members-only "
    "and one-platform items need a launch (a single-use ticket), withdrawn ones 404",
    "catalogue_files.public_file": "an active public item's current file (content origin only)",
    "blended.checkin_scan": "QR check-in address: checks in only the browser's own launch, "
    "else keeps a pending check-in for its next launch (docs/security.md)",
}
# Not a launched session but a credential of their own.
OWN_CREDENTIAL = {
    "content_files.sco_file": "signed file token and the bound content cookie (content origin)",
    "content_files.runtime_frame": "signed attempt token and the bound content cookie",
    "content_files.enter": "single-use entry ticket from the player page (content origin only)",
    "passport_files.evidence_file": "single-use ticket in the path (content origin only)",
    "blended_files.document_file": "single-use ticket in the path (content origin only)",
    "catalogue_files.member_file": "single-use ticket in the path (content origin only)",
    "surveys.invited_start": "the invitation held in the server-side session (403 without)",
    "surveys.invited_section": "the invitation held in the server-side session (403 without)",
    "surveys.invited_save": "the invitation held in the server-side session (403 without)",
    "surveys.invited_review": "the invitation held in the server-side session (403 without)",
    "surveys.invited_submit": "the invitation held in the server-side session (403 without)",
    "surveys.invited_done": "the invitation held in the server-side session (403 without)",
    "blended.feed": "secret calendar-feed token in the path (stored hashed, revocable)",
    "content.sco_state": "signed attempt token header",
    "content.commit": "signed attempt token header",
    "content.sequencing_state": "signed attempt token header",
    "content.cmi5_fetch": "signed one-time fetch token in the path",
    "content_files.aicc_hacp": "the AICC session id posted by the AU (opaque, stored hashed, "
    "one attempt and AU, ends at ExitAU or relaunch, expires; content origin only)",
}
# State-changing routes without Flask-WTF's CSRF check, and why that is safe.
CSRF_EXEMPT = {
    "lti.login": "platform-initiated; no state of a user changes",
    "lti.launch": "the signed id_token with server-side state and nonce is the check",
    "lti.new_window": "only restarts a login; the platform decides who signs in",
    "lti.deep_linking": "blueprint exempt for the platform's post; the view calls csrf.protect()",
    "content.commit": "X-Attempt-Token header, which a cross-site form cannot send",
    "content.sequencing_state": "X-Attempt-Token header, which a cross-site form cannot send",
    "content.cmi5_fetch": "the signed fetch token is the credential (cmi5 8.2)",
    "content_files.aicc_hacp": "the AU's session id is the credential (AICC HACP); no cookie",
    "lrs.statements": "HTTP Basic credentials, never cookies",
    "lrs.state": "HTTP Basic credentials, never cookies",
    "lrs.activity_profile": "HTTP Basic credentials, never cookies",
    "lrs.agent_profile": "HTTP Basic credentials, never cookies",
    "lrs.activities": "HTTP Basic credentials, never cookies",
    "lrs.agents": "HTTP Basic credentials, never cookies",
}


def _rules(app: Any) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if not r.endpoint.startswith("demo.")]


def _url(rule: Any) -> str:
    url = re.sub(r"<int:[^>]+>", "1", rule.rule)
    return re.sub(r"<(?:path:)?[^>]+>", "x", url)


def test_every_route_is_classified(app: Any) -> None:
    """A route nobody reviewed fails here: add it to PUBLIC, OWN_CREDENTIAL or give it a guard."""
    from lti_tool.lti.context import launch_required  # noqa: F401  (the guard the rest declare)

    unknown = []
    for rule in _rules(app):
        if rule.endpoint in PUBLIC or rule.endpoint in OWN_CREDENTIAL:
            continue
        if rule.endpoint.startswith("lrs."):
            continue  # Basic auth in the blueprint's before_request (tested below)
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "__wrapped__"):
            unknown.append(rule.endpoint)
    assert unknown == []


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_anonymous_requests_are_refused(app: Any, client: Any, method: str) -> None:
    allowed = {401, 403, 405}
    leaks = []
    for rule in _rules(app):
        if rule.endpoint in PUBLIC or method not in rule.methods:
            continue
        if method == "POST" and rule.endpoint not in CSRF_EXEMPT:
            continue  # refused by CSRF first; covered with a session below
        headers = {"X-Experience-API-Version": "1.0.3"} if rule.endpoint.startswith("lrs.") else {}
        response = client.open(_url(rule), method=method, headers=headers)
        expected = allowed | ({400, 404} if rule.endpoint in OWN_CREDENTIAL else set())
        if rule.endpoint == "content.cmi5_fetch":
            # cmi5 8.2.1: always 200, the refusal is in the JSON body.
            refused = response.get_json().get("error-code") == "2"
            if not refused:
                leaks.append((rule.endpoint, response.status_code))
            continue
        if response.status_code not in expected:
            leaks.append((rule.endpoint, response.status_code))
    assert leaks == []


def test_csrf_exemptions_are_exactly_the_documented_ones(app: Any) -> None:
    exempt = set()
    for rule in _rules(app):
        if not rule.methods & {"POST", "PUT", "DELETE"}:
            continue
        view = app.view_functions[rule.endpoint]
        name = f"{view.__module__}.{view.__name__}"
        blueprint = rule.endpoint.split(".")[0]
        if name in csrf._exempt_views or blueprint in {b.name for b in csrf._exempt_blueprints}:
            exempt.add(rule.endpoint)
    assert exempt == set(CSRF_EXEMPT)


def test_every_form_post_needs_the_csrf_token(app: Any, client: Any) -> None:
    """An administrator's session (every role) posting without the token: refused, nothing done."""
    sign_in(client, launch_as(app, platform="demo", role="admin", sub="csrf-admin"))
    accepted = []
    for rule in _rules(app):
        if "POST" not in rule.methods or rule.endpoint in CSRF_EXEMPT:
            continue
        response = client.post(_url(rule), data={"confirm": "ERASE", "name": "x"})
        body = response.get_data(as_text=True)
        if response.status_code != 400 or "could not be accepted" not in body:
            accepted.append((rule.endpoint, response.status_code))
    assert accepted == []


def test_deep_linking_post_checks_csrf_itself(app: Any, client: Any) -> None:
    ctx = launch_as(app, platform="demo", role="instructor", sub="dl-trainer")
    ctx.message_type = "LtiDeepLinkingRequest"
    ctx.deep_linking = {"deep_link_return_url": "https://lms.example/return"}
    sign_in(client, ctx)
    response = client.post("/lti/deep-linking", data={"target": "passport"})
    assert response.status_code == 400
    assert "could not be accepted" in response.get_data(as_text=True)


ADMIN_ONLY = [
    ("GET", "/passport/admin/"),
    ("GET", "/passport/admin/export.csv"),
    ("GET", "/passport/admin/people/1/erase"),
    ("GET", "/content/admin"),
    ("GET", "/catalogue/network/"),
    ("GET", "/catalogue/network/network.csv"),
    ("GET", "/catalogue/network/network.xlsx"),
    ("GET", "/passport/admin/companies/1/place"),
]
TRAINER_ONLY = [
    ("GET", "/passport/trainer/"),
    ("GET", "/passport/trainer/matrix"),
    ("GET", "/passport/trainer/matrix.csv"),
    ("GET", "/passport/trainer/matrix.xlsx"),
    ("GET", "/passport/trainer/groups"),
    ("GET", "/passport/trainer/learners/1"),
    ("GET", "/passport/trainer/entries/1"),
    ("GET", "/content/play/1/waivers"),
    ("GET", "/surveys/offers"),
]


# A survey's report exports: its trainer, the platform's administrators and the HR of a company
# (their company's only); anyone else 404, as if the survey did not exist (the real refusals,
# with a survey that exists, are in tests/surveys/test_rounds_exports.py and test_analysis_pages).
SURVEY_VIEWER_ONLY = [
    ("GET", "/surveys/1/report.xlsx"),
    ("GET", "/surveys/1/report/rounds.csv"),
    ("GET", "/surveys/1/report/rounds.xlsx"),
    ("GET", "/surveys/1/report/rounds/people.csv"),
    ("GET", "/surveys/1/report/rounds/people.xlsx"),
]


@pytest.mark.parametrize(("method", "path"), SURVEY_VIEWER_ONLY)
def test_survey_exports_refuse_learners(app: Any, client: Any, method: str, path: str) -> None:
    sign_in(client, launch_as(app, platform="demo", role="learner", sub="plain-learner"))
    assert client.open(path, method=method).status_code == 404


@pytest.mark.parametrize(("method", "path"), ADMIN_ONLY)
def test_admin_pages_refuse_instructors(app: Any, client: Any, method: str, path: str) -> None:
    sign_in(client, launch_as(app, platform="demo", role="instructor", sub="plain-trainer"))
    assert client.open(path, method=method).status_code == 403


@pytest.mark.parametrize(("method", "path"), ADMIN_ONLY + TRAINER_ONLY)
def test_trainer_and_admin_pages_refuse_learners(
    app: Any, client: Any, method: str, path: str
) -> None:
    sign_in(client, launch_as(app, platform="demo", role="learner", sub="plain-learner"))
    assert client.open(path, method=method).status_code == 403


def test_lrs_refuses_requests_without_basic_credentials(app: Any, client: Any) -> None:
    for path in ("/xapi/statements", "/xapi/activities/state", "/xapi/agents/profile"):
        response = client.get(path, headers={"X-Experience-API-Version": "1.0.3"})
        assert response.status_code == 401, path
