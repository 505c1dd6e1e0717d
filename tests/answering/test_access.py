"""Who gets in and how: kiosk devices, participant codes, CSRF expiry, drafts and closed surveys,
languages and right-to-left pages."""

import csv
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import ParticipantCode, Response

from .conftest import follow_back, read
from .surveys import PERSIAN, STATES
from .test_pages import FIRST, items, next_


def test_kiosk_restarts_clean_after_the_thank_you_page(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "kiosk", "?lang=sv")
    assert "resume-link" not in page.html
    done = next_(browse, client, page, {"mood": "5"})
    assert done.location.endswith("/s/kiosk/thanks")
    assert client.get_cookie("lyssna-kiosk", path="/s/kiosk") is None
    thanks = browse.get(client, done.location)
    [first] = stored("kiosk")
    assert first.receipt_code in thanks.html
    assert "Börja om för nästa person" in thanks.html
    assert first.receipt_code not in browse.get(client, done.location).html  # shown once only

    again = browse.get(client, "/s/kiosk")
    assert again.status == 200 and again.action == "/s/kiosk"
    next_(browse, client, start(client, "kiosk"), {"mood": "1"})
    assert [r.answers for r in stored("kiosk")] == [{"mood": 5}, {"mood": 1}]


def test_kiosk_has_no_resume(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "kiosk")
    assert client.get_cookie("lyssna-kiosk", path="/s/kiosk") is None  # nothing stored before a page is sent
    browse.post(client, page, {"mood": "5", "nav": "back"})  # a page sent (Back): the response is stored
    token = client.get_cookie("lyssna-kiosk", path="/s/kiosk")
    assert token.expires is None  # ends with the browser session
    other = lab.test_client()
    assert browse.get(other, f"/s/kiosk/r/{token.value}").location.endswith("/s/kiosk")
    # The next person at the kiosk starts afresh even while the first response is unfinished.
    assert browse.get(client, "/s/kiosk").status == 200


def _codes(app, survey_id: str, n: int) -> list[str]:
    from app.answering.access import generate_codes

    with app.app_context():
        codes = generate_codes(db.session, survey_id, n)
        db.session.commit()
    return codes


def test_token_survey_asks_for_a_code_and_each_code_answers_once(lab, browse, stored):
    code = _codes(lab, "panel", 2)[0]
    client = lab.test_client()
    page = browse.get(client, "/s/panel?lang=en")  # a Swedish-only survey stays Swedish
    assert 'name="code"' in page.html and "Deltagarkod" in page.html

    missing = browse.post(client, page, {"code": ""})
    assert missing.error_summary() == ["code"] and "Skriv deltagarkoden" in missing.html
    wrong = browse.post(client, page, {"code": "ZZZZ-ZZZZ-ZZZZ"})
    assert "Koden kan inte starta enkäten" in wrong.html and 'aria-invalid="true"' in wrong.html
    assert stored("panel") == []

    typed = code.lower().replace("-", " ")  # residents type codes loosely
    moved = browse.post(client, page, {"code": typed})
    assert moved.status == 302
    page = browse.get(client, moved.location)
    page = browse.get(client, next_(browse, client, page, {"q": "a"}).location)
    assert next_(browse, client, page, {"r": "b"}).location.endswith("/thanks")

    [response] = stored("panel")
    assert response.participant_code == code and response.status == Response.COMPLETE
    with lab.app_context():
        row = db.session.scalars(select(ParticipantCode).filter_by(code=code)).one()
        assert row.used_at is not None and row.response_id == response.id

    other = lab.test_client()
    start_page = browse.get(other, f"/s/panel?code={code}")
    assert f'value="{code}"' in start_page.html
    used = browse.post(other, start_page, {"code": code})
    # A used code gets the very words an unknown one gets: trying codes tells nobody which exist.
    assert used.status == 200 and "Koden kan inte starta enkäten" in used.html
    assert len(stored("panel")) == 1


