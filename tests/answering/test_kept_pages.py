"""Kept pages: rendered once with markers, each request's own values put in their place, escaped."""

import pytest
from jinja2 import Environment

from app.answering.kept_pages import KeptPages, marker

TEMPLATE = Environment(autoescape=True).from_string(
    '<form data-context="{{ context }}"><input value="{{ token }}"></form><p>{{ token }} – {{ note }}</p>'
)


def test_a_kept_page_holds_each_requests_own_values_escaped_as_the_template_escapes_them():
    kept, renders = KeptPages(), []

    def render(markers):
        renders.append(markers)
        return TEMPLATE.render(note="Välkommen & tack", **markers)

    for own in (
        {"token": "abc.123", "context": '{"answers":{"q":"x"}}'},
        {"token": "<script>alert(1)</script>", "context": "a'b\"c&d"},
    ):
        page = kept.page("start", own, render)
        assert page == TEMPLATE.render(note="Välkommen & tack", **own)
    assert len(renders) == 1
    assert renders[0] == {"token": marker("token"), "context": marker("context")}


def test_text_that_merely_looks_like_a_marker_is_left_as_it_is():
    kept = KeptPages()
    forged = marker("token").replace(marker("token").split("-")[1], "0" * 24)
    page = kept.page("p", {"token": "mine"}, lambda markers: f"{forged} {markers['token']}")
    assert page == f"{forged} mine"


def test_the_store_is_bounded_and_drops_the_page_used_longest_ago():
    kept, renders = KeptPages(most=2), []

    def render(markers):
        renders.append(1)
        return "page"

    for key in ("a", "b", "a", "c"):  # "c" finds the store full: "b" goes, used longest ago
        kept.page(key, {}, render)
    assert len(renders) == 3
    kept.page("a", {}, render)
    assert len(renders) == 3
    kept.page("b", {}, render)
    assert len(renders) == 4


def test_a_page_with_other_own_values_is_another_page():
    kept = KeptPages()
    with_receipt = kept.page(
        "thanks", {"receipt": "K7QM-3XPA"}, lambda m: f"<p>{m.get('receipt', 'none')}</p>"
    )
    without = kept.page("thanks", {}, lambda m: f"<p>{m.get('receipt', 'none')}</p>")
    assert (with_receipt, without) == ("<p>K7QM-3XPA</p>", "<p>none</p>")


def test_a_marker_name_is_small_letters_only():
    with pytest.raises(ValueError):
        marker("Token1")
