"""A provider's people import offers from CSV on their page and download them again: good
offers become drafts of the uploader's provider (never the one named in the file), a file
import again updates them, bad rows are reported by row and reason; nobody else gets in."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.catalogue import providers
from lti_tool.catalogue.models import CatalogueOffer
from lti_tool.extensions import db
from lti_tool.models import User
from tests.security.conftest import csrf_token, launch_as, sign_in

from .helpers import provider

HEADER = "offer_ref,provider,format,title_nl,title_de,description_nl,languages,hours,price,funding,date_start,date_end,place,postcode,city,seats_left\n"
GOOD = (
    "LAS-1,Somebody Else,classroom,Lassen,Schweißen,<b>Leren</b> lassen,nl|de,16.5,450,"
    "KMO-portefeuille,2099-03-04,2099-03-05,Campus,9000,Gent,8\n"
    "LAS-1,Somebody Else,,,,,,,,,2099-04-01,,Campus,9000,Gent,5\n"
    "HEF-2,Somebody Else,online,=cmd|' /C calc'!A0,,,nl,4,,,,,,,,\n"
)
BAD = "BAD-3,Somebody Else,spaceship,Ruimtevaart,,,nl,1,,,,,,,,\n"


@pytest.fixture
def setup(app: Any) -> dict[str, Any]:
    editor = launch_as(app, platform="demo", role="instructor", sub="editor-1")
    learner = launch_as(app, platform="demo", role="learner", sub="learner-1")
    with app.app_context():
        session = db.session()
        mine = provider(session)
        other = provider(session, "other", "Other Provider")
        providers.add_member(session, mine, session.get(User, editor.user_id))
        session.commit()
        return {"editor": editor, "learner": learner, "provider": mine.id, "other": other.id}


def _upload(client: Any, provider_id: int, text: str, token: str | None = None) -> Any:
    path = f"/catalogue/provider/{provider_id}/import"
    data: dict[str, Any] = {"file": (io.BytesIO(text.encode()), "offers.csv")}
    if token is None:
        token = csrf_token(client, path)
    if token:
        data["csrf_token"] = token
    return client.post(path, data=data, content_type="multipart/form-data")


def _offers(app: Any) -> list[tuple[int, str | None, str, str, int]]:
    with app.app_context():
        return [
            (o.provider_id, o.ref, o.status, o.titles.get("nl", ""), len(o.dates))
            for o in db.session.scalars(select(CatalogueOffer).order_by(CatalogueOffer.id))
        ]


def test_good_file_imports_drafts_then_updates(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    sign_in(client, setup["editor"])
    page = _upload(client, setup["provider"], HEADER + GOOD)
    assert page.status_code == 200
    assert "New drafts: 2. Offers updated: 0." in page.get_data(as_text=True)
    mine = setup["provider"]
    assert _offers(app) == [
        (mine, "LAS-1", "draft", "Lassen", 2),
        (mine, "HEF-2", "draft", "=cmd|' /C calc'!A0", 0),
    ]
    with app.app_context():
        las = db.session.scalars(select(CatalogueOffer).where(CatalogueOffer.ref == "LAS-1")).one()
        assert las.descriptions == {"nl": "Leren lassen"}
        assert (las.price_cents, las.hours, las.funding_eligible) == (45000, 16.5, True)
    # The same file again updates, never duplicates.
    again = _upload(client, mine, HEADER + GOOD.replace("Lassen", "Lassen 2"))
    assert "New drafts: 0. Offers updated: 2." in again.get_data(as_text=True)
    assert [row[3] for row in _offers(app)][0] == "Lassen 2"
    # The download: the library's columns, the formula cell neutralised, and it imports again.
    download = client.get(f"/catalogue/provider/{mine}/offers.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    text = download.get_data(as_text=True).removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["offer_ref"] for row in rows} == {"LAS-1", "HEF-2"}
    assert [row["title_nl"] for row in rows if row["offer_ref"] == "HEF-2"] == [
        "'=cmd|' /C calc'!A0"
    ]
    assert len([row for row in rows if row["offer_ref"] == "LAS-1"]) == 2
    back = _upload(client, mine, text)
    assert "New drafts: 0. Offers updated: 2." in back.get_data(as_text=True)
    assert len(_offers(app)) == 2


def test_bad_row_reported_in_readers_language(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    page = _upload(client, setup["provider"], HEADER + GOOD + BAD)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "New drafts: 2." in body
    assert "Row 5" in body and "BAD-3" in body and "spaceship" in body
    assert [row[1] for row in _offers(app)] == ["LAS-1", "HEF-2"]
    # In the reader's language: the library's reason, translated by the tool.
    path = f"/catalogue/provider/{setup['provider']}/import"
    token = csrf_token(client, path + "?lang=nl")
    dutch = _upload(client, setup["provider"], HEADER + BAD.replace("BAD-3", "BAD-4"), token)
    text = dutch.get_data(as_text=True)
    assert "Rij 2 (BAD-4): vorm &#39;spaceship&#39; is niet een van" in text, text[-1500:]
    # Nothing good in the file: 400, nothing written.
    assert dutch.status_code == 400  # nothing good in the file
    only_bad = _upload(client, setup["provider"], HEADER + BAD)
    assert only_bad.status_code == 400
    assert len(_offers(app)) == 2


def test_unknown_competence_refuses_only_that_offer(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    sign_in(client, setup["editor"])
    text = (
        "offer_ref,provider,format,title_nl,competences\nA,X,online,Een,NOPE-1\nB,X,online,Twee,\n"
    )
    body = _upload(client, setup["provider"], text).get_data(as_text=True)
    assert "Row 2" in body and "NOPE-1" in body
    assert [row[1] for row in _offers(app)] == ["B"]


def test_another_providers_code_is_not_touched(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    with app.app_context():
        session = db.session()
        theirs = CatalogueOffer(provider_id=setup["other"], ref="LAS-1", titles={"nl": "Van hen"})
        session.add(theirs)
        session.commit()
    sign_in(client, setup["editor"])
    text = HEADER.replace("provider", "provider", 1) + GOOD.replace(
        "Somebody Else", "Other Provider"
    )
    assert "New drafts: 2." in _upload(client, setup["provider"], text).get_data(as_text=True)
    offers = _offers(app)
    assert (setup["other"], "LAS-1", "draft", "Van hen", 0) in offers
    assert (setup["provider"], "LAS-1", "draft", "Lassen", 2) in offers
    # Another provider's pages are not found, upload or download.
    assert client.get(f"/catalogue/provider/{setup['other']}/import").status_code == 404
    assert client.get(f"/catalogue/provider/{setup['other']}/offers.csv").status_code == 404


def test_learner_refused(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["learner"])
    path = f"/catalogue/provider/{setup['provider']}/import"
    assert client.get(path).status_code == 404
    assert _upload(client, setup["provider"], HEADER + GOOD, token="x").status_code in (400, 404)
    assert client.get(f"/catalogue/provider/{setup['provider']}/offers.csv").status_code == 404
    assert _offers(app) == []


def test_csrf_size_and_unreadable_files(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    path = f"/catalogue/provider/{setup['provider']}/import"
    no_file = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert no_file.status_code == 400
    assert "Choose a CSV or JSON-LD file" in no_file.get_data(as_text=True)
    bad_header = _upload(client, setup["provider"], "offer_ref;titel\n").status_code
    assert bad_header == 400
    not_utf8 = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "file": (io.BytesIO(b"\xff\xfe\x00"), "x.csv"),
        },
        content_type="multipart/form-data",
    )
    assert not_utf8.status_code == 400
    assert "The file: the file is not UTF-8" in not_utf8.get_data(as_text=True)
    assert _upload(client, setup["provider"], HEADER + GOOD, token="").status_code == 400
    assert _offers(app) == []
    big = HEADER + GOOD * 60_000
    page = _upload(client, setup["provider"], big)
    assert page.status_code == 413
    assert _offers(app) == []
