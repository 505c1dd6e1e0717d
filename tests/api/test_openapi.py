"""The OpenAPI 3.1 description: public, valid, and naming every endpoint the API has."""

import re

from openapi_spec_validator import validate


def test_the_description_is_public_and_valid_openapi_3_1(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    document = answer.json
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on anything OpenAPI 3.1 does not allow
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]


def test_every_endpoint_is_described(app, client):
    described = set(client.get("/api/v1/openapi.json").json["paths"])
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown"
    }
    assert routes == described
