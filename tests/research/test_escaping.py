"""Whatever residents (or anyone) typed is shown as text on every researcher page, never as markup."""

import pytest

from app.models import Researcher

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def hostile(db, make_response):
    response = make_response(
        "waste-sorting",
        hidden={"station": PAYLOAD[:64]},
        visits="weekly",
        fractions=["food", "other"],
        fractions_other=PAYLOAD,
        had_problems="yes",
        problem_details=PAYLOAD,
        comment=PAYLOAD,
        household_size=3,
    )
    response.receipt_code = "K7QM-3XPA"
    db.commit()
    return response


def assert_inert(page: str) -> None:
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "onerror=alert" not in page or "&lt;img src=x onerror=alert" in page


def test_free_text_is_escaped_on_every_page(client, login_as, hostile, sign_in):
    sign_in(PAYLOAD + "@example.org", password="whatever it is")  # lands in the audit log
    login_as(Researcher.ADMIN)
    pages = [
        "/admin/",
        "/admin/surveys/waste-sorting",
        "/admin/surveys/waste-sorting?partial=1",
        "/admin/surveys/waste-sorting/responses",
        f"/admin/surveys/waste-sorting/responses/{hostile.public_id}",
        f"/admin/surveys/waste-sorting/responses/{hostile.public_id}/delete",
        "/admin/pilots/waste-sorting-2026",
        "/admin/surveys/waste-sorting/share",
        "/admin/surveys/waste-sorting/posters?field=station&values=" + PAYLOAD[:60],
        "/admin/audit",
        "/admin/receipt?code=" + PAYLOAD,
    ]
    seen_escaped = 0
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 400, 404), path
        page = response.get_data(as_text=True)
        assert_inert(page)
        seen_escaped += ESCAPED in page
    assert seen_escaped >= 5  # the payload really was on the pages, as text


def test_hostile_filter_values_stay_text(client, login_as, hostile):
    login_as(Researcher.ADMIN)
    page = client.get("/admin/surveys/waste-sorting?hidden_station=" + PAYLOAD[:60]).get_data(as_text=True)
    assert_inert(page)
