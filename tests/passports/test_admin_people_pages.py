"""The administrator's people list comes a page of 50 at a time, with previous/next links."""

from __future__ import annotations

import re

from lxml import html
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Platform, User

from .conftest import sign_in


def _people_on(client, url):
    response = client.get(url)
    assert response.status_code == 200
    doc = html.fromstring(response.get_data(as_text=True))
    section = doc.xpath('//section[@aria-labelledby="people-heading"]')[0]
    ids = [
        int(re.search(r"/people/(\d+)/erase", href).group(1))
        for href in section.xpath(".//ul/li/a/@href")
        if href.endswith("/erase")
    ]
    rels = {a.get("rel"): a.get("href") for a in section.xpath(".//nav//a")}
    return ids, rels


def test_admin_people_list_is_paged(passport_app, client):
    app = passport_app
    sign_in(app, client, "admin")
    with app.app_context():
        platform = db.session.scalars(select(Platform).order_by(Platform.id)).first()
        other = Platform(
            issuer="https://other.example",
            client_id="o",
            auth_login_url="https://other.example/a",
            auth_token_url="https://other.example/t",
        )
        db.session.add(other)
        db.session.flush()
        for n in range(120):
            db.session.add(
                User(
                    issuer=platform.issuer,
                    client_id=platform.client_id,
                    sub=f"bulk-{n:03d}",
                    name=f"Bulk learner {n:03d}",
                    platform_id=platform.id,
                )
            )
        db.session.add(User(issuer=other.issuer, client_id="o", sub="x", platform_id=other.id))
        db.session.commit()
        everyone = set(db.session.scalars(select(User.id).where(User.platform_id == platform.id)))
        outsider = db.session.scalar(select(User.id).where(User.platform_id == other.id))
    assert len(everyone) > 100

    seen: list[int] = []
    url = "/passport/admin/"
    pages = 0
    while url:
        ids, rels = _people_on(client, url)
        pages += 1
        assert len(ids) <= 50
        assert ("prev" in rels) == (pages > 1)
        seen += ids
        url = rels.get("next")
        if url:
            assert len(ids) == 50
    assert pages == -(-len(everyone) // 50)
    assert len(seen) == len(set(seen)) and set(seen) == everyone
    assert outsider not in seen
