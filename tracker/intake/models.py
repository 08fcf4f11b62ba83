"""Incoming letters, their stored files and the incoming-number sequence."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.agencies.models import Agency
from tracker.db import Base, utcnow


class IncomingCounter(Base):
    """The last incoming number (số đến) given in a year: one sequence per year (Nghị định 30/2020, Art. 22)."""

    __tablename__ = "incoming_counter"

    #: calendar year of receipt
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: last number handed out that year
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class StoredFile(Base):
    """An uploaded original, stored once by content hash in the instance folder."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: hex SHA-256 of the content; the file lives at instance/files/ab/cdef...
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: size in bytes
    size: Mapped[int] = mapped_column(Integer)
    #: MIME type detected from the content
    content_type: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PendingUpload(Base):
    """A file uploaded for registration and not yet confirmed, kept on the server.

    The confirm form carries only ``token``, a random name of this row; the stored file is found
    through the row and the row is checked to belong to the clerk who uploaded it, so no path or
    hash ever round-trips through the browser. Rows older than a day are swept with their files.
    """

    __tablename__ = "pending_upload"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: random, unguessable name of the upload that the confirm form carries
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: hex SHA-256 of the content, which is in the content store under files/
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: size in bytes
    size: Mapped[int] = mapped_column(Integer)
    #: MIME type detected from the content
    content_type: Mapped[str] = mapped_column(String(120))
    #: the name the file had on the clerk's computer, made safe to show
    file_name: Mapped[str | None] = mapped_column(String(255))
    #: the clerk who uploaded it; only they may confirm it
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class OcrJob(Base):
    """Reading a held scan by OCR in the background (see tracker.intake.scans).

    Every state lives here, not in a process's memory: any worker process answers the progress page.
    A thread of the web process that took the upload runs the job and moves ``updated_at`` at least every
    few seconds; a queued or running job whose row has not moved for a while died with its process.
    """

    __tablename__ = "ocr_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: random, unguessable name of the job in the progress page's address
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: the held upload being read; the job goes with it (registration or the daily sweep)
    pending_upload_id: Mapped[int] = mapped_column(ForeignKey("pending_upload.id", ondelete="CASCADE"), index=True)
    #: the clerk who uploaded it; nobody else sees the job
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: what is read: "pdf", "png", "jpeg" or "tiff"
    kind: Mapped[str] = mapped_column(String(10))
    #: queued, running, done or failed
    status: Mapped[str] = mapped_column(String(10), default="queued")
    #: counts the runs; a thread only writes to the run it was started for (a retried job ignores an old one)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    #: pages to read, known once the file is opened
    pages_total: Mapped[int | None] = mapped_column(Integer)
    #: why it failed, in Vietnamese, for the clerk
    error: Mapped[str | None] = mapped_column(Text)
    #: whether running it again may help (an unexpected failure) or not (the file cannot be read)
    retryable: Mapped[bool] = mapped_column(default=False)
    #: the text read, pages joined
    result_text: Mapped[str | None] = mapped_column(Text)
    #: the reader's warnings (Vietnamese)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    pending_upload: Mapped[PendingUpload] = relationship(passive_deletes=True)


#: the register lists letters not enclosed in a cover letter (the same words as its query, for partial indexes)
_IN_REGISTER = text("enclosed_in_id IS NULL")
_ENCLOSED = text("enclosed_in_id IS NOT NULL")
#: the register's sorts, each with its index (tracker/web/letters.py SORTS)
REGISTER_ORDERS = {"received": ("received_year", "received_number"), "issued": ("issued_on", "id"),
                   "number": ("number", "id"), "issuer": ("issuer", "id")}


