"""Responses page by page: every response exactly once while new ones arrive, the export's columns and
options, CSV byte for byte as `flask export` writes it; the codebook and the list of surveys."""

import base64
from datetime import timedelta
from pathlib import Path

from app.models import Response, utcnow


def walk(api, token, **params) -> list[dict]:
    """Every page of JSON responses, following `next`."""
    pages, after = [], None
    while True:
        answer = api(
            "/surveys/waste-sorting/responses", token, **params, **({"after": after} if after else {})
        )
        assert answer.status_code == 200, answer.json
        pages.append(answer.json)
        if "next" not in answer.json:
            return pages
        assert answer.json["next"].startswith("http://localhost/api/v1/surveys/waste-sorting/responses?")
        after = answer.json["cursor"]


def test_keyset_paging_returns_every_response_exactly_once_while_new_ones_arrive(
    db, api, make_token, complete
):
    from app.surveys.catalog import current_registry

    token = make_token(surveys=["waste-sorting"])
    # Started before anything was listed, completed only while the listing goes on: its id is small.
    early = Response(
        survey_id="waste-sorting",
        version_id=current_registry().version_id(db, "waste-sorting"),
        status=Response.IN_PROGRESS,
        language="sv",
        started_at=utcnow() - timedelta(hours=2),
    )
    db.add(early)
    db.commit()
    first = [complete("waste-sorting", visits="weekly").public_id for _ in range(5)]
    seen, after, arrived = [], None, []
    while True:
        answer = api(
            "/surveys/waste-sorting/responses", token, limit=2, **({"after": after} if after else {})
        )
        page = answer.json
        seen += [r["response_id"] for r in page["responses"]]
        if len(arrived) < 4:  # between pages: new responses, and the early one completed at last
            arrived.append(complete("waste-sorting", visits="never").public_id)
            if len(arrived) == 2:
                early.status, early.submitted_at = Response.COMPLETE, utcnow() - timedelta(seconds=30)
                db.commit()
                arrived.append(early.public_id)
        after = page["cursor"]
        if "next" not in page:
            break
    assert sorted(seen) == sorted(first + arrived) and len(seen) == len(set(seen))
    assert seen[:5] == first  # in the order they were completed


def test_a_response_is_served_once_it_has_settled(app, db, api, make_token, complete):
    token = make_token(surveys=["waste-sorting"])
    complete("waste-sorting", visits="weekly")
    app.config["LYSSNA_API_SETTLE_SECONDS"] = 2 * 3600  # completed an hour ago: not settled yet
    page = api("/surveys/waste-sorting/responses", token).json
    assert page["count"] == 0 and page["cursor"] is None and "next" not in page
    app.config["LYSSNA_API_SETTLE_SECONDS"] = 5
    assert api("/surveys/waste-sorting/responses", token).json["count"] == 1


def test_a_page_holds_the_exports_records_and_the_options_apply(db, api, make_token, complete):
    token = make_token(surveys=["waste-sorting"])
    complete("waste-sorting", hidden={"station": "12"}, language="en", visits="weekly", comment="=1+1")
    complete("waste-sorting", hidden={"station": "7"}, visits="never")
    page = api("/surveys/waste-sorting/responses", token, values="labels", lang="en", where="station=12").json
    assert page["count"] == 1 and page["survey"] == "waste-sorting"
    record = page["responses"][0]
    assert record["answers"]["visits"] == "About once a week" and record["answers"]["comment"] == "=1+1"
    assert record["hidden"] == {"station": "12"} and record["status"] == "complete"
    assert api("/surveys/waste-sorting/responses", token, language="en").json["count"] == 1
    assert api("/surveys/waste-sorting/responses", token, channel="kiosk").json["count"] == 0


