"""Actors for LTI users: an ``account`` whose homePage is the platform and name the LTI ``sub``.

The email is never used: it changes, it is personal data the platform may not share, and the
(issuer, sub) pair is what identifies an LTI user for good.
"""

from __future__ import annotations

from typing import Any


def account_actor(issuer: str, sub: str, name: str | None = None) -> dict[str, Any]:
    """The Agent for LTI user ``sub`` of the platform ``issuer``."""
    if not issuer or ":" not in issuer:
        raise ValueError(f"issuer must be the platform's issuer URL, not {issuer!r}")
    if not sub:
        raise ValueError("sub must be the LTI user id, not empty")
    actor: dict[str, Any] = {"objectType": "Agent", "account": {"homePage": issuer, "name": sub}}
    if name:
        actor["name"] = name
    return actor


def client_authority(base_url: str, key: str, name: str) -> dict[str, Any]:
    """The authority of statements sent by an LRS client (the key identifies it, not a person)."""
    return {
        "objectType": "Agent",
        "name": name,
        "account": {"homePage": base_url.rstrip("/") + "/xapi/clients", "name": key},
    }


def tool_authority(base_url: str) -> dict[str, Any]:
    """The authority of statements the tool records itself."""
    return {
        "objectType": "Agent",
        "name": "learnpass",
        "account": {"homePage": base_url.rstrip("/"), "name": "learnpass"},
    }
