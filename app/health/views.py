"""`/healthz`: 200 when the database answers and the surveys are loaded, 503 otherwise."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.surveys.catalog import current_registry

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether this instance can serve residents."""
    checks = {"database": "ok", "surveys": 0}
    try:
        db.session.execute(text("SELECT 1"))
        checks["surveys"] = len(current_registry().surveys)
    except SQLAlchemyError:
        db.session.rollback()
        checks["database"] = "unavailable"
    healthy = checks["database"] == "ok" and checks["surveys"] > 0
    checks["status"] = "ok" if healthy else "unavailable"
    return jsonify(checks), 200 if healthy else 503
