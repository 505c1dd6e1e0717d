"""url_for with kept URLs (app/urls.py): always the URL Flask builds."""

from flask import url_for as flask_url_for

from app.urls import EXTENSION_KEY, KEPT_MOST, url_for


def test_kept_urls_are_the_ones_flask_builds(app):
    cases = [
        ("public.index", {}),
        ("public.privacy", {"lang": "ar"}),
        ("answering.page", {"survey_id": "waste-sorting", "page_id": "station"}),
        ("answering.begin", {"survey_id": "waste-sorting", "station": "12", "code": "a b&c"}),
    ]
    for script_root in ("", "/lyssna"):
        with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
            for endpoint, values in cases:
                first, again = url_for(endpoint, **values), url_for(endpoint, **values)
                assert first == again == flask_url_for(endpoint, **values)
                assert first.startswith(f"{script_root}/")


def test_blueprint_relative_endpoints_follow_the_request(app):
    # Both the public and the researcher blueprint have an `index`.
    with app.test_request_context("/privacy"):
        assert url_for(".index") == "/"
    with app.test_request_context("/admin/"):
        assert url_for(".index") == "/admin/"
    with app.test_request_context("/s/waste-sorting/privacy"):
        assert url_for(".start", survey_id="x") == "/s/x"


def test_external_and_unkeyable_urls_are_built_every_time(app):
    with app.test_request_context("/", base_url="https://lyssna.example.org"):
        assert url_for("public.index", _external=True) == "https://lyssna.example.org/"
        both = ["sv", "en"]
        assert url_for("public.privacy", lang=both) == flask_url_for("public.privacy", lang=both)
        kept = app.extensions[EXTENSION_KEY]
        assert not any("_external" in str(key) for key in kept)
        assert not any(isinstance(value, list) for key in kept for _, value in key[3])


def test_the_kept_urls_are_bounded(app):
    with app.test_request_context("/"):
        for number in range(KEPT_MOST + 10):
            assert url_for("public.privacy", lang=str(number)) == f"/privacy?lang={number}"
        assert len(app.extensions[EXTENSION_KEY]) <= KEPT_MOST


def test_url_defaults_functions_turn_keeping_off(app):
    @app.url_defaults
    def add_language(endpoint, values):
        if endpoint == "public.privacy":
            values.setdefault("lang", "fa")

    with app.test_request_context("/"):
        assert url_for("public.privacy") == "/privacy?lang=fa"
    assert not app.extensions[EXTENSION_KEY]
