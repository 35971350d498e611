"""A survey placed with Deep Linking over real HTTP: the platform gets a link whose target is the
survey; a learner launched from it lands on the survey's first page, the trainer on its page."""

from __future__ import annotations

from urllib.parse import urlsplit

import jwt
import requests

from lti_tool.demo import platform as demo
from tests.lti.flows import auto_form, launch

from .helpers import import_survey


def test_a_placed_survey_opens_for_learner_and_trainer(app, client, live_server):
    survey_id = import_survey(app, client)
    with requests.Session() as http:
        page = launch(http, live_server.url, user="instructor", dl=True)
        assert "Welding skills check" in page.text
        form = auto_form(page)
        r = http.post(form.action, data={**form.fields, "target": f"survey:{survey_id}"})
        back = auto_form(r)
        claims = jwt.decode(back.fields["JWT"], options={"verify_signature": False})
        (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
        assert item["custom"] == {"target": f"survey:{survey_id}"}
        assert item["title"] == "Welding skills check"
        assert http.post(back.action, data=back.fields).status_code == 200
    with app.app_context():
        link_id = demo.links()[-1]["id"]
    with requests.Session() as http:
        page = launch(http, live_server.url, user="learner", link=link_id)
        assert urlsplit(page.url).path == f"/surveys/{survey_id}/answer/0"
        assert "Do you weld in your job?" in page.text
    with requests.Session() as http:
        page = launch(http, live_server.url, user="instructor", link=link_id)
        assert urlsplit(page.url).path == f"/surveys/{survey_id}/manage"
