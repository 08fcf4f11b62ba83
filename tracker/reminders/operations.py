"""The reminder pass and the delivery run, as used by the scheduler, ``tracker remind`` and the admin pages.

A pass, for one office day, in one transaction, with work that does not grow with the tasks it reads:

1. the planner (plain Python) turns the day's stages into a few ranges of deadlines per task type, and
   SQL picks the open tasks (letter arrived) whose stage is due and not yet in the reminder log;
2. those are read a page at a time and a :class:`Reminder` row is inserted per (task, stage, day) with
   ON CONFLICT DO NOTHING: only the rows this pass inserted go out, so a stage is never sent twice,
   whoever runs the pass;
3. the new reminders are counted in SQL per agency and section, and each address gets one digest (never
   an empty one) listing the most urgent ``[digest] max_items`` tasks, then how many more and a link to
   the filtered task list; it is written to the outbox in the same transaction, with its Message-ID;
4. once a week the clerks hear how many open tasks have no deadline, with the oldest.

Delivery is separate (:func:`deliver`): it claims outbox rows one by one and writes the task timeline
("reminder" events) in the transaction that marks a message sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, null, or_, select, true
from sqlalchemy.orm import Session, sessionmaker

from tracker.accounts.models import User
from tracker.agencies.models import Agency
from tracker.calendar.store import refresh_default_calendar
from tracker.config import Settings
from tracker.db import transaction, utcnow
from tracker.intake.models import Letter
from tracker.reminders.mail import (ALL_TASKS_PATH, OWN_TASKS_PATH, SECTION_TITLES, Addressee, MailComposer, TaskLine,
                                    letter_title, vn_date, vn_number)
from tracker.reminders.models import OutboxMessage, Reminder, ReminderPass
from tracker.reminders.outbox import DeliveryReport, deliver_due, dialect_insert, enqueue
from tracker.reminders.planner import Planner, Stage, signed_days, weekly_note_week
from tracker.reminders.policy import TASK_TYPES, ReminderPolicy, find_policy, task_type
from tracker.reminders.smtp import FileTransport, make_transport
from tracker.tasks.models import Task

log = logging.getLogger("tracker.reminders")

#: extension key where the web app keeps the validated policy
POLICY_EXTENSION = "tracker.reminder_policy"


@dataclass
class ReminderService:
    """What passes and deliveries need, taken from an app (or built by hand in benchmarks)."""

    settings: Settings
    sessions: sessionmaker[Session]
    policy: ReminderPolicy
    #: states whose tasks are reminded of: open, visible to the agency and not waiting for the office's review
    open_states: frozenset[str]
    composer: MailComposer
    #: a pinned office day (the TRACKER_TODAY setting, for demos and tests); None: the real date
    pinned_today: dt.date | None = None
    #: the task workflow, to open the due periods of recurring tasks before planning
    workflow: object | None = None

    @classmethod
    def from_app(cls, app) -> ReminderService:
        """The service of a tracker app: its settings, write sessions, workflow and reminder policy."""
        settings = app.extensions["tracker.settings"]
        policy = app.extensions.get(POLICY_EXTENSION) or find_policy(settings.instance_path)
        pinned = app.config.get("TRACKER_TODAY")
        workflow = app.extensions["tracker.workflow"]
        # Open tasks the agency sees and still works on: a distribution waiting for the leader's approval is not
        # theirs yet, and a result they reported waits for the office's review, not for them.
        states = (frozenset(workflow.open_states) - frozenset(getattr(workflow, "hidden_states", frozenset()))
                  - frozenset(getattr(workflow, "review_states", frozenset())))
        return cls(settings=settings, sessions=app.extensions["tracker.write_sessions"], policy=policy,
                   open_states=states,
                   composer=MailComposer.for_settings(settings),
                   pinned_today=dt.date.fromisoformat(str(pinned)) if pinned else None, workflow=workflow)

    @property
    def zone(self) -> ZoneInfo:
        """The office's time zone."""
        return ZoneInfo(self.settings.timezone)

    def now_local(self) -> dt.datetime:
        """The office's local time now."""
        return dt.datetime.now(self.zone)

    def today(self) -> dt.date:
        """The office day: pinned, or today in the office's time zone."""
        return self.pinned_today or self.now_local().date()

    def transport(self):
        """SMTP when TRACKER_SMTP_URL is set, else .eml files in instance/outbox/."""
        return make_transport(self.settings.smtp_url, self.settings.instance_path)


# -- the pass --------------------------------------------------------------------------------------


@dataclass
class PlannedReminder:
    """One reminder a pass decided (or would decide, in a dry run)."""

    task_id: int
    agency: str
    letter: str
    stage: Stage
    deadline: dt.date
    days: int
    addresses: list[str]
    line: TaskLine


@dataclass
class PlannedMessage:
    """One e-mail a pass wrote (or would write)."""

    kind: str
    address: str
    name: str
    subject: str
    #: the tasks the mail is about, listed or only counted
    tasks: int
    outbox_id: int | None = None
    text: str = ""


