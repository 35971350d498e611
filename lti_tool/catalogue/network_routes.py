"""The coordinator's network view (``network``): a page with a table and a bar chart, and the
same table as CSV and XLSX. For the network's administrators (an administrator's launch); a
provider's people, trainers and learners get 403. Only sums are shown, "fewer than 3" below 3
people, in the files too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from ..main import HomeLink, register_home_link
from ..models import utcnow
from ..passports.blueprint import download
from ..passports.company_exports import separator_for
from ..surveys.report_exports import XLSX_TYPE, Cell, Table, report_xlsx, table_csv
from .blueprint import bp
from .network import NO_PLACE, NetworkRow, network_rows
from .public_routes import page_language
from .survey_needs import NOT_GIVEN

CHART_ROWS = 12  # bars in the chart: the rows with most unmet demand


def today() -> dt.date:
    return utcnow().date()


def _rows() -> list[NetworkRow]:
    return network_rows(db.session(), today(), page_language())


def region_name(region: str) -> str:
    if region == NOT_GIVEN:
        return _("region not given")
    return region if region != NO_PLACE else _("No fixed place")


def _figure(value: int | None, fewer: bool) -> Cell:
    return _("fewer than 3") if fewer else value


def network_table(rows: list[NetworkRow]) -> Table:
    header: list[Cell] = [
        _("Competence"),
        _("Region"),
        _("People who want it"),
        _("Need from analyses"),
        _("Offers"),
        _("Seats available"),
        _("Unmet demand"),
    ]
    lines: list[list[Cell]] = [header]
    for row in rows:
        lines.append(
            [
                row.competence,
                region_name(row.region),
                _figure(row.people, row.fewer),
                _figure(row.need, row.need_fewer),
                row.offers,
                _("not limited") if row.seats is None else row.seats,
                _figure(row.unmet, row.fewer),
            ]
        )
    return Table("network", _("Network view"), lines)


def _chart(rows: list[NetworkRow]) -> list[tuple[NetworkRow, int, int]]:
    """The rows with unmet demand or a need from analyses shown (never a "fewer than 3" figure),
    with the two bars' widths 0-100 on one scale."""
    shown = [r for r in rows if (r.unmet or 0) > 0 or (r.need or 0) > 0][:CHART_ROWS]
    top = max((max(r.unmet or 0, r.need or 0) for r in shown), default=0)
    if not top:
        return []
    return [(r, round(100 * (r.unmet or 0) / top), round(100 * (r.need or 0) / top)) for r in shown]


@bp.get("/network/")
@launch_required(role="admin")
def network_page() -> Any:
    rows = _rows()
    return render_template(
        "catalogue/network.html", rows=rows, chart=_chart(rows), region_name=region_name
    )


@bp.get("/network/network.csv")
@launch_required(role="admin")
def network_csv() -> Any:
    locale = page_language()
    body = table_csv(
        network_table(_rows()),
        separator=separator_for(locale, request.args.get("separator")),
        locale=locale,
    )
    return download(body, "text/csv; charset=utf-8", "network-demand.csv")


@bp.get("/network/network.xlsx")
@launch_required(role="admin")
def network_xlsx() -> Any:
    return download(report_xlsx([network_table(_rows())]), XLSX_TYPE, "network-demand.xlsx")


register_home_link(
    HomeLink(
        "catalogue.network_page",
        lambda: _("Network view of the catalogue"),
        lambda: _("Where people want training that the offers and seats do not cover"),
        role="admin",
    )
)
