"""The database tables: survey versions, responses and their photos, participant codes, researchers, audit."""

import secrets
import uuid
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

# JSONB on PostgreSQL lets the dashboard aggregate answers in SQL; plain JSON elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def new_public_id() -> str:
    """A random, unguessable id for URLs (never the row's counter)."""
    return uuid.uuid4().hex


# Receipt codes are read aloud or typed by residents: no 0/O, 1/I/L.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_receipt_code() -> str:
    """A short code a resident can quote to have their answers deleted, e.g. 'K7QM-3XPA'."""
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


class SurveyVersion(db.Model):
    """One distinct definition of a survey, identified by the hash of its canonical form."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict] = mapped_column(JSONType)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Publication(db.Model):
    """A stored version made the one residents are served; a survey's newest publication is live.

    Rows are only ever added: they are the survey's publishing history, and how many there are is
    the number every worker compares with its own to know that it must reload (docs/design.md).
    """

    __tablename__ = "publication"

    START = "start"  # a new file found in the surveys folder when a worker started
    SYNC = "sync"  # `flask surveys sync`
    BROWSER = "browser"  # published, opened or closed in the researcher area
    HOWS = (START, SYNC, BROWSER)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    how: Mapped[str] = mapped_column(String(16))
    by: Mapped[str | None] = mapped_column(String(254))  # the account, when a person published

    version: Mapped[SurveyVersion] = relationship()


class SurveyUpload(db.Model):
    """A survey file uploaded (or edited) in the researcher area, kept as it came between the steps
    upload, check, preview and publish: a fix typed on the page is a new upload, so nothing is lost."""

    __tablename__ = "survey_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)  # whose managers may use it
    file_name: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str | None] = mapped_column(String(254))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Recorded when first previewed (responses need a version), published when published.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("survey_version.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _same_version(context) -> int | None:
    """A new response starts on the version it is stored with, unless told otherwise."""
    return context.get_current_parameters()["version_id"]


class Response(db.Model):
    """One resident's answers to one survey; nothing in it identifies the device or the person."""

    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_survey_status_submitted", "survey_id", "status", "submitted_at"),
        # Covers the counts exports and dashboards make (per survey and status, without test data).
        Index("ix_response_survey_status_flags", "survey_id", "status", "is_test", "is_demo", "version_id"),
        # Which versions responses began and ended on: an export's columns, read from the index alone.
        Index("ix_response_survey_spans", "survey_id", "is_test", "version_id", "started_version_id"),
    )

    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    # The version the response was last saved (and so completed) on, and the one it started on: a
    # survey may change while a resident answers it, and the export keeps what every version asked.
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    started_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_version.id"), default=_same_version
    )
    status: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    language: Mapped[str] = mapped_column(String(16))
    hidden: Mapped[dict] = mapped_column(JSONType, default=dict)
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    # Where the resident is: the id of the page they will see next, and the pages they saw.
    current_page: Mapped[str | None] = mapped_column(String(64))
    page_history: Mapped[list] = mapped_column(JSONType, default=list)
    # A page sent with mistakes, kept until it is sent right: {"page", "form": [[name, value], ...],
    # "revealed", "notice"}. The page shows it after the redirect that answers every POST.
    draft: Mapped[dict | None] = mapped_column(JSONType)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Only a hash of the resume token is kept, so a database leak cannot resume anyone's answers.
    resume_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    receipt_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    participant_code: Mapped[str | None] = mapped_column(String(64))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
    # How the resident came: "kiosk" (a shared device, or a `kiosk: true` survey), "link" (QR codes, links).
    channel: Mapped[str] = mapped_column(String(16), default="link", server_default="link")

    version: Mapped[SurveyVersion] = relationship(foreign_keys=[version_id])


class TextApproval(db.Model):
    """A researcher's decision on one free-text answer: shown (approved) or not, for one purpose.

    `live`: the live screen in a workshop room; `public`: the public results page. A text without an
    approved row is never shown there. Nothing is deleted by hiding: the answer stays in the response.
    """

    __tablename__ = "text_approval"
    __table_args__ = (UniqueConstraint("response_id", "question_id", "purpose"),)

    LIVE = "live"
    PUBLIC = "public"
    PURPOSES = (LIVE, PUBLIC)
    APPROVED = "approved"
    HIDDEN = "hidden"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DisplayLink(db.Model):
    """A link that shows one survey's live screen without a sign-in, until it expires or is revoked.

    Only a hash of its token is kept. It is the one capability that is not a person (docs/design.md).
    """

    __tablename__ = "display_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(120))
    since: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the screen counts answers from then
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ResultUpdate(db.Model):
    """"You said, we did": a short update for residents on a survey's (or a whole pilot's) public
    results, optionally about one value of the survey's `results.by` field (a station)."""

    __tablename__ = "result_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[str | None] = mapped_column(String(64), index=True)  # None: every survey of the pilot
    pilot: Mapped[str | None] = mapped_column(String(64), index=True)
    station: Mapped[str | None] = mapped_column(String(64))  # a value of the `by` field, or None: all
    texts: Mapped[dict] = mapped_column(JSONType, default=dict)  # {language: text}
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    created_by: Mapped[str | None] = mapped_column(String(254))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ErasedReceipt(db.Model):
    """A receipt code whose answers were deleted on request: only its hash, so that the resident can
    learn that the deletion was done, and nobody can read the code back."""

    __tablename__ = "erased_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    survey_id: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApiToken(db.Model):
    """A researcher's personal token for the read API: only its hash is kept. It acts with its owner's
    grants as they are at each request, and stops while the owner is disabled (docs/design.md)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    researcher_id: Mapped[int] = mapped_column(ForeignKey("researcher.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    uses: Mapped[int] = mapped_column(default=0, server_default="0")


class Webhook(db.Model):
    """A URL told of each completed response of a survey, by a POST signed with its secret."""

    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))  # needed to sign: kept, shown once when made
    include_answers: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookDelivery(db.Model):
    """One notice to one webhook, tried until it is answered 2xx or a day has passed."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, exactly as signed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    given_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(500))


