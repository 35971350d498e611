"""Our extensions of pylti1p3 (pylti1p3next), all in this one module.

What the library leaves to us (see ../shared/LTI-NOTES.md) and how it is closed here:
- registrations come from the database (``DatabaseToolConf``), many client ids per issuer;
- state, nonce and launch data live in the shared database store, not the process or cookie;
- the nonce and the state are consumed by the first successful launch (no replay), and only
  after the signature, registration, deployment and message checks passed;
- the platform JWKS is cached until it expires and fetched again (with a cool-down) when a
  launch names an unknown ``kid``;
- service access tokens are cached per issuer + client id + scopes, in the shared store;
- every outgoing HTTP call goes through ``lti_tool.outgoing`` (checked addresses, timeout, size cap).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from flask import current_app
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deployment import Deployment
from pylti1p3.exception import (
    LtiException,
    LtiInvalidNonceException,
    LtiKeyException,
    LtiMessageValidationException,
    LtiServiceException,
    OIDCException,
)
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector, TServiceConnectorResponse
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import Row, and_, bindparam, null, select
from sqlalchemy.orm import Session

from ..models import Deployment as DeploymentRow
from ..models import Platform
from ..outgoing import GuardedSession, RequestException, http_session
from ..shared_store import SharedStore, used_key
from . import keys
from .login_state import LoginState, issue_state, nonce_key, read_state

log = logging.getLogger(__name__)

DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


class UnknownPlatform(LtiException):
    """A launch or login names an issuer / client id that no registration matches."""

    def __init__(self, issuer: str, client_id: str | None) -> None:
        self.issuer = issuer
        self.client_id = client_id
        super().__init__(
            f"No platform is registered for issuer {issuer!r} and client id {client_id!r}"
        )


class LearnpassRegistration(Registration):
    """A registration whose tool key is read when first needed (service calls, deep linking
    answers): a login or a launch never needs it, and so never reads it."""

    platform_id: int
    platform: Platform | Row[Any]  # what it was made from (record_launch reads it again)
    _key_session: Session | None = None
    _kid: str | None = None

    def _load_tool_key(self) -> None:
        if self._tool_private_key is None and self._key_session is not None:
            key = keys.current_key(self._key_session)
            self._tool_private_key, self._kid = key.private_pem, key.kid

    def get_tool_private_key(self) -> Any:
        # pylti1p3 hands it to PyJWT only (service tokens, deep linking answers): the parsed key
        # saves a parse of the PEM per signature (keys.signing_key).
        self._load_tool_key()
        pem = self._tool_private_key
        return None if pem is None else keys.signing_key(pem)

    def get_kid(self) -> str | None:
        # Registration.get_kid derives a kid from the public key; ours is the stored one.
        self._load_tool_key()
        return self._kid


_platforms_table = Platform.__table__
_deployments_table = DeploymentRow.__table__


@functools.cache
def _platform_query(with_deployment: bool, with_client: bool) -> Any:
    """The active registration of an issuer (and client id), with whether it has a deployment
    (a launch's token names one): built once per process, the values bound at execution. A Core
    select of the platform's columns: its row is read once per request and never changed, so
    no ORM object is made for it (that cost more than the select)."""
    platform, deployment = _platforms_table.c, _deployments_table.c
    known = deployment.id if with_deployment else null()
    query = select(*platform, known.label("known_deployment")).where(
        platform.issuer == bindparam("iss"), platform.active.is_(True)
    )
    if with_deployment:
        query = query.select_from(
            _platforms_table.outerjoin(
                _deployments_table,
                and_(
                    deployment.platform_id == platform.id,
                    deployment.deployment_id == bindparam("deployment_id"),
                ),
            )
        )
    if with_client:
        query = query.where(platform.client_id == bindparam("client_id"))
    return query


class DatabaseToolConf(ToolConfAbstract[FlaskRequest]):
    """Registrations and deployments read from the ``platform`` / ``deployment`` tables."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        # One request asks for the same registration several times (login: registration;
        # launch: registration, deployment, then the rows): read it once per request.
        self._platforms: dict[tuple[str, str | None], Platform | None] = {}
        # Whether a platform has a deployment, when read with the platform (a launch's token
        # names both): (platform id, deployment id) -> known.
        self._deployments: dict[tuple[int, str], bool] = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_platform(
        self, iss: str, client_id: str | None, deployment_id: str | None = None
    ) -> Row[Any] | None:
        """The registration's row (its columns by name, as a Platform's attributes), or None."""
        if (iss, client_id) not in self._platforms:
            self._platforms[iss, client_id] = self._read_platform(iss, client_id, deployment_id)
        return self._platforms[iss, client_id]

    def _read_platform(
        self, iss: str, client_id: str | None, deployment_id: str | None
    ) -> Row[Any] | None:
        """The active registration; with ``deployment_id`` (a launch), whether it has that
        deployment is read in the same select and kept for find_deployment_by_params."""
        params = {"iss": iss, "client_id": client_id, "deployment_id": deployment_id}
        query = _platform_query(deployment_id is not None, bool(client_id))
        self.session.flush()  # as the ORM's select would: rows this session holds are read back
        rows = self.session.connection().execute(query, params).all()
        # Without a client id (it is optional in the login request) we can only pick a sole match.
        if len(rows) != 1:
            return None
        platform = rows[0]
        if deployment_id is not None:
            self._deployments[platform.id, deployment_id] = platform.known_deployment is not None
        return platform

    def registration_for(self, platform: Platform | Row[Any]) -> LearnpassRegistration:
        reg = LearnpassRegistration()
        reg.platform_id = platform.id
        reg.platform = platform
        reg._key_session = self.session
        reg.set_issuer(platform.issuer).set_client_id(platform.client_id)
        reg.set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
        if platform.auth_audience:
            reg.set_auth_audience(platform.auth_audience)
        reg.set_key_set_url(platform.key_set_url)
        reg.set_key_set(platform.key_set)  # type: ignore[arg-type]
        return reg

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self.find_registration_by_params(iss, None, *args, **kwargs)  # type: ignore[arg-type]

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        jwt_body = kwargs.get("jwt_body") or {}
        deployment_id = jwt_body.get(DEPLOYMENT_CLAIM) if isinstance(jwt_body, dict) else None
        platform = self.find_platform(
            iss, client_id, deployment_id if isinstance(deployment_id, str) else None
        )
        if platform is None:
            raise UnknownPlatform(iss, client_id)
        return self.registration_for(platform)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)  # type: ignore[arg-type]

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = self.find_platform(iss, client_id)
        if platform is None:
            return None
        if (platform.id, deployment_id) in self._deployments:
            known = self._deployments[platform.id, deployment_id]
            return Deployment().set_deployment_id(deployment_id) if known else None
        row = self.session.scalars(
            select(DeploymentRow).where(
                DeploymentRow.platform_id == platform.id,
                DeploymentRow.deployment_id == deployment_id,
            )
        ).first()
        return Deployment().set_deployment_id(deployment_id) if row else None


