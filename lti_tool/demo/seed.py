"""Seed the demo: register the demo platform with the tool, place a first link in the course."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..lti import keys
from ..lti.services import PlatformInput, add_platform
from ..models import Platform
from . import platform as demo


def seed_demo() -> Platform:
    session = db.session()
    keys.current_key(session)
    platform = session.scalars(
        select(Platform).where(
            Platform.issuer == demo.issuer(), Platform.client_id == demo.CLIENT_ID
        )
    ).first()
    if platform is None:
        platform = add_platform(
            session,
            PlatformInput(
                issuer=demo.issuer(),
                client_id=demo.CLIENT_ID,
                auth_login_url=demo.issuer() + "/authorize",
                auth_token_url=demo.issuer() + "/token",
                key_set_url=demo.issuer() + "/jwks.json",
                name="learnpass demo platform",
                deployment_ids=(demo.DEPLOYMENT_ID,),
            ),
        )
    if not demo.links():
        demo.add_link("learnpass", {"target": "home"}, None)
    for seeder in current_app.extensions.get("learnpass_demo_seeders", []):
        seeder()
    return platform
