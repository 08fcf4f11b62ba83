"""Reminders decided, the outbox of e-mails, the daily passes and the scheduler's heartbeat.

The database is the schedule: a reminder is a row with a unique key (task, stage, day it fell due),
written in the same transaction as the e-mail that carries it (an outbox row with its own unique key
and a Message-ID fixed at that moment). Delivery claims each outbox row with a conditional UPDATE
before talking to the SMTP server, so neither a restart nor a second scheduler sends anything twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.calendar import models as _calendar_models  # noqa: F401  (created by the same migration, 0010)
from tracker.db import Base, utcnow

#: outbox states: waiting (maybe after a failure), claimed by a sender, delivered, given up
OUTBOX_STATES = ("pending", "sending", "sent", "failed")
OUTBOX_STATE_LABELS = {"pending": "Chờ gửi", "sending": "Đang gửi", "sent": "Đã gửi", "failed": "Lỗi, không gửi được"}
#: kinds of outbox messages
OUTBOX_KINDS = ("digest", "no_deadline", "report")
OUTBOX_KIND_LABELS = {"digest": "Nhắc hạn hằng ngày", "no_deadline": "Nhiệm vụ chưa có hạn (hằng tuần)",
                      "report": "Báo cáo định kỳ"}


class Reminder(Base):
    """One stage of one task's reminders, decided on one day. Never sent twice: the key is unique."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("task_id", "stage", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the task reminded of
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    #: working days from the deadline: -5, -2 before it, 0 on it, 3, 6... overdue
    stage: Mapped[int] = mapped_column(Integer)
    #: the day the stage fell due (it depends on the deadline in force, so an extension starts new stages)
    due_on: Mapped[dt.date] = mapped_column(Date)
    #: the deadline in force when it was decided
    deadline: Mapped[dt.date] = mapped_column(Date)
    #: working days left (positive) or overdue (negative) on the day of the pass
    days: Mapped[int] = mapped_column(Integer)
    #: the leaders were copied
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the office day of the pass that decided it (may be later than due_on after a catch-up)
    pass_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """One e-mail to one address, ready to send: a daily digest or the weekly note to the clerk."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("state IN ('pending','sending','sent','failed')", name="state_valid"),
        CheckConstraint("kind IN ('digest','no_deadline','report')", name="kind_valid"),
        Index("ix_outbox_message_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: what makes it unique, e.g. "digest:2019-09-25:so-tc@example.gov.vn:17" (17: its first reminder)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    #: digest or no_deadline
    kind: Mapped[str] = mapped_column(String(20))
    #: the one address it goes to (lower-case)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    #: who that is, as greeted in the mail
    recipient_name: Mapped[str] = mapped_column(String(255), default="")
    #: the subject line, for the admin's list
    subject: Mapped[str] = mapped_column(String(500))
    #: the Message-ID header, fixed when the row is written: a repeat after a crash is recognisable
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    #: the whole message (RFC 5322, ASCII with encoded words), sent as is
    mime: Mapped[str] = mapped_column(Text)
    #: the office day it was written for
    for_date: Mapped[dt.date] = mapped_column(Date, index=True)
    #: what it is about: [{"task_id", "reminder_id", "stage", "days", "escalated"}]
    items: Mapped[list[dict]] = mapped_column(JSON, default=list)
    #: pending, sending, sent or failed
    state: Mapped[str] = mapped_column(String(10), default="pending")
    #: delivery attempts so far
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: not tried again before this time (backoff after a failure)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: when a sender claimed it, and the claim's token (only the claimer may mark it sent)
    claimed_at: Mapped[dt.datetime | None] = mapped_column()
    claim_token: Mapped[str | None] = mapped_column(String(32))
    #: the last error, as the server or the network said it
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: when the server accepted it (or the .eml file was written)
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    #: for a copy made by an admin's "send again" of a delivered message: the original
    resent_from_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))

    attempts_log: Mapped[list[OutboxAttempt]] = relationship(
        back_populates="message", order_by="OutboxAttempt.id", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def state_label(self) -> str:
        """Vietnamese name of the state."""
        return OUTBOX_STATE_LABELS.get(self.state, self.state)

    @property
    def kind_label(self) -> str:
        """Vietnamese name of the kind."""
        return OUTBOX_KIND_LABELS.get(self.kind, self.kind)

    @property
    def task_ids(self) -> list[int]:
        """The tasks the message is about, without repeats."""
        return list(dict.fromkeys(int(item["task_id"]) for item in self.items or []))

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.recipient} {self.state}>"


class OutboxAttempt(Base):
    """One thing that happened to an outbox message: a delivery attempt and its outcome, or an admin's resend."""

    __tablename__ = "outbox_attempt"
    __table_args__ = (CheckConstraint("outcome IN ('sent','retry','failed','resend')", name="outcome_valid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    #: when
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: sent, retry (temporary failure), failed (permanent), resend (an admin asked)
    outcome: Mapped[str] = mapped_column(String(10))
    #: the server's answer or the error
    detail: Mapped[str | None] = mapped_column(Text)
    #: the admin for a resend; None for the scheduler
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    message: Mapped[OutboxMessage] = relationship(back_populates="attempts_log")
    actor: Mapped[User | None] = relationship()


class ReminderPass(Base):
    """The reminder pass of one office day: its row claims the day for the scheduler and keeps the summary."""

    __tablename__ = "reminder_pass"

    #: the office day
    pass_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    #: scheduler or command
    origin: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    #: counts and warnings: {"reminders", "messages", "unreachable": [...], "skipped": reason}
    summary: Mapped[dict] = mapped_column(JSON, default=dict)


class SchedulerHeartbeat(Base):
    """Which process runs the scheduler and when it last ticked (one row), for the admin page."""

    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: host and process id of the active scheduler
    holder: Mapped[str] = mapped_column(String(255))
    #: when it took the lock
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: its last tick
    beat_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
