"""The calendar kept in the database: build a ``WorkCalendar`` from the table, edit the table on the record.

Plain SQLAlchemy, no Flask; the caller commits. A process keeps the calendar it built and rebuilds it
only when the table's revision (the largest :class:`CalendarChange` id) moves, which costs one indexed
query; :func:`refresh_default_calendar` also installs it as :func:`default_calendar` so every part of
the application (deadline status, relative deadlines, reminders) counts with the admin's corrections.
"""

from __future__ import annotations

import datetime as dt
import threading
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.calendar.adjustments import ADJUSTMENT_KINDS, DAY_OFF, WORKING_DAY, AdjustmentEntry
from tracker.calendar.adjustments import shipped_adjustment_entries
from tracker.calendar.models import CalendarAdjustment, CalendarChange
from tracker.calendar.workdays import WorkCalendar, install_calendar, shipped_calendar

KIND_LABELS = {DAY_OFF: "Ngày nghỉ", WORKING_DAY: "Ngày làm việc (làm bù)"}


class AdjustmentError(ValueError):
    """An edit of the calendar is refused; the message is shown to the admin in Vietnamese."""


@dataclass(frozen=True)
class AdjustmentFields:
    """What an admin types for one day."""

    day: dt.date
    kind: str
    label: str
    source: str
    verified: bool = True
    swap_with: dt.date | None = None
    note: str = ""


def _snapshot(row: CalendarAdjustment | AdjustmentFields) -> dict:
    """The row's fields as JSON-ready values, for the record."""
    return {
        "kind": row.kind, "label": row.label, "source": row.source, "verified": bool(row.verified),
        "swap_with": row.swap_with.isoformat() if row.swap_with else None, "note": row.note or "",
    }


def calendar_revision(session: Session) -> int:
    """The id of the latest change of the table (0 when the table was never filled)."""
    return session.scalar(select(func.max(CalendarChange.id))) or 0


def adjustments(session: Session, year: int | None = None) -> list[CalendarAdjustment]:
    """The adjustments in date order, optionally of one year."""
    query = select(CalendarAdjustment).order_by(CalendarAdjustment.day)
    if year is not None:
        query = query.where(CalendarAdjustment.day >= dt.date(year, 1, 1), CalendarAdjustment.day <= dt.date(year, 12, 31))
    return list(session.scalars(query))


def build_calendar(session: Session) -> WorkCalendar:
    """A calendar from the table; the shipped one when the table was never filled (revision 0)."""
    if calendar_revision(session) == 0:
        return shipped_calendar()
    rows = session.execute(select(CalendarAdjustment.day, CalendarAdjustment.kind, CalendarAdjustment.label)
                           .order_by(CalendarAdjustment.day)).all()
    return WorkCalendar((day, kind, label) for day, kind, label in rows)


_cache: dict[tuple[str, int], WorkCalendar] = {}
_cache_lock = threading.Lock()


def current_calendar(session: Session) -> WorkCalendar:
    """The calendar of the session's database, rebuilt only when its revision changed."""
    key = (str(session.get_bind().url), calendar_revision(session))
    found = _cache.get(key)
    if found is not None:
        return found
    calendar = build_calendar(session)
    with _cache_lock:
        # Keep one entry per database: older revisions are of no use any more.
        for old in [k for k in _cache if k[0] == key[0]]:
            del _cache[old]
        while len(_cache) >= 16:  # a process serves one database; tests make many
            del _cache[next(iter(_cache))]
        _cache[key] = calendar
    return calendar


def refresh_default_calendar(session: Session) -> WorkCalendar:
    """Bring this process's :func:`default_calendar` up to date with the table and return it."""
    calendar = current_calendar(session)
    install_calendar(calendar)
    return calendar


# -- edits, on the record ------------------------------------------------------------------------------


