"""What the reports say, read from the database. Plain SQLAlchemy, no Flask.

A *unit* is what the Government Office counts (see tracker.tasks.queries): a one-off task, or one period of a
recurring task. Cancelled units and tasks awaiting the leader's approval of the distribution are left out.

A unit belongs to a period when it was given on or before the period's last day and was not already finished
before its first day. Its category is judged *as of* the period's last day (or today, for a period not over
yet): a task finished after a past period ended was still open in that period.

Both rules are SQL (:func:`period_units`, :func:`judged_units`): the database keeps the units of other periods to
itself and counts per agency with GROUP BY; Python only receives the counts and the rows a report prints (the
overdue list, the closed letters, an agency's list), with the columns it prints, in batches.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from sqlalchemy import Column, MetaData, Table, and_, case, func, insert, or_, select
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency
from tracker.db import MAX_INTEGER
from tracker.intake.models import Letter
from tracker.reports import progress
from tracker.reports.vn import Period, ReportInputError
from tracker.tasks.models import Occurrence, Task
from tracker.tasks.queries import units

log = logging.getLogger("tracker.reports")

DONE_ON_TIME, DONE_LATE, OVERDUE, IN_PROGRESS, NO_DEADLINE = (
    "done_on_time", "done_late", "overdue", "in_progress", "no_deadline")
#: the five categories of the summary, in the order of its tables and chart
SUMMARY_CATEGORIES = [DONE_ON_TIME, DONE_LATE, OVERDUE, IN_PROGRESS, NO_DEADLINE]
CATEGORY_LABELS = {
    DONE_ON_TIME: "Hoàn thành đúng hạn",
    DONE_LATE: "Hoàn thành quá hạn",
    OVERDUE: "Quá hạn, chưa hoàn thành",
    IN_PROGRESS: "Đang thực hiện, chưa đến hạn",
    NO_DEADLINE: "Không có thời hạn, đang thực hiện",
}


def _workflow(session: Session):
    from tracker.tasks.workflow import workflow_for

    return workflow_for(session)


def _calendar():
    from tracker.calendar.workdays import default_calendar

    return default_calendar()


def as_of_day(period: Period, today: dt.date) -> dt.date:
    """The day a period is judged on: its last day, or today while it runs."""
    return min(period.end, today)


def period_units(workflow, period: Period, *, agency_id: int | None = None):
    """The live units of ``period`` as a subquery (see the module docstring), never loaded as a whole: the one
    definition of a unit (tracker.tasks.queries.units) with the period's conditions inside each branch, so the
    database skips the units of other periods.

    Columns: those of ``queries.units`` (task_id, occurrence_id, letter_id, agency_id, status, deadline, judged,
    completed_on, ...).
    """
    return units(frozenset({"cancelled"}) | workflow.hidden_states, agency_id=agency_id,
                 period=(period.start, period.end), final_states=frozenset(workflow.final_states))


def judged_units(workflow, period: Period, as_of: dt.date, *, agency_id: int | None = None):
    """:func:`period_units` with each unit's ``category`` as of ``as_of`` and ``due`` (1 when its judged deadline
    has come), computed by the database.

    A unit is done when its state is final and it was completed by ``as_of``; done late when completed after
    the judged deadline. Otherwise it is without deadline, overdue (deadline before ``as_of``) or in progress.
    """
    units = period_units(workflow, period, agency_id=agency_id)
    c = units.c
    done = and_(c.status.in_(sorted(workflow.final_states)), or_(c.completed_on.is_(None), c.completed_on <= as_of))
    late = and_(c.judged.is_not(None), c.completed_on.is_not(None), c.completed_on > c.judged)
    category = case((and_(done, late), DONE_LATE), (done, DONE_ON_TIME), (c.deadline.is_(None), NO_DEADLINE),
                    (c.deadline < as_of, OVERDUE), else_=IN_PROGRESS)
    due = case((and_(c.judged.is_not(None), c.judged <= as_of), 1), else_=0)
    return select(*c, category.label("category"), due.label("due")).subquery("judged")


class DaysLate:
    """Working days late, remembered per pair of days: the lists repeat the same deadlines many times."""

    def __init__(self, calendar=None):
        self.calendar = calendar or _calendar()
        self._known: dict[tuple[dt.date, dt.date], int] = {}

    def __call__(self, category: str, deadline: dt.date | None, judged: dt.date | None,
                 completed_on: dt.date | None, as_of: dt.date) -> int:
        """Days past the deadline (overdue) or past the judged deadline (done late); else 0."""
        if category == OVERDUE and deadline is not None:
            pair = (deadline, as_of)
        elif category == DONE_LATE and judged is not None and completed_on is not None:
            pair = (judged, completed_on)
        else:
            return 0
        found = self._known.get(pair)
        if found is None:
            found = self._known[pair] = self.calendar.working_days_between(*pair)
        return found


# -- lookups ------------------------------------------------------------------------------------------------

def _whole_number(text: str) -> int | None:
    """``text`` as an id or number of an integer column, or None: ASCII digits only ("²" passes str.isdigit()
    but not int()), at most MAX_INTEGER (PostgreSQL's integer overflows beyond)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or int(text) > MAX_INTEGER:
        return None
    return int(text)


def find_agency(session: Session, key: str) -> Agency:
    """The agency with code ``key`` (or exactly that name or short name); a ReportInputError if none."""
    text = (key or "").strip()
    agency = session.scalar(select(Agency).where(Agency.code == text))
    if agency is None and text:
        agency = session.scalar(select(Agency).where(or_(Agency.name == text, Agency.short_name == text)).limit(1))
    if agency is None and _whole_number(text) is not None:
        agency = session.get(Agency, _whole_number(text))
    if agency is None:
        raise ReportInputError(f"Không có cơ quan “{key}” trong danh mục; hãy ghi mã cơ quan (ví dụ: finance).")
    return agency


def find_letter(session: Session, key: str | int) -> Letter:
    """The letter with id ``key`` or incoming number "913/2019"; a ReportInputError if none."""
    text = str(key).strip()
    letter = None
    if _whole_number(text) is not None:
        letter = session.get(Letter, _whole_number(text))
    elif "/" in text and all(_whole_number(part) is not None for part in text.split("/", 1)):
        number, year = (_whole_number(part) for part in text.split("/", 1))
        letter = session.scalar(select(Letter).where(Letter.received_number == number, Letter.received_year == year))
    if letter is None:
        raise ReportInputError(f"Không có văn bản “{key}”; hãy ghi mã văn bản (số) hoặc số đến/năm (ví dụ 913/2019).")
    return letter


# -- the summary ----------------------------------------------------------------------------------------------

@dataclass
class AgencyLine:
    """One agency's counts in the summary."""

    agency_id: int
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMMARY_CATEGORIES, 0))

    @property
    def total(self) -> int:
        """All units of the agency in the period."""
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        """Units done, on time or late."""
        return self.counts[DONE_ON_TIME] + self.counts[DONE_LATE]

    @property
    def on_time_rate(self) -> float | None:
        """Share of done units finished on time, 0-100; None when none is done."""
        return None if not self.done else round(100 * self.counts[DONE_ON_TIME] / self.done, 1)


