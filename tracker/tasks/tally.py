"""The overview's figures kept up to date as tasks change, so no page counts ten years of tasks per request.

The Government Office figures count *units* (see ``tracker.tasks.queries``). Most of what they count never
changes once a unit is closed, and a province closes a million of them in ten years; counting those on every
request made the overview take seconds. So the counts that do not depend on today are kept in two small tables:

- ``figures_tally``: units per agency, task state, unit state, whether the unit has a deadline and whether it was
  (or would be) finished on time. The states are stored as they are, not as the workflow reads them, so a
  change of workflow file needs no rebuild.
- ``figures_task_tally``: tasks per agency and state, for the counts above the task lists.
- ``figures_version``: a number every such change moves, so figures computed once can be kept until it does.
- ``figures_letter_tally``: the number of letters with at least one counted unit, for one set of left-out states
  (the workflow decides which states are "not distributed yet"); kept per set so a workflow change is noticed.

What depends on today (overdue, due soon, not yet due) is counted over open units only, which stay few however
long the history grows.

How the tables stay right: every flush that changes a task or a period in a way that moves it between counts
measures the affected tasks' units in SQL just before and just after the flush, with the same definition of a
unit as the figures, and adds the difference. A row changed outside the ORM (a bulk import, a hand-made
fix) is not seen; ``rebuild`` counts everything again (``tracker figures rebuild``; the scheduler does it every
night), and ``differences`` says whether the tables agree with a full count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Integer, String, delete, func, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from tracker.db import Base
from tracker.tasks.models import Occurrence, Task
from tracker.tasks.queries import units

#: the attributes of a task or a period whose change can move a unit from one count to another (a relationship
#: too: ``task.agency = other`` sets agency_id only during the flush)
_TASK_FIELDS = ("status", "agency_id", "agency", "letter_id", "letter", "deadline", "judged_deadline", "completed_on")
_PERIOD_FIELDS = ("status", "deadline", "completed_on", "task_id", "task")


class FiguresTally(Base):
    """Units per agency and state, kept current by ``keep_current`` (see the module docstring)."""

    __tablename__ = "figures_tally"

    #: the agency responsible for the units
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the task's state (for a one-off task the same as ``status``)
    task_status: Mapped[str] = mapped_column(String(30), primary_key=True)
    #: the unit's state: the task's for a one-off task, the period's for a recurring one
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    #: 1 when the unit has a deadline
    dated: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: 1 when the unit has no deadline to judge by or was completed on or before it
    on_time: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: how many units
    units: Mapped[int] = mapped_column(Integer, default=0)


class FiguresTaskTally(Base):
    """Tasks (not units) per agency and state: the counts above the task lists."""

    __tablename__ = "figures_task_tally"

    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    #: how many tasks
    tasks: Mapped[int] = mapped_column(Integer, default=0)


class FiguresVersion(Base):
    """A number that grows with every change the tally sees: figures computed under one number stay right until
    it moves, so a process may keep them (tracker.tasks.queries.overview_figures)."""

    __tablename__ = "figures_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: bumped by every flush that moves a task or a period between counts (and by a recount)
    version: Mapped[int] = mapped_column(Integer, default=0)


class FiguresLetterTally(Base):
    """Letters with at least one unit whose states are not in ``left_out``."""

    __tablename__ = "figures_letter_tally"

    #: the left-out states, sorted and comma-separated ("awaiting_approval,cancelled")
    left_out: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: how many letters
    letters: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class TallyRow:
    """One line of the units tally."""

    agency_id: int
    task_status: str
    status: str
    dated: bool
    on_time: bool
    units: int


_Key = tuple[int, str, str, int, int]


def _count_units(session: Session, task_ids=None) -> Counter[_Key]:
    """Units (of some tasks, else all) counted by the units tally's key."""
    sub = units(task_ids=task_ids)
    rows = session.execute(
        select(sub.c.agency_id, sub.c.task_status, sub.c.status, sub.c.dated, sub.c.on_time, func.count())
        .group_by(sub.c.agency_id, sub.c.task_status, sub.c.status, sub.c.dated, sub.c.on_time))
    return Counter({(a, ts, s, int(d), int(o)): n for a, ts, s, d, o, n in rows})


