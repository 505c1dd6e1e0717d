"""Two instances, two workers each, no restart: a survey synced on one is served by both within seconds.

Each instance has a surveys folder of its own (as two machines would); only the database is shared.
A new survey file and a changed title are synced with `flask surveys sync` on the first instance's
folder, then both instances are asked until every worker serves the change.
"""

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.servers import GUNICORN, Browser, gunicorn, scratch_database, server_environment

ROOT = Path(__file__).resolve().parent.parent
FLASK = GUNICORN.with_name("flask")
LIMIT_SECONDS = 5

BINS = """\
id: bins
title: {title}
pages:
  - id: p
    questions:
      - {{id: colour, type: text, label: Colour}}
"""
LAUNDRY = BINS.replace("id: bins", "id: laundry").format(title="The laundry room")


def sync(env: dict) -> str:
    result = subprocess.run(
        [str(FLASK), "--app", "wsgi", "surveys", "sync"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def served_everywhere(bases: list[str], path: str, text: str) -> float:
    """Seconds until every instance answers `path` with `text` in it, ten times in a row each (so that
    each of its workers has answered); fails after LIMIT_SECONDS."""
    start = time.monotonic()
    while True:
        pages = [Browser(base).get(path) for base in bases for _ in range(10)]
        if all(page.status == 200 and text in page.body for page in pages):
            return time.monotonic() - start
        if time.monotonic() - start > LIMIT_SECONDS:
            seen = sorted({(page.status, text in page.body) for page in pages})
            pytest.fail(f"{path} not served with {text!r} by every worker within {LIMIT_SECONDS} s: {seen}")
        time.sleep(0.1)


@pytest.mark.parametrize(
    "kind",
    [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set"
            ),
        ),
    ],
)
def test_a_synced_survey_is_served_by_every_worker_of_both_instances_without_restart(kind, tmp_path, capsys):
    folders = [tmp_path / "surveys-a", tmp_path / "surveys-b"]
    for folder in folders:
        folder.mkdir()
        (folder / "bins.yaml").write_text(BINS.format(title="Sorting at the bins"), encoding="utf-8")
    with scratch_database(kind, tmp_path) as url:
        envs = [
            server_environment(url, tmp_path, LYSSNA_WORKERS="2", LYSSNA_SURVEYS_DIR=str(folder))
            for folder in folders
        ]
        with gunicorn(envs[0], tmp_path, "a") as first, gunicorn(envs[1], tmp_path, "b") as second:
            bases = [first.base, second.base]
            served_everywhere(bases, "/s/bins", "Sorting at the bins")
            assert Browser(first.base).get("/s/laundry").status == 404

            (folders[0] / "laundry.yaml").write_text(LAUNDRY, encoding="utf-8")
            assert "laundry: new version 1" in sync(envs[0])
            new_survey = served_everywhere(bases, "/s/laundry", "The laundry room")

            (folders[0] / "bins.yaml").write_text(
                BINS.format(title="Sorting waste at the bins"), encoding="utf-8"
            )
            assert "bins: new version 2" in sync(envs[0])
            changed = served_everywhere(bases, "/s/bins", "Sorting waste at the bins")
            logs = first.log() + second.log()
    assert " status=5" not in logs
    with capsys.disabled():
        print(
            f"\n[{kind}] served by every worker: new survey after {new_survey:.2f} s, "
            f"new title after {changed:.2f} s"
        )
