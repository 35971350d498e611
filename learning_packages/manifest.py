"""Read ``imsmanifest.xml`` (SCORM 1.2, SCORM 2004 2nd/3rd/4th edition) into a :class:`Course`.

Elements are matched by local name so both IMS CP namespaces (``imscp_rootv1p1p2`` for 1.2,
``imscp_v1p1`` for 2004) read the same; sequencing elements are taken from the ``imsss`` namespace
only, since ``adlseq`` reuses some of the same local names.
"""

from __future__ import annotations

from lxml import etree

from . import safe_xml as x
from .errors import N_, PackageRefused
from .hrefs import apply_parameters, resolve
from .sequencing_settings import unsupported_elements
from .structure import (
    EDITION_12,
    EDITION_2004_2ND,
    EDITION_2004_3RD,
    EDITION_2004_4TH,
    SCORM_12,
    SCORM_2004,
    Course,
    Item,
    MapInfo,
    Objective,
    Organization,
    Resource,
    Sequencing,
)

DESCRIPTOR = "imsmanifest.xml"


def parse_manifest(data: bytes, file: str = DESCRIPTOR) -> Course:
    root = x.parse_xml(data, file)
    if x.local(root) != "manifest":
        raise PackageRefused(
            "not_a_manifest",
            N_("its root element is <%(element)s>, not <manifest>"),
            file,
            root.sourceline,
            element=x.local(root),
        )
    warnings: list[str] = []
    kind, edition = _standard(root, file, warnings)
    manifest_base = root.get(x.XML_BASE, "")

    resources_el = x.child(root, "resources")
    resources_base = resources_el.get(x.XML_BASE, "") if resources_el is not None else ""
    resources: dict[str, Resource] = {}
    for el in x.children(resources_el, "resource") if resources_el is not None else []:
        resource = _resource(el, [manifest_base, resources_base], file)
        if resource.identifier in resources:
            raise PackageRefused(
                "duplicate_identifier",
                N_("two resources have the identifier %(identifier)s"),
                file,
                el.sourceline,
                identifier=repr(resource.identifier),
            )
        resources[resource.identifier] = resource

    collection = _sequencing_collection(root)
    organizations_el = x.child(root, "organizations")
    organizations: list[Organization] = []
    seen_ids: set[str] = set()
    for el in x.children(organizations_el, "organization") if organizations_el is not None else []:
        organizations.append(_organization(el, kind, resources, collection, seen_ids, file))
    if not organizations:
        raise PackageRefused(
            "no_organization",
            N_("has no <organization>: there is nothing a learner could launch"),
            file,
            organizations_el.sourceline if organizations_el is not None else None,
        )
    default = organizations_el.get("default", "") if organizations_el is not None else ""
    if default not in {org.identifier for org in organizations}:
        if default:
            warnings.append(
                f"organizations/@default names {default!r}, which is not an organization; "
                f"using the first one, {organizations[0].identifier!r}"
            )
        default = organizations[0].identifier

    if kind == SCORM_2004:
        # The player hands sequencing to scorm-again's engine: say what it cannot honour.
        warnings.extend(unsupported_elements(root))
    course = Course(
        kind=kind,
        edition=edition,
        descriptor=file,
        identifier=root.get("identifier", ""),
        version=root.get("version", ""),
        title="",
        default_organization=default,
        organizations=organizations,
        resources=resources,
        warnings=warnings,
    )
    org = course.organization
    if not org.items:
        raise PackageRefused(
            "empty_organization",
            N_("the organization %(organization)s has no items"),
            file,
            organization=repr(org.identifier),
        )
    if not org.launchables():
        raise PackageRefused(
            "nothing_to_launch",
            N_(
                "no item of the organization %(organization)s points at a resource "
                "with a launch file"
            ),
            file,
            organization=repr(org.identifier),
        )
    course.title = org.title or course.identifier
    return course


