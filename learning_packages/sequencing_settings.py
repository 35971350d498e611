"""The SCORM 2004 sequencing of a manifest as scorm-again's ``sequencing`` settings.

learnpass does not evaluate sequencing itself: the run-time library (scorm-again) carries the
engine (navigation, sequencing rules, rollup, global objectives). This module only translates the
manifest's sequencing elements into the shape its ``ActivitySettings`` type describes
(``dist/types/types/sequencing_types.d.ts``): an activity tree rooted at the organization.

Read per activity: ``imsss:sequencing`` (control mode, rules, limits, auxiliary resources, rollup
rules, objectives with their ``imsss:mapInfo``, randomization, delivery controls) and its ADL
extensions (``adlseq:objectives`` / ``adlseq:mapInfo``, the 4th Edition maps of completion,
progress and scores; ``adlseq:rollupConsiderations``; ``adlseq:constrainedChoiceConsiderations``),
then the item's ``adlcp:completionThreshold`` and ``adlnav:presentation`` (hideLMSUI). The few
elements the engine has no setting for are named by :func:`unsupported_elements`, which the import
turns into warnings.

A shared definition from ``imsss:sequencingCollection`` (``IDRef``) applies first, and each
element group the item states itself replaces the shared one, as the SCORM CAM describes.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from . import safe_xml as x
from .sequencing_objectives import ADLSEQ, IMSSS, objectives
from .sequencing_objectives import bool_attr as _bool
from .sequencing_objectives import number as _number

ADLCP = "adlcp"
ADLNAV = "adlnav"

# Element groups of <imsss:sequencing>, keyed by namespace and name (adlseq:objectives and
# imsss:objectives share a local name and are different groups): an item's own group replaces
# the collection's.
_GROUPS = {
    (IMSSS, "controlMode"),
    (IMSSS, "sequencingRules"),
    (IMSSS, "limitConditions"),
    (IMSSS, "auxiliaryResources"),
    (IMSSS, "rollupRules"),
    (IMSSS, "objectives"),
    (IMSSS, "randomizationControls"),
    (IMSSS, "deliveryControls"),
    (ADLSEQ, "constrainedChoiceConsiderations"),
    (ADLSEQ, "rollupConsiderations"),
    (ADLSEQ, "objectives"),
}

_ROLLUP_CONSIDERATIONS = (
    "requiredForSatisfied",
    "requiredForNotSatisfied",
    "requiredForCompleted",
    "requiredForIncomplete",
)
_HIDE_LMS_UI = ("continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll")

# What CAM 1.3 / 4th Edition defines and scorm-again's engine has no setting for.
_UNSUPPORTED_LIMITS = (
    "attemptExperiencedDurationLimit",
    "activityExperiencedDurationLimit",
)


def has_sequencing(structure: dict[str, Any], organization: str) -> bool:
    """Whether the stored course structure declares sequencing for the organization."""
    orgs = structure.get("organizations") or []
    org = next((o for o in orgs if o.get("identifier") == organization), orgs[0] if orgs else None)
    if org is None:
        return False
    if org.get("sequencing"):
        return True

    def any_item(items: list[dict[str, Any]]) -> bool:
        return any(i.get("sequencing") or any_item(i.get("children") or []) for i in items)

    return any_item(org.get("items") or [])


def sequencing_settings(manifest: bytes, organization: str) -> dict[str, Any] | None:
    """scorm-again ``SequencingSettings`` for the organization, or None when it has no
    sequencing (the player then keeps its plain flow/choice navigation)."""
    root = x.parse_xml(manifest, "imsmanifest.xml")
    org = _organization(root, organization)
    if org is None or not any(True for el in org.iter() if _is_sequencing(el)):
        return None
    return {"activityTree": _activity(org, _collection(root))}


def unsupported_elements(root: etree._Element) -> list[str]:
    """Warnings naming each sequencing element of the manifest that the engine cannot honour,
    once per element name."""
    found: dict[str, str] = {}
    collection = _collection(root)
    orgs_el = x.child(root, "organizations")
    for org in x.children(orgs_el, "organization") if orgs_el is not None else []:
        maps = any(
            isinstance(el.tag, str) and x.local(el) == "mapInfo"
            for el in _sequencing_of(org, collection)
        )
        if maps and (org.get(_adlseq_attr(org, "objectivesGlobalToSystem")) or "true") != "false":
            found["adlseq:objectivesGlobalToSystem"] = (
                'adlseq:objectivesGlobalToSystem is not "false": learnpass keeps the global '
                "objectives of a course within the learner's attempt of that course; other "
                "courses do not see them"
            )
        for el in org.iter():
            if not isinstance(el.tag, str):
                continue
            name, ns = x.local(el), x.namespace(el)
            if IMSSS in ns and name == "limitConditions":
                for limit in _UNSUPPORTED_LIMITS:
                    if el.get(limit):
                        found[f"imsss:limitConditions/@{limit}"] = (
                            f"imsss:limitConditions/@{limit} is not supported by the sequencing "
                            "engine and is ignored"
                        )
            elif ADLCP in ns and name == "data":
                found["adlcp:data"] = (
                    "adlcp:data (data shared between SCOs, adl.data) is not supported; "
                    "SCOs that read adl.data get nothing back"
                )
    return list(found.values())


def _adlseq_attr(el: etree._Element, name: str) -> str:
    """The clark name of an adlseq attribute as written on ``el`` (any adlseq namespace)."""
    for key in el.attrib:
        key = str(key)
        if key.rsplit("}", 1)[-1] == name and ADLSEQ in key:
            return key
    return name


def _organization(root: etree._Element, organization: str) -> etree._Element | None:
    orgs_el = x.child(root, "organizations")
    if orgs_el is None:
        return None
    orgs = x.children(orgs_el, "organization")
    return next((o for o in orgs if o.get("identifier") == organization), orgs[0] if orgs else None)


def _sequencing_of(
    el: etree._Element, collection: dict[str, etree._Element]
) -> list[etree._Element]:
    """Every element of the organization's and its items' sequencing, collection entries included."""
    found: list[etree._Element] = []
    for seq in el.iter():
        if _is_sequencing(seq):
            shared = collection.get(seq.get("IDRef", ""))
            for source in (shared, seq):
                if source is not None:
                    found.extend(source.iter())
    return found


def _is_sequencing(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and x.local(el) == "sequencing" and IMSSS in x.namespace(el)


def _collection(root: etree._Element) -> dict[str, etree._Element]:
    found = x.child(root, "sequencingCollection", IMSSS)
    if found is None:
        return {}
    return {el.get("ID", ""): el for el in x.children(found, "sequencing", IMSSS) if el.get("ID")}


def _kind(el: etree._Element) -> str:
    ns = x.namespace(el)
    return ADLSEQ if ADLSEQ in ns else IMSSS if IMSSS in ns else ns


def _groups(
    el: etree._Element | None, collection: dict[str, etree._Element]
) -> dict[tuple[str, str], etree._Element]:
    """The effective element groups: the collection entry's, overridden by the item's own."""
    found: dict[tuple[str, str], etree._Element] = {}
    if el is None:
        return found
    for source in (collection.get(el.get("IDRef", "")), el):
        if source is None:
            continue
        for child in source:
            if isinstance(child.tag, str) and (key := (_kind(child), x.local(child))) in _GROUPS:
                found[key] = child
    return found


def _activity(el: etree._Element, collection: dict[str, etree._Element]) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "id": el.get("identifier", ""),
        "title": x.text(x.child(el, "title")) or el.get("identifier", ""),
    }
    if el.get("isvisible", "true").strip().lower() == "false":
        activity["isVisible"] = False
    groups = _groups(x.child(el, "sequencing", IMSSS), collection)
    controls: dict[str, Any] = {}
    if (mode := groups.get((IMSSS, "controlMode"))) is not None:
        controls.update(
            _flags(
                mode,
                "choice",
                "choiceExit",
                "flow",
                "forwardOnly",
                "useCurrentAttemptObjectiveInfo",
                "useCurrentAttemptProgressInfo",
            )
        )
    if (considerations := groups.get((ADLSEQ, "constrainedChoiceConsiderations"))) is not None:
        controls.update(_flags(considerations, "preventActivation", "constrainChoice"))
    if (rollup := groups.get((IMSSS, "rollupRules"))) is not None:
        controls.update(_flags(rollup, "rollupObjectiveSatisfied", "rollupProgressCompletion"))
        if (weight := _number(rollup.get("objectiveMeasureWeight"))) is not None:
            controls["objectiveMeasureWeight"] = weight
        rollup_rules = [_rollup_rule(r) for r in x.children(rollup, "rollupRule", IMSSS)]
        if rollup_rules:
            activity["rollupRules"] = {"rules": rollup_rules}
    if (random := groups.get((IMSSS, "randomizationControls"))) is not None:
        controls.update(_randomization(random))
    if (delivery := groups.get((IMSSS, "deliveryControls"))) is not None:
        dc = _flags(delivery, "tracked", "completionSetByContent", "objectiveSetByContent")
        if dc:
            activity["deliveryControls"] = dc
            controls.update(dc)
    if controls:
        activity["sequencingControls"] = controls
    if (considered := groups.get((ADLSEQ, "rollupConsiderations"))) is not None:
        rc: dict[str, Any] = {
            name: considered.get(name)
            for name in _ROLLUP_CONSIDERATIONS
            if considered.get(name) is not None
        }
        if considered.get("measureSatisfactionIfActive") is not None:
            rc["measureSatisfactionIfActive"] = _bool(considered.get("measureSatisfactionIfActive"))
        if rc:
            activity["rollupConsiderations"] = rc
    if (limits := groups.get((IMSSS, "limitConditions"))) is not None:
        attempts = limits.get("attemptLimit", "").strip()
        if attempts.isdigit():
            activity["attemptLimit"] = int(attempts)
        for name in (
            "attemptAbsoluteDurationLimit",
            "activityAbsoluteDurationLimit",
            "beginTimeLimit",
            "endTimeLimit",
        ):
            if limits.get(name):
                activity[name] = limits.get(name)
    if (rules := _sequencing_rules(groups.get((IMSSS, "sequencingRules")))) is not None:
        activity["sequencingRules"] = rules
    if (auxiliary := groups.get((IMSSS, "auxiliaryResources"))) is not None:
        resources = [
            {"resourceId": r.get("auxiliaryResourceID", ""), "purpose": r.get("purpose", "")}
            for r in x.children(auxiliary, "auxiliaryResource", IMSSS)
            if r.get("auxiliaryResourceID")
        ]
        if resources:
            activity["auxiliaryResources"] = resources
    objectives(activity, groups.get((IMSSS, "objectives")), groups.get((ADLSEQ, "objectives")))
    if (threshold := _completion_threshold(x.child(el, "completionThreshold", ADLCP))) is not None:
        activity["completionThreshold"] = threshold
    hidden = [
        x.text(h)
        for presentation in x.children(el, "presentation", ADLNAV)
        for h in presentation.iter()
        if isinstance(h.tag, str) and x.local(h) == "hideLMSUI" and x.text(h) in _HIDE_LMS_UI
    ]
    if hidden:
        activity["hideLmsUi"] = list(dict.fromkeys(hidden))
    children = [_activity(child, collection) for child in x.children(el, "item")]
    if children:
        activity["children"] = children
    return activity


def _flags(el: etree._Element, *names: str) -> dict[str, bool]:
    return {name: _bool(el.get(name)) for name in names if el.get(name) is not None}


def _randomization(el: etree._Element) -> dict[str, Any]:
    """imsss:randomizationControls as the engine's selection and randomization controls."""
    controls: dict[str, Any] = {}
    for name in ("selectionTiming", "randomizationTiming"):
        if el.get(name) in ("never", "once", "onEachNewAttempt"):
            controls[name] = el.get(name)
    if (count := (el.get("selectCount") or "").strip()).isdigit():
        controls["selectCount"] = int(count)
        controls["selectionCountStatus"] = True
    if el.get("reorderChildren") is not None:
        controls["reorderChildren"] = _bool(el.get("reorderChildren"))
        controls["randomizeChildren"] = controls["reorderChildren"]
    return controls


