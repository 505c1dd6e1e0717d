"""Hostile input never breaks anything: every public form and endpoint, driven by Hypothesis.

Random and hostile values (huge strings, NUL and control characters, emoji, right-to-left marks,
wrong types, numbers out of range, repeated and unknown keys, forged, missing or repeated CSRF
tokens, unknown survey ids and path tricks) must never give a 5xx; a form that is refused must
store nothing, and whatever is accepted must be stored in the answer contract's types.
"""

import re
import urllib.parse
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Response
from app.surveys.catalog import current_registry
from app.surveys.loader import load_file

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,  # no .hypothesis folder in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

EVERY_TYPE = """\
id: every-type
title: {en: Every type, ar: كل الأنواع}
languages: [en, ar]
hidden_fields: [station]
pages:
  - id: all
    questions:
      - {id: t, type: text, label: T, max_length: 20, pattern: "^[A-Za-z ]*$"}
      - {id: lt, type: long_text, label: LT}
      - {id: i, type: integer, label: I, min: 0, max: 10, required: true}
      - {id: d, type: decimal, label: D, min: 0, max: 5, step: 0.5}
      - {id: dt, type: date, label: DT, min: 2020-01-01, max: today}
      - id: sc
        type: single_choice
        label: SC
        other: true
        choices: [{value: 1, label: One}, {value: two, label: Two}]
      - id: sd
        type: single_choice
        display: dropdown
        label: SD
        choices: [{value: 1, label: One}, {value: 2, label: Two}]
      - id: mc
        type: multiple_choice
        label: MC
        other: true
        exclusive: [none]
        max_selected: 2
        choices:
          - {value: a, label: A}
          - {value: b, label: B}
          - {value: c, label: C}
          - {value: none, label: None}
      - id: mx
        type: matrix
        label: MX
        rows: [{id: r1, label: R1}, {id: r2, label: R2}]
        choices: [{value: 1, label: Bad}, {value: 2, label: Good}]
      - {id: st, type: rating, scale: stars5, label: ST}
      - {id: nps, type: rating, scale: nps, label: NPS}
      - id: rk
        type: ranking
        label: RK
        choices: [{value: x, label: X}, {value: y, label: Y}, {value: z, label: Z}]
  - id: end
    questions:
      - {id: bye, type: note, text: Thanks}
"""

# Valid answers to the first page of the every-type survey, as a browser sends them.
VALID = {
    "every-type": [
        ("t", "Hello"),
        ("lt", "A longer text"),
        ("i", "3"),
        ("d", "2.5"),
        ("dt", "2024-05-01"),
        ("sc", "other"),
        ("sc_other", "My own"),
        ("sd", "2"),
        ("mc", "a"),
        ("mc", "other"),
        ("mc_other", "More"),
        ("mx_r1", "1"),
        ("mx_r2", "2"),
        ("st", "4"),
        ("nps", "9"),
        ("rk_x", "2"),
        ("rk_y", "1"),
        ("rk_z", "3"),
    ]
}

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m",
    "x" * 5000,
    "9" * 5000,
    "-1",
    "0",
    "11",
    "1e309",
    "NaN",
    "Infinity",
    "3.14159",
    "1,5",
    "0x10",
    "2024-02-30",
    "0000-01-01",
    "99999-12-31",
    "2999-01-01",
    "../../etc/passwd",
    "%2e%2e%2f%2e%2e",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "\r\nSet-Cookie: evil=1",
    "🙂" * 300,
    "\u202egnp.exe",
    "ـ عربي",
    "other",
    "none",
    "true",
    "[]",
    '{"a": 1}',
    '=HYPERLINK("http://x")',
]
text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60), st.integers().map(str), st.floats().map(str))
extra_keys = st.sampled_from(["csrf_token", "nav", "shown", "leave_empty", "station", "__proto__", "a[]", ""])


@pytest.fixture(scope="module")
def fuzz_surveys(tmp_path_factory) -> Path:
    """The example surveys plus one survey with every question type on its first page."""
    folder = tmp_path_factory.mktemp("fuzz-surveys")
    for example in (Path(__file__).resolve().parent.parent / "surveys").glob("*.yaml"):
        (folder / example.name).write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "every-type.yaml").write_text(EVERY_TYPE, encoding="utf-8")
    assert load_file(folder / "every-type.yaml").problems == []
    return folder