class DatabaseLaunchDataStorage(LaunchDataStorage[Any]):
    """pylti1p3 launch storage backed by the shared database store (no per-browser cookie).

    With ``join`` its writes are part of the request's own transaction (the launch's single-use
    marks), committed by the request with the rest of its work. A value read once is not read
    again in the same request. The login's state is no longer stored (login_state.py).
    """

    def __init__(self, session: Session, *, join: bool = False) -> None:
        super().__init__()
        self.store = SharedStore(session, join=join)
        self._read: dict[str, Any] = {}

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        key = self._prepare_key(key)
        if key not in self._read:
            self._read[key] = self.store.get(key)
        return self._read[key]

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        key = self._prepare_key(key)
        self._read.pop(key, None)
        self.store.set(key, value, exp)

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def is_used(self, key: str) -> bool:
        """Whether ``key`` (a state's or a nonce's) was marked used (``use_once``)."""
        return self.store.get(used_key(self._prepare_key(key))) is not None

    def use_once(self, keys: list[str], ttl: float) -> set[str]:
        """Mark keys used for every instance, in one statement (SharedStore.use_once); the keys
        marked here, as given."""
        prepared = {self._prepare_key(key): key for key in keys}
        marked = self.store.use_once(list(prepared), ttl)
        return {prepared[key] for key in marked}


