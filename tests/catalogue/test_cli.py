"""``learnpass catalogue provider|member ...``: the network admin's commands, safe to run twice."""

from __future__ import annotations

from typing import Any

from lti_tool.demo import platform as demo
from tests.security.conftest import launch_as


def _issuer(app: Any) -> str:
    with app.app_context():
        return demo.issuer()


def test_provider_add_is_idempotent_and_lists(app: Any, runner: Any) -> None:
    first = runner.invoke(args=["catalogue", "provider", "add", "--code", "ocg", "--name", "OCG"])
    assert first.exit_code == 0 and "added provider ocg" in first.output
    again = runner.invoke(args=["catalogue", "provider", "add", "--code", "ocg", "--name", "OCG"])
    assert again.exit_code == 0 and "nothing changed" in again.output
    changed = runner.invoke(
        args=[
            "catalogue",
            "provider",
            "add",
            "--code",
            "ocg",
            "--name",
            "OCG Gent",
            "--platform-issuer",
            _issuer(app),
        ]
    )
    assert changed.exit_code == 0 and "changed provider ocg: OCG Gent" in changed.output
    listed = runner.invoke(args=["catalogue", "provider", "list"])
    assert "ocg\tOCG Gent\t0 people\tplatform" in listed.output


def test_bad_provider_input_is_refused(app: Any, runner: Any) -> None:
    bad_code = runner.invoke(args=["catalogue", "provider", "add", "--code", "a b", "--name", "x"])
    assert bad_code.exit_code != 0 and "the code must be" in bad_code.output
    no_platform = runner.invoke(
        args=[
            "catalogue",
            "provider",
            "add",
            "--code",
            "x",
            "--name",
            "x",
            "--platform-issuer",
            "https://nowhere.example",
        ]
    )
    assert no_platform.exit_code != 0 and "no registered platform" in no_platform.output
    assert "no providers yet" in runner.invoke(args=["catalogue", "provider", "list"]).output


def test_member_add_twice_and_remove(app: Any, runner: Any) -> None:
    launch_as(app, platform="demo", role="instructor", sub="editor-7")
    runner.invoke(args=["catalogue", "provider", "add", "--code", "ocg", "--name", "OCG"])
    person = ["--provider", "ocg", "--issuer", _issuer(app), "--sub", "editor-7"]
    added = runner.invoke(args=["catalogue", "member", "add", *person])
    assert added.exit_code == 0 and "now edits the offers of ocg" in added.output
    again = runner.invoke(args=["catalogue", "member", "add", *person])
    assert again.exit_code == 0 and "nothing changed" in again.output
    assert (
        "editor-7"
        in runner.invoke(args=["catalogue", "member", "list", "--provider", "ocg"]).output
    )
    removed = runner.invoke(args=["catalogue", "member", "remove", *person])
    assert removed.exit_code == 0 and "removed" in removed.output
    unknown = runner.invoke(
        args=[
            "catalogue",
            "member",
            "add",
            "--provider",
            "ocg",
            "--issuer",
            _issuer(app),
            "--sub",
            "never-launched",
        ]
    )
    assert unknown.exit_code != 0 and "has launched" in unknown.output
    no_provider = runner.invoke(args=["catalogue", "member", "list", "--provider", "nope"])
    assert no_provider.exit_code != 0 and "no provider with code" in no_provider.output
