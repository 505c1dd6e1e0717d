"""Access rules over every URL of the researcher area, found by walking the URL map, so that a new view
cannot forget them: signed out -> the sign-in page; a survey not granted -> 404, as if it did not exist;
an admin page (audit log, people) -> 404 for anyone else."""

import re

import pytest

from app.models import Researcher, SurveyUpload

from .conftest import csrf_from

# The only researcher-area views anyone may open signed out. Adding one here must be a decision.
PUBLIC = {
    "research.login",
    "research.login_post",
    "research.setup",
    "research.setup_post",
    "research.choose_password",  # a set-password link: the token is the credential
    "research.choose_password_post",
}
# A value for each URL argument; survey_id and pilot name surveys the researcher was NOT given.
ARGUMENTS = {
    "survey_id": "feedback",
    "pilot": "housing-2026",
    "public_id": None,  # filled with a real response of the survey in the test
    "name": "0123456789abcdef0123456789abcdef.jpg",
    "job_id": "0123456789abcdef0123456789abcdef",
    "token": "no-such-token",
    "researcher_id": None,  # filled with a real account in the test
    "upload_id": "0123456789abcdef0123456789abcdef",  # an uploaded survey file (real ones below)
    "token_id": 1,  # an API token (none of the signed-in account's: 404)
    "schedule_id": "0123456789abcdef0123456789abcdef",  # a scheduled export
    "hook_id": 1,  # a webhook
    "update_id": 1,  # an update for residents (none exists: the survey's grant decides first)
}


def admin_rules(app):
    """Every URL rule of the researcher blueprint and anything else under /admin, with its methods."""
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("research.") or r.rule.startswith("/admin")
    ]
    assert len(rules) > 15  # the walk really covers the area
    return [(rule, method) for rule in rules for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def build(rule, values):
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"add a sample value for {unknown} of {rule.rule} to ARGUMENTS"
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
    return path


def call(client, method, path, token):
    return client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)


@pytest.fixture
def values(db, make_response, make_researcher):
    response = make_response("feedback", message="hello")
    response.receipt_code = "K7QM-3XPA"
    db.commit()
    other = make_researcher("other@example.org", surveys=["feedback"])
    return {**ARGUMENTS, "public_id": response.public_id, "researcher_id": other.id}


def test_every_researcher_url_needs_signing_in(app, client, values):
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))
    for rule, method in admin_rules(app):
        if rule.endpoint in PUBLIC:
            continue
        response = call(client, method, build(rule, values), token)
        assert response.status_code == 302, (method, rule.rule, response.status_code)
        assert response.location.startswith("/admin/login"), (method, rule.rule)


def test_every_survey_url_is_404_without_a_grant(app, client, login_as, values):
    login_as(Researcher.RESEARCHER, surveys=["waste-sorting"])
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    scoped = [(r, m) for r, m in admin_rules(app) if {"survey_id", "pilot"} & set(r.arguments)]
    assert len(scoped) > 10
    for rule, method in scoped:
        response = call(client, method, build(rule, values), token)
        assert response.status_code == 404, (method, rule.rule, response.status_code)


def test_a_survey_that_does_not_exist_looks_the_same_as_one_not_granted(client, login_as, values):
    login_as(Researcher.RESEARCHER, surveys=["waste-sorting"])
    hidden = client.get("/admin/surveys/feedback")
    missing = client.get("/admin/surveys/no-such-survey")
    assert hidden.status_code == missing.status_code == 404
    assert "Tyck till" not in hidden.get_data(as_text=True)
    assert hidden.headers.get("Content-Length") == missing.headers.get("Content-Length")


def test_granted_survey_pages_open(app, client, login_as, values, db, make_response):
    login_as(Researcher.RESEARCHER, surveys=["feedback"], level="manage")
    for path in (
        "/admin/",
        "/admin/surveys/feedback",
        "/admin/surveys/feedback/responses",
        f"/admin/surveys/feedback/responses/{values['public_id']}",
        f"/admin/surveys/feedback/responses/{values['public_id']}/delete",
        "/admin/surveys/feedback/share",
        "/admin/surveys/feedback/qr.svg",
        "/admin/surveys/feedback/qr.png",
        "/admin/surveys/feedback/posters",
        "/admin/surveys/feedback/live",
        "/admin/surveys/feedback/live/figures",
        "/admin/surveys/feedback/live/moderate",
        "/admin/surveys/feedback/live/links",
        "/admin/surveys/feedback/scheduled-exports",
        "/admin/surveys/feedback/webhooks",
        "/admin/surveys/feedback/updates",
        "/admin/surveys/feedback/quotes",
    ):
        assert client.get(path).status_code == 200, path


def test_a_response_of_another_survey_is_404_even_with_a_grant_to_the_url_survey(client, login_as, values):
    login_as(Researcher.RESEARCHER, surveys=["waste-sorting"])
    path = f"/admin/surveys/waste-sorting/responses/{values['public_id']}"  # a feedback response
    assert client.get(path).status_code == 404


def test_survey_list_shows_only_granted_surveys(client, login_as):
    login_as(Researcher.RESEARCHER, surveys=["feedback"])
    page = client.get("/admin/").get_data(as_text=True)
    assert "/admin/surveys/feedback" in page
    assert "/admin/surveys/waste-sorting" not in page
    assert "/admin/pilots/housing-2026" not in page


