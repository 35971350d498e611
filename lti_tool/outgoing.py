"""Every outgoing HTTP request of learnpass goes through this module.

Dynamic Registration fetches an address that a visitor chose, the platform JWKS, token, AGS and
NRPS addresses come from a platform's configuration, and xAPI forwarding goes to an address the
administrator set. None of them may reach into the network learnpass runs in (the database, the
cloud metadata service, an admin panel on loopback). ``GuardedSession`` is a ``requests.Session``
that, for every request and for every redirect hop:

- accepts only http and https, and no user name or password in the address;
- resolves the host once, refuses the request when any of its addresses is loopback, private
  (RFC 1918, ULA ``fc00::/7``), link-local (``169.254/16`` with the cloud metadata address,
  ``fe80::/10``), shared (``100.64/10``), unspecified, multicast or reserved, also when written
  as IPv4 inside IPv6 (``::ffff:127.0.0.1``, 6to4, NAT64);
- connects to the address it checked (the URL is rewritten to that IP; the Host header, TLS server
  name and certificate check keep the name), so a second DNS answer cannot swap the target;
- follows at most ``MAX_REDIRECTS`` redirects itself, dropping credentials when the host changes;
- always has a timeout, a deadline for the whole answer and a cap on the answer's size;
- ignores proxy settings from the environment (a proxy would make the address check meaningless).

``LEARNPASS_OUTGOING_ALLOW_PRIVATE`` (labs, demo, tests) or ``LEARNPASS_OUTGOING_ALLOW_NETWORKS``
(a list of networks) let chosen internal targets through. Only this module imports ``requests``
(tests/security/test_outgoing_imports.py checks it); the ``xapi`` library takes a session made here.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from flask import current_app
from requests import RequestException
from requests.adapters import HTTPAdapter

from .networks import IPNetwork, parse_networks

__all__ = [
    "GuardedSession",
    "OutgoingPolicy",
    "OutgoingRefused",
    "RequestException",
    "ResponseTooLarge",
    "http_session",
    "parse_networks",
]

log = logging.getLogger(__name__)

USER_AGENT = "learnpass/1.0"
MAX_REDIRECTS = 5
MAX_RESPONSE_BYTES = 10 * 1024 * 1024  # a large NRPS page fits; a flood does not
DEADLINE_FACTOR = 3  # the whole answer, redirects included, within 3 x the timeout

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class OutgoingRefused(requests.ConnectionError):
    """The address is not one learnpass may call; nothing was sent."""


class ResponseTooLarge(RequestException):
    """The answer was larger than the cap (or slower than the deadline); it was not kept."""


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64, compatible), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class OutgoingPolicy:
    """Which addresses may be called, and how long and how much an answer may be."""

    allow_private: bool = False
    allow_networks: tuple[IPNetwork, ...] = ()
    timeout: float = 10.0
    max_bytes: int = MAX_RESPONSE_BYTES
    max_redirects: int = MAX_REDIRECTS

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be called, or None when it may."""
        if any(address.version == net.version and address in net for net in self.allow_networks):
            return None
        if address.is_unspecified:
            return "unspecified address"
        if address.is_multicast:
            return "multicast address"
        inner = _embedded_ipv4(address)
        if inner is not None:
            reason = self.refusal(inner)
            return None if reason is None else f"{reason} inside IPv6"
        kind = _internal_kind(address)
        if kind is None or self.allow_private:
            return None
        return kind

    def check(self, host: str, port: int, resolver: Resolver) -> IPAddress:
        """Resolve ``host`` once; the address to connect to, or OutgoingRefused."""
        try:
            answers = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolver(host, port)]
        except (OSError, UnicodeError) as exc:
            raise requests.ConnectionError(f"cannot resolve {host}: {exc}") from exc
        if not answers:
            raise requests.ConnectionError(f"cannot resolve {host}")
        for address in answers:
            reason = self.refusal(address)
            if reason:
                raise OutgoingRefused(f"{host} resolves to {address}, a {reason}: refused")
        return answers[0]


