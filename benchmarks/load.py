"""Load benchmark: residents answering a three-page survey under gunicorn, against a bare Flask floor.

For SQLite (and PostgreSQL when TEST_DATABASE_URL or --postgres is given) it starts, on a scratch
database, the floor (benchmarks/floor.py: parse a 20-field form and insert one row; and a plain
15 KB Jinja page) and Lyssna side by side, each under the repository's gunicorn.conf.py with the
same workers, and drives them with wrk in turn, round after round: the floor with a fixed form,
Lyssna with benchmarks/load_resident.lua, in which every connection is a resident going start →
consent → three pages (GET, then POST with the session's CSRF token) → thanks, again and again.
It prints requests per second (the median round), p50/p99 latency, errors, completed responses
per second, the ratio of survey page requests per second to the floor (round by round, against the
floor measured just before; their median is the figure), and checks that the
database holds exactly the completed responses (nothing lost, nothing doubled).

The target is for a resident's page requests as they come (the GETs and POSTs of whole residents).
With --by-kind it also measures each kind alone, against the same floor: a page opened again and
again (GET), and a page sent again and again (POST: CSRF, validation, the save, the redirect).

    .venv/bin/python benchmarks/load.py [--rounds 3] [--seconds 10] [--connections 8] [--workers 2]
                                        [--postgres URL] [--sqlite-only] [--quiet] [--by-kind]

Needs wrk (`apt-get install wrk`). Exits 1 when a survey page request fails or the ratio is under 0.5.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import (  # noqa: E402
    gunicorn,
    scratch_database,
    server_environment,
    write_load_test_survey,
)

HERE = Path(__file__).resolve().parent


@dataclass
class Run:
    """What wrk measured for one endpoint."""

    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    completed: int = 0
    warm_up_completed: int = 0
    note: str = ""

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(base: str, script: str, seconds: int, connections: int) -> dict:
    """Run wrk with a Lua script ("name.lua ARG..." passes the ARGs to it); its RESULT line as a dict."""
    script, *script_args = script.split()
    result = subprocess.run(
        [
            "wrk",
            f"-t{connections}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(HERE / script),
            base,
            "--",
            *script_args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def measure(name: str, base: str, script: str, seconds: int, connections: int) -> Run:
    """Warm up for two seconds, then measure."""
    warm = wrk(base, script, 2, connections)
    r = wrk(base, script, seconds, connections)
    return Run(
        name,
        r["requests"],
        r["seconds"],
        r["p50_ms"],
        r["p99_ms"],
        r["bad_status"] + r["socket_errors"],
        r.get("completed", 0),
        warm.get("completed", 0),
        r.get("unexpected", "") + warm.get("unexpected", ""),
    )


def stored_complete(url: str) -> int:
    """Complete responses to the load-test survey in the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = text(
                "SELECT count(*) FROM response WHERE survey_id = 'load-test' AND status = 'complete'"
            )
            return conn.execute(query).scalar_one()
    finally:
        engine.dispose()


def bench(kind: str, args: argparse.Namespace) -> tuple[list[list[Run]], int]:
    """Floor and survey on one kind of database: per endpoint, its runs; and the completed responses stored.

    Both servers run side by side (the idle one takes no CPU) and the endpoints are measured in
    turn, round after round, so that a machine whose speed drifts (a shared VM) slows them alike.
    """
    with tempfile.TemporaryDirectory(prefix="lyssna-load-") as scratch:
        tmp = Path(scratch)
        surveys = write_load_test_survey(tmp / "surveys")
        with scratch_database(kind, tmp) as url:
            env = server_environment(
                url,
                tmp,
                LYSSNA_WORKERS=str(args.workers),
                # The benchmark's residents start hundreds of responses a second on one survey.
                LYSSNA_NEW_RESPONSES_PER_SURVEY="100000000/hour",
            )
            floor_env = {**env, "LYSSNA_LOG_LEVEL": "WARNING"}
            survey_env = {
                **env,
                "LYSSNA_SURVEYS_DIR": str(surveys),
                "LYSSNA_PROXY_COUNT": "1",
                **({"LYSSNA_LOG_LEVEL": "WARNING"} if args.quiet else {}),
            }
            with (
                gunicorn(floor_env, tmp, "floor", app="benchmarks.floor:app") as floor,
                gunicorn(survey_env, tmp, "lyssna") as server,
            ):
                endpoints = [
                    ("floor: POST 20 fields + insert", floor.base, "load_floor.lua form"),
                    ("floor: GET 15 KB Jinja page", floor.base, "load_floor.lua page"),
                    ("survey pages (GET + POST)", server.base, "load_resident.lua walk"),
                ]
                if args.by_kind:
                    endpoints += [
                        ("  page GETs alone", server.base, "load_resident.lua page"),
                        ("  page saves alone (POST)", server.base, "load_resident.lua save"),
                    ]
                runs: list[list[Run]] = [[] for _ in endpoints]
                base_before = stored_complete(url)
                # The survey right after the floor's form, so that each round's ratio compares two
                # runs a few seconds apart, on a machine in the same state.
                order = (1, 0, *range(2, len(endpoints)))
                for _round in range(args.rounds):
                    for index in order:
                        name, base, script = endpoints[index]
                        runs[index].append(measure(name, base, script, args.seconds, args.connections))
                stored = stored_complete(url) - base_before
                log = server.log()
            if "Traceback" in log:
                print(log[-3000:], file=sys.stderr)
        return runs, stored


