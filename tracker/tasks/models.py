"""Tasks and their history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.agencies.models import Agency
from tracker.db import Base, utcnow
from tracker.intake.models import Letter


class Task(Base):
    """What one agency must do for one letter, lead (chủ trì) or cooperating (phối hợp)."""

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint("role IN ('lead','cooperate')", name="role_valid"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the letter that gave the task
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    #: the agency responsible
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"), index=True)
    #: "lead" (chủ trì) or "cooperate" (phối hợp)
    role: Mapped[str] = mapped_column(String(12), default="lead")
    #: what is to be done, in a sentence or two
    summary: Mapped[str] = mapped_column(Text)
    #: deadline in force (hạn xử lý); None when the letter sets none
    deadline: Mapped[dt.date | None] = mapped_column(Date, index=True)
    #: the words of the letter that set the deadline
    deadline_text: Mapped[str | None] = mapped_column(Text)
    #: the deadline first given, before any extension
    original_deadline: Mapped[dt.date | None] = mapped_column(Date)
    #: recurrence rule for periodic reports, e.g. "monthly:20"; None for a one-off task
    recurrence: Mapped[str | None] = mapped_column(String(40))
    #: workflow state, one of the states declared in workflows/tasks.toml
    status: Mapped[str] = mapped_column(String(30), default="assigned", index=True)
    #: percent done as reported by the agency
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: the officer of the agency handling it (người xử lý); the agency stays responsible
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: the group as printed ("UBND các huyện, thành phố") when the task was fanned out from it
    group_label: Mapped[str | None] = mapped_column(String(255))
    #: when the task reached a final state
    completed_at: Mapped[dt.datetime | None] = mapped_column()
    #: the office's local date of completion, against which "on time" is judged
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: optimistic lock: the second of two simultaneous edits is refused, not silently applied
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    letter: Mapped[Letter] = relationship(back_populates="tasks")
    agency: Mapped[Agency] = relationship()
    assignee: Mapped[User | None] = relationship()
    events: Mapped[list[TaskEvent]] = relationship(
        back_populates="task", order_by="TaskEvent.id", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.role} agency={self.agency_id} {self.status}>"


class TaskEvent(Base):
    """One change of a task: who, when, what, with old and new values. Never edited or deleted."""

    __tablename__ = "task_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    #: who did it; None for the system (scheduler, import)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: when it happened
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: created, transition, edit, progress, comment, reminder...
    kind: Mapped[str] = mapped_column(String(30))
    #: the transition taken, when kind is "transition"
    transition: Mapped[str | None] = mapped_column(String(40))
    #: {field: [old, new]} of every changed field
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the comment, reason or result text given with the change
    comment: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
