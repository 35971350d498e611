"""What an import found, for the CLI and the admin page alike: every organization of the package
with its items (not only the default one's), and which items a learner's progress is tracked in.

SCOs (and cmi5 / AICC AUs) are what the summary counts as launchable: they talk to the run-time
and carry a result. An asset is a page the player can show, without tracking; it is listed, as
an asset, but not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from learning_packages.package import ImportResult
from learning_packages.structure import Item, Organization

TRACKED = ("sco", "au")


@dataclass
class OrganizationSummary:
    identifier: str
    title: str
    default: bool
    # title, depth (0 at the top), type ("sco", "asset", "au" or "" for a folder), launch URL,
    # mastery; in the organization's order.
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def launchable(self) -> int:
        return sum(1 for i in self.items if i["type"] in TRACKED)

    @property
    def assets(self) -> int:
        return sum(1 for i in self.items if i["type"] == "asset")


@dataclass
class Summary:
    package_id: int
    version: int
    new_package: bool
    kind: str
    edition: str
    title: str
    organizations: list[OrganizationSummary]
    files: int
    total_bytes: int
    warnings: list[str]

    def lines(self) -> list[str]:
        kind = {"scorm12": "SCORM", "scorm2004": "SCORM", "cmi5": "cmi5", "aicc": "AICC"}[self.kind]
        standard = f"{kind} {self.edition}" if kind == "SCORM" else self.edition
        out = [
            f"{'imported' if self.new_package else 'new version of'} package {self.package_id} "
            f"(version {self.version}): {self.title}",
            f"standard: {standard}",
            f"files: {self.files} ({self.total_bytes:,} bytes)",
        ]
        for org in self.organizations:
            out.append(
                f"organization {org.identifier}: {org.title}{' (default)' if org.default else ''}"
            )
            out.append(
                f"  items: {len(org.items)}; launchable: {org.launchable}; assets: {org.assets}"
            )
            for entry in org.items:
                indent = "  " * (entry["depth"] + 1)
                what = f"[{entry['type']}] " if entry["type"] else ""
                url = f": {entry['url']}" if entry["url"] else ""
                mastery = f"  mastery {entry['mastery']}" if entry["mastery"] else ""
                out.append(f"{indent}{what}{entry['title']}{url}{mastery}")
        out.extend(f"warning: {w}" for w in self.warnings)
        return out


def summarize(result: ImportResult) -> Summary:
    course = result.course
    return Summary(
        package_id=result.package_id,
        version=result.version,
        new_package=result.new_package,
        kind=course.kind,
        edition=course.edition,
        title=course.title,
        organizations=[
            _organization(org, org.identifier == course.default_organization)
            for org in course.organizations
        ],
        files=result.file_count,
        total_bytes=result.total_bytes,
        warnings=result.warnings,
    )


def _organization(org: Organization, default: bool) -> OrganizationSummary:
    summary = OrganizationSummary(identifier=org.identifier, title=org.title, default=default)

    def walk(items: list[Item], depth: int) -> None:
        for item in items:
            summary.items.append(_item(item, depth))
            walk(item.children, depth + 1)

    walk(org.items, 0)
    return summary


def _item(item: Item, depth: int) -> dict[str, Any]:
    mastery = ""
    if item.mastery_score is not None:
        mastery = f"{item.mastery_score:g}"
    elif item.scaled_passing_score is not None:
        mastery = f"{item.scaled_passing_score:g} (scaled)"
    return {
        "title": item.title,
        "depth": depth,
        "type": (item.scorm_type or "asset") if item.launchable else "",
        "url": item.launch_url if item.launchable else "",
        "mastery": mastery,
    }
