"""Reminder e-mails: Vietnamese plain text and HTML from ``templates/emails/``, with an .ics of the deadlines.

Plain Python and Jinja (no Flask), so the scheduler process builds the same mail as the web process.
A message is built once, when its outbox row is written, and stored whole: the Message-ID, the date
and the content never change between attempts.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import functools
import hashlib
from dataclasses import dataclass, field
from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracker.reminders.ics import CalendarEvent, render_calendar

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
SENDER_NAME = "Hệ thống theo dõi nhiệm vụ"
#: path of a task's page under TRACKER_BASE_URL (tracker/web/tasks.py)
TASK_PATH = "/tasks/{task_id}"


def vn_date(day: dt.date) -> str:
    """25/09/2019."""
    return day.strftime("%d/%m/%Y")


def vn_day(day: dt.date) -> str:
    """Thứ Tư, 25/09/2019."""
    return f"{WEEKDAYS[day.weekday()]}, {vn_date(day)}"


def role_label(role: str) -> str:
    """Chủ trì or Phối hợp."""
    return "Phối hợp" if role == "cooperate" else "Chủ trì"


def letter_title(doc_type: str | None, number: str | None, issued_on: dt.date | None, issuer: str | None) -> str:
    """"Công văn số 871/VP-VHXH ngày 21/02/2019 của Văn phòng UBND tỉnh Kiên Giang"."""
    text = (doc_type or "Văn bản").strip()
    text += f" số {number.strip()}" if number and number.strip() else " (không số)"
    if issued_on:
        text += f" ngày {vn_date(issued_on)}"
    if issuer and issuer.strip():
        text += f" của {issuer.strip()}"
    return text


@dataclass(frozen=True)
class TaskLine:
    """One task as it appears in a mail."""

    task_id: int
    url: str
    agency_name: str
    role: str
    summary: str
    letter_title: str
    letter_subject: str
    deadline: dt.date | None
    #: why the deadline is a day off ("Chủ nhật", "Tết Nguyên đán"), None on a working day
    deadline_off: str | None
    #: working days left (positive), 0, or minus the working days overdue
    days: int | None
    today: dt.date
    #: the leaders are copied on this task
    escalated: bool = False
    #: the line is in this mail because the recipient is a leader copied on escalation
    for_leader: bool = False

    @property
    def role_label(self) -> str:
        """Chủ trì or Phối hợp."""
        return role_label(self.role)

    @property
    def deadline_text(self) -> str:
        """"Thứ Hai, 30/09/2019", with the reason when the deadline is a day off."""
        if self.deadline is None:
            return "Chưa có hạn"
        text = vn_day(self.deadline)
        if self.deadline_off:
            weekend = self.deadline_off in {"Thứ Bảy", "Chủ nhật"}
            text += " (ngày nghỉ)" if weekend else f" (ngày nghỉ: {self.deadline_off})"
        return text

    @property
    def section(self) -> str:
        """overdue, today or soon."""
        if self.days is None:
            return "none"
        if self.days < 0 or (self.deadline is not None and self.today > self.deadline):
            return "overdue"
        return "today" if self.days == 0 else "soon"

    @property
    def days_text(self) -> str:
        """"Còn 3 ngày làm việc", "Đến hạn hôm nay", "Quá hạn 4 ngày làm việc"."""
        if self.days is None or self.deadline is None:
            return "Chưa có hạn"
        if self.days < 0:
            return f"Quá hạn {-self.days} ngày làm việc"
        if self.today > self.deadline:
            return "Đã quá hạn"
        if self.days == 0:
            return "Đến hạn hôm nay" if self.today == self.deadline else "Hôm nay là ngày làm việc cuối cùng trước hạn"
        return f"Còn {self.days} ngày làm việc"


@dataclass(frozen=True)
class Addressee:
    """Who a mail goes to."""

    address: str
    #: name in the To header
    name: str
    #: the line after "Kính gửi:"
    greeting: str
    #: is a leader (gets the escalated tasks in their own section)
    leader: bool = False


@dataclass(frozen=True)
class Composed:
    """A built message."""

    subject: str
    message_id: str
    mime: str
    #: the plain-text part, for printing
    text: str = field(repr=False, default="")


SECTION_TITLES = {
    "leader": "Nhiệm vụ quá hạn cần lãnh đạo chỉ đạo",
    "overdue": "Nhiệm vụ quá hạn",
    "today": "Nhiệm vụ đến hạn",
    "soon": "Nhiệm vụ sắp đến hạn",
}


def _sections(lines: list[TaskLine]) -> list[tuple[str, str, list[TaskLine]]]:
    """(key, title, lines) in reading order: what is late first, most overdue first."""
    groups: dict[str, list[TaskLine]] = {key: [] for key in SECTION_TITLES}
    for line in lines:
        groups["leader" if line.for_leader else line.section].append(line)
    ordered = []
    for key, title in SECTION_TITLES.items():
        items = sorted(groups[key], key=lambda l: (l.days if l.days is not None else 0, l.task_id))
        if items:
            ordered.append((key, title, items))
    return ordered


def _count(n: int, what: str) -> str:
    return f"{n} nhiệm vụ {what}"


def digest_subject(lines: list[TaskLine], today: dt.date) -> str:
    """The subject of a daily digest, counting what it holds."""
    own = [l for l in lines if not l.for_leader]
    escalated = [l for l in lines if l.for_leader]
    parts = []
    overdue = sum(1 for l in own if l.section == "overdue")
    due_today = sum(1 for l in own if l.section == "today")
    soon = sum(1 for l in own if l.section == "soon")
    if overdue:
        parts.append(_count(overdue, "quá hạn"))
    if due_today:
        parts.append(_count(due_today, "đến hạn"))
    if soon:
        parts.append(_count(soon, "sắp đến hạn"))
    if escalated:
        parts.append(_count(len(escalated), "quá hạn cần lãnh đạo chỉ đạo"))
    head = "Báo cáo nhiệm vụ quá hạn" if escalated and not own else "Nhắc hạn xử lý"
    return f"{head}: {', '.join(parts)} ({vn_date(today)})"


class MailComposer:
    """Builds reminder messages for one instance (its templates, base URL, sender, time zone)."""

    def __init__(self, *, base_url: str, mail_from: str, timezone: str, template_dirs: list[Path]):
        """``template_dirs``: folders holding ``emails/``, the instance's override first."""
        self.base_url = base_url.rstrip("/")
        self.sender_name, self.sender = self._sender(mail_from)
        self.zone = ZoneInfo(timezone)
        self.domain = self._domain(self.sender, self.base_url)
        self.env = _environment(tuple(str(d) for d in template_dirs))

    @classmethod
    def for_settings(cls, settings) -> MailComposer:
        """A composer from tracker's Settings."""
        from tracker.resources import search_path

        return cls(base_url=settings.base_url, mail_from=settings.mail_from, timezone=settings.timezone,
                   template_dirs=search_path("templates", settings.instance_path))

    @staticmethod
    def _sender(mail_from: str) -> tuple[str, str]:
        name, address = parseaddr(mail_from)
        return (name or SENDER_NAME), (address or mail_from)

    @staticmethod
    def _domain(sender: str, base_url: str) -> str:
        domain = sender.rpartition("@")[2].strip().lower()
        if domain and domain != "localhost" and "." in domain:
            return domain
        host = (urlsplit(base_url).hostname or "").lower()
        if not host or host == "localhost" or host.replace(".", "").isdigit() or ":" in host:
            return "tracker.localhost"  # a demo on 127.0.0.1: a name, not an address, on the right of the @
        return host

    def task_url(self, task_id: int) -> str:
        """Link to a task's page."""
        return self.base_url + TASK_PATH.format(task_id=task_id)

    def message_id(self, key: str, kind: str, day: dt.date) -> str:
        """A Message-ID derived from the outbox key: the same row always carries the same one."""
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
        return f"<{kind}.{day:%Y%m%d}.{digest}@{self.domain}>"

    # -- messages ----------------------------------------------------------------------------------

    def digest(self, to: Addressee, lines: list[TaskLine], *, today: dt.date, key: str,
               created_at: dt.datetime) -> Composed:
        """The daily digest of one recipient's reminders (never empty: ``lines`` must hold one at least)."""
        if not lines:
            raise ValueError("a digest needs at least one task")
        subject = digest_subject(lines, today)
        message_id = self.message_id(key, "digest", today)
        context = dict(to=to, sections=_sections(lines), lines=lines, today=today, today_text=vn_day(today),
                       subject=subject, message_id=message_id, base_url=self.base_url,
                       escalated_own=[l for l in lines if l.escalated and not l.for_leader])
        text = self.env.get_template("emails/digest.txt").render(context)
        html = self.env.get_template("emails/digest.html").render(context)
        events = [CalendarEvent(uid=f"task-{l.task_id}-{l.deadline:%Y%m%d}@{self.domain}", day=l.deadline,
                                summary=f"Hạn: {l.agency_name} – {l.summary}"[:200],
                                description=f"{l.letter_title}\nV/v {l.letter_subject}\n{l.url}", url=l.url)
                  for l in lines if l.deadline is not None]
        ics = render_calendar(events, stamp=created_at) if events else None
        return self._build(to, subject, message_id, text, html, ics, created_at)

    def no_deadline_note(self, to: Addressee, lines: list[TaskLine], *, today: dt.date, week: tuple[int, int],
                         key: str, created_at: dt.datetime) -> Composed:
        """The weekly note listing open tasks that have no deadline."""
        if not lines:
            raise ValueError("a note needs at least one task")
        year, number = week
        subject = f"Nhiệm vụ chưa có hạn xử lý: {len(lines)} nhiệm vụ cần xác định hạn (tuần {number}/{year})"
        message_id = self.message_id(key, "no-deadline", today)
        context = dict(to=to, lines=sorted(lines, key=lambda l: l.task_id), today=today, today_text=vn_day(today),
                       week=number, year=year, subject=subject, message_id=message_id, base_url=self.base_url)
        text = self.env.get_template("emails/no_deadline.txt").render(context)
        html = self.env.get_template("emails/no_deadline.html").render(context)
        return self._build(to, subject, message_id, text, html, None, created_at)

    def _build(self, to: Addressee, subject: str, message_id: str, text: str, html: str, ics: str | None,
               created_at: dt.datetime) -> Composed:
        # The legacy MIME classes (compat32): the same standard message as EmailMessage gives, about ten
        # times faster to serialise, which matters when a pass writes thousands of digests.
        charset = Charset("utf-8")
        # Quoted-printable keeps the stored message 7-bit: any relay accepts it, 8BITMIME or not.
        charset.body_encoding = QP
        alternative = MIMEMultipart("alternative")
        for body, subtype in ((text, "plain"), (html, "html")):
            part = MIMEText(body, subtype, charset)
            del part["MIME-Version"]
            alternative.attach(part)
        if ics is None:
            message = alternative
        else:
            message = MIMEMultipart("mixed")
            del alternative["MIME-Version"]
            message.attach(alternative)
            calendar = MIMEBase("text", "calendar", charset="utf-8", method="PUBLISH")
            del calendar["MIME-Version"]
            calendar.set_payload(ics.encode("utf-8"))  # base64 keeps the CRLF line ends RFC 5545 asks for
            encode_base64(calendar)
            calendar.add_header("Content-Disposition", "attachment", filename="han-xu-ly.ics")
            message.attach(calendar)
        message["From"] = formataddr((self.sender_name, self.sender), charset="utf-8")
        message["To"] = formataddr((to.name, to.address), charset="utf-8") if to.name else to.address
        message["Subject"] = Header(subject, "utf-8")
        message["Date"] = format_datetime(created_at.astimezone(self.zone))
        message["Message-ID"] = message_id
        message["Content-Language"] = "vi"
        # RFC 3834: automatic mail; out-of-office replies should not answer it.
        message["Auto-Submitted"] = "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
        return Composed(subject, message_id, message.as_bytes(policy=_WIRE).decode("ascii"), text)


#: serialisation of stored messages: CRLF line ends, as they go on the wire
_WIRE = email.policy.compat32.clone(linesep="\r\n")


@functools.lru_cache(maxsize=8)
def _environment(template_dirs: tuple[str, ...]) -> Environment:
    env = Environment(loader=ChoiceLoader([FileSystemLoader(d) for d in template_dirs]),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, undefined=StrictUndefined)
    env.filters["vndate"] = vn_date
    env.filters["vnday"] = vn_day
    return env
