"""One xAPI vocabulary: every IRI the code uses is a constant of xapi/vocab.py, documented in
docs/xapi-profile.md, and every verb the profile declares is emitted by some code.

The checks read the source (a scan), so they cover code no test happens to run. The emitting
code is ``lti_tool/``, ``xapi/`` and ``learning_packages/``; ``tests/`` and ``bench/`` play other
LRS clients and may send any verb.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from xapi import vocab

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "docs" / "xapi-profile.md"
VOCABULARY = ROOT / "xapi" / "vocab.py"
CODE_DIRS = ("lti_tool", "xapi", "learning_packages")
CODE_SUFFIXES = {".py", ".js", ".html", ".jinja", ".j2", ".txt", ".json"}
SKIPPED_DIRS = {"node_modules", "vendor", "__pycache__", "translations"}

# xAPI vocabulary IRIs: ADL's (verbs, activity types, attachment usages), the w3id.org ones (cmi5,
# ADL's newer verbs), the TinCan registry, purl.org xAPI profiles and the tool's own.
XAPI_IRI = re.compile(
    r"(?:https?://)?(?:www\.)?"
    r"(?:adlnet\.gov/expapi/|w3id\.org/xapi/|id\.tincanapi\.com/|purl\.org/xapi/|learnpass\.org/xapi/)"
    r"[^\s\"'`<>)]*"
)

WHAT_TO_DO = (
    "Move each IRI into xapi/vocab.py: one line in the class it belongs to (Verb, ActivityType, "
    'Extension or Category), e.g. `ATTENDED: Final = ADL_VERBS + "attended"`; add a row for it to '
    "the matching table of docs/xapi-profile.md; then use vocab.Verb.ATTENDED here (or the short "
    'name, verb="attended", where the emitter takes one).'
)

# Verbs the profile declares that no code on this branch emits, each with the reason. When the
# branch that emits one is merged, this test says so: delete that line then.
NOT_EMITTED_HERE: dict[str, str] = {}


def vocabulary_iris() -> dict[str, str]:
    """Every full IRI constant of xapi/vocab.py (bases such as ADL_VERBS excluded), by name."""
    found = {
        name: value
        for name, value in vars(vocab).items()
        if name.isupper() and isinstance(value, str) and "://" in value
    }
    for holder in (vocab.Verb, vocab.ActivityType, vocab.Extension, vocab.Category):
        for name, value in vars(holder).items():
            if name.isupper():
                found[f"{holder.__name__}.{name}"] = value
    return {name: iri for name, iri in found.items() if not iri.endswith("/")}


def documented_iris() -> set[str]:
    return set(re.findall(r"`(https?://[^`\s]+)`", PROFILE.read_text(encoding="utf-8")))


def code_files() -> list[Path]:
    files = []
    for top in CODE_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            if (
                path.is_file()
                and path.suffix in CODE_SUFFIXES
                and not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)
                and path != VOCABULARY
            ):
                files.append(path)
    return files


def literal_iris(text: str) -> list[tuple[int, str]]:
    """(line number, IRI) for each literal xAPI vocabulary IRI in a file's text."""
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(0))
        for match in XAPI_IRI.finditer(text)
    ]


def test_every_vocabulary_iri_is_documented_in_the_profile() -> None:
    documented = documented_iris()
    missing = [
        f"{name} = {iri}" for name, iri in vocabulary_iris().items() if iri not in documented
    ]
    assert not missing, (
        "docs/xapi-profile.md does not document these constants of xapi/vocab.py; add a row for "
        "each to the matching table (Verbs, Activity types, Extensions, Categories and "
        "attachments):\n  " + "\n  ".join(missing)
    )


def test_no_module_outside_the_vocabulary_spells_an_xapi_iri() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {iri}"
        for path in code_files()
        for line, iri in literal_iris(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not found, (
        "Literal xAPI IRIs outside xapi/vocab.py:\n  " + "\n  ".join(found) + ("\n" + WHAT_TO_DO)
    )


def test_the_scan_sees_the_spellings_it_looks_for() -> None:
    text = (
        'VERB = "http://adlnet.gov/expapi/verbs/attended"\n'
        "TYPE = 'https://learnpass.org/xapi/activity-types/room'\n"
        'BASE = "https://w3id.org/xapi/cmi5/"  # a base counts too\n'
        'OTHER = "https://id.tincanapi.com/verb/viewed"\n'
        'FINE = "https://learnpass.org/ns/passport#"\n'
    )
    assert [line for line, _ in literal_iris(text)] == [1, 2, 3, 4]
    assert literal_iris(text)[0][1] == "http://adlnet.gov/expapi/verbs/attended"


def _emitted_verbs() -> dict[str, list[str]]:
    """Short name -> where the code emits it: ``Verb.NAME`` anywhere, or the short name as a
    string in a module that builds statements (with the emitter, or SCORM run-time events)."""
    names = {iri_name.lower() for iri_name in vars(vocab.Verb) if iri_name.isupper()}
    where: dict[str, list[str]] = {name: [] for name in names}
    for path in code_files():
        if path.suffix != ".py":
            continue
        source = path.read_text(encoding="utf-8")
        emits = any(
            marker in source
            for marker in ("Emitter", "RuntimeEvent", "record_statement", "recording import record")
        )
        for node in ast.walk(ast.parse(source)):
            spot = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute) and node.attr.lower() in names:
                owner = node.value
                owner_name = (
                    owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                )
                if owner_name == "Verb":
                    where[node.attr.lower()].append(spot)
            elif emits and isinstance(node, ast.Constant) and node.value in names:
                where[str(node.value)].append(spot)
    return where


def test_every_verb_the_profile_declares_is_emitted() -> None:
    documented = documented_iris()
    unknown = sorted(
        iri
        for iri in documented
        if "/verbs/" in iri
        and not iri.endswith(("/", "..."))  # a pattern such as http://adlnet.gov/expapi/verbs/...
        and iri not in vocab.VERB_DISPLAY
    )
    assert not unknown, (
        f"docs/xapi-profile.md declares verbs xapi/vocab.py does not have: {unknown}. Add each "
        "to class Verb in xapi/vocab.py (and emit it), or remove its row from the profile."
    )
    declared = {vocab.VERB_DISPLAY[iri] for iri in documented if iri in vocab.VERB_DISPLAY}
    emitted = _emitted_verbs()
    silent = sorted(v for v in declared if not emitted[v] and v not in NOT_EMITTED_HERE)
    assert not silent, (
        f"docs/xapi-profile.md and xapi/vocab.py declare verbs no code emits: {silent}. Emit each "
        "with vocab.Verb.NAME (or its short name where the emitter takes one), or remove its line "
        "from xapi/vocab.py and its row from docs/xapi-profile.md."
    )
    now_emitted = {v: emitted[v] for v in NOT_EMITTED_HERE if emitted[v]}
    assert not now_emitted, (
        f"These verbs are emitted now ({now_emitted}): delete their lines from NOT_EMITTED_HERE "
        "in tests/xapi/test_vocabulary.py."
    )
