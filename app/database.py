"""Database connection settings that SQLAlchemy does not set by itself."""

from contextlib import suppress
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db
from app.private_files import create_private


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers and a writer work at once; the busy timeout makes concurrent writers
    # wait for each other instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _private_sqlite_file(_dialect, _record, cargs, cparams) -> None:
    # SQLite would create a missing database file readable by everyone (0644 less the umask), and its
    # -wal and -shm files take the database file's mode: made here first, all three are 0600.
    database = cargs[0] if cargs else cparams.get("database")
    if not database or database == ":memory:" or cparams.get("uri"):
        return
    path = Path(database)
    # A folder that does not exist is a wrong DATABASE_URL: SQLite then fails, and /healthz says so.
    if path.exists() or not path.parent.is_dir():
        return
    with suppress(FileExistsError):  # another worker's connection made it meanwhile
        create_private(path)


def configure_engine(app: Flask) -> None:
    """Apply per-connection settings to the app's engine (SQLite pragmas; a new database file is private)."""
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
            event.listen(engine, "do_connect", _private_sqlite_file)
            event.listen(engine, "connect", _sqlite_pragmas)


def render_migration_type(type_: str, obj, autogen_context):
    """Write the app's column types into migrations as plain SQLAlchemy types.

    Migrations must not import the app: a later change to app.models would change old migrations.
    """
    from app.models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if (
        type_ == "type"
        and obj.__class__.__name__ == "JSON"
        and "postgresql" in getattr(obj, "_variant_mapping", {})
    ):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False
