"""Demo data: realistic synthetic responses that follow a survey's definition, marked is_demo."""

from __future__ import annotations

import bisect
import itertools
import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app.models import Response
from app.surveys.conditions import evaluate
from app.surveys.models import OTHER, Survey

CHUNK = 5000
PARTIAL_SHARE = 0.08  # residents who start but do not submit
SKIP_SHARE = 0.12  # an optional question left unanswered
WEEKS = 6  # answers spread over the last six weeks
HOUR_WEIGHTS = [1, 0, 0, 0, 0, 1, 3, 5, 6, 6, 6, 7, 8, 8, 8, 9, 10, 12, 12, 10, 8, 5, 3, 2]
HOUR_CUMULATIVE = list(itertools.accumulate(HOUR_WEIGHTS))
HOURS = list(range(24))

COMMENTS = {
    "sv": [
        "Bra initiativ, men kärlen är ofta fulla på helgerna.",
        "Det vore bra med tydligare skyltar på flera språk.",
        "Jag skulle vilja ha fler påsar för matavfall.",
        "Stationen är för långt bort från vår port.",
        "Fungerar bra, tack!",
        "Locket till glaskärlet går sönder hela tiden.",
    ],
    "en": [
        "Good idea, but the bins are often full at weekends.",
        "Clearer signs in more languages would help.",
        "I would like more bags for food waste.",
        "Works well, thank you!",
        "The lid of the glass bin keeps breaking.",
    ],
    "ar": [
        "فكرة جيدة، لكن الحاويات ممتلئة غالبًا في عطلة نهاية الأسبوع.",
        "من المفيد وضع لافتات أوضح بلغات أكثر.",
        "أتمنى الحصول على أكياس أكثر لبقايا الطعام.",
        "كل شيء يعمل بشكل جيد، شكرًا!",
    ],
}
OTHER_TEXTS = {"sv": ["Batterier", "Kläder", "Elektronik"], "en": ["Batteries", "Clothes"], "ar": ["بطاريات"]}


