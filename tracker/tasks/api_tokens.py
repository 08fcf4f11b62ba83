"""Tokens of the JSON API: one per integration, acting as a user account; only their hash is stored.

A token has a scope ("read": GET/HEAD/OPTIONS only; "write": everything its account may do) and may expire.
Plain Python; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.accounts.models import TOKEN_SCOPE_LABELS, TOKEN_SCOPE_WRITE, ApiToken, User
from tracker.db import utcnow

PREFIX = "trk_"
SCOPES = tuple(TOKEN_SCOPE_LABELS)
#: the longest expiry offered (ten years); a longer one is as good as none and is more likely a typing slip
MAX_EXPIRY_DAYS = 3650
#: HTTP methods a read-only token may use: they change nothing
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message is in Vietnamese."""


class TokenRefused(Exception):
    """A request's token does not let it through: ``status`` 401 (unknown, revoked, expired token or locked
    account) or 403 (a read-only token asking to change something); the message is in Vietnamese."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def expiry_after(days: int | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """The expiry ``days`` days from ``now`` (default: the current time); None for no expiry."""
    if days is None:
        return None
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise TokenError(f"Số ngày hiệu lực phải từ 1 đến {MAX_EXPIRY_DAYS}.")
    return (now or utcnow()) + dt.timedelta(days=days)


def hash_token(token: str) -> str:
    """Hex SHA-256 of a token (tokens are long random strings, so a plain hash suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str, user: User, *, scope: str = TOKEN_SCOPE_WRITE,
                 expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token named ``name`` acting as ``user``; return the row and the token (shown only now).

    The people-facing ways in (``tracker api-token create`` and the admin page) default to ``read``; this
    function keeps ``write``, the only scope there was before, so code and tests written then keep their meaning.
    """
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise TokenError("Tên tích hợp phải có từ 1 đến 120 ký tự.")
    if scope not in SCOPES:
        raise TokenError("Quyền của mã truy cập phải là “read” (chỉ đọc) hoặc “write” (đọc và ghi).")
    if expires_at is not None and expires_at <= utcnow():
        raise TokenError("Thời điểm hết hạn phải ở tương lai.")
    if not user.active:
        raise TokenError(f"Tài khoản {user.username} đã bị khóa.")
    if session.scalar(select(ApiToken).where(ApiToken.name == name)) is not None:
        raise TokenError(f"Đã có mã truy cập tên “{name}”.")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=hash_token(token), prefix=token[:10], user=user, scope=scope,
                   expires_at=expires_at)
    session.add(row)
    session.flush()
    return row, token


def check_token(session: Session, token: str | None, method: str, now: dt.datetime | None = None) -> ApiToken:
    """The token row that lets a request with HTTP ``method`` through (its ``user`` is the account to act as).

    Raises TokenRefused: 401 for an unknown, revoked or expired token or a locked account, 403 when a read-only
    token asks for anything but GET, HEAD or OPTIONS. Records the use of a token that passes. The expiry gets
    its own message: whoever sends an expired token holds it, and knowing why it stopped saves them a call.
    """
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        raise TokenRefused(401, "Mã truy cập không hợp lệ hoặc đã bị thu hồi.")
    now = now or utcnow()
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        raise TokenRefused(401, "Mã truy cập không hợp lệ hoặc đã bị thu hồi.")
    if row.is_expired(now):
        raise TokenRefused(401, "Mã truy cập đã hết hạn; hãy đề nghị quản trị hệ thống cấp mã mới.")
    if row.scope != TOKEN_SCOPE_WRITE and method.upper() not in READ_METHODS:
        raise TokenRefused(403, "Mã truy cập này chỉ có quyền đọc, không được thay đổi dữ liệu. "
                                "Hãy đề nghị quản trị hệ thống cấp mã có quyền đọc và ghi.")
    row.last_used_at = now
    return row


def authenticate(session: Session, token: str | None) -> User | None:
    """The user of a valid token with full rights, None otherwise (for callers that do not know the method).

    It cannot tell a read from a write, so it lets only write tokens through: a read-only token is never
    able to change anything through it. Request handling uses check_token, which knows the method.
    """
    try:
        return check_token(session, token, "POST").user
    except TokenRefused:
        return None


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
