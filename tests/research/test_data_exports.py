"""The data package, the DDI codebook and the file across waves, offered on the survey page and the pilot
page of the researcher area."""

import io
import json
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pytest

from app.models import AuditEvent
from app.research import jobs

from .conftest import post_export


@pytest.fixture
def housing(db, make_response):
    make_response("housing-baseline", landlord_stars=3, winter_comfort=2)
    make_response("housing-baseline", landlord_stars=4, winter_comfort=2)
    make_response("housing-follow-up-1", landlord_stars=5, winter_comfort=3, noticed_difference=1)
    db.commit()


def test_survey_page_offers_the_data_package_and_ddi(client, login_as, housing):
    login_as(surveys=["housing-baseline"])
    page = client.get("/admin/surveys/housing-baseline").get_data(as_text=True)
    assert 'value="datapackage"' in page and 'value="ddi"' in page


def test_survey_data_package_downloads_as_a_zip_of_its_folder(client, db, login_as, housing):
    login_as(surveys=["housing-baseline"])
    response = post_export(client, "/admin/surveys/housing-baseline/export?format=datapackage&lang=en")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    name = response.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert name.startswith("housing-baseline-") and name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        files = {n.split("/", 1)[1]: archive.read(n) for n in archive.namelist()}
    descriptor = json.loads(files["datapackage.json"])
    csv_name = descriptor["resources"][0]["path"]
    data = pd.read_csv(io.BytesIO(files[csv_name]), encoding="utf-8-sig")
    assert [f["name"] for f in descriptor["resources"][0]["schema"]["fields"]] == list(data.columns)
    event = db.query(AuditEvent).filter_by(action="export").one()
    assert event.detail["format"] == "csv" and event.detail["datapackage"] is True


def test_survey_ddi_downloads(client, login_as, housing):
    login_as(surveys=["housing-baseline"])
    response = post_export(client, "/admin/surveys/housing-baseline/export?format=ddi")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)  # noqa: S314 (our own export)
    assert root.tag == "{ddi:codebook:2_5}codeBook"


def test_large_data_package_is_made_in_the_background_as_a_zip(app, client, login_as, housing):
    app.config["LYSSNA_EXPORT_INLINE_ROWS"] = 0
    login_as(surveys=["housing-baseline"])
    response = post_export(client, "/admin/surveys/housing-baseline/export?format=datapackage")
    assert response.status_code == 302
    jobs.wait_for_jobs()
    download = client.get(response.location + "/download")
    assert download.status_code == 200
    name = download.headers["Content-Disposition"]
    assert ".zip" in name
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert any(n.endswith("/datapackage.json") for n in archive.namelist())


def test_pilot_page_offers_the_export_across_waves(client, login_as, housing):
    login_as(surveys=["housing-baseline", "housing-follow-up-1"])
    page = client.get("/admin/pilots/housing-2026").get_data(as_text=True)
    assert 'action="/admin/pilots/housing-2026/export"' in page
    for fmt in ("xlsx", "csv", "sav", "zsav", "dta", "json", "datapackage", "ddi"):
        assert f'value="{fmt}"' in page


def test_pilot_export_holds_every_wave_with_its_column(client, db, login_as, housing):
    login_as(surveys=["housing-baseline", "housing-follow-up-1"])
    response = post_export(client, "/admin/pilots/housing-2026/export?format=csv")
    assert response.status_code == 200, response.get_data(as_text=True)
    name = response.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert name.startswith("housing-2026-waves-") and name.endswith(".csv")
    data = pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert data["wave"].tolist() == ["baseline", "baseline", "follow-up-1"]
    assert data["noticed_difference"].tolist() == ["", "", "1"]
    event = db.query(AuditEvent).filter_by(action="export").one()
    assert event.detail["pilot"] == "housing-2026" and event.detail["rows"] == 3
    assert event.detail["surveys"] == ["housing-baseline", "housing-follow-up-1"]


def test_pilot_export_holds_only_the_waves_granted(client, login_as, housing):
    login_as(surveys=["housing-baseline"])
    response = post_export(client, "/admin/pilots/housing-2026/export?format=csv")
    data = pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(data["survey"]) == {"housing-baseline"}
    assert "noticed_difference" not in data.columns


def test_pilot_export_of_a_pilot_not_granted_is_404(client, login_as, housing):
    login_as(surveys=["waste-sorting"])
    assert post_export(client, "/admin/pilots/housing-2026/export?format=csv").status_code == 404


@pytest.mark.parametrize(
    ("fmt", "mimetype"), [("datapackage", "application/zip"), ("ddi", "application/xml")]
)
def test_pilot_data_package_and_ddi(client, login_as, housing, fmt, mimetype):
    login_as(surveys=["housing-baseline", "housing-follow-up-1"])
    response = post_export(client, f"/admin/pilots/housing-2026/export?format={fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype


def test_runs_in_background_counts_ddi_as_cheap(app):
    with app.app_context():
        assert not jobs.runs_in_background("ddi", 10**9)