#: reminders of a pass kept with their details for printing; ``reminder_count`` counts them all
SAMPLE_SIZE = 200
#: due tasks read per page: a pass keeps one page of rows in memory however many tasks are due
PAGE_SIZE = 500
#: unreachable tasks named in a pass's result and summary (all are counted)
UNREACHABLE_NAMED = 100


@dataclass
class PassResult:
    """What a pass did, for printing and for the pass's summary row."""

    today: dt.date
    dry_run: bool = False
    #: why nothing was planned (a day off), else None
    skipped: str | None = None
    #: the first SAMPLE_SIZE reminders decided (by task id), with their details
    reminders: list[PlannedReminder] = field(default_factory=list)
    #: every reminder decided
    reminder_count: int = 0
    messages: list[PlannedMessage] = field(default_factory=list)
    #: tasks due for a reminder that nobody can receive: (task id, agency name), the first UNREACHABLE_NAMED
    unreachable: list[tuple[int, str]] = field(default_factory=list)
    #: every such task
    unreachable_count: int = 0
    #: stages due that had gone out already
    already_sent: int = 0

    def summary(self) -> dict:
        """JSON-ready counts for the ReminderPass row."""
        return {"reminders": self.reminder_count, "messages": len(self.messages), "skipped": self.skipped,
                "already_sent": self.already_sent, "unreachable_count": self.unreachable_count,
                "unreachable": [{"task_id": t, "agency": a} for t, a in self.unreachable[:UNREACHABLE_NAMED]]}


@dataclass
class _Candidate:
    task_id: int
    deadline: dt.date | None
    role: str
    recurrence: str | None
    agency_id: int
    summary: str
    urgency: str | None
    letter: str
    subject: str
    received_on: dt.date | None = None


_DETAIL_COLUMNS = (Task.id, Task.deadline, Task.role, Task.recurrence, Task.agency_id, Task.summary, Letter.urgency,
                   Letter.doc_type, Letter.number, Letter.issued_on, Letter.issuer, Letter.subject, Letter.received_on)


def _details_query():
    """Task, letter and agency columns a mail line needs."""
    return select(*_DETAIL_COLUMNS).join(Letter, Letter.id == Task.letter_id)


def _candidate(r) -> _Candidate:
    return _Candidate(r.id, r.deadline, r.role, r.recurrence, r.agency_id, r.summary or "", r.urgency,
                      letter_title(r.doc_type, r.number, r.issued_on, r.issuer), (r.subject or "").strip(),
                      r.received_on)


def _candidates_by_id(session: Session, ids: list[int]) -> dict[int, _Candidate]:
    """The details (letter, agency, summary) of the tasks ``ids`` (a few hundred at most)."""
    ids = sorted(ids)
    found: dict[int, _Candidate] = {}
    for start in range(0, len(ids), 500):
        for row in session.execute(_details_query().where(Task.id.in_(ids[start:start + 500]))):
            found[row.id] = _candidate(row)
    return found


class _Directory:
    """Addresses of every agency, its officers and the people of some roles, read once per pass.

    A province has a few hundred agencies and a few thousand people: small next to its tasks, so they
    are read whole, and the tasks never are.
    """

    def __init__(self, session: Session, policy: ReminderPolicy):
        self.agencies = {a.id: a for a in session.scalars(select(Agency))}
        self.officers: dict[int, list[User]] = defaultdict(list)
        if policy.recipients.agency_officers:
            for user in session.scalars(select(User).where(User.agency_id.is_not(None), User.role == "officer",
                                                           User.active.is_(True), User.email.is_not(None))
                                        .order_by(User.id)):
                if user.email.strip():
                    self.officers[user.agency_id].append(user)
        self.session = session
        self.policy = policy

    def agency_name(self, agency_id: int) -> str:
        """The agency's name (or its number when it is gone)."""
        agency = self.agencies.get(agency_id)
        return agency.name if agency else f"Cơ quan #{agency_id}"

    def for_agency(self, agency_id: int) -> list[Addressee]:
        """The agency's own addresses and its officers."""
        agency = self.agencies.get(agency_id)
        found: list[Addressee] = []
        if agency is None:
            return found
        if self.policy.recipients.agency_addresses:
            for address in agency.emails or []:
                if address and address.strip():
                    found.append(Addressee(address.strip().lower(), agency.name, agency.name))
        short = agency.short_name or agency.name
        for user in self.officers.get(agency_id, []):
            found.append(Addressee(user.email.strip().lower(), user.full_name,
                                   f"Ông/Bà {user.full_name} ({short})"))
        return found

    def unreachable(self) -> list[int]:
        """Agencies nobody can be written to (no address of their own, no officer with one)."""
        return sorted(a for a in self.agencies if not self.for_agency(a))

    def of_roles(self, roles: tuple[str, ...]) -> list[Addressee]:
        """Active people of ``roles`` with an address."""
        if not roles:
            return []
        users = self.session.scalars(select(User).where(User.role.in_(roles), User.active.is_(True),
                                                        User.email.is_not(None)).order_by(User.id))
        return [Addressee(u.email.strip().lower(), u.full_name, f"Ông/Bà {u.full_name}", leader=u.role == "leader")
                for u in users if u.email and u.email.strip()]


