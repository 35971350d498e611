"""A learner's attempt token, cmi5 launch link and fetch URL work for that learner only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import html

from tests.content.test_cmi5_play import SINGLE, Learner
from tests.lti.flows import launch
from tests.scorm.builders import single_sco_12
from tests.scorm.flows import commit, player_config
from tests.scorm.test_content import learner_on_player

CMI_12 = {"core": {"lesson_status": "completed", "lesson_location": "p2"}}


def test_attempt_token_of_one_learner_does_not_open_another_learners_attempt(
    app: Any, runner: Any, live_server: Any, http: requests.Session, tmp_path: Path
) -> None:
    with app.app_context():
        first = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
    other = requests.Session()
    page = launch(other, live_server.url, user="learner2", link=first["link"]["id"])
    second = player_config(page)
    mine, theirs = first["config"], second
    assert mine["attemptToken"] != theirs["attemptToken"]
    sco = mine["scos"][0]["id"]
    # learner2's own (valid) token against learner 1's attempt URL: refused, nothing stored.
    state_url = live_server.url + mine["stateUrl"].replace("{sco}", str(sco))
    r = other.get(state_url, headers={"X-Attempt-Token": theirs["attemptToken"]})
    assert r.status_code == 403
    r = commit(other, live_server.url, mine, sco, CMI_12, seq=1, token=theirs["attemptToken"])
    assert r.status_code == 403
    r = http.get(state_url, headers={"X-Attempt-Token": mine["attemptToken"]})
    assert r.status_code == 200
    assert r.json()["cmi"]["core"].get("lesson_location", "") == ""


pytestmark_cmi5 = pytest.mark.skipif(
    not SINGLE.is_file(), reason="shared/scorm-samples is not beside the checkout"
)


@pytestmark_cmi5
def test_cmi5_launch_link_and_fetch_url_are_the_learners_own(
    app: Any, runner: Any, live_server: Any, http: requests.Session
) -> None:
    learner = Learner(app, runner, live_server, http, SINGLE)
    href = learner.au_links()[0].get("href")
    status_url = html.fromstring(learner.page.text).xpath('//script[@id="scorm-player-config"]')
    config = json.loads(status_url[0].text)
    other = requests.Session()
    launch(other, live_server.url, user="learner2", link=learner.link["id"])
    # learner 1's signed link, opened in learner 2's session: refused, no session started.
    assert other.get(live_server.url + href, allow_redirects=False).status_code == 403
    assert other.get(live_server.url + config["statusUrl"]).status_code == 403
    au = learner.open_au()
    first = au.fetch().json()
    assert "auth-token" in first
    again = requests.post(au.params["fetch"]).json()
    assert again.get("error-code") == "1" and "auth-token" not in again


@pytestmark_cmi5
def test_cmi5_learner_token_cannot_plant_a_page_on_the_tools_origin(
    app: Any, runner: Any, live_server: Any, http: requests.Session
) -> None:
    learner = Learner(app, runner, live_server, http, SINGLE)
    au = learner.open_au()
    au.start()
    params = {**au.state_params(), "stateId": "planted"}
    page = "<!doctype html><script>document.title='owned'</script>"
    put = requests.put(
        au.params["endpoint"] + "activities/state",
        params=params,
        data=page,
        headers={
            "Authorization": au.auth or "",
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "text/html",
        },
    )
    assert put.status_code == 204, put.text
    # The learner's page posts this form to a trainer's browser; no custom header is needed.
    response = requests.post(
        au.params["endpoint"] + "activities/state?method=GET",
        data={**params, "Authorization": au.auth, "X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 200 and response.text == page
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert "sandbox" in response.headers.get("Content-Security-Policy", "")
