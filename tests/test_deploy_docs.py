"""docs/deploy.md: the configuration files it shows are checked by the tools that will read them."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import from_environment

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "deploy.md"
FILE_BLOCK = re.compile(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", re.DOTALL)


def files() -> dict[str, str]:
    """Every `<!-- file: PATH -->` block of the guide, by path."""
    return dict(FILE_BLOCK.findall(GUIDE.read_text()))


def localised(text: str, tmp_path: Path) -> str:
    """A file of the guide with the server's paths pointed at this checkout and a scratch folder."""
    return (
        text.replace("/srv/lyssna/app/static/", f"{ROOT}/app/static/")
        .replace("/srv/lyssna/.venv/bin", str(Path(sys.executable).parent))  # the tests' own virtualenv
        .replace("/srv/lyssna", str(ROOT))
        .replace("/etc/lyssna/lyssna.env", str(tmp_path / "lyssna.env"))
        .replace("/etc/ssl/lyssna", str(tmp_path / "ssl"))
        .replace("/var/log/nginx", str(tmp_path))
    )


def test_the_guide_shows_the_files_it_talks_about():
    assert set(files()) == {
        "/etc/lyssna/lyssna.env",
        "/etc/systemd/system/lyssna.service",
        "/etc/systemd/system/lyssna-worker.service",
        "/etc/nginx/sites-available/lyssna",
        "/etc/systemd/system/lyssna-backup.service",
        "/etc/systemd/system/lyssna-backup.timer",
        "/etc/systemd/system/lyssna-purge.service",
        "/etc/systemd/system/lyssna-purge.timer",
    }


def test_every_setting_in_the_environment_file_is_one_lyssna_reads(tmp_path):
    known = set(from_environment(str(tmp_path))) | {
        "DATABASE_URL",
        "LYSSNA_SESSION_HOURS",
        "LYSSNA_REDIS_PREFIX",
    }
    gunicorn = {"LYSSNA_WORKERS", "LYSSNA_BIND", "LYSSNA_TIMEOUT"}
    lines = [line.lstrip("# ") for line in files()["/etc/lyssna/lyssna.env"].splitlines()]
    names = {line.split("=", 1)[0] for line in lines if re.match(r"[A-Z_]+=", line)}
    assert names
    assert names <= known | gunicorn
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", GUIDE.read_text(), re.MULTILINE))
    assert gunicorn <= documented


def test_gunicorn_accepts_the_repository_config():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "--check-config", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "check",
            "DATABASE_URL": "sqlite:////tmp/lyssna-check.db",
        },
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path):
    (tmp_path / "lyssna.env").write_text(files()["/etc/lyssna/lyssna.env"])
    units = []
    for path, text in files().items():
        if path.startswith("/etc/systemd/"):
            unit = tmp_path / Path(path).name
            unit.write_text(localised(text, tmp_path))
            units.append(str(unit))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True, timeout=60
    )
    # systemd-analyze exits 0 even for a line it ignores; any message at all is a mistake in the guide.
    assert (result.stdout + result.stderr).strip() == ""
    assert result.returncode == 0


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path):
    ssl = tmp_path / "ssl"
    ssl.mkdir()
    keys = ["-keyout", str(ssl / "privkey.pem"), "-out", str(ssl / "fullchain.pem")]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t", *keys],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = tmp_path / "lyssna.conf"
    site.write_text(localised(files()["/etc/nginx/sites-available/lyssna"], tmp_path))
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n  include {site};\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_the_container_entrypoint_prepares_the_data_folders_and_schema_then_runs_the_command(tmp_path):
    data = tmp_path / "lyssna"
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "check",
        "LYSSNA_ENV": "production",
        "DATABASE_URL": f"sqlite:///{data / 'lyssna.db'}",
        "LYSSNA_SURVEYS_DIR": str(data / "surveys"),
        "LYSSNA_EXPORTS_DIR": str(data / "exports"),
        "LYSSNA_MEDIA_DIR": str(data / "media"),
        "LYSSNA_EXAMPLE_SURVEYS": "1",
    }
    data.mkdir()
    command = [str(ROOT / "deploy" / "entrypoint.sh"), ".venv/bin/flask", "--app", "wsgi", "surveys", "list"]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "waste-sorting" in result.stdout  # the examples, copied into the empty folder and published
    assert (data / "exports").stat().st_mode & 0o077 == 0


def test_the_dockerfile_uses_files_that_exist_and_the_guide_describes_it():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "deploy/entrypoint.sh" in dockerfile
    assert "UNTESTED" in dockerfile
    for copied in re.findall(r"^COPY (.+) \./$", dockerfile, re.MULTILINE):
        for name in copied.split():
            assert (ROOT / name).exists() or name == ".", name
    assert "Dockerfile" in GUIDE.read_text()