def _line(service: ReminderService, candidate: _Candidate, directory: _Directory, calendar, today: dt.date,
          *, days: int | None, escalated: bool = False, for_leader: bool = False) -> TaskLine:
    deadline = candidate.deadline
    return TaskLine(task_id=candidate.task_id, url=service.composer.task_url(candidate.task_id),
                    agency_name=directory.agency_name(candidate.agency_id), role=candidate.role,
                    summary=candidate.summary, letter_title=candidate.letter, letter_subject=candidate.subject,
                    deadline=deadline, deadline_off=calendar.day_off_reason(deadline) if deadline else None,
                    days=days, today=today, escalated=escalated, for_leader=for_leader,
                    received_on=candidate.received_on)


def _insert_reminders(session: Session, rows: list[dict]) -> dict[tuple[int, int, dt.date], int]:
    """Insert reminder rows, skipping keys that exist; return {key: id} of the rows this call inserted."""
    inserted: dict[tuple[int, int, dt.date], int] = {}
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        statement = (dialect_insert(session, Reminder).values(chunk)
                     .on_conflict_do_nothing(index_elements=["task_id", "stage", "due_on"])
                     .returning(Reminder.id, Reminder.task_id, Reminder.stage, Reminder.due_on))
        for rid, task_id, stage, due_on in session.execute(statement):
            inserted[(task_id, stage, due_on)] = rid
    return inserted


# -- what is due, in SQL -----------------------------------------------------------------------------------


def _type_column():
    """The policy type of a task in SQL, as :func:`~tracker.reminders.policy.task_type` decides it in Python."""
    return case((func.trim(func.coalesce(Letter.urgency, "")) != "", "urgent"),
                (func.coalesce(Task.recurrence, "") != "", "recurring"),
                (Task.role == "cooperate", "cooperate"), else_="lead")


#: deadlines older than this are planned as if this old (a typo like 1920 must not make the pass walk a century)
_OLDEST_YEARS = 60


@dataclass
class _DuePlan:
    """The day's stages as SQL: which stage offset each open task is due for, and whether it escalates."""

    #: the stage offset due today (NULL: none)
    stage: ColumnElement
    #: 1 when that stage copies the leaders, else 0
    escalated: ColumnElement
    #: the conditions every candidate meets (open, letter arrived, a deadline not too far)
    where: list[ColumnElement]

    def query(self, *columns, logged: bool = False):
        """Open tasks due for a stage today, whose stage is (``logged``) or is not yet in the reminder log.

        The log is matched on (task, stage, deadline): the stage day follows from the deadline, so this is
        the unique key's (task, stage, day) without asking Python for the day.
        """
        in_log = exists().where(Reminder.task_id == Task.id, Reminder.stage == self.stage,
                                Reminder.deadline == Task.deadline)
        return (select(*columns).select_from(Task).join(Letter, Letter.id == Task.letter_id)
                .where(*self.where, self.stage.is_not(None), in_log if logged else ~in_log))


def _due_plan(session: Session, service: ReminderService, planner: Planner, today: dt.date) -> _DuePlan | None:
    """The SQL that picks the due tasks: a CASE over a few ranges of deadlines per task type (None: no candidates)."""
    open_states = sorted(service.open_states)
    oldest = session.scalar(select(func.min(Task.deadline)).where(Task.status.in_(open_states),
                                                                   Task.deadline.is_not(None)))
    horizon = planner.horizon()
    if oldest is None or oldest > horizon:
        return None
    oldest = max(oldest, today.replace(year=today.year - _OLDEST_YEARS, day=min(today.day, 28)))
    groups: dict = {}
    for name in TASK_TYPES:  # types with the same stages share their ranges
        groups.setdefault(service.policy.stages_for(name), []).append(name)
    kind = _type_column()
    stage_whens, escalated_whens = [], []
    for stages, names in groups.items():
        of_type = kind.in_(names) if len(groups) > 1 else true()
        for first, last, offset in planner.stage_ranges(names[0], oldest):
            span = Task.deadline <= last if first is None else Task.deadline.between(first, last)
            stage_whens.append((and_(of_type, span), offset))
            if stages.escalated(offset):
                escalated_whens.append((and_(of_type, span), 1))
    if not stage_whens:
        return None
    return _DuePlan(stage=case(*stage_whens, else_=null()),
                    escalated=case(*escalated_whens, else_=0) if escalated_whens else literal(0),
                    where=[Task.status.in_(open_states), Letter.received_on <= today, Task.deadline.is_not(None),
                           Task.deadline <= horizon])


# -- the pass ----------------------------------------------------------------------------------------------


