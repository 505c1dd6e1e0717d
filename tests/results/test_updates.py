""" "You said, we did": those who manage a survey write short updates in its languages, for one station
or all, for the survey or its whole pilot; residents read them on the results, newest first, and in an
Atom feed; withdrawing takes them off; the audit log records both."""

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from app.models import AuditEvent, Researcher, ResultUpdate

from .conftest import csrf_from, figures

ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PAGE = "/admin/surveys/bins/updates"


@pytest.fixture
def manager(login_as):
    return login_as(Researcher.RESEARCHER, surveys=["bins"], level="manage")


def write(client, station="", scope="survey", **texts):
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    data = {"csrf_token": token, "station": station, "scope": scope}
    data.update({f"text_{lang}": text for lang, text in texts.items()})
    return client.post(PAGE, data=data)


def test_a_manager_writes_an_update_and_residents_read_it(client, manager, db):
    answer = write(
        client,
        station="12",
        sv="Ni sa att kärlen vid station 12 var fulla på måndagar. Från 1 mars töms de även på söndagar.",
        en="You told us the bins at station 12 were full on Mondays; from March they are emptied on Sundays.",
    )
    assert answer.status_code == 302
    update = db.query(ResultUpdate).one()
    assert (update.survey_id, update.pilot, update.station, update.created_by) == (
        "bins",
        "bins-2026",
        "12",
        "researcher@example.org",
    )
    assert set(update.texts) == {"sv", "en"}
    page = client.get("/s/bins/results?station=12&lang=en").get_data(as_text=True)
    assert "You said, we did" in page and "emptied on Sundays" in page
    swedish = client.get("/s/bins/results?station=12&lang=sv").get_data(as_text=True)
    assert "töms de även på söndagar" in swedish
    arabic = client.get("/s/bins/results?station=12&lang=ar").get_data(as_text=True)
    assert '<div lang="sv" dir="ltr"><p>Ni sa att' in arabic  # no Arabic text: the first language, marked
    assert figures(client, "?station=12")["updates"][0]["texts"]["en"].startswith("You told us")
    event = db.query(AuditEvent).filter_by(action="update_published").one()
    assert event.survey_id == "bins" and event.detail == {"update": update.id, "station": "12"}


def test_the_first_language_is_needed_and_texts_are_short(client, manager, db):
    assert write(client, en="Only English").status_code == 400
    assert write(client, sv="x" * 1001).status_code == 400
    assert write(client, sv="Hej", station="not a station!").status_code == 400
    assert db.query(ResultUpdate).count() == 0


def test_a_station_update_shows_on_that_station_and_the_whole_survey_only(client, manager):
    write(client, station="12", sv="Om station tolv")
    write(client, sv="Om allt")
    assert "Om station tolv" in client.get("/s/bins/results?station=12").get_data(as_text=True)
    assert "Om station tolv" not in client.get("/s/bins/results?station=13").get_data(as_text=True)
    assert "Om allt" in client.get("/s/bins/results?station=13").get_data(as_text=True)
    whole = client.get("/s/bins/results").get_data(as_text=True)
    assert whole.index("Om allt") < whole.index("Om station tolv")  # newest first


def test_updates_show_while_there_are_too_few_answers_for_figures(client, manager, answer):
    answer("12", full=1, times=2)
    write(client, sv="Vi har börjat")
    data = figures(client)
    assert data["suppressed"] is True and data["updates"][0]["texts"] == {"sv": "Vi har börjat"}


def test_withdrawing_takes_an_update_off_the_page_and_the_feed(client, manager, db):
    write(client, sv="Fel datum")
    update = db.query(ResultUpdate).one()
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    answer = client.post(f"{PAGE}/{update.id}/withdraw", data={"csrf_token": token})
    assert answer.status_code == 302
    db.refresh(update)
    assert update.withdrawn_at is not None
    assert "Fel datum" not in client.get("/s/bins/results").get_data(as_text=True)
    assert "Fel datum" not in client.get("/s/bins/results.atom").get_data(as_text=True)
    assert "Fel datum" in client.get(PAGE).get_data(as_text=True)  # kept for the record
    assert db.query(AuditEvent).filter_by(action="update_withdrawn").one().detail == {"update": update.id}


