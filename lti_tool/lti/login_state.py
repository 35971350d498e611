"""The OIDC login's state, signed and carried through the platform instead of stored.

The login used to write its state and nonce to the shared store, and the launch read them back.
Now the state the login hands the platform is the record: ``state-<id>.<signed params>``, the
params (nonce, the hash of the browser's cookie secret, the login-initiation parameters, when
it was issued) signed with the tool's secret key (HMAC-SHA256, itsdangerous). The login writes
nothing; the launch reads nothing to find its state. What stays on the server is what must be
shared by every instance: the mark that makes the nonce, and with it its state, single-use,
written by the launch that uses it (``SharedStore.use_once``, one insert; the first writer wins,
in any instance, because the database's unique key decides). See docs/security.md, "The login
state is signed, not stored".

- Forged or altered params fail the signature; a state older than its lifetime is refused.
- The browser binding is unchanged: the state cookie holds a secret, the state only its hash.
- Every instance must share LEARNPASS_SECRET_KEY (they already must, for CSRF tokens); changing
  it refuses the logins in flight (so does the upgrade to this scheme: an unsigned state of the
  stored kind is refused as unknown, and its browser begins the launch again).
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer
from pylti1p3.session import SessionService

STATE_PREFIX = "state-"
_SALT = "learnpass.lti.login-state"
MAX_STATE_LENGTH = 8192
"""A state longer than this is refused unread (a login's own is some hundred characters)."""


@dataclass(frozen=True)
class LoginState:
    """What the login signed into its state."""

    id: str
    nonce: str
    browser: str  # sha256 of the secret in the state cookie
    login: dict[str, str]  # the login-initiation parameters, to begin it again in a new window
    storage_target: str = ""

    @property
    def cookie_id(self) -> str:
        """The state cookie's name after pylti1p3's ``lti1p3-`` prefix: the id, not the params."""
        return STATE_PREFIX + self.id

    @property
    def nonce_key(self) -> str:
        """The key of the state's single-use mark: its nonce's (the signature binds the two, one
        each, so using the nonce up uses the state up)."""
        return nonce_key(self.nonce)


def nonce_key(nonce: str) -> str:
    return f"{SessionService._session_prefix}-nonce-{nonce}"


@functools.lru_cache(maxsize=4)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret_key, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256}
    )


def issue_state(
    secret_key: str,
    *,
    nonce: str,
    browser: str,
    login: dict[str, str],
    storage_target: str = "",
) -> str:
    """A new state, signed: ``state-<id>.<params>``."""
    state_id = uuid.uuid4().hex
    params: dict[str, Any] = {"id": state_id, "nonce": nonce, "browser": browser, "login": login}
    if storage_target:
        params["storage_target"] = storage_target
    return f"{STATE_PREFIX}{state_id}.{_serializer(secret_key).dumps(params)}"


def read_state(secret_key: str, state: str, max_age: float) -> LoginState | None:
    """The params of a state this tool signed less than ``max_age`` seconds ago; None for any
    other text (forged, altered, expired, another secret key's, or no state at all)."""
    if not state.startswith(STATE_PREFIX) or len(state) > MAX_STATE_LENGTH:
        return None
    state_id, _, signed = state[len(STATE_PREFIX) :].partition(".")
    try:
        params = _serializer(secret_key).loads(signed, max_age=max_age)
    except BadData:
        return None
    if not isinstance(params, dict) or params.get("id") != state_id:
        return None
    nonce, browser, login = params.get("nonce"), params.get("browser"), params.get("login")
    if not (isinstance(nonce, str) and nonce and isinstance(browser, str) and browser):
        return None
    if not isinstance(login, dict):
        login = {}
    return LoginState(
        id=state_id,
        nonce=nonce,
        browser=browser,
        login={str(k): str(v) for k, v in login.items()},
        storage_target=str(params.get("storage_target") or ""),
    )