def plan_pass(session: Session, service: ReminderService, today: dt.date, *, dry_run: bool = False) -> PassResult:
    """Decide the day's reminders and write them with their e-mails to the outbox (the caller commits).

    In a dry run nothing is written; the result says what would be sent. The work is bounded: the due tasks
    are found and counted in SQL and read a page at a time to write their reminder rows; each mail lists
    the most urgent ``[digest] max_items`` tasks and counts the others.
    """
    result = PassResult(today=today, dry_run=dry_run)
    calendar = refresh_default_calendar(session)
    if service.workflow is not None and not dry_run:
        # Recurring reports: the period due now must exist (with its deadline) before reminders are planned.
        from tracker.tasks.occurrences import refresh_all

        refresh_all(session, today, workflow=service.workflow)
    policy = service.policy
    if not policy.schedule.send_on_days_off and not calendar.is_working_day(today):
        result.skipped = f"{vn_date(today)} là ngày nghỉ ({calendar.day_off_reason(today)}); không gửi nhắc hạn."
        if not dry_run:
            _record_pass(session, today, "command", result)
        return result
    now = utcnow()
    planner = Planner(policy, calendar, today)
    directory = _Directory(session, policy)
    plan = _due_plan(session, service, planner, today)
    if plan is not None:
        _reminders_and_digests(session, service, plan, planner, directory, result, now, dry_run)
    _weekly_note(session, service, today, calendar, directory, result, now, dry_run)
    if not dry_run:
        _record_pass(session, today, "command", result)
    return result


class _Days:
    """Working days left or overdue per deadline, computed once per distinct deadline."""

    def __init__(self, calendar, today: dt.date):
        self.calendar, self.today, self.memo = calendar, today, {}

    def __call__(self, deadline: dt.date) -> int:
        try:
            return self.memo[deadline]
        except KeyError:
            self.memo[deadline] = found = signed_days(deadline, self.today, self.calendar)
            return found


def _reminders_and_digests(session: Session, service: ReminderService, plan: _DuePlan, planner: Planner,
                           directory: _Directory, result: PassResult, now: dt.datetime, dry_run: bool) -> None:
    """Write the day's reminder rows page by page, then one bounded digest per address."""
    today, policy, calendar = result.today, service.policy, planner.calendar
    leaders = directory.of_roles(policy.recipients.escalate_to)
    unreachable = directory.unreachable()
    # A task of an agency nobody can be written to still goes to the leaders when it escalates; otherwise it
    # gets no reminder row, so it is reminded once someone has an address.
    reachable = Task.agency_id.not_in(unreachable) if unreachable else true()
    if leaders and unreachable:
        reachable = or_(reachable, plan.escalated == 1)
    if unreachable:
        lost = plan.query(Task.id, Task.agency_id).where(~reachable)
        result.unreachable_count = session.scalar(select(func.count()).select_from(lost.subquery())) or 0
        result.unreachable = [(t, directory.agency_name(a))
                              for t, a in session.execute(lost.order_by(Task.id).limit(UNREACHABLE_NAMED))]
    result.already_sent = session.scalar(plan.query(func.count(), logged=True)) or 0

    days_of = _Days(calendar, today)
    sample: list[tuple[int, Stage, dt.date]] = []
    first_reminder: int | None = None
    # One scan finds the due tasks; only their ids are kept (8 bytes each), and their columns are read a page
    # at a time by primary key. A keyset page of the scan itself would make SQLite scan again for every page.
    due_ids = array("q", session.scalars(plan.query(Task.id).where(reachable).order_by(Task.id)))
    page_query = (select(Task.id, Task.deadline, Task.role, Task.recurrence, Task.agency_id, Letter.urgency)
                  .join(Letter, Letter.id == Task.letter_id).order_by(Task.id))
    for start in range(0, len(due_ids), PAGE_SIZE):
        page = session.execute(page_query.where(Task.id.in_(due_ids[start:start + PAGE_SIZE].tolist()))).all()
        rows, stages = [], {}
        for task_id, deadline, role, recurrence, _agency, urgency in page:
            # Python's planner has the last word on the stage and its day (the unique key's day).
            stage = planner.stage(deadline, task_type(urgency=urgency, recurrence=recurrence, role=role))
            if stage is None:
                continue
            stages[task_id] = (stage, deadline)
            rows.append(dict(task_id=task_id, stage=stage.offset, due_on=stage.due_on, deadline=deadline,
                             days=days_of(deadline), escalated=stage.escalated, pass_date=today, created_at=now))
        if dry_run:
            fresh = {(r["task_id"], r["stage"], r["due_on"]): 0 for r in rows}
        else:
            # The unique key decides: a concurrent pass that inserted a key first sends it, this one does not.
            fresh = _insert_reminders(session, rows)
            if fresh:
                low = min(fresh.values())
                first_reminder = low if first_reminder is None else min(first_reminder, low)
        result.already_sent += len(rows) - len(fresh)
        result.reminder_count += len(fresh)
        for task_id, _offset, _day in sorted(fresh)[:max(0, SAMPLE_SIZE - len(sample))]:
            sample.append((task_id, *stages[task_id]))
    _sample_reminders(session, service, directory, calendar, today, sample, leaders, result)
    if not result.reminder_count:
        return

    if dry_run:
        source = plan.query(Task.id.label("task_id"), Task.agency_id.label("agency_id"),
                            Task.deadline.label("deadline"), plan.stage.label("stage"),
                            plan.escalated.label("escalated"), literal(0).label("reminder_id")).where(reachable)
    else:
        # Exactly the rows this pass inserted: its own timestamp, from its first new id on (the primary key's range).
        source = (select(Reminder.task_id.label("task_id"), Task.agency_id.label("agency_id"),
                         Reminder.deadline.label("deadline"), Reminder.stage.label("stage"),
                         case((Reminder.escalated, 1), else_=0).label("escalated"), Reminder.id.label("reminder_id"))
                  .join(Task, Task.id == Reminder.task_id)
                  .where(Reminder.id >= first_reminder, Reminder.pass_date == today, Reminder.created_at == now))
    _digests(session, service, source.subquery("due"), directory, calendar, today, leaders, unreachable, result,
             now, dry_run, days_of)



