"""Read-only queries over tasks for lists, dashboards and reports. Plain SQLAlchemy.

The Government Office figures count *units*: a one-off task is one unit, and each period of a recurring
task is one unit with its own deadline and state, so a late monthly report counts as late. Tasks that
are cancelled or not yet distributed (awaiting a leader's approval) are left out.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, and_, case, cast, exists, func, null, or_, select, text, union_all
from sqlalchemy.orm import Session, joinedload

from tracker.agencies.models import Agency
from tracker.db import count_capped
from tracker.intake.models import Letter
from tracker.intake.search import letters_matching, matching_letter_ids, search_terms
from tracker.tasks.models import Occurrence, Task
from tracker.tasks.rollup import LetterRollup, letter_rollup


def tasks_query(*, agency_id: int | None = None, states: frozenset[str] | None = None) -> Select:
    """Tasks with their letter (without its text) and agency loaded, optionally of one agency and some states."""
    query = select(Task).options(joinedload(Task.letter), joinedload(Task.agency))
    if agency_id is not None:
        query = query.where(Task.agency_id == agency_id)
    if states is not None:
        query = query.where(Task.status.in_(sorted(states)))
    return query


def overdue(query: Select, today: dt.date, open_states: frozenset[str]) -> Select:
    """Restrict to open tasks whose deadline has passed."""
    return query.where(Task.status.in_(sorted(open_states)), Task.deadline < today)


def due_between(query: Select, start: dt.date, end: dt.date, open_states: frozenset[str]) -> Select:
    """Restrict to open tasks due from ``start`` to ``end`` inclusive."""
    return query.where(Task.status.in_(sorted(open_states)), Task.deadline >= start, Task.deadline <= end)


def end_of_week(day: dt.date) -> dt.date:
    """The Sunday of ``day``'s week."""
    return day + dt.timedelta(days=6 - day.weekday())


@dataclass
class TaskFilters:
    """What a task list is narrowed to; every field optional.

    ``status``: a state, ``open``, ``finished`` (done) or ``closed`` (done or cancelled); ``due``: ``overdue``,
    ``soon`` (within the due-soon window), ``week`` (by Sunday), ``none`` (no deadline), ``reached`` (deadline
    on or before today, whatever the state).
    """

    status: str = ""
    due: str = ""
    role: str = ""
    letter_id: int | None = None
    agency_id: int | None = None
    assignee_id: int | None = None
    text: str = ""


def apply_filters(query: Select, filters: TaskFilters, *, workflow, today: dt.date, soon_end: dt.date,
                  dialect: str = "sqlite", session: Session | None = None) -> Select:
    """Narrow a task query by the filters of the list pages and the API (unknown values are ignored).

    The text filter finds the letters through the register's full-text index (``dialect`` names the database);
    with a ``session``, the tasks are read the cheaper way for how many letters match (search.letters_matching).
    """
    if filters.status in workflow.states:
        query = query.where(Task.status == filters.status)
    elif filters.status == "open":
        query = query.where(Task.status.in_(sorted(workflow.open_states - workflow.hidden_states)))
    elif filters.status == "closed":
        query = query.where(Task.status.not_in(sorted(workflow.open_states)))
    elif filters.status == "finished":
        query = query.where(Task.status.in_(sorted(workflow.final_states)))
    if filters.due == "overdue":
        query = overdue(query, today, workflow.open_states)
    elif filters.due == "soon":
        query = due_between(query, today, soon_end, workflow.open_states)
    elif filters.due == "week":
        query = due_between(query, today, end_of_week(today), workflow.open_states)
    elif filters.due == "none":
        query = query.where(Task.deadline.is_(None))
    elif filters.due == "reached":
        query = query.where(Task.deadline <= today, Task.status != "cancelled")
    if filters.role in {"lead", "cooperate"}:
        query = query.where(Task.role == filters.role)
    if filters.letter_id is not None:
        query = query.where(Task.letter_id == filters.letter_id)
    if filters.agency_id is not None:
        query = query.where(Task.agency_id == filters.agency_id)
    if filters.assignee_id is not None:
        query = query.where(Task.assignee_id == filters.assignee_id)
    if filters.text:
        # the letter's number, subject and full text, without diacritics, as the register searches them
        if search_terms(filters.text):
            query = query.where(letters_matching(Task.letter_id, filters.text, dialect, session))
    return query