def _count_tasks(session: Session, task_ids=None) -> Counter[tuple[int, str]]:
    """Tasks (some, else all) counted by agency and state."""
    query = select(Task.agency_id, Task.status, func.count()).group_by(Task.agency_id, Task.status)
    if task_ids is not None:
        query = query.where(Task.id.in_(task_ids))
    return Counter({(a, s): n for a, s, n in session.execute(query)})


def _measure(session: Session, task_ids) -> tuple[Counter, Counter]:
    """Units of some tasks counted by the units tally's key, and the tasks by agency and state."""
    if not task_ids:
        return Counter(), Counter()
    ids = sorted(task_ids)
    return _count_units(session, ids), _count_tasks(session, ids)


def left_out_key(left_out: frozenset[str]) -> str:
    """The stored name of a set of left-out states."""
    return ",".join(sorted(left_out))


def _letters_with_units(session: Session, left_out: frozenset[str], letter_ids=None) -> set[int] | int:
    """The letters (among ``letter_ids``) with a unit whose states are not left out; all of them: a count."""
    sub = units(left_out, letter_ids=None if letter_ids is None else sorted(letter_ids))
    if letter_ids is None:
        return session.scalar(select(func.count(func.distinct(sub.c.letter_id)))) or 0
    return set(session.scalars(select(sub.c.letter_id).distinct()))


def _left_out(session: Session) -> frozenset[str]:
    from tracker.tasks.workflow import workflow_for

    return frozenset({"cancelled"}) | workflow_for(session).hidden_states


def _changed(obj, fields) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _affected(session: Session) -> tuple[set[int], list, set[int]]:
    """Tasks whose units may move in this flush: ids known now, objects whose id comes with the flush,
    and the letters concerned."""
    task_ids: set[int] = set()
    pending: list = []
    letter_ids: set[int] = set()

    def note_task(task: Task | None, task_id: int | None) -> None:
        if task_id is None and task is not None:
            task_id = task.id
        if task_id is not None:
            task_ids.add(task_id)
        elif task is not None:
            pending.append(task)
        if task is not None:
            # the letter as the object knows it, without loading anything (a load here would flush)
            letter = task.__dict__.get("letter")
            for letter_id in (task.__dict__.get("letter_id"), getattr(letter, "id", None),
                              *inspect(task).attrs.letter_id.history.deleted):
                if letter_id is not None:
                    letter_ids.add(letter_id)

    for obj in session.new:
        if isinstance(obj, Task):
            note_task(obj, None)
        elif isinstance(obj, Occurrence):
            note_task(obj.__dict__.get("task"), obj.__dict__.get("task_id"))
    for obj in session.dirty:
        if isinstance(obj, Task) and _changed(obj, _TASK_FIELDS):
            note_task(obj, None)
        elif isinstance(obj, Occurrence) and _changed(obj, _PERIOD_FIELDS):
            note_task(obj.__dict__.get("task"), obj.__dict__.get("task_id"))
            task_ids.update(t for t in inspect(obj).attrs.task_id.history.deleted if t is not None)
    for obj in session.deleted:
        if isinstance(obj, Task):
            note_task(obj, None)
        elif isinstance(obj, Occurrence):
            note_task(obj.__dict__.get("task"), obj.__dict__.get("task_id"))
    return task_ids, pending, letter_ids


def _before_flush(session: Session, flush_context, instances) -> None:
    with session.no_autoflush:
        task_ids, pending, letter_ids = _affected(session)
        if not task_ids and not pending:
            return
        left_out = _left_out(session)
        letter_ids |= set(session.scalars(select(Task.letter_id).where(Task.id.in_(sorted(task_ids))))) \
            if task_ids else set()
        before = _measure(session, task_ids)
        letters_before = _letters_with_units(session, left_out, letter_ids) if letter_ids else set()
    session.info.setdefault("tracker.tally", []).append((task_ids, pending, letter_ids, before, letters_before,
                                                          left_out))


