"""Account operations: creating users, checking passwords with throttling. The caller commits."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.accounts.models import LoginThrottle, Role, User
from tracker.db import UTCDateTime, utcnow
from tracker.text import fold

#: failures allowed per account name before attempts are slowed down
FREE_FAILURES = 5
#: failures allowed per client address before attempts from it are slowed down
FREE_FAILURES_PER_ADDRESS = 30
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


def end_sessions(user: User) -> None:
    """End every session of ``user``, on every device: the session token in each cookie stops matching.

    Used by sign-out, a password change and an admin's lock, so a copied ``session`` or
    ``remember_token`` cookie is worthless from then on.
    """
    user.session_token = secrets.token_hex(16)


def set_password(user: User, password: str) -> None:
    """Change the password and end the user's sessions."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    user.password_hash = hash_password(password)
    end_sessions(user)


def set_active(user: User, active: bool) -> None:
    """Lock or unlock an account; locking ends its sessions at once (the record of its work stays)."""
    user.active = active
    if not active:
        end_sessions(user)


class SignInRefused(Exception):
    """Sign-in failed; ``retry_after`` seconds to wait when attempts are being slowed down."""

    def __init__(self, retry_after: int = 0):
        super().__init__("Tên đăng nhập hoặc mật khẩu không đúng.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class ThrottleRule:
    """How failures under one kind of key are counted and slowed down."""

    #: the key's prefix: "user" (the name typed) or "addr" (the client's address)
    prefix: str
    #: failures allowed before each further attempt must wait
    free: int
    #: failures older than this no longer count
    window: dt.timedelta


#: per account name: a person mistyping a few times is never slowed, a guesser soon is
ACCOUNT_RULE = ThrottleRule("user", FREE_FAILURES, dt.timedelta(hours=24))
#: per client address: higher, since an office's computers often share one address behind its router
ADDRESS_RULE = ThrottleRule("addr", FREE_FAILURES_PER_ADDRESS, dt.timedelta(hours=1))


def _wait_after(failures: int, free: int) -> int:
    """Seconds to wait after ``failures`` failures: none before ``free``, then 5 s doubling up to the cap."""
    if failures < free:
        return 0
    return min(MAX_BLOCK_SECONDS, 5 * 2 ** min(failures - free, 20))


def _keys(username: str, address: str | None) -> tuple[str, str]:
    """The throttle keys of an attempt: its client address, then the name typed."""
    return (f"{ADDRESS_RULE.prefix}:{(address or 'unknown')[:100]}"[:120],
            f"{ACCOUNT_RULE.prefix}:{fold(username)[:110]}"[:120])


def sign_in_wait(session: Session, username: str, *, address: str | None = None,
                 now: dt.datetime | None = None) -> int:
    """Seconds an attempt for ``username`` from ``address`` must still wait (0: it may be tried).

    A plain read, so a guesser who is being slowed down costs one SELECT and no write at all; the
    atomic count in begin_sign_in stays the rule for the attempts that go on.
    """
    now = now or utcnow()
    until = session.scalars(select(LoginThrottle.blocked_until).where(
        LoginThrottle.key.in_(_keys(username, address)), LoginThrottle.blocked_until > now)).all()
    return max((int((u - now).total_seconds()) + 1 for u in until), default=0)


def _claim(session: Session, rule: ThrottleRule, value: str, now: dt.datetime) -> int:
    """Count one attempt under ``rule`` for ``value`` before its password is checked.

    One INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING: the attempt is counted as a failure in
    advance, atomically, only if the key is not blocked, so simultaneous guesses can never check more
    passwords than the rule allows (a success takes the count back). Returns 0 when the attempt may go
    on, else the seconds to wait.
    """
    key = f"{rule.prefix}:{value}"[:120]
    table = LoginThrottle.__table__
    moment = lambda seconds: literal(now + dt.timedelta(seconds=seconds), UTCDateTime())  # noqa: E731
    counted = case((or_(table.c.last_failure_at.is_(None), table.c.last_failure_at < now - rule.window), 0),
                   else_=table.c.failures) + 1
    # the wait for each count, written out so the one statement computes it on both databases
    steps = [(counted == n, moment(_wait_after(n, rule.free)))
             for n in range(rule.free, rule.free + 9)]
    blocked = case(*steps, (counted > rule.free + 8, moment(MAX_BLOCK_SECONDS)), else_=literal(None, UTCDateTime()))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    first_wait = _wait_after(1, rule.free)
    statement = (
        insert(LoginThrottle)
        .values(key=key, failures=1, last_failure_at=now,
                blocked_until=now + dt.timedelta(seconds=first_wait) if first_wait else None)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={"failures": counted, "blocked_until": blocked, "last_failure_at": now},
            where=or_(table.c.blocked_until.is_(None), table.c.blocked_until <= now))
        .returning(LoginThrottle.failures)
    )
    if session.execute(statement).first() is not None:
        return 0
    blocked_until = session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == key))
    return max(1, int((blocked_until - now).total_seconds()) + 1) if blocked_until else 1


@dataclass
class SignInAttempt:
    """An attempt counted against the throttle, ready for its password check (which needs no database)."""

    username: str
    address: str
    user: User | None
    password_hash: str

    def password_matches(self, password: str) -> bool:
        """Check the password (scrypt, about 0.2 s): call it with no transaction open."""
        return check_password_hash(self.password_hash, password)


def begin_sign_in(session: Session, username: str, *, address: str | None = None,
                  now: dt.datetime | None = None) -> SignInAttempt:
    """Count a sign-in attempt for the client address and the name typed, and load the account.

    Raises SignInRefused (with ``retry_after``) when either is being slowed down: the password is then
    not checked at all. The caller commits before checking the password, so no write lock is held
    while it is hashed.
    """
    now = now or utcnow()
    address = (address or "unknown")[:100]
    wait = (sign_in_wait(session, username, address=address, now=now)
            or _claim(session, ADDRESS_RULE, address, now) or _claim(session, ACCOUNT_RULE, fold(username)[:110], now))
    if wait:
        raise SignInRefused(retry_after=wait)
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    return SignInAttempt(username=username, address=address, user=user,
                         password_hash=user.password_hash if user is not None else _DUMMY_HASH)


def finish_sign_in(session: Session, attempt: SignInAttempt, password_ok: bool,
                   now: dt.datetime | None = None) -> User:
    """Record the outcome of a checked attempt: on success the counts are taken back and the user is
    returned; otherwise SignInRefused (the failure was already counted by begin_sign_in). The caller commits."""
    user = attempt.user
    if not (password_ok and user is not None and user.active):
        raise SignInRefused()
    address_key, account_key = _keys(attempt.username, attempt.address)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key))
    session.execute(update(LoginThrottle).where(LoginThrottle.key == address_key, LoginThrottle.failures > 0)
                    .values(failures=LoginThrottle.failures - 1))
    user = session.merge(user) if user not in session else user
    user.last_login_at = now or utcnow()
    return user


def authenticate(session: Session, username: str, password: str, now: dt.datetime | None = None, *,
                 address: str | None = None) -> User:
    """Return the user for these credentials or raise SignInRefused, in one transaction of the caller's.

    The same refusal whatever was wrong; after the free failures for a name or an address, further
    attempts are refused unchecked for a doubling wait, whether the name exists or not. Web sign-in uses
    begin_sign_in / finish_sign_in instead, to check the password between two short transactions.
    """
    attempt = begin_sign_in(session, username, address=address, now=now)
    return finish_sign_in(session, attempt, attempt.password_matches(password), now=now)
