"""The reminder pass and the delivery run, as used by the scheduler, ``tracker remind`` and the admin pages.

A pass, for one office day, in one transaction:

1. the open tasks whose letter had arrived by that day are read with their deadline;
2. the planner (plain Python) names each one's latest stage due;
3. a :class:`Reminder` row is inserted per (task, stage, day) with ON CONFLICT DO NOTHING: only the
   rows this pass inserted go out, so a stage is never sent twice, whoever runs the pass;
4. the new reminders are grouped per address into one digest each (never an empty one) and written to
   the outbox in the same transaction, with their Message-ID;
5. once a week the clerks get the list of open tasks without a deadline.

Delivery is separate (:func:`deliver`): it claims outbox rows one by one and writes the task timeline
("reminder" events) in the transaction that marks a message sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.accounts.models import User
from tracker.agencies.models import Agency
from tracker.calendar.store import refresh_default_calendar
from tracker.config import Settings
from tracker.db import transaction, utcnow
from tracker.intake.models import Letter
from tracker.reminders.mail import Addressee, MailComposer, TaskLine, letter_title, vn_date
from tracker.reminders.models import OutboxMessage, Reminder, ReminderPass
from tracker.reminders.outbox import DeliveryReport, deliver_due, dialect_insert, enqueue
from tracker.reminders.planner import Planner, Stage, signed_days, weekly_note_week
from tracker.reminders.policy import ReminderPolicy, find_policy, task_type
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
    #: states whose tasks are reminded of: open and visible to the agency
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
        # Open tasks the agency sees: a distribution still waiting for the leader's approval is not theirs yet.
        states = frozenset(workflow.open_states) - frozenset(getattr(workflow, "hidden_states", frozenset()))
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
    tasks: int
    outbox_id: int | None = None
    text: str = ""


@dataclass
class PassResult:
    """What a pass did, for printing and for the pass's summary row."""

    today: dt.date
    dry_run: bool = False
    #: why nothing was planned (a day off), else None
    skipped: str | None = None
    reminders: list[PlannedReminder] = field(default_factory=list)
    messages: list[PlannedMessage] = field(default_factory=list)
    #: tasks due for a reminder that nobody can receive: (task id, agency name)
    unreachable: list[tuple[int, str]] = field(default_factory=list)
    #: stages due that had gone out already
    already_sent: int = 0

    def summary(self) -> dict:
        """JSON-ready counts for the ReminderPass row."""
        return {"reminders": len(self.reminders), "messages": len(self.messages), "skipped": self.skipped,
                "already_sent": self.already_sent,
                "unreachable": [{"task_id": t, "agency": a} for t, a in self.unreachable[:100]]}


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


def _details_query():
    """Task, letter and agency columns a mail line needs."""
    return (select(Task.id, Task.deadline, Task.role, Task.recurrence, Task.agency_id, Task.summary,
                   Letter.urgency, Letter.doc_type, Letter.number, Letter.issued_on, Letter.issuer, Letter.subject)
            .join(Letter, Letter.id == Task.letter_id)
            .order_by(Task.id))


def _as_candidates(session: Session, query) -> list[_Candidate]:
    return [_Candidate(r.id, r.deadline, r.role, r.recurrence, r.agency_id, r.summary or "", r.urgency,
                       letter_title(r.doc_type, r.number, r.issued_on, r.issuer), (r.subject or "").strip())
            for r in session.execute(query)]


def _without_deadline(session: Session, today: dt.date, open_states: frozenset[str]) -> list[_Candidate]:
    """Open tasks without a deadline whose letter had arrived by ``today``."""
    return _as_candidates(session, _details_query().where(
        Task.status.in_(sorted(open_states)), Letter.received_on <= today, Task.deadline.is_(None)))


def _candidates_by_id(session: Session, ids: list[int]) -> dict[int, _Candidate]:
    """The details (letter, agency, summary) of the tasks ``ids``."""
    ids = sorted(ids)
    found: dict[int, _Candidate] = {}
    for start in range(0, len(ids), 500):
        for candidate in _as_candidates(session, _details_query().where(Task.id.in_(ids[start:start + 500]))):
            found[candidate.task_id] = candidate
    return found


