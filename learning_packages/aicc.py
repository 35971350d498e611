"""Read an AICC CMI001 course (``.crs`` + ``.au`` + ``.des`` + ``.cst``) into a :class:`Course`.

Only the structure is read: the AU list, titles and mastery scores. At run time an AU talks to the
LMS over HACP (HTTP form posts): aicc_runtime.py and lti_tool/content/aicc.py, see docs/scorm.md.
"""

from __future__ import annotations

import csv
import io

from .errors import N_, PackageRefused
from .hrefs import resolve
from .structure import AICC, Course, Item, Organization

PARTS = ("crs", "au", "des", "cst")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _ini(text: str) -> dict[str, dict[str, str]]:
    """The ``[Section]`` / ``key=value`` layout of a .crs file (keys lower-cased)."""
    sections: dict[str, dict[str, str]] = {}
    current = sections.setdefault("", {})
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip().lower(), {})
        elif "=" in line:
            key, _, value = line.partition("=")
            current[key.strip().lower()] = value.strip()
    return sections


def _table(text: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    return [
        dict(zip(header, (v.strip() for v in row), strict=False)) for row in rows[1:] if any(row)
    ]


def parse_aicc(files: dict[str, bytes]) -> Course:
    """``files`` maps each extension (crs, au, des, cst) to bytes, ``<ext>:name`` to its name."""
    names = {ext: files.get(f"{ext}:name", b"").decode() or f"*.{ext}" for ext in PARTS}
    missing = [ext for ext in ("crs", "au", "des") if ext not in files]
    if missing:
        listed = ", ".join(f".{ext}" for ext in missing)
        raise PackageRefused(
            "aicc_incomplete",
            N_(
                "looks like an AICC course but lacks these files: %(files)s; "
                "an AICC package needs .crs, .au, .des and .cst"
            ),
            names.get("cst", "") if "cst" in files else "",
            files=listed,
        )
    crs = _ini(_decode(files["crs"]))
    course_section = crs.get("course", {})
    version = course_section.get("version", "")
    title = course_section.get("course_title", "") or course_section.get("course_id", "")
    descriptions = {row.get("system_id", "").lower(): row for row in _table(_decode(files["des"]))}
    items = []
    for row in _table(_decode(files["au"])):
        system_id = row.get("system_id", "")
        if not system_id:
            continue
        described = descriptions.get(system_id.lower(), {})
        item = Item(
            identifier=system_id, title=described.get("title") or system_id, scorm_type="au"
        )
        launch = row.get("file_name", "")
        if not launch:
            raise PackageRefused(
                "missing_href",
                N_("the AU %(au)s has no file_name"),
                names["au"],
                au=repr(system_id),
            )
        resolved = resolve([], launch, names["au"])
        item.launch_path, item.launch_query, item.external_url = (
            resolved.path,
            resolved.query,
            resolved.external_url,
        )
        mastery = row.get("mastery_score", "")
        item.mastery_score = float(mastery) if mastery.replace(".", "", 1).isdigit() else None
        item.max_time_allowed = row.get("max_time_allowed", "")
        item.time_limit_action = row.get("time_limit_action", "")
        item.data_from_lms = row.get("core_vendor", "")
        items.append(item)
    if not items:
        raise PackageRefused("nothing_to_launch", N_("lists no AU"), names["au"])
    org = Organization(
        identifier=course_section.get("course_id", "course") or "course", title=title, items=items
    )
    return Course(
        kind=AICC,
        edition=f"AICC CMI001 {version}".strip(),
        descriptor=names["crs"],
        identifier=course_section.get("course_id", ""),
        title=title or org.identifier,
        default_organization=org.identifier,
        organizations=[org],
    )