def _standard(root: etree._Element, file: str, warnings: list[str]) -> tuple[str, str]:
    """(kind, edition) from ``metadata/schemaversion``, else from the namespaces in use."""
    metadata = x.child(root, "metadata")
    stated = x.text(x.child(metadata, "schemaversion")) if metadata is not None else ""
    lowered = stated.lower()
    if lowered:
        if lowered in ("1.2", "scorm 1.2", "1.2.0"):
            return SCORM_12, EDITION_12
        if lowered in ("cam 1.3", "1.3", "2004 2nd edition"):
            return SCORM_2004, EDITION_2004_2ND
        if "2004" in lowered and "3rd" in lowered:
            return SCORM_2004, EDITION_2004_3RD
        if "2004" in lowered and "4th" in lowered:
            return SCORM_2004, EDITION_2004_4TH
    namespaces = {ns for el in root.iter() if isinstance(el.tag, str) for ns in el.nsmap.values()}
    if any("adlcp_rootv1p2" in ns for ns in namespaces):
        guess = (SCORM_12, EDITION_12)
    elif any("adlcp_v1p3" in ns or "imsss" in ns for ns in namespaces):
        guess = (SCORM_2004, EDITION_2004_3RD)
    elif any("imscp_rootv1p1p2" in ns for ns in namespaces):
        guess = (SCORM_12, EDITION_12)
    else:
        if stated:
            raise PackageRefused(
                "unknown_schema",
                N_(
                    "states the schema version %(version)s and uses no SCORM namespace; "
                    "learnpass reads SCORM 1.2 and SCORM 2004 (2nd, 3rd, 4th edition)"
                ),
                file,
                version=repr(stated),
            )
        raise PackageRefused(
            "unknown_schema",
            N_(
                "states no schema version and uses no SCORM namespace; "
                "learnpass reads SCORM 1.2 and SCORM 2004 (2nd, 3rd, 4th edition)"
            ),
            file,
        )
    if stated:
        warnings.append(
            f"unknown schemaversion {stated!r}; read as SCORM {guess[1]} from its namespaces"
        )
    else:
        warnings.append(f"no schemaversion; read as SCORM {guess[1]} from its namespaces")
    return guess


def _resource(el: etree._Element, bases: list[str], file: str) -> Resource:
    identifier = el.get("identifier", "")
    if not identifier:
        raise PackageRefused(
            "missing_identifier", N_("a <resource> has no identifier"), file, el.sourceline
        )
    own_base = el.get(x.XML_BASE, "")
    chain = [*bases, own_base]
    href = el.get("href", "")
    launch_path, launch_query, external = None, "", None
    if href.strip():
        resolved = resolve(chain, href, file)
        launch_path, launch_query, external = resolved.path, resolved.query, resolved.external_url
    files = []
    for file_el in x.children(el, "file"):
        file_href = file_el.get("href", "")
        if file_href.strip():
            resolved = resolve(chain, file_href, file)
            if resolved.path:
                files.append(resolved.path)
    return Resource(
        identifier=identifier,
        type=el.get("type", ""),
        scorm_type=(x.attr(el, "scormtype") or "").strip().lower(),
        href=href,
        base="".join(chain),
        launch_path=launch_path,
        launch_query=launch_query,
        external_url=external,
        files=files,
        dependencies=[
            d.get("identifierref", "")
            for d in x.children(el, "dependency")
            if d.get("identifierref")
        ],
    )


def _organization(
    el: etree._Element,
    kind: str,
    resources: dict[str, Resource],
    collection: dict[str, etree._Element],
    seen_ids: set[str],
    file: str,
) -> Organization:
    identifier = el.get("identifier", "")
    _claim(identifier, seen_ids, "organization", el, file)
    return Organization(
        identifier=identifier,
        title=x.text(x.child(el, "title")),
        items=[
            _item(child, kind, resources, collection, seen_ids, file)
            for child in x.children(el, "item")
        ],
        sequencing=_sequencing(x.child(el, "sequencing", "imsss"), collection),
    )


def _claim(identifier: str, seen: set[str], what: str, el: etree._Element, file: str) -> None:
    if not identifier:
        raise PackageRefused(
            "missing_identifier",
            N_("an <%(element)s> has no identifier"),
            file,
            el.sourceline,
            element=what,
        )
    if identifier in seen:
        raise PackageRefused(
            "duplicate_identifier",
            N_("the identifier %(identifier)s is used twice"),
            file,
            el.sourceline,
            identifier=repr(identifier),
        )
    seen.add(identifier)


