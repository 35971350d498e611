"""The network benchmark as the report page and the PDF show it: each row's name in the reader's
language and the positions of its box (the network's quartiles), the median's line and the
company's own mark on a line from the scale's lowest to its highest point.

Only what ``benchmark`` returned is placed here: the quartiles and the company's own score.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from . import benchmark
from .definition import DefinitionError, parse_definition, wording
from .report import Report

PLOT_W, PLOT_H, PAD = 220, 28, 10


@dataclass(frozen=True)
class Line:
    row: benchmark.BenchmarkRow
    label: str
    # Where each figure sits, from 0 (the scale's lowest point) to 1 (its highest).
    own: float | None
    q1: float | None
    median: float | None
    q3: float | None

    def x(self, share: float | None, width: float = PLOT_W, pad: float = PAD) -> float:
        return round(pad + (share or 0.0) * (width - 2 * pad), 1)


@dataclass(frozen=True)
class BenchmarkView:
    bench: benchmark.Benchmark
    lines: list[Line]
    plot_w: int = PLOT_W
    plot_h: int = PLOT_H

    @property
    def shown(self) -> bool:
        return self.bench.shown


def _share(row: benchmark.BenchmarkRow, value: float | None) -> float | None:
    if value is None:
        return None
    return min(max((value - row.low) / (row.high - row.low), 0.0), 1.0)


def _section_titles(definition: dict[str, object], language: str) -> dict[str, str]:
    try:
        parsed = parse_definition(definition)
    except DefinitionError:
        return {}
    return {s.key: wording(s.title, language) for s in parsed.sections}


def company_benchmark(session: Session, built: Report, language: str) -> BenchmarkView | None:
    """The benchmark of the report's company; None when the report is of no one company or the
    version scores nothing (no likert or numeric question)."""
    company_id = built.scope.company_id
    version = built.version
    if company_id is None or not (
        benchmark.dimensions(version) or benchmark.scored_questions(version)
    ):
        return None
    bench = benchmark.benchmark(
        session,
        version,
        company_id,
        minimum=built.scope.min_group,
        anonymous=bool(built.survey.anonymous),
    )
    titles = _section_titles(version.definition, language)
    texts = {q.key: built.labels.get(q.id, q.key) for q in version.questions}
    lines = []
    for row in bench.rows:
        label = titles.get(row.key, row.key) if row.dimension else texts.get(row.key, row.key)
        spread = row.network
        lines.append(
            Line(
                row=row,
                label=label,
                own=_share(row, row.own),
                q1=_share(row, spread.q1) if spread else None,
                median=_share(row, spread.median) if spread else None,
                q3=_share(row, spread.q3) if spread else None,
            )
        )
    return BenchmarkView(bench, lines)