STATE_COOKIE_PREFIX = "lti1p3-"  # + "state-<id>", the state's part before its params
STATE_COOKIE_SECONDS = 5 * 60
LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
)
"""The login-initiation parameters kept with the state, to begin the same login in a new window."""


class StateNotInThisBrowser(LtiException):
    """A launch came back without the cookie its login set: this browser did not begin the login
    (login CSRF), or it refuses our cookie in the LMS iframe. Either way no session can start."""

    def __init__(self, state: str) -> None:
        self.state = state
        super().__init__("This browser did not begin the login of this launch")


def _browser_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class LearnpassOIDCLogin(FlaskOIDCLogin):
    """Login initiation that writes nothing: the state it hands the platform is signed and
    carries its own params (login_state.py); the launch makes it and its nonce single-use.

    The state is bound to the browser that began the login: a random secret goes into a short-
    lived cookie (never into a URL; the state itself does travel in the platform's URLs), and only
    its hash goes into the state. The launch must bring the cookie back.
    """

    def __init__(self, request: FlaskRequest, tool_config: DatabaseToolConf) -> None:
        super().__init__(request, tool_config)

    issued_state: str = ""
    platform_origin: str = ""
    _storage_target: str = ""

    def use_platform_storage(self, target: str) -> None:
        self._storage_target = target

    def _prepare_redirect_url(self, launch_url: str) -> str:
        # pylti1p3's own saves the state params and the nonce through its session service (our
        # store: a write per login); here they travel signed in the state instead.
        if not launch_url:
            raise OIDCException("No launch URL configured")
        registration = self._registration = self.validate_oidc_login()
        secret = secrets.token_urlsafe(32)
        nonce = self._generate_nonce()
        state = self.issued_state = issue_state(
            current_app.config["SECRET_KEY"],
            nonce=nonce,
            browser=_browser_secret_hash(secret),
            login={k: v for k in LOGIN_PARAMS if (v := self._get_request_param(k))},
            storage_target=self._storage_target,
        )
        # pylti1p3 put the state itself in the cookie; ours holds the secret instead.
        self._cookie_service.set_cookie(state_cookie_id(state), secret, STATE_COOKIE_SECONDS)
        auth_login_url = registration.get_auth_login_url() or ""
        auth = urlsplit(auth_login_url)
        self.platform_origin = f"{auth.scheme}://{auth.netloc}"
        auth_params = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": registration.get_client_id(),
            "redirect_uri": launch_url,
            "state": state,
            "nonce": nonce,
            "login_hint": self._get_request_param("login_hint"),
        }
        lti_message_hint = self._get_request_param("lti_message_hint")
        if lti_message_hint:
            auth_params["lti_message_hint"] = lti_message_hint
        return auth_login_url + ("&" if "?" in auth_login_url else "?") + urlencode(auth_params)


def state_cookie_id(state: str) -> str:
    """The state cookie's name after pylti1p3's ``lti1p3-`` prefix: ``state-<id>``, the state's
    part before its signed params."""
    return state.partition(".")[0]


def _login_state(state: str) -> LoginState | None:
    return read_state(
        current_app.config["SECRET_KEY"],
        state,
        current_app.config["LEARNPASS"].launch_data_lifetime,
    )


def _used_mark_seconds() -> int:
    """How long a state's or nonce's used mark is kept: longer than the state is accepted."""
    return int(current_app.config["LEARNPASS"].launch_data_lifetime) + 60


def take_login_for_new_window(storage: DatabaseLaunchDataStorage, state: str) -> dict[str, str]:
    """The login-initiation parameters of a state refused for its missing cookie, to begin the
    same login again in a new window. The state is used up (its nonce's mark): one new window each.

    Safe to offer to anyone holding the state: the new login goes through the platform again,
    which signs in whoever the browser is signed in to the platform as.
    """
    login = _login_state(state)
    if login is None or not login.login:
        return {}
    if not storage.use_once([login.nonce_key], _used_mark_seconds()):
        return {}  # a launch or another new window used it first
    return {k: v for k, v in login.login.items() if k in LOGIN_PARAMS}


