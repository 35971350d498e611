"""The heat map and the gap bars as server-side SVG: positions and colours computed here, the
template writes them with a title, a description and the same figures as a table (no script).

Only figures that ``analysis`` returned are drawn, so a group below the minimum is not in the
chart either: it is not in ``HeatMap.groups``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import GapRow, HeatMap

CELL_W, CELL_H, LABEL_W, HEAD_H = 72, 26, 220, 60
BAR_W, BAR_H, BAR_LABEL_W = 640, 22, 220
LABEL_CHARS = 30
# From no gap (pale) to a gap of ``SCALE_TOP`` levels or more (dark); a negative gap (people
# above what is required) stays pale. Text on a cell is dark or white, whichever reads (AA).
SCALE_TOP = 3.0
PALE, DARK = (247, 244, 234), (153, 27, 27)


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    fill: str
    text_fill: str
    value: float | None


@dataclass(frozen=True)
class HeatRow:
    question_id: int
    label: str  # shortened for the chart; the table shows the whole name
    y: int
    cells: list[Cell]


@dataclass(frozen=True)
class HeatChart:
    width: int
    height: int
    columns: list[tuple[int, str]]  # x of the column's middle, its label
    rows: list[HeatRow]
    cell_w: int = CELL_W
    cell_h: int = CELL_H


def short(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def colour(gap: float) -> tuple[str, str]:
    """The fill of a cell with this mean gap, and the colour its figure is written in."""
    share = min(max(gap / SCALE_TOP, 0.0), 1.0)
    r, g, b = (round(p + (d - p) * share) for p, d in zip(PALE, DARK, strict=True))
    # Relative luminance (WCAG): white text from the middle of the scale on.
    return f"#{r:02x}{g:02x}{b:02x}", ("#ffffff" if share >= 0.5 else "#1a1a1a")


def heat_chart(
    heat: HeatMap, order: list[int], labels: dict[int, str], names: dict[str, str]
) -> HeatChart:
    """Rows in ``order`` (the gap table's ranking), columns the groups shown."""
    columns = [
        (LABEL_W + i * CELL_W + CELL_W // 2, short(names.get(g.key, g.key), 10))
        for i, g in enumerate(heat.groups)
    ]
    rows = []
    for index, question_id in enumerate(order):
        y = HEAD_H + index * CELL_H
        cells = []
        for column, group in enumerate(heat.groups):
            value = heat.cells.get(question_id, {}).get(group.key)
            fill, text_fill = colour(value) if value is not None else ("#ffffff", "#1a1a1a")
            cells.append(Cell(LABEL_W + column * CELL_W, y, fill, text_fill, value))
        rows.append(HeatRow(question_id, short(labels.get(question_id, "")), y, cells))
    return HeatChart(
        width=LABEL_W + max(1, len(heat.groups)) * CELL_W,
        height=HEAD_H + max(1, len(order)) * CELL_H,
        columns=columns,
        rows=rows,
    )


@dataclass(frozen=True)
class Bar:
    question_id: int
    label: str
    y: int
    width: float
    value: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_w: int
    bars: list[Bar]
    peak: float


def gap_bars(rows: list[GapRow], labels: dict[int, str]) -> BarChart:
    """One bar per competence, the Borich score (or the gap where no importance was asked)."""
    values = [max(r.borich if r.borich is not None else r.gap, 0.0) for r in rows]
    peak = max(values, default=0.0) or 1.0
    usable = BAR_W - BAR_LABEL_W - 50
    bars = [
        Bar(
            r.question_id,
            short(labels.get(r.question_id, "")),
            index * BAR_H + 4,
            round(usable * value / peak, 1),
            r.borich if r.borich is not None else r.gap,
        )
        for index, (r, value) in enumerate(zip(rows, values, strict=True))
    ]
    return BarChart(BAR_W, max(1, len(rows)) * BAR_H + 8, BAR_LABEL_W, bars, peak)
