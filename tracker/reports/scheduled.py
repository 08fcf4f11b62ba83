"""Scheduled reports: the weekly summary, compiled by the scheduler and e-mailed to the leaders.

``run_due_reports(service)`` is the scheduler's report tick (tracker.reminders.scheduler imports it).
Each week is claimed by inserting its ReportRun row (unique ``schedule_key`` "weekly-summary:2019-W38",
ON CONFLICT DO NOTHING) in the same transaction that builds the report and writes the messages to the
outbox: a second scheduler or a restart finds the row and does nothing; a run that fails leaves no row
and the next tick tries again. Delivery is the outbox's business (one message per leader, the .docx
attached).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.db import transaction, utcnow
from tracker.reminders.mail import _WIRE
from tracker.reminders.outbox import dialect_insert, enqueue
from tracker.reports import storage
from tracker.reports.models import ReportRun
from tracker.reports.policy import REPORT_POLICY_EXTENSION, ReportPolicy, find_report_policy
from tracker.reports.template import TEMPLATE_NAME, TemplateError
from tracker.reports.vn import Period, period_from_text, vn_date

log = logging.getLogger("tracker.reports")

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


@dataclass
class ScheduledResult:
    """What one report tick did."""

    #: the schedule key compiled now, or None when nothing was due (or it had been done)
    key: str | None = None
    period: Period | None = None
    run_id: int | None = None
    #: outbox ids written
    messages: list[int] = field(default_factory=list)


def previous_week(day: dt.date) -> Period:
    """The ISO week before the one of ``day``, as a Period ("tuần 37 năm 2019")."""
    year, week, _ = (day - dt.timedelta(days=7)).isocalendar()
    return period_from_text(f"{year}-W{week:02d}")


def weekly_key(period: Period) -> str:
    """The schedule key of the weekly summary of ``period``."""
    year, week, _ = period.start.isocalendar()
    return f"weekly-summary:{year}-W{week:02d}"


def _policy(service) -> ReportPolicy:
    policy = getattr(service, "report_policy", None)
    return policy or find_report_policy(service.settings.instance_path)


def _due(policy: ReportPolicy, today: dt.date, time_of_day: dt.time | None) -> bool:
    """From the policy's weekday and time on, until the end of the week (a late scheduler catches up)."""
    weekly = policy.weekly_summary
    if not weekly.enabled or today.isoweekday() < weekly.weekday:
        return False
    if today.isoweekday() == weekly.weekday and time_of_day is not None:
        return time_of_day >= weekly.send_at
    return True


def _template(service):
    """The instance's template when it is usable, else the shipped one: a scheduled run never fails on it."""
    from tracker.reports.template import open_template
    from tracker.resources import find_file

    try:
        path = find_file("templates", TEMPLATE_NAME, service.settings.instance_path)
        open_template(path)
        return path
    except (FileNotFoundError, TemplateError) as exc:
        log.warning("report template unusable, the shipped one is used: %s", exc)
        return None


def _recipients(session, roles: tuple[str, ...]) -> list[tuple[str, User]]:
    """(address, person) of the active people of ``roles`` with an address, each address once."""
    users = session.scalars(select(User).where(User.role.in_(roles), User.active.is_(True),
                                               User.email.is_not(None)).order_by(User.id))
    seen: dict[str, User] = {}
    for user in users:
        address = (user.email or "").strip().lower()
        if address and address not in seen:
            seen[address] = user
    return list(seen.items())


def file_name(period: Period) -> str:
    """The attachment's name: bao-cao-tuan-2019-W37.docx."""
    year, week, _ = period.start.isocalendar()
    return f"bao-cao-tuan-{year}-W{week:02d}.docx"


