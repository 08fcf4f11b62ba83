"""Tasks, their history, extension requests, attachments and the periods of recurring tasks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, event, inspect, select)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.agencies.models import Agency
from tracker.db import Base, utcnow
from tracker.intake.models import Letter, StoredFile


class Task(Base):
    """What one agency must do for one letter, lead (chủ trì) or cooperating (phối hợp)."""

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint("role IN ('lead','cooperate')", name="role_valid"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        # one agency's tasks by state and deadline (the counts above an agency's list), from the index alone
        Index("ix_task_agency_status_deadline", "agency_id", "status", "deadline"),
        # units due after today (the overview's "due" figure), from the index alone
        Index("ix_task_deadline_status", "deadline", "status", "agency_id"),
        # what changed since a client's last sync (the API's updated_since and sort=updated)
        Index("ix_task_updated_at", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the letter that gave the task
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"))
    #: the agency responsible
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    #: "lead" (chủ trì) or "cooperate" (phối hợp)
    role: Mapped[str] = mapped_column(String(12), default="lead")
    #: what is to be done, in a sentence or two
    summary: Mapped[str] = mapped_column(Text)
    #: deadline in force (hạn xử lý); None when the letter sets none. For a recurring task: the deadline of
    #: its earliest open period, kept in step by the operations so that lists and filters work in SQL
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    #: the words of the letter that set the deadline
    deadline_text: Mapped[str | None] = mapped_column(Text)
    #: the deadline first given, before any extension
    original_deadline: Mapped[dt.date | None] = mapped_column(Date)
    #: the deadline "on time" is judged against: it follows an extension approved before it passed,
    #: not one approved after (a late task does not become on time by being extended)
    judged_deadline: Mapped[dt.date | None] = mapped_column(Date)
    #: recurrence rule for periodic reports, e.g. "monthly:20"; None for a one-off task
    recurrence: Mapped[str | None] = mapped_column(String(40))
    #: last day a recurring task has periods for; None while the letter sets no end
    recurrence_until: Mapped[dt.date | None] = mapped_column(Date)
    #: the day the task was given (the letter's arrival, or the day a clerk added it); periods start here
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    #: workflow state, one of the states declared in workflows/tasks.toml
    status: Mapped[str] = mapped_column(String(30), default="assigned")
    #: percent done as reported by the agency
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: the officer of the agency handling it (người xử lý); the agency stays responsible
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: the group as printed ("UBND các huyện, thành phố") when the task was fanned out from it
    group_label: Mapped[str | None] = mapped_column(String(255))
    #: the latest result report (báo cáo kết quả); every version stays in the history
    result_text: Mapped[str | None] = mapped_column(Text)
    #: the office's local date of the latest result report
    result_submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    #: số, ký hiệu of the agency's written report or reply that came with the result, e.g. "245/BC-SLĐTBXH"
    reply_number: Mapped[str | None] = mapped_column(String(120))
    #: the date of that written report or reply
    reply_date: Mapped[dt.date | None] = mapped_column(Date)
    #: when the task reached a final state
    completed_at: Mapped[dt.datetime | None] = mapped_column()
    #: the office's local date of completion (the day the accepted result was reported), against which
    #: "on time" is judged
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: optimistic lock: the second of two simultaneous edits is refused, not silently applied
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: the letter's incoming year and number (số đến), copied when the task is written (see
    #: _copy_received_number) so that the lists' "by received" order is read from an index of tasks alone; a
    #: letter's number never changes once it is registered. None for a letter without a number of its own
    received_year: Mapped[int | None] = mapped_column(Integer)
    received_number: Mapped[int | None] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}

    letter: Mapped[Letter] = relationship(back_populates="tasks")
    #: loaded with the tasks, in one statement for all of them (a letter sent to 60 districts lists 60 agencies)
    agency: Mapped[Agency] = relationship(lazy="selectin")
    assignee: Mapped[User | None] = relationship()
    events: Mapped[list[TaskEvent]] = relationship(
        back_populates="task", order_by="TaskEvent.id", cascade="all, delete-orphan", passive_deletes=True
    )
    extensions: Mapped[list[ExtensionRequest]] = relationship(
        back_populates="task", order_by="ExtensionRequest.id", cascade="all, delete-orphan", passive_deletes=True
    )
    attachments: Mapped[list[TaskAttachment]] = relationship(
        back_populates="task", order_by="TaskAttachment.id", cascade="all, delete-orphan", passive_deletes=True
    )
    occurrences: Mapped[list[Occurrence]] = relationship(
        back_populates="task", order_by="Occurrence.period_start", cascade="all, delete-orphan",
        passive_deletes=True
    )

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        """The extension request awaiting a decision, if any."""
        return next((e for e in self.extensions if e.status == "pending"), None)

    @property
    def approved_extensions(self) -> int:
        """How many extensions were granted."""
        return sum(1 for e in self.extensions if e.status == "approved")

    @property
    def is_recurring(self) -> bool:
        """True for a periodic report that has periods (occurrences)."""
        return bool(self.recurrence) and bool(self.occurrences)

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.role} agency={self.agency_id} {self.status}>"


#: the task lists' default order: nearest deadline first, tasks without one last, then by id. The same
#: expressions are indexed below (alone, after the state, after the agency), so a page of a list is read from an
#: index in order instead of sorting every task. The index by state also holds the agency and the letter, so the
#: overview's counts of open tasks per agency and the register's "letters with overdue tasks" read the index
#: alone: their cost follows what is open, not the history
DEADLINE_ORDER = (Task.deadline.is_(None), Task.deadline, Task.id)
Index("ix_task_deadline_order", *DEADLINE_ORDER)
Index("ix_task_status_deadline_order", Task.status, *DEADLINE_ORDER, Task.agency_id, Task.letter_id)
Index("ix_task_agency_deadline_order", Task.agency_id, *DEADLINE_ORDER)
#: a letter's tasks (and the tasks of the letters a text search finds) in the lists' order, from the index alone
Index("ix_task_letter_deadline_order", Task.letter_id, *DEADLINE_ORDER)
#: the lists sorted "by received" (the order of the incoming register), alone and after the state
RECEIVED_ORDER = (Task.received_year, Task.received_number, Task.id)
Index("ix_task_received_order", *RECEIVED_ORDER)
Index("ix_task_status_received_order", Task.status, *RECEIVED_ORDER)


@event.listens_for(Task, "before_insert")
def _copy_received_number(mapper, connection, task: Task) -> None:
    """Write the letter's incoming number with a new task, inside its INSERT (no statement of its own)."""
    _set_received_number(task)


