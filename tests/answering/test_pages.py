"""The resident's journey through a survey with the test client (CSRF on): mistakes, Back, resume,
double submit, hidden fields, conditions, kiosk and participant codes."""

import hashlib
import re

from app.models import Response

FIRST = {"word": "abc", "count": "2", "size": "2,5", "day": "2021-03-04", "pick": "1", "many": ["a", "b"]}
SECOND = {
    "grid_r1": "1",
    "grid_r2": "3",
    "stars": "4",
    "face": "2",
    "nps": "0",
    "rank_a": "2",
    "rank_b": "1",
    "rank_c": "3",
    "drop": "2",
}


def items(data: dict) -> list[tuple[str, str]]:
    """Form data as (name, value) pairs; a list value is several checked boxes."""
    pairs = []
    for name, value in data.items():
        pairs += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return pairs


def next_(browse, client, page, data: dict, nav: str = "next"):
    return browse.post(client, page, [*items(data), ("nav", nav)])


def test_lab_survey_stores_every_type_as_the_contract_says(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "lab", "?station=12&lang=en")
    moved = next_(browse, client, page, {**FIRST, "count": "3"})
    page = browse.get(client, moved.location)
    assert "Page 2 of 4" in page.html
    moved = next_(browse, client, page, SECOND)
    assert moved.location.endswith("/p/third")
    moved = next_(browse, client, browse.get(client, moved.location), {"later": "x"})
    fourth = browse.get(client, moved.location)
    assert "station_q" not in fourth.hidden_questions
    done = next_(browse, client, fourth, {"station_q": "s", "last": "end"})
    assert done.location.endswith("/s/lab/thanks")

    [response] = stored("lab")
    assert response.status == Response.COMPLETE
    assert response.hidden == {"station": "12"}
    assert response.answers == {
        "word": "abc",
        "count": 3,
        "size": 2.5,
        "day": "2021-03-04",
        "pick": 1,
        "many": ["a", "b"],
        "grid": {"r1": 1, "r2": 3},
        "stars": 4,
        "face": 2,
        "nps": 0,
        "rank": ["b", "a", "c"],
        "drop": 2,
        "later": "x",
        "station_q": "s",
        "last": "end",
    }
    thanks = browse.get(client, "/s/lab/thanks")
    assert "Thanks from the lab" in thanks.html
    assert response.receipt_code in thanks.html


def test_no_response_is_stored_before_the_resident_starts(lab, browse, stored):
    client = lab.test_client()
    page = browse.get(client, "/s/lab?station=12")
    assert page.status == 200
    assert stored("lab") == []
    assert browse.get(client, "/s/lab/p/first").location.endswith("/s/lab")


def test_wrong_answers_come_back_with_an_error_summary_and_everything_typed(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "lab", "?lang=en")
    wrong = {
        "word": "ABC",
        "count": "9",
        "size": "0,3",
        "day": "2999-01-01",
        "pick": "7",
        "many": ["a", "none"],
    }
    again = next_(browse, client, page, wrong)

    assert again.status == 200
    assert again.error_summary() == ["word", "count", "size", "day", "pick-1", "many-1"]
    assert 'role="alert"' in again.html
    assert again.html.startswith("<!doctype html>") and "<title>Error:" in again.html
    for message in (
        "Small letters only",
        "Enter a number from 1 to 5.",
        "Enter a number in steps of 0.5.",
        "Enter a date on or before",
        "Choose one of the answers shown.",
        "“None” cannot be combined with other answers.",
    ):
        assert message in again.html
    assert again.value("word") == "ABC"
    assert again.value("count") == "9"
    assert again.value("size") == "0,3"
    assert again.value("day") == "2999-01-01"
    assert again.values("many") == ["a", "none"]
    for field in ("word", "count", "size", "day"):
        tag = re.search(rf'<input[^>]*id="{field}"[^>]*>', again.html).group(0)
        assert 'aria-invalid="true"' in tag
        assert f"{field}-error" in tag  # aria-describedby names the message
    assert stored("lab")[0].answers == {}


def test_a_required_question_left_empty_is_named_in_the_summary(lab, browse, start):
    client = lab.test_client()
    page = start(client, "lab", "?lang=sv")
    again = next_(browse, client, page, {**FIRST, "word": ""})
    assert again.error_summary() == ["word"]
    assert "Skriv ett svar." in again.html
    assert "Sida 1 av högst 4" in again.html  # page third depends on count, asked on this page


