"""The SCORM 2004 sequencing of a manifest as scorm-again's ``sequencing`` settings.

learnpass does not evaluate sequencing itself: the run-time library (scorm-again) carries the
engine (navigation, sequencing rules, rollup, global objectives). This module only translates the
manifest's ``imsss:sequencing`` elements into the shape its ``ActivitySettings`` type describes
(``dist/types/types/sequencing_types.d.ts``): an activity tree rooted at the organization.

A shared definition from ``imsss:sequencingCollection`` (``IDRef``) applies first, and each
element group the item states itself replaces the shared one, as the SCORM CAM describes.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from . import safe_xml as x

IMSSS = "imsss"
ADLSEQ = "adlseq"

# Element groups of <imsss:sequencing>: an item's own group replaces the collection's.
_GROUPS = (
    "controlMode",
    "sequencingRules",
    "limitConditions",
    "rollupRules",
    "objectives",
    "deliveryControls",
    "randomizationControls",
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
    collection = _collection(root)
    orgs_el = x.child(root, "organizations")
    if orgs_el is None:
        return None
    orgs = x.children(orgs_el, "organization")
    org = next((o for o in orgs if o.get("identifier") == organization), orgs[0] if orgs else None)
    if org is None or not any(True for el in org.iter() if _is_sequencing(el)):
        return None
    tree = _activity(org, collection)
    return {"activityTree": tree}


def _is_sequencing(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and x.local(el) == "sequencing" and IMSSS in x.namespace(el)


def _collection(root: etree._Element) -> dict[str, etree._Element]:
    found = x.child(root, "sequencingCollection", IMSSS)
    if found is None:
        return {}
    return {el.get("ID", ""): el for el in x.children(found, "sequencing", IMSSS) if el.get("ID")}


def _groups(el: etree._Element | None, collection: dict[str, etree._Element]) -> dict[str, Any]:
    """The effective element groups: the collection entry's, overridden by the item's own."""
    found: dict[str, etree._Element] = {}
    if el is None:
        return found
    for source in (collection.get(el.get("IDRef", "")), el):
        if source is None:
            continue
        for child in source:
            if isinstance(child.tag, str) and x.local(child) in _GROUPS:
                found[x.local(child)] = child
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
    if (mode := groups.get("controlMode")) is not None:
        for name in (
            "choice",
            "choiceExit",
            "flow",
            "forwardOnly",
            "useCurrentAttemptObjectiveInfo",
            "useCurrentAttemptProgressInfo",
        ):
            if mode.get(name) is not None:
                controls[name] = _bool(mode.get(name))
    if (rollup := groups.get("rollupRules")) is not None:
        for name in ("rollupObjectiveSatisfied", "rollupProgressCompletion"):
            if rollup.get(name) is not None:
                controls[name] = _bool(rollup.get(name))
        if (weight := _number(rollup.get("objectiveMeasureWeight"))) is not None:
            controls["objectiveMeasureWeight"] = weight
        rollup_rules = [_rollup_rule(r) for r in x.children(rollup, "rollupRule", IMSSS)]
        if rollup_rules:
            activity["rollupRules"] = {"rules": rollup_rules}
    if (delivery := groups.get("deliveryControls")) is not None:
        dc = {
            name: _bool(delivery.get(name))
            for name in ("tracked", "completionSetByContent", "objectiveSetByContent")
            if delivery.get(name) is not None
        }
        if dc:
            activity["deliveryControls"] = dc
            controls.update(dc)
    if controls:
        activity["sequencingControls"] = controls
    if (limits := groups.get("limitConditions")) is not None:
        attempts = limits.get("attemptLimit", "").strip()
        if attempts.isdigit():
            activity["attemptLimit"] = int(attempts)
        if limits.get("attemptAbsoluteDurationLimit"):
            activity["attemptAbsoluteDurationLimit"] = limits.get("attemptAbsoluteDurationLimit")
    if (rules_el := groups.get("sequencingRules")) is not None:
        rules: dict[str, list[dict[str, Any]]] = {}
        for tag, key in (
            ("preConditionRule", "preConditionRules"),
            ("exitConditionRule", "exitConditionRules"),
            ("postConditionRule", "postConditionRules"),
        ):
            found = [_sequencing_rule(r) for r in x.children(rules_el, tag, IMSSS)]
            if found:
                rules[key] = found
        if rules:
            activity["sequencingRules"] = rules
    if (objectives := groups.get("objectives")) is not None:
        for obj in objectives:
            if not isinstance(obj.tag, str):
                continue
            if x.local(obj) == "primaryObjective":
                activity["primaryObjective"] = _objective(obj, primary=True)
            elif x.local(obj) == "objective":
                activity.setdefault("objectives", []).append(_objective(obj, primary=False))
    children = [_activity(child, collection) for child in x.children(el, "item")]
    if children:
        activity["children"] = children
    return activity


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


def _objective(el: etree._Element, primary: bool) -> dict[str, Any]:
    objective: dict[str, Any] = {
        "objectiveID": el.get("objectiveID", ""),
        "isPrimary": primary,
        "satisfiedByMeasure": _bool(el.get("satisfiedByMeasure", "false")),
    }
    measure = x.child(el, "minNormalizedMeasure", IMSSS)
    if measure is not None and (value := _number(x.text(measure))) is not None:
        objective["minNormalizedMeasure"] = value
    maps = []
    for m in x.children(el, "mapInfo", IMSSS):
        maps.append(
            {
                "targetObjectiveID": m.get("targetObjectiveID", ""),
                "readSatisfiedStatus": _bool(m.get("readSatisfiedStatus", "true")),
                "readNormalizedMeasure": _bool(m.get("readNormalizedMeasure", "true")),
                "writeSatisfiedStatus": _bool(m.get("writeSatisfiedStatus", "false")),
                "writeNormalizedMeasure": _bool(m.get("writeNormalizedMeasure", "false")),
            }
        )
    if maps:
        objective["mapInfo"] = maps
    return objective


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1")


def _number(value: str | None) -> float | None:
    try:
        return float((value or "").strip())
    except ValueError:
        return None