def _sample_reminders(session: Session, service: ReminderService, directory: _Directory, calendar, today: dt.date,
                      sample: list[tuple[int, Stage, dt.date]], leaders: list[Addressee], result: PassResult) -> None:
    """Details of the first reminders decided, for printing (the pass itself needs none of them)."""
    details = _candidates_by_id(session, [task_id for task_id, _, _ in sample])
    for task_id, stage, deadline in sample:
        candidate = details[task_id]
        own = directory.for_agency(candidate.agency_id)
        copied = leaders if stage.escalated else []
        days = signed_days(deadline, today, calendar)
        # "đã báo cáo lãnh đạo" only when a leader really gets it
        line = _line(service, candidate, directory, calendar, today, days=days,
                     escalated=stage.escalated and bool(copied))
        result.reminders.append(PlannedReminder(task_id, directory.agency_name(candidate.agency_id), candidate.letter,
                                                stage, deadline, days, [p.address for p in own + copied], line))


def _allocate(candidates: dict[str, list], budget: int) -> dict[str, list]:
    """Share ``budget`` listed tasks between sections, one each in turn (the most urgent section first).

    An agency with thousands of long-overdue tasks still sees, listed, the three that fall due this week.
    """
    taken = {key: 0 for key in candidates}
    while budget > 0:
        moved = False
        for key, rows in candidates.items():
            if budget > 0 and taken[key] < len(rows):
                taken[key] += 1
                budget -= 1
                moved = True
        if not moved:
            break
    return {key: rows[:taken[key]] for key, rows in candidates.items()}


