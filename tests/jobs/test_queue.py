"""The queue: with REDIS_URL, background exports are RQ jobs that `flask worker` runs; without it,
they run in threads of the web process. Either way the researcher gets the same file."""

import pytest
from openpyxl import load_workbook

from app.exports import ExportOptions
from app.jobs import queue
from app.models import ExportJob, Researcher
from app.research import jobs

from .conftest import needs_redis


@pytest.fixture
def three(make_app):
    """Three responses of waste-sorting in the app `make`, and an account that asked for exports."""

    def make(app):
        from app import accounts
        from app.extensions import db
        from app.models import Response
        from app.surveys.catalog import current_registry

        with app.app_context():
            version = current_registry().version_id(db.session, "waste-sorting")
            for station in ("12", "12", "7"):
                db.session.add(
                    Response(
                        survey_id="waste-sorting",
                        version_id=version,
                        status=Response.COMPLETE,
                        language="sv",
                        hidden={"station": station},
                        answers={"visits": "weekly"},
                    )
                )
            owner = accounts.create_researcher(
                db.session, "r@example.org", "a long enough password", Researcher.ADMIN
            )
            job = jobs.new_job(db.session, owner.id, "waste-sorting", "xlsx", ExportOptions())
            db.session.commit()
            return job.id

    return make


def _job(app, job_id):
    from app.extensions import db

    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        db.session.expunge(job)
        return job


def _rows(app, job) -> int:
    workbook = load_workbook(jobs.job_path(job, app), read_only=True)
    rows = sum(1 for _ in workbook["Responses"].iter_rows())
    workbook.close()
    return rows


def test_without_redis_an_export_runs_in_a_thread_of_the_web_process(app, three):
    job_id = three(app)
    with app.app_context():
        thread = jobs.start(app, job_id)
    assert thread is not None  # made here, in-process
    jobs.wait_for_jobs()
    job = _job(app, job_id)
    assert (job.status, job.rows_done, job.attempts) == (ExportJob.DONE, 3, 1)
    assert _rows(app, job) == 4


@needs_redis
def test_with_redis_an_export_is_an_rq_job_that_flask_worker_runs(redis_app, three):
    job_id = three(redis_app)
    with redis_app.app_context():
        assert jobs.start(redis_app, job_id) is None  # queued, nothing runs in this process
        assert queue.rq_queue(redis_app).count == 1
    assert _job(redis_app, job_id).status == ExportJob.QUEUED
    result = redis_app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    job = _job(redis_app, job_id)
    assert (job.status, job.rows_done, job.attempts) == (ExportJob.DONE, 3, 1)
    assert _rows(redis_app, job) == 4
    with redis_app.app_context():
        assert queue.rq_queue(redis_app).count == 0


@needs_redis
def test_on_rq_a_run_after_a_lost_one_takes_the_job_over(redis_app, three):
    # RQ starts a job again only when its run is gone (the worker died): the new run takes over at once,
    # with no heartbeat to wait for, and the lost run can no longer write.
    job_id = three(redis_app)
    with redis_app.app_context():
        assert jobs.claim(job_id, queued=True) == 1
        assert jobs.claim(job_id, queued=True) == 2
        jobs.run(redis_app, job_id, 1, heartbeat=False)  # the lost run, finishing after all
    assert _job(redis_app, job_id).status == ExportJob.RUNNING
    with redis_app.app_context():
        jobs.make_file(job_id)  # RQ's next try: run 3
    job = _job(redis_app, job_id)
    assert (job.status, job.attempts) == (ExportJob.DONE, 3)


@needs_redis
def test_on_rq_an_export_lost_on_every_try_fails_with_the_reason(redis_app, three):
    from types import SimpleNamespace

    job_id = three(redis_app)
    with redis_app.app_context():
        jobs.claim(job_id, queued=True)
        still_trying = SimpleNamespace(retries_left=1, args=("app.research.jobs.make_file", job_id))
        jobs.gave_up(still_trying, None, None, None, None)
        assert _job(redis_app, job_id).status == ExportJob.RUNNING
        jobs.gave_up(SimpleNamespace(retries_left=0, args=still_trying.args), None, None, None, None)
    job = _job(redis_app, job_id)
    assert job.status == ExportJob.FAILED and "interrupted" in job.error and job.finished_at


@needs_redis
def test_on_rq_the_progress_page_never_starts_a_run_itself(redis_app, three):
    from datetime import timedelta

    from app.extensions import db
    from app.models import utcnow

    job_id = three(redis_app)
    with redis_app.app_context():
        job = db.session.get(ExportJob, job_id)
        job.status, job.attempts = ExportJob.RUNNING, 1
        job.heartbeat_at = utcnow() - timedelta(hours=1)  # an xlsx being saved writes no progress
        db.session.commit()
        assert not jobs.resume_if_stopped(redis_app, job)
        assert job.attempts == 1


def test_flask_worker_says_it_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output


def test_without_redis_queued_work_runs_in_this_process(app):
    done = []
    with app.app_context():
        queue.enqueue(done.append, 7)
    queue.wait_for_jobs(app)
    assert done == [7]
