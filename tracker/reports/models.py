"""The reports archive: one ReportRun row per report compiled (asked on the web or by the scheduler)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.db import Base, utcnow


class ReportRun(Base):
    """A report asked for, its parameters, its state and the file it produced (stored by hash)."""

    __tablename__ = "report_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: summary, agency, letter, register or followup
    kind: Mapped[str] = mapped_column(String(20))
    #: docx or xlsx
    file_format: Mapped[str] = mapped_column(String(10), default="docx")
    #: what was asked: {"start": "2019-09-01", "end": "2019-09-30", "label": ..., "agency": ..., "letter": ...}
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: web or scheduler
    origin: Mapped[str] = mapped_column(String(20), default="web")
    #: who asked (None: the scheduler)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: scheduled runs only: "weekly-summary:2019-W38"; unique, so a scheduled report is compiled once
    schedule_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    #: queued, running, done or failed
    state: Mapped[str] = mapped_column(String(10), default="queued")
    #: 0-100 while running
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: what the run is doing now, in Vietnamese ("Đang lập sổ")
    stage: Mapped[str | None] = mapped_column(String(60))
    #: written every few seconds while the run is alive; a run whose heartbeat stopped was interrupted
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column()
    #: sha256 of the file, its name in instance/reports/
    file_hash: Mapped[str | None] = mapped_column(String(64))
    #: the name offered on download
    file_name: Mapped[str | None] = mapped_column(String(255))
    #: bytes
    file_size: Mapped[int | None] = mapped_column(Integer)
    #: why it failed (Vietnamese, shown on the archive page)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()

    requested_by: Mapped[User | None] = relationship()