def state_counts(session: Session, *, agency_id: int | None = None, hidden: frozenset[str] = frozenset()) -> dict:
    """Number of tasks per state (of one agency), leaving out the states in ``hidden`` (from the running tally,
    tracker.tasks.tally, so the cost does not grow with the history)."""
    from tracker.tasks.tally import task_counts

    return {state: n for state, n in task_counts(session, agency_id=agency_id).items() if state not in hidden}


def deadline_counts(session: Session, *, today: dt.date, soon_end: dt.date, open_states: frozenset[str],
                    agency_id: int | None = None) -> dict:
    """Open tasks overdue, due soon and due this week (of one agency), for the chips above every task list.

    Kept in the process like the overview's figures (``_kept``): they change only when a task's state, deadline
    or agency does, which moves the figures' version.
    """
    def count_all() -> dict:
        base = select(Task.id)
        if agency_id is not None:
            base = base.where(Task.agency_id == agency_id)

        def count(query) -> int:
            return session.scalar(select(func.count()).select_from(query.subquery())) or 0

        return {"overdue": count(overdue(base, today, open_states)),
                "soon": count(due_between(base, today, soon_end, open_states)),
                "week": count(due_between(base, today, end_of_week(today), open_states))}

    return _kept(session, ("deadline_counts", today, soon_end, frozenset(open_states), agency_id), count_all)


def units(excluded: frozenset[str] = frozenset(), *, task_ids=None, letter_ids=None, agency_id: int | None = None,
          period: tuple[dt.date, dt.date] | None = None, final_states: frozenset[str] = frozenset()):
    """One row per unit of work: one-off tasks, and each period of recurring tasks (see the module docstring).

    Left out: units whose task or own state is in ``excluded``. ``task_ids``, ``letter_ids`` or ``agency_id``
    narrow it to some tasks, letters or one agency, inside each branch so that the indexes are used (the running
    tally measures a flush's tasks this way). With ``period`` (first and last day), only the units that belong to
    it: given on or before its last day (a one-off task on its start or its letter's arrival, a period on its
    first day) and not finished (a state in ``final_states``) before its first day; the reports count so.

    Columns: task_id, occurrence_id (None for a one-off task), letter_id, agency_id, task_status (the task's),
    status (the unit's), deadline, judged (the deadline on-time is judged by), completed_on, dated (1 when it has
    a deadline), on_time (1 when there is no deadline to judge by or it was completed on or before it).
    """
    def branch(occurrence_id, status, deadline, judged, completed_on):
        return (Task.id.label("task_id"), occurrence_id.label("occurrence_id"), Task.letter_id, Task.agency_id,
                Task.status.label("task_status"), status.label("status"), deadline.label("deadline"),
                judged.label("judged"), completed_on.label("completed_on"),
                case((deadline.is_not(None), 1), else_=0).label("dated"),
                case((judged.is_(None) | (completed_on <= judged), 1), else_=0).label("on_time"))

    def belongs(given, status, completed_on):
        start, end = period
        return and_(or_(given.is_(None), given <= end),
                    or_(status.not_in(sorted(final_states)), completed_on.is_(None), completed_on >= start))

    has_periods = exists(select(Occurrence.id).where(Occurrence.task_id == Task.id))
    excluded_list = sorted(excluded)
    one_off = select(*branch(cast(null(), Integer), Task.status, Task.deadline,
                             func.coalesce(Task.judged_deadline, Task.deadline), Task.completed_on)).where(~has_periods)
    periodic = select(*branch(Occurrence.id, Occurrence.status, Occurrence.deadline, Occurrence.deadline,
                              Occurrence.completed_on)).join(Occurrence, Occurrence.task_id == Task.id)
    if excluded_list:
        one_off = one_off.where(Task.status.not_in(excluded_list))
        periodic = periodic.where(Task.status.not_in(excluded_list), Occurrence.status.not_in(excluded_list))
    if task_ids is not None:
        one_off, periodic = one_off.where(Task.id.in_(task_ids)), periodic.where(Task.id.in_(task_ids))
    if letter_ids is not None:
        one_off = one_off.where(Task.letter_id.in_(letter_ids))
        periodic = periodic.where(Task.letter_id.in_(letter_ids))
    if agency_id is not None:
        one_off, periodic = one_off.where(Task.agency_id == agency_id), periodic.where(Task.agency_id == agency_id)
    if period is not None:
        one_off = one_off.join(Letter, Letter.id == Task.letter_id).where(
            belongs(func.coalesce(Task.starts_on, Letter.received_on), Task.status, Task.completed_on))
        periodic = periodic.where(belongs(Occurrence.period_start, Occurrence.status, Occurrence.completed_on))
    return union_all(one_off, periodic).subquery("units")


