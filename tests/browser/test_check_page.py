"""The accessibility check itself: it must catch a bad page, or the browser tests prove nothing."""

from __future__ import annotations

import uuid

import pytest

from .conftest import SCREENSHOTS, check_page

pytestmark = pytest.mark.browser

BAD_PAGE = """<!doctype html><html><head><title>bad</title></head><body>
<p style="color:#bbb;background:#fff">Pale grey text on white.</p>
<button style="color:#ccc;background:#fff"></button>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<iframe title="inner" srcdoc="<html lang=en><title>inner</title><a href=#></a></html>"></iframe>
</body></html>"""


def open_unpoliced_page(page) -> None:
    """An http page of the live server's origin, answered by the browser itself: a page of the
    tool would not let the self-test's inline styles apply (its Content-Security-Policy allows
    our style sheets only)."""
    page.route(
        "**/selftest-blank",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<!doctype html>"),
    )
    page.goto("/selftest-blank")


def test_check_page_fails_on_serious_violations(page):
    open_unpoliced_page(page)
    page.set_content(BAD_PAGE)
    with pytest.raises(pytest.fail.Exception) as failure:
        check_page(page, "selftest-bad-page")
    message = str(failure.value)
    assert "color-contrast" in message
    assert "button-name" in message
    assert "image-alt" in message
    assert "link-name" in message  # found inside the iframe
    # A failing page is saved before the test fails, so it can still be looked at.
    assert (SCREENSHOTS / f"selftest-bad-page-{page.viewport_name}.png").is_file()


def test_check_page_fails_on_a_page_wider_than_the_screen(page):
    open_unpoliced_page(page)
    page.set_content(
        '<!doctype html><html lang="en"><head><title>wide</title></head><body><main>'
        '<h1>Wide</h1><p style="width:2000px">A line that does not wrap.</p></main></body></html>'
    )
    with pytest.raises(pytest.fail.Exception, match="wider than the screen"):
        check_page(page, "selftest-wide-page")


def test_check_page_saves_no_screenshot_of_a_good_page(page, monkeypatch):
    monkeypatch.delenv("LEARNPASS_TEST_SCREENSHOTS", raising=False)
    open_unpoliced_page(page)
    page.set_content(
        '<!doctype html><html lang="en"><head><title>good</title></head><body><main>'
        "<h1>Good</h1><p>Plain words.</p></main></body></html>"
    )
    shot = SCREENSHOTS / f"selftest-good-page-{page.viewport_name}.png"
    shot.unlink(missing_ok=True)
    result = check_page(page, "selftest-good-page")
    assert result["violations"] == []
    assert not shot.exists()
    monkeypatch.setenv("LEARNPASS_TEST_SCREENSHOTS", "1")
    check_page(page, "selftest-good-page")
    assert shot.is_file()


def _token() -> str:
    """A random id of hexadecimal digits with a letter and a digit (what the cache renames)."""
    return "a1" + uuid.uuid4().hex[:10]


def _good(page, run: str, token: str, second_id: str | None = None) -> None:
    second = second_id or token
    page.set_content(
        '<!doctype html><html lang="en"><head><title>again</title></head><body><main>'
        f'<h1 id="h-{token}">Again {run}</h1><p aria-labelledby="h-{token}">Plain words.</p>'
        f'<p id="p-{second}">More words.</p></main></body></html>'
    )


def test_a_page_checked_before_is_not_checked_again(page):
    """The same page (random tokens aside) gets axe's earlier result; a page that differs, even
    only in which ids are equal, is checked (tests/browser/axe_cache.py)."""
    from tests.browser import axe_cache

    open_unpoliced_page(page)
    # A number the cache does not rename (digits only), new in every test: the page was never
    # checked before, even with a cache folder kept from another pass or run. A random id alone
    # would not do: the cache renames it.
    run = str(uuid.uuid4().int)[:12]
    token = _token()
    _good(page, run, token)
    runs = axe_cache.runs
    check_page(page, "selftest-again")
    assert axe_cache.runs == runs + 1
    _good(page, run, token)
    check_page(page, "selftest-again")
    assert axe_cache.runs == runs + 1  # the same page: not checked again
    _good(page, run, _token())
    check_page(page, "selftest-again")
    assert axe_cache.runs == runs + 1  # only another random id, used the same way
    _good(page, run, token, second_id=_token())
    check_page(page, "selftest-again")
    assert axe_cache.runs == runs + 2  # two ids where there was one: checked


def test_a_bad_page_checked_before_fails_again(page):
    from tests.browser import axe_cache

    open_unpoliced_page(page)
    page.set_content(BAD_PAGE)
    with pytest.raises(pytest.fail.Exception):
        check_page(page, "selftest-bad-again")
    runs = axe_cache.runs
    page.set_content(BAD_PAGE)
    with pytest.raises(pytest.fail.Exception) as failure:
        check_page(page, "selftest-bad-again")
    assert axe_cache.runs == runs  # what axe found the first time fails it again
    assert "color-contrast" in str(failure.value)
