"""Whole files through the API: a small export at once (audited), a large one in the background."""

from openpyxl import load_workbook

from app.models import AuditEvent
from app.research import jobs


def test_a_small_export_is_sent_at_once_and_audited(app, db, api, make_token, complete, tmp_path):
    token = make_token(surveys=["waste-sorting"])
    complete("waste-sorting", visits="weekly")
    answer = api("/surveys/waste-sorting/export", token, format="xlsx", values="labels", lang="en")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=waste-sorting-")
    (tmp_path / "x.xlsx").write_bytes(answer.data)
    rows = list(load_workbook(tmp_path / "x.xlsx", read_only=True)["Responses"].iter_rows(values_only=True))
    assert len(rows) == 2 and "About once a week" in rows[1]
    event = db.query(AuditEvent).filter_by(action="export").one()
    assert event.actor == "r@example.org" and event.detail["via"] == "api" and event.detail["rows"] == 1


def test_a_large_export_is_made_in_the_background_and_polled(app, db, api, make_token, complete):
    app.config["LYSSNA_EXPORT_INLINE_ROWS"] = 0
    token = make_token(surveys=["waste-sorting"])
    complete("waste-sorting", visits="weekly")
    started = api("/surveys/waste-sorting/export", token, format="csv")
    assert started.status_code == 202
    status_url = started.headers["Location"]
    assert status_url.startswith("http://localhost/api/v1/surveys/waste-sorting/exports/")
    jobs.wait_for_jobs()
    status = api(status_url.removeprefix("http://localhost/api/v1"), token).json
    assert status["status"] == "done" and status["rows_done"] == 1
    file = api(status["file"].removeprefix("http://localhost/api/v1"), token)
    assert file.status_code == 200 and file.data.startswith(b"\xef\xbb\xbfresponse_id,")
    other = make_token("other@example.org", surveys=["waste-sorting"])
    assert api(status_url.removeprefix("http://localhost/api/v1"), other).status_code == 404
