"""Read a cmi5 course structure (``cmi5.xml``) into a :class:`Course`.

Blocks become items with children, AUs launchable items. AU URLs are relative to the package
root unless absolute (cmi5 allows AUs hosted elsewhere).
"""

from __future__ import annotations

from lxml import etree

from . import safe_xml as x
from .errors import N_, PackageRefused
from .hrefs import resolve
from .structure import CMI5, Course, Item, Organization

DESCRIPTOR = "cmi5.xml"


def parse_cmi5(data: bytes, file: str = DESCRIPTOR) -> Course:
    root = x.parse_xml(data, file)
    if x.local(root) != "courseStructure":
        raise PackageRefused(
            "not_a_manifest",
            N_("its root element is <%(element)s>, not <courseStructure>"),
            file,
            root.sourceline,
            element=x.local(root),
        )
    course_el = x.child(root, "course")
    if course_el is None:
        raise PackageRefused("bad_cmi5", N_("has no <course> element"), file, root.sourceline)
    seen: set[str] = set()
    items = [_node(el, seen, file) for el in root if x.local(el) in ("au", "block")]
    if not items:
        raise PackageRefused(
            "nothing_to_launch", N_("has no <au>: there is nothing a learner could launch"), file
        )
    course_id = course_el.get("id", "")
    title = _langstring(x.child(course_el, "title")) or course_id
    org = Organization(identifier=course_id or "course", title=title, items=items)
    return Course(
        kind=CMI5,
        edition="cmi5",
        descriptor=file,
        identifier=course_id,
        title=title,
        default_organization=org.identifier,
        organizations=[org],
    )


def _node(el: etree._Element, seen: set[str], file: str) -> Item:
    identifier = el.get("id", "").strip()
    if not identifier:
        raise PackageRefused(
            "missing_identifier",
            N_("a <%(element)s> has no id"),
            file,
            el.sourceline,
            element=x.local(el),
        )
    if identifier in seen:
        raise PackageRefused(
            "duplicate_identifier",
            N_("the id %(identifier)s is used twice"),
            file,
            el.sourceline,
            identifier=repr(identifier),
        )
    seen.add(identifier)
    item = Item(identifier=identifier, title=_langstring(x.child(el, "title")) or identifier)
    if x.local(el) == "block":
        item.children = [
            _node(child, seen, file) for child in el if x.local(child) in ("au", "block")
        ]
        return item
    url_el = x.child(el, "url")
    url = "".join(url_el.itertext()).strip() if url_el is not None else ""
    if not url:
        raise PackageRefused(
            "missing_href",
            N_("the AU %(au)s has no <url>"),
            file,
            el.sourceline,
            au=repr(identifier),
        )
    resolved = resolve([], url, file)
    item.launch_path, item.launch_query, item.external_url = (
        resolved.path,
        resolved.query,
        resolved.external_url,
    )
    item.scorm_type = "au"
    mastery = el.get("masteryScore")
    if mastery:
        try:
            item.scaled_passing_score = float(mastery)
        except ValueError:
            raise PackageRefused(
                "bad_cmi5",
                N_("the AU %(au)s has masteryScore %(score)s, not a number"),
                file,
                el.sourceline,
                au=repr(identifier),
                score=repr(mastery),
            ) from None
    item.cmi5 = {
        "moveOn": el.get("moveOn", "NotApplicable"),
        "launchMethod": el.get("launchMethod", "AnyWindow"),
        "activityType": el.get("activityType", ""),
        "launchParameters": x.text(x.child(el, "launchParameters")),
        "entitlementKey": x.text(x.child(el, "entitlementKey")),
        "description": _langstring(x.child(el, "description")),
    }
    return item


def _langstring(el: etree._Element | None) -> str:
    if el is None:
        return ""
    strings = [s for s in el if x.local(s) == "langstring"]
    preferred = next((s for s in strings if (s.get("lang") or "").lower().startswith("en")), None)
    return x.text(preferred if preferred is not None else (strings[0] if strings else el))
