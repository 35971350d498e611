"""The knowledge base in a course: a trainer places an item with a real signed Deep Linking launch
(search by title, filter by language), the placed link opens it inside the course, the first
opening is recorded once (with one "experienced" statement); items the platform may not see
cannot be placed (404); an item is a path step, done once the learner opened it; the erase takes
the openings away; items shown to one platform only are 404 for visitors and other platforms."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin, urlsplit

import jwt
import requests
from lxml import html
from sqlalchemy import func, select

from lti_tool.catalogue import material, providers
from lti_tool.catalogue.material import CatalogueMaterial, MaterialInput
from lti_tool.catalogue.material_opens import CatalogueMaterialOpen
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import User
from tests.lti.flows import auto_form, launch
from tests.security.conftest import csrf_token, demo_platform, launch_as, other_platform, sign_in
from xapi.tables import statements as statement_table

from .helpers import provider


def _add(session: Any, owner: Any, title: dict[str, str], **fields: Any) -> int:
    data = MaterialInput(
        kind=fields.pop("kind", "link"),
        url=fields.pop("url", "https://example.org/material"),
        titles=title,
        descriptions=fields.pop("descriptions", {}),
        **fields,
    )
    return material.save_material(session, owner.id, None, data).id


def make_items(app: Any) -> dict[str, int]:
    """Public, network, shown to the demo platform, shown to another platform, withdrawn."""
    demo_id, other_id = demo_platform(app), other_platform(app)
    with app.app_context():
        session = db.session()
        owner = provider(session)
        ids = {
            "public": _add(
                session,
                owner,
                {"nl": "Veilig lassen", "en": "Safe welding"},
                kind="video",
                url="https://video.example/lassen",
                descriptions={"en": "A short film about welding."},
                licence="cc-by-sa",
            ),
            "network": _add(session, owner, {"de": "Sicheres Schweißen"}, language="de"),
            "demo": _add(
                session,
                owner,
                {"en": "Welding rules of the demo school"},
                visibility="platform",
                platform_id=demo_id,
                language="en",
            ),
            "other": _add(
                session,
                owner,
                {"en": "Welding rules of the other school"},
                visibility="platform",
                platform_id=other_id,
                language="en",
            ),
            "gone": _add(session, owner, {"en": "Old welding notes"}, language="en"),
        }
        material.withdraw_material(session, session.get(CatalogueMaterial, ids["gone"]))
        session.commit()
        return ids


def _post_form(page: requests.Response) -> tuple[str, dict[str, str]]:
    doc = html.fromstring(page.text)
    (form,) = [f for f in doc.forms if (f.method or "").lower() == "post"]
    fields = {i.name: i.value or "" for i in form.inputs if i.name and i.name != "item"}
    return urljoin(page.url, form.action), fields


def _statements(app: Any, item_id: int) -> list[dict[str, Any]]:
    with app.app_context():
        rows = db.session.scalars(
            select(statement_table.c.payload).where(
                statement_table.c.object_id.like(f"%/catalogue/material/{item_id}")
            )
        ).all()
    return [json.loads(row) for row in rows]


def _opens(app: Any, *where: Any) -> int:
    with app.app_context():
        return int(
            db.session.scalar(select(func.count()).select_from(CatalogueMaterialOpen).where(*where))
            or 0
        )


def test_trainer_places_an_item_and_the_placed_link_opens_it(app, live_server):
    ids = make_items(app)
    base = live_server.url
    with requests.Session() as http:
        choice = launch(http, base, user="instructor", dl=True)
        assert 'href="/catalogue/material/place"' in choice.text
        picker = http.get(base + "/catalogue/material/place")
        assert picker.status_code == 200
        shown = {int(v) for v in html.fromstring(picker.text).xpath("//input[@name='item']/@value")}
        assert shown == {ids["public"], ids["network"], ids["demo"]}
        found = http.get(base + "/catalogue/material/place", params={"q": "RULES"})
        assert "Welding rules of the demo school" in found.text
        assert "Veilig lassen" not in found.text and "other school" not in found.text
        german = http.get(base + "/catalogue/material/place", params={"language": "de"})
        assert "Sicheres Schweißen" in german.text and "Safe welding" not in german.text
        action, fields = _post_form(picker)
        answer = http.post(action, data={**fields, "item": str(ids["public"])})
        assert answer.status_code == 200, answer.text[:400]
        back = auto_form(answer)
        claims = jwt.decode(back.fields["JWT"], options={"verify_signature": False})
        (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
        assert item["custom"] == {"target": f"material:{ids['public']}"}
        assert item["title"] == "Safe welding"
        assert http.post(back.action, data=back.fields).status_code == 200
    with app.app_context():
        link_id = demo.links()[-1]["id"]
    for _time in range(2):  # the second opening records nothing new
        with requests.Session() as http:
            page = launch(http, base, user="learner", link=link_id)
            assert urlsplit(page.url).path == f"/catalogue/material/{ids['public']}/course"
            assert "Safe welding" in page.text and "A short film about welding." in page.text
            assert (
                'href="https://video.example/lassen" rel="noopener noreferrer" target="_blank"'
                in page.text
            )
            assert "CC BY-SA" in page.text and "Opleidingscentrum Gent" in page.text
    assert _opens(app) == 1
    (statement,) = _statements(app, ids["public"])
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert statement["object"]["definition"]["type"].endswith("activity-types/catalogue-material")
    assert statement["actor"]["account"]["name"] == "demo-learner-1"
    parents = statement["context"]["contextActivities"]["parent"]
    assert [p["id"].rsplit("/", 2)[-2:] for p in parents] == [["catalogue", "material"]]


def test_items_the_platform_may_not_see_cannot_be_placed(app, live_server):
    ids = make_items(app)
    with requests.Session() as http:
        launch(http, live_server.url, user="instructor", dl=True)
        picker = http.get(live_server.url + "/catalogue/material/place")
        action, fields = _post_form(picker)
        for refused in ("other", "gone"):
            r = http.post(action, data={**fields, "item": str(ids[refused])})
            assert r.status_code == 404
        assert http.post(action, data={**fields, "item": "x"}).status_code == 400
        nothing = http.post(action, data=fields)
        assert nothing.status_code == 400 and "Choose at least one item" in nothing.text
        # A refusal did not end the Deep Linking launch: a visible item still goes.
        assert http.post(action, data={**fields, "item": str(ids["demo"])}).status_code == 200


def test_the_picker_needs_a_deep_linking_launch_of_a_trainer(app, client):
    ids = make_items(app)
    sign_in(client, launch_as(app, platform="demo", role="instructor", sub="t-1"))
    assert client.get("/catalogue/material/place").status_code in (401, 403)
    learner = app.test_client()
    sign_in(learner, launch_as(app, platform="demo", role="learner", sub="l-1"))
    assert learner.get("/catalogue/material/place").status_code in (401, 403)
    assert app.test_client().get(f"/catalogue/material/{ids['public']}/course").status_code == 401


def test_items_of_one_platform_are_404_for_visitors_and_other_platforms(app, client):
    ids = make_items(app)
    visitor = app.test_client()
    assert visitor.get(f"/catalogue/material/{ids['demo']}").status_code == 404
    assert "demo school" not in visitor.get("/catalogue/material/").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, launch_as(app, platform="other", role="learner", sub="o-1"))
    assert other.get(f"/catalogue/material/{ids['demo']}").status_code == 404
    assert other.get(f"/catalogue/material/{ids['demo']}/course").status_code == 404
    assert other.get(f"/catalogue/material/{ids['other']}/course").status_code == 200
    listing = other.get("/catalogue/material/").get_data(as_text=True)
    assert "other school" in listing and "demo school" not in listing
    # The full-text search keeps to the same rule, for its hits and its competence choices.
    found = other.get("/catalogue/material/?q=welding+rules").get_data(as_text=True)
    assert "other school" in found and "demo school" not in found
    found = visitor.get("/catalogue/material/?q=welding+rules").get_data(as_text=True)
    assert "school" not in found
    sign_in(client, launch_as(app, platform="demo", role="learner", sub="d-1"))
    assert client.get(f"/catalogue/material/{ids['demo']}").status_code == 200
    assert client.get(f"/catalogue/material/{ids['gone']}/course").status_code == 404
    assert _opens(app) == 1  # the other platform's learner opened their own item


def test_provider_shows_an_item_to_one_of_its_platforms_only(app, client):
    editor = launch_as(app, platform="demo", role="instructor", sub="editor-1")
    other_id = other_platform(app)
    with app.app_context():
        session = db.session()
        owner = provider(session)
        providers.add_member(session, owner, session.get(User, editor.user_id))
        session.commit()
        owner_id = owner.id
    sign_in(client, editor)
    new = f"/catalogue/provider/{owner_id}/material/new"
    form = {
        "title_en": "Site rules",
        "kind": "link",
        "url": "https://example.org/rules",
        "language": "en",
        "licence": "internal",
        "visibility": "platform",
        "csrf_token": csrf_token(client, new),
    }
    page = client.get(new).get_data(as_text=True)
    assert f'<option value="{demo_platform(app)}"' in page
    assert f'<option value="{other_id}"' not in page  # not a platform of the provider's
    for bad in ("", str(other_id), "x"):
        refused = client.post(new, data={**form, "platform_id": bad})
        assert refused.status_code == 400
        assert "Choose the platform whose people may see it." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CatalogueMaterial.id))) == 0
    saved = client.post(new, data={**form, "platform_id": str(demo_platform(app))})
    assert saved.status_code == 303
    with app.app_context():
        item = db.session.scalars(select(CatalogueMaterial)).one()
        assert (item.visibility, item.platform_id) == ("platform", demo_platform(app))