class Count:
    """A number of things read with ``len()``: the summary counts units and letters in the database and keeps
    only how many there are."""

    __slots__ = ("size",)

    def __init__(self, size: int):
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"Count({self.size})"


@dataclass(slots=True)
class OverdueLine:
    """One overdue unit of the summary's list, with what the list prints of its task, agency and letter."""

    task_id: int
    occurrence_id: int | None
    agency_id: int
    agency_name: str
    deadline: dt.date
    days_late: int
    summary: str
    #: the letter's fields that tracker.reports.builders.letter_reference prints
    doc_type: str | None
    number: str | None
    issued_on: dt.date | None
    issuer: str | None


@dataclass(slots=True)
class ClosedLetter:
    """A letter whose units were all done in the period (the summary's last section)."""

    id: int
    doc_type: str | None
    number: str | None
    issued_on: dt.date | None
    issuer: str | None
    subject: str | None


@dataclass
class SummaryData:
    """Everything the summary report prints: counts from GROUP BY queries, and the two lists it prints."""

    period: Period
    as_of: dt.date
    counts: dict[str, int]
    letter_count: int
    #: units whose judged deadline has come by the as-of day
    due: int
    per_agency: list[AgencyLine]
    overdue: list[OverdueLine]
    closed_letters: list[tuple[ClosedLetter, dt.date, int, int]]

    @property
    def total(self) -> int:
        """Units of the period."""
        return sum(self.counts.values())

    @property
    def units(self) -> Count:
        """The period's units, as a count (``len(summary.units)``, ``if summary.units``)."""
        return Count(self.total)

    @property
    def letters(self) -> Count:
        """The letters that gave the period's units, as a count."""
        return Count(self.letter_count)

    def count(self, category: str) -> int:
        """Units of one category."""
        return self.counts.get(category, 0)

    @property
    def done(self) -> int:
        """Units done."""
        return self.count(DONE_ON_TIME) + self.count(DONE_LATE)

    @property
    def on_time_rate(self) -> float | None:
        """Share of done units finished on time."""
        return None if not self.done else round(100 * self.count(DONE_ON_TIME) / self.done, 1)