@dataclass
class Figures:
    """The Government Office's follow-up figures (counted in units, see the module docstring)."""

    letters_with_tasks: int
    tasks: int
    due: int
    done: int
    done_on_time: int
    overdue_open: int
    open_not_due: int
    no_deadline_open: int
    #: tasks the agencies do not see yet: the distribution awaits a leader's approval
    awaiting_approval: int = 0
    #: open units due within the due-soon window (filled when ``soon_end`` is given)
    due_soon: int = 0

    @property
    def on_time_share(self) -> float | None:
        """Share of done tasks finished on time, 0-100, None when none is done."""
        return None if not self.done else round(100 * self.done_on_time / self.done, 1)

    @property
    def done_late(self) -> int:
        """Done, but after the deadline in force."""
        return self.done - self.done_on_time

    @property
    def open(self) -> int:
        """Units not finished yet."""
        return self.overdue_open + self.open_not_due + self.no_deadline_open


def _workflow(session: Session):
    from tracker.tasks.workflow import workflow_for

    return workflow_for(session)


def figures_by_scan(session: Session, today: dt.date, open_states: frozenset[str], agency_id: int | None = None,
                    soon_end: dt.date | None = None) -> Figures:
    """``figures`` counted over every unit in the database: the reference the running counts are checked by."""
    workflow = _workflow(session)
    hidden = workflow.hidden_states
    sub = units(frozenset({"cancelled"}) | hidden)
    open_list = sorted(open_states - hidden)
    final_list = sorted(workflow.final_states)
    is_open = sub.c.status.in_(open_list)
    done = sub.c.status.in_(final_list)
    query = select(
        func.count(func.distinct(sub.c.letter_id)),
        func.count(),
        func.sum(case((and_(sub.c.deadline.is_not(None), sub.c.deadline <= today), 1), else_=0)),
        func.sum(case((done, 1), else_=0)),
        func.sum(case((and_(done, sub.c.judged.is_(None) | (sub.c.completed_on <= sub.c.judged)), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline < today), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline >= today), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline.is_(None)), 1), else_=0)),
        func.sum(case((and_(is_open, sub.c.deadline >= today, sub.c.deadline <= (soon_end or today)), 1),
                      else_=0)),
    )
    if agency_id is not None:
        query = query.where(sub.c.agency_id == agency_id)
    row = session.execute(query).one()
    values = [int(v or 0) for v in row]
    awaiting = 0
    if hidden:
        waiting = select(func.count()).select_from(Task).where(Task.status.in_(sorted(hidden)))
        if agency_id is not None:
            waiting = waiting.where(Task.agency_id == agency_id)
        awaiting = session.scalar(waiting) or 0
    return Figures(*values[:8], awaiting_approval=awaiting, due_soon=values[8] if soon_end else 0)


def per_agency_by_scan(session: Session, today: dt.date, open_states: frozenset[str]) -> list[dict]:
    """``per_agency`` counted over every unit in the database: the reference the running counts are checked by."""
    workflow = _workflow(session)
    hidden = workflow.hidden_states
    sub = units(frozenset({"cancelled"}) | hidden)
    open_list = sorted(open_states - hidden)
    is_open = sub.c.status.in_(open_list)
    done = sub.c.status.in_(sorted(workflow.final_states))
    late = func.sum(case((and_(is_open, sub.c.deadline < today), 1), else_=0))
    rows = session.execute(
        select(
            Agency.id, Agency.name, Agency.short_name,
            func.count(),
            func.sum(case((is_open, 1), else_=0)),
            late,
            func.sum(case((done, 1), else_=0)),
            func.sum(case((and_(done, sub.c.judged.is_(None) | (sub.c.completed_on <= sub.c.judged)), 1), else_=0)),
        )
        .join(sub, sub.c.agency_id == Agency.id)
        .group_by(Agency.id, Agency.name, Agency.short_name)
        .order_by(late.desc(), func.count().desc(), Agency.name)
    ).all()
    result = []
    for agency_id, name, short, total, open_, overdue_, done_, on_time in rows:
        result.append(_agency_row(agency_id, name, short, total=int(total), open_=int(open_ or 0),
                                  overdue=int(overdue_ or 0), done=int(done_ or 0), on_time=int(on_time or 0)))
    return result


