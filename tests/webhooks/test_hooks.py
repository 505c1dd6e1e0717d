"""Adding, listing and removing webhooks: by command line, and in the researcher area for those who
manage the survey; both audited."""

import re

from app.extensions import db
from app.models import AuditEvent, Webhook
from tests.research.conftest import PASSWORD, csrf_from


def test_the_command_line_adds_lists_and_removes(hooked, receiver):
    runner = hooked.test_cli_runner()
    added = runner.invoke(args=["webhooks", "add", "hooked", receiver.url, "--answers"])
    assert added.exit_code == 0 and re.match(r"Webhook \d+: hooked -> ", added.output)
    hook_id = re.match(r"Webhook (\d+)", added.output).group(1)
    assert "secret: whsec_" in added.output
    listed = runner.invoke(args=["webhooks", "list"])
    assert receiver.url in listed.output and "answers" in listed.output and "delivered 0" in listed.output
    assert runner.invoke(args=["webhooks", "add", "nope", receiver.url]).exit_code == 1
    short = runner.invoke(args=["webhooks", "add", "hooked", receiver.url, "--secret", "short"])
    assert short.exit_code == 1 and "16 to 128" in short.output
    removed = runner.invoke(args=["webhooks", "remove", hook_id])
    assert removed.exit_code == 0
    assert runner.invoke(args=["webhooks", "list"]).output.strip() == "No webhooks."
    assert runner.invoke(args=["webhooks", "remove", hook_id]).exit_code == 1
    with hooked.app_context():
        actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
        assert actions == ["webhook_added", "webhook_removed"]


def _signed_in(app, level: str):
    from app import accounts

    with app.app_context():
        person = accounts.create_researcher(db.session, f"{level}@example.org", PASSWORD, "researcher")
        accounts.set_grant(db.session, person, "hooked", level)
        db.session.commit()
    client = app.test_client()
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))
    client.post(
        "/admin/login", data={"email": f"{level}@example.org", "password": PASSWORD, "csrf_token": token}
    )
    return client


def test_managers_add_and_remove_webhooks_in_the_researcher_area(hooked, receiver):
    client = _signed_in(hooked, "manage")
    page = client.get("/admin/surveys/hooked/webhooks")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    added = client.post(
        "/admin/surveys/hooked/webhooks",
        data={"url": receiver.url, "include_answers": "y", "csrf_token": token},
    )
    assert added.status_code == 200
    assert "whsec_" in added.get_data(as_text=True)  # the secret, this once
    assert "whsec_" not in client.get("/admin/surveys/hooked/webhooks").get_data(as_text=True)
    with hooked.app_context():
        hook = db.session.query(Webhook).one()
        assert hook.include_answers and hook.created_by == "manage@example.org"
    bad = client.post("/admin/surveys/hooked/webhooks", data={"url": "ftp://x", "csrf_token": token})
    assert bad.status_code == 400 and "https://" in bad.get_data(as_text=True)
    removed = client.post(f"/admin/surveys/hooked/webhooks/{hook.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 302
    with hooked.app_context():
        assert db.session.get(Webhook, hook.id).disabled_at is not None


def test_a_read_grant_sees_no_webhooks(hooked):
    client = _signed_in(hooked, "read")
    assert client.get("/admin/surveys/hooked/webhooks").status_code == 404
    assert "/webhooks" not in client.get("/admin/surveys/hooked").get_data(as_text=True)