def test_a_code_started_on_one_phone_continues_on_another(lab, browse, stored):
    code = _codes(lab, "panel", 1)[0]
    phone = lab.test_client()
    page = browse.get(phone, f"/s/panel?code={code}")
    first = browse.get(phone, browse.post(phone, page, {"code": code}).location)
    next_(browse, phone, first, {"q": "from the phone"})

    laptop = lab.test_client()
    page = browse.get(laptop, "/s/panel")
    moved = browse.post(laptop, page, {"code": code})
    assert moved.location.endswith("/s/panel/p/two")
    assert len(stored("panel")) == 1 and stored("panel")[0].answers == {"q": "from the phone"}


def test_codes_command_writes_a_csv_into_the_exports_folder(lab):
    result = lab.test_cli_runner().invoke(args=["surveys", "codes", "panel", "--count", "3"])
    assert result.exit_code == 0, result.output
    [path] = Path(lab.config["LYSSNA_EXPORTS_DIR"]).glob("codes-panel-*.csv")
    with path.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 3 and all(r["link"] == f"/s/panel?code={r['code']}" for r in rows)
    with lab.app_context():
        stored = set(db.session.scalars(select(ParticipantCode.code).filter_by(survey_id="panel")))
    assert stored == {r["code"] for r in rows}

    refused = lab.test_cli_runner().invoke(args=["surveys", "codes", "lab", "--count", "3"])
    assert refused.exit_code != 0 and "not an `access: token` survey" in refused.output


def test_missing_csrf_token_shows_the_page_again_with_the_answers(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "lab", "?lang=en")
    again = browse.post(client, page, [*items(FIRST), ("nav", "next")], keep=("shown",))
    assert again.status == 200
    assert "Your session had expired" in again.html
    assert again.value("word") == "abc" and again.values("many") == ["a", "b"]
    assert again.csrf
    assert stored("lab") == []  # nothing was stored: the page was not accepted
    moved = next_(browse, client, again, FIRST)
    assert moved.status == 302 and stored("lab")[0].answers["word"] == "abc"


def test_expired_session_keeps_the_answers_and_gives_a_fresh_token(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "lab", "?lang=sv")
    page = browse.get(client, next_(browse, client, page, FIRST).location)  # the response is stored
    page = browse.get(client, browse.post(client, page, {"nav": "back"}).location)
    token = client.get_cookie("lyssna-lab", path="/s/lab").value
    later = lab.test_client()  # the session (and its CSRF secret) is gone, the resume cookie is not
    later.set_cookie("lyssna-lab", token, path="/s/lab")
    again = browse.post(later, page, [*items(FIRST), ("nav", "next")])
    assert again.status == 200 and "Din session hade gått ut" in again.html
    assert again.value("word") == "abc" and again.csrf != page.csrf
    assert next_(browse, later, again, FIRST).status == 302


def test_expired_session_is_explained_in_the_language_of_the_response(lab, browse, start):
    client = lab.test_client()
    page = start(client, "lab", "?lang=en")
    page = browse.get(client, next_(browse, client, page, FIRST).location)  # the response is stored
    page = browse.get(client, browse.post(client, page, {"nav": "back"}).location)
    later = lab.test_client()  # a Swedish browser, without the session that remembered English
    later.set_cookie("lyssna-lab", client.get_cookie("lyssna-lab", path="/s/lab").value, path="/s/lab")
    data = [(n, v) for n, v in page.fields if n == "shown"] + [*items(FIRST), ("nav", "next")]
    sent = read(later.post(page.action, data=MultiDict(data), headers={"Accept-Language": "sv"}))
    again = follow_back(later, page.action, sent)
    assert again.status == 200 and '<html lang="en"' in again.html
    assert "Your session had expired" in again.html


def test_missing_csrf_token_on_the_start_page_starts_nothing(lab, browse, stored):
    client = lab.test_client()
    page = browse.get(client, "/s/lab?station=12")
    again = browse.post(client, page, {}, keep=())
    assert again.status == 200 and again.csrf and again.action == "/s/lab?station=12"
    assert stored("lab") == []


