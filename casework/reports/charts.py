"""Bar charts as SVG drawn on the server: no scripts, no external files, readable by screen
readers (a title and a summary, and the table beside every chart holds the same figures).

Hand-built rather than pygal: pygal adds its own script and style sheet (forbidden by the
content security policy) and gives no control over the accessible names; a horizontal bar
chart is a few rectangles whose geometry is computed here and drawn by a Jinja macro.
"""

from __future__ import annotations

from dataclasses import dataclass

from casework.reports.disclosure import TOTAL, PublishedTable

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220
BAR_AREA = 360
VALUE_WIDTH = 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: hidden
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int

    @property
    def empty(self) -> bool:
        return not self.bars


def bar_chart(
    published: PublishedTable, labels: tuple[str, ...], limit: int = 12, order: str = "count"
) -> BarChart:
    """The row totals of a table as bars: largest first (hidden rows last), or in the code
    list's own order (`order="code"`, for ordered lists such as age bands)."""
    if published.empty:
        return BarChart((), LABEL_WIDTH + BAR_AREA + VALUE_WIDTH, 0, LABEL_WIDTH, BAR_HEIGHT)
    column = len(published.column_codes) - 1  # the total column (or the only one)
    rows = [
        (labels[i], published.values[i][column])
        for i, code in enumerate(published.row_codes)
        if code != TOTAL
    ]
    if order != "code":
        rows.sort(key=lambda item: (item[1] is None, -(item[1] or 0), item[0]))
    rows = rows[:limit]
    largest = max((v for _, v in rows if v), default=1)
    bars = tuple(
        Bar(
            label=label,
            value=value,
            y=i * (BAR_HEIGHT + GAP),
            width=round(BAR_AREA * (value or 0) / largest),
        )
        for i, (label, value) in enumerate(rows)
    )
    height = len(bars) * (BAR_HEIGHT + GAP)
    return BarChart(bars, LABEL_WIDTH + BAR_AREA + VALUE_WIDTH, height, LABEL_WIDTH, BAR_HEIGHT)
