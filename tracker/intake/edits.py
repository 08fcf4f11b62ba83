"""Correcting a registered letter's header: checked, locked against concurrent edits, recorded. Plain Python.

A clerk fixes what the extraction or the registration got wrong (the number, the issuer, the dates...). The
incoming number (số đến) is never edited: it is the letter's place in the year's register. Every correction
bumps the letter's version (optimistic lock) and appends one LetterEvent with {field: [old, new]}; the
identity key (number, issuer, date) and the search text follow the new header. The caller commits; on any
refusal it rolls back and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.models import User
from tracker.accounts.permissions import require
from tracker.db import utcnow
from tracker.intake.models import Letter, LetterEvent
from tracker.intake.operations import LetterHeader, identity_key, letter_search_text

#: the header fields a clerk may correct, in the order of the form, with their Vietnamese labels
EDITABLE_FIELDS: dict[str, str] = {
    "received_on": "Ngày đến",
    "number": "Số, ký hiệu",
    "doc_type": "Loại văn bản",
    "issuer": "Cơ quan ban hành",
    "place": "Nơi ban hành",
    "issued_on": "Ngày văn bản",
    "subject": "Trích yếu",
    "recipients": "Kính gửi",
    "signer": "Người ký",
    "signer_title": "Chức vụ người ký",
    "urgency": "Độ khẩn",
    "reply_number": "Số, ký hiệu văn bản trả lời",
    "reply_date": "Ngày văn bản trả lời",
}
DATE_FIELDS = frozenset({"received_on", "issued_on", "reply_date"})
EVENT_TITLES = {"registered": "vào sổ văn bản", "edited": "sửa thông tin văn bản"}


@dataclass
class HeaderEdit(LetterHeader):
    """The header as the clerk left it on the edit form, with the arrival day and the office's reply."""

    #: ngày đến; None only when the form left it blank (refused by edit_letter)
    received_on: dt.date | None = None
    reply_number: str | None = None
    reply_date: dt.date | None = None