@pytest.fixture
def fuzz_app(make_app, fuzz_surveys):
    """The app with the fuzz surveys; rate limits out of the way (they are tested elsewhere)."""
    return make_app(LYSSNA_SURVEYS_DIR=str(fuzz_surveys), LYSSNA_ANSWER_RATE_LIMIT="1000000/minute")


def csrf_of(html: str) -> str | None:
    """The CSRF token on a page, if there is a form."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else None


def field_names(html: str) -> list[str]:
    """The names of the form fields on a page (the contract's field names)."""
    return sorted(set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)))


def responses_in(app) -> list[tuple[str, dict]]:
    """(status, answers) of every stored response."""
    return [(status, answers) for _survey, status, answers in stored(app)]


def stored(app) -> list[tuple[str, str, dict]]:
    """(survey id, status, answers) of every stored response."""
    with app.app_context():
        rows = db.session.scalars(select(Response).order_by(Response.id))
        return [(r.survey_id, r.status, dict(r.answers)) for r in rows]


def count_responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def started(app, survey_id: str):
    """A client with a response in progress on the survey's first page; (client, page URL, page HTML)."""
    client = app.test_client()
    start = client.get(f"/s/{survey_id}?station=12")
    assert start.status_code == 200
    page = client.post(
        f"/s/{survey_id}?station=12", data={"csrf_token": csrf_of(start.get_data(as_text=True))}
    )
    assert page.status_code == 302, page.status_code
    url = page.headers["Location"]
    return client, url, client.get(url).get_data(as_text=True)


def csrf_value(mode: str, token: str | None) -> list[tuple[str, str]]:
    """The csrf_token pairs of a form: valid, missing, forged, empty, or a forged one first."""
    return {
        "valid": [("csrf_token", token)],
        "missing": [],
        "forged": [("csrf_token", "ImZvcmdlZCI.ZZZZZZ.forged-signature")],
        "forged-first": [("csrf_token", "forged"), ("csrf_token", token)],
        "empty": [("csrf_token", "")],
    }[mode]


csrf_modes = st.sampled_from(["valid", "missing", "forged", "forged-first", "empty"])
survey_ids = st.sampled_from(["waste-sorting", "feedback", "housing-baseline", "every-type"])


# ----------------------------------------------------------------------------- the page form


@FUZZ
@given(
    survey_id=survey_ids, data=st.data(), csrf=csrf_modes, nav=st.sampled_from(["next", "back", None, "??"])
)
def test_hostile_page_answers(fuzz_app, survey_id, data, csrf, nav):
    client, url, html = started(fuzz_app, survey_id)
    names = field_names(html)
    # Start from valid answers (where known) and spoil some, so hostile values reach the database.
    spoiled = data.draw(st.lists(st.tuples(st.sampled_from(names) | extra_keys, text), max_size=25))
    keep = [(k, v) for k, v in VALID.get(survey_id, []) if k not in {name for name, _ in spoiled}]
    pairs = [(k, v) for k, v in keep + spoiled if k != "csrf_token"] + csrf_value(csrf, csrf_of(html))
    if nav is not None:
        pairs.append(("nav", nav))
    before = responses_in(fuzz_app)

    response = client.post(url, data=MultiDict(pairs))

    assert response.status_code < 500
    after = responses_in(fuzz_app)
    # The first page sent stores the response consented to (one row at most); a bad token, none.
    started_now = after[len(before) :]
    assert len(started_now) == (1 if csrf == "valid" and response.status_code in (302, 303) else 0)
    assert after[: len(before)] == before
    shown_again = response.status_code not in (302, 303) or response.headers["Location"].endswith(url)
    # Refused (a bad token, or shown again, after a redirect, with messages): no answer stored, not
    # even partly. Back is the exception by design: it keeps the valid answers of the page it leaves.
    if csrf != "valid" or (shown_again and nav != "back"):
        assert all(answers == {} for _status, answers in started_now)
    for stored_survey, status, answers in stored(fuzz_app):
        assert_contract(fuzz_app, stored_survey, answers)
        assert status in (Response.IN_PROGRESS, Response.COMPLETE)


