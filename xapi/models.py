"""xAPI 1.0.3 statement validation: strict, and every error names the field that is wrong.

The rules follow the xAPI specification, Data part (section 2 and 4). ``validate_statement``
only reads; ``prepare_statement`` fills what the LRS owns (id, stored, authority, version,
timestamp) and puts ``contextActivities`` into arrays, as the spec asks the LRS to return them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Set
from datetime import UTC, datetime
from typing import Any

import orjson

from . import vocab

# \Z, not $: $ also matches before a final line break ("http://x\n" or a UUID and "\n",
# one character too long for its column, would pass).
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+\Z")
MAILTO_RE = re.compile(r"^mailto:[^@\s]+@[^@\s]+\Z")
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}\Z")
SHA2_RE = re.compile(r"^[0-9a-fA-F]{56,128}\Z")
TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_NUM = r"\d+(?:[.,]\d+)?"
DURATION_RE = re.compile(
    rf"^P(?!$)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$|^P{_NUM}W$"
)
LANGUAGE_TAG_RE = re.compile(
    r"^(?:(?:[a-zA-Z]{2,3}(?:-[a-zA-Z]{3}){0,3}|[a-zA-Z]{4,8})"
    r"(?:-[a-zA-Z]{4})?"
    r"(?:-(?:[a-zA-Z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*"
    r"(?:-[0-9a-wy-zA-WY-Z](?:-[a-zA-Z0-9]{2,8})+)*"
    r"(?:-[xX](?:-[a-zA-Z0-9]{1,8})+)?"
    r"|[xX](?:-[a-zA-Z0-9]{1,8})+|[iI]-[a-zA-Z]{2,8})$"
)
VERSION_RE = {
    "1.0": re.compile(r"^1\.0(?:\.\d+)?$"),
    "2.0": re.compile(r"^(?:1\.0(?:\.\d+)?|2\.0(?:\.\d+)?)$"),
}
INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}
INTERACTION_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
VOIDED_VERB = vocab.Verb.VOIDED
DEFINITION_PROPERTIES = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        *INTERACTION_COMPONENT_LISTS,
    }
)
CONTEXT_PROPERTIES = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
CONTEXT_PROPERTIES_2_0 = CONTEXT_PROPERTIES | {"contextAgents", "contextGroups"}
STATEMENT_PROPERTIES = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


class StatementError(ValueError):
    """A statement (or a parameter) breaks a rule; ``field`` is the dotted path to the bad value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# Agents, verbs and activities found valid before, by their JSON text (see ``remember``).
_VALID_KEPT = 8192
_valid_texts: set[bytes] = set()


