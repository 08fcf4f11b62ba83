"""Operations that change tasks and write their record. The caller owns the transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.accounts.models import User
from tracker.tasks.models import Task, TaskEvent


@dataclass
class TaskSpec:
    """A task as proposed by the extractor and confirmed (or typed) by the clerk."""

    agency_id: int
    role: str = "lead"
    summary: str = ""
    deadline: dt.date | None = None
    deadline_text: str | None = None
    recurrence: str | None = None
    group_label: str | None = None


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def record(session: Session, task: Task, kind: str, *, actor: User | None, changes: dict | None = None,
           comment: str | None = None, transition: str | None = None) -> TaskEvent:
    """Append an event to the task's history."""
    event = TaskEvent(task=task, actor=actor, kind=kind, transition=transition, comment=comment,
                      changes={k: [_jsonable(a), _jsonable(b)] for k, (a, b) in (changes or {}).items()})
    session.add(event)
    return event


def create_task(session: Session, letter, spec: TaskSpec, *, actor: User | None, status: str = "assigned") -> Task:
    """Create a task of ``letter`` from ``spec`` and record its creation."""
    if spec.role not in {"lead", "cooperate"}:
        raise ValueError(f"unknown role {spec.role!r}")
    task = Task(letter=letter, agency_id=spec.agency_id, role=spec.role, summary=spec.summary.strip(),
                deadline=spec.deadline, original_deadline=spec.deadline, deadline_text=spec.deadline_text,
                recurrence=spec.recurrence, group_label=spec.group_label, status=status, progress=0)
    session.add(task)
    session.flush()
    record(session, task, "created", actor=actor,
           changes={"agency_id": (None, spec.agency_id), "role": (None, spec.role),
                    "deadline": (None, spec.deadline), "status": (None, status)})
    return task