def test_admin_sees_every_survey(client, login_as):
    login_as(Researcher.ADMIN)
    page = client.get("/admin/").get_data(as_text=True)
    for survey_id in ("feedback", "waste-sorting", "housing-baseline", "housing-follow-up-1"):
        assert f"/admin/surveys/{survey_id}" in page


def test_audit_log_is_for_admins_only(client, login_as):
    login_as(Researcher.RESEARCHER, surveys=["feedback"])
    assert client.get("/admin/audit").status_code == 404


def _admin_rules(app):
    """Every researcher URL marked admin-only; the audit log and every people page are among them."""
    rules = admin_rules(app)
    marked = [
        (r, m) for r, m in rules if getattr(app.view_functions[r.endpoint], "research_admin_only", False)
    ]
    people = {r.endpoint for r, _ in rules if r.rule.startswith(("/admin/people", "/admin/audit"))}
    assert people and people <= {r.endpoint for r, _ in marked}
    return marked


def test_every_admin_url_is_404_for_a_researcher_even_with_manage_grants(app, client, login_as, values):
    login_as(Researcher.RESEARCHER, surveys=["feedback", "waste-sorting"], level="manage")
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    rules = _admin_rules(app)
    assert len(rules) >= 9
    for rule, method in rules:
        response = call(client, method, build(rule, values), token)
        assert response.status_code == 404, (method, rule.rule, response.status_code)


def test_receipt_lookup_only_finds_responses_of_visible_surveys(client, login_as, values):
    login_as(Researcher.RESEARCHER, surveys=["waste-sorting"])
    assert client.get("/admin/receipt?code=K7QM-3XPA").status_code == 404


def _manage_rules(app):
    """Every researcher URL of one survey that only admins and `manage` grants may use."""
    rules = [(r, m) for r, m in admin_rules(app) if "survey_id" in r.arguments]
    marked = [(r, m) for r, m in rules if getattr(app.view_functions[r.endpoint], "research_manage", False)]
    assert {r.endpoint for r, _ in marked} >= {"research.delete_confirm", "research.delete"}
    live = {r.endpoint for r, _ in rules if "/live" in r.rule}  # the live screen is `manage` (docs/design.md)
    assert live and live <= {r.endpoint for r, _ in marked}
    hooks = {r.endpoint for r, _ in rules if "/webhooks" in r.rule}  # webhooks are `manage` too
    assert len(hooks) == 3 and hooks <= {r.endpoint for r, _ in marked}
    residents = {r.endpoint for r, _ in rules if r.endpoint.startswith("research.results_")}  # for residents
    assert len(residents) >= 5 and residents <= {r.endpoint for r, _ in marked}
    return marked


def test_a_read_grant_cannot_delete_or_manage_anything(app, client, login_as, values):
    login_as(Researcher.RESEARCHER, surveys=["feedback"], level="read")
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    for rule, method in _manage_rules(app):
        response = call(client, method, build(rule, values), token)
        assert response.status_code == 404, (method, rule.rule, response.status_code)
    page = client.get(f"/admin/surveys/feedback/responses/{values['public_id']}").get_data(as_text=True)
    assert "/delete" not in page  # no button for what would be refused


def test_a_manage_grant_may_delete(app, client, login_as, values):
    login_as(Researcher.RESEARCHER, surveys=["feedback"], level="manage")
    path = f"/admin/surveys/feedback/responses/{values['public_id']}/delete"
    page = client.get(path)
    assert page.status_code == 200
    deleted = client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert deleted.status_code == 302
    assert client.get(f"/admin/surveys/feedback/responses/{values['public_id']}").status_code == 404


def test_every_upload_url_is_404_without_the_right_to_publish_its_survey(
    app, db, make_researcher, sign_in, values
):
    feedback = SurveyUpload(survey_id="feedback", file_name="feedback.yaml", text="id: feedback\n")
    new = SurveyUpload(survey_id="bins", file_name="bins.yaml", text="id: bins\n")  # not a survey yet
    db.add_all([feedback, new])
    db.commit()
    rules = [(r, m) for r, m in admin_rules(app) if "upload_id" in r.arguments]
    assert len(rules) >= 4
    refused = [
        (["feedback"], "read", feedback),  # may see the survey, not publish it
        (["waste-sorting"], "manage", feedback),  # manages another survey
        (["feedback", "waste-sorting"], "manage", new),  # only admins add surveys
    ]
    for n, (surveys, level, upload) in enumerate(refused):
        client = app.test_client()
        make_researcher(f"r{n}@example.org", surveys=surveys, level=level)
        sign_in(f"r{n}@example.org", target=client)
        token = csrf_from(client.get("/admin/account").get_data(as_text=True))
        for rule, method in rules:
            response = call(client, method, build(rule, {**values, "upload_id": upload.public_id}), token)
            assert response.status_code == 404, (surveys, level, method, rule.rule, response.status_code)
    client = app.test_client()
    make_researcher("manager@example.org", surveys=["feedback"], level="manage")
    sign_in("manager@example.org", target=client)
    assert client.get(f"/admin/uploads/{feedback.public_id}").status_code == 200
