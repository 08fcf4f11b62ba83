"""Account operations: creating users, checking passwords with throttling. The caller commits."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.accounts.models import LoginThrottle, Role, User
from tracker.db import utcnow
from tracker.text import fold

#: failures allowed before attempts are slowed down
FREE_FAILURES = 5
#: the wait after the free failures doubles with each further failure, up to this many seconds
MAX_BLOCK_SECONDS = 15 * 60
MIN_PASSWORD_LENGTH = 8

# A hash to check against when the user does not exist, so both cases cost the same time.
_DUMMY_HASH = generate_password_hash("not a password of anybody")


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message is in Vietnamese."""


def hash_password(password: str) -> str:
    """Hash with werkzeug's scrypt (a memory-hard KDF)."""
    return generate_password_hash(password, method="scrypt")


def create_user(session: Session, *, username: str, full_name: str, password: str, role: str,
                email: str | None = None, agency_id: int | None = None) -> User:
    """Create a user; refuses a taken name, a short password, an unknown role or an officer without agency."""
    username = username.strip().lower()
    if not username:
        raise AccountError("Tên đăng nhập không được để trống.")
    if role not in {r.value for r in Role}:
        raise AccountError(f"Vai trò không hợp lệ: {role}.")
    if role == Role.OFFICER and agency_id is None:
        raise AccountError("Cán bộ cơ quan phải thuộc một cơ quan.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AccountError(f"Tên đăng nhập “{username}” đã được sử dụng.")
    user = User(username=username, full_name=full_name.strip() or username, email=(email or None),
                password_hash=hash_password(password), role=role, agency_id=agency_id, active=True,
                session_token=secrets.token_hex(16))
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Change the password and end the user's other sessions."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)


class SignInRefused(Exception):
    """Sign-in failed; ``retry_after`` seconds to wait when attempts are being slowed down."""

    def __init__(self, retry_after: int = 0):
        super().__init__("Tên đăng nhập hoặc mật khẩu không đúng.")
        self.retry_after = retry_after


def authenticate(session: Session, username: str, password: str, now: dt.datetime | None = None) -> User:
    """Return the user for these credentials or raise SignInRefused.

    The same refusal whatever was wrong; after FREE_FAILURES failures for a name, further attempts
    are refused unchecked for a doubling wait, whether the name exists or not.
    """
    now = now or utcnow()
    key = fold(username)[:120]
    throttle = session.get(LoginThrottle, key)
    if throttle is not None and throttle.blocked_until is not None and throttle.blocked_until > now:
        raise SignInRefused(retry_after=int((throttle.blocked_until - now).total_seconds()) + 1)
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is not None and valid and user.active:
        if throttle is not None:
            session.delete(throttle)
        user.last_login_at = now
        return user
    if throttle is None:
        throttle = LoginThrottle(key=key, failures=0)
        session.add(throttle)
    throttle.failures += 1
    if throttle.failures >= FREE_FAILURES:
        wait = min(MAX_BLOCK_SECONDS, 2 ** (throttle.failures - FREE_FAILURES) * 5)
        throttle.blocked_until = now + dt.timedelta(seconds=wait)
    raise SignInRefused()