def test_back_saves_what_is_valid_and_shows_earlier_answers(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "lab")
    second = browse.get(client, next_(browse, client, page, FIRST).location)
    assert 'value="back"' in second.html
    moved = next_(browse, client, second, {"stars": "5", "nps": "11"}, nav="back")
    assert moved.location.endswith("/p/first")
    first = browse.get(client, moved.location)
    assert (
        first.value("word") == "abc" and first.value("size") == "2.5" and first.values("many") == ["a", "b"]
    )
    assert stored("lab")[0].answers["stars"] == 5
    assert "nps" not in stored("lab")[0].answers
    second = browse.get(client, "/s/lab/p/second")
    assert second.value("stars") == "5"


def test_a_page_not_reached_yet_cannot_be_skipped_to(lab, browse, start):
    client = lab.test_client()
    start(client, "lab")
    assert browse.get(client, "/s/lab/p/fourth").location.endswith("/s/lab/p/first")
    assert browse.get(client, "/s/lab/p/nosuchpage").location.endswith("/s/lab/p/first")


def test_progress_counts_only_the_pages_that_will_be_shown(lab, browse, start):
    client = lab.test_client()
    page = start(client, "lab", "?lang=en")
    # Page third depends on count, asked on page first: until it is answered, the total is at most.
    assert "Page 1 of at most 4" in page.html
    assert '<progress max="4" value="0"' in page.html  # the bar shows pages done
    second = browse.get(client, next_(browse, client, page, {**FIRST, "count": "4"}).location)
    assert "Page 2 of 4" in second.html
    assert '<progress max="4" value="1"' in second.html
    other = lab.test_client()
    page = start(other, "lab", "?lang=en")
    second = browse.get(other, next_(browse, other, page, {**FIRST, "count": "2"}).location)
    assert "Page 2 of 3" in second.html  # third is skipped, and no later page can still change


def test_resume_with_the_cookie_after_the_browser_was_closed(lab, browse, start, stored):
    phone = lab.test_client()
    page = start(phone, "lab")
    next_(browse, phone, page, FIRST)
    token = phone.get_cookie("lyssna-lab", path="/s/lab").value

    reopened = lab.test_client()  # a new browser session: only the persistent cookie is left
    reopened.set_cookie("lyssna-lab", token, path="/s/lab")
    assert browse.get(reopened, "/s/lab").location.endswith("/s/lab/p/second")
    first = browse.get(reopened, "/s/lab/p/first")
    assert first.value("word") == "abc"
    [response] = stored("lab")
    assert response.resume_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(response.answers) + str(response.hidden)


def test_resume_with_the_copied_link_on_another_device(lab, browse, start, stored):
    phone = lab.test_client()
    page = start(phone, "lab")
    second = browse.get(phone, next_(browse, phone, page, FIRST).location)
    link = re.search(r'id="resume-link" value="([^"]+)"', second.html).group(1)
    assert "/s/lab/r/" in link

    laptop = lab.test_client()
    asked = browse.get(laptop, link.replace("http://localhost", ""))  # the link asks first
    moved = browse.post(laptop, asked, {})  # "Continue these answers"
    assert moved.location.endswith("/s/lab/p/second")
    assert browse.get(laptop, "/s/lab/p/first").value("word") == "abc"
    assert browse.get(laptop, "/s/lab/r/not-a-token").location.endswith("/s/lab")
    assert len(stored("lab")) == 1


def _to_last_page(browse, client, start):
    page = start(client, "lab", "?station=5")
    page = browse.get(client, next_(browse, client, page, FIRST).location)
    return browse.get(client, next_(browse, client, page, SECOND).location)


def test_sending_the_last_page_twice_yields_one_complete_response(lab, browse, start, stored):
    client = lab.test_client()
    last = _to_last_page(browse, client, start)
    first_tap = next_(browse, client, last, {"last": "one"})
    second_tap = next_(browse, client, last, {"last": "two"})  # a double tap, or a reload

    assert first_tap.location.endswith("/thanks") and second_tap.location.endswith("/thanks")
    [response] = stored("lab")
    assert response.status == Response.COMPLETE
    assert response.answers["last"] == "one"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", response.receipt_code)
    assert browse.get(client, "/s/lab/p/first").location.endswith("/s/lab/thanks")
    assert response.receipt_code in browse.get(client, "/s/lab/thanks").html


def test_two_residents_get_different_receipt_codes(lab, browse, start, stored):
    for _ in range(2):
        client = lab.test_client()
        next_(browse, client, _to_last_page(browse, client, start), {})
    codes = {r.receipt_code for r in stored("lab")}
    assert len(codes) == 2


def test_hidden_fields_are_taken_from_the_link_and_checked(lab, browse, start, stored):
    for query in ("?station=12&utm_source=poster&lang=sv", "?station=" + "9" * 65, "?station=12%3Cscript%3E"):
        client = lab.test_client()
        next_(browse, client, start(client, "lab", query), FIRST)
    client = lab.test_client()
    next_(browse, client, start(client, "lab", "?station=A-7_b"), FIRST)
    assert [r.hidden for r in stored("lab")] == [{"station": "12"}, {}, {}, {"station": "A-7_b"}]


