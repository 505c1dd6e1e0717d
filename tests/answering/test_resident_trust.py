"""The resident's side hardened: a planted resume link cannot attach a stranger's phone to a response."""

import re

import pytest
from werkzeug.datastructures import MultiDict

from app.models import Response

from .test_pages import FIRST, next_


def _planted_link(lab, browse, start) -> tuple[str, object]:
    """An attacker starts a response, answers page 1, and copies its resume link (to put on a QR sticker)."""
    attacker = lab.test_client()
    page = start(attacker, "lab")
    second = browse.get(attacker, next_(browse, attacker, page, FIRST).location)
    link = re.search(r'id="resume-link" value="([^"]+)"', second.html).group(1)
    return link.replace("http://localhost", ""), attacker


def test_opening_a_resume_link_asks_first_and_attaches_nothing(lab, browse, start, stored):
    link, _ = _planted_link(lab, browse, start)
    victim = lab.test_client()
    asked = browse.get(victim, link + "?lang=en")
    assert asked.status == 200  # a page that asks, not a redirect that sets the cookie
    assert victim.get_cookie("lyssna-lab", path="/s/lab") is None
    assert "Continue these answers" in asked.html and "Start new" in asked.html
    assert "abc" not in asked.html  # what was answered is never shown before the choice
    # Opening the first page without choosing: the start page, not the attacker's answers.
    assert browse.get(victim, "/s/lab/p/first").location.endswith("/s/lab")


def test_continuing_from_the_asking_page_attaches_the_response(lab, browse, start, stored):
    link, _ = _planted_link(lab, browse, start)
    laptop = lab.test_client()
    asked = browse.get(laptop, link)
    moved = browse.post(laptop, asked, {})
    assert moved.location.endswith("/s/lab/p/second")
    assert browse.get(laptop, "/s/lab/p/first").value("word") == "abc"
    assert len(stored("lab")) == 1


def test_a_resume_link_says_how_far_and_when_without_the_answers(lab, browse, start, stored):
    link, _ = _planted_link(lab, browse, start)
    asked = browse.get(lab.test_client(), link + "?lang=en")
    assert "1 of 3 pages answered" in asked.html
    assert "Last saved" in asked.html


def test_a_resume_link_of_a_sent_response_neither_attaches_nor_shows_its_receipt(lab, browse, start, stored):
    link, _ = _planted_link(lab, browse, start)
    [response] = stored("lab")
    from app.extensions import db

    with lab.app_context():
        row = db.session.get(Response, response.id)
        row.status, row.receipt_code = Response.COMPLETE, "ABCD-EFGH"
        db.session.commit()
    victim = lab.test_client()
    page = browse.get(victim, link)
    assert page.status == 200 and "ABCD-EFGH" not in page.html
    assert victim.get_cookie("lyssna-lab", path="/s/lab") is None
    assert "Continue these answers" not in page.html


def test_the_resume_link_is_shown_as_private(lab, browse, start):
    client = lab.test_client()
    page = start(client, "lab", "?lang=en")
    second = browse.get(client, next_(browse, client, page, FIRST).location)
    assert "Anyone with this link can see your answers" in second.html


def _codes(app, survey_id: str, n: int) -> list[str]:
    from app.answering.access import generate_codes
    from app.extensions import db

    with app.app_context():
        codes = generate_codes(db.session, survey_id, n)
        db.session.commit()
    return codes


def test_new_participant_codes_carry_60_bits_and_read_without_look_alikes(lab):
    from app.answering.access import CODE_ALPHABET, normalize_code

    codes = _codes(lab, "panel", 50)
    assert len(CODE_ALPHABET) == 32 and not set("ILOU") & set(CODE_ALPHABET)  # 5 bits a symbol
    for code in codes:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    typed = codes[0].lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalize_code(typed) == codes[0]


def _start_with_code(lab, browse, code: str, address: str = "203.0.113.7"):
    client = lab.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    page = browse.get(client, "/s/panel")
    return browse.post(client, page, {"code": code})


