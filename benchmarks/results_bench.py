"""How fast the public results page answers with many responses: worked out once, then from the cache.

    .venv/bin/python benchmarks/results_bench.py                      # 100,000 on SQLite in /tmp
    .venv/bin/python benchmarks/results_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python benchmarks/results_bench.py --redis redis://127.0.0.1:6379/15   # the cache in Redis

It fills the database (a scratch one by default) up to --responses with synthetic responses as
`flask demo seed` makes them, marked as real ones (public results leave demo data out), then times
through the test client: the page worked out with nothing kept (one pass over every response), the page
and its JSON from the cache (the target: under 50 ms), a station's page, and how long after a new
response the page shows it (at most a minute: the cache's FRESH_SECONDS, checked with its clock moved).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 50


def timed(client, url: str, runs: int, before=None) -> list[float]:
    """Milliseconds per GET of url (before() ahead of each run when given)."""
    found = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(url)
        found.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return found


def main() -> None:
    """Seed, time, print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--survey", default="waste-sorting")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "sqlite:////tmp/lyssna-results-bench.db")
    )
    parser.add_argument("--redis", default=None, help="keep results in this Redis (else in the process)")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    from flask_migrate import upgrade
    from sqlalchemy import func, select, update

    from app import create_app, demo
    from app.extensions import db
    from app.models import Response
    from app.results import cache
    from app.surveys.catalog import current_registry, sync

    config = {"LYSSNA_ANSWER_RATE_LIMIT": "1000000/minute"}
    if args.redis:
        config.update(REDIS_URL=args.redis, RATELIMIT_KEY_PREFIX="lyssna-results-bench")
    app = create_app(config)
    with app.app_context():
        upgrade()
        sync(db.session, current_registry())
        db.session.commit()
        survey = current_registry().get(args.survey)
        real = select(func.count()).select_from(Response).filter_by(survey_id=survey.id, is_test=False)
        stored = db.session.scalar(real)
        if stored < args.responses:
            started = time.perf_counter()
            version_id = current_registry().version_id(db.session, survey.id)
            demo.seed(db.session, survey, version_id, args.responses - stored, seed_value=18, force=True)
            db.session.execute(update(Response).where(Response.survey_id == survey.id).values(is_demo=False))
            db.session.commit()
            print(f"seeded {args.responses - stored} responses in {time.perf_counter() - started:.1f} s")
        stored = db.session.scalar(real)
        complete = db.session.scalar(real.where(Response.status == Response.COMPLETE))
        cache.forget(survey.id)

    client = app.test_client()
    page, data = f"/s/{survey.id}/results?lang=sv", f"/s/{survey.id}/results.json"
    station = f"/s/{survey.id}/results?station=12&lang=ar"

    def forget():
        with app.app_context():
            cache.forget(survey.id)

    where = "Redis" if args.redis else "this process"
    kind = args.database_url.split("://")[0]
    print(f"database: {kind}, survey {survey.id}: {stored} responses, {complete} complete")
    print(f"cache: {where}")
    cold = timed(client, page, 3, forget)
    print(
        f"page, worked out (one pass)  median {statistics.median(cold):8.1f} ms   runs: "
        + ", ".join(f"{c:.0f}" for c in cold)
    )
    rows = [
        ("page, cached", page),
        ("JSON, cached", data),
        ("a station's page, cached", station),
    ]
    worst = 0.0
    for label, url in rows:
        found = sorted(timed(client, url, args.runs))
        median, p95 = statistics.median(found), found[int(0.95 * len(found)) - 1]
        worst = max(worst, median)
        print(f"{label:28} median {median:8.1f} ms   95th percentile {p95:6.1f} ms   ({args.runs} runs)")
    verdict = "under" if worst < TARGET_MS else "OVER"
    print(f"cached pages: {verdict} the {TARGET_MS} ms target (slowest median {worst:.1f} ms)")

    with app.app_context():  # a new response, then the clock a minute on: the page shows it
        before = client.get(data).get_json()["responses"]
        version_id = current_registry().version_id(db.session, survey.id)
        demo.seed(db.session, survey, version_id, 20, seed_value=99, force=True)
        db.session.execute(update(Response).where(Response.survey_id == survey.id).values(is_demo=False))
        db.session.commit()
    real_now = cache.now
    shown_after = None
    for seconds in (0, 30, 59, 60, 61):
        cache.now = lambda s=seconds: real_now() + s
        if client.get(data).get_json()["responses"] != before:
            shown_after = seconds
            break
    cache.now = real_now
    fresh = cache.FRESH_SECONDS
    print(f"new responses shown with the cache's clock {shown_after} s on (kept at most {fresh} s)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average while measuring: {load} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
