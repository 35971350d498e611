"""An activity's objectives for scorm-again's engine: ``imsss:objectives`` with their
``imsss:mapInfo`` (satisfaction and measure) joined with ``adlseq:objectives`` /
``adlseq:mapInfo`` of the same objectiveID (SCORM 2004 4th Edition: completion, progress and
scores through global objectives)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from . import safe_xml as x

IMSSS = "imsss"
ADLSEQ = "adlseq"

# imsss:mapInfo maps satisfaction and measure; adlseq:mapInfo (4th Edition) the rest. Each flag a
# manifest leaves out takes the CAM's default (reads true, writes false), and a flag of the other
# element is false: scorm-again would otherwise read completion and scores through every map.
_IMSSS_MAP = ("SatisfiedStatus", "NormalizedMeasure")
_ADLSEQ_MAP = ("CompletionStatus", "ProgressMeasure", "RawScore", "MinScore", "MaxScore")


def objectives(
    activity: dict[str, Any], imsss: etree._Element | None, adlseq: etree._Element | None
) -> None:
    """The activity's objectives, each with its imsss maps and the adlseq maps of the same
    objectiveID (4th Edition), into ``primaryObjective`` and ``objectives``."""
    extra_maps: dict[str, list[dict[str, Any]]] = {}
    for obj in x.children(adlseq, "objective", ADLSEQ) if adlseq is not None else []:
        extra_maps.setdefault(obj.get("objectiveID", ""), []).extend(
            _map(m, _ADLSEQ_MAP) for m in x.children(obj, "mapInfo", ADLSEQ)
        )
    for obj in imsss if imsss is not None else []:
        if not isinstance(obj.tag, str) or x.local(obj) not in ("primaryObjective", "objective"):
            continue
        primary = x.local(obj) == "primaryObjective"
        objective = _objective(obj, primary, extra_maps.pop(obj.get("objectiveID", ""), []))
        if primary:
            activity["primaryObjective"] = objective
        else:
            activity.setdefault("objectives", []).append(objective)
    # An adlseq:objective names an imsss one; one that names none still maps (read or write)
    # the activity's tracking through the global objective it targets.
    for objective_id, maps in extra_maps.items():
        if objective_id and maps:
            activity.setdefault("objectives", []).append(
                {"objectiveID": objective_id, "isPrimary": False, "mapInfo": maps}
            )


def _objective(
    el: etree._Element, primary: bool, extra_maps: list[dict[str, Any]]
) -> dict[str, Any]:
    objective: dict[str, Any] = {
        "objectiveID": el.get("objectiveID", ""),
        "isPrimary": primary,
        "satisfiedByMeasure": bool_attr(el.get("satisfiedByMeasure", "false")),
    }
    measure = x.child(el, "minNormalizedMeasure", IMSSS)
    if measure is not None and (value := number(x.text(measure))) is not None:
        objective["minNormalizedMeasure"] = value
    maps = [_map(m, _IMSSS_MAP) for m in x.children(el, "mapInfo", IMSSS)]
    # One map per global objective: an adlseq map of the same target joins the imsss one.
    for extra in extra_maps:
        same = next((m for m in maps if m["targetObjectiveID"] == extra["targetObjectiveID"]), None)
        if same is None:
            maps.append(extra)
        else:
            same.update({k: v for k, v in extra.items() if v})
    if maps:
        objective["mapInfo"] = maps
    return objective


def _map(el: etree._Element, fields: tuple[str, ...]) -> dict[str, Any]:
    """One mapInfo with every read/write flag the engine knows stated: those of ``fields`` as
    written or by the CAM's defaults (read true, write false), all others false."""
    mapped: dict[str, Any] = {"targetObjectiveID": el.get("targetObjectiveID", "")}
    for field in _IMSSS_MAP + _ADLSEQ_MAP:
        for mode, default in (("read", "true"), ("write", "false")):
            name = mode + field
            mapped[name] = field in fields and bool_attr(el.get(name, default))
    return mapped


def bool_attr(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1")


def number(value: str | None) -> float | None:
    try:
        return float((value or "").strip())
    except ValueError:
        return None