def _plan_due(session: Session, open_states: frozenset[str], planner: Planner, today: dt.date) -> list[tuple[int, Stage]]:
    """(task id, stage) of every open task due for a reminder today, whether or not it went out already."""
    query = (select(Task.id, Task.deadline, Task.role, Task.recurrence, Letter.urgency)
             .join(Letter, Letter.id == Task.letter_id)
             .where(Task.status.in_(sorted(open_states)), Letter.received_on <= today, Task.deadline.is_not(None),
                    Task.deadline <= planner.horizon()))
    return list(planner.plan((task_id, deadline, task_type(urgency=urgency, recurrence=recurrence, role=role))
                             for task_id, deadline, role, recurrence, urgency in session.execute(query)))


def _sent_keys(session: Session, due: list[tuple[int, Stage]]) -> set[tuple[int, int, dt.date]]:
    """Keys of reminders already decided among ``due``: looked up by their few distinct days, not task by task."""
    days = sorted({stage.due_on for _, stage in due})
    wanted = {task_id for task_id, _ in due}
    sent: set[tuple[int, int, dt.date]] = set()
    for start in range(0, len(days), 500):
        query = select(Reminder.task_id, Reminder.stage, Reminder.due_on).where(Reminder.due_on.in_(days[start:start + 500]))
        sent.update((t, st, d) for t, st, d in session.execute(query) if t in wanted)
    return sent


class _Directory:
    """Addresses of agencies, their officers and the people of some roles, read once per pass."""

    def __init__(self, session: Session, agency_ids: set[int], policy: ReminderPolicy):
        self.agencies = {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(sorted(agency_ids))))}
        self.officers: dict[int, list[User]] = defaultdict(list)
        if policy.recipients.agency_officers and agency_ids:
            for user in session.scalars(select(User).where(User.agency_id.in_(sorted(agency_ids)),
                                                           User.role == "officer", User.active.is_(True),
                                                           User.email.is_not(None)).order_by(User.id)):
                if user.email.strip():
                    self.officers[user.agency_id].append(user)
        self.session = session
        self.policy = policy

    def agency_name(self, agency_id: int) -> str:
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
                    days=days, today=today, escalated=escalated, for_leader=for_leader)


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