@event.listens_for(Task, "before_update")
def _follow_the_letter(mapper, connection, task: Task) -> None:
    """A task moved to another letter takes that letter's incoming number (the operations never move one today)."""
    state = inspect(task)
    if state.attrs.letter_id.history.has_changes() or state.attrs.letter.history.has_changes():
        _set_received_number(task)


def _set_received_number(task: Task) -> None:
    for column in ("received_year", "received_number"):
        setattr(task, column, select(getattr(Letter, column)).where(Letter.id == task.letter_id)
                .scalar_subquery())


class TaskEvent(Base):
    """One change of a task: who, when, what, with old and new values. Never edited or deleted."""

    __tablename__ = "task_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    #: who did it; None for the system (scheduler, import)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: when it happened
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: created, transition, progress, attachment, assigned_officer, extension_requested, extension_approved,
    #: extension_refused, direction, reassigned, edited, occurrence_created...
    kind: Mapped[str] = mapped_column(String(30))
    #: the transition taken, when kind is "transition"
    transition: Mapped[str | None] = mapped_column(String(40))
    #: {field: [old, new]} of every changed field
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the comment, reason or result text given with the change
    comment: Mapped[str | None] = mapped_column(Text)
    #: the task's version after this change: what a stale form missed is the events after its version
    task_version: Mapped[int | None] = mapped_column(Integer)
    #: the period concerned, for a change of one period of a recurring task
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("task_occurrence.id", ondelete="SET NULL"))
    #: fingerprint of the form submission that made this change (its one-time key and what it asked for),
    #: so the same submission sent twice is recognised as such, never a different one that looks alike
    submission_key: Mapped[str | None] = mapped_column(String(64))

    task: Mapped[Task] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    occurrence: Mapped[Occurrence | None] = relationship()
    attachments: Mapped[list[TaskAttachment]] = relationship(back_populates="event", order_by="TaskAttachment.id")


