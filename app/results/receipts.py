"""What became of the answers a receipt code names, as a resident may learn it on the privacy page:
included in the results, not sent yet, or deleted on request; nothing else (not the survey, not the
answers). A deletion keeps only the SHA-256 of the code, so that it can be told and never read back."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ErasedReceipt, Response
from app.research.responses import normalize_receipt

INCLUDED, NOT_SENT, DELETED, UNKNOWN = "included", "not_sent", "deleted", "unknown"


def receipt_hash(normalized: str) -> str:
    """The hash an erased receipt code is kept as (of the code as stored, e.g. 'K7QM-3XPA')."""
    return hashlib.sha256(normalized.encode()).hexdigest()


def record_erasure(session: Session, survey_id: str, code: str | None) -> None:
    """Remember that the answers of this receipt code were deleted on request (flushes)."""
    normalized = normalize_receipt(code or "")
    if normalized is None:
        return
    digest = receipt_hash(normalized)
    if session.scalar(select(ErasedReceipt.id).filter_by(receipt_hash=digest)) is None:
        session.add(ErasedReceipt(receipt_hash=digest, survey_id=survey_id))
        session.flush()


def status(session: Session, code: str) -> str:
    """INCLUDED, NOT_SENT, DELETED or UNKNOWN (also for anything that cannot be a receipt code)."""
    normalized = normalize_receipt(code)
    if normalized is None:
        return UNKNOWN
    found = session.scalar(select(Response.status).where(Response.receipt_code == normalized))
    if found is not None:
        return INCLUDED if found == Response.COMPLETE else NOT_SENT
    erased = select(ErasedReceipt.id).where(ErasedReceipt.receipt_hash == receipt_hash(normalized))
    return DELETED if session.scalar(erased) is not None else UNKNOWN
