"""API paging benchmark: seed 100,000 waste-sorting responses, then read them all through the API, page
by page (JSON and CSV, 1,000 a page, following `next`), and print the rows per second next to the
CLI's CSV export of the same responses (`flask export --format csv`).

    .venv/bin/python benchmarks/api_bench.py [--responses 100000] [--runs 3] [--postgres URL]

SQLite in a temporary folder by default; with --postgres (e.g. postgresql+psycopg://postgres@127.0.0.1/test)
a scratch schema there, dropped afterwards. The API is called in-process through Flask's test client
(no sockets: what is measured is the app's own work per page, as for the CLI). Each measurement is
repeated (--runs): the best counts.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURVEY = "waste-sorting"
LIMIT = 1000


def _app(database_url: str, work: Path):
    from app import create_app

    return create_app(
        {
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LYSSNA_SURVEYS_DIR": str(ROOT / "surveys"),
            "LYSSNA_EXPORTS_DIR": str(work),
            "LYSSNA_MEDIA_DIR": str(work / "media"),
            "LYSSNA_API_RATE_LIMIT": "1000000/second",
            "LYSSNA_API_SETTLE_SECONDS": 0,
        }
    )


def seed(app, count: int) -> tuple[str, float]:
    """The schema, `count` demo responses and an admin's token; seconds taken."""
    from flask_migrate import upgrade

    from app import accounts, demo
    from app.api import tokens
    from app.extensions import db
    from app.surveys.catalog import current_registry, sync

    with app.app_context():
        upgrade()
        sync(db.session, current_registry())
        db.session.commit()
        started = time.perf_counter()
        registry = current_registry()
        demo.seed(db.session, registry.get(SURVEY), registry.version_id(db.session, SURVEY), count, 2026)
        owner = accounts.create_researcher(db.session, "bench@example.org", "a long enough password", "admin")
        token = tokens.create(db.session, owner, "benchmark")[1]
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # as autovacuum soon would after a bulk insert
            from sqlalchemy import text

            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE response"))
        return token, time.perf_counter() - started


def cli_export(app, work: Path) -> tuple[int, int, float]:
    """`flask export SURVEY --format csv`: (rows, files, seconds)."""
    out = work / "cli.csv"
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["export", SURVEY, "--format", "csv", "--out", str(out)])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return out.read_bytes().count(b"\r\n") - 1, 1, seconds


def api_walk(app, token: str, fmt: str) -> tuple[int, int, float]:
    """Every page of the API in `fmt`, following `next`: (rows, pages, seconds)."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/surveys/{SURVEY}/responses?format={fmt}&limit={LIMIT}"
    rows = pages = 0
    started = time.perf_counter()
    while url:
        answer = client.get(url, headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"{answer.status_code}: {answer.get_data(as_text=True)[:500]}")
        pages += 1
        if fmt == "json":
            body = answer.get_json()
            rows += body["count"]
            url = body.get("next")
        else:
            rows += int(answer.headers["Lyssna-Count"])
            link = answer.headers.get("Link")
            url = link[1 : link.index(">")] if link else None
        if url:
            url = url.removeprefix("http://localhost")
    return rows, pages, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the best counts")
    parser.add_argument("--postgres", help="a PostgreSQL URL: a scratch schema there instead of SQLite")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lyssna-api-bench-"))
    if args.postgres:
        from tests.databases import postgres_schema

        schema_context = postgres_schema(args.postgres, "lyssna_api_bench")
    else:
        schema_context = nullcontext(None)
    try:
        with schema_context as schema:
            if schema:
                separator = "&" if "?" in args.postgres else "?"
                url = f"{args.postgres}{separator}options=-csearch_path%3D{schema}"
            else:
                url = f"sqlite:///{work / 'bench.db'}"
            app = _app(url, work)
            kind = "PostgreSQL" if schema else "SQLite"
            print(f"Seeding {args.responses:,} responses of {SURVEY} ({kind}) ...", flush=True)
            token, seconds = seed(app, args.responses)
            print(f"  seeded in {seconds:.1f} s", flush=True)
            results = {}
            for name, measure in (
                ("flask export --format csv", lambda: cli_export(app, work)),
                ("API CSV pages", lambda: api_walk(app, token, "csv")),
                ("API JSON pages", lambda: api_walk(app, token, "json")),
            ):
                runs = [measure() for _ in range(args.runs)]
                results[name] = min(runs, key=lambda r: r[2])
                print(f"  {name}: {results[name][0]:,} rows in {results[name][2]:.2f} s", flush=True)
            _report(kind, results)
            with app.app_context():
                from app.extensions import db

                db.engine.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _report(kind: str, results: dict) -> None:
    cli_rows, _, cli_seconds = results["flask export --format csv"]
    cli_rate = cli_rows / cli_seconds
    print()
    print(f"{kind}: {cli_rows:,} complete responses; API pages of {LIMIT:,}, following `next`")
    lines = [("what", "pages", "seconds", "rows/s", "vs CLI CSV")]
    for name, (rows, pages, seconds) in results.items():
        rate = rows / seconds
        lines.append((name, str(pages), f"{seconds:.2f}", f"{rate:,.0f}", f"{rate / cli_rate:.2f}x"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


if __name__ == "__main__":
    main()