def assert_contract(app, survey_id: str, answers: dict) -> None:
    """Stored answers have the contract's types, and no text carries a NUL or control character."""
    with app.app_context():
        survey = current_registry().get(survey_id)
    for key, value in answers.items():
        question = survey.question(key)
        if question is None:
            assert key.endswith("_other") and isinstance(value, str), (key, value)
            continue
        kind = question.type
        if kind in ("text", "long_text"):
            assert isinstance(value, str)
        elif kind in ("integer", "rating"):
            assert isinstance(value, int) and not isinstance(value, bool)
        elif kind == "decimal":
            assert isinstance(value, int | float) and not isinstance(value, bool)
        elif kind == "date":
            date.fromisoformat(value)
        elif kind == "single_choice":
            assert value in [c.value for c in survey.choices(question)] + ["other"]
        elif kind in ("multiple_choice", "ranking"):
            assert isinstance(value, list)
            assert set(value) <= set([c.value for c in survey.choices(question)] + ["other"])
        elif kind == "matrix":
            assert isinstance(value, dict)
        for text_value in value if isinstance(value, list) else [value]:
            if isinstance(text_value, str):
                assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text_value), (key, text_value)


# ----------------------------------------------------------------------------- the start form


@FUZZ
@given(
    survey_id=st.one_of(survey_ids, text),
    pairs=st.lists(st.tuples(st.sampled_from(["code", "leave_empty"]) | extra_keys, text), max_size=8),
    csrf=csrf_modes,
    query=st.dictionaries(st.sampled_from(["station", "lang", "code", "x"]), text, max_size=3),
)
def test_hostile_start_form(fuzz_app, survey_id, pairs, csrf, query):
    client = fuzz_app.test_client()
    path = f"/s/{urllib.parse.quote(survey_id, safe='')}"
    query_string = urllib.parse.urlencode(query)
    start = client.get(path, query_string=query_string)
    assert start.status_code < 500
    token = csrf_of(start.get_data(as_text=True))
    before = count_responses(fuzz_app)
    pairs = [(k, v) for k, v in pairs if k != "csrf_token"] + csrf_value(csrf, token)

    response = client.post(path, data=MultiDict(pairs), query_string=query_string)

    assert response.status_code < 500
    stored = count_responses(fuzz_app) - before
    bot = any(k == "leave_empty" and v for k, v in pairs)
    if csrf != "valid" or token is None or bot:
        assert stored == 0
    else:
        assert stored <= 1
    for status, answers in responses_in(fuzz_app):
        assert status == Response.IN_PROGRESS
        assert answers == {}


# ----------------------------------------------------------------------------- every public URL


def public_rules(app) -> list:
    """The URL rules a visitor reaches without signing in (researcher pages redirect to sign-in)."""
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


path_value = st.one_of(
    st.sampled_from(
        ["every-type", "waste-sorting", "all", "end", "..", ".", "%00", "a" * 300, "x.jpg", "0" * 32 + ".jpg"]
    ),
    text,
)


@FUZZ
@given(data=st.data())
def test_every_public_url_with_hostile_arguments(fuzz_app, data):
    client = fuzz_app.test_client()
    rules = public_rules(fuzz_app)
    rule = data.draw(st.sampled_from(rules))
    values = {arg: urllib.parse.quote(data.draw(path_value), safe="") for arg in rule.arguments}
    path = rule.rule
    for arg, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", value or "x", path)
    query = urllib.parse.urlencode(data.draw(st.dictionaries(text, text, max_size=3)))
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        form = MultiDict(data.draw(st.lists(st.tuples(text, text), max_size=5))) if method == "POST" else None
        response = client.open(path, method=method, query_string=query, data=form, buffered=True)
        assert response.status_code < 500, (method, path, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/s/../admin/",
        "/s/%2e%2e/admin/",
        "/s/waste-sorting/p/../../admin/",
        "/static/../app/config.py",
        "/static/%2e%2e/app/config.py",
        "/static/..%2fapp%2fconfig.py",
        "/s/waste-sorting/photos/..%2f..%2finstance%2fsecret_key",
        "//evil.example/",
        "/s/%00",
        "/s/" + "a" * 4000,
    ],
)
def test_path_tricks_reach_nothing_private(fuzz_app, path):
    response = fuzz_app.test_client().get(path, buffered=True)
    assert response.status_code < 500
    body = response.get_data()
    assert b"SECRET_KEY" not in body
    assert b"def from_environment" not in body
    assert b"test-secret" not in body


