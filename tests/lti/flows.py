"""Drive LTI flows over real HTTP, as a browser would (follow redirects, post auto-submit forms)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests
from lxml import html


@dataclass
class Form:
    action: str
    fields: dict[str, str]


def auto_form(response: requests.Response) -> Form:
    doc = html.fromstring(response.text)
    forms = doc.forms
    assert forms, f"no form in page {response.url}: {response.text[:300]}"
    form = forms[0]
    fields = {
        i.name: i.value or "" for i in form.inputs if i.name and getattr(i, "type", "") != "submit"
    }
    return Form(action=urljoin(response.url, form.action or response.url), fields=fields)


def start_launch(
    http: requests.Session, base: str, user: str = "learner", link: str = "", dl: bool = False
) -> Form:
    """From the demo platform through the tool's login to the platform's signed launch form."""
    params: dict[str, Any] = {"user": user}
    if link:
        params["link"] = link
    if dl:
        params["dl"] = "1"
    # The demo platform redirects to /lti/login; with cookie checks on, the tool first answers a
    # page whose script reloads with lti1p3_new_window=1. A script-less client adds it itself.
    r = http.get(base + "/demo/start", params=params, allow_redirects=False)
    assert r.status_code == 302, r.text
    login_url = r.headers["Location"]
    r = http.get(login_url + "&lti1p3_new_window=1", allow_redirects=True)
    assert r.status_code == 200, r.text
    return auto_form(r)


def launch(
    http: requests.Session, base: str, user: str = "learner", link: str = "", dl: bool = False
) -> requests.Response:
    form = start_launch(http, base, user, link, dl)
    return http.post(form.action, data=form.fields, allow_redirects=True)
