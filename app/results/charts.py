"""Bar charts of public results as SVG drawn on the server: no script, the same on every phone, right
to left on a right-to-left page. This is the geometry; results/_question.html draws it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

WIDTH = 320  # user units; the chart is drawn as wide as the page
LINE = 19  # height of a line of label text (15 units of type)
BAR = 18
GAP = 14
SHARE_ROOM = 66  # kept beside the longest bar for its share ("100 %")
CHARS_PER_LINE = 38
MAX_LINES = 3


@dataclass
class Row:
    """One bar: its label's lines, where they go, the bar (None: hidden) and the text beside it."""

    lines: list[tuple[float, str]]  # (baseline y, text)
    label_x: float
    bar_y: float
    bar_x: float
    bar_width: float | None
    text_x: float
    text: str


@dataclass
class Chart:
    """A horizontal bar chart: its rows and its height."""

    rows: list[Row]
    height: float
    track_x: float  # the pale track every bar lies on (as long as the longest bar can be)
    track_width: float = WIDTH - SHARE_ROOM
    width: int = WIDTH
    bar_height: int = BAR


def _lines(label: str) -> list[str]:
    lines = textwrap.wrap(label, CHARS_PER_LINE) or [""]
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1][: CHARS_PER_LINE - 1] + "…"]
    return lines


def chart(bars: list[tuple[str, float | None, str]], rtl: bool) -> Chart:
    """A chart of (label, share from 0 to 1 or None when hidden, text beside the bar) bars."""
    rows, y = [], 0.0
    room = WIDTH - SHARE_ROOM
    for label, share, text in bars:
        lines = []
        for line in _lines(label):
            y += LINE
            lines.append((y - 4, line))
        bar_y = y + 4
        width = None if share is None else max(0.0, min(1.0, share)) * room
        length = width or 0.0
        if rtl:
            rows.append(Row(lines, WIDTH, bar_y, WIDTH - length, width, WIDTH - length - 6, text))
        else:
            rows.append(Row(lines, 0, bar_y, 0, width, length + 6, text))
        y = bar_y + BAR + GAP
    return Chart(rows, max(y - GAP + 2, 1), track_x=SHARE_ROOM if rtl else 0)