def _digests(session: Session, service: ReminderService, due, directory: _Directory, calendar, today: dt.date,
             leaders: list[Addressee], unreachable: list[int], result: PassResult, now: dt.datetime, dry_run: bool,
             days_of: _Days) -> None:
    """One digest per address over the ``due`` rows (a subquery): counted in SQL, the most urgent listed.

    Three statements whatever the number of tasks: the counts per agency and section, the most urgent
    ``max_items`` per agency and section (a window function), and the leaders' most overdue.
    """
    budget = service.policy.digest.max_items
    next_day = calendar.add_working_days(today, 1)
    section = case((due.c.deadline < today, "overdue"), (due.c.deadline < next_day, "today"), else_="soon")
    counts: dict[tuple[int, str, bool], int] = defaultdict(int)
    # Grouped over a subquery's column, not the CASE itself: PostgreSQL binds the CASE's dates anew in GROUP BY
    # and would not recognise it as the selected expression.
    sectioned = select(due.c.agency_id, due.c.escalated, section.label("section")).subquery("sectioned")
    for agency_id, key, escalated, n in session.execute(
            select(sectioned.c.agency_id, sectioned.c.section, sectioned.c.escalated, func.count())
            .group_by(sectioned.c.agency_id, sectioned.c.section, sectioned.c.escalated)):
        counts[(agency_id, key, bool(escalated))] += n

    detail = [due.c.task_id, due.c.stage, due.c.escalated, due.c.reminder_id, *_DETAIL_COLUMNS]
    own_top: dict[tuple[int, str], list] = defaultdict(list)
    ranked = select(due, section.label("section"), func.row_number().over(
        partition_by=(due.c.agency_id, section), order_by=(due.c.deadline, due.c.task_id)).label("rank"))
    if unreachable:
        ranked = ranked.where(due.c.agency_id.not_in(unreachable))
    ranked = ranked.subquery("ranked")
    for row in session.execute(select(ranked.c.task_id, ranked.c.stage, ranked.c.escalated, ranked.c.reminder_id,
                                      ranked.c.section, *_DETAIL_COLUMNS)
                               .join(Task, Task.id == ranked.c.task_id).join(Letter, Letter.id == Task.letter_id)
                               .where(ranked.c.rank <= budget).order_by(ranked.c.deadline, ranked.c.task_id)):
        own_top[(row.agency_id, row.section)].append(row)
    escalated_total = sum(n for (_a, _s, escalated), n in counts.items() if escalated)
    leader_top = []
    if escalated_total and leaders:
        leader_top = session.execute(select(*detail).join(Task, Task.id == due.c.task_id)
                                     .join(Letter, Letter.id == Task.letter_id).where(due.c.escalated == 1)
                                     .order_by(due.c.deadline, due.c.task_id).limit(budget)).all()

    # Who gets what: an address hears about the agencies it belongs to and, for a leader, the escalations.
    inbox: dict[str, tuple[Addressee, set[int], list[bool]]] = {}
    for agency_id in sorted({a for a, _s, _e in counts} - set(unreachable)):
        for person in directory.for_agency(agency_id):
            inbox.setdefault(person.address, (person, set(), [False]))[1].add(agency_id)
    if escalated_total:
        for person in leaders:
            inbox.setdefault(person.address, (person, set(), [False]))[2][0] = True

    composer = service.composer
    links = {"leader": composer.list_url(ALL_TASKS_PATH, due="overdue"),
             "overdue": composer.list_url(OWN_TASKS_PATH, due="overdue"),
             # no list filter means "due within N working days"; open tasks sorted by deadline come closest
             "today": composer.list_url(OWN_TASKS_PATH, status="open"),
             "soon": composer.list_url(OWN_TASKS_PATH, status="open")}
    built: dict[tuple[frozenset[int], bool], tuple[list[TaskLine], list[dict], dict[str, int], str] | None] = {}

    def content(own: frozenset[int], leader: bool):
        totals: dict[str, int] = defaultdict(int)
        for (agency_id, key, escalated), n in counts.items():
            if agency_id in own:
                totals[key] += n
            elif leader and escalated:
                totals["leader"] += n  # a leader who is also the agency's address reads the task once
        if not sum(totals.values()):
            return None
        candidates: dict[str, list] = {key: [] for key in SECTION_TITLES}
        for key in ("overdue", "today", "soon"):
            for agency_id in own:
                candidates[key].extend(own_top.get((agency_id, key), []))
            candidates[key].sort(key=lambda r: (r.deadline, r.id))
        if leader:
            candidates["leader"] = [r for r in leader_top if r.agency_id not in own]
        lines, items = [], []
        for key, rows in _allocate(candidates, budget).items():
            for_leader = key == "leader"
            for row in rows:
                days = days_of(row.deadline)
                # "đã báo cáo lãnh đạo" only when a leader really gets it
                escalated = for_leader or (bool(row.escalated) and bool(leaders))
                lines.append(_line(service, _candidate(row), directory, calendar, today, days=days,
                                   escalated=escalated, for_leader=for_leader))
                items.append({"task_id": row.id, "reminder_id": row.reminder_id, "stage": row.stage, "days": days,
                              "deadline": row.deadline.isoformat(), "escalated": bool(row.escalated),
                              "leader": for_leader})
        # Everyone of the scope gets the same tasks: their calendar attachment is built once.
        return (lines, items, dict(totals), composer.calendar(lines, now)) if lines else None

    for address, (person, own, leader) in sorted(inbox.items()):
        scope = (frozenset(own), leader[0])
        if scope not in built:
            built[scope] = content(*scope)
        if built[scope] is None:
            continue
        lines, items, totals, ics = built[scope]
        first = min(item["reminder_id"] for item in items)
        key = f"digest:{today.isoformat()}:{address}:{first}"
        composed = composer.digest(person, lines, today=today, key=key, created_at=now, totals=totals, links=links,
                                   ics=ics)
        outbox_id = None
        if not dry_run:
            outbox_id = enqueue(session, key=key, kind="digest", recipient=address, recipient_name=person.name,
                                subject=composed.subject, message_id=composed.message_id, mime=composed.mime,
                                for_date=today, items=items, now=now)
        result.messages.append(PlannedMessage("digest", address, person.name, composed.subject,
                                              sum(totals.values()), outbox_id, composed.text))