def _item(
    el: etree._Element,
    kind: str,
    resources: dict[str, Resource],
    collection: dict[str, etree._Element],
    seen_ids: set[str],
    file: str,
) -> Item:
    identifier = el.get("identifier", "")
    _claim(identifier, seen_ids, "item", el, file)
    item = Item(
        identifier=identifier,
        title=x.text(x.child(el, "title")) or identifier,
        identifierref=el.get("identifierref", "").strip(),
        parameters=el.get("parameters", ""),
        is_visible=(el.get("isvisible", "true").strip().lower() != "false"),
    )
    item.children = [
        _item(child, kind, resources, collection, seen_ids, file)
        for child in x.children(el, "item")
    ]
    _runtime_settings(item, el, kind, collection)
    if item.identifierref:
        resource = resources.get(item.identifierref)
        if resource is None:
            raise PackageRefused(
                "missing_resource",
                N_(
                    "the item %(item)s points at the resource %(resource)s, "
                    "which the manifest does not have"
                ),
                file,
                el.sourceline,
                item=repr(identifier),
                resource=repr(item.identifierref),
            )
        if item.children and kind == SCORM_2004:
            # SCORM 1.2 lets a parent item launch a SCO too; 2004 only launches leaves.
            raise PackageRefused(
                "bad_item",
                N_(
                    "the item %(item)s has both child items and a resource; "
                    "only leaf items can launch"
                ),
                file,
                el.sourceline,
                item=repr(identifier),
            )
        if resource.launch_path is None and resource.external_url is None:
            raise PackageRefused(
                "missing_href",
                N_("the resource %(resource)s (used by the item %(item)s) has no href to launch"),
                file,
                el.sourceline,
                resource=repr(resource.identifier),
                item=repr(identifier),
            )
        item.launch_path = resource.launch_path
        item.external_url = resource.external_url
        item.launch_query = apply_parameters(resource.launch_query, item.parameters)
        if item.external_url is not None and item.parameters:
            item.external_url += apply_parameters("", item.parameters)
        item.scorm_type = resource.scorm_type or "asset"
    return item


def _runtime_settings(
    item: Item, el: etree._Element, kind: str, collection: dict[str, etree._Element]
) -> None:
    """The adlcp / adlnav / imsss children of an item."""
    for child in el:
        name = x.local(child).lower()
        ns = x.namespace(child)
        if "adlcp" in ns:
            if name == "masteryscore":
                item.mastery_score = _number(x.text(child))
            elif name == "datafromlms":
                item.data_from_lms = "".join(child.itertext()).strip()
            elif name == "maxtimeallowed":
                item.max_time_allowed = x.text(child)
            elif name == "timelimitaction":
                item.time_limit_action = x.text(child)
            elif name == "prerequisites":
                item.prerequisites = x.text(child)
            elif name == "completionthreshold":
                # 2004 3rd edition: a number as text; 4th edition: attributes.
                value = child.get("minProgressMeasure") or x.text(child)
                item.completion_threshold = _number(value) if value else None
        elif "adlnav" in ns and name == "presentation":
            item.hide_lms_ui = [x.text(h) for h in child.iter() if x.local(h) == "hideLMSUI"]
        elif "imsss" in ns and name == "sequencing":
            item.sequencing = _sequencing(child, collection)
    if kind == SCORM_2004 and item.sequencing:
        primary = next((o for o in item.sequencing.objectives if o.primary), None)
        if primary and primary.satisfied_by_measure and primary.min_normalized_measure is not None:
            item.scaled_passing_score = primary.min_normalized_measure


def _sequencing_collection(root: etree._Element) -> dict[str, etree._Element]:
    found = x.child(root, "sequencingCollection", "imsss")
    if found is None:
        return {}
    return {el.get("ID", ""): el for el in x.children(found, "sequencing", "imsss") if el.get("ID")}


def _sequencing(
    el: etree._Element | None, collection: dict[str, etree._Element]
) -> Sequencing | None:
    if el is None:
        return None
    seq = Sequencing()
    # A shared definition from the collection applies first; the item's own elements override it.
    shared = collection.get(el.get("IDRef", ""))
    for source in (shared, el):
        if source is not None:
            _read_sequencing(source, seq)
    return seq