class Letter(Base):
    """An incoming letter as registered by a clerk."""

    __tablename__ = "letter"
    __table_args__ = (
        UniqueConstraint("received_year", "received_number", name="received_number_unique"),
        UniqueConstraint("identity_key", name="identity_unique"),
        Index("uq_letter_submission_key", "submission_key", unique=True),
        # the register's sorts over the letters it lists (those not enclosed in a cover letter: partial indexes,
        # which both databases use for that filter), so a page of the register is read from an index in order,
        # never by sorting every letter of ten years
        *(Index(f"ix_letter_register_{name}", *columns, sqlite_where=_IN_REGISTER, postgresql_where=_IN_REGISTER)
          for name, columns in REGISTER_ORDERS.items()),
        # the letters enclosed in a cover letter, found from it; partial, so that the register's "not enclosed"
        # never tempts a planner into it instead of the sorted indexes above
        Index("ix_letter_enclosed_in_id", "enclosed_in_id", sqlite_where=_ENCLOSED, postgresql_where=_ENCLOSED),
        # one type's letters in the register's order, and the list of types, read by skipping from one type to
        # the next (tasks.queries.letter_types)
        Index("ix_letter_register_type", "doc_type", "received_year", "received_number", sqlite_where=_IN_REGISTER,
              postgresql_where=_IN_REGISTER),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: year of the incoming number's sequence; None for a letter enclosed in a cover letter
    received_year: Mapped[int | None] = mapped_column(Integer)
    #: số đến: the position in the year's incoming register; None for an enclosed letter
    received_number: Mapped[int | None] = mapped_column(Integer)
    #: ngày đến: the day the letter arrived
    received_on: Mapped[dt.date] = mapped_column(Date)
    #: an incoming stamp printed on the letter itself ({"number", "date", "by"}), e.g. of another office
    printed_stamp: Mapped[dict | None] = mapped_column(JSON)
    #: số và ký hiệu as printed, e.g. "871/VP-VHXH"; blank on some e-signed letters
    number: Mapped[str | None] = mapped_column(String(120))
    #: tên loại: Công văn, Quyết định, Thông báo...
    doc_type: Mapped[str | None] = mapped_column(String(60))
    #: cơ quan ban hành as printed and written out
    issuer: Mapped[str | None] = mapped_column(String(255))
    #: the catalog agency of the issuer, when known
    issuer_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    #: place of issue, e.g. "Kiên Giang"
    place: Mapped[str | None] = mapped_column(String(120))
    #: ngày ban hành
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    #: trích yếu, without "V/v"
    subject: Mapped[str | None] = mapped_column(Text)
    #: names from "Kính gửi"
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: who signed, and as what ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")
    signer: Mapped[str | None] = mapped_column(String(160))
    signer_title: Mapped[str | None] = mapped_column(String(160))
    #: độ khẩn (Khẩn, Thượng khẩn, Hỏa tốc) and độ mật, when marked
    urgency: Mapped[str | None] = mapped_column(String(40))
    secrecy: Mapped[str | None] = mapped_column(String(40))
    #: cited letters: [{"number", "date", "issuer"}]
    references: Mapped[list[dict]] = mapped_column(JSON, default=list)
    #: the whole text as read, for search and for the record
    full_text: Mapped[str] = mapped_column(Text, default="", deferred=True, deferred_group="text")
    #: số, ký hiệu of the office's reply to this letter (văn bản trả lời), for the follow-up register
    reply_number: Mapped[str | None] = mapped_column(String(120))
    #: the date of that reply
    reply_date: Mapped[dt.date | None] = mapped_column(Date)
    #: the original file, if one was uploaded
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    #: the file name as uploaded
    file_name: Mapped[str | None] = mapped_column(String(255))
    #: the cover letter this one was enclosed in
    enclosed_in_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"))
    #: folded "number|issuer|issued_on"; a second registration of the same letter collides here
    identity_key: Mapped[str | None] = mapped_column(String(400))
    #: diacritic-free text of number, subject, issuer and full text, for search without diacritics
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True, deferred_group="text")
    #: the confirm form's one-time key: a double click or a resubmitted form registers once
    submission_key: Mapped[str | None] = mapped_column(String(64))
    #: who registered it
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: optimistic lock: an edit of a stale copy is refused
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    issuer_agency: Mapped[Agency | None] = relationship(foreign_keys=[issuer_agency_id])
    registered_by: Mapped[User | None] = relationship()
    file: Mapped[StoredFile | None] = relationship()
    enclosed: Mapped[list[Letter]] = relationship(back_populates="enclosed_in", order_by="Letter.id")
    enclosed_in: Mapped[Letter | None] = relationship(back_populates="enclosed", remote_side=[id])
    tasks: Mapped[list["Task"]] = relationship(back_populates="letter", order_by="Task.id")  # noqa: F821
    # passive_deletes="all": the database removes the history with its letter; the ORM never touches it
    events: Mapped[list[LetterEvent]] = relationship(back_populates="letter", order_by="LetterEvent.id",
                                                     passive_deletes="all")

    @property
    def received_label(self) -> str:
        """The incoming number as shown in the register, e.g. "913"."""
        return str(self.received_number)

    def __repr__(self) -> str:
        return f"<Letter {self.received_year}/{self.received_number} {self.number!r}>"


