"""Reloading: every worker serves what was published last, within its check interval, without a restart.

Two apps on one database stand for two instances (or two workers) with surveys folders of their own.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import Publication
from app.surveys.catalog import current_registry

BINS = """\
id: bins
title: Sorting at the bins
pages:
  - id: p
    questions:
      - {id: colour, type: text, label: Which colour is the lid}
"""
LAUNDRY = BINS.replace("id: bins", "id: laundry").replace("title: Sorting at the bins", "title: Laundry")
RETITLED = BINS.replace("Sorting at the bins", "Sorting waste at the bins")


def instance(make_app, folder, **settings):
    return make_app(LYSSNA_SURVEYS_DIR=str(folder), LYSSNA_RELOAD_CHECK_SECONDS=0, **settings)


def sync(app) -> str:
    result = app.test_cli_runner().invoke(args=["surveys", "sync"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_survey_synced_on_one_instance_is_served_by_another_without_restart(make_app, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "bins.yaml").write_text(BINS)
    serving = instance(make_app, first).test_client()
    assert "Sorting at the bins" in serving.get("/s/bins").get_data(as_text=True)
    assert serving.get("/s/laundry").status_code == 404

    (second / "bins.yaml").write_text(RETITLED)
    (second / "laundry.yaml").write_text(LAUNDRY)
    output = sync(instance(make_app, second))
    assert "bins: new version 2" in output
    assert "laundry: new version 1" in output

    assert serving.get("/s/laundry").status_code == 200
    page = serving.get("/s/bins").get_data(as_text=True)
    assert "Sorting waste at the bins" in page  # the page kept from before the change is not shown again
    assert "Sorting at the bins" not in page


def test_an_instance_whose_folder_is_behind_does_not_take_a_survey_back(make_app, tmp_path, caplog):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "bins.yaml").write_text(BINS)
    (new / "bins.yaml").write_text(RETITLED)
    sync(instance(make_app, old))
    sync(instance(make_app, new))

    behind = instance(make_app, old)  # started again with the file of version 1
    page = behind.test_client().get("/s/bins").get_data(as_text=True)
    assert "Sorting waste at the bins" in page
    assert any("holds an earlier version than the published one" in r.getMessage() for r in caplog.records)


def test_a_file_edited_in_place_is_published_when_the_service_starts_again(
    make_app, write_survey, surveys_dir
):
    write_survey(BINS)
    sync(instance(make_app, surveys_dir))
    write_survey(RETITLED)
    restarted = instance(make_app, surveys_dir)
    page = restarted.test_client().get("/s/bins").get_data(as_text=True)
    assert "Sorting waste at the bins" in page
    with restarted.app_context():
        hows = db.session.scalars(select(Publication.how).order_by(Publication.id)).all()
    assert hows == [Publication.SYNC, Publication.START]


def test_sync_of_an_earlier_file_publishes_it_again(make_app, write_survey, surveys_dir):
    write_survey(BINS)
    app = instance(make_app, surveys_dir)
    sync(app)
    write_survey(RETITLED)
    sync(app)
    write_survey(BINS)
    output = sync(app)
    assert output.splitlines()[0] == "bins: version 1 published again, changes since version 2:"
    assert "Sorting at the bins" in app.test_client().get("/s/bins").get_data(as_text=True)


def test_a_worker_asks_the_database_at_most_once_per_interval(make_app, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "bins.yaml").write_text(BINS)
    (second / "laundry.yaml").write_text(LAUNDRY)
    slow = make_app(LYSSNA_SURVEYS_DIR=str(first), LYSSNA_RELOAD_CHECK_SECONDS=3600)
    client = slow.test_client()
    assert client.get("/s/laundry").status_code == 404
    sync(instance(make_app, second))
    assert client.get("/s/laundry").status_code == 404  # not asked again within the hour
    slow.extensions["lyssna.catalog"].look_again()
    assert client.get("/s/laundry").status_code == 200


def test_a_survey_published_elsewhere_is_served_without_its_file(make_app, tmp_path):
    empty, other = tmp_path / "empty", tmp_path / "other"
    empty.mkdir()
    other.mkdir()
    (other / "laundry.yaml").write_text(LAUNDRY)
    sync(instance(make_app, other))
    app = instance(make_app, empty)
    with app.app_context():
        assert sorted(current_registry().surveys) == ["laundry"]
    assert app.test_client().get("/healthz").get_json()["surveys"] == 1