class StatementValidator:
    """Walks one statement. ``spec`` is "1.0" (the 1.0.x rules) or "2.0" (accepts 2.0.x too).

    ``remember``: for values parsed from JSON text only (dicts, lists, strings, numbers,
    booleans, None). An agent, a verb or an activity (with its definition) found valid is
    remembered by its compact JSON text, and the same text is not walked again: tools send the
    same learners, verbs and activities statement after statement. Their rules do not depend on
    the spec version or on where they stand, and the text tells every type apart that a rule
    does (``1``, ``1.0``, ``true``, ``"1"``). A value first found invalid is never remembered,
    so errors are found and worded as before. Not for values built in Python: JSON text cannot
    tell a ``str`` from a UUID or an enum that serialises to the same text.
    """

    def __init__(self, spec: str = "1.0", *, remember: bool = False) -> None:
        self.spec = spec
        self.remember = remember

    def _key(self, kind: bytes, value: Any) -> bytes | None:
        """The text ``value`` is remembered by (None: not to be remembered)."""
        if not self.remember or type(value) is not dict:
            return None
        try:
            return kind + orjson.dumps(value)
        except TypeError:  # past 64-bit integers, lone surrogates: walked every time
            return None

    @staticmethod
    def _valid(key: bytes | None) -> None:
        if key is not None:
            if len(_valid_texts) >= _VALID_KEPT:
                _valid_texts.clear()
            _valid_texts.add(key)

    # ------------------------------------------------------------ primitives

    def _object(
        self, value: Any, path: str, allowed: Set[str], required: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise StatementError(path or "statement", "must be a JSON object")
        # The set operations run in C; the loops below only name the first offender.
        if not value.keys() <= allowed:
            for key in value:
                if key not in allowed:
                    raise StatementError(_join(path, key), "is not a property allowed here")
        for key in required:
            if key not in value:
                raise StatementError(_join(path, key), "is required")
        if None in value.values():
            for key, item in value.items():
                if item is None:
                    raise StatementError(_join(path, key), "must not be null")
        return value

    def _string(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise StatementError(path, "must be a string")
        if "\x00" in value:
            # No real text holds it, and PostgreSQL cannot store it in a text column (ids,
            # IRIs and agent keys are indexed as text).
            raise StatementError(path, "must not contain the NUL character (U+0000)")
        return value

    def _bool(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise StatementError(path, "must be true or false")
        return value

    def _number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise StatementError(path, "must be a number")
        return float(value)

    def iri(self, value: Any, path: str) -> str:
        text = self._string(value, path)
        if not IRI_RE.match(text):
            raise StatementError(path, "must be an absolute IRI with a scheme, e.g. https://...")
        return text

    def uuid(self, value: Any, path: str) -> str:
        text = self._string(value, path)
        if not UUID_RE.match(text):
            raise StatementError(path, "must be a UUID in its string form (8-4-4-4-12 hex digits)")
        return text

    def timestamp(self, value: Any, path: str) -> datetime:
        text = self._string(value, path)
        try:
            return parse_timestamp(text)
        except ValueError as exc:
            raise StatementError(path, str(exc)) from None

    def duration(self, value: Any, path: str) -> str:
        text = self._string(value, path)
        if not DURATION_RE.match(text):
            raise StatementError(path, "must be an ISO 8601 duration such as PT1H30M or P3D")
        return text

    def language_map(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise StatementError(path, "must be a language map (object of language tag -> text)")
        for tag, text in value.items():
            if not LANGUAGE_TAG_RE.match(tag):
                raise StatementError(_join(path, tag), "is not an RFC 5646 language tag")
            if not isinstance(text, str):
                raise StatementError(_join(path, tag), "must be a string")

    def extensions(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise StatementError(path, "must be an object whose keys are IRIs")
        for key in value:
            self.iri(key, _join(path, key))

    # ------------------------------------------------------------ actors

    def agent(self, value: Any, path: str, *, group_allowed: bool = True) -> None:
        key = self._key(b"a" if group_allowed else b"m", value)
        if key in _valid_texts:
            return
        self._agent(value, path, group_allowed=group_allowed)
        self._valid(key)

    def _agent(self, value: Any, path: str, *, group_allowed: bool) -> None:
        if not isinstance(value, dict):
            raise StatementError(path, "must be an Agent or Group object")
        kind = value.get("objectType", "Agent")
        if kind == "Group" and group_allowed:
            self.group(value, path)
            return
        if kind != "Agent":
            raise StatementError(
                _join(path, "objectType"), "must be Agent" + (" or Group" if group_allowed else "")
            )
        self._object(value, path, {"objectType", "name", *IFIS})
        if "name" in value:
            self._string(value["name"], _join(path, "name"))
        self._ifi(value, path, required=True)

    def group(self, value: Any, path: str) -> None:
        self._object(value, path, {"objectType", "name", "member", *IFIS}, ("objectType",))
        if value["objectType"] != "Group":
            raise StatementError(_join(path, "objectType"), "must be Group")
        if "name" in value:
            self._string(value["name"], _join(path, "name"))
        identified = self._ifi(value, path, required=False)
        if not identified and "member" not in value:
            raise StatementError(_join(path, "member"), "is required for an anonymous Group")
        if "member" in value:
            members = value["member"]
            if not isinstance(members, list):
                raise StatementError(_join(path, "member"), "must be an array of Agents")
            for index, member in enumerate(members):
                self.agent(member, _join(_join(path, "member"), index), group_allowed=False)

    def _ifi(self, value: dict[str, Any], path: str, *, required: bool) -> bool:
        present = [key for key in IFIS if key in value]
        if len(present) > 1:
            raise StatementError(
                _join(path, present[1]), "only one inverse functional identifier is allowed"
            )
        if not present:
            if required:
                raise StatementError(path, "needs one of mbox, mbox_sha1sum, openid or account")
            return False
        key = present[0]
        field = _join(path, key)
        if key == "mbox":
            if not MAILTO_RE.match(self._string(value[key], field)):
                raise StatementError(field, "must be a mailto: IRI with an email address")
        elif key == "mbox_sha1sum":
            if not SHA1_RE.match(self._string(value[key], field)):
                raise StatementError(field, "must be a 40-digit hex SHA-1")
        elif key == "openid":
            self.iri(value[key], field)
        else:
            account = self._object(value[key], field, {"homePage", "name"}, ("homePage", "name"))
            self.iri(account["homePage"], _join(field, "homePage"))
            self._string(account["name"], _join(field, "name"))
        return True

    # ------------------------------------------------------------ statement parts

    def verb(self, value: Any, path: str) -> None:
        key = self._key(b"v", value)
        if key in _valid_texts:
            return
        self._object(value, path, {"id", "display"}, ("id",))
        self.iri(value["id"], _join(path, "id"))
        if "display" in value:
            self.language_map(value["display"], _join(path, "display"))
        self._valid(key)

    def activity(self, value: Any, path: str) -> None:
        key = self._key(b"o", value)
        if key in _valid_texts:
            return
        self._object(value, path, {"objectType", "id", "definition"}, ("id",))
        if value.get("objectType", "Activity") != "Activity":
            raise StatementError(_join(path, "objectType"), "must be Activity")
        self.iri(value["id"], _join(path, "id"))
        if "definition" in value:
            self.activity_definition(value["definition"], _join(path, "definition"))
        self._valid(key)

    def activity_definition(self, value: Any, path: str) -> None:
        self._object(value, path, DEFINITION_PROPERTIES)
        for key in ("name", "description"):
            if key in value:
                self.language_map(value[key], _join(path, key))
        for key in ("type", "moreInfo"):
            if key in value:
                self.iri(value[key], _join(path, key))
        if "extensions" in value:
            self.extensions(value["extensions"], _join(path, "extensions"))
        interaction = value.get("interactionType")
        if interaction is not None and (
            not isinstance(interaction, str) or interaction not in INTERACTION_TYPES
        ):
            raise StatementError(
                _join(path, "interactionType"),
                f"must be one of {', '.join(sorted(INTERACTION_TYPES))}",
            )
        if "correctResponsesPattern" in value:
            if interaction is None:
                raise StatementError(
                    _join(path, "interactionType"), "is required with correctResponsesPattern"
                )
            pattern = value["correctResponsesPattern"]
            if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
                raise StatementError(
                    _join(path, "correctResponsesPattern"), "must be an array of strings"
                )
        for key in INTERACTION_COMPONENT_LISTS:
            if key not in value:
                continue
            if interaction is None:
                raise StatementError(_join(path, "interactionType"), f"is required with {key}")
            self.interaction_components(value[key], _join(path, key))

    def interaction_components(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise StatementError(path, "must be an array of interaction components")
        seen: set[str] = set()
        for index, component in enumerate(value):
            where = _join(path, index)
            self._object(component, where, {"id", "description"}, ("id",))
            component_id = self._string(component["id"], _join(where, "id"))
            if component_id in seen:
                raise StatementError(_join(where, "id"), "must be unique in its list")
            seen.add(component_id)
            if "description" in component:
                self.language_map(component["description"], _join(where, "description"))

    def statement_ref(self, value: Any, path: str) -> None:
        self._object(value, path, {"objectType", "id"}, ("objectType", "id"))
        if value["objectType"] != "StatementRef":
            raise StatementError(_join(path, "objectType"), "must be StatementRef")
        self.uuid(value["id"], _join(path, "id"))

    def object(self, value: Any, path: str, *, in_substatement: bool) -> str:
        if not isinstance(value, dict):
            raise StatementError(path, "must be an object")
        kind = value.get("objectType", "Activity")
        if kind == "Activity":
            self.activity(value, path)
        elif kind in ("Agent", "Group"):
            self.agent(value, path)
        elif kind == "StatementRef":
            self.statement_ref(value, path)
        elif kind == "SubStatement":
            if in_substatement:
                raise StatementError(
                    _join(path, "objectType"), "a SubStatement cannot contain a SubStatement"
                )
            self.substatement(value, path)
        else:
            raise StatementError(
                _join(path, "objectType"),
                "must be Activity, Agent, Group, StatementRef or SubStatement",
            )
        return str(kind)

    def result(self, value: Any, path: str) -> None:
        self._object(
            value, path, {"score", "success", "completion", "response", "duration", "extensions"}
        )
        if "score" in value:
            self.score(value["score"], _join(path, "score"))
        for key in ("success", "completion"):
            if key in value:
                self._bool(value[key], _join(path, key))
        if "response" in value:
            self._string(value["response"], _join(path, "response"))
        if "duration" in value:
            self.duration(value["duration"], _join(path, "duration"))
        if "extensions" in value:
            self.extensions(value["extensions"], _join(path, "extensions"))

    def score(self, value: Any, path: str) -> None:
        self._object(value, path, {"scaled", "raw", "min", "max"})
        numbers = {
            key: self._number(value[key], _join(path, key))
            for key in ("scaled", "raw", "min", "max")
            if key in value
        }
        if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
            raise StatementError(_join(path, "scaled"), "must be between -1 and 1")
        if "min" in numbers and "max" in numbers and numbers["max"] <= numbers["min"]:
            raise StatementError(_join(path, "max"), "must be greater than min")
        if "raw" in numbers:
            if "min" in numbers and numbers["raw"] < numbers["min"]:
                raise StatementError(_join(path, "raw"), "must not be below min")
            if "max" in numbers and numbers["raw"] > numbers["max"]:
                raise StatementError(_join(path, "raw"), "must not be above max")

    def context(self, value: Any, path: str, object_kind: str) -> None:
        allowed = CONTEXT_PROPERTIES_2_0 if self.spec == "2.0" else CONTEXT_PROPERTIES
        self._object(value, path, allowed)
        for key, kind, holder in (
            ("contextAgents", "contextAgent", "agent"),
            ("contextGroups", "contextGroup", "group"),
        ):
            if key in value:
                self.context_agents(value[key], _join(path, key), kind, holder)
        if "registration" in value:
            self.uuid(value["registration"], _join(path, "registration"))
        if "instructor" in value:
            self.agent(value["instructor"], _join(path, "instructor"))
        if "team" in value:
            team = value["team"]
            if not isinstance(team, dict) or team.get("objectType") != "Group":
                raise StatementError(_join(path, "team"), "must be a Group")
            self.group(team, _join(path, "team"))
        if "contextActivities" in value:
            self.context_activities(value["contextActivities"], _join(path, "contextActivities"))
        for key in ("revision", "platform"):
            if key in value:
                self._string(value[key], _join(path, key))
                if object_kind != "Activity":
                    raise StatementError(
                        _join(path, key), "is only allowed when the object is an Activity"
                    )
        if "language" in value:
            if not LANGUAGE_TAG_RE.match(self._string(value["language"], _join(path, "language"))):
                raise StatementError(_join(path, "language"), "must be an RFC 5646 language tag")
        if "statement" in value:
            self.statement_ref(value["statement"], _join(path, "statement"))
        if "extensions" in value:
            self.extensions(value["extensions"], _join(path, "extensions"))

    def context_agents(self, value: Any, path: str, kind: str, holder: str) -> None:
        """xAPI 2.0 contextAgents / contextGroups: typed wrappers around an Agent or a Group."""
        if not isinstance(value, list):
            raise StatementError(path, f"must be an array of {kind} objects")
        for index, item in enumerate(value):
            where = _join(path, index)
            self._object(
                item, where, {"objectType", holder, "relevantTypes"}, ("objectType", holder)
            )
            if item["objectType"] != kind:
                raise StatementError(_join(where, "objectType"), f"must be {kind}")
            if holder == "group":
                if not isinstance(item[holder], dict) or item[holder].get("objectType") != "Group":
                    raise StatementError(_join(where, holder), "must be a Group")
                self.group(item[holder], _join(where, holder))
            else:
                self.agent(item[holder], _join(where, holder))
            if "relevantTypes" in item:
                types = item["relevantTypes"]
                if not isinstance(types, list) or not types:
                    raise StatementError(
                        _join(where, "relevantTypes"), "must be a non-empty array of IRIs"
                    )
                for position, iri in enumerate(types):
                    self.iri(iri, _join(_join(where, "relevantTypes"), position))

    def context_activities(self, value: Any, path: str) -> None:
        self._object(value, path, {"parent", "grouping", "category", "other"})
        for key, activities in value.items():
            where = _join(path, key)
            if isinstance(activities, list):
                for index, activity in enumerate(activities):
                    self.activity(activity, _join(where, index))
            else:
                self.activity(activities, where)

    def attachments(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise StatementError(path, "must be an array of attachments")
        for index, attachment in enumerate(value):
            where = _join(path, index)
            self._object(
                attachment,
                where,
                {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"},
                ("usageType", "display", "contentType", "length", "sha2"),
            )
            self.iri(attachment["usageType"], _join(where, "usageType"))
            self.language_map(attachment["display"], _join(where, "display"))
            if "description" in attachment:
                self.language_map(attachment["description"], _join(where, "description"))
            content_type = self._string(attachment["contentType"], _join(where, "contentType"))
            if "/" not in content_type:
                raise StatementError(_join(where, "contentType"), "must be an Internet Media Type")
            length = attachment["length"]
            if isinstance(length, bool) or not isinstance(length, int) or length < 0:
                raise StatementError(_join(where, "length"), "must be a whole number of octets")
            if not SHA2_RE.match(self._string(attachment["sha2"], _join(where, "sha2"))):
                raise StatementError(_join(where, "sha2"), "must be a hex SHA-2 hash")
            if "fileUrl" in attachment:
                self.iri(attachment["fileUrl"], _join(where, "fileUrl"))

    def substatement(self, value: Any, path: str) -> None:
        for forbidden in ("id", "stored", "version", "authority"):
            if forbidden in value:
                raise StatementError(_join(path, forbidden), "is not allowed in a SubStatement")
        self._object(
            value,
            path,
            {
                "objectType",
                "actor",
                "verb",
                "object",
                "result",
                "context",
                "timestamp",
                "attachments",
            },
            ("actor", "verb", "object"),
        )
        self._core(value, path, in_substatement=True)

    def _core(self, value: dict[str, Any], path: str, *, in_substatement: bool) -> None:
        self.agent(value["actor"], _join(path, "actor"))
        self.verb(value["verb"], _join(path, "verb"))
        kind = self.object(value["object"], _join(path, "object"), in_substatement=in_substatement)
        if "result" in value:
            self.result(value["result"], _join(path, "result"))
        if "context" in value:
            self.context(value["context"], _join(path, "context"), kind)
        if "timestamp" in value:
            self.timestamp(value["timestamp"], _join(path, "timestamp"))
        if "attachments" in value:
            self.attachments(value["attachments"], _join(path, "attachments"))

    def statement(self, value: Any, path: str = "") -> None:
        self._object(value, path, STATEMENT_PROPERTIES, ("actor", "verb", "object"))
        if "id" in value:
            self.uuid(value["id"], _join(path, "id"))
        self._core(value, path, in_substatement=False)
        if "stored" in value:
            self.timestamp(value["stored"], _join(path, "stored"))
        if "authority" in value:
            self.authority(value["authority"], _join(path, "authority"))
        if "version" in value:
            version = self._string(value["version"], _join(path, "version"))
            if not VERSION_RE[self.spec].match(version):
                raise StatementError(
                    _join(path, "version"),
                    "must be 1.0 or 1.0.x" + (" or 2.0.x" if self.spec == "2.0" else ""),
                )
        if value["verb"]["id"] == VOIDED_VERB:
            target = value["object"]
            if not isinstance(target, dict) or target.get("objectType") != "StatementRef":
                raise StatementError(
                    _join(path, "object.objectType"),
                    "a voiding statement's object must be a StatementRef",
                )

    def authority(self, value: Any, path: str) -> None:
        self.agent(value, path)
        if isinstance(value, dict) and value.get("objectType") == "Group":
            if any(key in value for key in IFIS):
                raise StatementError(path, "an authority Group must be anonymous")
            if len(value.get("member", [])) != 2:
                raise StatementError(
                    _join(path, "member"), "an authority Group has exactly two Agents"
                )


# Texts parsed before (a batch's statements share their stored moment and often a timestamp;
# a datetime cannot be changed, so one can be handed out twice).
_PARSED_KEPT = 4096
_parsed_moments: dict[str, datetime] = {}


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 date-time (RFC 3339 profile). ``-00:00`` is refused: it means "offset unknown"."""
    moment = _parsed_moments.get(text)
    if moment is None:
        moment = _parse_timestamp(text)
        if len(_parsed_moments) >= _PARSED_KEPT:
            _parsed_moments.clear()
        _parsed_moments[text] = moment
    return moment


def _parse_timestamp(text: str) -> datetime:
    match = TIMESTAMP_RE.match(text)
    if not match:
        raise ValueError("must be an ISO 8601 date and time, e.g. 2026-01-31T12:00:00.000Z")
    zone = match.group(8)
    if zone and zone[0] == "-" and set(zone[1:].replace(":", "")) == {"0"}:
        raise ValueError("must not use the -00:00 offset; use Z or +00:00")
    normal = text.replace("t", "T").replace(" ", "T").replace("z", "Z").replace(",", ".")
    if zone is None:
        normal += "Z"
    elif len(zone) == 3:
        normal += ":00"
    elif len(zone) == 5:
        normal = normal[:-2] + ":" + normal[-2:]
    if match.group(7):
        # Python reads at most 6 fraction digits; the spec asks for milliseconds at least.
        fraction = match.group(7)
        normal = normal.replace(fraction, fraction[:7].ljust(4, "0"), 1)
    try:
        parsed = datetime.fromisoformat(normal.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("is not a real date and time") from None
    return parsed.astimezone(UTC)


_last_formatted: tuple[datetime, str] | None = None


def format_timestamp(moment: datetime) -> str:
    """UTC with milliseconds, the form the LRS writes in ``stored`` and ``timestamp``."""
    global _last_formatted
    last = _last_formatted
    # A batch's statements share one stored moment. Equal moments are the same instant (or
    # both naive and equal), which is written one way.
    if last is not None and last[0] == moment:
        return last[1]
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    _last_formatted = (moment, text)
    return text


def validate_statement(statement: Any, *, spec: str = "1.0", field: str = "") -> None:
    StatementValidator(spec).statement(statement, field)


def normalize_context_activities(statement: dict[str, Any]) -> None:
    """The LRS returns every contextActivities value as an array (Data 2.4.6.2)."""
    for holder in (
        statement,
        statement.get("object") if isinstance(statement.get("object"), dict) else None,
    ):
        if not holder:
            continue
        context_activities = holder.get("context", {}).get("contextActivities")
        if isinstance(context_activities, dict):
            for key, value in list(context_activities.items()):
                if isinstance(value, dict):
                    context_activities[key] = [value]


def prepare_statement(
    statement: dict[str, Any], *, stored: datetime, authority: dict[str, Any] | None
) -> dict[str, Any]:
    """The statement as the LRS keeps it: id, stored, timestamp, authority and version filled in."""
    prepared = dict(statement)
    prepared.setdefault("id", str(uuid.uuid4()))
    prepared["id"] = prepared["id"].lower()
    prepared["stored"] = format_timestamp(stored)
    prepared.setdefault("timestamp", prepared["stored"])
    if authority is not None:
        prepared["authority"] = authority
    prepared.setdefault("version", "1.0.0")
    normalize_context_activities(prepared)
    return prepared


def agent_key(agent: dict[str, Any]) -> str | None:
    """One string per identified Agent or Group (its IFI), used for indexes and document keys."""
    if "mbox" in agent:
        return "mbox:" + str(agent["mbox"]).lower()
    if "mbox_sha1sum" in agent:
        return "sha1:" + str(agent["mbox_sha1sum"]).lower()
    if "openid" in agent:
        return "openid:" + str(agent["openid"])
    account = agent.get("account")
    if isinstance(account, dict):
        return f"account:{account.get('homePage')}|{account.get('name')}"
    return None