def compose_report_mail(composer, *, address: str, name: str, period: Period, key: str, today: dt.date,
                        attachment: bytes, attachment_name: str, created_at: dt.datetime) -> tuple[str, str, str]:
    """(subject, Message-ID, MIME text) of the weekly summary mail to one person, the .docx attached."""
    subject = f"Báo cáo tổng hợp {period.label}"
    message_id = composer.message_id(f"{key}:{address}", "report", today)
    text = (f"Kính gửi Ông/Bà {name},\n\n"
            f"Văn phòng gửi kèm báo cáo tổng hợp tình hình thực hiện nhiệm vụ {period.label} "
            f"(từ ngày {vn_date(period.start)} đến ngày {vn_date(period.end)}), tệp {attachment_name}.\n\n"
            "Thư này được gửi tự động; xin không trả lời thư này.\n")
    charset = Charset("utf-8")
    charset.body_encoding = QP
    message = MIMEMultipart("mixed")
    body = MIMEText(text, "plain", charset)
    del body["MIME-Version"]
    message.attach(body)
    part = MIMEBase(*DOCX_TYPE)
    del part["MIME-Version"]
    part.set_payload(attachment)
    encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=attachment_name)
    message.attach(part)
    message["From"] = formataddr((composer.sender_name, composer.sender), charset="utf-8")
    message["To"] = formataddr((name, address), charset="utf-8") if name else address
    message["Subject"] = Header(subject, "utf-8")
    message["Date"] = format_datetime(created_at.astimezone(composer.zone))
    message["Message-ID"] = message_id
    message["Content-Language"] = "vi"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    return subject, message_id, message.as_bytes(policy=_WIRE).decode("ascii")


def run_due_reports(service, now_local: dt.datetime | None = None) -> ScheduledResult:
    """The scheduler's report tick: compile and queue the previous week's summary once, when it is due; mark
    interrupted web runs failed.

    ``service`` is the scheduler's ReminderService (settings, write sessions, composer, pinned day).
    With a pinned day (TRACKER_TODAY) and no ``now_local`` the time of day is not checked.
    """
    from tracker.reports.builders import build_summary
    from tracker.reports.runs import abandon_stale_runs

    # the tick also closes web runs a restart interrupted, so the archive never shows them "running" for ever
    with transaction(service.sessions) as session:
        abandon_stale_runs(session)
    policy = _policy(service)
    if now_local is not None:
        today, time_of_day = now_local.date(), now_local.time()
    elif service.pinned_today is not None:
        today, time_of_day = service.pinned_today, None
    else:
        local = service.now_local()
        today, time_of_day = local.date(), local.time()
    if not _due(policy, today, time_of_day):
        return ScheduledResult()
    period = previous_week(today)
    key = weekly_key(period)
    params = {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label}
    with transaction(service.sessions) as session:
        now = utcnow()
        run_id = session.scalar(dialect_insert(session, ReportRun).values(
            kind="summary", file_format="docx", params=params, origin="scheduler", schedule_key=key,
            state="running", progress=0, created_at=now,
        ).on_conflict_do_nothing(index_elements=["schedule_key"]).returning(ReportRun.id))
        if run_id is None:
            return ScheduledResult()
        report = build_summary(session, period, today, template=_template(service),
                               signer=policy.weekly_summary.signer)
        data = report.to_bytes()
        name = file_name(period)
        file_hash = storage.store(service.settings.instance_path, data, "docx")
        result = ScheduledResult(key=key, period=period, run_id=run_id)
        for address, user in _recipients(session, policy.weekly_summary.recipients):
            subject, message_id, mime = compose_report_mail(
                service.composer, address=address, name=user.full_name, period=period, key=key, today=today,
                attachment=data, attachment_name=name, created_at=now)
            outbox_id = enqueue(session, key=f"{key}:{address}", kind="report", recipient=address,
                                recipient_name=user.full_name, subject=subject, message_id=message_id, mime=mime,
                                for_date=today, items=[{"report_run": run_id}], now=now)
            if outbox_id is not None:
                result.messages.append(outbox_id)
        run = session.get(ReportRun, run_id)
        run.state, run.progress, run.finished_at = "done", 100, utcnow()
        run.file_hash, run.file_name, run.file_size = file_hash, name, len(data)
        if not result.messages:
            run.error = "Không có người nhận (vai trò trong workflows/reports.toml, có địa chỉ thư)."
        log.info("weekly summary %s: %d message(s) queued", key, len(result.messages))
        return result


__all__ = ["REPORT_POLICY_EXTENSION", "ScheduledResult", "compose_report_mail", "previous_week",
           "run_due_reports", "weekly_key"]
