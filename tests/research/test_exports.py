"""Exports from the dashboard: the filters travel along, small exports stream, large ones run in the
background with a progress page, and every export is in the audit log."""

import io

import pytest
from openpyxl import load_workbook

from app.models import AuditEvent, ExportJob, Researcher
from app.research import jobs

from .conftest import post_export


@pytest.fixture
def app(make_app):
    """The app with a tiny inline limit, so that three responses already make a background export."""
    return make_app(LYSSNA_EXPORT_INLINE_ROWS=2)


@pytest.fixture
def stations(db, make_response):
    for station in ("12", "12", "7"):
        make_response("waste-sorting", hidden={"station": station}, visits="weekly", comment="=1+1")
    db.commit()


def sheet_rows(data: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(workbook["Responses"].iter_rows(values_only=True))
    workbook.close()
    return rows


def test_dashboard_export_button_carries_the_filters(client, login_as, stations):
    login_as(surveys=["waste-sorting"])
    page = client.get("/admin/surveys/waste-sorting?hidden_station=12&language=sv&demo=0").get_data(
        as_text=True
    )
    form = page[page.index('action="/admin/surveys/waste-sorting/export"') :]
    form = form[: form.index("</form>")]
    for field in ('name="hidden_station" value="12"', 'name="language" value="sv"', 'name="demo" value="0"'):
        assert field in form


def test_small_export_streams_the_filtered_rows_with_labels(client, db, login_as, stations):
    login_as(surveys=["waste-sorting"])
    response = post_export(
        client, "/admin/surveys/waste-sorting/export?format=xlsx&values=labels&lang=en&hidden_station=12"
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="waste-sorting-')
    rows = sheet_rows(response.data)
    data = rows[1:]
    assert len(data) == 2
    assert "About once a week" in data[0]
    assert "=1+1" in data[0]  # a text cell, exactly as typed: never a formula (load_workbook would say)
    event = db.query(AuditEvent).filter_by(action="export").one()
    assert event.actor == "researcher@example.org" and event.survey_id == "waste-sorting"
    assert event.detail["format"] == "xlsx" and event.detail["values"] == "labels"
    assert event.detail["where"] == ["station=12"] and event.detail["rows"] == 2


def test_faster_formats_may_stream_more_rows(app):
    with app.app_context():
        assert jobs.runs_in_background("xlsx", 3) and not jobs.runs_in_background("csv", 3)


def test_csv_export_with_semicolons(client, login_as, stations):
    login_as(surveys=["waste-sorting"])
    response = post_export(
        client, "/admin/surveys/waste-sorting/export?format=csv&sep=semicolon&hidden_station=7"
    )
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert text.splitlines()[0].lstrip("\ufeff").startswith("response_id;")  # with a BOM for Excel


def test_unknown_format_is_a_clear_error(client, login_as, stations):
    login_as(surveys=["waste-sorting"])
    response = post_export(client, "/admin/surveys/waste-sorting/export?format=docx")
    assert response.status_code == 400
    assert "Unknown format" in response.get_data(as_text=True)


def test_large_export_runs_in_the_background_then_downloads(client, db, login_as, stations):
    login_as(surveys=["waste-sorting"])
    response = post_export(client, "/admin/surveys/waste-sorting/export?format=xlsx")
    assert response.status_code == 302
    status_url = response.location
    assert status_url.startswith("/admin/surveys/waste-sorting/exports/")
    jobs.wait_for_jobs()
    page = client.get(status_url).get_data(as_text=True)
    assert "The export is ready: 3 responses." in page
    download = client.get(status_url + "/download")
    assert download.status_code == 200
    assert len(sheet_rows(download.data)) == 4
    job = db.query(ExportJob).one()
    assert job.status == ExportJob.DONE and job.rows_done == job.rows_total == 3
    assert job.file_name.startswith("waste-sorting-") and job.file_name.endswith(".xlsx")
    assert db.query(AuditEvent).filter_by(action="export").count() == 1


def test_background_export_of_someone_else_is_404(
    app, client, db, login_as, sign_in, make_researcher, stations
):
    login_as(surveys=["waste-sorting"])
    status_url = post_export(client, "/admin/surveys/waste-sorting/export?format=xlsx").location
    jobs.wait_for_jobs()
    make_researcher("other@example.org", surveys=["waste-sorting"])
    other = app.test_client()
    sign_in("other@example.org", target=other)
    assert other.get(status_url).status_code == 404
    assert other.get(status_url + "/download").status_code == 404
    make_researcher("boss@example.org", role=Researcher.ADMIN)
    admin = app.test_client()
    sign_in("boss@example.org", target=admin)
    assert admin.get(status_url).status_code == 200


def test_failed_background_export_says_why(client, db, login_as, stations, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "prepare_export", broken)
    login_as(surveys=["waste-sorting"])
    from app.exports import prepare_export  # the view still counts the rows with the real one

    monkeypatch.setattr("app.research.views.exports.prepare_export", prepare_export)
    status_url = post_export(client, "/admin/surveys/waste-sorting/export?format=xlsx").location
    jobs.wait_for_jobs()
    page = client.get(status_url).get_data(as_text=True)
    assert "The export failed: disk full" in page
    assert db.query(AuditEvent).filter_by(action="export").count() == 0  # nothing was delivered


def test_an_export_that_fails_is_a_clear_page_logged_with_its_code_and_not_audited(
    client, db, login_as, stations, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise ValueError("the writer broke")

    monkeypatch.setattr("app.exports.xlsx.write_xlsx", broken)
    login_as(surveys=["waste-sorting"])
    response = post_export(client, "/admin/surveys/waste-sorting/export?format=xlsx&hidden_station=7")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    code = response.headers["X-Request-Id"]
    assert "The export could not be made" in page and code in page
    assert any("export of waste-sorting as xlsx failed" in r.getMessage() for r in caplog.records)
    assert db.query(AuditEvent).filter_by(action="export").count() == 0


@pytest.fixture
def stopped_job(app, client, db, login_as, stations, monkeypatch):
    """A background export whose worker was recycled right after starting it: (status URL, job)."""
    from datetime import timedelta

    from app.models import utcnow

    login_as(surveys=["waste-sorting"])
    real_run = jobs.run
    monkeypatch.setattr(jobs, "run", lambda *args: None)  # the worker goes before writing anything
    status_url = post_export(client, "/admin/surveys/waste-sorting/export?format=xlsx").location
    jobs.wait_for_jobs()
    job = db.query(ExportJob).one()
    assert (job.status, job.attempts) == (ExportJob.RUNNING, 1)
    # While its heartbeat is fresh, nobody takes it over.
    assert "started again" not in client.get(status_url).get_data(as_text=True)
    monkeypatch.setattr(jobs, "run", real_run)
    job.heartbeat_at = utcnow() - jobs.TAKE_OVER_AFTER - timedelta(seconds=1)
    db.commit()
    return status_url, job


def test_an_export_whose_worker_stopped_is_taken_over_and_finished(app, client, db, stopped_job):
    status_url, job = stopped_job
    page = client.get(status_url).get_data(as_text=True)
    assert "The export was interrupted (the server restarted), so it has started again." in page
    jobs.wait_for_jobs()
    assert "The export is ready: 3 responses." in client.get(status_url).get_data(as_text=True)
    db.refresh(job)
    assert (job.status, job.attempts, job.rows_done) == (ExportJob.DONE, 2, 3)
    assert len(sheet_rows(client.get(status_url + "/download").data)) == 4
    assert [path.name for path in jobs.jobs_dir(app).iterdir()] == [jobs.job_path(job, app).name]


def test_only_one_worker_takes_a_stopped_export_over(app, db, stopped_job):
    _status_url, job = stopped_job
    with app.app_context():
        assert jobs.claim(job.id, take_over=True) == 2
        assert jobs.claim(job.id, take_over=True) is None  # the heartbeat is fresh again
        assert jobs.claim(job.id) is None  # and a job that has run is never new again


def test_an_export_interrupted_again_and_again_fails_with_the_reason(client, db, stopped_job):
    status_url, job = stopped_job
    job.attempts = jobs.MAX_RUNS
    db.commit()
    page = client.get(status_url).get_data(as_text=True)
    assert f"The export failed: It was interrupted {jobs.MAX_RUNS} times" in page
    db.refresh(job)
    assert job.status == ExportJob.FAILED and job.finished_at is not None


def test_a_run_that_lost_its_job_writes_no_file_and_no_outcome(app, db, stopped_job):
    _status_url, job = stopped_job
    with app.app_context():
        assert jobs.claim(job.id, take_over=True) == 2  # another worker has it now
        jobs.run(app, job.id, 1)  # the first run turns out to be alive after all, and finishes
    db.refresh(job)
    assert (job.status, job.attempts, job.file_name) == (ExportJob.RUNNING, 2, None)
    assert not jobs.jobs_dir(app).exists() or not list(jobs.jobs_dir(app).iterdir())


def test_a_one_response_export_says_response(client, db, login_as, make_response, monkeypatch):
    monkeypatch.setitem(client.application.config, "LYSSNA_EXPORT_INLINE_ROWS", 0)
    make_response("waste-sorting", hidden={"station": "12"}, visits="weekly")
    db.commit()
    login_as(surveys=["waste-sorting"])
    status_url = post_export(client, "/admin/surveys/waste-sorting/export?format=xlsx").location
    jobs.wait_for_jobs()
    assert "The export is ready: 1 response." in client.get(status_url).get_data(as_text=True)


def test_progress_counts_in_words_that_fit_the_number(client, db, stopped_job):
    from app.models import utcnow

    status_url, job = stopped_job
    job.heartbeat_at = utcnow()  # running after all
    db.commit()
    assert "0 of … responses" in client.get(status_url).get_data(as_text=True)
    for total, words in ((1, "0 of 1 response<"), (3, "0 of 3 responses<")):
        job.rows_total = total
        db.commit()
        assert words in client.get(status_url).get_data(as_text=True).replace("</p>", "<")


def test_a_run_keeps_its_heartbeat_between_progress_reports(app, db, stopped_job, monkeypatch):
    # An xlsx file is saved after the last row: a long quiet spell without progress reports.
    import time

    _status_url, job = stopped_job
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", 0.02)
    before = job.heartbeat_at
    with app.app_context():
        heartbeat = jobs._Heartbeat(job.id, 1)
    time.sleep(0.2)
    heartbeat.stop()
    db.refresh(job)
    assert job.heartbeat_at > before and not jobs.stopped(job) and not heartbeat.lost


def test_a_heartbeat_notices_its_run_lost_the_job(app, db, stopped_job, monkeypatch):
    import time

    _status_url, job = stopped_job
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", 0.02)
    with app.app_context():
        assert jobs.claim(job.id, take_over=True) == 2
        heartbeat = jobs._Heartbeat(job.id, 1)
        time.sleep(0.2)
        assert heartbeat.lost  # the export stops at its next progress report
        progress = jobs._progress_writer(job.id, 1, heartbeat)
        with pytest.raises(jobs.RunTakenOver):
            progress(1, 3)
        heartbeat.stop()
