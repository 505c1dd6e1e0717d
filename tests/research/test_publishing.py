"""Publishing in the browser (issue 17): upload a survey file, read its located problems and what it
changes, fix it on the page, preview it as a resident (only in this browser, as test responses),
publish it (served at once, written to the surveys folder, audited); open and close a survey."""

import io
import re
import stat

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, Publication, Researcher, Response, SurveyUpload
from app.surveys.catalog import current_registry

from .conftest import csrf_from

TRIAL = """\
# The trial survey: these comments stay when it is opened or closed.
id: trial
title: {sv: Försök, en: Trial}
languages: [sv, en]
status: open  # residents may answer
pages:
  - id: p
    questions:
      - {id: q, type: text, label: {sv: Fråga, en: Question}}  # the main question
      - {id: r, type: integer, label: {sv: Antal, en: Count}}
"""

BINS = """\
# Bin feedback: a short survey for the QR code on each bin.
id: bins
title:
  sv: Hur fungerar soptunnan?
  en: How is the bin working?
languages: [sv, en]
pages:
  - id: main
    questions:
      - id: full
        type: single_choice
        label: {sv: "Var den full?", en: "Was it full?"}
        choices:
          - {value: 1, label: {sv: Ja, en: "Yes"}}
          - {value: 0, label: {sv: Nej, en: "No"}}
      - id: comment
        type: long_txt
        label: {sv: Kommentar, en: Comment}
"""
BINS_PROBLEM = (
    "bins.yaml:16: pages[0].questions[1]: unknown question type &#39;long_txt&#39; (expected one of: "
    "note, text, long_text, integer, decimal, date, single_choice, multiple_choice, matrix, rating, "
    "ranking, photo)"
)
BINS_FIXED = BINS.replace("type: long_txt", "type: long_text")


OTHER = """\
id: other
title: Another survey
pages:
  - id: p
    questions:
      - {id: q, type: text, label: Q}
"""


@pytest.fixture
def app(make_app, write_survey, surveys_dir):
    write_survey(TRIAL)
    write_survey(OTHER)
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


# Files are limited to 1 MB; the tests use a smaller limit (the test client spools larger bodies to
# a temporary file it never closes).
SMALL_LIMIT = 20_000


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr("app.research.publishing.MAX_BYTES", SMALL_LIMIT)


@pytest.fixture
def admin(login_as):
    return login_as(Researcher.ADMIN)


def upload(client, url: str, name: str, text: str | bytes):
    """Send a file from the upload form at `url` (its page gives the form token)."""
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def send_text(client, url: str, text: str):
    """Send the text form (as a browser does: multipart, CR LF line breaks)."""
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    return client.post(
        url,
        data={"csrf_token": token, "text": text.replace("\n", "\r\n")},
        content_type="multipart/form-data",
    )


def press(client, url: str, **fields):
    """Press a button: POST the form token (and fields) to `url`."""
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **fields})


def upload_id(response) -> str:
    match = re.fullmatch(r"/admin/uploads/([0-9a-f]{32})", response.location)
    assert match, response.location
    return match.group(1)


def actions(db) -> list[tuple[str, str | None, dict]]:
    db.expire_all()
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(e.action, e.survey_id, e.detail) for e in events if e.action not in ("sign_in",)]


def publications(db, survey_id: str) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Publication).filter_by(survey_id=survey_id))


