"""A path placed with Deep Linking over real HTTP: the platform gets a graded link, learners land
on their path and trainers on the builder, and the completion's grade reaches the platform's
gradebook through the grade outbox and its worker."""

from __future__ import annotations

from urllib.parse import urlsplit

import jwt
from sqlalchemy import select

from lti_tool.blended.path_models import BlendedPath
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.lti.grades import deliver_due
from lti_tool.models import GradeOutbox, ResourceLink, User
from tests.lti.flows import auto_form, launch
from tests.passports.conftest import csrf_token

from .test_paths import trainer_with_path


def test_placed_path_opens_for_each_role_and_its_grade_reaches_the_platform(app, live_server):
    import requests

    trainer, path_id = trainer_with_path(app)
    with requests.Session() as http:
        page = launch(http, live_server.url, user="instructor", dl=True)
        assert "Safe on site" in page.text
        form = auto_form(page)
        r = http.post(form.action, data={**form.fields, "target": f"path:{path_id}"})
        back = auto_form(r)
        claims = jwt.decode(back.fields["JWT"], options={"verify_signature": False})
        (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
        assert item["custom"] == {"target": f"path:{path_id}"}
        assert item["lineItem"]["resourceId"] == f"path:{path_id}"
        assert http.post(back.action, data=back.fields).status_code == 200
    with app.app_context():
        link_id = demo.links()[-1]["id"]
    with requests.Session() as http:
        page = launch(http, live_server.url, user="learner", link=link_id)
        assert urlsplit(page.url).path == f"/blended/my/paths/{path_id}"
        assert "Start this path" in page.text
    with requests.Session() as http:
        page = launch(http, live_server.url, user="instructor", link=link_id)
        assert urlsplit(page.url).path == f"/blended/paths/{path_id}"
    with app.app_context():
        path = db.session.get(BlendedPath, path_id)
        link = db.session.get(ResourceLink, path.resource_link_id)
        assert link is not None and link.link_id == link_id
        learner_id = db.session.scalars(select(User.id).where(User.sub == "demo-learner-1")).one()
        steps = [s.id for s in path.steps]
    # The trainer ticks both steps (a document can be ticked only by opening it: the learner does).
    with requests.Session() as http:
        launch(http, live_server.url, user="learner", link=link_id)
        opened = http.get(
            f"{live_server.url}/blended/my/steps/{steps[0]}/open", allow_redirects=False
        )
        assert opened.status_code == 303
    url = f"/blended/paths/{path_id}/learners/{learner_id}"
    token = csrf_token(trainer, url)
    r = trainer.post(f"{url}/steps/{steps[1]}/mark", data={"csrf_token": token, "done": "1"})
    assert r.status_code == 303
    with app.app_context():
        (row,) = db.session.scalars(
            select(GradeOutbox).where(GradeOutbox.user_id == learner_id)
        ).all()
        assert row.resource_link_id == link.id and row.score_given == 100.0
        sent, failed = deliver_due(db.session())
        assert (sent, failed) == (1, 0)
        scores = [s for s in demo.scores() if s.get("userId") == "demo-learner-1"]
        assert scores and scores[-1]["scoreGiven"] == 100.0