def test_an_unknown_code_and_a_used_code_get_the_same_page(lab, browse, start):
    used, fresh = _codes(lab, "panel", 2)
    from app.extensions import db
    from app.models import ParticipantCode, utcnow

    with lab.app_context():
        db.session.query(ParticipantCode).filter_by(code=used).update({"used_at": utcnow()})
        db.session.commit()
    unknown = "ZZZZ-ZZZZ-ZZZZ"
    answers = [_start_with_code(lab, browse, code) for code in (used, unknown)]
    messages = [re.search(r'id="code-error">(.*?)</p>', a.html, re.S).group(1) for a in answers]
    assert answers[0].status == answers[1].status == 200
    assert messages[0] == messages[1]
    assert _start_with_code(lab, browse, fresh).status == 302


def test_wrong_codes_are_limited_per_survey_across_addresses(make_app, write_survey, surveys_dir, browse):
    from .surveys import TOKEN

    write_survey(TOKEN)
    lab = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir), LYSSNA_CODE_FAILURES_PER_SURVEY="5/hour")
    [good] = _codes(lab, "panel", 1)
    for n in range(5):  # five guessers at five addresses
        assert _start_with_code(lab, browse, f"ZZZZ-ZZZZ-ZZZ{n}", f"198.51.100.{n}").status == 200
    stopped = _start_with_code(lab, browse, "ZZZZ-ZZZZ-ZZZ9", "198.51.100.99")
    assert "Wait an hour" in stopped.html or "Vänta en timme" in stopped.html
    # While the survey's budget is spent, no code is checked at all (a guess cannot succeed).
    assert _start_with_code(lab, browse, good, "198.51.100.100").status == 200


def test_wrong_codes_are_limited_per_client(make_app, write_survey, surveys_dir, browse):
    from .surveys import TOKEN

    write_survey(TOKEN)
    lab = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir), LYSSNA_CODE_FAILURES_PER_CLIENT="3/hour")
    [good] = _codes(lab, "panel", 1)
    for n in range(3):
        _start_with_code(lab, browse, f"ZZZZ-ZZZZ-ZZZ{n}", "192.0.2.1")
    assert "Vänta en timme" in _start_with_code(lab, browse, good, "192.0.2.1").html
    assert _start_with_code(lab, browse, good, "192.0.2.2").status == 302  # another household is not held up


def test_a_consent_alone_stores_nothing_even_sent_again_and_again(lab, browse, stored):
    client = lab.test_client()
    page = browse.get(client, "/s/lab?station=3")
    for _ in range(10):  # the same form token each time, as a script would send it
        assert browse.post(client, page, {}).status == 302
    assert stored("lab") == []


def test_the_first_page_sent_stores_the_response_with_its_consent_and_link_values(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "lab", "?station=3&lang=en")
    assert client.get_cookie("lyssna-lab", path="/s/lab") is None
    next_(browse, client, page, FIRST)
    [response] = stored("lab")
    assert response.hidden == {"station": "3"} and response.language == "en"
    assert response.answers["word"] == "abc"
    assert response.consented_at is not None and response.started_at <= response.updated_at
    assert client.get_cookie("lyssna-lab", path="/s/lab") is not None


@pytest.mark.parametrize(
    ("setting", "addresses"),
    [
        ("LYSSNA_NEW_RESPONSES_PER_CLIENT", ["203.0.113.9"] * 3),  # one household or kiosk
        ("LYSSNA_NEW_RESPONSES_PER_SURVEY", ["198.51.100.20", "198.51.100.21", "198.51.100.22"]),
    ],
)
def test_new_responses_are_limited_per_client_and_per_survey(
    make_app, write_survey, surveys_dir, browse, start, setting, addresses
):
    from .surveys import LAB

    write_survey(LAB)
    lab = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir), **{setting: "2/hour"})
    sent = []
    for address in addresses:
        client = lab.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        sent.append(next_(browse, client, start(client, "lab", "?lang=en"), FIRST))
    assert [s.status for s in sent] == [302, 302, 429]
    assert "Too many answers were started from here just now" in sent[2].html
    assert sent[2].value("word") == "abc"  # what was typed is still on the page
    if setting.endswith("CLIENT"):  # another household is not held up
        other = lab.test_client()
        other.environ_base["REMOTE_ADDR"] = "203.0.113.10"
        assert next_(browse, other, start(other, "lab"), FIRST).status == 302