def answer(client, survey_id: str, **answers):
    """Consent and send the survey's first page as a resident would."""
    page = client.get(f"/s/{survey_id}")
    consented = client.post(f"/s/{survey_id}", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert consented.status_code == 302, consented.get_data(as_text=True)[:500]
    first = client.get(consented.location)
    token = csrf_from(first.get_data(as_text=True))
    return client.post(consented.location, data={"csrf_token": token, "nav": "next", **answers})


# ----------------------------------------------------------------------------- a new survey


def test_an_upload_with_a_mistake_shows_the_located_problem_and_keeps_the_file(client, db, admin):
    sent = upload(client, "/admin/surveys/new", "bins.yaml", BINS)
    assert sent.status_code == 302
    page = client.get(sent.location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert BINS_PROBLEM in html
    assert "Publish version" not in html and "Preview as a resident" not in html
    assert "type: long_txt" in html  # the text, in the textarea to fix it
    kept = db.scalars(select(SurveyUpload)).one()
    assert (kept.survey_id, kept.file_name, kept.text) == ("bins", "bins.yaml", BINS)
    assert current_registry().get("bins") is None


def test_the_fixed_text_is_a_new_upload_that_publishes_and_is_served_at_once(
    app, client, db, admin, surveys_dir
):
    first = upload_id(upload(client, "/admin/surveys/new", "bins.yaml", BINS))
    fixed = send_text(client, f"/admin/uploads/{first}", BINS_FIXED)
    assert fixed.status_code == 302
    second = upload_id(fixed)
    assert second != first
    page = client.get(f"/admin/uploads/{second}").get_data(as_text=True)
    assert "The file is valid" in page and "publishing adds the survey, as version 1" in page
    resident = app.test_client()
    assert resident.get("/s/bins").status_code == 404
    published = press(client, f"/admin/uploads/{second}/publish")
    assert published.status_code == 302
    assert published.location == "/admin/surveys/bins/publish"
    assert "How is the bin working?" in resident.get("/s/bins?lang=en").get_data(as_text=True)
    assert (surveys_dir / "bins.yaml").read_text(encoding="utf-8") == BINS_FIXED  # LF, as it was sent
    db.expire_all()
    assert [u.text for u in db.scalars(select(SurveyUpload).order_by(SurveyUpload.id))] == [BINS, BINS_FIXED]


def test_a_new_survey_must_be_named_after_its_id(client, admin):
    sent = upload(client, "/admin/surveys/new", "My bins.yaml", BINS)
    assert sent.status_code == 400
    assert "Name the file after the new survey&#39;s id" in sent.get_data(as_text=True)
    assert (
        upload(client, "/admin/surveys/new", "new.yaml", BINS.replace("id: bins", "id: new")).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bins.yml", BINS.encode(), "whose name ends in .yaml"),
        ("bins.txt", BINS.encode(), "whose name ends in .yaml"),
        ("bins.yaml", BINS.encode() + b"#" * SMALL_LIMIT, "larger than 1 MB"),
        ("bins.yaml", BINS.replace("Var", "Vär").encode("latin-1"), "not UTF-8 text"),
        ("bins.yaml", BINS.encode() + b"\x00\x01", "not UTF-8 text"),
        ("bins.yaml", b"", "The file is empty"),
        ("", b"", "Choose a survey file"),
    ],
    ids=["yml", "txt", "too-large", "latin-1", "binary", "empty", "none-chosen"],
)
def test_a_file_that_cannot_be_a_survey_file_is_refused_with_a_message(
    client, db, admin, small_limit, name, data, message
):
    sent = upload(client, "/admin/surveys/new", name, data)
    assert sent.status_code == 400
    assert message in sent.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(SurveyUpload)) == 0


def test_an_upload_on_a_survey_page_whose_id_is_another_says_so(client, admin):
    sent = upload(
        client, "/admin/surveys/trial/publish", "trial.yaml", TRIAL.replace("id: trial", "id: other")
    )
    page = client.get(sent.location).get_data(as_text=True)
    assert "trial.yaml:2: id: id &#39;other&#39; does not match the file name &#39;trial.yaml&#39;" in page


# ----------------------------------------------------------------------------- a new version


def test_the_page_shows_what_a_new_version_changes_and_warns_about_answers_given(
    app, client, db, admin, make_response
):
    make_response("trial", q="hej", r=3)
    db.commit()
    changed = TRIAL.replace("Trial}", "Trial run}").replace(
        "      - {id: r, type: integer, label: {sv: Antal, en: Count}}\n", ""
    )
    page = client.get(upload(client, "/admin/surveys/trial/publish", "trial-2.yaml", changed).location)
    html = page.get_data(as_text=True)
    assert "Publishing records version 2. Changes since the live version 1:" in html
    assert "survey title reworded (en): &#34;Trial&#34; -&gt; &#34;Trial run&#34;" in html
    assert "question &#39;r&#39; was removed from page &#39;p&#39;" in html
    assert "Check before publishing: answers already given" in html
    assert "while 1 response(s) exist on earlier versions" in html
    assert "Publish version 2" in html


