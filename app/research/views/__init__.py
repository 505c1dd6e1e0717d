"""The researcher blueprint with its views attached; each module holds the views of one page group."""

from app.research.blueprint import bp
from app.research.views import account, audit, exports, photos, responses, share, surveys  # noqa: F401 (views)

__all__ = ["bp"]
