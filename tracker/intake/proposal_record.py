"""What the extraction proposed and what the clerk changed: kept with the letter, added up per month.

At /letters/new the proposal the clerk is shown becomes a snapshot (its header fields and task rows, each row
with the passage it was read from). The confirm form carries it back with, on every row it proposed, the row's
position in the snapshot, so a confirmed row is matched to the proposed row it came from whatever the clerk
did to the table. At confirmation ``compare`` says, per proposed row, whether it was kept unchanged, corrected
(its agency, role or deadline changed; a reworded summary is kept on the record but is not a correction) or
removed, which confirmed rows were added, and which header fields were corrected; ``record_proposal`` keeps it
in ``letter_proposal``. ``monthly_figures`` adds the records up by month of registration for the admin page.

Plain Python and SQLAlchemy; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

from sqlalchemy import distinct, extract, func, select
from sqlalchemy.orm import Session

from tracker.intake.models import Letter, LetterProposal
from tracker.text import fold_words

#: the header fields compared, in the order of the form
HEADER_FIELDS = ("number", "doc_type", "issuer", "place", "issued_on", "subject", "recipients", "signer",
                 "signer_title", "urgency")
#: the task fields whose change makes a proposed row "corrected"
CORRECTING_FIELDS = ("agency", "role", "deadline")
#: the task fields kept for each row (the source too, on proposed rows)
TASK_FIELDS = ("agency", "role", "deadline", "summary")

UNCHANGED, CORRECTED, REMOVED = "unchanged", "corrected", "removed"


class HeaderLike(Protocol):
    """A letter header: tracker.intake.operations.LetterHeader or anything with its fields."""

    number: str | None
    issued_on: dt.date | None
    recipients: list[str]


class RowLike(Protocol):
    """A task row: a proposed or a confirmed one."""

    role: str
    summary: str
    deadline: dt.date | None


def _text(value) -> str | None:
    text = " ".join(str(value or "").split())
    return text or None


def _day(value) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value)
    try:
        return dt.date.fromisoformat(text[:10]).isoformat() if text else None
    except ValueError:
        return None


def header_values(header) -> dict:
    """The compared header fields of ``header`` as normal values: text with spaces collapsed or None, dates as
    ISO text, recipients as a list of non-empty lines."""
    values = {}
    for name in HEADER_FIELDS:
        value = getattr(header, name, None)
        if name == "issued_on":
            values[name] = _day(value)
        elif name == "recipients":
            values[name] = [t for t in (_text(r) for r in (value or [])) if t]
        else:
            values[name] = _text(value)
    return values


def task_values(agency: str | None, role: str | None, deadline, summary: str | None, source: str | None = None,
                ) -> dict:
    """One task row as normal values: {"agency", "role", "deadline" (ISO text), "summary"}, and "source" if given."""
    values = {"agency": _text(agency), "role": role if role in {"lead", "cooperate"} else "lead",
              "deadline": _day(deadline), "summary": _text(summary)}
    if source is not None:
        values["source"] = _text(source) or ""
    return values


def snapshot(header, rows: Iterable) -> dict:
    """The proposal as the clerk is shown it: {"header": header_values, "tasks": [task_values with "source"]}.

    ``rows`` have agency_text (or agency), role, deadline, summary and optionally source
    (tracker.intake.proposal.ProposedTask).
    """
    tasks = [task_values(getattr(r, "agency_text", None) or getattr(r, "agency", None), r.role, r.deadline, r.summary,
                         getattr(r, "source", None) or "") for r in rows]
    return {"header": header_values(header), "tasks": tasks}


def read_snapshot(data) -> dict | None:
    """A snapshot back from the confirm form, checked to have the expected shape; None when it does not."""
    if not isinstance(data, dict) or not isinstance(data.get("header"), dict) or not isinstance(data.get("tasks"), list):
        return None
    header = data["header"]
    if set(header) != set(HEADER_FIELDS) or not isinstance(header.get("recipients"), list):
        return None
    if any(not isinstance(header[n], (str, type(None))) for n in HEADER_FIELDS if n != "recipients"):
        return None
    tasks = []
    for row in data["tasks"]:
        if not isinstance(row, dict) or any(not isinstance(row.get(n), (str, type(None))) for n in TASK_FIELDS):
            return None
        tasks.append(task_values(row.get("agency"), row.get("role"), row.get("deadline"), row.get("summary"),
                                 row.get("source") if isinstance(row.get("source"), str) else ""))
    return {"header": header_values(_Fields(header)), "tasks": tasks}


class _Fields:
    """A dict's items as attributes (a stored header read back as a header)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


@dataclass
class TaskOutcome:
    """What became of one proposed row."""

    #: UNCHANGED, CORRECTED or REMOVED
    result: str
    #: {field: [proposed, confirmed]} of the fields the clerk changed (summary included)
    changes: dict = field(default_factory=dict)


@dataclass
class Comparison:
    """The proposal against the confirmation."""

    #: one outcome per proposed row, in the proposal's order
    tasks: list[TaskOutcome]
    #: the confirmed rows that no proposed row became (task_values)
    added: list[dict]
    #: {field: [proposed, confirmed]} of the corrected header fields
    header: dict

    def count(self, result: str) -> int:
        """How many proposed rows had ``result``."""
        return sum(1 for t in self.tasks if t.result == result)

    def as_json(self) -> dict:
        """The comparison as stored in ``LetterProposal.outcome``."""
        return {"tasks": [{"result": t.result, "changes": t.changes} for t in self.tasks], "added": self.added,
                "header": self.header}


