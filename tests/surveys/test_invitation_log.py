"""An invitation code never reaches gunicorn's access log: HR makes a link and an invitee
answers through `learnpass serve`, then the log is searched for the code in every spelling."""

from __future__ import annotations

import json
import re
import signal

import requests

from tests.conftest import free_port
from tests.lti.flows import launch
from tests.lti.test_access_log import _serve

from .test_answering import SKILLS, YOU
from .test_definition import documented_example


def _csrf(page: requests.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def test_the_access_log_holds_no_invitation_code(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc, lines = _serve(tmp_path, port)
    try:
        hr = requests.Session()
        launch(hr, base, user="instructor")
        token = _csrf(hr.get(base + "/surveys/manage"))
        made = hr.post(
            base + "/surveys/manage/import",
            data={"csrf_token": token, "definition": json.dumps(documented_example())},
            allow_redirects=False,
        )
        assert made.status_code == 303, "".join(lines)[-2000:]
        survey = made.headers["Location"].split("/")[-2]
        hr.post(f"{base}/surveys/{survey}/status", data={"csrf_token": token, "status": "open"})
        sheet = hr.post(
            f"{base}/surveys/{survey}/invitations",
            data={"csrf_token": token, "company": "", "kind": "single", "number": "1"},
        )
        (code,) = re.findall(r'data-testid="invite-code">([A-Z0-9-]+)<', sheet.text)
        assert f"{base}/surveys/i#{code}" in sheet.text  # the QR's link: the code in the fragment

        invitee = requests.Session()
        page = invitee.get(base + "/surveys/i")
        opened = invitee.post(base + "/surveys/i", data={"csrf_token": _csrf(page), "code": code})
        assert opened.url.endswith(f"/surveys/{survey}/invited/0")
        for n, fields in ((0, YOU), (1, SKILLS)):
            page = invitee.get(f"{base}/surveys/{survey}/invited/{n}")
            invitee.post(
                f"{base}/surveys/{survey}/invited/{n}",
                data={"csrf_token": _csrf(page), "action": "next", **fields},
            )
        review = invitee.get(f"{base}/surveys/{survey}/invited/review")
        done = invitee.post(
            f"{base}/surveys/{survey}/invited/submit", data={"csrf_token": _csrf(review)}
        )
        assert "your answers are submitted" in done.text
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    log = "".join(lines)
    assert '"POST /surveys/i ' in log and f'"POST /surveys/{survey}/invited/submit' in log
    for spelling in (code, code.replace("-", ""), code.lower()):
        assert spelling not in log