def median_run(runs: list[Run]) -> Run:
    """The run with the median rate (of an even number, the lower middle one)."""
    return sorted(runs, key=lambda run: run.rate)[(len(runs) - 1) // 2]


def report(kind: str, endpoints: list[list[Run]], stored: int, args: argparse.Namespace) -> bool:
    """Print one database's table (median of the rounds, and their range); True when the targets are met."""
    runs = [median_run(rounds) for rounds in endpoints]
    floor = runs[0]
    print(
        f"\n{kind}: {args.workers} gunicorn sync workers, wrk {args.connections} connections, "
        f"{args.rounds} rounds of {args.seconds}s taken in turn (median round shown)"
    )
    print(
        f"{'endpoint':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs floor':>9}"
        f"  {'rounds req/s':>14}"
    )
    for run, rounds in zip(runs, endpoints, strict=True):
        ratio = run.rate / floor.rate if floor.rate else 0
        spread = f"{min(r.rate for r in rounds):.0f}-{max(r.rate for r in rounds):.0f}"
        print(
            f"{run.name:34} {run.rate:8.0f} {run.p50_ms:8.1f} {run.p99_ms:8.1f} "
            f"{sum(r.errors for r in rounds):7d} {ratio:9.2f}  {spread:>14}"
        )
    # Each round's ratio to the floor measured just before it. A shared VM's speed drifts by a
    # quarter within a minute, so the ratio is taken round by round, and its median is the figure.
    medians = []  # whole residents first, then each kind alone
    for index in range(2, len(endpoints)):
        ratios = [s.rate / f.rate for s, f in zip(endpoints[index], endpoints[0], strict=True) if f.rate]
        median = sorted(ratios)[(len(ratios) - 1) // 2] if ratios else 0.0  # of an even number, the lower
        by_round = " ".join(f"{r:.2f}" for r in ratios)
        label = (
            "survey / floor, round by round" if index == 2 else f"{endpoints[index][0].name.strip()} / floor"
        )
        print(f"{label:34} {by_round}  (median {median:.2f})")
        medians.append(median)
    ratio = medians[0]  # the target is judged on whole residents
    rounds = endpoints[2]
    counted = sum(r.completed + r.warm_up_completed for r in rounds)
    seconds = sum(r.seconds for r in rounds)
    # A resident whose last POST was in flight when wrk stopped is stored but was not counted.
    intact = counted <= stored <= counted + 2 * args.connections * len(rounds)
    print(
        f"{'completed responses/s':34} {sum(r.completed for r in rounds) / seconds:8.1f}"
        f"   (completed in warm-ups and runs: {counted}; stored complete: {stored};"
        f" {'nothing lost or doubled' if intact else 'MISMATCH'})"
    )
    notes = "".join(r.note for kind in endpoints[2:] for r in kind)
    if notes:
        print(f"unexpected statuses (step:status): {notes[:300]}")
    errors = sum(r.errors for kind in endpoints[2:] for r in kind)
    ok = errors == 0 and ratio >= 0.5 and intact
    print(
        "target: survey page req/s (whole residents) >= 0.5 x floor, zero errors -> "
        f"{'met' if ok else 'NOT met'} ({ratio:.2f})"
    )
    return ok


def main() -> int:
    """Run the benchmark on SQLite and, when configured, PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="LYSSNA_LOG_LEVEL=WARNING (no request log)")
    parser.add_argument("--by-kind", action="store_true", help="also page GETs alone and page saves alone")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    kinds = ["sqlite"]
    if args.postgres and not args.sqlite_only:
        os.environ["TEST_DATABASE_URL"] = args.postgres
        kinds.append("postgresql")
    ok = True
    for kind in kinds:
        runs, stored = bench(kind, args)
        ok = report(kind, runs, stored, args) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
