"""The responses-per-day chart as plain numbers and SVG geometry; the template draws it (no script)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH, HEIGHT = 800, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 16, 36  # margins for the axis labels (large enough for phone text)
MAX_DAYS = 120  # a longer span is drawn per week so that bars stay readable


@dataclass
class Column:
    """One bar of the chart: a day (or the week starting that day) and its counts, with geometry."""

    start: date
    complete: int
    in_progress: int
    x: float = 0.0
    width: float = 0.0
    complete_y: float = 0.0
    complete_height: float = 0.0
    progress_y: float = 0.0
    progress_height: float = 0.0


@dataclass
class DayChart:
    """The chart's bars and axis: whether bars are weeks, the top of the scale, and tick labels."""

    columns: list[Column] = field(default_factory=list)
    weekly: bool = False
    top: int = 0
    ticks: list[tuple[float, int]] = field(default_factory=list)  # (y, value)
    labels: list[tuple[float, str]] = field(default_factory=list)  # (x, date text)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT

    @property
    def busiest(self) -> Column | None:
        """The column with most responses."""
        return max(self.columns, key=lambda c: c.complete + c.in_progress, default=None)


def _nice_top(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least value."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def day_chart(
    per_day: dict[date, list[int]], first: date | None = None, last: date | None = None
) -> DayChart:
    """Bars for every day from first to last (default: the data's own span), zero days included."""
    if not per_day and not (first and last):
        return DayChart()
    first = first or min(per_day)
    last = last or max(per_day)
    if per_day:
        first, last = min(first, min(per_day)), max(last, max(per_day))
    weekly = (last - first).days + 1 > MAX_DAYS
    columns: dict[date, Column] = {}
    day = first
    while day <= last:
        key = day - timedelta(days=day.weekday()) if weekly else day
        columns.setdefault(key, Column(key, 0, 0))
        complete, in_progress = per_day.get(day, (0, 0))
        columns[key].complete += complete
        columns[key].in_progress += in_progress
        day += timedelta(days=1)
    chart = DayChart(list(columns.values()), weekly)
    _layout(chart)
    return chart


def _layout(chart: DayChart) -> None:
    chart.top = _nice_top(max((c.complete + c.in_progress for c in chart.columns), default=0) or 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(chart.columns)
    scale = plot_h / chart.top
    base = TOP + plot_h
    for i, col in enumerate(chart.columns):
        col.x = round(LEFT + i * slot + slot * 0.1, 2)
        col.width = round(max(slot * 0.8, 0.5), 2)
        col.complete_height = round(col.complete * scale, 2)
        col.complete_y = round(base - col.complete_height, 2)
        col.progress_height = round(col.in_progress * scale, 2)
        col.progress_y = round(col.complete_y - col.progress_height, 2)
    chart.ticks = [(round(base - v * scale, 2), v) for v in sorted({0, chart.top // 2, chart.top})]
    picks = sorted({0, len(chart.columns) // 2, len(chart.columns) - 1})
    chart.labels = [(round(LEFT + (i + 0.5) * slot, 2), chart.columns[i].start.isoformat()) for i in picks]