def _cli_csv(runner, tmp_path: Path, *options: str) -> bytes:
    out = tmp_path / "cli.csv"
    result = runner.invoke(args=["export", "waste-sorting", "--format", "csv", *options, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_csv_from_the_api_equals_the_cli_export(app, db, api, make_token, complete, runner, tmp_path):
    token = make_token(surveys=["waste-sorting"])
    for station, visits in (
        ("12", "weekly"),
        ("7", "never"),
        ("12", "daily"),
        ("12", "monthly"),
        ("12", "weekly"),
    ):
        complete("waste-sorting", hidden={"station": station}, visits=visits, household_size=3, comment="-ok")
    options = {"values": "labels", "lang": "en", "where": "station=12", "sep": ";"}
    cli = _cli_csv(
        runner, tmp_path, "--values", "labels", "--lang", "en", "--where", "station=12", "--sep", ";"
    )
    whole = api("/surveys/waste-sorting/responses", token, format="csv", limit=1000, **options)
    assert whole.mimetype == "text/csv" and whole.data == cli
    assert whole.headers["Lyssna-Count"] == "4" and "Link" not in whole.headers
    # Page by page: each page is a CSV file of its own; their rows together are the export's rows.
    header, *cli_rows = cli.split(b"\r\n")
    rows, after = [], None
    while True:
        page = api(
            "/surveys/waste-sorting/responses",
            token,
            format="csv",
            limit=3,
            **options,
            **({"after": after} if after else {}),
        )
        page_header, *page_rows = page.data.split(b"\r\n")
        assert page_header == header
        rows += [row for row in page_rows if row]
        if "Link" not in page.headers:
            break
        assert page.headers["Link"].endswith('>; rel="next"')
        after = page.headers["Lyssna-Cursor"]
    assert rows == [row for row in cli_rows if row]


def test_limits_cursors_and_options_are_checked(db, api, make_token, complete):
    token = make_token(surveys=["waste-sorting"])
    complete("waste-sorting", visits="weekly")
    for params, words in (
        ({"limit": "1001"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"after": "nonsense"}, "cursor"),
        ({"format": "xlsx"}, "format"),
        ({"values": "words"}, "values"),
        ({"where": "nostation=1"}, "hidden field"),
        ({"lang": "fi"}, "Language"),
        ({"from": "yesterday"}, "YYYY-MM-DD"),
    ):
        answer = api("/surveys/waste-sorting/responses", token, **params)
        assert answer.status_code == 400, params
        assert answer.mimetype == "application/problem+json" and words in answer.json["detail"], answer.json
    cursor = api("/surveys/waste-sorting/responses", token).json["cursor"]
    other = api("/surveys/waste-sorting/responses", token, after=cursor, include_partial="true")
    assert other.status_code == 400 and "include_partial" in other.json["detail"]
    forged = base64.urlsafe_b64encode(b"c|2020-01-01T00:00:00|1").decode()  # no time zone
    assert api("/surveys/waste-sorting/responses", token, after=forged).status_code == 400


def test_partial_responses_come_in_the_order_they_were_started(db, api, make_token, complete):
    from app.surveys.catalog import current_registry

    token = make_token(surveys=["waste-sorting"])
    done = complete("waste-sorting", visits="weekly")
    going = Response(
        survey_id="waste-sorting",
        version_id=current_registry().version_id(db, "waste-sorting"),
        status=Response.IN_PROGRESS,
        language="sv",
        started_at=utcnow() - timedelta(minutes=10),
        answers={"visits": "never"},
    )
    db.add(going)
    db.commit()
    page = api("/surveys/waste-sorting/responses", token, include_partial="true").json
    assert [r["response_id"] for r in page["responses"]] == [done.public_id, going.public_id]
    assert page["responses"][1]["status"] == "in_progress"


def test_the_codebook_is_the_exports(db, api, make_token):
    token = make_token(surveys=["waste-sorting"])
    answer = api("/surveys/waste-sorting/codebook", token, lang="en")
    assert answer.status_code == 200 and answer.json["lang"] == "en"
    visits = next(entry for entry in answer.json["codebook"] if entry["name"] == "visits")
    assert {"code": "weekly", "label": "About once a week"} in [
        {"code": v["code"], "label": v["label"]} for v in visits["values"]
    ]


def test_the_list_of_surveys_has_versions_counts_and_links(db, api, make_token, complete):
    token = make_token(surveys=["waste-sorting"])
    complete("waste-sorting", visits="weekly")
    (survey,) = api("/surveys", token).json["surveys"]
    assert survey["id"] == "waste-sorting" and survey["title"]["en"]
    assert survey["responses"] == {"complete": 1, "in_progress": 0}
    assert [v["number"] for v in survey["versions"]] == [1] and survey["published_version"] == 1
    assert survey["links"]["responses"] == "http://localhost/api/v1/surveys/waste-sorting/responses"