def test_the_valid_answers_are_accepted_and_stored_in_the_contract_types(fuzz_app):
    client, url, html = started(fuzz_app, "every-type")
    response = client.post(
        url, data=MultiDict([("csrf_token", csrf_of(html)), ("nav", "next"), *VALID["every-type"]])
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    ((_status, answers),) = responses_in(fuzz_app)
    assert answers == {
        "t": "Hello",
        "lt": "A longer text",
        "i": 3,
        "d": 2.5,
        "dt": "2024-05-01",
        "sc": "other",
        "sc_other": "My own",
        "sd": 2,
        "mc": ["a", "other"],
        "mc_other": "More",
        "mx": {"r1": 1, "r2": 2},
        "st": 4,
        "nps": 9,
        "rk": ["y", "x", "z"],
    }


def test_repeated_keys_do_not_smuggle_a_second_answer(fuzz_app):
    client, url, html = started(fuzz_app, "every-type")
    response = client.post(
        url,
        data=MultiDict(
            [
                ("csrf_token", csrf_of(html)),
                ("nav", "next"),
                ("i", "3"),
                ("i", "999"),
                ("sd", "1"),
                ("sd", "2"),
            ]
        ),
    )
    assert response.status_code < 500
    for _status, answers in responses_in(fuzz_app):
        assert answers.get("i") in (None, 3)
        assert answers.get("sd") in (None, 1, 2)


@pytest.mark.parametrize("value", ["a\x00b", "a\x1b[31mb", "a\x08b", "tab\tand\r\nnewline"])
def test_control_characters_never_reach_the_database(fuzz_app, value):
    client, url, html = started(fuzz_app, "every-type")
    fields = [(k, v) for k, v in VALID["every-type"] if k != "lt"] + [("lt", value)]
    response = client.post(url, data=MultiDict([("csrf_token", csrf_of(html)), ("nav", "next"), *fields]))
    assert response.status_code < 500
    for survey_id, _status, answers in stored(fuzz_app):
        assert_contract(fuzz_app, survey_id, answers)


XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_stored_xss_from_the_public_form_is_inert_on_every_researcher_page(fuzz_app):
    from app import accounts

    # A resident (or a bot) sends the payload through the real form, into every free-text field.
    client, url, html = started(fuzz_app, "every-type")
    hostile = {"lt": XSS, "sc_other": XSS, "mc_other": XSS}
    fields = [(k, hostile.get(k, v)) for k, v in VALID["every-type"]]
    page = client.post(url, data=MultiDict([("csrf_token", csrf_of(html)), ("nav", "next"), *fields]))
    assert page.status_code == 302
    end = client.get(page.headers["Location"]).get_data(as_text=True)
    done = client.post(page.headers["Location"], data={"csrf_token": csrf_of(end), "nav": "next"})
    assert done.status_code == 302
    with fuzz_app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.status == Response.COMPLETE and response.answers["lt"] == XSS
        public_id = response.public_id
        accounts.create_researcher(db.session, "admin@example.org", "a long enough password", "admin")
        db.session.commit()

    researcher = fuzz_app.test_client()
    login = researcher.get("/admin/login").get_data(as_text=True)
    signed_in = researcher.post(
        "/admin/login",
        data={
            "email": "admin@example.org",
            "password": "a long enough password",
            "csrf_token": csrf_of(login),
        },
    )
    assert signed_in.status_code == 302
    values = {"survey_id": "every-type", "public_id": public_id, "pilot": "none"}
    seen = 0
    for rule in fuzz_app.url_map.iter_rules():
        if (
            not rule.rule.startswith("/admin")
            or "GET" not in rule.methods
            or set(rule.arguments) - set(values)
        ):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", values[arg], path)
        shown = researcher.get(path, buffered=True)
        assert shown.status_code < 500, path
        body = shown.get_data().decode("utf-8", "replace")  # a QR code is a PNG
        assert "<script>alert" not in body, path
        assert "<img src=x" not in body, path
        seen += "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert seen >= 1  # the payload was on the researcher pages, as text
