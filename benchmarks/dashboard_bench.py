"""How long the survey dashboard takes to render with many responses; prints the figures.

    .venv/bin/python benchmarks/dashboard_bench.py                     # 100,000 on SQLite in /tmp
    .venv/bin/python benchmarks/dashboard_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python benchmarks/dashboard_bench.py --no-seed           # data seeded already (flask demo seed)

It fills the database (a scratch one by default) up to --responses with demo responses, exactly as
`flask demo seed SURVEY --responses N` does, then times the dashboard page through the test client as
a signed-in admin: cold (nothing cached) and warm (cached), with and without a filter. CPU time is
printed beside wall time: on a shared machine the CPU time is the steadier figure.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(client, url: str, runs: int, clear=None) -> list[tuple[float, float]]:
    """(wall, CPU) seconds per GET of url (clear() before each run when given)."""
    results = []
    for _ in range(runs):
        if clear:
            clear()
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        results.append((time.perf_counter() - wall, time.process_time() - cpu))
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

    from app import accounts, create_app, demo
    from app.extensions import db
    from app.models import Response
    from app.surveys.catalog import current_registry, sync

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
            demo.seed(db.session, survey, version_id, args.responses - stored, seed_value=5, force=True)
            db.session.commit()
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
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        each = ", ".join(f"{r[0]:.2f}" for r in runs)
        print(f"{label:28} median {wall:6.2f} s wall, {cpu:6.2f} s CPU   (wall per run: {each})")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average while measuring: {load} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
