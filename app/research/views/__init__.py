"""The researcher blueprint with its views attached; each module holds the views of one page group."""

from app.research.blueprint import bp
from app.research.views import (  # noqa: F401 (views)
    account,
    audit,
    exports,
    kiosks,
    people,
    photos,
    publishing,
    responses,
    schedules,
    share,
    surveys,
    tokens,
    webhooks,
)

__all__ = ["bp"]