def _agency_row(agency_id: int, name: str, short: str | None, *, total: int, open_: int, overdue: int, done: int,
                on_time: int) -> dict:
    """One line of the per-agency table (the overview, the API's figures)."""
    return dict(agency_id=agency_id, name=short or name, full_name=name, total=total, open=open_, overdue=overdue,
                done=done, done_on_time=on_time, done_late=done - on_time,
                on_time_rate=None if not done else round(100 * on_time / done, 1))


@dataclass
class _AgencyCounts:
    units: int = 0
    done: int = 0
    done_on_time: int = 0
    undated: int = 0
    open: int = 0
    overdue_open: int = 0
    open_not_due: int = 0
    no_deadline_open: int = 0
    due_soon: int = 0
    due_later: int = 0


def _live_sums(session: Session, *, today: dt.date, soon_end: dt.date, left_out: frozenset[str], task_where: list,
               period_where: list) -> dict[int, list[int]]:
    """Per agency, over the units picked by the conditions: [units, overdue, due from today, undated, due soon].

    Counted as every picked task taken as a one-off unit, minus the picked tasks that have periods (found from
    the periods' side, they are few), plus their picked periods. So the tasks are read from an index alone, with
    no look-up of periods per task, and the cost follows the picked units (the open ones), not the history.
    """
    def sums(deadline):
        return (func.count(), func.sum(case((deadline < today, 1), else_=0)),
                func.sum(case((deadline >= today, 1), else_=0)), func.sum(case((deadline.is_(None), 1), else_=0)),
                func.sum(case((and_(deadline >= today, deadline <= soon_end), 1), else_=0)))

    with_periods = select(Occurrence.task_id).distinct().subquery("with_periods")
    tasks = select(Task.agency_id, *sums(Task.deadline)).where(*task_where).group_by(Task.agency_id)
    recurring = select(Task.agency_id, *sums(Task.deadline)) \
        .join(with_periods, with_periods.c.task_id == Task.id).where(*task_where).group_by(Task.agency_id)
    periods = select(Task.agency_id, *sums(Occurrence.deadline)).join(Occurrence, Occurrence.task_id == Task.id) \
        .where(Task.status.not_in(sorted(left_out)), Occurrence.status.not_in(sorted(left_out)), *period_where) \
        .group_by(Task.agency_id)
    result: dict[int, list[int]] = {}
    for query, sign in ((tasks, 1), (recurring, -1), (periods, 1)):
        for agency, *values in session.execute(query):
            row = result.setdefault(agency, [0] * 5)
            for i, value in enumerate(values):
                row[i] += sign * int(value or 0)
    return result


def _counts_per_agency(session: Session, today: dt.date, open_states: frozenset[str],
                       soon_end: dt.date | None, agency_id: int | None = None) -> dict[int, _AgencyCounts]:
    """What the figures need, per agency: the closed history from the running tally (tracker.tasks.tally), what
    depends on today from the open units and the units due after today only, so the cost follows what is open,
    not ten years of closed tasks."""
    from tracker.tasks.tally import tally_rows

    workflow = _workflow(session)
    left_out = frozenset({"cancelled"}) | workflow.hidden_states
    final = workflow.final_states
    per: dict[int, _AgencyCounts] = {}
    for row in tally_rows(session):
        if row.task_status in left_out or row.status in left_out:
            continue
        if agency_id is not None and row.agency_id != agency_id:
            continue
        counts = per.setdefault(row.agency_id, _AgencyCounts())
        counts.units += row.units
        if row.status in final:
            counts.done += row.units
            if row.on_time:
                counts.done_on_time += row.units
        if not row.dated:
            counts.undated += row.units
    open_list = sorted(open_states - workflow.hidden_states)
    live = _live_sums(session, today=today, soon_end=soon_end or today, left_out=left_out,
                      task_where=[Task.status.in_(open_list)], period_where=[Occurrence.status.in_(open_list)])
    for agency, (open_, overdue_, not_due, undated, soon) in live.items():
        counts = per.setdefault(agency, _AgencyCounts())
        counts.open, counts.overdue_open, counts.open_not_due = open_, overdue_, not_due
        counts.no_deadline_open, counts.due_soon = undated, soon
    later = _live_sums(session, today=today, soon_end=today, left_out=left_out,
                       task_where=[Task.deadline > today, Task.status.not_in(sorted(left_out))],
                       period_where=[Occurrence.deadline > today])
    for agency, sums in later.items():
        per.setdefault(agency, _AgencyCounts()).due_later = sums[0]
    if agency_id is not None:
        per = {agency_id: per[agency_id]} if agency_id in per else {}
    return per


