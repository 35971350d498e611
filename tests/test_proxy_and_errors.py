"""Behind a proxy: X-Forwarded-Proto makes cookies Secure; errors never show a stack trace."""

from __future__ import annotations


def test_forwarded_https_gives_secure_partitioned_cookies(database_url, tmp_path):
    from tests.conftest import make_app, reset_database

    app = make_app(database_url, tmp_path, secure_cookies=True)
    reset_database(app)
    client = app.test_client()
    r = client.get(
        "/?lang=nl",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "learnpass.example.org"},
    )
    cookie = r.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "SameSite=None" in cookie and "Partitioned" in cookie
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_api_errors_are_json_and_pages_are_readable(client):
    api = client.get("/api/nothing-here")
    assert api.status_code == 404 and api.is_json and api.get_json()["status"] == 404
    page = client.get("/nothing-here")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)


def test_launched_pages_need_a_launch(client):
    r = client.get("/home")
    assert r.status_code == 401
    assert "open learnpass from your course" in r.get_data(as_text=True).lower()


def test_unexpected_errors_show_no_traceback(app):
    @app.get("/boom-for-test")
    def _boom():
        raise RuntimeError("secret internal detail")

    r = app.test_client().get("/boom-for-test")
    body = r.get_data(as_text=True)
    assert r.status_code == 500
    assert "secret internal detail" not in body and "Traceback" not in body
    assert "Something went wrong" in body
