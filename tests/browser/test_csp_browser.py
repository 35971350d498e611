"""The Content-Security-Policy at work in a real browser: a script injected into a tool page
does not run (inline, as an event handler, or from another origin). That the pages' own scripts
(with the response's nonce) still run is shown by every browser test: check_page fails on any
refusal, and Deep Linking's return page and the demo's launch form submit themselves."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import csp_violations

pytestmark = pytest.mark.browser

INJECT = """() => {
  const inline = document.createElement("script");
  inline.textContent = "window.injected = 'inline'";
  document.body.appendChild(inline);
  const holder = document.createElement("div");
  holder.innerHTML = '<img alt="" src="data:," onerror="window.injected = \\'handler\\'">';
  document.body.appendChild(holder);
  const remote = document.createElement("script");
  remote.src = "http://192.0.2.1/evil.js";
  document.body.appendChild(remote);
}"""


def test_an_injected_script_does_not_run(page: Any) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert csp_violations(page) == []
    page.evaluate(INJECT)
    page.wait_for_function("() => (window.__cspViolations || []).length >= 3", timeout=30_000)
    assert page.evaluate("() => window.injected") is None
    refused = " ".join(csp_violations(page))
    assert "script-src-elem refused inline" in refused
    assert "script-src-attr refused inline" in refused
    assert "http://192.0.2.1/evil.js" in refused
