"""Researcher parameters are checked: a date out of range, a hidden value no link can carry, or a `next`
with a line break gives a 400 with a message (or is ignored), never a 500."""

import pytest

from .conftest import PASSWORD, csrf_from, post_export

PAGES = ("/admin/surveys/waste-sorting", "/admin/surveys/waste-sorting/responses")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?to=9999-12-31", "The to date must be between 1900 and 2999."),
        ("?from=0001-01-01", "The from date must be between 1900 and 2999."),
        ("?hidden_station=%00", "A value of station holds only letters, digits, - and _"),
        ("?hidden_station=12%0d%0aX", "A value of station holds only letters, digits, - and _"),
    ],
)
def test_a_bad_filter_is_a_400_with_its_message(client, login_as, query, message):
    login_as(surveys=["waste-sorting"])
    for path in PAGES:
        page = client.get(path + query + "&lang=en")
        assert page.status_code == 400, (path, page.status_code)
        assert message in page.get_data(as_text=True), path
    export = post_export(client, "/admin/surveys/waste-sorting/export" + query + "&format=csv&lang=en")
    if "date" in message:  # (a form's control characters are dropped before any view sees them)
        assert export.status_code == 400 and message in export.get_data(as_text=True)
    assert export.status_code < 500


def test_an_export_is_a_post_with_the_form_token(client, login_as):
    login_as(surveys=["waste-sorting"])
    assert client.get("/admin/surveys/waste-sorting/export?format=csv").status_code == 405
    assert client.post("/admin/surveys/waste-sorting/export", data={"format": "csv"}).status_code == 400
    assert post_export(client, "/admin/surveys/waste-sorting/export?format=csv").status_code == 200


def test_a_next_with_a_line_break_is_ignored(client, make_researcher):
    make_researcher("r@example.org", surveys=["waste-sorting"])
    page = client.get("/admin/login?next=/admin/%0d%0aSet-Cookie:x=1")
    assert page.status_code == 200
    signed_in = client.post(
        "/admin/login?next=/admin/%0d%0aSet-Cookie:x=1",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "email": "r@example.org",
            "password": PASSWORD,
        },
    )
    assert (
        signed_in.status_code == 302
        and "\n" not in signed_in.location
        and "Set-Cookie" not in signed_in.location
    )
