"""Competence frameworks: import Moodle's competency-framework CSV export (tool_lpimportcsv).

Moodle writes one header row, then one row for the framework ("Is framework" = 1) and one per
competence, linked by "Parent ID number". Columns are read by position as Moodle itself does.
A competence whose ID number (or description) is an ESCO URI keeps it as ``uri``, so feeds can
name competences by ESCO URI.
"""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import names
from .catalogue import framework_owner_check
from .errors import N_, Refusal
from .models import Competence, CompetenceFramework

MOODLE_HEADERS = (
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
)
PARENT, IDNUMBER, SHORTNAME, DESCRIPTION = 0, 1, 2, 3
IS_FRAMEWORK = 12
ESCO_URI = re.compile(r"https?://data\.europa\.eu/esco/(?:skill|occupation|isco)/[A-Za-z0-9./-]+")
MAX_ROWS = 20_000


class FrameworkImportError(Refusal):
    pass


def _strip_html(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).strip()


def import_moodle_csv(
    session: Session, text: str, *, platform_id: int | None = None
) -> CompetenceFramework:
    """Create or update a framework from Moodle's CSV; importing the same file again is a no-op.

    ``platform_id``: the platform that owns it; None is organisation-wide (the command line).
    A platform cannot change an organisation-wide framework (``catalogue.OrganisationWide``).
    """
    text = text.lstrip("\ufeff")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    rows = list(csv.reader(io.StringIO(text), dialect))
    if len(rows) < 2:
        raise FrameworkImportError(N_("The file has no competences."))
    if len(rows) > MAX_ROWS:
        raise FrameworkImportError(N_("The file has more than %(n)s rows."), n=MAX_ROWS)
    header = [h.strip() for h in rows[0]]
    if len(header) < IS_FRAMEWORK + 1 or header[IDNUMBER].lower() != "id number":
        raise FrameworkImportError(
            N_(
                "This is not Moodle's competency framework export: the columns should start with "
                "'Parent ID number', 'ID number', 'Short name' and include 'Is framework'."
            )
        )
    framework_row = None
    competence_rows = []
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (len(MOODLE_HEADERS) - len(row))
        if row[IS_FRAMEWORK].strip() in ("1", "true", "yes"):
            framework_row = row
        else:
            competence_rows.append(row)
    if framework_row is None:
        raise FrameworkImportError(N_("No row is marked as the framework ('Is framework' = 1)."))
    idnumber = framework_row[IDNUMBER].strip()[:100]
    if not idnumber:
        raise FrameworkImportError(N_("The framework has no ID number."))
    framework = framework_owner_check(session, idnumber, platform_id)
    if framework is None:
        framework = CompetenceFramework(idnumber=idnumber, platform_id=platform_id)
        session.add(framework)
    framework.shortname = framework_row[SHORTNAME].strip()[:255] or idnumber
    framework.description = _strip_html(framework_row[DESCRIPTION])
    session.flush()

    existing = {
        c.idnumber: c
        for c in session.scalars(select(Competence).where(Competence.framework_id == framework.id))
    }
    parents: dict[str, str] = {}
    by_idnumber: dict[str, Competence] = {}
    for row in competence_rows:
        comp_id = row[IDNUMBER].strip()[:255]
        shortname = row[SHORTNAME].strip()[:255]
        if not comp_id or not shortname:
            continue  # Moodle skips these too
        competence = existing.get(comp_id) or Competence(
            framework_id=framework.id, idnumber=comp_id
        )
        competence.shortname = shortname
        competence.description = _strip_html(row[DESCRIPTION])
        uri = ESCO_URI.search(comp_id) or ESCO_URI.search(row[DESCRIPTION])
        competence.uri = uri.group(0) if uri else None
        session.add(competence)
        by_idnumber[comp_id] = competence
        parents[comp_id] = row[PARENT].strip()
    session.flush()
    for comp_id, competence in by_idnumber.items():
        parent = by_idnumber.get(parents[comp_id])
        competence.parent_id = parent.id if parent else None
        competence.area = _top_ancestor(comp_id, parents, by_idnumber).shortname
    # Names in other languages an admin added stay: the file holds only Moodle's language.
    names.refresh_area_names(session, framework)
    session.commit()
    return framework


def _top_ancestor(
    comp_id: str, parents: dict[str, str], by_idnumber: dict[str, Competence]
) -> Competence:
    seen = {comp_id}
    current = comp_id
    while parents.get(current) in by_idnumber and parents[current] not in seen:
        current = parents[current]
        seen.add(current)
    return by_idnumber[current]


def moodle_csv(framework: CompetenceFramework) -> str:
    """The framework in the same format, so it can go back into Moodle."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MOODLE_HEADERS)
    blank = [""] * 7
    writer.writerow(
        ["", framework.idnumber, framework.shortname, framework.description, "1", *blank, "1", ""]
    )
    by_id = {c.id: c for c in framework.competences}
    for c in framework.competences:
        parent = by_id.get(c.parent_id) if c.parent_id else None
        writer.writerow(
            [
                parent.idnumber if parent else "",
                c.idnumber,
                c.shortname,
                c.description,
                "1",
                *blank,
                "0",
                "",
            ]
        )
    return out.getvalue()