def test_publishing_a_new_version_changes_the_served_survey_without_a_restart(
    app, client, db, admin, surveys_dir
):
    resident = app.test_client()
    assert "Trial run" not in resident.get("/s/trial?lang=en").get_data(as_text=True)
    changed = TRIAL.replace("Trial}", "Trial run}")
    sent = upload(client, "/admin/surveys/trial/publish", "anything.yaml", changed)
    assert press(client, f"{sent.location}/publish").status_code == 302
    assert "Trial run" in resident.get("/s/trial?lang=en").get_data(as_text=True)
    written = surveys_dir / "trial.yaml"
    assert written.read_text(encoding="utf-8") == changed
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    assert not [p for p in surveys_dir.iterdir() if p.name.startswith(".")]  # no temporary file left
    db.expire_all()
    assert db.scalars(select(Publication).order_by(Publication.id.desc())).first().by == "admin@example.org"


def test_the_live_version_again_is_not_published_again(client, db, admin):
    sent = upload(client, "/admin/surveys/trial/publish", "trial.yaml", TRIAL)
    assert "This is the live version (1): publishing would change nothing." in client.get(
        sent.location
    ).get_data(as_text=True)
    assert press(client, f"{sent.location}/publish").status_code == 302
    assert publications(db, "trial") == 1


def test_the_live_file_can_be_edited_on_the_survey_page(client, db, admin):
    page = client.get("/admin/surveys/trial/publish").get_data(as_text=True)
    assert "# The trial survey: these comments stay" in page  # the live file, in the textarea
    sent = send_text(client, "/admin/surveys/trial/edit", TRIAL.replace("Trial}", "Trial run}"))
    html = client.get(sent.location).get_data(as_text=True)
    assert "survey title reworded (en)" in html
    assert db.scalars(select(SurveyUpload)).one().file_name == "trial.yaml"


def test_a_text_too_large_is_refused_and_kept_in_the_form(client, admin, small_limit):
    sent = upload(client, "/admin/surveys/new", "bins.yaml", BINS)
    large = BINS + "# " + "x" * SMALL_LIMIT + "\n"
    again = send_text(client, sent.location, large)
    assert again.status_code == 400
    html = again.get_data(as_text=True)
    assert "The text is larger than 1 MB" in html
    assert "x" * 1000 in html