def _weekly_note(session: Session, service: ReminderService, today: dt.date, calendar, directory: _Directory,
                 result: PassResult, now: dt.datetime, dry_run: bool) -> None:
    """Once a week: the clerks hear how many open tasks have no deadline, and which have waited longest."""
    policy = service.policy
    week = weekly_note_week(today, policy.no_deadline.weekday, calendar)
    if week is None or not policy.no_deadline.notify:
        return
    people = directory.of_roles(policy.no_deadline.notify)
    if not people:
        return
    prefix = f"no-deadline:{week[0]}-W{week[1]:02d}:"
    keys = {f"{prefix}{p.address}": p for p in people}
    existing = set(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(sorted(keys)))))
    waiting = {key: person for key, person in keys.items() if key not in existing}
    if not waiting:
        return
    undated = [Task.status.in_(sorted(service.open_states)), Letter.received_on <= today, Task.deadline.is_(None)]
    total = session.scalar(select(func.count()).select_from(Task).join(Letter, Letter.id == Task.letter_id)
                           .where(*undated)) or 0
    if not total:
        return
    oldest = [_candidate(r) for r in session.execute(_details_query().where(*undated)
                                                     .order_by(Letter.received_on, Task.id)
                                                     .limit(policy.digest.max_items))]
    lines = [_line(service, t, directory, calendar, today, days=None) for t in oldest]
    items = [{"task_id": t.task_id} for t in oldest]
    link = service.composer.list_url(ALL_TASKS_PATH, due="none", status="open")
    for key, person in sorted(waiting.items()):
        composed = service.composer.no_deadline_note(person, lines, today=today, week=week, key=key, created_at=now,
                                                     total=total, link=link)
        outbox_id = None
        if not dry_run:
            outbox_id = enqueue(session, key=key, kind="no_deadline", recipient=person.address,
                                recipient_name=person.name, subject=composed.subject, message_id=composed.message_id,
                                mime=composed.mime, for_date=today, items=items, now=now)
            if outbox_id is None:
                continue
        result.messages.append(PlannedMessage("no_deadline", person.address, person.name, composed.subject,
                                              total, outbox_id, composed.text))


def _record_pass(session: Session, today: dt.date, origin: str, result: PassResult) -> None:
    """Keep the day's summary (added to an earlier pass of the same day), for the admin's page."""
    session.execute(dialect_insert(session, ReminderPass)
                    .values(pass_date=today, origin=origin, started_at=utcnow(), summary={})
                    .on_conflict_do_nothing(index_elements=["pass_date"]))
    row = session.get(ReminderPass, today, populate_existing=True)
    previous = row.summary or {}
    summary = result.summary()
    summary["reminders"] += int(previous.get("reminders") or 0)
    summary["messages"] += int(previous.get("messages") or 0)
    row.summary, row.finished_at = summary, utcnow()
    session.flush()


def run_pass(service: ReminderService, today: dt.date | None = None, *, dry_run: bool = False) -> PassResult:
    """One pass now (or as if on ``today``), committed unless ``dry_run``."""
    today = today or service.today()
    session = service.sessions()
    try:
        result = plan_pass(session, service, today, dry_run=dry_run)
        if dry_run:
            session.rollback()
        else:
            session.commit()
        return result
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def run_daily_pass_if_due(service: ReminderService, now_local: dt.datetime | None = None) -> PassResult | None:
    """The scheduler's tick: run today's pass once, from the policy's send_at on; None when not due or done.

    The day is claimed by inserting its ReminderPass row in the pass's own transaction: a second scheduler
    (or a restart) finds the row and does nothing; a pass that fails leaves no row and is tried again.
    """
    now_local = now_local or service.now_local()
    today = service.pinned_today or now_local.date()
    if service.pinned_today is None and now_local.time() < service.policy.schedule.send_at:
        return None
    with transaction(service.sessions) as session:
        claimed = session.scalar(dialect_insert(session, ReminderPass)
                                 .values(pass_date=today, origin="scheduler", started_at=utcnow(), summary={})
                                 .on_conflict_do_nothing(index_elements=["pass_date"])
                                 .returning(ReminderPass.pass_date))
        if claimed is None:
            return None
        result = plan_pass(session, service, today)
        row = session.get(ReminderPass, today)
        row.origin = "scheduler"
        log.info("reminder pass %s: %d reminder(s), %d message(s)%s", today, len(result.reminders),
                 len(result.messages), f" ({result.skipped})" if result.skipped else "")
        return result


# -- delivery ------------------------------------------------------------------------------------------


def _timeline_text(row: OutboxMessage, item: dict, delivered: str) -> str:
    days = item.get("days")
    deadline = dt.date.fromisoformat(item["deadline"]) if item.get("deadline") else None
    if days is None or deadline is None:
        state = ""
    elif days < 0:
        state = f"quá hạn {-days} ngày làm việc"
    elif days == 0:
        state = "đến hạn"
    else:
        state = f"còn {days} ngày làm việc"
    what = "Thư báo quá hạn gửi lãnh đạo" if item.get("leader") else "Thư nhắc hạn"
    where = f"{row.recipient_name} <{row.recipient}>" if row.recipient_name else row.recipient
    detail = f" ({state}, hạn {vn_date(deadline)})" if state and deadline else ""
    return f"{what}{detail} {delivered} {where}."


