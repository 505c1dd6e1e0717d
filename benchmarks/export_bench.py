"""Export benchmark: seed 100,000 waste-sorting responses into a temporary SQLite database, then time
every export format next to the floors (a bare xlsxwriter constant_memory loop and a bare csv.writer
loop writing the same cells) and print one table with the ratios.

    .venv/bin/python benchmarks/export_bench.py [--responses 100000] [--keep DIR]

Each measurement runs in a fresh subprocess, so every peak memory figure is that process's own
(resource.getrusage maxrss), and is repeated (--runs, default 3): the best time counts, the largest
peak. Wall time is what a researcher waits; CPU time (user + system) is shown beside it because it
is steadier when the machine is busy with other work.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURVEY = "waste-sorting"
FORMATS = ("xlsx", "csv", "sav", "zsav", "dta", "json")
TARGETS = {  # (max ratio to its floor, max peak MB)
    "xlsx": (1.3, 250),
    "csv": (2.0, 250),
    "sav": (None, 1024),
    "zsav": (None, 1024),
    "dta": (None, 1024),
    "json": (None, None),
}
SAV_OVER_XLSX = 2.0  # the .sav may be at most twice the size of the same export as .xlsx


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _app():
    sys.path.insert(0, str(ROOT))
    from app import create_app

    return create_app({"SECRET_KEY": "benchmark"})


# ----------------------------------------------------------------------------- child steps


def step_seed(count: int) -> dict:
    """Create the schema, record the definitions and add `count` demo responses."""
    from flask_migrate import upgrade

    app = _app()
    with app.app_context():
        from app import demo
        from app.extensions import db
        from app.surveys.catalog import current_registry, sync

        upgrade()
        sync(db.session, current_registry())
        db.session.commit()
        registry = current_registry()
        wall, cpu = time.perf_counter(), _cpu()
        demo.seed(db.session, registry.get(SURVEY), registry.version_id(db.session, SURVEY), count, 2026)
        db.session.commit()
        return {"wall": time.perf_counter() - wall, "cpu": _cpu() - cpu, "peak": _peak_mb()}


def step_export(fmt: str, out: Path) -> dict:
    """Export the survey in one format to `out`."""
    app = _app()
    with app.app_context():
        from app.exports import export_survey

        base = _peak_mb()
        wall, cpu = time.perf_counter(), _cpu()
        result = export_survey(SURVEY, fmt, out=out)
        return {
            "wall": time.perf_counter() - wall,
            "cpu": _cpu() - cpu,
            "peak": _peak_mb(),
            "base": base,
            "rows": result.rows,
            "bytes": out.stat().st_size,
        }


def step_profile(csv_path: Path, out: Path) -> dict:
    """Describe the exported cells: per column its kind, how many rows fill it, and sample values."""
    app = _app()
    with app.app_context():
        from app.exports.table import ExportOptions, build_table
        from app.extensions import db

        kinds = [c.kind for c in build_table(db.session, SURVEY, ExportOptions()).columns]
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        fills = [0] * len(kinds)
        samples: list[list[str]] = [[] for _ in kinds]
        rows = 0
        for row in reader:
            rows += 1
            for i, value in enumerate(row):
                if value:
                    fills[i] += 1
                    if len(samples[i]) < 64 and value not in samples[i]:
                        samples[i].append(value)
    profile = {"rows": rows, "kinds": kinds, "fills": fills, "samples": samples}
    out.write_text(json.dumps(profile))
    return {"rows": rows, "cells": sum(fills)}


def _typed(kind: str, text: str):
    if kind == "datetime":
        return datetime.fromisoformat(text)
    if kind == "date":
        return date.fromisoformat(text)
    try:
        return int(text)
    except ValueError:
        try:
            return float(text) if kind == "number" else text
        except ValueError:
            return text


def _floor_plan(profile: dict) -> tuple[int, list[list], list[bytearray]]:
    """Per column: equivalent typed values, and which rows hold a value (as many as the export)."""
    rows = profile["rows"]
    values = [
        [_typed(kind, s) for s in samples] or [None]
        for kind, samples in zip(profile["kinds"], profile["samples"], strict=True)
    ]
    masks = []
    for fill in profile["fills"]:
        mask = bytearray(rows)
        for r in range(rows):  # spread `fill` cells evenly over the rows
            mask[r] = (r + 1) * fill // rows > r * fill // rows
        masks.append(mask)
    return rows, values, masks


def step_floor(fmt: str, profile_path: Path, out: Path) -> dict:
    """The floor: a bare writer loop over the same number of equivalent cells, nothing else."""
    rows, values, masks = _floor_plan(json.loads(profile_path.read_text()))
    header = [f"c{i}" for i in range(len(values))]
    base = _peak_mb()
    wall, cpu = time.perf_counter(), _cpu()
    if fmt == "xlsx":
        import xlsxwriter

        workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True})
        sheet = workbook.add_worksheet()
        datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})

        def writer(value):
            if isinstance(value, (datetime, date)):
                return lambda r, c, v, w=sheet.write_datetime: w(r, c, v, datetime_format)
            if isinstance(value, (int, float)):
                return sheet.write_number
            return sheet.write_string

        cells = [[(writer(v), v) for v in column] for column in values]
        for c, name in enumerate(header):
            sheet.write_string(0, c, name)
        plan = list(zip(range(len(values)), cells, masks, strict=True))
        for r in range(rows):
            for c, column, mask in plan:
                if mask[r]:
                    write, value = column[r % len(column)]
                    write(r + 1, c, value)
        workbook.close()
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            handle.write("\ufeff")
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(header)
            plan = list(zip(values, masks, strict=True))
            for r in range(rows):
                writer.writerow([column[r % len(column)] if mask[r] else None for column, mask in plan])
    return {"wall": time.perf_counter() - wall, "cpu": _cpu() - cpu, "peak": _peak_mb(), "base": base}


# ----------------------------------------------------------------------------- the run


def _best(results: list[dict]) -> dict:
    """The best of several runs: least wall and CPU time; the largest peak memory."""
    best = dict(min(results, key=lambda r: r["wall"]))
    best["cpu"] = min(r["cpu"] for r in results)
    best["peak"] = max(r["peak"] for r in results)
    return best


def _child(env: dict, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"step {args} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the database and files in this folder")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the best counts")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="lyssna-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "LYSSNA_EXPORTS_DIR": str(work),
        "LYSSNA_SURVEYS_DIR": str(ROOT / "surveys"),
        "LYSSNA_ENV": "development",
    }
    try:
        print(f"Seeding {args.responses:,} responses of {SURVEY} into {work / 'bench.db'} ...", flush=True)
        seed = _child(env, "_seed", str(args.responses))
        print(f"  seeded in {seed['wall']:.1f} s wall, {seed['cpu']:.1f} s CPU", flush=True)
        # The CSV first: the floors write the same cells, described from it.
        _child(env, "_export", "csv", str(work / "export.csv"))
        profile = _child(env, "_profile", str(work / "export.csv"), str(work / "profile.json"))
        # Each format's runs alternate with its floor's, so both meet the same load on the machine.
        results, floors = {}, {}
        for fmt in FORMATS:
            print(f"Exporting {fmt} ...", flush=True)
            runs, floor_runs = [], []
            for _ in range(args.runs):
                runs.append(_child(env, "_export", fmt, str(work / f"export.{fmt}")))
                if fmt in ("xlsx", "csv"):
                    floor_args = ("_floor", fmt, str(work / "profile.json"), str(work / f"floor.{fmt}"))
                    floor_runs.append(_child(env, *floor_args))
            results[fmt] = _best(runs)
            if floor_runs:
                floors[fmt] = _best(floor_runs)
        _report(args.responses, seed, results, floors, profile)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _report(responses: int, seed: dict, results: dict, floors: dict, profile: dict) -> None:
    print()
    print(
        f"{responses:,} responses seeded in {seed['wall']:.1f} s ({seed['cpu']:.1f} s CPU); "
        f"{profile['rows']:,} complete rows exported, {profile['cells']:,} non-empty cells"
    )
    head = (
        "what",
        "wall s",
        "CPU s",
        "peak MB",
        "ratio wall",
        "ratio CPU",
        "target",
        "ok wall",
        "ok CPU",
        "file MB",
    )
    lines = [head]
    for name, floor in floors.items():
        lines.append((f"floor {name}", f"{floor['wall']:.1f}", f"{floor['cpu']:.1f}", f"{floor['peak']:.0f}"))
    verdicts = {"wall": True, "cpu": True}
    for fmt, r in results.items():
        max_ratio, max_mb = TARGETS[fmt]
        floor = floors.get(fmt)
        ratios = {clock: r[clock] / floor[clock] for clock in ("wall", "cpu")} if floor else {}
        memory_ok = max_mb is None or r["peak"] < max_mb
        ok = {
            clock: memory_ok and (max_ratio is None or ratios[clock] <= max_ratio)
            for clock in ("wall", "cpu")
        }
        for clock in ok:
            verdicts[clock] &= ok[clock]
        target = " ".join(
            part
            for part in (f"<= {max_ratio}x" if max_ratio else "", f"< {max_mb} MB" if max_mb else "")
            if part
        )
        lines.append(
            (
                fmt,
                f"{r['wall']:.1f}",
                f"{r['cpu']:.1f}",
                f"{r['peak']:.0f}",
                f"{ratios['wall']:.2f}x" if floor else "",
                f"{ratios['cpu']:.2f}x" if floor else "",
                target or "-",
                "yes" if ok["wall"] else "NO",
                "yes" if ok["cpu"] else "NO",
                f"{r['bytes'] / 1e6:.1f}",
            )
        )
    widths = [max(len(line[i]) if i < len(line) else 0 for line in lines) for i in range(len(head))]
    for line in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=False)).rstrip())
    print()
    for clock, label in (("wall", "wall time"), ("cpu", "CPU time")):
        print(f"Targets on {label}: {'all met' if verdicts[clock] else 'NOT all met'}.")
    if "sav" in results and "xlsx" in results:
        ratio = results["sav"]["bytes"] / results["xlsx"]["bytes"]
        verdict = "met" if ratio <= SAV_OVER_XLSX else "NOT met"
        print(f"File size: the .sav is {ratio:.2f}x the .xlsx (target <= {SAV_OVER_XLSX}x): {verdict}.")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        step, rest = sys.argv[1], sys.argv[2:]
        if step == "_seed":
            out = step_seed(int(rest[0]))
        elif step == "_export":
            out = step_export(rest[0], Path(rest[1]))
        elif step == "_profile":
            out = step_profile(Path(rest[0]), Path(rest[1]))
        else:
            out = step_floor(rest[0], Path(rest[1]), Path(rest[2]))
        print(json.dumps(out))
    else:
        main()