def test_pictures_are_limited_in_kilobytes_per_client(make_app, write_survey, surveys_dir, start):
    from tests.test_media import phone_jpeg

    from .test_photos import SNAP, rows, upload

    write_survey(SNAP)
    snap = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir), LYSSNA_PHOTO_KB_PER_CLIENT="1/hour")
    client = snap.test_client()
    page = start(client, "snap", "?lang=en")
    first = upload(client, page, {"nav": "next"}, {"picture": (phone_jpeg(), "a.jpg")})
    assert len(rows(snap)) == 1  # the first picture is stored and spends the budget
    second = upload(client, first, {"nav": "next"}, {"picture": (phone_jpeg(), "b.jpg")})
    assert "Too many pictures were sent from here just now" in second.html
    assert len(rows(snap)) == 1


def _answer_lab_to_the_end(browse, client, start, query="?lang=en"):
    from .test_pages import SECOND

    page = start(client, "lab", query)
    page = browse.get(client, next_(browse, client, page, FIRST).location)
    last = browse.get(client, next_(browse, client, page, SECOND).location)
    return next_(browse, client, last, {"last": "done"})


def test_a_device_that_has_answered_is_told_so_on_the_start_page(lab, browse, start):
    client = lab.test_client()
    done = _answer_lab_to_the_end(browse, client, start)
    assert done.location.endswith("/s/lab/thanks")
    again = browse.get(client, "/s/lab?lang=en")
    assert again.status == 200 and "You have already answered this survey on this device" in again.html
    assert "already answered" not in browse.get(lab.test_client(), "/s/lab?lang=en").html
    assert next_(browse, client, start(client, "lab"), FIRST).status == 302  # answering again works