@pytest.mark.parametrize(
    ("extra", "status", "text"),
    [
        ("status: draft", 404, None),
        ("closes_at: 2020-01-31", 410, "Enkäten stängde 31 januari 2020."),
        ("status: closed", 410, "Enkäten är stängd."),
        ("opens_at: 2999-03-01", 200, "Den öppnar 1 mars 2999."),
    ],
)
def test_surveys_that_are_not_open_say_so(make_app, write_survey, surveys_dir, extra, status, text):
    write_survey(STATES.format(id="dated", extra=extra))
    client = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).test_client()
    for url in ("/s/dated", "/s/dated/p/p"):
        response = client.get(url, headers={"Accept-Language": "sv"})
        assert response.status_code == status
        if text:
            assert text in response.get_data(as_text=True)
            assert 'name="csrf_token"' not in response.get_data(as_text=True)


def test_unknown_survey_is_not_found(client):
    assert client.get("/s/no-such-survey").status_code == 404


def test_language_from_the_browser_then_the_choice_is_remembered(lab, browse):
    client = lab.test_client()
    page = browse.get(client, "/s/lab", headers={"Accept-Language": "ar,en;q=0.5"})
    assert '<html lang="ar" dir="rtl">' in page.html and "ابدأ" in page.html
    page = browse.get(client, "/s/lab?lang=en", headers={"Accept-Language": "ar"})
    assert '<html lang="en" dir="ltr">' in page.html
    page = browse.get(client, "/s/lab", headers={"Accept-Language": "ar"})
    assert '<html lang="en" dir="ltr">' in page.html
    assert browse.get(lab.test_client(), "/s/lab?lang=xx").html.count('<html lang="sv"') == 1


def test_a_language_without_interface_strings_falls_back_to_english_marked_as_english(
    make_app, write_survey, surveys_dir, browse, start
):
    # Issue 15: the English fallback was unmarked, so a Persian voice read it, and its full stop
    # landed on the wrong side (".Enter a number"). Each fallback text now carries lang and dir.
    # Pashto has no catalog (Persian has one now), and the survey's first language is Pashto itself.
    pashto = PERSIAN.replace("id: farsi", "id: pashto").replace("fa:", "ps:")
    write_survey(pashto.replace("[fa, sv]", "[ps, sv]"))
    client = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).test_client()
    page = browse.get(client, "/s/pashto", headers={"Accept-Language": "ps"})
    assert '<html lang="ps" dir="rtl">' in page.html
    assert "نظرسنجی" in page.html and '><span lang="en" dir="ltr">Start</span></button>' in page.html
    first = start(client, "pashto")
    again = next_(browse, client, first, {"q": ""})
    assert "سؤال" in again.html and '<span lang="en" dir="ltr">Enter an answer.</span>' in again.html


def test_a_persian_page_speaks_persian_now_that_it_has_a_catalog(lab, browse, start):
    first = start(lab.test_client(), "farsi", "?lang=fa")
    assert '<html lang="fa" dir="rtl">' in first.html and "<span lang=" not in first.html.split("<footer")[0]


def test_arabic_pages_are_right_to_left_with_arabic_interface(lab, browse, start):
    client = lab.test_client()
    page = start(client, "lab", "?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.html
    assert "الصفحة 1 من 4 على الأكثر" in page.html and "التالي" in page.html
    again = next_(browse, client, page, {**FIRST, "word": ""})
    assert "هناك ما يحتاج إلى تصحيح" in again.html and "اكتب إجابة." in again.html


def test_privacy_notice_and_public_pages_in_every_interface_language(lab, client):
    notice = client.get("/s/waste-sorting/privacy?lang=en")
    assert notice.status_code == 200
    assert "The municipality is responsible for this survey" in notice.get_data(as_text=True)
    assert lab.test_client().get("/s/lab/privacy?lang=ar").location == "/privacy?lang=ar"
    for lang, text in (("sv", "DIGG"), ("en", "DIGG"), ("ar", "DIGG")):
        page = client.get(f"/accessibility?lang={lang}").get_data(as_text=True)
        assert (
            f'<html lang="{lang}"' in page and text in page and "Myndigheten för digital förvaltning" in page
        )
    for lang, text in (("sv", "kvittokod"), ("en", "receipt code"), ("ar", "رمز الإيصال")):
        page = client.get(f"/privacy?lang={lang}").get_data(as_text=True)
        assert text in page and "IP" in page