def test_a_pilot_update_needs_every_survey_of_the_pilot(app, client, login_as, make_researcher, sign_in, db):
    login_as(Researcher.RESEARCHER, surveys=["bins"], level="manage")
    assert 'value="pilot"' not in client.get(PAGE).get_data(as_text=True)
    assert write(client, sv="För hela piloten", scope="pilot").status_code == 400
    both = app.test_client()
    make_researcher("both@example.org", surveys=["bins", "private-bins"], level="manage")
    sign_in("both@example.org", target=both)
    assert 'value="pilot"' in both.get(PAGE).get_data(as_text=True)
    assert write(both, sv="För hela piloten", scope="pilot").status_code == 302
    update = db.query(ResultUpdate).one()
    assert (update.survey_id, update.pilot) == (None, "bins-2026")
    assert "För hela piloten" in both.get("/s/bins/results").get_data(as_text=True)
    assert "För hela piloten" in both.get("/admin/surveys/private-bins/updates").get_data(as_text=True)


def test_a_pilot_update_cannot_be_withdrawn_by_who_manages_one_survey_of_it(client, login_as, db):
    update = ResultUpdate(pilot="bins-2026", texts={"sv": "Hela piloten"})
    db.add(update)
    db.commit()
    login_as(Researcher.RESEARCHER, surveys=["bins"], level="manage")
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    assert client.post(f"{PAGE}/{update.id}/withdraw", data={"csrf_token": token}).status_code == 404


def test_an_update_of_another_survey_cannot_be_withdrawn_through_this_one(client, manager, db):
    other = ResultUpdate(survey_id="feedback", texts={"sv": "Annat"})
    db.add(other)
    db.commit()
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    assert client.post(f"{PAGE}/{other.id}/withdraw", data={"csrf_token": token}).status_code == 404


def test_a_read_grant_cannot_write_or_withdraw(client, login_as, db):
    login_as(Researcher.RESEARCHER, surveys=["bins"], level="read")
    assert client.get(PAGE).status_code == 404
    assert "For residents" not in client.get("/admin/surveys/bins").get_data(as_text=True)


def test_the_feed_is_atom_with_each_language_marked(client, db):
    older = datetime.now(UTC) - timedelta(days=2)
    db.add_all(
        [
            ResultUpdate(survey_id="bins", texts={"sv": "Först"}, published_at=older),
            ResultUpdate(
                survey_id="bins",
                station="12",
                texts={"sv": "Kärlen töms på söndagar.", "ar": "تُفرغ الحاويات أيام الأحد."},
            ),
            ResultUpdate(survey_id="bins", texts={"sv": "Tillbakadragen"}, withdrawn_at=datetime.now(UTC)),
            ResultUpdate(survey_id="private-bins", texts={"sv": "Annan enkät"}),
        ]
    )
    db.commit()
    response = client.get("/s/bins/results.atom?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = etree.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed" and feed.get(XML_LANG) == "en"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/s/bins/results.atom")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    newest = entries[0]
    for name in ("id", "title", "updated", "content"):
        assert newest.find(f"{ATOM}{name}") is not None, name
    assert newest.find(f"{ATOM}title").text == "Station 12: Kärlen töms på söndagar."
    assert newest.find(f"{ATOM}title").get(XML_LANG) == "sv"  # no English text: the first language
    content = newest.find(f"{ATOM}content")
    assert content.get("type") == "xhtml"
    (wrapper,) = content
    assert wrapper.tag == f"{XHTML}div"
    langs = [(div.get(XML_LANG), div.get("dir")) for div in wrapper]
    assert langs == [("sv", "ltr"), ("ar", "rtl")]
    assert len({e.find(f"{ATOM}id").text for e in entries}) == 2
    page = client.get("/s/bins/results").get_data(as_text=True)
    assert 'type="application/atom+xml"' in page
