"""A Content-Security-Policy on every page of the tool (issue 10, point 9).

Every GET route, listed from ``app.url_map`` (the demo platform's too), is opened by a signed-in
administrator; whatever it answers (a page, a refusal, a file) carries a policy, and an HTML
answer has no inline script without the response's nonce and no inline style.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import html

from lti_tool.security_headers import API_POLICY
from lti_tool.settings import SettingsError
from tests.conftest import make_app

from .conftest import csrf_token, launch_as, sign_in
from .test_route_guards import _url


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def check_html(body: str, nonce: str, where: str) -> list[str]:
    """Inline scripts and styles a strict policy would block: each is a page that broke."""
    if not body.strip().startswith(("<!doctype", "<!DOCTYPE", "<html")):
        return []
    problems = []
    doc = html.fromstring(body)
    for script in doc.iter("script"):
        if script.get("src") or script.get("type") == "application/json":
            continue
        if script.get("nonce") != nonce:
            problems.append(f"{where}: inline script without this response's nonce")
    if doc.xpath("//style | //*[@style]"):
        problems.append(f"{where}: inline style")
    if doc.xpath("//@*[starts-with(name(), 'on')]"):
        problems.append(f"{where}: inline event handler")
    return problems


def test_every_get_route_answers_with_a_policy(app: Any, client: Any) -> None:
    sign_in(client, launch_as(app, platform="demo", role="admin", sub="csp-admin"))
    missing, problems, seen = [], [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = _url(rule)
        headers = {"X-Experience-API-Version": "1.0.3"} if rule.endpoint.startswith("lrs.") else {}
        response = client.get(url, headers=headers)
        seen += 1
        policy = response.headers.get("Content-Security-Policy", "")
        if not policy:
            missing.append((rule.endpoint, response.status_code))
            continue
        if url.startswith(("/xapi/", "/api/")):
            assert policy == API_POLICY, rule.endpoint
            continue
        parsed = directives(policy)
        nonces = [s for s in parsed["script-src"] if s.startswith("'nonce-")]
        assert len(nonces) == 1 and "'unsafe-inline'" not in policy, (rule.endpoint, policy)
        assert parsed["object-src"] == ["'none'"] and parsed["base-uri"] == ["'none'"]
        assert parsed["style-src"] == ["'self'"] and "form-action" in parsed
        if response.mimetype == "text/html":
            nonce = nonces[0][len("'nonce-") : -1]
            problems += check_html(response.get_data(as_text=True), nonce, rule.endpoint)
    assert seen > 30
    assert missing == []
    assert problems == []


def test_each_response_has_its_own_nonce(client: Any) -> None:
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert re.search(r"'nonce-[\w-]{20,}'", first)
    assert first != second


def test_deep_linking_return_may_post_to_the_platform_only(app: Any, client: Any) -> None:
    ctx = launch_as(app, platform="demo", role="instructor", sub="csp-trainer")
    ctx.message_type = "LtiDeepLinkingRequest"
    ctx.deep_linking = {"deep_link_return_url": "https://lms.example/mod/lti/return?course=1"}
    sign_in(client, ctx)
    token = csrf_token(client, "/lti/deep-linking")
    response = client.post("/lti/deep-linking", data={"target": "passport", "csrf_token": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["form-action"] == ["'self'", "https://lms.example"]
    nonce = policy["script-src"][1][len("'nonce-") : -1]
    assert check_html(response.get_data(as_text=True), nonce, "return") == []
    assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)
    # The next page is back to posting to the tool alone.
    assert directives(client.get("/").headers["Content-Security-Policy"])["form-action"] == [
        "'self'"
    ]


def test_demo_pages_may_frame_and_post_to_the_tool(app: Any, client: Any) -> None:
    policy = directives(client.get("/demo/").headers["Content-Security-Policy"])
    tool = app.config["LEARNPASS"].base_url
    assert tool in policy["frame-src"] and tool in policy["form-action"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_frame_ancestors_and_content_origin_come_from_the_settings(
    database_url: str, tmp_path: Any
) -> None:
    app = make_app(database_url, tmp_path, frame_ancestors="https://moodle.example.org  'self'")
    settings = app.config["LEARNPASS"]
    settings.content_url = "https://content.example.org/files/"  # LEARNPASS_CONTENT_URL
    policy = directives(app.test_client().get("/").headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["https://moodle.example.org", "'self'"]
    assert policy["frame-src"] == ["'self'", "https://content.example.org"]
    with pytest.raises(SettingsError, match="LEARNPASS_FRAME_ANCESTORS"):
        make_app(database_url, tmp_path, frame_ancestors="https://ok.example; script-src *")


def test_package_files_keep_their_own_scripts(app: Any, client: Any) -> None:
    """The author's pages are not held to the tool's policy; a refusal page still is."""
    response = client.get("/content/files/not-a-token/index.html")
    assert response.status_code >= 400
    assert "Content-Security-Policy" in response.headers


def test_no_template_has_an_inline_script_without_the_nonce_or_an_inline_style() -> None:
    """The pages the walk above cannot open without a package or a platform (player, platform
    storage, registration done, the demo's launch form) are checked in their source."""
    from pathlib import Path

    from lti_tool.demo.platform import LAUNCH_FORM

    root = Path(__file__).resolve().parents[2] / "lti_tool"
    sources = {str(p.relative_to(root)): p.read_text() for p in root.rglob("*.html")}
    sources["demo/platform.py LAUNCH_FORM"] = LAUNCH_FORM
    assert len(sources) > 30
    problems = []
    for name, text in sources.items():
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" in tag or 'type="application/json"' in tag:
                continue
            if 'nonce="{{ csp_nonce() }}"' not in tag:
                problems.append(f"{name}: {tag}")
        # An attribute, not a template's keyword argument such as `online=hours.online`.
        if re.search(r"<style\b|\sstyle=|\son[a-z]+=[\"']", text):
            problems.append(f"{name}: inline style or event handler")
    assert problems == []