def _after_flush(session: Session, flush_context) -> None:
    queued = session.info.pop("tracker.tally", [])
    for task_ids, pending, letter_ids, before, letters_before, left_out in queued:
        ids = set(task_ids) | {t.id for t in pending if t.id is not None}
        letter_ids = set(letter_ids) | {t.letter_id for t in pending if t.letter_id is not None}
        after = _measure(session, ids)
        letters_after = _letters_with_units(session, left_out, letter_ids) if letter_ids else set()
        _apply(session, FiguresTally, ("agency_id", "task_status", "status", "dated", "on_time"), "units",
               after[0] - before[0], before[0] - after[0])
        _apply(session, FiguresTaskTally, ("agency_id", "status"), "tasks", after[1] - before[1],
               before[1] - after[1])
        _apply_letters(session, left_out, len(letters_after) - len(letters_before))
    if queued:
        _bump_version(session)


def _bump_version(session: Session) -> None:
    conn = session.connection()
    table = FiguresVersion.__table__
    if not conn.execute(table.update().where(table.c.id == 1).values(version=table.c.version + 1)).rowcount:
        conn.execute(table.insert().values(id=1, version=1))


def figures_version(session: Session) -> int:
    """The current version of the figures (see FiguresVersion)."""
    return session.scalar(select(FiguresVersion.version).where(FiguresVersion.id == 1)) or 0


def _apply(session: Session, model, key_columns: tuple[str, ...], count_column: str, added: Counter,
           removed: Counter) -> None:
    """Add the difference to a tally, in key order (so two writers lock rows in the same order)."""
    table = model.__table__
    conn = session.connection()
    for key in sorted(set(added) | set(removed)):
        change = added[key] - removed[key]
        if not change:
            continue
        where = [table.c[name] == value for name, value in zip(key_columns, key)]
        done = conn.execute(table.update().where(*where)
                            .values({count_column: table.c[count_column] + change})).rowcount
        if not done:
            conn.execute(table.insert().values({**dict(zip(key_columns, key)), count_column: change}))


def _apply_letters(session: Session, left_out: frozenset[str], change: int) -> None:
    key = left_out_key(left_out)
    conn = session.connection()
    table = FiguresLetterTally.__table__
    if change:
        done = conn.execute(table.update().where(table.c.left_out == key)
                            .values(letters=table.c.letters + change)).rowcount
    else:
        done = conn.execute(select(func.count()).select_from(table).where(table.c.left_out == key)).scalar()
    if not done:
        # first write under this set of left-out states (a new database or a new workflow): count once
        conn.execute(table.insert().values(left_out=key, letters=_letters_with_units(session, left_out)))


def keep_current(sessions: sessionmaker) -> None:
    """Keep the tally current in every session made by ``sessions`` (called by the app factory)."""
    from sqlalchemy import event

    # a mark on the factory itself: event.contains() can answer for a dead factory that had the same id()
    if not getattr(sessions, "_keeps_figures_current", False):
        event.listen(sessions, "before_flush", _before_flush)
        event.listen(sessions, "after_flush", _after_flush)
        sessions._keeps_figures_current = True  # type: ignore[attr-defined]


def tally_rows(session: Session) -> list[TallyRow]:
    """The units tally as it is stored (a few hundred rows at most: agencies × states)."""
    t = FiguresTally
    rows = session.execute(select(t.agency_id, t.task_status, t.status, t.dated, t.on_time, t.units)
                           .where(t.units != 0))  # plain rows: thousands of ORM objects cost more than the query
    return [TallyRow(a, ts, s, bool(d), bool(o), n) for a, ts, s, d, o, n in rows]


