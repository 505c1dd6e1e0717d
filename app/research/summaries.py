"""One summary per question, filled answer by answer from a stream: counts, shares, means, latest texts.

Summaries keep codes, never labels, so one computed dashboard serves every label language.
"""

from __future__ import annotations

import statistics
from collections import Counter, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.surveys.models import OTHER, Page, Survey

LATEST_TEXTS = 10  # free-text answers shown per question, newest first
HISTOGRAM_BINS = 10


def _count(counter: Counter, value: Any) -> None:
    # Hot path (once per answer): an answer of an older version may have another, unhashable
    # shape; it is counted under its text.
    try:
        counter[value] += 1
    except TypeError:
        counter[str(value)] += 1


def _key(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class Bar:
    """One bar of a bar list: a value, its label (a survey Text, or None for an unknown code), a count."""

    value: Any
    label: Any
    count: int
    total: int


class Summary:
    """Base: the question, and how many responses answered it.

    The dashboard's pass feeds each answer either straight into `counts` (kinds with `counted`:
    the hot path, no call per answer) or to `add`. `when` is the response's time as the database
    gave it (text or datetime); it is decoded only for the few answers that are shown.
    """

    kind = "none"
    counted = False

    def __init__(self, survey: Survey, page: Page, question: Any):
        self.survey, self.page, self.question = survey, page, question
        self.counts: Counter = Counter()
        self.answered = 0
        self.others: deque[tuple[str, Any]] = deque(maxlen=LATEST_TEXTS)

    @property
    def n(self) -> int:
        """How many responses answered the question."""
        return sum(self.counts.values()) if self.counted else self.answered

    def add(self, value: Any, when: Any) -> None:
        """Count one stored answer."""
        if self.counted:
            _count(self.counts, value)
        else:
            self.answered += 1

    def add_other(self, text: Any, when: Any) -> None:
        """Keep one "Other, please specify" text."""
        self.others.append((str(text), when))

    @property
    def latest_others(self) -> list[tuple[str, datetime | None]]:
        """The latest "other" texts, newest first."""
        return [(text, as_utc(when)) for text, when in reversed(self.others)]

    def _bars(self, counts: Counter, total: int, with_other: bool = False) -> list[Bar]:
        choices = self.survey.choices(self.question)
        bars = [Bar(c.value, c.label, counts.get(c.value, 0), total) for c in choices]
        if with_other:
            bars.append(Bar(OTHER, None, counts.get(OTHER, 0), total))
        known = {c.value for c in choices} | ({OTHER} if with_other else set())
        bars += [
            Bar(v, None, n, total)
            for v, n in sorted(counts.items(), key=lambda i: str(i[0]))
            if v not in known
        ]
        return bars


class ChoiceSummary(Summary):
    """single_choice: how many chose each value; the mean of numeric codes for scales."""

    kind = "choice"
    counted = True

    def bars(self) -> list[Bar]:
        """One bar per choice (and "other", and codes no longer in the definition)."""
        return self._bars(self.counts, self.n, getattr(self.question, "other", False))

    @property
    def mean(self) -> float | None:
        """The mean of the numeric codes (a scale such as 1 to 5); text codes stay out of it."""
        numeric = [c.value for c in self.survey.choices(self.question) if _numeric(c.value)]
        if len(numeric) < 2:
            return None
        n = sum(k for v, k in self.counts.items() if _numeric(v))
        return sum(v * k for v, k in self.counts.items() if _numeric(v)) / n if n else None


class MultipleSummary(Summary):
    """multiple_choice: how many ticked each value, as a share of those who answered."""

    kind = "multiple"

    def add(self, value, when):
        self.answered += 1
        counts = self.counts
        for item in value if isinstance(value, list) else [value]:
            try:
                counts[item] += 1
            except TypeError:
                counts[str(item)] += 1

    def bars(self) -> list[Bar]:
        """One bar per choice; shares add up to more than 100 %."""
        return self._bars(self.counts, self.n, getattr(self.question, "other", False))


class RatingSummary(Summary):
    """rating: how many gave each score, the mean, and for NPS the net promoter score."""

    kind = "rating"
    counted = True

    def bars(self) -> list[Bar]:
        """One bar per score, lowest first."""
        low, high = self.question.bounds
        scores = [Bar(v, None, self.counts.get(v, 0), self.n) for v in range(low, high + 1)]
        return scores + [
            Bar(v, None, k, self.n) for v, k in self.counts.items() if v not in range(low, high + 1)
        ]

    @property
    def mean(self) -> float | None:
        """The mean score."""
        n = sum(k for v, k in self.counts.items() if _numeric(v))
        return sum(v * k for v, k in self.counts.items() if _numeric(v)) / n if n else None

    @property
    def nps(self) -> int | None:
        """Promoters (9-10) minus detractors (0-6), in percent of those who answered (nps scale only)."""
        if self.question.scale != "nps" or not self.n:
            return None
        promoters = sum(k for v, k in self.counts.items() if _numeric(v) and v >= 9)
        detractors = sum(k for v, k in self.counts.items() if _numeric(v) and v <= 6)
        return round(100 * (promoters - detractors) / self.n)


class MatrixSummary(Summary):
    """matrix: for each row, how many chose each value on the shared scale, and the row's mean."""

    kind = "matrix"

    def __init__(self, *args):
        super().__init__(*args)
        self.cells: Counter = Counter()  # (row id, value) -> n: one counter, the cheapest in the pass

    def add(self, value, when):
        self.answered += 1
        if isinstance(value, dict):
            cells = self.cells
            for cell in value.items():
                try:
                    cells[cell] += 1
                except TypeError:
                    cells[cell[0], str(cell[1])] += 1

    @property
    def rows(self) -> dict[str, Counter]:
        """Per row id (the definition's rows first), how many chose each value."""
        rows: dict[str, Counter] = {row.id: Counter() for row in self.question.rows}
        for (row_id, value), n in self.cells.items():
            rows.setdefault(row_id, Counter())[value] += n
        return rows

    def table(self) -> list[tuple[Any, str, list[Bar], int, float | None]]:
        """Per row: its label, id, bars per choice, how many answered it, and the mean of numeric codes."""
        labels = {row.id: row.label for row in self.question.rows}
        result = []
        for row_id, counts in self.rows.items():  # computed once here
            total = sum(counts.values())
            bars = self._bars(counts, total)
            n_num = sum(k for v, k in counts.items() if _numeric(v))
            mean = sum(v * k for v, k in counts.items() if _numeric(v)) / n_num if n_num else None
            result.append((labels.get(row_id), row_id, bars, total, mean))
        return result

    def choice_columns(self) -> list[Any]:
        """The scale's choices (the table's columns)."""
        return self.survey.choices(self.question)


class NumberSummary(Summary):
    """integer and decimal: n, mean, median, range and a distribution."""

    kind = "number"
    counted = True

    @property
    def values(self) -> dict:
        """The numeric answers and how often each was given (other shapes left out)."""
        cached = self.__dict__.get("_values")
        if cached is None:
            cached = self.__dict__["_values"] = {v: k for v, k in self.counts.items() if _numeric(v)}
        return cached

    @property
    def n(self) -> int:
        """How many gave a number."""
        return sum(self.values.values())

    @property
    def mean(self) -> float | None:
        """The mean."""
        return sum(v * k for v, k in self.values.items()) / self.n if self.n else None

    @property
    def median(self) -> float | None:
        """The median."""
        if not self.n:
            return None
        return statistics.median(v for v, k in sorted(self.values.items()) for _ in range(k))

    @property
    def low(self) -> float | None:
        """The smallest value."""
        return min(self.values) if self.values else None

    @property
    def high(self) -> float | None:
        """The largest value."""
        return max(self.values) if self.values else None

    def bars(self) -> list[Bar]:
        """Each value when there are few, else ten equal ranges (labelled 'from - to')."""
        if len(self.values) <= 15:
            return [Bar(v, None, k, self.n) for v, k in sorted(self.values.items())]
        low, high = self.low, self.high
        width = (high - low) / HISTOGRAM_BINS
        counts = [0] * HISTOGRAM_BINS
        for value, k in self.values.items():
            counts[min(int((value - low) / width), HISTOGRAM_BINS - 1)] += k
        return [
            Bar(f"{_short(low + i * width)} – {_short(low + (i + 1) * width)}", None, k, self.n)
            for i, k in enumerate(counts)
        ]


def _short(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


class DateSummary(Summary):
    """date: earliest, latest and answers per month."""

    kind = "date"

    def __init__(self, *args):
        super().__init__(*args)
        self.months: Counter = Counter()
        self.low: str | None = None
        self.high: str | None = None

    def add(self, value, when):
        if isinstance(value, str) and len(value) >= 7:
            self.answered += 1
            self.months[value[:7]] += 1
            self.low = value if self.low is None or value < self.low else self.low
            self.high = value if self.high is None or value > self.high else self.high

    def bars(self) -> list[Bar]:
        """One bar per month (YYYY-MM), in order."""
        return [Bar(m, None, k, self.n) for m, k in sorted(self.months.items())]


class TextSummary(Summary):
    """text and long_text: how many wrote something, and the latest answers."""

    kind = "text"

    def __init__(self, *args):
        super().__init__(*args)
        self.latest: deque[tuple[str, Any]] = deque(maxlen=LATEST_TEXTS)

    def add(self, value, when):
        self.answered += 1
        self.latest.append((str(value), when))

    @property
    def newest_first(self) -> list[tuple[str, datetime | None]]:
        """The latest answers, newest first."""
        return [(text, as_utc(when)) for text, when in reversed(self.latest)]


class RankingSummary(Summary):
    """ranking: the mean rank of each choice and how often it came first."""

    kind = "ranking"

    def __init__(self, *args):
        super().__init__(*args)
        self.rank_sum: Counter = Counter()
        self.ranked: Counter = Counter()
        self.first: Counter = Counter()

    def add(self, value, when):
        if not isinstance(value, list):
            return
        self.answered += 1
        for rank, item in enumerate(value, start=1):
            item = _key(item)
            self.rank_sum[item] += rank
            self.ranked[item] += 1
        if value:
            self.first[_key(value[0])] += 1

    def rows(self) -> list[tuple[Any, Any, float | None, Bar]]:
        """Per choice, best mean rank first: value, label, mean rank, and a bar of how often it came first."""
        rows = []
        for choice in self.survey.choices(self.question):
            k = self.ranked.get(choice.value, 0)
            mean = self.rank_sum[choice.value] / k if k else None
            rows.append(
                (
                    choice.value,
                    choice.label,
                    mean,
                    Bar(choice.value, choice.label, self.first[choice.value], self.n),
                )
            )
        return sorted(rows, key=lambda r: (r[2] is None, r[2] or 0))


class PhotoSummary(Summary):
    """photo: how many sent one (the pictures are seen one response at a time)."""

    kind = "photo"


SUMMARIES = {
    "single_choice": ChoiceSummary,
    "multiple_choice": MultipleSummary,
    "rating": RatingSummary,
    "matrix": MatrixSummary,
    "integer": NumberSummary,
    "decimal": NumberSummary,
    "date": DateSummary,
    "text": TextSummary,
    "long_text": TextSummary,
    "ranking": RankingSummary,
    "photo": PhotoSummary,
}


def summaries_for(survey: Survey) -> list[Summary]:
    """An empty summary for every answerable question of the survey, in definition order."""
    return [SUMMARIES[q.type](survey, page, q) for page, q in survey.questions() if q.type in SUMMARIES]


def answer_routes(summaries: list[Summary]) -> tuple[dict[str, Counter], dict[str, Any]]:
    """Where each answer key goes: a summary's Counter (counted kinds) or its add / add_other."""
    counters, routes = {}, {}
    for summary in summaries:
        if summary.counted:
            counters[summary.question.id] = summary.counts
        else:
            routes[summary.question.id] = summary.add
        if getattr(summary.question, "other", False):
            routes[f"{summary.question.id}_other"] = summary.add_other
    return counters, routes


def as_utc(value: Any) -> datetime | None:
    """A timestamp as the database gave it (UTC text from SQLite, datetime from PostgreSQL), aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