def timeline_hooks(file_mode: bool):
    """``on_sent`` and ``on_failed`` callbacks that write "reminder" events on the tasks of a message."""
    from tracker.tasks.operations import record

    delivered = "đã ghi vào hộp thư đi (tệp .eml) cho" if file_mode else "đã gửi tới"

    def tasks_of(session: Session, row: OutboxMessage):
        if row.kind != "digest":
            return []
        wanted = {int(item["task_id"]): item for item in row.items or []}
        found = session.scalars(select(Task).where(Task.id.in_(sorted(wanted))))
        return [(task, wanted[task.id]) for task in found]

    def on_sent(session: Session, row: OutboxMessage) -> None:
        for task, item in tasks_of(session, row):
            record(session, task, "reminder", actor=None, comment=_timeline_text(row, item, delivered))

    def on_failed(session: Session, row: OutboxMessage) -> None:
        for task, item in tasks_of(session, row):
            record(session, task, "reminder", actor=None,
                   comment=_timeline_text(row, item, "không gửi được tới") + f" Lỗi: {row.last_error}")

    return on_sent, on_failed


def deliver(service: ReminderService, *, now: dt.datetime | None = None, limit: int | None = None,
            transport=None) -> DeliveryReport:
    """Deliver the due outbox messages through the configured transport (SMTP or .eml files)."""
    transport = transport or service.transport()
    on_sent, on_failed = timeline_hooks(isinstance(transport, FileTransport))
    return deliver_due(service.sessions, transport, sender=service.composer.sender, policy=service.policy.delivery,
                       now=now, limit=limit, on_sent=on_sent, on_failed=on_failed)


def deliver_all(service: ReminderService, *, now: dt.datetime | None = None, transport=None) -> DeliveryReport:
    """Deliver batch after batch until nothing due is left or the server cannot be reached."""
    total = DeliveryReport()
    while True:
        report = deliver(service, now=now, transport=transport)
        total.transport = report.transport
        total.sent += report.sent
        total.retry += report.retry
        total.failed += report.failed
        total.unavailable = report.unavailable or total.unavailable
        if report.unavailable or not report.attempted or not report.sent:
            return total


# -- printing ------------------------------------------------------------------------------------------


#: reminders and warnings printed one per line by format_pass (the others are counted)
PRINTED = 50


def format_pass(result: PassResult) -> str:
    """What a pass sends or would send, in Vietnamese, for the terminal."""
    from tracker.reminders.mail import vn_day

    lines = [f"Nhắc hạn ngày {vn_day(result.today)}{' (chạy thử, không ghi gì)' if result.dry_run else ''}:"]
    if result.skipped:
        lines.append(f"  {result.skipped}")
        return "\n".join(lines)
    if not result.reminder_count:
        lines.append("  Không có nhiệm vụ nào đến lượt nhắc hạn.")
    for item in result.reminders[:PRINTED]:
        lines.append(f"  #{item.task_id} {item.agency} — {item.letter}: {item.line.days_text.lower()} "
                     f"(hạn {item.line.deadline_text}){' — báo cáo lãnh đạo' if item.stage.escalated else ''}")
    shown = min(len(result.reminders), PRINTED)
    if result.reminder_count > shown:
        lines.append(f"  … và {vn_number(result.reminder_count - shown)} lượt nhắc khác "
                     f"(tổng cộng {vn_number(result.reminder_count)} lượt nhắc).")
    if result.already_sent:
        lines.append(f"  ({vn_number(result.already_sent)} lượt nhắc đến hạn đã gửi trước đó, không gửi lại.)")
    for task_id, agency in result.unreachable[:PRINTED]:
        lines.append(f"  Cảnh báo: nhiệm vụ #{task_id} — {agency} không có địa chỉ thư nào; chưa nhắc được.")
    silent = result.unreachable_count - min(len(result.unreachable), PRINTED)
    if silent > 0:
        lines.append(f"  Cảnh báo: thêm {vn_number(silent)} nhiệm vụ của cơ quan không có địa chỉ thư nào; "
                     "chưa nhắc được.")
    if result.messages:
        verb = "Sẽ gửi" if result.dry_run else "Đưa vào hộp thư đi"
        lines.append(f"{verb} {len(result.messages)} thư:")
        for message in result.messages:
            lines.append(f"  → {message.address}: {message.subject}")
    return "\n".join(lines)


def format_delivery(report: DeliveryReport) -> str:
    """The outcome of a delivery run, for the terminal."""
    lines = []
    if report.unavailable:
        lines.append(f"Không kết nối được máy chủ thư: {report.unavailable}. Thư được giữ lại và sẽ gửi lại sau.")
    done = "Đã ghi tệp .eml cho" if report.transport.startswith("tệp .eml") else "Đã gửi"
    for _id, address, _detail in report.sent:
        lines.append(f"  {done}: {address}")
    for _id, address, detail in report.failed:
        lines.append(f"  Lỗi, không gửi được: {address} — {detail}")
    if report.attempted or report.unavailable:
        lines.append(f"Kết quả ({report.transport}): {len(report.sent)} đã gửi, {len(report.retry)} chờ gửi lại, "
                     f"{len(report.failed)} lỗi.")
    else:
        lines.append("Hộp thư đi không còn thư nào chờ gửi.")
    return "\n".join(lines)
