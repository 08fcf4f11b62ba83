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
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracker.reminders.ics import CalendarEvent, render_calendar

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
SENDER_NAME = "Hệ thống theo dõi nhiệm vụ"
#: path of a task's page under TRACKER_BASE_URL (tracker/web/tasks.py)
TASK_PATH = "/tasks/{task_id}"
#: the task lists (tracker/web/tasks.py): every task (clerks, leaders) and the officer's own agency's
ALL_TASKS_PATH = "/tasks/"
OWN_TASKS_PATH = "/tasks/mine"


def vn_date(day: dt.date) -> str:
    """25/09/2019."""
    return day.strftime("%d/%m/%Y")


def vn_number(n: int) -> str:
    """30.942: thousands grouped with a dot, as Vietnamese text writes them."""
    return f"{n:,}".replace(",", ".")


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
    #: the day the letter was received (the weekly note names the oldest undated task by it)
    received_on: dt.date | None = None

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


@dataclass(frozen=True)
class Section:
    """One part of a digest: its title, how many tasks it has, those listed (the most urgent) and a link to all."""

    key: str
    title: str
    #: every task of the section in this mail, listed or not
    total: int
    lines: list[TaskLine]
    #: the filtered task list with all of them (shown when some are not listed)
    link: str = ""

    @property
    def more(self) -> int:
        """How many tasks of the section the mail does not list."""
        return max(0, self.total - len(self.lines))


def line_section(line: TaskLine) -> str:
    """The digest section of a line: leader (copied on escalation), overdue, today or soon."""
    return "leader" if line.for_leader else line.section


def _sections(lines: list[TaskLine], totals: dict[str, int] | None = None,
              links: dict[str, str] | None = None) -> list[Section]:
    """The sections in reading order (what is late first), each most urgent first, with their totals."""
    groups: dict[str, list[TaskLine]] = {key: [] for key in SECTION_TITLES}
    for line in lines:
        groups[line_section(line)].append(line)
    ordered = []
    for key, title in SECTION_TITLES.items():
        items = sorted(groups[key], key=lambda l: (l.days if l.days is not None else 0, l.task_id))
        total = max(len(items), (totals or {}).get(key, 0))
        if total:
            ordered.append(Section(key, title, total, items, (links or {}).get(key, "")))
    return ordered


def _count(n: int, what: str) -> str:
    return f"{vn_number(n)} nhiệm vụ {what}"


def digest_subject(lines: list[TaskLine], today: dt.date, totals: dict[str, int] | None = None) -> str:
    """The subject of a daily digest, counting what it is about (``totals`` per section when not all are listed)."""
    counted = {key: 0 for key in SECTION_TITLES}
    for line in lines:
        counted[line_section(line)] += 1
    for key, total in (totals or {}).items():
        counted[key] = max(counted[key], total)
    parts = []
    for key, what in (("overdue", "quá hạn"), ("today", "đến hạn"), ("soon", "sắp đến hạn"),
                      ("leader", "quá hạn cần lãnh đạo chỉ đạo")):
        if counted[key]:
            parts.append(_count(counted[key], what))
    own = counted["overdue"] + counted["today"] + counted["soon"]
    head = "Báo cáo nhiệm vụ quá hạn" if counted["leader"] and not own else "Nhắc hạn xử lý"
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

    def list_url(self, path: str, **filters: str) -> str:
        """Link to a filtered task list, e.g. ``list_url(ALL_TASKS_PATH, due="overdue")``."""
        query = urlencode({k: v for k, v in filters.items() if v})
        return self.base_url + path + (f"?{query}" if query else "")

    def message_id(self, key: str, kind: str, day: dt.date) -> str:
        """A Message-ID derived from the outbox key: the same row always carries the same one."""
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
        return f"<{kind}.{day:%Y%m%d}.{digest}@{self.domain}>"

    # -- messages ----------------------------------------------------------------------------------

    def digest(self, to: Addressee, lines: list[TaskLine], *, today: dt.date, key: str,
               created_at: dt.datetime, totals: dict[str, int] | None = None,
               links: dict[str, str] | None = None, ics: str | None = None) -> Composed:
        """The daily digest of one recipient's reminders (never empty: ``lines`` must hold one at least).

        ``lines`` are the tasks listed (the most urgent); ``totals`` counts every task per section
        (leader, overdue, today, soon) when the mail lists only some, and ``links`` gives per section the
        filtered task list where the others are. ``ics``: the :meth:`calendar` of ``lines``, when the caller
        sends the same lines to many people and builds it once.
        """
        if not lines:
            raise ValueError("a digest needs at least one task")
        subject = digest_subject(lines, today, totals)
        message_id = self.message_id(key, "digest", today)
        sections = _sections(lines, totals, links)
        total = sum(section.total for section in sections)
        context = dict(to=to, sections=sections, lines=lines, total=total, today=today, today_text=vn_day(today),
                       subject=subject, message_id=message_id, base_url=self.base_url,
                       escalated_own=[l for l in lines if l.escalated and not l.for_leader])
        text = self.env.get_template("emails/digest.txt").render(context)
        html = self.env.get_template("emails/digest.html").render(context)
        if ics is None:
            ics = self.calendar(lines, created_at)
        return self._build(to, subject, message_id, text, html, ics or None, created_at)

    def calendar(self, lines: list[TaskLine], created_at: dt.datetime) -> str:
        """The .ics of the deadlines of ``lines`` ("" when none has one); the same for everyone given those lines."""
        events = [CalendarEvent(uid=f"task-{l.task_id}-{l.deadline:%Y%m%d}@{self.domain}", day=l.deadline,
                                summary=f"Hạn: {l.agency_name} – {l.summary}"[:200],
                                description=f"{l.letter_title}\nV/v {l.letter_subject}\n{l.url}", url=l.url)
                  for l in lines if l.deadline is not None]
        return render_calendar(events, stamp=created_at) if events else ""

    def no_deadline_note(self, to: Addressee, lines: list[TaskLine], *, today: dt.date, week: tuple[int, int],
                         key: str, created_at: dt.datetime, total: int | None = None, link: str = "") -> Composed:
        """The weekly note about open tasks that have no deadline: how many, the oldest first, a link to all.

        ``lines`` are the tasks listed, oldest first; ``total`` counts every undated open task.
        """
        if not lines:
            raise ValueError("a note needs at least one task")
        year, number = week
        total = max(total or 0, len(lines))
        subject = f"Nhiệm vụ chưa có hạn xử lý: {_count(total, 'cần xác định hạn')} (tuần {number}/{year})"
        message_id = self.message_id(key, "no-deadline", today)
        context = dict(to=to, lines=lines, oldest=lines[0], total=total, more=total - len(lines), link=link,
                       today=today, today_text=vn_day(today), week=number, year=year, subject=subject,
                       message_id=message_id, base_url=self.base_url)
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
    env.filters["vnnumber"] = vn_number
    return env
