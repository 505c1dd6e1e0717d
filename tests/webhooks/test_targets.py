"""Where webhooks may send: in production only https to public addresses, unless a setting allows
more; in development a receiver on this machine works. Checked when added and at every delivery."""

import pytest

from app.webhooks import targets
from app.webhooks.targets import Rules, TargetError

PRODUCTION = Rules(http=False, private=False)


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://93.184.216.34/hook", "https"),
        ("https://127.0.0.1/hook", "private"),
        ("https://localhost/hook", "private"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.0.9/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),  # a cloud's metadata service
        ("https://[::1]/hook", "private"),
        ("https://[::ffff:127.0.0.1]/hook", "private"),
        ("https://0.0.0.0/hook", "private"),
        ("https://name.invalid/hook", "cannot be found"),
        ("ftp://93.184.216.34/x", "https://"),
        ("https://user:pw@93.184.216.34/hook", "password"),
        ("https:///nohost", "https://"),
    ],
)
def test_production_refuses_http_and_addresses_that_are_not_public(url, words):
    with pytest.raises(TargetError, match=words):
        targets.check(url, PRODUCTION)


def test_production_takes_https_to_a_public_address():
    targets.check("https://93.184.216.34:8443/hooks/lyssna?x=1", PRODUCTION)


def test_settings_allow_http_and_private_addresses():
    targets.check("http://93.184.216.34/hook", Rules(http=True, private=False))
    targets.check("https://10.1.2.3/hook", Rules(http=False, private=True))


def test_development_takes_a_local_http_receiver(make_app):
    app = make_app()  # LYSSNA_ENV is development
    with app.app_context():
        targets.check("http://127.0.0.1:8099/in")
    production = make_app(LYSSNA_ENV="production")
    with production.app_context(), pytest.raises(TargetError, match="https"):
        targets.check("http://127.0.0.1:8099/in")
    allowed = make_app(
        LYSSNA_ENV="production", LYSSNA_WEBHOOKS_ALLOW_HTTP=True, LYSSNA_WEBHOOKS_ALLOW_PRIVATE=True
    )
    with allowed.app_context():
        targets.check("http://127.0.0.1:8099/in")


def test_a_delivery_is_checked_again_and_never_reaches_a_private_address(
    make_app, write_survey, surveys_dir, receiver
):
    # Added while allowed (development); the server then runs in production: nothing is sent.
    from app.extensions import db
    from app.models import WebhookDelivery
    from app.webhooks import deliveries, hooks

    from .conftest import HOOKED

    write_survey(HOOKED)
    dev = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with dev.app_context():
        hook, _secret = hooks.add(db.session, "hooked", receiver.url)
        delivery = WebhookDelivery(webhook_id=hook.id, body="{}")
        db.session.add(delivery)
        db.session.commit()
        delivery_id = delivery.id
    production = make_app(
        LYSSNA_SURVEYS_DIR=str(surveys_dir), LYSSNA_ENV="production", LYSSNA_WEBHOOKS_ALLOW_HTTP=True
    )
    with production.app_context():
        deliveries.deliver(delivery_id)
        row = db.session.get(WebhookDelivery, delivery_id)
        assert row.attempts == 1 and row.last_status is None and "private" in row.last_error
    assert receiver.received == []
