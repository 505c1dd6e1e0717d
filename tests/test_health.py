"""`/healthz` for load balancers: 503 when the database does not answer."""

from app import create_app
from app.extensions import db
from tests.conftest import EXAMPLE_SURVEYS


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    # Not make_app: its clean-up would need the database this test takes away.
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "LYSSNA_SURVEYS_DIR": str(EXAMPLE_SURVEYS),
            # A SQLite file in a folder that does not exist cannot be opened.
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/folder/lyssna.db",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"
    assert response.json["status"] == "unavailable"
    with app.app_context():
        db.engine.dispose()


def test_healthz_sets_no_cookie_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