def weighted(rng: random.Random, options: list, cumulative: list[float]) -> Any:
    """One of `options`, drawn with the given cumulative weights (random.choices, minus its overhead)."""
    return options[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


class DemoError(Exception):
    """Seeding was refused; the message says why and what to do."""


def real_responses(session: Session, survey_id: str) -> int:
    """How many real (not demo, not test) responses a survey has."""
    return session.scalar(
        select(func.count()).where(
            Response.survey_id == survey_id, Response.is_demo.is_(False), Response.is_test.is_(False)
        )
    )


class _Generator:
    """Makes answers for one survey; per-question tendencies are drawn once so results look real."""

    def __init__(self, survey: Survey, rng: random.Random, today: date):
        self.survey, self.rng, self.today = survey, rng, today
        self.weights: dict[str, list[float]] = {}
        self.cumulative: dict[str, list[float]] = {}
        self.values = {q.id: [c.value for c in survey.choices(q)] for _, q in survey.questions()}
        self.other = {q.id: bool(getattr(q, "other", False)) for _, q in survey.questions()}

    def _weights(self, key: str, n: int) -> list[float]:
        if key not in self.weights:
            # A skewed but stable preference per question: some answers are far more common.
            self.weights[key] = [self.rng.gammavariate(1.2, 1.0) + 0.05 for _ in range(n)]
            self.cumulative[key] = list(itertools.accumulate(self.weights[key]))
        return self.weights[key]

    def _pick(self, key: str, options: list) -> Any:
        if key not in self.cumulative:
            self._weights(key, len(options))
        return weighted(self.rng, options, self.cumulative[key])

    def answer(self, question: Any, lang: str, answers: dict) -> None:
        """Put an answer for `question` into `answers` (or leave it out when skipped)."""
        rng, kind, qid = self.rng, question.type, question.id
        if kind in ("note", "photo") or (not question.required and rng.random() < SKIP_SHARE):
            return
        values = self.values[qid]
        if kind == "single_choice":
            if self.other[qid] and rng.random() < 0.05:
                answers[qid], answers[f"{qid}_other"] = OTHER, rng.choice(OTHER_TEXTS.get(lang, ["-"]))
            else:
                answers[qid] = self._pick(qid, values)
        elif kind == "multiple_choice":
            self._multiple(question, values, lang, answers)
        elif kind == "matrix":
            answers[qid] = {row.id: self._pick(f"{qid}.{row.id}", values) for row in question.rows}
        elif kind == "ranking":
            weights = self._weights(qid, len(values))
            keys = {v: -w * rng.random() for v, w in zip(values, weights, strict=True)}
            answers[qid] = sorted(values, key=keys.__getitem__)
        elif kind == "rating":
            low, high = question.bounds
            answers[qid] = self._pick(qid, list(range(low, high + 1)))
        elif kind == "integer":
            low = question.min if question.min is not None else 0
            high = question.max if question.max is not None else low + 100
            answers[qid] = low + int((high - low) * rng.betavariate(1.4, 6))
        elif kind == "decimal":
            answers[qid] = self._decimal(question)
        elif kind == "date":
            answers[qid] = self._date(question).isoformat()
        elif kind in ("text", "long_text"):
            text = self._text(question, lang)
            if text is not None:
                answers[qid] = text

    def _multiple(self, question: Any, values: list, lang: str, answers: dict) -> None:
        rng, qid = self.rng, question.id
        exclusive = [v for v in values if v in question.exclusive]
        regular = [v for v in values if v not in question.exclusive]
        if exclusive and rng.random() < 0.1:
            chosen = [rng.choice(exclusive)]
        else:
            weights = self._weights(qid, len(regular))
            top = max(weights)
            chosen = [v for v, w in zip(regular, weights, strict=True) if rng.random() < 0.15 + 0.7 * w / top]
            if self.other[qid] and rng.random() < 0.06:
                chosen.append(OTHER)
                answers[f"{qid}_other"] = rng.choice(OTHER_TEXTS.get(lang, ["-"]))
        low = max(question.min_selected or 0, 1 if question.required else 0)
        high = question.max_selected or len(values) + 1
        while len(chosen) < low and regular:
            chosen.append(rng.choice([v for v in regular if v not in chosen] or regular))
        chosen = chosen[:high]
        order = {v: i for i, v in enumerate([*values, OTHER])}
        if chosen:
            answers[qid] = sorted(set(chosen), key=order.__getitem__)
        if OTHER not in chosen:  # cut by max_selected: a text for "Other" only where Other is chosen
            answers.pop(f"{qid}_other", None)

    def _decimal(self, question: Any) -> float:
        low = question.min if question.min is not None else 0.0
        high = question.max if question.max is not None else low + 100
        value = min(max(self.rng.gauss((low + high) / 2, (high - low) / 8), low), high)
        step = question.step or 0.1
        return round(round((value - low) / step) * step + low, 4)

    def _date(self, question: Any) -> date:
        def bound(value: Any, default: date) -> date:
            return self.today if value == "today" else (value or default)

        high = bound(question.max, self.today)
        low = bound(question.min, high - timedelta(days=3650))
        span = max((high - low).days, 0)
        return high - timedelta(days=min(int(self.rng.expovariate(1 / 1500)), span))

    def _text(self, question: Any, lang: str) -> str | None:
        rng = self.rng
        if question.type == "long_text":
            if not question.required and rng.random() < 0.6:
                return None
            return rng.choice(COMMENTS.get(lang, COMMENTS["en"]))[: question.max_length]
        candidates = [
            f"{rng.randint(100, 999)} {rng.randint(10, 99)}",
            str(rng.randint(10000, 99999)),
            rng.choice(COMMENTS.get(lang, COMMENTS["en"])),
        ]
        for text in candidates:
            text = text[: question.max_length]
            if question.pattern is None or re.fullmatch(question.pattern, text):
                return text
        return None


def _response_row(gen: _Generator, survey: Survey, version_id: int, now: datetime, index: int) -> dict:
    """One synthetic response as a row for a bulk insert."""
    rng = gen.rng
    langs = survey.languages
    # The default language is the most used; the others share the rest.
    lang = langs[0] if rng.random() < 0.6 or len(langs) == 1 else rng.choice(langs[1:])
    hidden = {name: str(rng.randint(1, 40)) for name in survey.hidden_fields if rng.random() < 0.85}
    # A day in the last weeks, at an hour weighted towards afternoons and evenings (UTC).
    day = now - timedelta(days=rng.randint(0, 7 * WEEKS))
    hour = weighted(rng, HOURS, HOUR_CUMULATIVE)
    started = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)
    duration = timedelta(seconds=min(max(rng.lognormvariate(5.2, 0.5), 40), 3600))
    started = min(started, now - duration)
    partial = rng.random() < PARTIAL_SHARE
    answers: dict = {}
    seen: list[str] = []
    stop = rng.randrange(len(survey.pages)) if partial else len(survey.pages)
    current_page = None
    for page in survey.pages:
        if not evaluate(page.show_if, answers, hidden):
            continue
        if len(seen) >= stop and partial:
            current_page = page.id
            break
        seen.append(page.id)
        for question in page.questions:
            if evaluate(question.show_if, answers, hidden):
                gen.answer(question, lang, answers)
    if partial and current_page is None:  # answered every page but never pressed "submit"
        current_page = seen[-1] if seen else survey.pages[0].id
    updated = started + (duration * (len(seen) / max(len(survey.pages), 1)) if partial else duration)
    return {
        "public_id": uuid.uuid4().hex,  # random, never from the seed: ids in URLs must not be guessable
        "survey_id": survey.id,
        "version_id": version_id,
        "status": Response.IN_PROGRESS if partial else Response.COMPLETE,
        "started_at": started,
        "updated_at": updated,
        "submitted_at": None if partial else updated,
        "language": lang,
        "hidden": hidden,
        "answers": answers,
        "current_page": current_page,
        "page_history": seen,
        "consented_at": started if survey.consent else None,
        "participant_code": f"demo-{index:06d}" if survey.access == "token" else None,
        "is_demo": True,
        "is_test": False,
    }


def seed(
    session: Session,
    survey: Survey,
    version_id: int,
    count: int,
    seed_value: int | None = None,
    force: bool = False,
) -> int:
    """Add `count` demo responses (flushed in chunks, not committed); refuses real data without force."""
    real = real_responses(session, survey.id)
    if real and not force:
        raise DemoError(
            f"Survey '{survey.id}' has {real} real response(s). Demo data would mix with them in "
            "exports; use --force if you really want that."
        )
    rng = random.Random(seed_value)  # noqa: S311  (synthetic answers, repeatable by seed; ids use uuid4)
    gen = _Generator(survey, rng, date.today())
    now = datetime.now(UTC)
    rows: list[dict] = []
    # A Core insert of the table: one executemany per chunk, without the ORM's per-row bookkeeping.
    for index in range(count):
        rows.append(_response_row(gen, survey, version_id, now, index))
        if len(rows) == CHUNK:
            session.execute(insert(Response.__table__), rows)
            rows = []
    if rows:
        session.execute(insert(Response.__table__), rows)
    return count


def clear(session: Session, survey_id: str) -> int:
    """Delete a survey's demo responses; returns how many."""
    result = session.execute(
        delete(Response).where(Response.survey_id == survey_id, Response.is_demo.is_(True))
    )
    return result.rowcount
