"""Operations that create tasks and write their record. The caller owns the transaction.

Permissioned changes (transitions, progress, extensions...) are in ``tracker.tasks.service``; this module
holds the building blocks the intake code also uses: TaskSpec, create_task and record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.accounts.models import User
from tracker.tasks.models import Occurrence, Task, TaskEvent


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
    #: the day the task is given; default: the letter's arrival
    starts_on: dt.date | None = None
    #: last day a recurring task has periods for
    recurrence_until: dt.date | None = None


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


#: the key of ``Session.info`` under which a caller names the submission it is carrying out
SUBMISSION_KEY = "submission_key"


def record(session: Session, task: Task, kind: str, *, actor: User | None, changes: dict | None = None,
           comment: str | None = None, transition: str | None = None,
           occurrence: Occurrence | None = None) -> TaskEvent:
    """Append an event to the task's history (stamped with the task's current version).

    The event also carries ``session.info["submission_key"]`` when the caller set it: the fingerprint of
    the form submission being carried out, by which the same submission sent twice is recognised.
    """
    event = TaskEvent(task=task, actor=actor, kind=kind, transition=transition, comment=comment,
                      changes={k: [_jsonable(a), _jsonable(b)] for k, (a, b) in (changes or {}).items()},
                      task_version=task.version, occurrence=occurrence,
                      submission_key=session.info.get(SUBMISSION_KEY))
    session.add(event)
    return event


def create_task(session: Session, letter, spec: TaskSpec, *, actor: User | None, status: str | None = None,
                workflow=None) -> Task:
    """Create a task of ``letter`` from ``spec`` and record its creation.

    Without ``status`` the workflow decides where it starts: awaiting a leader's approval when the file's
    ``leader_approves_distribution`` is on and the creator is not a leader, else the initial state.
    ``workflow`` defaults to the one the app bound to the session's engine. A recurring task gets its first
    periods at once.
    """
    from tracker.tasks.workflow import workflow_for

    if spec.role not in {"lead", "cooperate"}:
        raise ValueError(f"unknown role {spec.role!r}")
    workflow = workflow or workflow_for(session)
    if status is None:
        status = workflow.start_state(getattr(actor, "role", None))
    task = Task(letter=letter, agency_id=spec.agency_id, role=spec.role, summary=spec.summary.strip(),
                deadline=spec.deadline, original_deadline=spec.deadline, judged_deadline=spec.deadline,
                deadline_text=spec.deadline_text, recurrence=spec.recurrence, recurrence_until=spec.recurrence_until,
                starts_on=spec.starts_on or letter.received_on, group_label=spec.group_label, status=status,
                progress=0)
    session.add(task)
    session.flush()
    record(session, task, "created", actor=actor,
           changes={"agency_id": (None, spec.agency_id), "role": (None, spec.role),
                    "deadline": (None, spec.deadline), "status": (None, status)})
    if spec.recurrence:
        from tracker.tasks.occurrences import ensure_occurrences

        ensure_occurrences(session, task, task.starts_on, workflow=workflow)
    return task