def default_same_agency(proposed: str | None, confirmed: str | None) -> bool:
    """Two agency names are the same when they read the same without case, diacritics or punctuation."""
    return fold_words(proposed) == fold_words(confirmed)


def compare(proposal: dict, header, rows: Iterable, *,
            same_agency: Callable[[str | None, str | None], bool] = default_same_agency) -> Comparison:
    """Compare a snapshot with the confirmed ``header`` and task ``rows``.

    Each confirmed row has agency, role, summary, deadline and ``proposed``: the position of the proposed row it
    came from, or None for a row the clerk added. A proposed row no confirmed row names was removed; when two
    rows name the same proposed row (a forged or broken form), the first is that row and the next are added.
    ``same_agency`` decides whether the agency changed (registration passes one that asks the catalog, so
    "Sở LĐTBXH" for "Sở Lao động - Thương binh và Xã hội" is no correction).
    """
    proposed_rows = proposal.get("tasks") or []
    taken: dict[int, dict] = {}
    added: list[dict] = []
    for row in rows:
        values = task_values(row.agency, row.role, row.deadline, row.summary)
        index = getattr(row, "proposed", None)
        if isinstance(index, int) and 0 <= index < len(proposed_rows) and index not in taken:
            taken[index] = values
        else:
            added.append(values)
    outcomes = []
    for index, before in enumerate(proposed_rows):
        after = taken.get(index)
        if after is None:
            outcomes.append(TaskOutcome(REMOVED))
            continue
        changes = {}
        for name in TASK_FIELDS:
            same = (same_agency(before.get(name), after[name]) if name == "agency"
                    else before.get(name) == after[name])
            if not same:
                changes[name] = [before.get(name), after[name]]
        corrected = any(name in changes for name in CORRECTING_FIELDS)
        outcomes.append(TaskOutcome(CORRECTED if corrected else UNCHANGED, changes))
    confirmed = header_values(header)
    proposed_header = proposal.get("header") or {}
    header_changes = {name: [proposed_header.get(name), confirmed[name]] for name in HEADER_FIELDS
                      if (proposed_header.get(name) or None) != (confirmed[name] or None)}
    return Comparison(outcomes, added, header_changes)


def record_proposal(session: Session, letter: Letter, proposal: dict, comparison: Comparison, *,
                    registered_on: dt.date) -> LetterProposal:
    """Keep the proposal and its comparison with ``letter`` (in the caller's transaction)."""
    record = LetterProposal(
        letter=letter, registered_on=registered_on, header=proposal.get("header") or {},
        tasks=proposal.get("tasks") or [], outcome=comparison.as_json(),
        tasks_proposed=len(comparison.tasks), tasks_unchanged=comparison.count(UNCHANGED),
        tasks_corrected=comparison.count(CORRECTED), tasks_removed=comparison.count(REMOVED),
        tasks_added=len(comparison.added), header_fields=len(HEADER_FIELDS),
        header_corrected=len(comparison.header))
    session.add(record)
    session.flush()
    return record


@dataclass
class MonthFigures:
    """The proposals of the letters registered in one month (or in a whole period, for the total)."""

    year: int | None
    month: int | None
    letters: int = 0
    proposed: int = 0
    unchanged: int = 0
    corrected: int = 0
    removed: int = 0
    added: int = 0
    header_fields: int = 0
    header_corrected: int = 0

    @property
    def kept_percent(self) -> float | None:
        """The share of proposed task rows confirmed unchanged, in percent; None when none was proposed."""
        return 100 * self.unchanged / self.proposed if self.proposed else None

    @property
    def header_kept_percent(self) -> float | None:
        """The share of proposed header fields confirmed unchanged, in percent; None when there were none."""
        return 100 * (self.header_fields - self.header_corrected) / self.header_fields if self.header_fields else None


_SUMMED = {"letters": func.count(LetterProposal.id), "proposed": func.sum(LetterProposal.tasks_proposed),
           "unchanged": func.sum(LetterProposal.tasks_unchanged), "corrected": func.sum(LetterProposal.tasks_corrected),
           "removed": func.sum(LetterProposal.tasks_removed), "added": func.sum(LetterProposal.tasks_added),
           "header_fields": func.sum(LetterProposal.header_fields),
           "header_corrected": func.sum(LetterProposal.header_corrected)}


def monthly_figures(session: Session, first: dt.date, last: dt.date) -> list[MonthFigures]:
    """The figures of each month with letters registered from a proposal between ``first`` and ``last``
    (inclusive), newest month first."""
    year = extract("year", LetterProposal.registered_on)
    month = extract("month", LetterProposal.registered_on)
    rows = session.execute(
        select(year.label("y"), month.label("m"), *(c.label(n) for n, c in _SUMMED.items()))
        .where(LetterProposal.registered_on >= first, LetterProposal.registered_on <= last)
        .group_by(year, month).order_by(year.desc(), month.desc()))
    return [MonthFigures(int(r.y), int(r.m), **{n: int(getattr(r, n) or 0) for n in _SUMMED}) for r in rows]


def total_of(figures: Iterable[MonthFigures]) -> MonthFigures:
    """The figures of several months added up."""
    total = MonthFigures(None, None)
    for f in figures:
        for name in _SUMMED:
            setattr(total, name, getattr(total, name) + getattr(f, name))
    return total


def years_recorded(session: Session) -> list[int]:
    """The years in which some letter was registered from a proposal, newest first."""
    year = extract("year", LetterProposal.registered_on)
    return [int(y) for y in session.scalars(select(distinct(year)).order_by(year.desc()))]


def months_back(today: dt.date, months: int) -> dt.date:
    """The first day of the month ``months - 1`` months before ``today``'s: the start of the last ``months``
    months, this one included."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)