def test_question_revealed_on_the_same_page_is_asked_after_next_without_javascript(
    lab, browse, start, stored
):
    client = lab.test_client()
    page = start(client, "lab", "?lang=en")
    assert "why" in page.hidden_questions
    assert page.value("shown").split() == ["word", "count", "size", "day", "pick", "many"]

    asked = next_(browse, client, page, {**FIRST, "pick": "2"})
    assert asked.status == 200
    assert asked.error_summary() == []
    assert "Your answer added a question to this page" in asked.html
    assert "why" not in asked.hidden_questions
    assert asked.value("pick") == "2"

    required = next_(browse, client, asked, {**FIRST, "pick": "2"})
    assert required.error_summary() == ["why"]
    moved = next_(browse, client, required, {**FIRST, "pick": "2", "why": "Because"})
    assert moved.status == 302
    assert stored("lab")[0].answers["why"] == "Because"


def test_question_shown_by_the_script_is_checked_at_once(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "lab")
    data = [*items({**FIRST, "pick": "2", "why": "Js"}), ("nav", "next")]
    moved = browse.post(client, page, [("shown", page.value("shown") + " why"), *data], keep=("csrf_token",))
    assert moved.status == 302
    assert stored("lab")[0].answers["why"] == "Js"


def test_answers_of_hidden_questions_are_not_stored(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "lab")
    # A stale answer to a question whose condition is false is sent (e.g. typed, then the choice changed).
    second = browse.get(client, next_(browse, client, page, {**FIRST, "count": "3", "why": "stale"}).location)
    assert "why" not in stored("lab")[0].answers
    third = browse.get(client, next_(browse, client, second, SECOND).location)
    next_(browse, client, third, {"later": "kept for now"})
    assert stored("lab")[0].answers["later"] == "kept for now"

    # Going back and lowering the count skips the third page: its answer goes.
    first = browse.get(client, "/s/lab/p/first")
    moved = next_(browse, client, first, {**FIRST, "count": "1"})
    assert "later" not in stored("lab")[0].answers
    second = browse.get(client, moved.location)
    assert next_(browse, client, second, SECOND).location.endswith("/p/fourth")


def test_other_text_is_kept_only_with_other_picked(lab, browse, start, stored):
    client = lab.test_client()
    page = start(client, "lab")
    again = next_(browse, client, page, {**FIRST, "many": ["a", "other"], "pick": "other"})
    assert again.error_summary() == ["pick_other", "many_other"]
    next_(
        browse, client, again, {**FIRST, "many": ["a", "other"], "many_other": "Mine", "pick_other": "unused"}
    )
    answers = stored("lab")[0].answers
    assert answers["many"] == ["a", "other"] and answers["many_other"] == "Mine"
    assert "pick_other" not in answers


def test_a_filled_honeypot_stores_nothing(lab, browse, start, stored):
    client = lab.test_client()
    page = browse.get(client, "/s/lab?lang=en")
    bot = browse.post(client, page, {"leave_empty": "http://spam.example"})
    assert bot.status == 400  # said plainly, never a thank-you that pretends the answers arrived
    page = start(client, "lab")
    assert next_(browse, client, page, {**FIRST, "leave_empty": "x"}).status == 400
    assert stored("lab") == []  # a consent and a trapped page store nothing