def test_the_thank_you_page_keeps_the_language_of_the_answers_on_another_phone(lab, browse, start):
    phone = lab.test_client()
    page = start(phone, "lab", "?lang=ar")
    second = browse.get(phone, next_(browse, phone, page, FIRST).location)
    link = (
        re.search(r'id="resume-link" value="([^"]+)"', second.html).group(1).replace("http://localhost", "")
    )
    laptop = lab.test_client()
    moved = browse.post(laptop, browse.get(laptop, link), {})
    from .test_pages import SECOND

    last = browse.get(laptop, next_(browse, laptop, browse.get(laptop, moved.location), SECOND).location)
    done = next_(browse, laptop, last, {"last": "done"})
    thanks = laptop.get(done.location, headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in thanks


def test_a_filled_spam_trap_is_counted_logged_and_never_thanked(lab, browse, start, stored, caplog):
    client = lab.test_client()
    page = browse.get(client, "/s/lab?lang=en")
    at_start = browse.post(client, page, {"leave_empty": "http://spam.example"})
    page = start(client, "lab", "?lang=en")
    on_a_page = next_(browse, client, page, {**FIRST, "leave_empty": "x"})
    for trapped in (at_start, on_a_page):
        assert trapped.status == 400
        assert "These answers could not be sent" in trapped.html and "Thank" not in trapped.html
    assert stored("lab") == []
    assert sum("spam trap filled" in r.getMessage() for r in caplog.records) == 2
    from app.extensions import db
    from app.models import TrapCount

    with lab.app_context():
        assert [t.count for t in db.session.query(TrapCount).filter_by(survey_id="lab")] == [2]


def test_a_page_with_mistakes_is_shown_after_a_redirect_so_back_and_reload_never_resend(lab, browse, start):
    client = lab.test_client()
    page = start(client, "lab", "?lang=en")
    data = [(n, v) for n, v in page.fields if n in ("csrf_token", "shown")]
    data += [("word", "ABC!"), ("count", "9"), ("nav", "next")]
    sent = client.post(page.action, data=MultiDict(data))
    assert sent.status_code == 302 and sent.location.endswith("/s/lab/p/first")
    for _ in range(2):  # the redirect, then a reload: the same page, mistakes and what was typed
        shown = browse.get(client, sent.location)
        assert shown.status == 200 and shown.error_summary()[:2] == ["word", "count"]
        assert shown.value("word") == "ABC!" and shown.value("count") == "9"
    moved = next_(browse, client, shown, FIRST)
    assert moved.location.endswith("/s/lab/p/second")
    back = browse.get(client, "/s/lab/p/first")  # Back: the answers as stored, no mistakes left
    assert back.error_summary() == [] and back.value("word") == "abc"


def test_a_code_that_does_not_work_is_shown_after_a_redirect(lab, browse):
    client = lab.test_client()
    page = browse.get(client, "/s/panel")
    data = [(n, v) for n, v in page.fields if n == "csrf_token"] + [("code", "zzzz zzzz zzzz")]
    sent = client.post(page.action, data=MultiDict(data))
    assert sent.status_code == 302 and sent.location.endswith("/s/panel")
    shown = browse.get(client, sent.location)
    assert shown.error_summary() == ["code"] and shown.value("code") == "zzzz zzzz zzzz"
    assert browse.get(client, sent.location).error_summary() == []  # said once; a reload starts clean


def _code_started_on_a_phone(lab, browse):
    [code] = _codes(lab, "panel", 1)
    phone = lab.test_client()
    page = browse.get(phone, f"/s/panel?code={code}")
    first = browse.get(phone, browse.post(phone, page, {"code": code}).location)
    second = next_(browse, phone, first, {"q": "my neighbour Ahmed broke it"})
    return code, phone, second


def test_a_code_typed_on_another_device_neither_logs_the_first_out_nor_shows_its_texts(lab, browse, stored):
    code, phone, _ = _code_started_on_a_phone(lab, browse)
    laptop = lab.test_client()
    moved = browse.post(laptop, browse.get(laptop, "/s/panel"), {"code": code})
    assert moved.location.endswith("/s/panel/p/two")
    assert browse.get(phone, "/s/panel/p/one").value("q") == "my neighbour Ahmed broke it"  # still in
    on_laptop = browse.get(laptop, "/s/panel/p/one")
    assert on_laptop.value("q") == "" and "Ahmed" not in on_laptop.html
    assert "Det du skrev på din första enhet är sparat men visas inte" in on_laptop.html
    # Sending the page again without typing keeps what was written on the first device.
    next_(browse, laptop, on_laptop, {})
    assert stored("panel")[0].answers["q"] == "my neighbour Ahmed broke it"
    next_(browse, laptop, browse.get(laptop, "/s/panel/p/one"), {"q": "written anew"})
    assert stored("panel")[0].answers["q"] == "written anew"


def test_switching_language_on_a_question_page_keeps_what_was_typed(lab, browse, start):
    client = lab.test_client()
    page = start(client, "lab", "?lang=sv")
    assert 'name="switch_lang" value="en"' in page.html and 'form="page-form"' in page.html
    data = [(n, v) for n, v in page.fields if n in ("csrf_token", "shown")]
    data += [("word", "ABC!"), ("count", "2"), ("switch_lang", "en")]
    sent = client.post(page.action, data=MultiDict(data))
    assert sent.status_code == 302 and sent.location.endswith("/s/lab/p/first?lang=en")
    shown = browse.get(client, sent.location)
    assert '<html lang="en"' in shown.html
    assert shown.value("word") == "ABC!" and shown.value("count") == "2"
    assert shown.error_summary() == []  # a change of language is not a Next: nothing is checked yet


def test_after_a_kiosk_resident_sends_the_next_one_must_consent_again(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "kiosk")
    assert next_(browse, client, page, {"mood": "5"}).location.endswith("/s/kiosk/thanks")
    assert browse.get(client, "/s/kiosk/p/only").location.endswith("/s/kiosk")  # Back: the start page
    assert len(stored("kiosk")) == 1