def _read_sequencing(el: etree._Element, seq: Sequencing) -> None:
    control = x.child(el, "controlMode", "imsss")
    if control is not None:
        seq.choice = _bool(control.get("choice"), seq.choice)
        seq.choice_exit = _bool(control.get("choiceExit"), seq.choice_exit)
        seq.flow = _bool(control.get("flow"), seq.flow)
        seq.forward_only = _bool(control.get("forwardOnly"), seq.forward_only)
    delivery = x.child(el, "deliveryControls", "imsss")
    if delivery is not None:
        seq.tracked = _bool(delivery.get("tracked"), seq.tracked)
        seq.completion_set_by_content = _bool(
            delivery.get("completionSetByContent"), seq.completion_set_by_content
        )
        seq.objective_set_by_content = _bool(
            delivery.get("objectiveSetByContent"), seq.objective_set_by_content
        )
    limits = x.child(el, "limitConditions", "imsss")
    if limits is not None:
        attempts = limits.get("attemptLimit")
        seq.attempt_limit = (
            int(attempts) if attempts and attempts.strip().isdigit() else seq.attempt_limit
        )
        seq.attempt_absolute_duration_limit = (
            limits.get("attemptAbsoluteDurationLimit") or seq.attempt_absolute_duration_limit
        )
    rules = x.child(el, "sequencingRules", "imsss")
    if rules is not None:
        seq.pre_condition_rules = len(x.children(rules, "preConditionRule", "imsss"))
        seq.post_condition_rules = len(x.children(rules, "postConditionRule", "imsss"))
        seq.exit_condition_rules = len(x.children(rules, "exitConditionRule", "imsss"))
    rollup = x.child(el, "rollupRules", "imsss")
    if rollup is not None:
        seq.rollup_rules = len(x.children(rollup, "rollupRule", "imsss"))
    objectives = x.child(el, "objectives", "imsss")
    if objectives is not None:
        seq.objectives = [
            _objective(o, primary=x.local(o) == "primaryObjective")
            for o in objectives
            if x.local(o) in ("primaryObjective", "objective")
        ]
    extended = x.child(el, "objectives", "adlseq")
    if extended is not None:
        by_id = {o.objective_id: o for o in seq.objectives}
        for adl in x.children(extended, "objective", "adlseq"):
            target = by_id.get(adl.get("objectiveID", ""))
            if target is not None:
                target.map_info.extend(_adlseq_map(m) for m in x.children(adl, "mapInfo", "adlseq"))


def _objective(el: etree._Element, primary: bool) -> Objective:
    measure = x.child(el, "minNormalizedMeasure", "imsss")
    return Objective(
        objective_id=el.get("objectiveID", ""),
        primary=primary,
        satisfied_by_measure=_bool(el.get("satisfiedByMeasure"), False),
        min_normalized_measure=_number(x.text(measure)) if measure is not None else None,
        map_info=[
            MapInfo(
                target_objective_id=m.get("targetObjectiveID", ""),
                read_satisfied_status=_bool(m.get("readSatisfiedStatus"), True),
                read_normalized_measure=_bool(m.get("readNormalizedMeasure"), True),
                write_satisfied_status=_bool(m.get("writeSatisfiedStatus"), False),
                write_normalized_measure=_bool(m.get("writeNormalizedMeasure"), False),
            )
            for m in x.children(el, "mapInfo", "imsss")
        ],
    )


def _adlseq_map(el: etree._Element) -> MapInfo:
    """A 4th Edition map: completion, progress and scores (reads default to true)."""

    def flag(name: str, default: bool) -> bool:
        return _bool(el.get(name), default)

    return MapInfo(
        target_objective_id=el.get("targetObjectiveID", ""),
        read_satisfied_status=False,
        read_normalized_measure=False,
        read_completion_status=flag("readCompletionStatus", True),
        write_completion_status=flag("writeCompletionStatus", False),
        read_progress_measure=flag("readProgressMeasure", True),
        write_progress_measure=flag("writeProgressMeasure", False),
        read_scores=any(flag(f"read{k}Score", True) for k in ("Raw", "Min", "Max")),
        write_scores=any(flag(f"write{k}Score", False) for k in ("Raw", "Min", "Max")),
    )


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("true", "1")


def _number(value: str) -> float | None:
    try:
        return float(value.strip())
    except (ValueError, AttributeError):
        return None