def test_two_simultaneous_submits_of_the_last_page_complete_once(lab, browse, start, stored):
    import threading

    phone = lab.test_client()
    last = _to_last_page(browse, phone, start)
    # Two tabs (or a double tap on a slow network): the same cookies, sent at the same moment.
    tabs = [lab.test_client() for _ in range(2)]
    for tab in tabs:
        for cookie in ("session", "lyssna-lab"):
            path = "/s/lab" if cookie == "lyssna-lab" else "/"
            tab.set_cookie(cookie, phone.get_cookie(cookie, path=path).value, path=path)
    barrier = threading.Barrier(2)
    results = []

    def send(tab):
        barrier.wait()
        results.append(next_(browse, tab, last, {"last": "race"}))

    threads = [threading.Thread(target=send, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.status for r in results) == [302, 302]
    assert all(r.location.endswith("/thanks") for r in results)
    [response] = stored("lab")
    assert response.status == Response.COMPLETE and response.answers["last"] == "race"


def test_pages_alike_for_everyone_are_rendered_once_with_each_residents_own_values(
    lab, browse, start, stored, monkeypatch
):
    from app.answering import views

    rendered = []
    real_render = views.render_template

    def counting(name, **context):
        rendered.append(name)
        return real_render(name, **context)

    monkeypatch.setattr(views, "render_template", counting)

    def open_second(client):
        page = start(client, "lab", "?lang=en&station=5")
        return browse.get(client, next_(browse, client, page, FIRST).location)

    def questions(page):
        return page.html[page.html.index('<div class="question') : page.html.index('<div class="hp">')]

    def resume_link(page):
        return re.search(r'id="resume-link" value="([^"]+)"', page.html).group(1)

    first_client, other = lab.test_client(), lab.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"  # a neighbour: each phone within its rate limit
    first_resident = open_second(first_client)
    # start, page one (a date bound by today is never kept), page two
    assert rendered == ["answering/start.html", "answering/page.html", "answering/page.html"]
    second_resident = open_second(other)
    assert rendered.count("answering/start.html") == 1  # the start page was kept
    assert rendered.count("answering/page.html") == 3  # page one again; page two was kept
    assert questions(second_resident) == questions(first_resident)
    # Each resident's own form token and resume link, never the other's.
    assert second_resident.fields != first_resident.fields
    assert dict(second_resident.fields)["csrf_token"] != dict(first_resident.fields)["csrf_token"]
    for client, page in ((first_client, first_resident), (other, second_resident)):
        assert resume_link(page).endswith("/s/lab/r/" + client.get_cookie("lyssna-lab", path="/s/lab").value)

    # With answers on it, or with mistakes, the page is rendered for this resident.
    third = browse.get(other, next_(browse, other, second_resident, SECOND).location)
    back = browse.get(other, next_(browse, other, third, {}, nav="back").location)
    assert back.value("stars") == "4" and back.value("grid_r2") == "3"
    assert rendered.count("answering/page.html") == 5
    wrong = next_(browse, other, back, {**SECOND, "grid_r1": ""})
    assert wrong.status == 200 and wrong.error_summary() == ["grid_r1-1"]

    # The thank-you page is kept too, and shows each resident their own receipt.
    for client, page in ((first_client, first_resident), (other, wrong)):
        last = browse.get(client, next_(browse, client, page, SECOND).location)
        done = next_(browse, client, last, {})
        assert done.location and done.location.endswith("/s/lab/thanks")
    receipts = [r.receipt_code for r in stored("lab")]
    assert len(set(receipts)) == 2
    for client, receipt in zip((first_client, other), receipts, strict=True):
        assert receipt in client.get("/s/lab/thanks").get_data(as_text=True)
    assert rendered.count("answering/thanks.html") == 1


def test_a_kept_page_gives_each_resident_the_earlier_values_its_script_reads(lab, browse, start, monkeypatch):
    from app.answering import views

    rendered = []
    real_render = views.render_template
    monkeypatch.setattr(
        views, "render_template", lambda name, **c: rendered.append(name) or real_render(name, **c)
    )

    contexts = []
    for number, station in enumerate(("5", "7")):  # neither is 12: both are shown the same questions
        client = lab.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number + 1}"
        page = start(client, "lab", f"?lang=en&station={station}")
        second = browse.get(client, next_(browse, client, page, {**FIRST, "count": "1"}).location)
        fourth = browse.get(client, next_(browse, client, second, SECOND).location)
        assert "Fourth" in fourth.html and "station_q" not in dict(fourth.fields)["shown"]
        contexts.append(re.search(r'class="page-form" data-context="([^"]*)"', fourth.html).group(1))
    assert contexts == [
        "{&#34;answers&#34;:{},&#34;hidden&#34;:{&#34;station&#34;:&#34;5&#34;}}",
        "{&#34;answers&#34;:{},&#34;hidden&#34;:{&#34;station&#34;:&#34;7&#34;}}",
    ]
    # Page four was rendered once; the start pages twice (their links carry each station).
    assert rendered.count("answering/start.html") == 2
    assert rendered.count("answering/page.html") == 2 + 1 + 1  # page one each time (today), two, four


def test_a_kept_start_page_fills_in_each_residents_own_participant_code(lab, browse, monkeypatch):
    from app.answering import views

    rendered = []
    real_render = views.render_template
    monkeypatch.setattr(
        views, "render_template", lambda name, **c: rendered.append(name) or real_render(name, **c)
    )

    first = browse.get(lab.test_client(), "/s/panel?code=K7QM-3XPA")
    second = browse.get(lab.test_client(), "/s/panel?code=ABCD-EFGH")
    assert first.value("code") == "K7QM-3XPA" and second.value("code") == "ABCD-EFGH"
    assert rendered == ["answering/start.html"]
    assert browse.get(lab.test_client(), "/s/panel").value("code") == ""
