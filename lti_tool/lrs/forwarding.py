"""The forwarding job: ``learnpass jobs run`` (started by ``learnpass serve``) drains the outbox."""

from __future__ import annotations

from flask import current_app

from xapi.forward import Forwarder, ForwardSettings

from ..extensions import db
from ..jobs import register_job
from ..outgoing import http_session

_forwarders: dict[str, Forwarder] = {}


def forward_due() -> int:
    """Send what is due, if an external LRS is configured; returns how many were delivered."""
    settings = current_app.config["LEARNPASS"]
    if not settings.xapi_forward_url:
        return 0
    forwarder = _forwarders.get(settings.xapi_forward_url)
    if forwarder is None:
        forwarder = Forwarder(
            ForwardSettings(
                url=settings.xapi_forward_url,
                key=settings.xapi_forward_key,
                secret=settings.xapi_forward_secret,
                timeout=float(settings.http_timeout),
            ),
            http_session(),
        )
        _forwarders[settings.xapi_forward_url] = forwarder
    return forwarder.drain(db.session()).delivered


register_job("xapi-forward", forward_due, every_seconds=2.0)
