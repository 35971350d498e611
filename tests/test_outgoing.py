"""The guarded session of lti_tool.outgoing, against real HTTP(S) servers on loopback."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lti_tool.outgoing import (
    GuardedSession,
    OutgoingPolicy,
    OutgoingRefused,
    ResponseTooLarge,
    parse_networks,
)
from lti_tool.settings import Settings, SettingsError

from .conftest import free_port

LOCAL = parse_networks("127.0.0.1/32")  # the test server, and nothing else on loopback


class Peer:
    """A small web server on 127.0.0.1 that records what reached it."""

    def __init__(self, ssl_context: Any = None) -> None:
        self.port = free_port()
        self.hits: list[dict[str, str]] = []
        self.server = make_server(
            "127.0.0.1", self.port, self.wsgi, threaded=True, ssl_context=ssl_context
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wsgi(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.hits.append(
            {
                "path": request.path,
                "method": request.method,
                "host": request.headers.get("Host", ""),
                "authorization": request.headers.get("Authorization", ""),
            }
        )
        if request.path == "/echo":
            response = Response(json.dumps(self.hits[-1]), mimetype="application/json")
        elif request.path == "/big":
            response = Response(b"x" * int(request.args["size"]))
        elif request.path == "/redirect":
            response = Response("", status=int(request.args.get("status", 302)))
            response.headers["Location"] = request.args["to"]
        elif request.path == "/loop":
            response = Response("", status=302, headers={"Location": "/loop"})
        else:
            response = Response("not here", status=404)
        return response(environ, start_response)

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def peer() -> Iterator[Peer]:
    server = Peer()
    yield server
    server.stop()


def guarded(**policy: Any) -> GuardedSession:
    return GuardedSession(OutgoingPolicy(**policy))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "fe80::1",
        "fd00:ec2::254",  # ULA (AWS metadata over IPv6)
        "fc00::5",
        "100.64.0.1",  # shared address space (carrier NAT)
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "::127.0.0.1",  # IPv4-compatible
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    assert OutgoingPolicy().refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert OutgoingPolicy().refusal(ipaddress.ip_address(address)) is None


def test_the_lab_settings_let_internal_targets_through() -> None:
    assert OutgoingPolicy(allow_private=True).refusal(ipaddress.ip_address("10.1.2.3")) is None
    assert OutgoingPolicy(allow_private=True).refusal(ipaddress.ip_address("::1")) is None
    # Unspecified and multicast are never a web server.
    assert OutgoingPolicy(allow_private=True).refusal(ipaddress.ip_address("0.0.0.0"))
    only = OutgoingPolicy(allow_networks=parse_networks("10.20.0.0/16, 192.168.5.7"))
    assert only.refusal(ipaddress.ip_address("10.20.3.4")) is None
    assert only.refusal(ipaddress.ip_address("192.168.5.7")) is None
    assert only.refusal(ipaddress.ip_address("10.21.0.1")) is not None


def test_a_loopback_server_is_never_reached(peer: Peer) -> None:
    with pytest.raises(OutgoingRefused):
        guarded().get(peer.url + "/echo")
    # The same address through IPv4-in-IPv6 and a name that resolves to loopback.
    with pytest.raises(OutgoingRefused):
        guarded().get(f"http://[::ffff:127.0.0.1]:{peer.port}/echo")
    with pytest.raises(OutgoingRefused):
        guarded().get(f"http://localhost:{peer.port}/echo")
    assert peer.hits == []
    assert guarded(allow_private=True).get(peer.url + "/echo").status_code == 200


def test_every_redirect_hop_is_checked(peer: Peer) -> None:
    session = guarded(allow_networks=LOCAL)
    assert session.get(peer.url + "/echo").json()["path"] == "/echo"
    for target in (
        "http://169.254.169.254/latest/meta-data/",
        f"http://127.0.0.2:{peer.port}/echo",
        "http://10.0.0.1/",
    ):
        with pytest.raises(OutgoingRefused):
            session.get(peer.url + "/redirect", params={"to": target})
    assert [h["path"] for h in peer.hits] == ["/echo", "/redirect", "/redirect", "/redirect"]


def test_redirects_are_bounded(peer: Peer) -> None:
    with pytest.raises(requests.TooManyRedirects):
        guarded(allow_networks=LOCAL).get(peer.url + "/loop")
    assert len(peer.hits) == 6  # the first request and five redirects


def test_credentials_do_not_follow_a_redirect_to_another_host(peer: Peer) -> None:
    session = guarded(allow_private=True)
    other = f"http://localhost:{peer.port}/echo"
    r = session.get(
        peer.url + "/redirect",
        params={"to": other},
        headers={"Authorization": "Bearer secret-token"},
    )
    assert r.json()["authorization"] == ""
    same = session.post(
        peer.url + "/redirect",
        params={"to": "/echo", "status": "307"},
        headers={"Authorization": "Bearer secret-token"},
        json={},
    )
    assert same.json() == {**same.json(), "method": "POST", "authorization": "Bearer secret-token"}


def test_answers_are_capped(peer: Peer) -> None:
    session = GuardedSession(OutgoingPolicy(allow_networks=LOCAL, max_bytes=1000))
    assert len(session.get(peer.url + "/big", params={"size": 1000}).content) == 1000
    with pytest.raises(ResponseTooLarge):
        session.get(peer.url + "/big", params={"size": 5000})


def test_there_is_always_a_timeout() -> None:
    # A server that accepts connections and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        port = silent.getsockname()[1]
        session = GuardedSession(OutgoingPolicy(allow_networks=LOCAL, timeout=0.5))
        started = time.monotonic()
        with pytest.raises(requests.Timeout):
            session.get(f"http://127.0.0.1:{port}/", timeout=None)
        assert time.monotonic() - started < 10


def test_the_connection_goes_to_the_address_that_was_checked(peer: Peer) -> None:
    # A name the system cannot resolve: only our resolver knows it, so the request can only have
    # reached the server through the checked address, and the resolver is asked once.
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    session = GuardedSession(OutgoingPolicy(allow_networks=LOCAL), resolver=resolver)
    r = session.get(f"http://platform.invalid:{peer.port}/echo")
    assert r.json()["host"] == f"platform.invalid:{peer.port}"
    assert r.url == f"http://platform.invalid:{peer.port}/echo"
    assert asked == ["platform.invalid"]

    # A name that answers a public address first and an internal one second is refused whole.
    def rebinding(host: str, port: int) -> list[str]:
        return ["93.184.215.14", "127.0.0.1"]

    with pytest.raises(OutgoingRefused):
        GuardedSession(OutgoingPolicy(), resolver=rebinding).get("http://rebind.invalid/")


def _certificate(tmp_path: Path, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def test_https_to_the_checked_address_still_verifies_the_name(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path, "platform.invalid")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = Peer(ssl_context=context)
    try:
        session = GuardedSession(
            OutgoingPolicy(allow_networks=LOCAL), resolver=lambda host, port: ["127.0.0.1"]
        )
        r = session.get(f"https://platform.invalid:{server.port}/echo", verify=cert)
        assert r.json()["host"] == f"platform.invalid:{server.port}"
        # The same server under a name its certificate does not carry: the TLS check fails.
        with pytest.raises(requests.exceptions.SSLError):
            session.get(f"https://other.invalid:{server.port}/echo", verify=cert)
    finally:
        server.stop()


def test_only_http_and_plain_addresses_are_called(peer: Peer) -> None:
    session = guarded(allow_private=True)
    for url in (f"http://user:pw@127.0.0.1:{peer.port}/echo",):
        with pytest.raises(OutgoingRefused):
            session.get(url)
    with pytest.raises(requests.exceptions.InvalidSchema):
        session.get("file:///etc/passwd")
    assert peer.hits == []


def test_the_allow_networks_setting_is_checked_at_start_up(tmp_path: Path) -> None:
    base = {"LEARNPASS_DEMO": "1", "LEARNPASS_DATA_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match="LEARNPASS_OUTGOING_ALLOW_NETWORKS"):
        Settings.from_env({**base, "LEARNPASS_OUTGOING_ALLOW_NETWORKS": "10.0.0.0/8, moodle"})
    settings = Settings.from_env(
        {**base, "LEARNPASS_OUTGOING_ALLOW_NETWORKS": "10.0.0.0/8, fd00::/8"}
    )
    assert settings.outgoing_allow_private is False
