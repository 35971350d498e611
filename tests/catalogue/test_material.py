"""The knowledge base's first slice: a provider's people add, change and withdraw links and video
links; another provider's people cannot touch them (403); visitors see public items only; links
that are not http(s) are refused with the reason, nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from lti_tool.catalogue import providers
from lti_tool.catalogue.material import CatalogueMaterial
from lti_tool.extensions import db
from lti_tool.models import User
from tests.security.conftest import csrf_token, launch_as, sign_in

from .helpers import provider


@pytest.fixture
def setup(app: Any) -> dict[str, Any]:
    editor = launch_as(app, platform="demo", role="instructor", sub="editor-1")
    rival = launch_as(app, platform="demo", role="instructor", sub="rival-1")
    with app.app_context():
        session = db.session()
        mine = provider(session)
        other = provider(session, "other", "Other Provider")
        providers.add_member(session, mine, session.get(User, editor.user_id))
        providers.add_member(session, other, session.get(User, rival.user_id))
        session.commit()
        return {"editor": editor, "rival": rival, "provider": mine.id, "other": other.id}


FORM = {
    "title_nl": "Veilig lassen in de praktijk",
    "title_de": "Sicheres Schweißen",
    "description_nl": "Een korte <script>alert(1)</script>film over <b>lassen</b>.",
    "kind": "video",
    "url": "https://video.example/lassen",
    "language": "nl",
    "licence": "cc-by-sa",
    "visibility": "public",
}


def _count(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(CatalogueMaterial.id))) or 0)


def _create(client: Any, provider_id: int, **changes: str) -> Any:
    new = f"/catalogue/provider/{provider_id}/material/new"
    return client.post(new, data={**FORM, **changes, "csrf_token": csrf_token(client, new)})


def test_provider_creates_and_visitors_see_it(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    saved = _create(client, setup["provider"])
    assert saved.status_code == 303
    item_id = int(saved.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        item = db.session.get(CatalogueMaterial, item_id)
        assert item is not None
        assert item.descriptions["nl"] == "Een korte film over lassen."  # markup removed
    listing = client.get(f"/catalogue/provider/{setup['provider']}/material/")
    assert "Veilig lassen in de praktijk" in listing.get_data(as_text=True)

    visitor = app.test_client()
    page = visitor.get(f"/catalogue/material/{item_id}?lang=de").get_data(as_text=True)
    assert "Sicheres Schweißen" in page
    assert 'href="https://video.example/lassen" rel="noopener noreferrer"' in page
    assert "<script>" not in page and "CC BY-SA" in page
    found = visitor.get("/catalogue/material/?q=LASSEN&lang=nl").get_data(as_text=True)
    assert "Veilig lassen in de praktijk" in found
    assert "Veilig lassen" not in visitor.get("/catalogue/material/?q=boren").get_data(as_text=True)


def test_visitor_sees_public_items_only(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    _create(client, setup["provider"], title_nl="Openbaar filmpje")
    inner = _create(client, setup["provider"], title_nl="Alleen voor leden", visibility="network")
    inner_id = int(inner.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    gone = _create(client, setup["provider"], title_nl="Teruggetrokken filmpje")
    gone_url = gone.headers["Location"]
    assert (
        client.post(gone_url + "/withdraw", data={"csrf_token": csrf_token(client, gone_url)})
    ).status_code == 303

    visitor = app.test_client()
    page = visitor.get("/catalogue/material/").get_data(as_text=True)
    assert "Openbaar filmpje" in page
    assert "Alleen voor leden" not in page and "Teruggetrokken filmpje" not in page
    assert visitor.get(f"/catalogue/material/{inner_id}").status_code == 404
    # Someone who came through a launch is a member of the network and sees both.
    member = client.get("/catalogue/material/").get_data(as_text=True)
    assert "Alleen voor leden" in member and "Teruggetrokken filmpje" not in member
    assert client.get(f"/catalogue/material/{inner_id}").status_code == 200


def test_other_provider_cannot_edit(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    saved = _create(client, setup["provider"])
    item_id = int(saved.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    rival = app.test_client()
    sign_in(rival, setup["rival"])
    theirs = f"/catalogue/provider/{setup['other']}/material/new"
    token = csrf_token(rival, theirs)
    under_own = f"/catalogue/provider/{setup['other']}/material/{item_id}"
    assert rival.get(under_own).status_code == 403
    assert rival.post(under_own, data={**FORM, "csrf_token": token}).status_code == 403
    assert rival.post(under_own + "/withdraw", data={"csrf_token": token}).status_code == 403
    # Under the owner's provider, where the rival is not a member: 404, as for offers.
    under_owner = f"/catalogue/provider/{setup['provider']}/material/{item_id}"
    assert rival.post(under_owner, data={**FORM, "csrf_token": token}).status_code == 404
    with app.app_context():
        item = db.session.get(CatalogueMaterial, item_id)
        assert item is not None and item.status == "active"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,hi", "/relative", "https://"],
)
def test_unsafe_urls_are_refused(app: Any, client: Any, setup: dict[str, Any], url: str) -> None:
    sign_in(client, setup["editor"])
    refused = _create(client, setup["provider"], url=url)
    assert refused.status_code == 400
    assert "starts with http:// or https://" in refused.get_data(as_text=True)
    assert _count(app) == 0


def test_bad_choices_are_refused(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    refused = _create(
        client, setup["provider"], licence="gpl", visibility="all", title_nl="", title_de=""
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Choose a licence from the list." in text and "a title in at least one" in text
    bad = _create(client, setup["provider"], competences="999999")
    assert bad.status_code == 400 and "Choose competences from the list." in bad.get_data(
        as_text=True
    )
    assert _count(app) == 0


def test_competences_are_kept_and_shown(app: Any, client: Any, setup: dict[str, Any]) -> None:
    from lti_tool.passports.models import Competence, CompetenceFramework

    with app.app_context():
        session = db.session()
        framework = CompetenceFramework(idnumber="kb", shortname="Knowledge skills")
        session.add(framework)
        session.flush()
        welding = Competence(
            framework_id=framework.id, idnumber="w", shortname="Welding", names={"nl": "Lassen"}
        )
        session.add(welding)
        session.commit()
        welding_id = welding.id
    sign_in(client, setup["editor"])
    new = f"/catalogue/provider/{setup['provider']}/material/new"
    assert f'value="{welding_id}"' in client.get(new).get_data(as_text=True)
    saved = _create(client, setup["provider"], competences=str(welding_id))
    assert saved.status_code == 303
    item_id = int(saved.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = app.test_client().get(f"/catalogue/material/{item_id}?lang=nl")
    assert "<li>Lassen</li>" in page.get_data(as_text=True)
    edit = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert f'value="{welding_id}" checked' in edit
