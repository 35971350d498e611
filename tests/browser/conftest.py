"""Browser tests: Playwright's Python package driving Debian's chromium against the live server.

The browser is never downloaded: the tests use Debian's Chromium (``/usr/bin/chromium-headless-shell``
or ``/usr/bin/chromium``, or ``LEARNPASS_CHROMIUM``) and skip with a plain reason when it is absent. Every page a test visits
can be checked with ``check_page``: axe-core (from node_modules, pinned in package-lock.json) runs
in the page, serious and critical violations fail the test, and a failing page is saved as a
full-page screenshot in ``test-artifacts/screenshots/<name>.png`` for a person to look at.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import axe_cache

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Debian's headless shell (package chromium-headless-shell: Chromium's own headless build, what
# Playwright runs for headless pages) when it is there, else Debian's whole browser. The same
# engine draws the pages; the shell leaves out the browser's window machinery, and its pages cost
# half the CPU (docs/testing.md, "What makes the tests fast").
CHROMIUM = Path(
    os.environ.get("LEARNPASS_CHROMIUM")
    or next(
        (
            path
            for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
            if Path(path).exists()
        ),
        "/usr/bin/chromium",
    )
)
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

# Offline and quiet: no GPU, no QUIC, no background calls to Google services, no updater.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A learner's ordinary browser window lets a site's frames keep their storage; Playwright's
    # contexts are incognito ones, which refuse it to frames of another site, and on loopback
    # the content origin (localhost) is another site than the tool (127.0.0.1).
    "--disable-features=ImprovedCookieControls",
]

# A phone held upright (an iPhone 12-15 sized screen) and an ordinary laptop screen.
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}

BLOCKING_IMPACTS = ("serious", "critical")

# Every frame records what its Content-Security-Policy refused; check_page fails on any, so a
# page the policy breaks (a script or style it blocks) is found by the browser tests.
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", function (event) {
  (window.__cspViolations = window.__cspViolations || []).push(
    event.effectiveDirective + " refused " + (event.blockedURI || "inline") + " on " + event.documentURI);
});
"""


def watch_csp(context: Any) -> None:
    context.add_init_script(WATCH_CSP)


def csp_violations(page: Any) -> list[str]:
    found: list[str] = []
    for frame in page.frames:
        try:
            found += frame.evaluate("() => window.__cspViolations || []")
        except Exception:  # a frame navigating away at this moment has nothing to tell
            continue
    return found


# One Playwright and one Chromium per process (per xdist worker), launched on the first browser
# test and closed when the session ends (``close_browsers``, from tests/conftest.py): starting
# Chromium costs a few seconds on a busy machine, and browser tests live in some 40 files. Tests
# stay apart through a fresh context each (``page``; the files that make their own contexts close
# them); a module's contexts left open are closed when it ends. Playwright's sync API allows one
# instance at a time in a thread, so every browser test file takes its browser from here.
_PLAYWRIGHT: Any = None
_BROWSERS: dict[tuple[str, ...], Any] = {}


def shared_browser(*extra_args: str) -> Any:
    """This process's Chromium started with CHROMIUM_ARGS and ``extra_args`` (one per set of
    arguments), launched on first use and again if it went away."""
    global _PLAYWRIGHT
    if not CHROMIUM.exists():
        pytest.skip(
            f"no chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium-headless-shell)"
        )
    found = _BROWSERS.get(extra_args)
    if found is not None and found.is_connected():
        return found
    if _PLAYWRIGHT is None:
        from playwright.sync_api import sync_playwright

        _PLAYWRIGHT = sync_playwright().start()
    found = _PLAYWRIGHT.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )
    _BROWSERS[extra_args] = found
    return found


def close_contexts(browser: Any) -> None:
    """Close the contexts a module left open, so the next module starts from a clean browser."""
    if browser.is_connected():
        for context in list(browser.contexts):
            context.close()