def _check(session: Session, fields: AdjustmentFields, editing: CalendarAdjustment | None) -> AdjustmentFields:
    """Validate an admin's input; return it cleaned (NFC, trimmed)."""
    if fields.kind not in ADJUSTMENT_KINDS:
        raise AdjustmentError("Loại điều chỉnh không hợp lệ.")
    label = unicodedata.normalize("NFC", (fields.label or "").strip())
    source = unicodedata.normalize("NFC", (fields.source or "").strip())
    note = unicodedata.normalize("NFC", (fields.note or "").strip())
    if not label:
        raise AdjustmentError("Cần ghi tên ngày (ví dụ: “Nghỉ hoán đổi dịp 30/4 – 1/5”).")
    if len(label) > 255:
        raise AdjustmentError("Tên ngày dài quá 255 ký tự.")
    if not source:
        raise AdjustmentError("Cần ghi căn cứ (số, ngày của văn bản quyết định).")
    day = fields.day
    if fields.kind == DAY_OFF and day.weekday() >= 5:
        raise AdjustmentError(f"Ngày {day:%d/%m/%Y} là {'thứ Bảy' if day.weekday() == 5 else 'Chủ nhật'}, vốn đã là "
                              "ngày nghỉ; có thể ngày bị nhập sai.")
    if fields.kind == WORKING_DAY and day.weekday() < 5 and shipped_calendar().day_off_reason(day) is None:
        # A weekday is a working day unless the library calls it a holiday: nothing to make up.
        raise AdjustmentError(f"Ngày {day:%d/%m/%Y} vốn là ngày làm việc; chỉ cần ghi ngày làm bù vào thứ Bảy, "
                              "Chủ nhật hoặc ngày lễ được điều chỉnh.")
    other = session.scalar(select(CalendarAdjustment).where(CalendarAdjustment.day == day))
    if other is not None and other is not editing:
        raise AdjustmentError(f"Ngày {day:%d/%m/%Y} đã có trong danh sách; hãy sửa dòng đó.")
    if fields.swap_with is not None:
        if fields.swap_with == day:
            raise AdjustmentError("Ngày hoán đổi phải khác ngày đang nhập.")
        partner = session.scalar(select(CalendarAdjustment).where(CalendarAdjustment.day == fields.swap_with))
        if partner is not None and partner.kind == fields.kind:
            raise AdjustmentError(f"Ngày hoán đổi {fields.swap_with:%d/%m/%Y} cũng là "
                                  f"“{KIND_LABELS[fields.kind].lower()}”; hai ngày hoán đổi phải khác loại.")
    return AdjustmentFields(day, fields.kind, label, source, bool(fields.verified), fields.swap_with, note)


def _reason(reason: str | None) -> str:
    text = unicodedata.normalize("NFC", (reason or "").strip())
    if not text:
        raise AdjustmentError("Cần ghi lý do thay đổi (được lưu vào lịch sử).")
    return text


def add_adjustment(session: Session, fields: AdjustmentFields, *, actor, reason: str | None) -> CalendarAdjustment:
    """Add one day to the table and record it."""
    why = _reason(reason)
    clean = _check(session, fields, None)
    row = CalendarAdjustment(day=clean.day, kind=clean.kind, label=clean.label, source=clean.source,
                             verified=clean.verified, swap_with=clean.swap_with, note=clean.note)
    session.add(row)
    session.add(CalendarChange(actor=actor, action="added", day=clean.day, before={}, after=_snapshot(clean),
                               reason=why))
    session.flush()
    return row


def change_adjustment(session: Session, row: CalendarAdjustment, fields: AdjustmentFields, *, actor,
                      reason: str | None) -> CalendarAdjustment:
    """Change one day of the table (its date may change too) and record old and new values."""
    why = _reason(reason)
    clean = _check(session, fields, row)
    before = _snapshot(row)
    old_day = row.day
    row.day, row.kind, row.label, row.source = clean.day, clean.kind, clean.label, clean.source
    row.verified, row.swap_with, row.note = clean.verified, clean.swap_with, clean.note
    after = _snapshot(row)
    if old_day != clean.day:
        before["day"], after["day"] = old_day.isoformat(), clean.day.isoformat()
    elif before == after:
        raise AdjustmentError("Không có gì thay đổi.")
    session.add(CalendarChange(actor=actor, action="changed", day=clean.day, before=before, after=after, reason=why))
    session.flush()
    return row


def remove_adjustment(session: Session, row: CalendarAdjustment, *, actor, reason: str | None) -> None:
    """Remove one day from the table; the record keeps what it was."""
    why = _reason(reason)
    session.add(CalendarChange(actor=actor, action="removed", day=row.day, before=_snapshot(row), after={},
                               reason=why))
    session.delete(row)
    session.flush()


def import_shipped(session: Session, entries: list[AdjustmentEntry] | None = None, *, actor=None,
                   reason: str = "Nạp từ tệp điều chỉnh phát hành kèm phần mềm") -> int:
    """Add the shipped file's days that the table lacks and that no one ever edited; return how many.

    A day an admin changed or removed has changes on the record and is left alone, so a new release
    brings next year's decisions without undoing the office's corrections.
    """
    entries = shipped_adjustment_entries() if entries is None else entries
    present = set(session.scalars(select(CalendarAdjustment.day)))
    touched = set(session.scalars(select(CalendarChange.day).where(CalendarChange.action != "seeded")))
    added = 0
    for entry in entries:
        for day in entry.dates:
            if day in present or day in touched:
                continue
            row = CalendarAdjustment(day=day, kind=entry.kind, label=entry.label, source=entry.source,
                                     verified=entry.verified, swap_with=entry.swap_with, note=entry.note)
            session.add(row)
            session.add(CalendarChange(actor=actor, action="seeded", day=day, before={}, after=_snapshot(row),
                                       reason=reason))
            present.add(day)
            added += 1
    session.flush()
    return added


def history(session: Session, limit: int = 200) -> list[CalendarChange]:
    """The latest changes of the table, newest first."""
    return list(session.scalars(select(CalendarChange).order_by(CalendarChange.id.desc()).limit(limit)))