def _completion_threshold(el: etree._Element | None) -> dict[str, Any] | None:
    """adlcp:completionThreshold of 4th Edition (attributes); 3rd Edition's plain number is only
    cmi.completion_threshold, for the SCO to judge, and does not complete by measure."""
    if el is None:
        return None
    threshold: dict[str, Any] = {}
    if el.get("completedByMeasure") is not None:
        threshold["completedByMeasure"] = _bool(el.get("completedByMeasure"))
    for name in ("minProgressMeasure", "progressWeight"):
        if (value := _number(el.get(name))) is not None:
            threshold[name] = value
    return threshold or None


def _sequencing_rules(rules_el: etree._Element | None) -> dict[str, Any] | None:
    if rules_el is None:
        return None
    rules: dict[str, list[dict[str, Any]]] = {}
    for tag, key in (
        ("preConditionRule", "preConditionRules"),
        ("exitConditionRule", "exitConditionRules"),
        ("postConditionRule", "postConditionRules"),
    ):
        found = [_sequencing_rule(r) for r in x.children(rules_el, tag, IMSSS)]
        if found:
            rules[key] = found
    return rules or None


def _sequencing_rule(el: etree._Element) -> dict[str, Any]:
    conditions_el = x.child(el, "ruleConditions", IMSSS)
    action_el = x.child(el, "ruleAction", IMSSS)
    conditions = []
    for cond in (
        x.children(conditions_el, "ruleCondition", IMSSS) if conditions_el is not None else []
    ):
        condition: dict[str, Any] = {"condition": cond.get("condition", "always")}
        if cond.get("operator", "noOp") == "not":
            condition["operator"] = "not"
        if cond.get("referencedObjective"):
            condition["referencedObjective"] = cond.get("referencedObjective")
        if (threshold := _number(cond.get("measureThreshold"))) is not None:
            condition["parameters"] = {"threshold": threshold}
        conditions.append(condition)
    return {
        "action": action_el.get("action", "") if action_el is not None else "",
        "conditionCombination": (
            conditions_el.get("conditionCombination", "all") if conditions_el is not None else "all"
        ),
        "conditions": conditions,
    }


def _rollup_rule(el: etree._Element) -> dict[str, Any]:
    conditions_el = x.child(el, "rollupConditions", IMSSS)
    action_el = x.child(el, "rollupAction", IMSSS)
    rule: dict[str, Any] = {
        "action": action_el.get("action", "") if action_el is not None else "",
        "consideration": el.get("childActivitySet", "all"),
        "conditionCombination": (
            conditions_el.get("conditionCombination", "any") if conditions_el is not None else "any"
        ),
        "conditions": [],
    }
    if (count := el.get("minimumCount", "").strip()).isdigit():
        rule["minimumCount"] = int(count)
    if (percent := _number(el.get("minimumPercent"))) is not None:
        rule["minimumPercent"] = percent
    for cond in (
        x.children(conditions_el, "rollupCondition", IMSSS) if conditions_el is not None else []
    ):
        condition: dict[str, Any] = {"condition": cond.get("condition", "always")}
        if cond.get("operator", "noOp") == "not":
            condition["operator"] = "not"
        rule["conditions"].append(condition)
    return rule