class TrapCount(db.Model):
    """How often a survey's spam trap (a field only programs fill) was filled, per day: nothing else
    of such a request is kept."""

    __tablename__ = "trap_count"
    __table_args__ = (UniqueConstraint("survey_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(default=0)


class ParticipantCode(db.Model):
    """A code for an `access: token` survey; each code answers once."""

    __tablename__ = "participant_code"
    __table_args__ = (UniqueConstraint("survey_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    code: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id", ondelete="SET NULL"))


class MediaFile(db.Model):
    """A photo a resident attached to a response (kept while it is in progress), stored by app.media."""

    __tablename__ = "media_file"
    # One picture per photo question: a new upload replaces the row's file name.
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    # The unique (response_id, question_id) constraint also serves lookups by response.
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column()
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    response: Mapped[Response] = relationship()


class Researcher(UserMixin, db.Model):
    """A person who signs in to read results: an admin, or a researcher with granted surveys."""

    __tablename__ = "researcher"

    ADMIN = "admin"
    RESEARCHER = "researcher"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=RESEARCHER)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Every session holds the generation it began in; raising it ends them all, copies of the cookie too.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Retired: an account is no longer locked (failures slow the failing client, app/web/failed_sign_ins.py).
    # Neither read nor written; kept so that the previous release still runs on this schema.
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_sign_in: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:
        """Disabled accounts cannot sign in (Flask-Login asks this)."""
        return self.active

    grants: Mapped[list["Grant"]] = relationship(back_populates="researcher", cascade="all, delete-orphan")


class Grant(db.Model):
    """A researcher may see one survey (`read`), or also act on it (`manage`): see docs/design.md."""

    __tablename__ = "survey_grant"
    __table_args__ = (UniqueConstraint("researcher_id", "survey_id"),)

    READ = "read"  # dashboard, responses, exports, photos
    MANAGE = "manage"  # also deleting responses, erasure by receipt, publishing, kiosks, ...
    LEVELS = (READ, MANAGE)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(16), default=READ, server_default=READ)
    researcher_id: Mapped[int] = mapped_column(ForeignKey("researcher.id", ondelete="CASCADE"))
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    researcher: Mapped[Researcher] = relationship(back_populates="grants")


class SetupToken(db.Model):
    """A one-time link: to create the first admin on a fresh install, or (with `researcher_id`) for
    one account to choose a new password. Only its hash is kept."""

    __tablename__ = "setup_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    researcher_id: Mapped[int | None] = mapped_column(ForeignKey("researcher.id", ondelete="CASCADE"))


class ExportJob(db.Model):
    """An export too large for one request, made in the background; the page polls its progress."""

    __tablename__ = "export_job"

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    researcher_id: Mapped[int | None] = mapped_column(
        ForeignKey("researcher.id", ondelete="CASCADE"), index=True
    )
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    rows_total: Mapped[int | None] = mapped_column()
    rows_done: Mapped[int] = mapped_column(default=0)
    file_name: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The run making the file writes a heartbeat every few seconds. When the heartbeat stops (its
    # gunicorn worker was recycled or killed), the next look at the job starts run `attempts + 1`.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")


class ScheduledExport(db.Model):
    """An export a researcher saved with a schedule: made again daily or weekly, the newest file kept.

    Any number of workers look for due schedules; the one whose UPDATE raises `runs` from the value
    it read makes the file (docs/design.md, section 3), so each due run is made once.
    """

    __tablename__ = "scheduled_export"

    DAILY = "daily"
    WEEKLY = "weekly"
    SCHEDULES = (DAILY, WEEKLY)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    researcher_id: Mapped[int] = mapped_column(ForeignKey("researcher.id", ondelete="CASCADE"), index=True)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[dict] = mapped_column(JSONType, default=dict)  # format and options, as an ExportJob's
    every: Mapped[str] = mapped_column(String(16))
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    runs: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the latest run's end
    last_error: Mapped[str | None] = mapped_column(String(500))  # None when the latest run made its file
    # The newest file made (kept until the next one replaces it): when, its download name, its rows.
    made_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    file_name: Mapped[str | None] = mapped_column(String(255))
    rows: Mapped[int | None] = mapped_column()


class AuditEvent(db.Model):
    """Something a researcher or the system did that someone may need to account for later."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    survey_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)
