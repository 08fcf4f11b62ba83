"""What the reports say, read from the database. Plain SQLAlchemy, no Flask.

A *unit* is what the Government Office counts (see tracker.tasks.queries): a one-off task, or one period of a
recurring task. Cancelled units and tasks awaiting the leader's approval of the distribution are left out.

A unit belongs to a period when it was given on or before the period's last day and was not already finished
before its first day. Its category is judged *as of* the period's last day (or today, for a period not over
yet): a task finished after a past period ended was still open in that period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Integer, cast, func, null, or_, select, union_all
from sqlalchemy.orm import Session, defer

from tracker.agencies.models import Agency
from tracker.db import MAX_INTEGER
from tracker.intake.models import Letter
from tracker.reports import progress
from tracker.reports.vn import Period, ReportInputError
from tracker.tasks.models import Occurrence, Task

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


@dataclass(slots=True)
class Unit:
    """One unit of work with what the reports need to judge it."""

    task_id: int
    occurrence_id: int | None
    letter_id: int
    agency_id: int
    status: str
    deadline: dt.date | None
    judged: dt.date | None
    completed_on: dt.date | None
    given_on: dt.date | None
    category: str = ""
    #: working days past the deadline (overdue) or past the judged deadline (done late), else 0
    days_late: int = 0


def _workflow(session: Session):
    from tracker.tasks.workflow import workflow_for

    return workflow_for(session)


def _calendar():
    from tracker.calendar.workdays import default_calendar

    return default_calendar()


def load_units(session: Session, *, agency_id: int | None = None, letter_id: int | None = None) -> list[Unit]:
    """Every live unit (not cancelled, not awaiting approval), optionally of one agency or one letter."""
    workflow = _workflow(session)
    excluded = sorted({"cancelled"} | set(workflow.hidden_states))
    has_periods = select(Occurrence.id).where(Occurrence.task_id == Task.id).exists()
    one_off = (select(Task.id, cast(null(), Integer), Task.letter_id, Task.agency_id, Task.status, Task.deadline,
                      func.coalesce(Task.judged_deadline, Task.deadline), Task.completed_on,
                      func.coalesce(Task.starts_on, Letter.received_on))
               .join(Letter, Letter.id == Task.letter_id)
               .where(~has_periods, Task.status.not_in(excluded)))
    periodic = (select(Task.id, Occurrence.id, Task.letter_id, Task.agency_id, Occurrence.status,
                       Occurrence.deadline, Occurrence.deadline, Occurrence.completed_on, Occurrence.period_start)
                .join(Occurrence, Occurrence.task_id == Task.id)
                .where(Task.status.not_in(excluded), Occurrence.status.not_in(excluded)))
    if agency_id is not None:
        one_off, periodic = one_off.where(Task.agency_id == agency_id), periodic.where(Task.agency_id == agency_id)
    if letter_id is not None:
        one_off, periodic = one_off.where(Task.letter_id == letter_id), periodic.where(Task.letter_id == letter_id)
    rows = session.execute(union_all(one_off, periodic)).all()
    return [Unit(*row) for row in rows]


def judge(units: list[Unit], as_of: dt.date, final_states: frozenset[str], calendar=None) -> None:
    """Set each unit's category and days late as of ``as_of`` (see the module docstring)."""
    calendar = calendar or _calendar()
    for unit in units:
        done = unit.status in final_states and (unit.completed_on is None or unit.completed_on <= as_of)
        if done:
            late = unit.judged is not None and unit.completed_on is not None and unit.completed_on > unit.judged
            unit.category = DONE_LATE if late else DONE_ON_TIME
            unit.days_late = calendar.working_days_between(unit.judged, unit.completed_on) if late else 0
        elif unit.deadline is None:
            unit.category = NO_DEADLINE
        elif unit.deadline < as_of:
            unit.category = OVERDUE
            unit.days_late = calendar.working_days_between(unit.deadline, as_of)
        else:
            unit.category = IN_PROGRESS


def in_period(units: list[Unit], period: Period, final_states: frozenset[str]) -> list[Unit]:
    """The units that belong to ``period``: given by its end, not finished before its start."""
    return [u for u in units
            if (u.given_on is None or u.given_on <= period.end)
            and not (u.status in final_states and u.completed_on is not None and u.completed_on < period.start)]


