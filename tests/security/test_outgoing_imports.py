"""Every outgoing HTTP request goes through lti_tool.outgoing (checked addresses, timeout, size
cap). This test reads the source of the application and its libraries: a module that imports an
HTTP client, or calls requests without the guarded session, has to be listed here with a reason."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("lti_tool", "xapi", "learning_packages", "offer_formats")
HTTP_CLIENTS = {
    "requests",
    "httpx",
    "urllib3",
    "aiohttp",
    "http.client",
    "urllib.request",
    "pycurl",
}

# Modules that may import an HTTP client, and why.
ALLOWED_IMPORTS = {
    "lti_tool/outgoing.py": "the guarded session itself",
    "xapi/forward.py": "type and exception names only; learnpass passes the guarded session in",
}
# Modules that may make a session or a request with requests' own functions.
ALLOWED_CALLS = {"lti_tool/outgoing.py"}
REQUEST_FUNCTIONS = {"Session", "session", "get", "post", "put", "patch", "delete", "head"}
REQUEST_FUNCTIONS |= {"options", "request"}


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            found.append((rel, ast.parse(path.read_text(encoding="utf-8"), rel)))
    return found


def _imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _is_client(module: str) -> bool:
    return any(module == c or module.startswith(c + ".") for c in HTTP_CLIENTS)


def test_only_the_outgoing_module_imports_an_http_client() -> None:
    offenders = [
        f"{rel} imports {sorted(m for m in _imported(tree) if _is_client(m))}"
        for rel, tree in _modules()
        if rel not in ALLOWED_IMPORTS and any(_is_client(m) for m in _imported(tree))
    ]
    assert not offenders, "use lti_tool.outgoing.http_session() instead:\n" + "\n".join(offenders)


def test_no_module_opens_an_unguarded_session_or_request() -> None:
    offenders = []
    for rel, tree in _modules():
        if rel in ALLOWED_CALLS:
            continue
        for node in ast.walk(tree):
            func = node.func if isinstance(node, ast.Call) else None
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "requests"
                and func.attr in REQUEST_FUNCTIONS
            ):
                offenders.append(f"{rel}:{node.lineno} requests.{func.attr}(...)")
    assert not offenders, "use lti_tool.outgoing.http_session() instead:\n" + "\n".join(offenders)


def test_the_check_sees_the_modules_it_guards() -> None:
    # If the scan found nothing, the tests above would pass for the wrong reason.
    names = {rel for rel, _ in _modules()}
    assert {"lti_tool/outgoing.py", "lti_tool/lti/adapter.py", "xapi/forward.py"} <= names
    assert _is_client("requests") and _is_client("urllib.request") and not _is_client("json")
