"""Jinja's compiled templates, kept per test process instead of per app.

Each app has its own Jinja environment, and an environment compiles a template the first time it
renders it (lexing, parsing and generating Python: a few milliseconds a template). The app lives
for the whole life of a production process, so every template is compiled once there; the tests
build an app per test, and every page a test rendered was compiled again (a profile of the
SQLite pass: compiling templates was about 8 % of the workers' CPU).

Here every app's environment gets one shared bytecode cache (Jinja's own hook for this): a
template is looked up by its name and file, and its compiled code is used only while the
template's source is the same (Jinja's checksum of it); a changed source compiles again. What a
template compiles to depends on its source and the environment's compile settings (autoescape,
the i18n extension's style), which are the same for every app the tests build.
``LEARNPASS_TEST_TEMPLATE_CACHE=0`` turns it off; tests/test_fixtures.py checks that a second app
compiles nothing and that a changed source is compiled again.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class SharedTemplates(BytecodeCache):
    """Compiled code objects by bucket key, with the checksum of the source they came from."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, Any]] = {}
        self.compiled = 0  # templates compiled in this process (read by the fixtures' test)

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self.codes.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        # Jinja calls this only after it compiled the template (no code was found).
        self.compiled += 1
        self.codes[bucket.key] = (bucket.checksum, bucket.code)


SHARED = SharedTemplates()
_ORIGINAL = Flask.create_jinja_environment


def _create_jinja_environment(self: Flask) -> Any:
    environment = _ORIGINAL(self)
    environment.bytecode_cache = SHARED
    return environment


def install() -> None:
    if os.environ.get("LEARNPASS_TEST_TEMPLATE_CACHE", "1") == "0":
        return
    Flask.create_jinja_environment = _create_jinja_environment  # type: ignore[method-assign]