def close_browsers() -> None:
    """Close this process's browsers and Playwright (at the end of the session)."""
    global _PLAYWRIGHT
    for found in _BROWSERS.values():
        if found.is_connected():
            found.close()
    _BROWSERS.clear()
    if _PLAYWRIGHT is not None:
        _PLAYWRIGHT.stop()
        _PLAYWRIGHT = None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The process's shared Chromium (see ``shared_browser``)."""
    found = shared_browser()
    yield found
    close_contexts(found)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """The name of the screen size a test runs at; each browser test runs at every size."""
    return str(request.param)


@pytest.fixture
def page(browser: Any, live_server: Any, viewport: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, closed before the live server stops."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **VIEWPORTS[viewport])
    context.set_default_timeout(30_000)  # a busy machine is slow, not broken
    watch_csp(context)
    page = context.new_page()
    page.viewport_name = viewport  # check_page puts it in the screenshot's name
    yield page
    context.close()


def check_page(page: Any, name: str) -> dict[str, Any]:
    """Run axe-core on the page and fail on serious or critical violations, on a page wider than
    the screen, or on parts the Content-Security-Policy refused.

    A failing page is saved as test-artifacts/screenshots/<name>.png before the test fails, so it
    can still be looked at (``LEARNPASS_TEST_SCREENSHOTS=1`` saves every page checked: a full-page
    screenshot costs more than axe itself, some 0.2 s a page). Every violation (of any impact) is
    kept in test-artifacts/axe/<name>.json. Returns the axe result (its ``violations``); a page
    checked before in the run gets what axe found on it then (tests/browser/axe_cache.py).
    """
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"{AXE_SCRIPT} is missing: run `npm ci` in the project folder (bin/test does it)"
        )
    viewport = getattr(page, "viewport_name", "")
    full_name = f"{name}-{viewport}" if viewport else name
    page.wait_for_load_state("load")
    if os.environ.get("LEARNPASS_TEST_SCREENSHOTS") == "1":
        _screenshot(page, full_name)

    axe_source = _axe_source()
    # A page checked before in this run (the same markup, frames and screen size) is not
    # checked again: axe would find the same (tests/browser/axe_cache.py).
    key = axe_cache.page_key(page, axe_source)
    violations = axe_cache.found(key)
    if violations is None:
        # axe checks a frame's content only when it runs inside that frame too (the tool in the
        # platform's iframe, as in Moodle). It is evaluated through the DevTools protocol, which
        # a page's Content-Security-Policy does not govern: an added <script> tag would be
        # refused by the tool's policy (no inline script without the page's nonce), and must
        # stay refused.
        for frame in page.frames:
            frame.evaluate(axe_source)
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        axe_cache.keep(key, violations)
    result: dict[str, Any] = {"violations": violations}
    axe_dir = ARTIFACTS / "axe"
    axe_dir.mkdir(parents=True, exist_ok=True)
    (axe_dir / f"{full_name}.json").write_text(
        json.dumps(result["violations"], indent=2), encoding="utf-8"
    )

    problem = _page_problem(page, full_name, result)
    if problem:
        _screenshot(page, full_name)
        pytest.fail(problem)
    return result


@functools.cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def _screenshot(page: Any, full_name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{full_name}.png"), full_page=True)


def _page_problem(page: Any, full_name: str, result: dict[str, Any]) -> str | None:
    """Why the checked page fails, or None."""
    # Reflow (WCAG 1.4.10): nothing may make a person scroll sideways to read the page.
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 1:
        return f"{full_name} ({page.url}) is {overflow}px wider than the screen"
    refused = csp_violations(page)
    if refused:
        return f"the Content-Security-Policy refused parts of {full_name}: {refused}"
    blocking = [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        return f"accessibility problems on {full_name} ({page.url}):\n" + describe_violations(
            blocking
        )
    return None


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        impact, rule, help_url = violation["impact"], violation["id"], violation["helpUrl"]
        lines.append(f"- [{impact}] {rule}: {violation['help']} ({help_url})")
        for node in violation["nodes"][:5]:
            lines.append(
                f"    at {' '.join(map(str, node['target']))}: {node.get('failureSummary', '')}"
            )
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
