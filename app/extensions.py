"""The Flask extension objects, created here and bound to the app in create_app()."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from app.clients import client_key
from app.counters import SweepingMemoryStorage  # noqa: F401  (registers lyssna-memory://)


class Base(DeclarativeBase):
    """Declarative base for every table."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
login_manager = LoginManager()
# Limits are kept in memory by default, in Redis when REDIS_URL is set (see config.py). They are
# counted per client under a keyed hash of its address (app/clients.py), never the address itself.
limiter = Limiter(key_func=client_key)