class LetterEvent(Base):
    """One change of a letter's record: its registration, each correction of its header. Append-only:
    never edited or deleted (the ORM refuses to), so the register keeps what was changed, by whom, when."""

    __tablename__ = "letter_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the letter changed
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    #: who did it; None for the system (import, demo)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: when it happened (UTC)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: "registered" (vào sổ) or "edited" (header corrected)
    kind: Mapped[str] = mapped_column(String(30))
    #: {field: [old, new]} of every changed header field; dates as ISO text, recipients as lists
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the reason given with the change, if any
    comment: Mapped[str | None] = mapped_column(Text)
    #: the letter's version after this change: what a stale edit form missed is the events after its version
    letter_version: Mapped[int | None] = mapped_column(Integer)

    letter: Mapped[Letter] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class HistoryIsAppendOnly(Exception):
    """A letter event was about to be changed or deleted: the record of changes is never rewritten."""


@event.listens_for(LetterEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise HistoryIsAppendOnly(f"letter event {target.id} cannot be changed")


@event.listens_for(LetterEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise HistoryIsAppendOnly(f"letter event {target.id} cannot be deleted")


class LetterProposal(Base):
    """What the extraction proposed for a letter registered from it, and how the clerk's confirmation differed.

    One row per letter registered from a proposal (a letter registered otherwise has none). The proposal is
    kept as the clerk was shown it; the counts are the comparison at confirmation (see
    tracker.intake.proposal_record), so the monthly quality page adds up columns instead of reading JSON.
    """

    __tablename__ = "letter_proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the letter registered from this proposal
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), unique=True)
    #: the office's day of the registration (the quality page counts by its month)
    registered_on: Mapped[dt.date] = mapped_column(Date, index=True)
    #: the header fields as proposed: {field: normal value} (dates as ISO text, recipients as a list)
    header: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the proposed task rows: [{"agency", "role", "deadline", "summary", "source"}]
    tasks: Mapped[list[dict]] = mapped_column(JSON, default=list)
    #: the comparison: {"tasks": [{"result", "changes"}] per proposed row, "added": [rows], "header": {field: [old, new]}}
    outcome: Mapped[dict] = mapped_column(JSON, default=dict)
    #: proposed task rows, and how many of them were confirmed unchanged, corrected, or removed
    tasks_proposed: Mapped[int] = mapped_column(Integer, default=0)
    tasks_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    tasks_corrected: Mapped[int] = mapped_column(Integer, default=0)
    tasks_removed: Mapped[int] = mapped_column(Integer, default=0)
    #: task rows the clerk added that were not proposed
    tasks_added: Mapped[int] = mapped_column(Integer, default=0)
    #: header fields compared, and how many of them the clerk corrected
    header_fields: Mapped[int] = mapped_column(Integer, default=0)
    header_corrected: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    letter: Mapped[Letter] = relationship()