def plan_pass(session: Session, service: ReminderService, today: dt.date, *, dry_run: bool = False) -> PassResult:
    """Decide the day's reminders and write them with their e-mails to the outbox (the caller commits).

    In a dry run nothing is written; the result says what would be sent.
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
    # Plan over the few columns the planner needs; read the details of the due tasks only.
    due_all = _plan_due(session, service.open_states, planner, today)
    sent = _sent_keys(session, due_all)
    due = [(task_id, stage) for task_id, stage in due_all if (task_id, stage.offset, stage.due_on) not in sent]
    result.already_sent = len(due_all) - len(due)
    by_id = _candidates_by_id(session, [task_id for task_id, _ in due])
    directory = _Directory(session, {by_id[t].agency_id for t, _ in due}, policy)
    leaders = directory.of_roles(policy.recipients.escalate_to) if any(s.escalated for _, s in due) else []

    planned: list[tuple[_Candidate, Stage, list[Addressee], list[Addressee]]] = []
    for task_id, stage in due:
        candidate = by_id[task_id]
        own = directory.for_agency(candidate.agency_id)
        copied = leaders if stage.escalated else []
        if not own and not copied:
            result.unreachable.append((task_id, directory.agency_name(candidate.agency_id)))
            continue
        planned.append((candidate, stage, own, copied))

    rows = [dict(task_id=c.task_id, stage=s.offset, due_on=s.due_on, deadline=c.deadline,
                 days=signed_days(c.deadline, today, calendar), escalated=s.escalated, pass_date=today,
                 created_at=now) for c, s, _, _ in planned]
    keys = [(r["task_id"], r["stage"], r["due_on"]) for r in rows]
    if dry_run:
        fresh = {key: -index - 1 for index, key in enumerate(keys)}
    else:
        # The unique key decides: a concurrent pass that inserted a key first sends it, this one does not.
        fresh = _insert_reminders(session, rows)
    result.already_sent += len(keys) - len(fresh)

    # Group per address: one digest each; a leader who also receives the agency's line gets it once.
    inbox: dict[str, tuple[Addressee, dict[int, TaskLine], dict[int, dict]]] = {}

    def deliver_to(person: Addressee, line: TaskLine, item: dict) -> None:
        entry = inbox.setdefault(person.address, (person, {}, {}))
        if line.task_id in entry[1] and not entry[1][line.task_id].for_leader:
            return
        entry[1][line.task_id] = line
        entry[2][line.task_id] = item

    for (candidate, stage, own, copied), row in zip(planned, rows):
        key = (row["task_id"], row["stage"], row["due_on"])
        if key not in fresh:
            continue
        days = row["days"]
        item = {"task_id": candidate.task_id, "reminder_id": fresh[key], "stage": stage.offset, "days": days,
                "deadline": candidate.deadline.isoformat(), "escalated": stage.escalated}
        # "đã báo cáo lãnh đạo" only when a leader really gets it
        line = _line(service, candidate, directory, calendar, today, days=days, escalated=stage.escalated and bool(copied))
        for person in own:
            deliver_to(person, line, {**item, "leader": False})
        leader_line = _line(service, candidate, directory, calendar, today, days=days, escalated=True,
                            for_leader=True)
        for person in copied:
            deliver_to(person, leader_line, {**item, "leader": True})
        result.reminders.append(PlannedReminder(candidate.task_id, directory.agency_name(candidate.agency_id),
                                                candidate.letter, stage, candidate.deadline, days,
                                                [p.address for p in own + copied], line))

    for address, (person, lines, items) in sorted(inbox.items()):
        first = min(item["reminder_id"] for item in items.values())
        key = f"digest:{today.isoformat()}:{address}:{first}"
        composed = service.composer.digest(person, list(lines.values()), today=today, key=key, created_at=now)
        outbox_id = None
        if not dry_run:
            outbox_id = enqueue(session, key=key, kind="digest", recipient=address, recipient_name=person.name,
                                subject=composed.subject, message_id=composed.message_id, mime=composed.mime,
                                for_date=today, items=list(items.values()), now=now)
        result.messages.append(PlannedMessage("digest", address, person.name, composed.subject, len(lines),
                                              outbox_id, composed.text))

    _weekly_note(session, service, today, calendar, directory, result, now, dry_run)

    if not dry_run:
        _record_pass(session, today, "command", result)
    return result


def _weekly_note(session: Session, service: ReminderService, today: dt.date, calendar, directory: _Directory,
                 result: PassResult, now: dt.datetime, dry_run: bool) -> None:
    """Once a week: the clerks hear which open tasks have no deadline (never an empty note)."""
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
    tasks = _without_deadline(session, today, service.open_states)
    if not tasks:
        return
    names = _Directory(session, {t.agency_id for t in tasks}, policy)
    lines = [_line(service, t, names, calendar, today, days=None) for t in tasks]
    items = [{"task_id": t.task_id} for t in tasks]
    for key, person in sorted(waiting.items()):
        composed = service.composer.no_deadline_note(person, lines, today=today, week=week, key=key, created_at=now)
        outbox_id = None
        if not dry_run:
            outbox_id = enqueue(session, key=key, kind="no_deadline", recipient=person.address,
                                recipient_name=person.name, subject=composed.subject, message_id=composed.message_id,
                                mime=composed.mime, for_date=today, items=items, now=now)
            if outbox_id is None:
                continue
        result.messages.append(PlannedMessage("no_deadline", person.address, person.name, composed.subject,
                                              len(lines), outbox_id, composed.text))


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


def format_pass(result: PassResult) -> str:
    """What a pass sends or would send, in Vietnamese, for the terminal."""
    from tracker.reminders.mail import vn_day

    lines = [f"Nhắc hạn ngày {vn_day(result.today)}{' (chạy thử, không ghi gì)' if result.dry_run else ''}:"]
    if result.skipped:
        lines.append(f"  {result.skipped}")
        return "\n".join(lines)
    if not result.reminders:
        lines.append("  Không có nhiệm vụ nào đến lượt nhắc hạn.")
    for item in result.reminders:
        lines.append(f"  #{item.task_id} {item.agency} — {item.letter}: {item.line.days_text.lower()} "
                     f"(hạn {item.line.deadline_text}){' — báo cáo lãnh đạo' if item.stage.escalated else ''}")
    if result.already_sent:
        lines.append(f"  ({result.already_sent} lượt nhắc đến hạn đã gửi trước đó, không gửi lại.)")
    for task_id, agency in result.unreachable:
        lines.append(f"  Cảnh báo: nhiệm vụ #{task_id} — {agency} không có địa chỉ thư nào; chưa nhắc được.")
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
