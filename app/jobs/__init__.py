"""Work that outgrows a request: background exports, webhook deliveries, scheduled exports.

With REDIS_URL set they are RQ jobs run by `flask worker`; without it they run in threads of the web
process (docs/design.md, section 3). `queue.enqueue` hands work over either way; `ticker` finds what
has come due (scheduled exports, webhook retries); `schedules` is the scheduled exports themselves.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Without Redis, each web process looks for due work itself, from its first request on."""
    from app.jobs import ticker

    ticker.init_app(app)
