"""Confirming a registration: rows resolved to catalog agencies, groups fanned out, letter and tasks saved.

The view collects the clerk's corrected form into a ``Confirmation`` and calls ``confirm``; all checks
happen before anything is written, so a refused confirmation leaves no half-saved record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.accounts.models import User
from tracker.agencies.catalog import AgencyMatcher
from tracker.agencies.models import Agency
from tracker.agencies.operations import build_matcher, members_of_group, refresh_search_text
from tracker.intake.models import Letter
from tracker.intake.operations import (DuplicateLetter, LetterSpec, find_duplicate, pending_upload_of,
                                         register_letter, stored_file_for)
from tracker.intake.proposal import group_kinds
from tracker.intake.proposal_record import compare, record_proposal
from tracker.text import fold_words
from tracker.tasks.operations import TaskSpec


@dataclass
class ConfirmedRow:
    """One task row as the clerk left it."""

    agency: str
    role: str = "lead"
    summary: str = ""
    deadline: dt.date | None = None
    deadline_text: str | None = None
    recurrence: str | None = None
    create_agency: bool = False
    #: the position of the proposed row this row came from; None for a row the clerk added
    proposed: int | None = None


@dataclass
class Confirmation:
    """Everything the confirm form carries."""

    letter: LetterSpec
    received_on: dt.date
    rows: list[ConfirmedRow] = field(default_factory=list)
    enclosed: list[LetterSpec] = field(default_factory=list)
    submission_key: str | None = None
    #: the token of the clerk's pending upload (see tracker.intake.operations.hold_upload), if a file was sent
    upload_token: str | None = None
    #: what the extraction proposed (tracker.intake.proposal_record.snapshot); None for a letter entered otherwise
    proposal: dict | None = None


class RegistrationRefused(Exception):
    """Nothing was saved; ``row_errors`` maps row positions to messages, ``message`` is for the whole form."""

    def __init__(self, message: str, row_errors: dict[int, str] | None = None):
        super().__init__(message)
        self.message = message
        self.row_errors = row_errors or {}


def already_registered(session: Session, submission_key: str | None) -> Letter | None:
    """The letter a form with this one-time key already registered (a double click, a resubmission)."""
    if not submission_key:
        return None
    return session.scalar(select(Letter).where(Letter.submission_key == submission_key))


def _task_specs(session: Session, rows: list[ConfirmedRow], matcher: AgencyMatcher) -> list[TaskSpec]:
    errors: dict[int, str] = {}
    planned: list[tuple[ConfirmedRow, list[int], str | None] | None] = []
    new_agencies: dict[str, None] = {}
    for position, row in enumerate(rows):
        name = row.agency.strip()
        if row.role not in {"lead", "cooperate"}:
            errors[position] = "Vai trò phải là chủ trì hoặc phối hợp."
            continue
        if not row.summary.strip():
            errors[position] = "Nhập nội dung nhiệm vụ."
            continue
        kinds = group_kinds(name)
        if kinds:
            members = [a.id for kind in kinds for a in members_of_group(session, kind)]
            if not members:
                errors[position] = f"Danh mục chưa có cơ quan nào thuộc nhóm “{name}”."
                continue
            planned.append((row, members, name))
            continue
        match = matcher.match(name)
        if match is not None:
            planned.append((row, [match.agency_id], None))
        elif row.create_agency:
            new_agencies[name] = None
            planned.append((row, [], None))
        else:
            errors[position] = (f"Cơ quan “{name}” chưa có trong danh mục. Chọn một cơ quan trong danh sách "
                                "hoặc đánh dấu “Thêm vào danh mục”.")
    if errors:
        raise RegistrationRefused("Vui lòng sửa các dòng nhiệm vụ được đánh dấu.", errors)
    created: dict[str, int] = {}
    for name in new_agencies:
        agency = Agency(name=name, kind="other", aliases=[], emails=[], active=True)
        refresh_search_text(agency)
        session.add(agency)
        session.flush()
        created[name] = agency.id
    specs = []
    for row, agency_ids, group in planned:
        for agency_id in agency_ids or [created[row.agency.strip()]]:
            specs.append(TaskSpec(agency_id=agency_id, role=row.role, summary=row.summary.strip(),
                                  deadline=row.deadline, deadline_text=row.deadline_text,
                                  recurrence=row.recurrence, group_label=group))
    return specs


def confirm(session: Session, confirmation: Confirmation, *, actor: User, files_dir: Path,
            today: dt.date | None = None) -> Letter:
    """Register the confirmed letter with its tasks and enclosed letters, in the caller's transaction.

    Raises DuplicateLetter when the letter is already in the register and RegistrationRefused when a
    row cannot be resolved; the caller rolls back. A confirmation of a proposal keeps the proposal and what the
    clerk changed in it (tracker.intake.proposal_record).
    """
    if confirmation.received_on > (today or dt.date.today()):
        raise RegistrationRefused("Ngày đến không thể ở tương lai.")
    if confirmation.letter.issued_on and confirmation.letter.issued_on > confirmation.received_on:
        raise RegistrationRefused("Ngày văn bản sau ngày đến: vui lòng kiểm tra lại.")
    duplicate = find_duplicate(session, confirmation.letter)
    if duplicate is not None:
        raise DuplicateLetter(duplicate)
    matcher = build_matcher(session)
    specs = _task_specs(session, confirmation.rows, matcher)
    stored = file_name = None
    if confirmation.upload_token:
        pending = pending_upload_of(session, confirmation.upload_token, actor)
        if pending is None:
            raise RegistrationRefused("Tệp đã tải lên không còn trên máy chủ (quá 24 giờ chưa vào sổ, hoặc không phải "
                                      "tệp bạn tải lên); vui lòng tải lại tệp.")
        file_name = pending.file_name
        try:
            stored = stored_file_for(session, files_dir, pending)
        except (FileNotFoundError, ValueError):
            raise RegistrationRefused("Không tìm thấy tệp đã tải lên; vui lòng tải lại tệp.") from None
    letter = register_letter(session, confirmation.letter, specs, actor=actor, received_on=confirmation.received_on,
                             stored=stored, file_name=file_name)
    letter.submission_key = confirmation.submission_key
    for inner in confirmation.enclosed:
        earlier = find_duplicate(session, inner)
        if earlier is not None:
            # a letter forwarded again (by a second cover letter) is registered once: the new cover cites it
            letter.references = [*letter.references, forwarded_reference(earlier)]
            continue
        register_letter(session, inner, [], actor=actor, received_on=confirmation.received_on, enclosed_in=letter)
    try:
        session.flush()
    except IntegrityError as exc:
        raise RegistrationRefused("Văn bản vừa được vào sổ bởi một thao tác khác; vui lòng kiểm tra sổ.") from exc
    if confirmation.proposal is not None:
        comparison = compare(confirmation.proposal, confirmation.letter, confirmation.rows,
                             same_agency=_same_agency(matcher))
        record_proposal(session, letter, confirmation.proposal, comparison, registered_on=today or dt.date.today())
    return letter


def forwarded_reference(earlier: Letter) -> dict:
    """A cited letter (as ``Letter.references`` holds them) for a letter already in the register that a cover
    letter forwards again; ``letter_id`` lets its page link to it."""
    return {"number": earlier.number, "date": earlier.issued_on.isoformat() if earlier.issued_on else None,
            "issuer": earlier.issuer, "letter_id": earlier.id, "forwarded": True}


def _same_agency(matcher: AgencyMatcher):
    """Whether a confirmed row names the agency proposed: the same group kinds, the same catalog agency (as
    registration resolves it), or, for a name not in the catalog, the same words."""
    def key(name: str | None):
        name = (name or "").strip()
        kinds = group_kinds(name)
        if kinds:
            return ("group", kinds)
        match = matcher.match(name) if name else None
        return ("agency", match.agency_id) if match is not None else ("name", fold_words(name))

    return lambda proposed, confirmed: key(proposed) == key(confirmed)
