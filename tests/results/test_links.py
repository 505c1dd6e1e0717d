"""Residents find the results: the thank-you page links to them, and once a survey is closed its link
(the QR code on a station's poster) leads to them, of that station."""

from lxml import html as lxml_html


def links(client, path: str) -> list[str]:
    return lxml_html.fromstring(client.get(path).get_data(as_text=True)).xpath("//a/@href")


def test_the_thank_you_page_links_to_public_results(client):
    assert any(href.startswith("/s/bins/results") for href in links(client, "/s/bins/thanks?lang=en"))
    assert not any("/results" in href for href in links(client, "/s/private-bins/thanks?lang=en"))


def test_a_closed_survey_leads_to_its_results_of_the_posters_station(client, answer):
    answer("12", full=1, times=6, survey="closed-bins")
    closed = client.get("/s/closed-bins?station=12&lang=en")
    assert closed.status_code == 410
    found = lxml_html.fromstring(closed.get_data(as_text=True)).xpath("//a/@href")
    assert "/s/closed-bins/results?lang=en&station=12" in found
    assert client.get("/s/closed-bins/results?station=12").status_code == 200


def test_a_closed_survey_without_a_station_leads_to_the_whole_results(client):
    found = links(client, "/s/closed-bins?lang=en")
    assert "/s/closed-bins/results?lang=en" in found
