from __future__ import annotations

import jwt

from lti_tool.demo import platform as demo

from .flows import auto_form, launch


def test_instructor_places_an_item_and_the_platform_accepts_it(app, live_server, http):
    page = launch(http, live_server.url, user="instructor", dl=True)
    assert page.status_code == 200
    assert "What do you want to add to the course?" in page.text
    form = auto_form(page)
    assert form.fields["csrf_token"]
    r = http.post(form.action, data={**form.fields, "target": "home"})
    assert r.status_code == 200
    back = auto_form(r)
    assert back.action == live_server.url + "/demo/deep-link-return"
    claims = jwt.decode(back.fields["JWT"], options={"verify_signature": False})
    assert (
        claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    )
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == {
        "demo": "echo-me"
    }  # echoed
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert items[0]["type"] == "ltiResourceLink" and items[0]["custom"] == {"target": "home"}
    # The platform verifies the signature against the tool's JWKS and adds the link.
    done = http.post(back.action, data=back.fields)
    assert done.status_code == 200 and 'class="notice notice-ok" role="status"' in done.text
    with app.app_context():
        assert [link["custom"] for link in demo.links()][-1] == {"target": "home"}


def test_deep_linking_response_cannot_be_posted_twice(live_server, http):
    page = launch(http, live_server.url, user="instructor", dl=True)
    form = auto_form(page)
    assert http.post(form.action, data={**form.fields, "target": "home"}).status_code == 200
    again = http.post(form.action, data={**form.fields, "target": "home"})
    assert again.status_code == 401


def test_nothing_chosen_asks_again(live_server, http):
    page = launch(http, live_server.url, user="instructor", dl=True)
    form = auto_form(page)
    r = http.post(form.action, data=form.fields)
    assert r.status_code == 400 and "Choose at least one item" in r.text


def test_learner_cannot_deep_link(live_server, http):
    page = launch(http, live_server.url, user="learner", dl=True)
    assert page.status_code == 403


def test_deep_linking_form_needs_csrf_token(live_server, http):
    page = launch(http, live_server.url, user="instructor", dl=True)
    form = auto_form(page)
    fields = {k: v for k, v in form.fields.items() if k != "csrf_token"}
    r = http.post(form.action, data={**fields, "target": "home"})
    assert r.status_code == 400 and "could not be accepted" in r.text
