"""url_for with the URLs it built kept: the links of a page are the same for every request.

Werkzeug builds a URL anew on every call, some tens of microseconds each, and a survey page builds
a dozen (its form's action, the footer, a link per language, the redirect after a save). The URL of
an endpoint and its values depends, within one app, only on the script root it is served under and,
for a blueprint-relative endpoint such as '.page', on the blueprint of the request: with those in
the key, a kept URL is the one Flask would build. External URLs, anchors, methods and schemes,
values that cannot be a key, and every URL of an app with url_defaults functions (they may add
values from the request) are built by Flask every time.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask import url_for as flask_url_for

from app.kept import KeptValues

EXTENSION_KEY = "lyssna.urls"
KEPT_MOST = 1024  # URLs per worker


def url_for(endpoint: str, **values: Any) -> str:
    """Flask's url_for, the same URL, but kept for the next request that asks for it."""
    if (
        not has_request_context()
        or any(name.startswith("_") for name in values)
        or any(current_app.url_default_functions.values())
    ):
        return flask_url_for(endpoint, **values)
    blueprint = request.blueprint if endpoint.startswith(".") else None
    key = (request.script_root, blueprint, endpoint, tuple(sorted(values.items())))
    kept: KeptValues = current_app.extensions[EXTENSION_KEY]
    try:
        return kept.kept(key, lambda: flask_url_for(endpoint, **values))
    except TypeError:  # a value that cannot be a key, such as a list
        return flask_url_for(endpoint, **values)


def init_app(app: Flask) -> None:
    """Templates call the keeping url_for."""
    app.extensions[EXTENSION_KEY] = KeptValues(KEPT_MOST)
    app.add_template_global(url_for)