class ExtensionRequest(Base):
    """A request for a later deadline and the leader's decision on it (gia hạn)."""

    __tablename__ = "task_extension"
    __table_args__ = (
        CheckConstraint("status IN ('pending','approved','refused')", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    #: pending, approved or refused
    status: Mapped[str] = mapped_column(String(12), default="pending")
    #: who asked, when (UTC) and on which local day
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    #: the deadline in force when asked
    old_deadline: Mapped[dt.date] = mapped_column(Date)
    #: the date asked for
    proposed_deadline: Mapped[dt.date] = mapped_column(Date)
    #: why the agency needs more time
    reason: Mapped[str] = mapped_column(Text)
    #: who decided, when (UTC) and on which local day
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    #: the leader's comment on the decision
    decision_comment: Mapped[str | None] = mapped_column(Text)
    #: the deadline granted (may differ from the one asked for)
    granted_deadline: Mapped[dt.date | None] = mapped_column(Date)
    #: True when granted before the deadline in force passed, so "on time" is judged against the new date
    moves_judged_deadline: Mapped[bool | None] = mapped_column(Boolean)

    task: Mapped[Task] = relationship(back_populates="extensions")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Occurrence(Base):
    """One period of a recurring task (kỳ báo cáo): its own deadline, state and result."""

    __tablename__ = "task_occurrence"
    __table_args__ = (UniqueConstraint("task_id", "period_start", name="period_unique"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    #: first and last day of the period reported on
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    #: the period as people say it: "Tháng 9/2019", "Quý III/2019"
    label: Mapped[str] = mapped_column(String(60))
    #: when this period's report is due
    deadline: Mapped[dt.date] = mapped_column(Date, index=True)
    #: workflow state of this period (same states as tasks)
    status: Mapped[str] = mapped_column(String(30), default="assigned", index=True)
    #: the latest report for the period and its local date
    result_text: Mapped[str | None] = mapped_column(Text)
    result_submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    #: số, ký hiệu and date of the written report for this period, when the agency gave them
    reply_number: Mapped[str | None] = mapped_column(String(120))
    reply_date: Mapped[dt.date | None] = mapped_column(Date)
    #: when the period's report was accepted, and the local date on-time is judged by
    completed_at: Mapped[dt.datetime | None] = mapped_column()
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship(back_populates="occurrences")

    @property
    def judged_deadline(self) -> dt.date:
        """Periods are not extended: on time is judged against their own deadline."""
        return self.deadline


class TaskAttachment(Base):
    """A file attached to a task by its agency: a progress document or part of a result report."""

    __tablename__ = "task_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    #: the period it belongs to, for a recurring task's report
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("task_occurrence.id", ondelete="SET NULL"))
    #: the change it came with (a progress update, a result report)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("task_event.id", ondelete="SET NULL"))
    #: the content, stored once by hash (shared with letters' originals)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    #: the file name as uploaded
    file_name: Mapped[str] = mapped_column(String(255))
    #: "progress" or "result"
    purpose: Mapped[str] = mapped_column(String(12), default="progress")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship()
    event: Mapped[TaskEvent | None] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User | None] = relationship()
