"""docs/xapi-profile.md and xapi/vocab.py agree, and what the emitter builds follows the profile."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from xapi import vocab
from xapi.actor import account_actor
from xapi.emitter import Emitter
from xapi.models import validate_statement

PROFILE = Path(__file__).resolve().parents[2] / "docs" / "xapi-profile.md"
DOC = PROFILE.read_text(encoding="utf-8")
DOCUMENTED_IRIS = set(re.findall(r"`(https?://[^`\s]+)`", DOC))
ISSUER = "https://lms.example.org"


def test_every_vocabulary_constant_is_documented() -> None:
    for iri in [
        *vocab.VERBS.values(),
        *vocab.ACTIVITY_TYPES.values(),
        *vocab.EXTENSIONS.values(),
        vocab.PROFILE_IRI,
    ]:
        assert iri in DOCUMENTED_IRIS, f"{iri} is missing from docs/xapi-profile.md"


def test_every_documented_learnpass_iri_exists_in_the_vocabulary() -> None:
    known = {
        *vocab.VERBS.values(),
        *vocab.ACTIVITY_TYPES.values(),
        *vocab.EXTENSIONS.values(),
        vocab.PROFILE_IRI,
    }
    ours = {
        iri
        for iri in DOCUMENTED_IRIS
        if iri.startswith((vocab.PROFILE_BASE, vocab.ADL_VERBS)) and not iri.endswith(("/", "..."))
    }
    assert ours <= known, ours - known


def example_statement() -> dict[str, Any]:
    block = re.search(r"```json\n(.*?)\n```", DOC, re.S)
    assert block, "the profile needs an example statement in a json block"
    return dict(json.loads(block.group(1)))


def follows_profile(statement: dict[str, Any]) -> None:
    """Valid xAPI 1.0.3 and only documented verbs, types and extensions; our category; no email."""
    validate_statement(statement)
    assert statement["verb"]["id"] in DOCUMENTED_IRIS
    activity_type = statement["object"].get("definition", {}).get("type")
    assert activity_type is None or activity_type in DOCUMENTED_IRIS
    context = statement["context"]
    assert [c["id"] for c in context["contextActivities"]["category"]] == [vocab.PROFILE_IRI]
    for holder in (context, statement.get("result", {})):
        for iri in holder.get("extensions", {}):
            assert iri in DOCUMENTED_IRIS, iri
    assert "mbox" not in statement["actor"] and "account" in statement["actor"]


def test_the_example_statement_follows_the_profile() -> None:
    follows_profile(example_statement())


def test_the_example_is_what_the_emitter_builds() -> None:
    example = example_statement()
    emitter = Emitter(None, "https://learnpass.example.org")  # type: ignore[arg-type]  # build() stores nothing
    rebuilt = emitter.build(
        actor=example["actor"],
        verb="passed",
        object_id="/paths/12/steps/3",
        object_name="Forklift practical assessment",
        activity_type="path-step",
        result=example["result"],
        registration=example["context"]["registration"],
        parent=["/paths/12"],
        grouping=[ISSUER + "/lti/context/course-7", ISSUER],
        instructor=example["context"]["instructor"],
        extensions=example["context"]["extensions"],
        timestamp=__import__("datetime").datetime(
            2026, 3, 2, 14, 5, tzinfo=__import__("datetime").UTC
        ),
        statement_id=example["id"],
    )
    assert rebuilt == example


@pytest.mark.parametrize("verb", sorted(set(vocab.VERBS) - {"voided"}))
def test_every_statement_the_emitter_builds_follows_the_profile(verb: str) -> None:
    emitter = Emitter(None, "https://learnpass.example.org")  # type: ignore[arg-type]
    for activity_type in vocab.ACTIVITY_TYPES:
        follows_profile(
            emitter.build(
                actor=account_actor(ISSUER, "user-1", "Ann"),
                verb=verb,
                object_id="/activities/1",
                object_name="One",
                activity_type=activity_type,
                result={"completion": True, "extensions": {vocab.Extension.PROGRESS: 100}},
                grouping=[ISSUER],
                instructor=account_actor(ISSUER, "trainer-1"),
                extensions={vocab.Extension.LTI_ROLE: "learner", vocab.Extension.SESSION_ID: "s"},
            )
        )