def as_of_day(period: Period, today: dt.date) -> dt.date:
    """The day a period is judged on: its last day, or today while it runs."""
    return min(period.end, today)


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


@dataclass
class SummaryData:
    """Everything the summary report prints."""

    period: Period
    as_of: dt.date
    units: list[Unit]
    letters: dict[int, Letter]
    agencies: dict[int, Agency]
    per_agency: list[AgencyLine]
    overdue: list[Unit]
    closed_letters: list[tuple[Letter, dt.date, int, int]]
    summaries: dict[int, str]

    def count(self, category: str) -> int:
        """Units of one category."""
        return sum(1 for u in self.units if u.category == category)

    @property
    def done(self) -> int:
        """Units done."""
        return self.count(DONE_ON_TIME) + self.count(DONE_LATE)

    @property
    def due(self) -> int:
        """Units whose deadline (the one judged) has come by the as-of day."""
        return sum(1 for u in self.units if u.judged is not None and u.judged <= self.as_of)

    @property
    def on_time_rate(self) -> float | None:
        """Share of done units finished on time."""
        return None if not self.done else round(100 * self.count(DONE_ON_TIME) / self.done, 1)


def summary_data(session: Session, period: Period, today: dt.date, *, agency_id: int | None = None) -> SummaryData:
    """Collect the summary of ``period`` (of one agency when given), judged as of its end or today."""
    workflow = _workflow(session)
    as_of = as_of_day(period, today)
    units = in_period(load_units(session, agency_id=agency_id), period, workflow.final_states)
    progress.stage(20, "Đang đánh giá thời hạn")
    judge(units, as_of, workflow.final_states)
    letter_ids = sorted({u.letter_id for u in units})
    letters = _by_id(session, Letter, letter_ids)
    agencies = _by_id(session, Agency, sorted({u.agency_id for u in units}))
    lines: dict[int, AgencyLine] = {}
    for unit in units:
        line = lines.get(unit.agency_id)
        if line is None:
            agency = agencies[unit.agency_id]
            line = lines[unit.agency_id] = AgencyLine(unit.agency_id, agency.display_name)
        line.counts[unit.category] += 1
    per_agency = sorted(lines.values(), key=lambda l: (-l.counts[OVERDUE], -l.total, l.name))
    overdue = sorted((u for u in units if u.category == OVERDUE),
                     key=lambda u: (-u.days_late, u.deadline, agencies[u.agency_id].display_name, u.task_id))
    # a letter closed in the period: all its live units done by the as-of day, the last one within the period
    closed = []
    by_letter: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        by_letter[unit.letter_id].append(unit)
    for letter_id, letter_units in by_letter.items():
        if all(u.category in (DONE_ON_TIME, DONE_LATE) for u in letter_units):
            last = max((u.completed_on for u in letter_units if u.completed_on), default=None)
            if last is not None and last in period:
                late = sum(1 for u in letter_units if u.category == DONE_LATE)
                closed.append((letters[letter_id], last, len(letter_units), late))
    closed.sort(key=lambda item: (item[1], item[0].id))
    summaries = _task_summaries(session, sorted({u.task_id for u in overdue}))
    return SummaryData(period, as_of, units, letters, agencies, per_agency, overdue, closed, summaries)


def _by_id(session: Session, model, ids: list[int]) -> dict:
    """Rows of ``model`` by id, fetched in chunks (SQLite limits the number of parameters)."""
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        query = select(model).where(model.id.in_(chunk))
        if model is Letter:  # the whole text is not printed: leave it in the database
            query = query.options(defer(Letter.full_text), defer(Letter.search_text))
        found.update({row.id: row for row in session.scalars(query)})
    return found


def _task_summaries(session: Session, task_ids: list[int]) -> dict[int, str]:
    """Task summaries by id, in chunks."""
    found: dict[int, str] = {}
    for start in range(0, len(task_ids), 500):
        chunk = task_ids[start:start + 500]
        found.update(dict(session.execute(select(Task.id, Task.summary).where(Task.id.in_(chunk))).all()))
    return found