def login_of_state(state: str) -> dict[str, str]:
    """The login-initiation parameters signed into a state, without using it up."""
    login = _login_state(state)
    return dict(login.login) if login is not None else {}


_MADE_WHEN_NEEDED = object()
_UNREAD = object()


class LearnpassMessageLaunch(FlaskMessageLaunch):
    """A launch validated fully before anything single-use is consumed."""

    def __init__(
        self,
        request: FlaskRequest,
        tool_config: DatabaseToolConf,
        storage: DatabaseLaunchDataStorage,
    ) -> None:
        self._storage = storage
        self._http: GuardedSession | None = None
        super().__init__(
            request,
            tool_config,
            launch_data_storage=storage,
            # Any true value keeps pylti1p3 from making a session of its own (see below).
            requests_session=_MADE_WHEN_NEEDED,  # type: ignore[arg-type]
            service_connector_cls=LearnpassServiceConnector,
        )
        self.set_launch_data_lifetime(current_app.config["LEARNPASS"].launch_data_lifetime)

    # pylti1p3 keeps an HTTP session for the service calls a launch object can make; a launch
    # makes none (key sets are fetched by fetch_platform_jwks), so the guarded session is only
    # made if one is asked for.
    @property
    def _requests_session(self) -> GuardedSession:
        if self._http is None:
            self._http = http_session()
        return self._http

    @_requests_session.setter
    def _requests_session(self, value: Any) -> None:
        self._http = value if isinstance(value, GuardedSession) else None

    @property
    def registration(self) -> LearnpassRegistration:
        assert isinstance(self._registration, LearnpassRegistration)
        return self._registration

    def validate(self) -> LearnpassMessageLaunch:
        if self._restored:
            raise LtiMessageValidationException("A restored launch can't be validated.")
        self._validated = True
        try:
            self.validate_state()
            self.validate_jwt_format()
            if not self._get_jwt_body().get("nonce"):
                raise LtiMessageValidationException('The "nonce" field is empty.')
            self.validate_registration()
            self.validate_jwt_signature()
            self.validate_deployment()
            self.validate_message()
            self.consume_state_and_nonce()
        except Exception:
            self._validated = False
            raise
        return self

    def state_cookie_name(self) -> str:
        return STATE_COOKIE_PREFIX + state_cookie_id(self._get_request_param("state"))

    def login_state(self) -> LoginState | None:
        """The params signed into the launch's state; None when it is not one this tool signed,
        or is older than the launch data lifetime."""
        if self._login is _UNREAD:
            self._login = _login_state(self._get_request_param("state") or "")
        return self._login  # type: ignore[return-value]

    _login: Any = _UNREAD

    def validate_state(self) -> LearnpassMessageLaunch:
        state = self._get_request_param("state")
        if not state:
            raise LtiMessageValidationException("Missing state param")
        login = self.login_state()
        if login is None:
            raise LtiMessageValidationException("State not found")
        # The state is bound to the browser that began the login, always: a launch posted from
        # another browser (a cross-site form carrying an attacker's own token) is refused here.
        secret = self._cookie_service.get_cookie(login.cookie_id)
        if secret is None:
            # The cookie is gone once a launch used the state: a post sent again says so.
            if self._storage.is_used(login.nonce_key):
                raise LtiInvalidNonceException("This launch was already used (nonce consumed)")
            raise StateNotInThisBrowser(state)
        if not hmac.compare_digest(_browser_secret_hash(secret), login.browser):
            raise LtiMessageValidationException("State not found")
        return self

    def consume_state_and_nonce(self) -> None:
        nonce = self._get_jwt_body()["nonce"]
        login = self.login_state()
        assert login is not None  # validate_state passed
        if login.nonce != nonce:
            # Read only on this refusal: a token whose nonce was used with its own state is a
            # replay; any other was issued for another login.
            if self._storage.is_used(nonce_key(nonce)):
                raise LtiInvalidNonceException("Invalid Nonce.")
            raise LtiMessageValidationException("This state belongs to another login")
        # Used up for every instance by one insert, in the launch's own transaction (a launch
        # refused below rolls back, and it is usable again). The nonce's mark is the state's too:
        # the signature binds each state to its own nonce, one each. The mark outlives the state's
        # own lifetime, so a state is never accepted again while its signature is.
        if not self._storage.use_once([login.nonce_key], _used_mark_seconds()):
            raise LtiInvalidNonceException("This launch was already used (nonce consumed)")

    def save_launch_data(self) -> LearnpassMessageLaunch:
        # pylti1p3 keeps the token's claims under the launch id, and the token's hash under the
        # state, to restore the launch in a later request; learnpass never restores a launch
        # (what a launch grants lives in the session it starts), so nothing is written for it.
        return self

    def validate_jwt_signature(self) -> LearnpassMessageLaunch:
        header = self._jwt.get("header", {})
        if str(header.get("alg", "")).lower() == "none":
            raise LtiMessageValidationException("Unsigned tokens (alg: none) are refused")
        jwk, alg = self._signing_jwk()
        if alg.upper().startswith("HS") or jwk.get("kty") == "oct":
            # A key in a published key set is no secret: never accept a token signed with it.
            raise LtiKeyException("The platform's key is not a public key")
        # pylti1p3 turns the JWK into PEM text (jwcrypto) for PyJWT to parse again, at every
        # launch; the key object made from the same JWK is kept instead (_public_key_of).
        try:
            key = _public_key_of(json.dumps(jwk, sort_keys=True), alg)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError) as exc:
            raise LtiKeyException("Can't convert JWT key to a public key") from exc
        try:
            jwt.decode(
                self._get_id_token(), key, algorithms=[alg], options=self._jwt_verify_options
            )
        except jwt.InvalidTokenError as exc:
            raise LtiMessageValidationException(f"Can't decode id_token: {exc}") from exc
        return self

    def _signing_jwk(self) -> tuple[dict[str, Any], str]:
        """The key of the platform's key set that the token names (kid and alg), as pylti1p3's
        get_public_key finds it, without converting it."""
        header = self._jwt.get("header", {})
        kid, alg = header.get("kid"), header.get("alg")
        if not kid:
            raise LtiKeyException("JWT KID not found")
        if not alg:
            raise LtiKeyException("JWT ALG not found")
        for key in self._platform_key_set().get("keys", []):
            if key.get("kid") == kid and key.get("alg", "RS256") == alg:
                return key, alg
        raise LtiKeyException("Unable to find public key")

    def _platform_key_set(self) -> dict[str, Any]:
        reg = self.registration
        key_set = reg.get_key_set()
        if key_set:
            return dict(key_set)
        url = reg.get_key_set_url()
        if not url or not url.startswith(("http://", "https://")):
            raise LtiKeyException(f"The public key set URL is invalid: {url}")
        kid = self._jwt.get("header", {}).get("kid")
        # A cache entry, not the launch's own work: written on the store's own connection.
        key_set = fetch_platform_jwks(SharedStore(self._storage.store.caller), url, want_kid=kid)
        reg.set_key_set(key_set)  # type: ignore[arg-type]
        return key_set

    def get_public_key(self) -> tuple[str, str]:
        self._platform_key_set()
        return super().get_public_key()


