"""What a package descriptor says, as typed values: the same shape for SCORM, cmi5 and AICC.

A cmi5 course becomes one organization whose blocks are items with children and whose AUs are
launchable items; an AICC course the same. The player and the tables only know this shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

SCORM_12 = "scorm12"
SCORM_2004 = "scorm2004"
CMI5 = "cmi5"
AICC = "aicc"

EDITION_12 = "1.2"
EDITION_2004_2ND = "2004 2nd Edition"
EDITION_2004_3RD = "2004 3rd Edition"
EDITION_2004_4TH = "2004 4th Edition"

# cmi.suspend_data: 1.2 defines it as CMIString4096 (a hard maximum). 2004 gives a smallest
# permitted maximum (SPM) the LMS must honour: 4,000 in 2nd/3rd edition, 64,000 in 4th; learnpass
# stores up to 64,000 for every 2004 edition, so content written for 4th edition limits works.
SUSPEND_DATA_LIMIT = {
    EDITION_12: 4096,
    EDITION_2004_2ND: 64000,
    EDITION_2004_3RD: 64000,
    EDITION_2004_4TH: 64000,
}


@dataclass
class MapInfo:
    target_objective_id: str
    read_satisfied_status: bool = True
    read_normalized_measure: bool = True
    write_satisfied_status: bool = False
    write_normalized_measure: bool = False
    # SCORM 2004 4th Edition (adlseq:mapInfo of the same objectiveID); imsss:mapInfo maps none.
    read_completion_status: bool = False
    write_completion_status: bool = False
    read_progress_measure: bool = False
    write_progress_measure: bool = False
    read_scores: bool = False  # raw, min, max
    write_scores: bool = False


@dataclass
class Objective:
    objective_id: str
    primary: bool = False
    satisfied_by_measure: bool = False
    min_normalized_measure: float | None = None
    map_info: list[MapInfo] = field(default_factory=list)


@dataclass
class Sequencing:
    """The IMS Simple Sequencing settings a player needs for flow and choice navigation."""

    choice: bool = True
    choice_exit: bool = True
    flow: bool = False
    forward_only: bool = False
    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False
    attempt_limit: int | None = None
    attempt_absolute_duration_limit: str | None = None
    objectives: list[Objective] = field(default_factory=list)
    # Rules are kept by count only: a full sequencing engine is the runtime library's job.
    pre_condition_rules: int = 0
    post_condition_rules: int = 0
    exit_condition_rules: int = 0
    rollup_rules: int = 0


@dataclass
class Resource:
    identifier: str
    type: str
    scorm_type: str  # "sco" or "asset"
    href: str  # as written
    base: str  # the combined xml:base of manifest, resources and resource
    launch_path: str | None  # package path of href, or None when href is absent or an absolute URL
    launch_query: str  # "?a=1#x" from href
    external_url: str | None  # when href is an absolute URL
    files: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)


@dataclass
class Item:
    identifier: str
    title: str
    identifierref: str = ""
    parameters: str = ""
    is_visible: bool = True
    children: list[Item] = field(default_factory=list)
    # Filled for launchable items (a resource with href, a cmi5 AU, an AICC AU):
    launch_path: str | None = None  # file inside the package
    launch_query: str = ""  # query and fragment, item parameters included
    external_url: str | None = None
    scorm_type: str = ""  # "sco", "asset", "au" (cmi5 / AICC)
    mastery_score: float | None = None  # 0..100 (1.2 adlcp:masteryscore, AICC mastery_score)
    scaled_passing_score: float | None = None  # 0..1 (2004 primary objective, cmi5 masteryScore)
    data_from_lms: str = ""
    max_time_allowed: str = ""
    time_limit_action: str = ""
    prerequisites: str = ""
    completion_threshold: float | None = None
    hide_lms_ui: list[str] = field(default_factory=list)
    sequencing: Sequencing | None = None
    cmi5: dict[str, Any] | None = None  # moveOn, launchMethod, launchParameters, entitlementKey...

    @property
    def launchable(self) -> bool:
        return self.launch_path is not None or self.external_url is not None

    @property
    def launch_url(self) -> str:
        """The URL relative to the package root (or absolute), parameters applied."""
        if self.external_url is not None:
            return self.external_url
        return (self.launch_path or "") + self.launch_query

    def walk(self) -> Iterator[Item]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Organization:
    identifier: str
    title: str
    items: list[Item] = field(default_factory=list)
    sequencing: Sequencing | None = None

    def walk(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()

    def launchables(self) -> list[Item]:
        return [item for item in self.walk() if item.launchable]


@dataclass
class Course:
    """A parsed descriptor: ``imsmanifest.xml``, ``cmi5.xml`` or an AICC ``.crs`` file set."""

    kind: str  # SCORM_12, SCORM_2004, CMI5, AICC
    edition: str  # "1.2", "2004 4th Edition", "cmi5", "AICC CMI001 3.0"
    descriptor: str  # the file it was read from
    identifier: str
    title: str
    default_organization: str
    organizations: list[Organization]
    resources: dict[str, Resource] = field(default_factory=dict)
    version: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def organization(self) -> Organization:
        """The organization a learner gets: the default one."""
        for org in self.organizations:
            if org.identifier == self.default_organization:
                return org
        return self.organizations[0]

    def launchables(self) -> list[Item]:
        return self.organization.launchables()

    def scos(self) -> list[Item]:
        return [item for item in self.launchables() if item.scorm_type in ("sco", "au")]

    @property
    def suspend_data_limit(self) -> int | None:
        return SUSPEND_DATA_LIMIT.get(self.edition)

    def referenced_files(self) -> list[str]:
        """Every package path the descriptor lists (launch files and ``<file>`` entries)."""
        paths: list[str] = []
        for resource in self.resources.values():
            if resource.launch_path:
                paths.append(resource.launch_path)
            paths.extend(resource.files)
        for org in self.organizations:
            for item in org.walk():
                if item.launch_path:
                    paths.append(item.launch_path)
        return list(dict.fromkeys(paths))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
