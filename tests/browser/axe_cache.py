"""axe-core's result for a page already checked: the same page is not checked twice.

axe reads the document, its frames, the style sheets and the screen size; given the same, it finds
the same. Many pages come back in a run: a test opens the start page again after a step, other
tests reach it too, and a browser test made for one screen size runs in both of bin/test's passes
(tests/passes.py), where the same data gives the same page. Loading axe into a page and running it
cost about 0.3 s of CPU a page, across Chromium, Playwright's driver and the worker, several hundred
times a run (docs/testing.md, "What makes the tests fast").

A page's key is what axe reads of it: every frame's address and markup (``outerHTML`` of the
root element, with the document's mode and the values of the form fields a person sees; a
hidden field's value, such as the CSRF token, changes at every load), and the screen's size,
scale and touch. What differs between two loads of the same page without changing what a
reader gets is renamed consistently before the key is made: the ports tests get from the
system, random tokens (ids of 8 or more hexadecimal digits, long mixed-case tokens) and the
CSRF field's value in the markup. Renaming is consistent (the first token seen becomes ``~1~``,
the second ``~2~``, the same token the same name), so two pages differing in which ids are
equal (one id used twice against two ids) never share a key. The style sheets are the
checkout's own files, the same within one run: the cache lives for one run (a folder bin/test
makes for both passes, ``LEARNPASS_TEST_AXE_CACHE``; without it, this process's memory) and is
keyed by axe's own source too.

The checks that are not axe's (a page wider than the screen, parts the Content-Security-Policy
refused) run on every page, every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

# Ports on loopback, and the CSRF token's value (its middle part is a time stamp).
_PORT = re.compile(r"\b(127\.0\.0\.1|localhost):(\d+)")
_CSRF = re.compile(r'(name="csrf_token"[^>]*?value=")[^"]*(")')
# Random tokens: 8 or more lowercase hexadecimal digits with both a digit and a letter among
# them (``link-3fa0c2d1``; a number or a word is left as it is), or 22 or more characters of
# base64url with a digit, a lower and an upper case letter (a long CSS class or a word has no
# capitals and digits mixed in).
_HEX = re.compile(
    r"(?<![A-Za-z0-9])(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}(?![A-Za-z0-9])"
)
_MIXED = re.compile(
    r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[A-Z])"
    r"[A-Za-z0-9_-]{22,}(?![A-Za-z0-9_-])"
)

_READ_FRAME = """() => [
  document.compatMode,
  document.documentElement ? document.documentElement.outerHTML : "",
  Array.from(
    document.querySelectorAll("input:not([type=hidden]), textarea, select"),
    (e) => e.type + "=" + e.value,
  ),
]"""

runs = 0  # how many times this process ran axe (the cache's own test reads it)
_memory: dict[str, list[Any]] = {}


def normalised(texts: list[str]) -> list[str]:
    """``texts`` with ports, random tokens and CSRF values renamed consistently across all."""
    names: dict[str, str] = {}

    def rename(token: str) -> str:
        return names.setdefault(token, f"~{len(names) + 1}~")

    out = []
    for text in texts:
        text = _CSRF.sub(r"\1CSRF\2", text)
        text = _PORT.sub(lambda m: f"{m.group(1)}:{rename(':' + m.group(2))}", text)
        text = _MIXED.sub(lambda m: rename(m.group(0)), text)
        text = _HEX.sub(lambda m: rename(m.group(0)), text)
        out.append(text)
    return out


def page_key(page: Any, axe_source: str) -> str | None:
    """The key of what axe would read of ``page`` now, or None if a frame cannot be read (a
    frame navigating away at this moment): then axe runs."""
    parts: list[str] = [
        hashlib.sha256(axe_source.encode()).hexdigest(),
        json.dumps(page.viewport_size),
        str(page.evaluate("() => [window.devicePixelRatio, navigator.maxTouchPoints]")),
    ]
    for frame in page.frames:
        try:
            mode, markup, fields = frame.evaluate(_READ_FRAME)
        except Exception:
            return None
        parts += [frame.url, mode, markup, "\n".join(fields)]
    return hashlib.sha256("\0".join(normalised(parts)).encode()).hexdigest()


def _folder() -> Path | None:
    named = os.environ.get("LEARNPASS_TEST_AXE_CACHE", "")
    return Path(named) if named else None


def found(key: str | None) -> list[Any] | None:
    """The violations axe found on a page with this key, if it was checked in this run."""
    if key is None:
        return None
    if key in _memory:
        return _memory[key]
    folder = _folder()
    if folder is None:
        return None
    try:
        violations = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    _memory[key] = violations
    return violations


def keep(key: str | None, violations: list[Any]) -> None:
    """Remember what axe found on the page of ``key`` (written whole or not at all)."""
    global runs
    runs += 1
    if key is None:
        return
    _memory[key] = violations
    folder = _folder()
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=folder, suffix=".part", delete=False, encoding="utf-8"
    ) as handle:
        json.dump(violations, handle)
    os.replace(handle.name, folder / f"{key}.json")