@functools.lru_cache(maxsize=64)
def _public_key_of(jwk_json: str, alg: str) -> Any:
    """The key object of one platform JWK (the JWK's own text is the cache key: a rotated or
    withdrawn key is simply another text, and is no longer named by the key set)."""
    return jwt.PyJWK(json.loads(jwk_json), algorithm=alg).key


def fetch_platform_jwks(
    store: SharedStore, url: str, want_kid: str | None = None
) -> dict[str, Any]:
    """The platform key set, from the shared cache until it expires.

    When ``want_kid`` is not in the cached set (the platform rotated its keys) the set is fetched
    again, at most once per cool-down period, so a flood of bad kids cannot hammer the platform.
    """
    settings = current_app.config["LEARNPASS"]
    local_key = (str(store.bind.url), url)
    local = _local_jwks.get(local_key)
    if (
        local
        and local[0] > time.monotonic()
        and (want_kid is None or any(k.get("kid") == want_kid for k in local[1].get("keys", [])))
    ):
        return dict(local[1])
    key_set = _shared_platform_jwks(store, url, want_kid, settings)
    _local_jwks[local_key] = (time.monotonic() + LOCAL_JWKS_SECONDS, key_set)
    return key_set


LOCAL_JWKS_SECONDS = 60
"""How long one process keeps a platform key set it read from the shared cache.

Key sets are public and change rarely. A launch signed with a key this copy lacks (a rotation)
goes past it to the shared cache and the platform at once; a key the platform withdraws is
trusted by a process for at most this long after the shared cache forgot it."""

