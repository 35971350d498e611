"""The ``tenants`` fixture: two platforms, a client bound to each and an organisation-wide one."""

from __future__ import annotations

from typing import Any

import pytest

from .platforms import ISSUER_B, Tenants, add_client


@pytest.fixture
def tenants(app: Any, runner: Any, live_server: Any) -> Tenants:
    from lti_tool.demo import platform as demo

    with app.app_context():
        issuer_a = demo.issuer()
    registered = runner.invoke(
        args=[
            "platform",
            "add",
            "--issuer",
            ISSUER_B,
            "--client-id",
            "tool-b",
            "--deployment-id",
            "dep-b",
            "--auth-login-url",
            f"{ISSUER_B}/authorize",
            "--auth-token-url",
            f"{ISSUER_B}/token",
            "--key-set-url",
            f"{ISSUER_B}/jwks.json",
        ]
    )
    assert registered.exit_code == 0, registered.output
    return Tenants(
        url=live_server.url + "/xapi",
        issuer_a=issuer_a,
        a=add_client(runner, "--platform", issuer_a),
        b=add_client(runner, "--platform", ISSUER_B),
        org=add_client(runner),
    )