def _display_name():
    # Agency.display_name in SQL: the short name when there is one, else the full name
    return func.coalesce(func.nullif(Agency.short_name, ""), Agency.name)


@contextmanager
def materialized(session: Session, subquery) -> Iterator[Table]:
    """The rows of ``subquery`` in a temporary table of this connection for the block, then dropped.

    The summary asks four questions of the period's units (counts per agency, letters, the overdue list, the
    closed letters); the units are computed once (one pass over the tasks) instead of once per question.
    """
    columns = [Column(column.name, column.type) for column in subquery.c]
    table = Table(f"report_units_{secrets.token_hex(6)}", MetaData(), *columns, prefixes=["TEMPORARY"])
    connection = session.connection()
    table.create(connection)
    try:
        session.execute(insert(table).from_select([column.name for column in columns], select(*subquery.c)))
        yield table
    finally:
        try:
            table.drop(connection)
        except Exception:  # noqa: BLE001 - a failed transaction drops it with its rollback
            log.debug("temporary table %s not dropped", table.name, exc_info=True)


def summary_data(session: Session, period: Period, today: dt.date, *, agency_id: int | None = None,
                 lists: bool = True) -> SummaryData:
    """Collect the summary of ``period`` (of one agency when given), judged as of its end or today.

    The counts come from GROUP BY queries over the period's units: a fixed number of statements, whatever the
    number of tasks or agencies. With ``lists`` the overdue units and the letters closed in the period are read
    too (only those rows, only the columns printed).
    """
    workflow = _workflow(session)
    as_of = as_of_day(period, today)
    with materialized(session, judged_units(workflow, period, as_of, agency_id=agency_id)) as judged:
        j = judged.c
        counts = dict.fromkeys(SUMMARY_CATEGORIES, 0)
        lines: dict[int, AgencyLine] = {}
        due = 0
        rows = session.execute(
            select(j.agency_id, Agency.short_name, Agency.name, j.category, func.count(), func.sum(j.due))
            .join(Agency, Agency.id == j.agency_id)
            .group_by(j.agency_id, Agency.short_name, Agency.name, j.category))
        for agency, short_name, name, category, number, due_here in rows:
            line = lines.get(agency)
            if line is None:
                line = lines[agency] = AgencyLine(agency, short_name or name)
            line.counts[category] += number
            counts[category] += number
            due += int(due_here or 0)
        letter_count = (session.scalar(select(func.count(func.distinct(j.letter_id)))) or 0) if lines else 0
        progress.stage(20, "Đang đánh giá thời hạn")
        per_agency = sorted(lines.values(), key=lambda l: (-l.counts[OVERDUE], -l.total, l.name))
        overdue: list[OverdueLine] = []
        closed: list[tuple[ClosedLetter, dt.date, int, int]] = []
        if lists and lines:
            overdue = _overdue(session, judged, as_of)
            closed = _closed_letters(session, judged, period)
    return SummaryData(period, as_of, counts, letter_count, due, per_agency, overdue, closed)