_local_jwks: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}


def forget_local_key_sets() -> None:
    """Drop this process's copies of platform key sets (the shared cache stays)."""
    _local_jwks.clear()


def _shared_platform_jwks(
    store: SharedStore, url: str, want_kid: str | None, settings: Any
) -> dict[str, Any]:
    cache_key = "jwks:" + hashlib.sha256(url.encode()).hexdigest()
    cooldown_key = cache_key + ":refetch"
    cached = store.get(cache_key)
    if cached and (
        want_kid is None or any(k.get("kid") == want_kid for k in cached.get("keys", []))
    ):
        return dict(cached)
    if cached and not store.add_once(cooldown_key, True, settings.jwks_refetch_cooldown):
        return dict(cached)
    try:
        resp = http_session().get(url)
        resp.raise_for_status()
        key_set = resp.json()
    except (RequestException, ValueError) as exc:
        if cached:
            return dict(cached)
        # The address and the reason stay in the log: a visitor learns nothing about the network.
        log.warning("platform key set %s not fetched: %s: %s", url, type(exc).__name__, exc)
        raise LtiKeyException("Could not fetch the platform's public keys") from exc
    if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
        log.warning("platform key set %s is not a JWKS", url)
        raise LtiKeyException("The platform's key set is not a JWKS")
    store.set(cache_key, key_set, _max_age(resp.headers.get("Cache-Control", "")) or 3600)
    return key_set


def _max_age(cache_control: str) -> int | None:
    match = re.search(r"max-age=(\d+)", cache_control)
    return int(match.group(1)) if match else None


class LearnpassServiceConnector(ServiceConnector):
    """Service calls (AGS, NRPS) with tokens cached per issuer + client id + scopes, and PUT/DELETE."""

    def __init__(
        self, registration: Registration, requests_session: GuardedSession | None = None
    ) -> None:
        super().__init__(registration, requests_session or http_session())
        from ..extensions import db

        self.store = SharedStore(db.session())

    def _scope_key(self, scopes: Iterable[str]) -> str:
        reg = self._registration
        parts = [reg.get_issuer() or "", reg.get_client_id() or "", *sorted(scopes)]
        return "lti-token:" + hashlib.sha256("|".join(parts).encode()).hexdigest()

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        return self.store.get(scope_key)

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        # Renew a little early so a token never expires in the middle of a call.
        ttl = max(float(expires_in or 0) - 30, 0)
        if ttl > 0:
            self.store.set(scope_key, access_token, ttl)

    def request(
        self,
        method: str,
        scopes: list[str],
        url: str,
        *,
        data: str | None = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> TServiceConnectorResponse:
        """Any HTTP method; pylti1p3 itself only does GET and POST."""
        token = self.get_access_token(scopes)
        headers = {"Authorization": "Bearer " + token, "Accept": accept}
        if data is not None:
            headers["Content-Type"] = content_type
        resp = self._requests_session.request(method, url, data=data, headers=headers)
        if not resp.ok:
            raise LtiServiceException("There was an error making a service request.", resp)
        return {
            "headers": dict(resp.headers),
            "body": resp.json() if resp.content else None,
            "next_page_url": None,
        }


LAUNCH_ERRORS: tuple[type[BaseException], ...] = (LtiException, OIDCException)
