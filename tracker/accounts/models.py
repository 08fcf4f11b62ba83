"""Users, their roles and sign-in throttling."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.agencies.models import Agency
from tracker.db import Base, utcnow


class Role(str, enum.Enum):
    """What a user does in the office."""

    ADMIN = "admin"
    CLERK = "clerk"
    LEADER = "leader"
    OFFICER = "officer"

    @property
    def label(self) -> str:
        """Vietnamese name of the role."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Quản trị hệ thống",
    Role.CLERK: "Văn thư",
    Role.LEADER: "Lãnh đạo",
    Role.OFFICER: "Cán bộ cơ quan",
}


class User(Base):
    """A person who signs in."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin','clerk','leader','officer')", name="role_valid"),
        CheckConstraint("role <> 'officer' OR agency_id IS NOT NULL", name="officer_has_agency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: sign-in name, stored lower-case
    username: Mapped[str] = mapped_column(String(80), unique=True)
    #: name shown on pages and in the record
    full_name: Mapped[str] = mapped_column(String(160))
    #: address for reminders and reports
    email: Mapped[str | None] = mapped_column(String(254))
    #: scrypt hash from werkzeug
    password_hash: Mapped[str] = mapped_column(String(255))
    #: one of Role
    role: Mapped[str] = mapped_column(String(20))
    #: the agency an officer works for (leaders and clerks may have one too)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"), index=True)
    #: a deactivated user cannot sign in; their history stays
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: changes at every password change and deactivation, ending open sessions
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column()

    agency: Mapped[Agency | None] = relationship()

    @property
    def role_enum(self) -> Role:
        """The role as an enum member."""
        return Role(self.role)

    # Flask-Login protocol, plain attributes so this module needs no Flask import.
    @property
    def is_authenticated(self) -> bool:
        """Always true for a stored user (Flask-Login)."""
        return True

    @property
    def is_active(self) -> bool:
        """Whether the account may sign in (Flask-Login)."""
        return self.active

    @property
    def is_anonymous(self) -> bool:
        """Never anonymous (Flask-Login)."""
        return False

    def get_id(self) -> str:
        """Session identity: id and session token, so a password change signs out other sessions."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginThrottle(Base):
    """Failed sign-ins per user name (whether or not the name exists) and per client address, to slow down guessing.

    ``key`` is ``"user:<folded name>"`` or ``"addr:<IP address>"``.
    """

    __tablename__ = "login_throttle"

    #: folded user name as typed
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    #: failures since the last success
    failures: Mapped[int] = mapped_column(Integer, default=0)
    #: no attempt is checked before this time
    blocked_until: Mapped[dt.datetime | None] = mapped_column()
    #: the latest failure; failures older than the counting window no longer count
    last_failure_at: Mapped[dt.datetime | None] = mapped_column()


#: What an API token may do: ``read`` only reads (GET, HEAD, OPTIONS), ``write`` also changes tasks.
TOKEN_SCOPE_READ = "read"
TOKEN_SCOPE_WRITE = "write"
TOKEN_SCOPE_LABELS = {TOKEN_SCOPE_READ: "Chỉ đọc", TOKEN_SCOPE_WRITE: "Đọc và ghi"}

#: The states of a token as the admin page shows them
TOKEN_STATE_LABELS = {"active": "Đang dùng", "revoked": "Đã thu hồi", "expired": "Hết hạn"}


class ApiToken(Base):
    """A secret an integration (the provincial e-office, a dashboard) sends to use the JSON API as a user.

    Only a SHA-256 hash of the token is kept; the token itself is shown once, when created.
    """

    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint("scope IN ('read','write')", name="scope_valid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the integration's name, e.g. "e-office"
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: hex SHA-256 of the token
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters of the token, to recognise it in lists
    prefix: Mapped[str] = mapped_column(String(16))
    #: the account whose role and agency the integration acts with
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: last successful use, to spot tokens nobody uses any more
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    #: a revoked token is refused; the row stays for the record
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    #: "read" or "write" (TOKEN_SCOPE_LABELS); tokens made before scopes existed are "write"
    scope: Mapped[str] = mapped_column(String(10))
    #: after this moment the token is refused; None = never expires
    expires_at: Mapped[dt.datetime | None] = mapped_column()

    user: Mapped[User] = relationship()

    @property
    def scope_label(self) -> str:
        """Vietnamese name of the scope ("Chỉ đọc", "Đọc và ghi")."""
        return TOKEN_SCOPE_LABELS.get(self.scope, self.scope)

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        """True once ``expires_at`` has passed (at ``now``, default the current time)."""
        return self.expires_at is not None and self.expires_at <= (now or utcnow())

    def state(self, now: dt.datetime | None = None) -> str:
        """"active", "revoked" or "expired" (a revoked token reads as revoked even after its expiry)."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired(now) else "active"

    def state_label(self, now: dt.datetime | None = None) -> str:
        """Vietnamese name of the state ("Đang dùng", "Đã thu hồi", "Hết hạn")."""
        return TOKEN_STATE_LABELS[self.state(now)]