def _internal_kind(address: IPAddress) -> str | None:
    if address.is_loopback:
        return "loopback address"
    if address.is_link_local:
        return "link-local address (cloud metadata lives here)"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "site-local address"
    if address.is_private:
        return "private address"
    if address.is_reserved or not address.is_global:
        return "reserved or non-public address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class PinnedAdapter(HTTPAdapter):
    """Checks the address of every request it sends and connects to exactly that address."""

    def __init__(self, policy: OutgoingPolicy, resolver: Resolver) -> None:
        self.policy = policy
        self.resolver = resolver
        super().__init__()

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        original = str(request.url)
        parts = urlsplit(original)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OutgoingRefused(f"only http and https addresses are called, not {original!r}")
        if parts.username is not None or parts.password is not None:
            raise OutgoingRefused("an address with a user name or password is not called")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = self.policy.check(parts.hostname, port, self.resolver)
        ip_host = f"[{address}]" if address.version == 6 else str(address)
        name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        request.headers["Host"] = name if parts.port is None else f"{name}:{port}"
        request.url = urlunsplit((parts.scheme, f"{ip_host}:{port}", parts.path, parts.query, ""))
        request._learnpass_server_name = parts.hostname  # type: ignore[attr-defined]
        kwargs["proxies"] = {}
        try:
            response = super().send(request, *args, **kwargs)
        finally:
            request.url = original
        response.url = original
        return response

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        name = getattr(request, "_learnpass_server_name", None)
        if host_params.get("scheme") == "https" and name:
            # Connected to the checked IP, TLS still names and verifies the host.
            pool_kwargs["server_hostname"] = name
            pool_kwargs["assert_hostname"] = name
        return host_params, pool_kwargs


class GuardedSession(requests.Session):
    """A ``requests.Session`` for outgoing calls: checked addresses, timeouts, size cap."""

    def __init__(self, policy: OutgoingPolicy, resolver: Resolver | None = None) -> None:
        super().__init__()
        self.policy = policy
        self.trust_env = False  # no proxies or .netrc from the environment
        self.max_redirects = policy.max_redirects
        self.headers["User-Agent"] = USER_AGENT
        adapter = PinnedAdapter(policy, resolver or system_resolver)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def resolve_redirects(self, *args: Any, **kwargs: Any) -> Iterator[Any]:  # type: ignore[override]
        # requests would read each redirect's body without a limit; request() follows them.
        return iter(())

    def request(  # type: ignore[override]
        self,
        method: str,
        url: str,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        cookies: Any = None,
        files: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = True,
        proxies: Any = None,
        hooks: Any = None,
        stream: Any = None,
        verify: Any = None,
        cert: Any = None,
        json: Any = None,
    ) -> requests.Response:
        """As ``requests``, but redirects are followed here (each hop checked) and the answer is
        always read in full, within the size cap and the deadline (``stream`` is ignored)."""
        if timeout is None:
            timeout = self.policy.timeout
        if isinstance(timeout, tuple):
            longest = max((float(t) for t in timeout if t), default=self.policy.timeout)
        else:
            longest = float(timeout)
        deadline = time.monotonic() + DEADLINE_FACTOR * longest
        headers = dict(headers or {})
        for _hop in range(self.policy.max_redirects + 1):
            response = super().request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                cookies=cookies,
                files=files,
                auth=auth,
                timeout=timeout,
                allow_redirects=False,
                hooks=hooks,
                stream=True,
                verify=verify,
                cert=cert,
                json=json,
            )
            if not (allow_redirects and response.is_redirect):
                break
            here = str(response.url)
            next_url = urljoin(here, response.headers["location"])
            response.close()  # its body is never read
            status, upper = response.status_code, method.upper()
            if (status == 303 and upper != "HEAD") or (status in (301, 302) and upper == "POST"):
                method, data, json, files = "GET", None, None, None
            if urlsplit(next_url).netloc.lower() != urlsplit(here).netloc.lower():
                auth = None
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            url, params = next_url, None
        else:
            response.close()
            raise requests.TooManyRedirects(
                f"more than {self.policy.max_redirects} redirects", response=response
            )
        _read_capped(response, self.policy.max_bytes, deadline)
        return response


def _read_capped(response: requests.Response, max_bytes: int, deadline: float) -> None:
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise ResponseTooLarge(f"the answer from {response.url} is over {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise ResponseTooLarge(f"the answer from {response.url} came too slowly")
            chunks.append(chunk)
    finally:
        response.close()
    response._content = b"".join(chunks)
    response._content_consumed = True


def policy_from_settings(settings: Any) -> OutgoingPolicy:
    return OutgoingPolicy(
        allow_private=settings.outgoing_allow_private,
        allow_networks=parse_networks(settings.outgoing_allow_networks),
        timeout=float(settings.http_timeout),
    )


def http_session() -> GuardedSession:
    """A guarded session with the running app's settings (needs an app context)."""
    return GuardedSession(policy_from_settings(current_app.config["LEARNPASS"]))
