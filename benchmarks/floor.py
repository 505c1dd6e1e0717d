"""The benchmark's floor: a bare Flask app doing the least a survey page must do, measured beside it.

`POST /floor` parses a 20-field form and inserts one row (the fields as JSON); `GET /page` renders a
plain 15 KB Jinja page. Same database settings as Lyssna (SQLite in WAL mode with the same pragmas,
or PostgreSQL), served by the same gunicorn.conf.py: `gunicorn -c gunicorn.conf.py benchmarks.floor:app`.
"""

import json
import os

from flask import Flask, render_template_string, request
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, Table, create_engine, event, func, insert
from sqlalchemy.exc import DBAPIError

app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"], pool_size=4, max_overflow=4, pool_pre_ping=True)
metadata = MetaData()
floor_row = Table(
    "floor_row",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
    Column("data", JSON),
)

if engine.dialect.name == "sqlite":

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record) -> None:
        cursor = connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


try:
    metadata.create_all(engine)
except DBAPIError:  # each worker imports this; on PostgreSQL two may create the table at once
    metadata.create_all(engine)  # the other one did: now it is found and left as it is

PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1>{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}</body></html>"""
PARAGRAPHS = [f"Stycke {i}: " + "Hur fungerar sopsorteringen i ditt område? " * 6 for i in range(55)]


@app.post("/floor")
def floor():
    """Parse a 20-field form and store it as one row."""
    fields = request.form.to_dict()
    with engine.begin() as connection:
        connection.execute(insert(floor_row).values(data=fields))
    return "stored", 200


@app.get("/page")
def page():
    """A plain 15 KB page from a template."""
    return render_template_string(PAGE, title="Lyssna", paragraphs=PARAGRAPHS)


@app.get("/healthz")
def healthz():
    """Ready when the database answers (the benchmark waits for this)."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    return json.dumps({"status": "ok"})
