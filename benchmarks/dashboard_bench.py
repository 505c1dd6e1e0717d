"""How long the survey dashboard takes to render with many responses; prints the figures.

    .venv/bin/python benchmarks/dashboard_bench.py                     # 100,000 on SQLite in /tmp
    .venv/bin/python benchmarks/dashboard_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python benchmarks/dashboard_bench.py --no-seed           # data seeded already (flask demo seed)

It fills the database (a scratch one by default) up to --responses with synthetic responses to the
survey (bulk inserts, marked as demo data), then times the dashboard page through the test client as
a signed-in admin: cold (nothing cached) and warm (cached), with and without a filter.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def synthetic_answers(survey, rng: random.Random, hidden: dict) -> dict:
    """Plausible answers to every question, then only those a resident would have been shown."""
    from app.surveys.conditions import visible_answers
    from app.surveys.models import OTHER

    answers = {}
    for _page, q in survey.questions():
        if q.type == "note" or rng.random() < 0.1:
            continue
        values = [c.value for c in survey.choices(q)]
        if q.type == "single_choice":
            answers[q.id] = OTHER if q.other and rng.random() < 0.05 else rng.choice(values)
        elif q.type == "multiple_choice":
            picked = [v for v in values if v not in q.exclusive and rng.random() < 0.4]
            answers[q.id] = picked or [rng.choice(values)]
        elif q.type == "matrix":
            answers[q.id] = {row.id: rng.choice(values) for row in q.rows}
        elif q.type == "rating":
            low, high = q.bounds
            answers[q.id] = rng.randint(low, high)
        elif q.type == "ranking":
            answers[q.id] = rng.sample(values, len(values))
        elif q.type == "integer":
            answers[q.id] = rng.randint(q.min or 0, q.max or 100)
        elif q.type == "decimal":
            answers[q.id] = round(rng.uniform(q.min or 0, q.max or 100), 1)
        elif q.type == "date":
            answers[q.id] = (datetime(2020, 1, 1) + timedelta(days=rng.randint(0, 2000))).date().isoformat()
        elif q.type in ("text", "long_text"):
            answers[q.id] = rng.choice(
                ["Fine.", "The bins were full on Sunday.", "Bra!", "لا شيء", "More signs."]
            )
        if getattr(q, "other", False) and (answers.get(q.id) == OTHER or OTHER in (answers.get(q.id) or [])):
            answers[f"{q.id}_other"] = "Batteries"
    return visible_answers(survey, answers, hidden)


def seed(db, survey, version_id: int, count: int, rng: random.Random) -> None:
    """Bulk-insert `count` synthetic responses (demo-marked)."""
    from sqlalchemy import insert

    from app.models import Response, new_public_id

    now = datetime.now(UTC)
    pages = [p.id for p in survey.pages]
    batch = []
    for i in range(count):
        hidden = {name: str(rng.randint(1, 20)) for name in survey.hidden_fields}
        answers = synthetic_answers(survey, rng, hidden)
        started = now - timedelta(days=rng.uniform(0, 90))
        complete = rng.random() < 0.85
        stop = rng.randrange(len(pages))
        batch.append(
            {
                "public_id": new_public_id(),
                "survey_id": survey.id,
                "version_id": version_id,
                "status": Response.COMPLETE if complete else Response.IN_PROGRESS,
                "started_at": started,
                "updated_at": started + timedelta(seconds=rng.randint(60, 900)),
                "submitted_at": started + timedelta(seconds=rng.randint(60, 900)) if complete else None,
                "language": rng.choice(survey.languages),
                "hidden": hidden,
                "answers": answers,
                "current_page": None if complete else pages[stop],
                "page_history": pages if complete else pages[:stop],
                "is_demo": True,
                "is_test": False,
            }
        )
        if len(batch) == 5000 or i == count - 1:
            db.session.execute(insert(Response), batch)
            db.session.commit()
            batch = []


def timed(client, url: str, runs: int, clear=None) -> list[float]:
    """Seconds per GET of url (clear() before each run when given)."""
    results = []
    for _ in range(runs):
        if clear:
            clear()
        started = time.perf_counter()
        response = client.get(url)
        results.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return results


def main() -> None:
    """Seed, sign in, time the dashboard, print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--survey", default="waste-sorting")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "sqlite:////tmp/lyssna-dashboard-bench.db")
    )
    parser.add_argument("--no-seed", action="store_true", help="use the responses already stored")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app import accounts, create_app
    from app.extensions import db
    from app.models import Response
    from app.surveys.registry import current_registry, sync

    app = create_app({"WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        sync(db.session, current_registry())
        db.session.commit()
        survey = current_registry().get(args.survey)
        stored = db.session.scalar(
            select(func.count()).select_from(Response).filter_by(survey_id=survey.id, is_test=False)
        )
        if not args.no_seed and stored < args.responses:
            started = time.perf_counter()
            version_id = current_registry().version_id(db.session, survey.id)
            seed(db, survey, version_id, args.responses - stored, random.Random(5))
            print(f"seeded {args.responses - stored} responses in {time.perf_counter() - started:.1f} s")
        stored = db.session.scalar(
            select(func.count()).select_from(Response).filter_by(survey_id=survey.id, is_test=False)
        )
        if accounts.find_researcher(db.session, "bench@example.org") is None:
            accounts.create_researcher(db.session, "bench@example.org", "bench-password-123", "admin")
            db.session.commit()

    client = app.test_client()
    client.post("/admin/login", data={"email": "bench@example.org", "password": "bench-password-123"})
    cache_key = "lyssna.research.dashboards"

    def clear():
        app.extensions.pop(cache_key, None)

    url = f"/admin/surveys/{survey.id}"
    hidden = survey.hidden_fields[0] if survey.hidden_fields else None
    filtered = f"{url}?hidden_{hidden}=12" if hidden else f"{url}?language={survey.default_language}"
    print(f"database: {args.database_url.split('://')[0]}, survey {survey.id}, {stored} responses")
    for label, target, clear_first in (
        ("dashboard, cold", url, clear),
        ("dashboard, cached", url, None),
        ("dashboard, filtered, cold", filtered, clear),
    ):
        runs = timed(client, target, args.runs, clear_first)
        each = ", ".join(f"{r:.2f}" for r in runs)
        print(f"{label:30} median {statistics.median(runs):6.2f} s   (runs: {each})")


if __name__ == "__main__":
    main()
