"""A plain pylti1p3 Flask tool that does nothing but launch: bench/launch.py's yardstick.

What the pylti1p3 (pylti1p3next) documentation shows, and no more: the registration in a
``ToolConfDict``, the OIDC state and nonce in Flask's signed cookie session (pylti1p3's default),
the platform key set fetched from its URL and kept in this process for an hour, and a page that
greets the launched person. No database, no statements, no roles, nothing stored on the server.

Configured by environment variables (bench/launch.py sets them) and served by gunicorn:

    PLAIN_ISSUER, PLAIN_CLIENT_ID, PLAIN_DEPLOYMENT_ID, PLAIN_PLATFORM_URL (the demo platform's
    /demo URL), PLAIN_PRIVATE_KEY (a file holding the tool's RSA key, PEM), PLAIN_SECRET_KEY
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from flask import Flask, redirect, session
from markupsafe import escape
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.launch_data_storage.cache import CacheDataStorage
from pylti1p3.tool_config import ToolConfDict


class ProcessCache:
    """The smallest cache pylti1p3's cache storage accepts: a dict with expiry, per process."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[float | None, Any]] = {}

    def get(self, key: str) -> Any:
        expires, value = self.values.get(key, (None, None))
        if expires is not None and expires < time.monotonic():
            return None
        return value

    def set(self, key: str, value: Any, exp: int | None = None) -> None:
        self.values[key] = (time.monotonic() + exp if exp else None, value)


class KeyCache(CacheDataStorage[Any]):
    _cache = ProcessCache()


def tool_conf() -> ToolConfDict:
    issuer = os.environ["PLAIN_ISSUER"]
    client_id = os.environ["PLAIN_CLIENT_ID"]
    platform = os.environ["PLAIN_PLATFORM_URL"]
    conf = ToolConfDict(
        {
            issuer: [
                {
                    "default": True,
                    "client_id": client_id,
                    "auth_login_url": platform + "/authorize",
                    "auth_token_url": platform + "/token",
                    "auth_audience": None,
                    "key_set_url": platform + "/jwks.json",
                    "key_set": None,
                    "deployment_ids": [os.environ["PLAIN_DEPLOYMENT_ID"]],
                }
            ]
        }
    )
    conf.set_private_key(
        issuer, Path(os.environ["PLAIN_PRIVATE_KEY"]).read_text(), client_id=client_id
    )
    return conf


app = Flask(__name__)
app.secret_key = os.environ.get("PLAIN_SECRET_KEY", "plain-bench")
CONF = tool_conf() if "PLAIN_ISSUER" in os.environ else None
KEYS = KeyCache()


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.route("/lti/login", methods=["GET", "POST"])
def login() -> Any:
    assert CONF is not None
    launch_url = os.environ["PLAIN_BASE_URL"] + "/lti/launch"
    return FlaskOIDCLogin(FlaskRequest(), CONF).redirect(launch_url)


@app.post("/lti/launch")
def launch() -> Any:
    assert CONF is not None
    message_launch = FlaskMessageLaunch(FlaskRequest(), CONF)
    message_launch.set_public_key_caching(KEYS, cache_lifetime=3600)
    claims = message_launch.get_launch_data()
    session["name"] = claims.get("name", "")
    return redirect("/home", code=303)


@app.get("/home")
def home() -> str:
    return f"<!doctype html><title>plain</title><p>Hello {escape(session.get('name', ''))}</p>"