def _overdue(session: Session, judged, as_of: dt.date) -> list[OverdueLine]:
    """The overdue units, most days overdue first, read in batches (the letter's text is never read)."""
    j = judged.c
    days_late = DaysLate()
    statement = (select(j.task_id, j.occurrence_id, j.agency_id, _display_name(), j.deadline, Task.summary,
                        Letter.doc_type, Letter.number, Letter.issued_on, Letter.issuer)
                 .join(Task, Task.id == j.task_id).join(Letter, Letter.id == j.letter_id)
                 .join(Agency, Agency.id == j.agency_id)
                 .where(j.category == OVERDUE)
                 .execution_options(yield_per=2000))
    found = [OverdueLine(task_id, occurrence_id, agency, name, deadline,
                         days_late(OVERDUE, deadline, None, None, as_of), summary or "", *letter)
             for task_id, occurrence_id, agency, name, deadline, summary, *letter in session.execute(statement)]
    found.sort(key=lambda u: (-u.days_late, u.deadline, u.agency_name, u.task_id, u.occurrence_id or 0))
    return found


def _closed_letters(session: Session, judged, period: Period) -> list[tuple[ClosedLetter, dt.date, int, int]]:
    """Letters closed in the period: all their units of the period done by the as-of day, the last one within
    the period; with how many units and how many of them late."""
    j = judged.c
    not_done = func.sum(case((j.category.in_((DONE_ON_TIME, DONE_LATE)), 0), else_=1))
    last = func.max(j.completed_on)
    per_letter = (select(j.letter_id, last.label("last"), func.count().label("units"),
                         func.sum(case((j.category == DONE_LATE, 1), else_=0)).label("late"))
                  .group_by(j.letter_id)
                  .having(and_(not_done == 0, last >= period.start, last <= period.end))
                  .subquery("closed"))
    statement = (select(Letter.id, Letter.doc_type, Letter.number, Letter.issued_on, Letter.issuer, Letter.subject,
                        per_letter.c.last, per_letter.c.units, per_letter.c.late)
                 .join(per_letter, per_letter.c.letter_id == Letter.id)
                 .order_by(per_letter.c.last, Letter.id)
                 .execution_options(yield_per=2000))
    return [(ClosedLetter(*letter), last_day, int(units), int(late or 0))
            for *letter, last_day, units, late in session.execute(statement)]


@dataclass(slots=True)
class AgencyUnit:
    """One line of the agency report."""

    task_id: int
    occurrence_id: int | None
    summary: str
    role: str
    period_label: str | None
    doc_type: str | None
    number: str | None
    issued_on: dt.date | None
    issuer: str | None
    deadline: dt.date | None
    completed_on: dt.date | None
    category: str
    days_late: int


def agency_lines(session: Session, workflow, period: Period, as_of: dt.date, agency_id: int):
    """The units of one agency in ``period``, by deadline (none last), as light rows streamed in batches:
    task summary, role, period label, letter fields, deadline, category, days late, completed day."""
    judged = judged_units(workflow, period, as_of, agency_id=agency_id)
    j = judged.c
    days_late = DaysLate()
    statement = (select(j.task_id, j.occurrence_id, Task.summary, Task.role, Occurrence.label, Letter.doc_type,
                        Letter.number, Letter.issued_on, Letter.issuer, j.deadline, j.judged, j.completed_on,
                        j.category)
                 .join(Task, Task.id == j.task_id).join(Letter, Letter.id == j.letter_id)
                 .outerjoin(Occurrence, Occurrence.id == j.occurrence_id)
                 # the deadline's order, units without one last (NULLs sort first on SQLite, last on PostgreSQL)
                 .order_by(j.deadline.is_(None), j.deadline, j.task_id, j.occurrence_id)
                 .execution_options(yield_per=2000))
    for row in session.execute(statement):
        yield AgencyUnit(row.task_id, row.occurrence_id, row.summary or "", row.role, row.label,
                         row.doc_type, row.number, row.issued_on, row.issuer, row.deadline, row.completed_on,
                         row.category, days_late(row.category, row.deadline, row.judged, row.completed_on, as_of))