class LetterEditRefused(Exception):
    """Nothing was saved: ``message`` for the whole form, ``errors`` per field; ``duplicate`` is the registered
    letter the new number, issuer and date already belong to."""

    def __init__(self, message: str, errors: dict[str, str] | None = None, duplicate: Letter | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.duplicate = duplicate


class StaleLetter(Exception):
    """The letter was changed after the form was shown (its version moved on); nothing was saved."""

    def __init__(self, letter_id: int, expected: int | None):
        super().__init__(f"letter {letter_id} is no longer at version {expected}")
        self.letter_id = letter_id
        self.expected = expected


def normal_value(name: str, value: Any) -> Any:
    """A header value in the form it is compared and recorded in: NFC text without surrounding blanks (blank is
    None), dates as ISO text, recipients as a list of non-blank lines."""
    if name in DATE_FIELDS:
        return value.isoformat() if value else None
    if name == "recipients":
        items = value.splitlines() if isinstance(value, str) else list(value or [])
        return [text for text in (_text(item) for item in items) if text]
    return _text(value)


def _text(value: Any) -> str | None:
    text = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").strip()
    return text or None


def header_values(letter: Letter) -> dict[str, Any]:
    """The letter's editable header as normal values (see normal_value)."""
    return {name: normal_value(name, getattr(letter, name)) for name in EDITABLE_FIELDS}


def edit_values(edit: HeaderEdit) -> dict[str, Any]:
    """The edited header as normal values (see normal_value)."""
    return {name: normal_value(name, getattr(edit, name)) for name in EDITABLE_FIELDS}


def missed_events(session: Session, letter: Letter, version: int | None) -> list[LetterEvent]:
    """Events recorded after ``version`` of the letter (what a stale form did not see), oldest first."""
    if version is None:
        return []
    return list(session.scalars(select(LetterEvent).where(
        LetterEvent.letter_id == letter.id, LetterEvent.letter_version > version).order_by(LetterEvent.id)))


def show_value(name: str, value: Any) -> str:
    """A recorded value as people read it: dates dd/mm/yyyy, recipients joined by "; ", blank "(trống)"."""
    if value in (None, "", []):
        return "(trống)"
    if name in DATE_FIELDS:
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if name == "recipients" and isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def change_lines(event: LetterEvent) -> list[str]:
    """The changes of an event as lines "Số, ký hiệu: 12/UBND → 13/UBND", in the order of the form."""
    changes = event.changes or {}
    ordered = [name for name in EDITABLE_FIELDS if name in changes] + \
        [name for name in changes if name not in EDITABLE_FIELDS]
    return [f"{EDITABLE_FIELDS.get(name, name)}: {show_value(name, changes[name][0])} → "
            f"{show_value(name, changes[name][1])}" for name in ordered]


def event_title(event: LetterEvent) -> str:
    """What an event did, as a phrase after the actor's name."""
    return EVENT_TITLES.get(event.kind, event.kind)


def edit_letter(session: Session, letter: Letter, edit: HeaderEdit, *, actor: User, version: Any,
                today: dt.date, comment: str | None = None) -> LetterEvent | None:
    """Apply ``edit`` to ``letter`` if ``version`` is still its version; record the changes.

    Returns the new event, or None when nothing changed. Raises PermissionDenied, StaleLetter (someone saved
    since the form was shown) or LetterEditRefused (wrong input, or the number already registered).
    """
    require(actor, "letter.edit", letter)
    try:
        expected = int(version)
    except (TypeError, ValueError):
        raise LetterEditRefused("Thiếu số phiên bản của văn bản; hãy tải lại trang rồi thử lại.") from None
    if expected != letter.version:
        raise StaleLetter(letter.id, expected)
    old, new = header_values(letter), edit_values(edit)
    changes = {name: [old[name], new[name]] for name in EDITABLE_FIELDS if old[name] != new[name]}
    if not changes:
        return None
    errors: dict[str, str] = {}
    if not new["issuer"]:
        errors["issuer"] = "Nhập cơ quan ban hành."
    if not new["subject"]:
        errors["subject"] = "Nhập trích yếu."
    if edit.received_on is None:
        errors["received_on"] = "Nhập ngày đến."
    elif edit.received_on > today:
        errors["received_on"] = "Ngày đến không thể ở tương lai."
    elif letter.received_year is not None and edit.received_on.year != letter.received_year:
        # the incoming number belongs to the year's sequence: moving the date to another year would break it
        errors["received_on"] = (f"Ngày đến phải thuộc năm {letter.received_year}, năm của số đến "
                                 f"{letter.received_number}/{letter.received_year}.")
    if edit.issued_on and edit.received_on and edit.issued_on > edit.received_on:
        errors["issued_on"] = "Ngày văn bản sau ngày đến: vui lòng kiểm tra lại."
    if edit.reply_date is not None:
        if not new["reply_number"]:
            errors["reply_number"] = "Nhập số, ký hiệu văn bản trả lời (hoặc bỏ trống cả ngày)."
        if edit.reply_date > today:
            errors["reply_date"] = "Ngày văn bản trả lời không thể ở tương lai."
        elif edit.issued_on and edit.reply_date < edit.issued_on:
            errors["reply_date"] = "Ngày văn bản trả lời trước ngày của văn bản đến: vui lòng kiểm tra lại."
    if errors:
        raise LetterEditRefused("Vui lòng sửa các ô được đánh dấu.", errors)
    key = identity_key(new["number"], new["issuer"], edit.issued_on)
    if key is not None and key != letter.identity_key:
        other = session.scalar(select(Letter).where(Letter.identity_key == key, Letter.id != letter.id))
        if other is not None:
            where = (f"số đến {other.received_number}/{other.received_year}" if other.received_number
                     else "kèm theo một văn bản khác")
            raise LetterEditRefused(
                f"Văn bản số {other.number} của {other.issuer} cùng ngày đã có trong sổ ({where}); "
                "không lưu thay đổi.",
                {"number": "Trùng với một văn bản đã vào sổ."}, duplicate=other)
    for name in changes:
        value = getattr(edit, name) if name in DATE_FIELDS else new[name]
        setattr(letter, name, list(value or []) if name == "recipients" else value)
    letter.identity_key = key
    letter.search_text = letter_search_text(letter)
    letter.updated_at = utcnow()
    event = LetterEvent(letter=letter, actor=actor, kind="edited", changes=changes,
                        comment=_text(comment), letter_version=expected + 1)
    session.add(event)
    letter_id = letter.id  # read now: after a failed flush the session must be rolled back first
    try:
        session.flush()
    except StaleDataError:
        raise StaleLetter(letter_id, expected) from None
    except IntegrityError:
        raise LetterEditRefused("Số, ký hiệu vừa được vào sổ cho một văn bản khác; không lưu thay đổi.",
                                {"number": "Trùng với một văn bản đã vào sổ."}) from None
    return event