def test_an_unwritable_surveys_folder_publishes_nothing_and_says_why(app, client, db, admin, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    app.config["LYSSNA_SURVEYS_DIR"] = str(blocked / "surveys")  # even root cannot write there
    sent = upload(client, "/admin/surveys/trial/publish", "trial.yaml", TRIAL.replace("Trial}", "Trial run}"))
    refused = press(client, f"{sent.location}/publish")
    assert refused.status_code == 503
    html = refused.get_data(as_text=True)
    assert "Nothing was published" in html
    assert str(blocked / "surveys") in html and "docs/deploy.md" in html
    assert publications(db, "trial") == 1
    assert "survey_published" not in [a for a, _s, _d in actions(db)]
    assert "Trial run" not in app.test_client().get("/s/trial?lang=en").get_data(as_text=True)
    db.expire_all()
    assert db.scalars(select(SurveyUpload)).one().published_at is None


# ----------------------------------------------------------------------------- preview


def test_the_preview_is_served_to_this_browser_only_and_its_answers_are_test_responses(
    app, client, db, admin
):
    changed = TRIAL.replace("Trial}", "Trial run}")
    sent = upload(client, "/admin/surveys/trial/publish", "trial.yaml", changed)
    previewed = press(client, f"{sent.location}/preview")
    assert previewed.status_code == 302
    assert previewed.location == "/s/trial?lang=sv"
    start = client.get("/s/trial?lang=en").get_data(as_text=True)
    assert "Trial run" in start and "Preview: not published" in start and "End preview" in start
    other = app.test_client()
    elsewhere = other.get("/s/trial?lang=en").get_data(as_text=True)
    assert "Trial run" not in elsewhere and "Preview: not published" not in elsewhere
    assert answer(client, "trial", q="från förhandsvisningen").status_code == 302
    assert answer(other, "trial", q="from a resident").status_code == 302
    db.expire_all()
    rows = {r.answers["q"]: r for r in db.scalars(select(Response).filter_by(survey_id="trial"))}
    assert rows["från förhandsvisningen"].is_test is True
    assert rows["from a resident"].is_test is False
    assert rows["från förhandsvisningen"].version_id != rows["from a resident"].version_id
    assert publications(db, "trial") == 1  # previewing publishes nothing
    ended = press(client, "/admin/preview/end")
    assert ended.location == sent.location
    assert "Trial run" not in client.get("/s/trial?lang=en").get_data(as_text=True)


def test_a_preview_starts_afresh_so_a_real_response_of_this_browser_is_not_continued(app, client, db, admin):
    answer(client, "trial", q="real")  # this browser answers the live survey first (one page of one)
    sent = upload(client, "/admin/surveys/trial/publish", "trial.yaml", TRIAL.replace("Trial}", "Trial run}"))
    press(client, f"{sent.location}/preview")
    answer(client, "trial", q="preview")
    db.expire_all()
    rows = {r.answers["q"]: r.is_test for r in db.scalars(select(Response).filter_by(survey_id="trial"))}
    assert rows == {"real": False, "preview": True}


def test_a_new_survey_can_be_previewed_in_every_language_before_it_exists(app, client, admin):
    sent = send_text(client, upload(client, "/admin/surveys/new", "bins.yaml", BINS).location, BINS_FIXED)
    press(client, f"{sent.location}/preview")
    page = client.get("/s/bins?lang=en").get_data(as_text=True)
    assert "How is the bin working?" in page and "Preview: not published" in page
    assert 'href="/s/bins?lang=sv"' in page  # the page's own language switch
    assert "Hur fungerar soptunnan?" in client.get("/s/bins?lang=sv").get_data(as_text=True)
    assert app.test_client().get("/s/bins").status_code == 404


def test_publishing_ends_the_preview(app, client, admin):
    sent = upload(client, "/admin/surveys/trial/publish", "trial.yaml", TRIAL.replace("Trial}", "Trial run}"))
    press(client, f"{sent.location}/preview")
    press(client, f"{sent.location}/publish")
    page = client.get("/s/trial?lang=en").get_data(as_text=True)
    assert "Trial run" in page and "Preview: not published" not in page


# ----------------------------------------------------------------------------- who may


def _publishing_urls(upload_id: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/admin/surveys/trial/publish"),
        ("POST", "/admin/surveys/trial/publish"),
        ("POST", "/admin/surveys/trial/edit"),
        ("POST", "/admin/surveys/trial/status"),
        ("GET", f"/admin/uploads/{upload_id}"),
        ("POST", f"/admin/uploads/{upload_id}"),
        ("POST", f"/admin/uploads/{upload_id}/preview"),
        ("POST", f"/admin/uploads/{upload_id}/publish"),
    ]


def test_a_read_grant_gets_404_on_every_publishing_url(app, client, db, login_as, make_researcher, sign_in):
    manager = app.test_client()
    make_researcher("manager@example.org", surveys=["trial"], level="manage")
    sign_in("manager@example.org", target=manager)
    made = upload_id(upload(manager, "/admin/surveys/trial/publish", "trial.yaml", TRIAL))
    login_as(Researcher.RESEARCHER, surveys=["trial"], level="read")
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    for method, url in [
        *_publishing_urls(made),
        ("GET", "/admin/surveys/new"),
        ("POST", "/admin/surveys/new"),
    ]:
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 404, (method, url)
    assert "/admin/surveys/trial/publish" not in client.get("/admin/surveys/trial").get_data(as_text=True)


def test_a_manage_grant_publishes_its_survey_but_adds_no_new_one(app, client, db, login_as):
    login_as(Researcher.RESEARCHER, surveys=["trial"], level="manage")
    assert "/admin/surveys/trial/publish" in client.get("/admin/surveys/trial").get_data(as_text=True)
    assert "/admin/surveys/new" not in client.get("/admin/").get_data(as_text=True)
    assert client.get("/admin/surveys/new").status_code == 404
    assert upload(client, "/admin/surveys/new", "bins.yaml", BINS_FIXED).status_code == 404
    sent = upload(client, "/admin/surveys/trial/publish", "trial.yaml", TRIAL.replace("Trial}", "Trial run}"))
    assert press(client, f"{sent.location}/publish").status_code == 302
    assert "Trial run" in app.test_client().get("/s/trial?lang=en").get_data(as_text=True)
    assert publications(db, "trial") == 2


def test_a_manager_cannot_use_an_upload_of_a_new_survey_or_of_another_survey(
    app, client, login_as, make_researcher, sign_in
):
    boss = app.test_client()
    make_researcher("boss@example.org", role=Researcher.ADMIN)
    sign_in("boss@example.org", target=boss)
    new = upload_id(upload(boss, "/admin/surveys/new", "bins.yaml", BINS_FIXED))
    other = upload_id(upload(boss, "/admin/surveys/other/publish", "other.yaml", OTHER))
    login_as(Researcher.RESEARCHER, surveys=["trial"], level="manage")
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    for made in (new, other):
        assert client.get(f"/admin/uploads/{made}").status_code == 404
        for action in ("", "/preview", "/publish"):
            response = client.post(f"/admin/uploads/{made}{action}", data={"csrf_token": token})
            assert response.status_code == 404, action


# ----------------------------------------------------------------------------- open and close


def test_closing_a_survey_publishes_it_closed_and_keeps_the_comments(app, client, db, admin, surveys_dir):
    closed = press(client, "/admin/surveys/trial/status", status="closed", opens_at="", closes_at="")
    assert closed.status_code == 302
    assert app.test_client().get("/s/trial").status_code == 410
    text = (surveys_dir / "trial.yaml").read_text(encoding="utf-8")
    assert "# The trial survey: these comments stay when it is opened or closed." in text
    assert "status: closed  # residents may answer" in text
    assert "# the main question" in text
    assert ("survey_closed", "trial") in [(a, s) for a, s, _d in actions(db)]


def test_opening_with_dates_sets_them_in_the_file(app, client, db, admin, surveys_dir):
    press(client, "/admin/surveys/trial/status", status="draft", opens_at="", closes_at="")
    assert app.test_client().get("/s/trial").status_code == 404
    opened = press(
        client,
        "/admin/surveys/trial/status",
        status="open",
        opens_at="2999-01-01",
        closes_at="2999-01-31T18:00",
    )
    assert opened.status_code == 302
    text = (surveys_dir / "trial.yaml").read_text(encoding="utf-8")
    assert 'opens_at: "2999-01-01"' in text and 'closes_at: "2999-01-31T18:00"' in text
    assert "This survey is not open yet" in app.test_client().get("/s/trial?lang=en").get_data(as_text=True)
    events = [(a, d) for a, s, d in actions(db) if a.startswith("survey_") and a != "survey_published"]
    assert events[-2][0] == "survey_drafted"
    assert events[-1] == (
        "survey_opened",
        {"version": 3, "status": "open", "opens_at": "2999-01-01", "closes_at": "2999-01-31T18:00"},
    )


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "message"),
    [
        ("1 September", "", "Enter a date such as 2026-09-01"),
        ("2026-02-30", "", "Enter a date such as 2026-09-01"),
        ("2027-01-01", "2026-01-01", "trial.yaml:"),
    ],
    ids=["words", "no-such-day", "closes-before-opens"],
)
def test_a_wrong_date_gets_a_message_and_keeps_what_was_typed(
    client, db, admin, opens_at, closes_at, message
):
    refused = press(
        client, "/admin/surveys/trial/status", status="open", opens_at=opens_at, closes_at=closes_at
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert message in html
    assert f'value="{opens_at}"' in html
    assert publications(db, "trial") == 1


def test_status_unchanged_publishes_nothing(client, db, admin):
    press(client, "/admin/surveys/trial/status", status="open", opens_at="", closes_at="")
    assert publications(db, "trial") == 1


# ----------------------------------------------------------------------------- the audit log


def test_the_audit_log_shows_each_step(client, db, admin):
    first = upload_id(upload(client, "/admin/surveys/new", "bins.yaml", BINS))
    second = upload_id(send_text(client, f"/admin/uploads/{first}", BINS_FIXED))
    press(client, f"/admin/uploads/{second}/preview")
    press(client, f"/admin/uploads/{second}/publish")
    steps = [(a, s, d.get("problems"), d.get("version")) for a, s, d in actions(db)]
    assert steps == [
        ("survey_uploaded", "bins", 1, None),
        ("survey_uploaded", "bins", 0, None),
        ("survey_previewed", "bins", None, 1),
        ("survey_published", "bins", None, 1),
    ]
    page = client.get("/admin/audit").get_data(as_text=True)
    for words in ("Survey file uploaded", "Survey previewed", "Survey published"):
        assert words in page
