"""Tokens of the JSON API: one per integration, acting as a user account; only their hash is stored.

Plain Python; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.accounts.models import ApiToken, User
from tracker.db import utcnow

PREFIX = "trk_"


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message is in Vietnamese."""


def hash_token(token: str) -> str:
    """Hex SHA-256 of a token (tokens are long random strings, so a plain hash suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str, user: User) -> tuple[ApiToken, str]:
    """Create a token named ``name`` acting as ``user``; return the row and the token (shown only now)."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise TokenError("Tên tích hợp phải có từ 1 đến 120 ký tự.")
    if not user.active:
        raise TokenError(f"Tài khoản {user.username} đã bị khóa.")
    if session.scalar(select(ApiToken).where(ApiToken.name == name)) is not None:
        raise TokenError(f"Đã có mã truy cập tên “{name}”.")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=hash_token(token), prefix=token[:10], user=user)
    session.add(row)
    session.flush()
    return row, token


def authenticate(session: Session, token: str | None) -> User | None:
    """The active user a valid, unrevoked token acts as; None otherwise. Records the use."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user


def revoke_token(session: Session, name: str) -> ApiToken:
    """Revoke the token named ``name`` (the row stays for the record)."""
    row = session.scalar(select(ApiToken).where(ApiToken.name == name))
    if row is None:
        raise TokenError(f"Không có mã truy cập tên “{name}”.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, newest first."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
