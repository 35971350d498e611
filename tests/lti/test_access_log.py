"""No credential reaches gunicorn's access log: launches through `learnpass serve` (the demo
platform in the same process, SQLite in a temporary folder, seeded as `learnpass demo` does),
then the log is searched for every session id, id_token and state-cookie secret the launches
used."""

from __future__ import annotations

import signal
import subprocess
import threading
import time

import requests

from lti_tool.cli import upgrade_database
from lti_tool.demo.seed import seed_demo
from lti_tool.extensions import db
from tests.conftest import free_port, make_app, seed_test_keys
from tests.test_commands import LEARNPASS, _env

from .flows import auto_form, start_launch


def _serve(tmp_path, port: int) -> tuple[subprocess.Popen[str], list[str]]:
    env = _env(
        tmp_path,
        LEARNPASS_DEMO="true",
        LEARNPASS_SECURE_COOKIES="false",
        LEARNPASS_SECRET_KEY="k" * 32,
        LEARNPASS_BASE_URL=f"http://127.0.0.1:{port}",
        # The demo platform is this same server: the tool fetches its keys over loopback.
        LEARNPASS_OUTGOING_ALLOW_PRIVATE="true",
    )
    # The database as `learnpass demo --no-run` leaves it (tests/test_commands.py runs that
    # command), made in this process with the session's RSA keys: a second Python start and two
    # new keys cost this test about half a minute on a busy machine. Migrated, not created, so
    # serve finds it at the newest revision.
    app = make_app("sqlite:///" + str(tmp_path / "learnpass.db"), tmp_path, port=port)
    with app.app_context():
        upgrade_database()
        seed_test_keys()
        seed_demo()
        db.session.remove()
    assert db.engine is not None
    db.engine.dispose()
    proc = subprocess.Popen(
        [LEARNPASS, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True).start()
    # A safety net, not a timing: a loaded machine starts gunicorn and its workers slowly.
    deadline = time.monotonic() + 300
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=15)
            return proc, lines
        except (requests.ConnectionError, requests.ReadTimeout):
            if proc.poll() is not None or time.monotonic() > deadline:
                # Never leave a server behind a failed start: serve stops gunicorn and its jobs
                # runner when it is terminated.
                proc.terminate()
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                raise AssertionError("serve did not answer within 300 s:\n" + "".join(lines))
            time.sleep(0.3)


def test_access_log_holds_no_session_id_token_or_state_secret(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc, lines = _serve(tmp_path, port)
    secrets: list[str] = []
    try:
        # A launch as usual.
        http = requests.Session()
        form = start_launch(http, base)
        secrets += [
            form.fields["id_token"],
            http.cookies["lti1p3-" + form.fields["state"].partition(".")[0]],
        ]
        done = http.post(form.action, data=form.fields)
        assert "Lena de Vries" in done.text, "".join(lines)[-3000:]
        secrets.append(http.cookies["session"])
        assert http.get(base + "/home?lang=nl").status_code == 200

        # A browser without the cookie, then the same login in a new window.
        other = requests.Session()
        refused_form = start_launch(other, base, user="learner2")
        secrets += [
            refused_form.fields["id_token"],
            other.cookies["lti1p3-" + refused_form.fields["state"].partition(".")[0]],
        ]
        other.cookies.clear()
        refused = other.post(refused_form.action, data=refused_form.fields)
        assert refused.status_code == 403
        page = other.post(base + "/lti/new-window", data={"state": refused_form.fields["state"]})
        again = auto_form(page)
        secrets.append(again.fields["id_token"])
        assert "Karim Benali" in other.post(again.action, data=again.fields).text
        secrets.append(other.cookies["session"])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    log = "".join(lines)
    assert '"POST /lti/launch' in log and '"GET /home' in log and '"POST /lti/new-window' in log
    assert "lp_sid" not in log
    for secret in secrets:
        assert len(secret) > 20 and secret not in log