def figures(session: Session, today: dt.date, open_states: frozenset[str], agency_id: int | None = None,
            soon_end: dt.date | None = None) -> Figures:
    """Count units the way the Government Office reports them (cancelled and undistributed tasks left out)."""
    if agency_id is not None:  # letters of one agency are not kept in the tally
        return figures_by_scan(session, today, open_states, agency_id=agency_id, soon_end=soon_end)
    return overview_figures(session, today, open_states, soon_end)[0]


def per_agency(session: Session, today: dt.date, open_states: frozenset[str]) -> list[dict]:
    """Per agency: units, open, overdue, done, done on time, on-time rate; most overdue first, then busiest."""
    return overview_figures(session, today, open_states, None)[1]


#: counts already made in this process, by database, figures version (tally.FiguresVersion) and what they depend
#: on (day, states, agency): ten leaders opening the overview between two changes cost one count, not ten
_KEPT: dict[tuple, Any] = {}
_KEPT_MAX = 64


def _kept(session: Session, key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or a copy of what it gave for ``key`` at the current figures version in this process."""
    from tracker.tasks.tally import figures_version

    workflow = _workflow(session)
    key = (str(session.get_bind().url), figures_version(session), workflow.hidden_states, workflow.final_states,
           *key)
    kept = _KEPT.get(key)
    if kept is None:
        kept = compute()
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[key] = kept
    return copy.deepcopy(kept)


def overview_figures(session: Session, today: dt.date, open_states: frozenset[str],
                     soon_end: dt.date | None = None) -> tuple[Figures, list[dict]]:
    """``figures`` and ``per_agency`` together, counting the open units once (the overview shows both).

    Kept in the process until a change moves the figures' version, the day or the states change.
    """
    return _kept(session, ("overview", today, soon_end, frozenset(open_states)),
                 lambda: _count_overview(session, today, open_states, soon_end))


def _count_overview(session: Session, today: dt.date, open_states: frozenset[str],
                    soon_end: dt.date | None) -> tuple[Figures, list[dict]]:
    from tracker.tasks.tally import counted_letters

    hidden = _workflow(session).hidden_states
    per = _counts_per_agency(session, today, open_states, soon_end)
    total = _AgencyCounts()
    for counts in per.values():
        for name in total.__dataclass_fields__:
            setattr(total, name, getattr(total, name) + getattr(counts, name))
    awaiting = 0
    if hidden:
        awaiting = session.scalar(select(func.count()).select_from(Task).where(Task.status.in_(sorted(hidden)))) or 0
    totals = Figures(
        letters_with_tasks=counted_letters(session, frozenset({"cancelled"}) | hidden),
        tasks=total.units, due=total.units - total.undated - total.due_later, done=total.done,
        done_on_time=total.done_on_time, overdue_open=total.overdue_open, open_not_due=total.open_not_due,
        no_deadline_open=total.no_deadline_open, awaiting_approval=awaiting,
        due_soon=total.due_soon if soon_end else 0)
    names = {a.id: (a.name, a.short_name) for a in session.execute(
        select(Agency.id, Agency.name, Agency.short_name).where(Agency.id.in_(sorted(per))))} if per else {}
    rows = []
    for agency_id, c in per.items():
        if not c.units or agency_id not in names:
            continue
        name, short = names[agency_id]
        rows.append(_agency_row(agency_id, name, short, total=c.units, open_=c.open, overdue=c.overdue_open,
                                done=c.done, on_time=c.done_on_time))
    rows.sort(key=lambda r: (-r["overdue"], -r["total"], r["full_name"]))
    return totals, rows


def letters_query() -> Select:
    """Top-level letters (not the ones enclosed in a cover letter); their roll-ups come from letter_rollups."""
    return select(Letter).where(Letter.enclosed_in_id.is_(None))


@dataclass(slots=True)
class _RolledTask:
    """What the roll-up (tracker.tasks.rollup.letter_rollup) reads of a task or of one of its periods."""

    status: str
    deadline: dt.date | None
    judged_deadline: dt.date | None
    completed_on: dt.date | None
    recurrence: str | None = None
    occurrences: list[_RolledTask] | None = None


def letter_rollups(session: Session, letter_ids: list[int], workflow, today: dt.date) -> dict[int, LetterRollup]:
    """The roll-up of each letter of ``letter_ids`` (one page of the register), read in two statements as plain
    rows: a page of recent letters holds hundreds of tasks (fan-outs to every district), and loading each as an
    object cost more than the rest of the page (about 20 ms for 500 tasks)."""
    if not letter_ids:
        return {}
    tasks = session.execute(select(
        Task.id, Task.letter_id, Task.status, Task.deadline, Task.judged_deadline, Task.completed_on, Task.recurrence,
    ).where(Task.letter_id.in_(letter_ids))).all()
    periods: dict[int, list[_RolledTask]] = {}
    recurring = [row.id for row in tasks if row.recurrence]
    if recurring:
        for row in session.execute(select(
                Occurrence.task_id, Occurrence.status, Occurrence.deadline, Occurrence.completed_on,
        ).where(Occurrence.task_id.in_(recurring))):
            # periods are judged against their own deadline (Occurrence.judged_deadline)
            periods.setdefault(row.task_id, []).append(
                _RolledTask(row.status, row.deadline, row.deadline, row.completed_on))
    by_letter: dict[int, list[_RolledTask]] = {letter_id: [] for letter_id in letter_ids}
    for row in tasks:
        by_letter[row.letter_id].append(_RolledTask(row.status, row.deadline, row.judged_deadline, row.completed_on,
                                                    row.recurrence, periods.get(row.id, [])))
    return {letter_id: letter_rollup(rows, workflow, today) for letter_id, rows in by_letter.items()}


#: the types in use in the register, found by jumping in its index by type from one type to the next (a loose
#: index scan): a dozen index look-ups instead of reading the type of every letter of ten years
_LETTER_TYPES = text("""
WITH RECURSIVE types(doc_type) AS (
    SELECT MIN(doc_type) FROM letter WHERE enclosed_in_id IS NULL
    UNION ALL
    SELECT (SELECT MIN(doc_type) FROM letter WHERE enclosed_in_id IS NULL AND doc_type > types.doc_type) FROM types
    WHERE types.doc_type IS NOT NULL
)
SELECT doc_type FROM types WHERE doc_type IS NOT NULL
""")


def letter_types(session: Session) -> list[str]:
    """The letter types (Công văn, Quyết định …) in the register, in order, for its type filter."""
    return list(session.scalars(_LETTER_TYPES))


def letters_with_tasks(states: list[str], *, overdue_on: dt.date | None = None):
    """Ids of letters with a task in one of ``states`` (and overdue on ``overdue_on``): a subquery for IN, which
    reads the tasks' index by state alone."""
    query = select(Task.letter_id).where(Task.status.in_(states))
    if overdue_on is not None:
        query = query.where(Task.deadline < overdue_on)
    return query


def count_register_letters_with_tasks(session: Session, states: list[str], *, overdue_on: dt.date | None = None,
                                     limit: int) -> tuple[int, bool]:
    """How many letters of the register have a task in one of ``states`` (overdue on ``overdue_on``), up to
    ``limit``: (count, whether exact). Kept in the process per figures version (see _kept), as the overview's
    figures are: counted, it tests each of the register's letters (about 50 ms at 200,000 letters)."""
    letters = select(Letter.id).where(Letter.enclosed_in_id.is_(None),
                                      Letter.id.in_(letters_with_tasks(states, overdue_on=overdue_on)))
    return _kept(session, ("register_letters_with_tasks", tuple(states), overdue_on, limit),
                 lambda: count_capped(session, letters, limit))


def count_tasks_of_matching_letters(session: Session, text_filter: str, dialect: str,
                                    limit: int) -> tuple[int, bool] | None:
    """SQLite: how many tasks belong to the letters that have every word of ``text_filter`` (up to ``limit``:
    count, whether exact), or None elsewhere or without words. For a list narrowed by the text alone.

    The list reads a broad search in its own order (search.BROAD_SEARCH_LETTERS), and its count then walked the
    tasks until 10,000 matched (40 ms for a phrase in 4 % of the letters at 1M tasks); counted from the letters
    found, through the tasks' index by letter, it reads only their tasks."""
    if dialect != "sqlite" or not search_terms(text_filter):
        return None
    tasks = select(Task.id).where(Task.letter_id.in_(matching_letter_ids(text_filter, dialect)))
    return count_capped(session, tasks, limit)


def awaiting_letters(session: Session, approval_state: str | None) -> list[Letter]:
    """Letters with tasks whose distribution awaits a leader's approval, oldest first."""
    if not approval_state:
        return []
    return list(session.scalars(
        select(Letter).where(exists().where(Task.letter_id == Letter.id, Task.status == approval_state))
        .order_by(Letter.received_on, Letter.id)))

