"""The "before and after" comparison as files: the groups' table as a sheet of an XLSX (beside
its CSV in ``rounds_routes``), and, in identified mode only, the per-person table (one row per
respondent and competence: gap before, after, change) as CSV and XLSX.

Who may download: as the page (``rounds_routes.compared``: the survey's trainer and the
platform's administrators, a company's HR their own company's only; anyone else 404). The
per-person file of an anonymous survey is refused with 409 and its reason: no one is followed
between the rounds, so there is no person to list. Rows are what the page shows (the groups
below the minimum are in no file, the people beyond ``analysis_rounds.MAX_PEOPLE`` neither, and
the file says so in its last row).
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_babel import gettext as _

from ..lti.context import launch_required
from ..passports.blueprint import download
from ..passports.company_exports import separator_for
from .blueprint import bp
from .display import reader_language
from .report_exports import XLSX_TYPE, Cell, Table, report_xlsx, table_csv
from .rounds_routes import Page, compared, rounds_table


def people_table(found: Page) -> Table:
    """One row per person and competence compared; 409 when the survey is anonymous."""
    people = found.comparison.people
    if people is None:
        abort(
            409,
            description=_(
                "This survey is anonymous: no one is followed between the rounds, so there is"
                " no file per person. The before and after table per group is available."
            ),
        )
    rows: list[list[Cell]] = [
        [
            _("Person"),
            _("Competence"),
            _("Answered before"),
            _("Gap before"),
            _("Answered after"),
            _("Gap after"),
            _("Change"),
            _("Trained between"),
        ]
    ]
    for person in people:
        for row in person.rows:
            rows.append(
                [
                    person.name,
                    found.labels.get(row.after_question_id, ""),
                    person.before_on.isoformat(),
                    row.before,
                    person.after_on.isoformat(),
                    row.after,
                    row.change,
                    _("yes") if row.trained else _("no"),
                ]
            )
    if found.comparison.more_people:
        n = found.comparison.more_people
        rows.append([_("%(n)s more people answered both rounds; they are not listed here.", n=n)])
    return Table("people", _("Per person"), rows)


def _name(found: Page, part: str, extension: str) -> str:
    c = found.comparison
    rounds = f"{c.before.round_number}-{c.after.round_number}"
    return f"survey-{found.survey.id}-{part}-{rounds}.{extension}"


@bp.get("/<int:survey_id>/report/rounds.xlsx")
@launch_required()
def survey_rounds_xlsx(survey_id: int) -> Any:
    """The groups' table as a sheet; in identified mode the per-person table as a second."""
    found = compared(survey_id)
    tables = [rounds_table(found)]
    if found.comparison.people is not None:
        tables.append(people_table(found))
    return download(report_xlsx(tables), XLSX_TYPE, _name(found, "rounds", "xlsx"))


@bp.get("/<int:survey_id>/report/rounds/people.csv")
@launch_required()
def survey_rounds_people_csv(survey_id: int) -> Any:
    found = compared(survey_id)
    locale = reader_language()
    body = table_csv(
        people_table(found),
        separator=separator_for(locale, request.args.get("separator")),
        locale=locale,
    )
    return download(body, "text/csv; charset=utf-8", _name(found, "people", "csv"))


@bp.get("/<int:survey_id>/report/rounds/people.xlsx")
@launch_required()
def survey_rounds_people_xlsx(survey_id: int) -> Any:
    found = compared(survey_id)
    body = report_xlsx([people_table(found)])
    return download(body, XLSX_TYPE, _name(found, "people", "xlsx"))