def task_counts(session: Session, *, agency_id: int | None = None) -> dict[str, int]:
    """Tasks per state (of one agency), from the tally."""
    query = select(FiguresTaskTally.status, func.sum(FiguresTaskTally.tasks)).group_by(FiguresTaskTally.status)
    if agency_id is not None:
        query = query.where(FiguresTaskTally.agency_id == agency_id)
    return {status: int(n) for status, n in session.execute(query) if n}


def counted_letters(session: Session, left_out: frozenset[str]) -> int:
    """Letters with at least one unit not in ``left_out``: from the tally when it has them, else counted."""
    stored = session.scalar(select(FiguresLetterTally.letters)
                            .where(FiguresLetterTally.left_out == left_out_key(left_out)))
    return stored if stored is not None else _letters_with_units(session, left_out)


def ensure_letters(session: Session) -> None:
    """Count the letters once if the tally has no count for the workflow's left-out states (a new database, a
    migrated one, a changed workflow); the caller commits."""
    _apply_letters(session, _left_out(session), 0)


@dataclass
class _Count:
    """A full count of what the tally keeps."""

    units: Counter
    tasks: Counter
    letters: int


def _full_count(session: Session, left_out: frozenset[str]) -> _Count:
    return _Count(_count_units(session), _count_tasks(session), _letters_with_units(session, left_out))


def _store(session: Session, left_out: frozenset[str], count: _Count) -> None:
    session.execute(delete(FiguresTally))
    session.execute(delete(FiguresTaskTally))
    session.execute(delete(FiguresLetterTally))
    tasks = [dict(agency_id=a, status=s, tasks=n) for (a, s), n in sorted(count.tasks.items())]
    if tasks:
        session.execute(FiguresTaskTally.__table__.insert(), tasks)
    rows = [dict(agency_id=a, task_status=ts, status=s, dated=d, on_time=o, units=n)
            for (a, ts, s, d, o), n in sorted(count.units.items())]
    if rows:
        session.execute(FiguresTally.__table__.insert(), rows)
    session.execute(FiguresLetterTally.__table__.insert().values(left_out=left_out_key(left_out),
                                                                  letters=count.letters))
    _bump_version(session)


def rebuild(session: Session, left_out: frozenset[str] | None = None) -> None:
    """Count every unit and letter again and store the result (the caller commits)."""
    left_out = _left_out(session) if left_out is None else left_out
    _store(session, left_out, _full_count(session, left_out))


def recount(session: Session) -> list[str]:
    """Check the tally against a full count and, when they disagree, store that count (the caller commits).
    Returns the disagreements found (the scheduler logs them: something wrote tasks outside the ORM)."""
    left_out = _left_out(session)
    count = _full_count(session, left_out)
    problems = _differences(session, left_out, count)
    if problems:
        _store(session, left_out, count)
    else:
        ensure_letters(session)
    return problems


def differences(session: Session, left_out: frozenset[str] | None = None) -> list[str]:
    """Where the stored tally disagrees with a full count (empty when it agrees)."""
    left_out = _left_out(session) if left_out is None else left_out
    return _differences(session, left_out, _full_count(session, left_out))


def _differences(session: Session, left_out: frozenset[str], count: _Count) -> list[str]:
    stored = Counter({(r.agency_id, r.task_status, r.status, int(r.dated), int(r.on_time)): r.units
                      for r in tally_rows(session)})
    problems = [f"{key}: stored {stored[key]}, counted {count.units[key]}"
                for key in sorted(set(stored) | set(count.units)) if stored[key] != count.units[key]]
    stored_tasks = Counter({(r.agency_id, r.status): r.tasks for r in session.scalars(select(FiguresTaskTally))
                            if r.tasks})
    problems += [f"tasks {key}: stored {stored_tasks[key]}, counted {count.tasks[key]}"
                 for key in sorted(set(stored_tasks) | set(count.tasks)) if stored_tasks[key] != count.tasks[key]]
    letters = session.scalar(select(FiguresLetterTally.letters)
                             .where(FiguresLetterTally.left_out == left_out_key(left_out)))
    if letters is not None and letters != count.letters:
        problems.append(f"letters: stored {letters}, counted {count.letters}")
    return problems
