"""The working-calendar adjustments table that admins edit, and the record of every change to it.

The government's yearly decisions (swapped days off, make-up Saturdays, the weekdays of the Tết break)
cannot be computed, so they are rows: seeded from ``data/adjustments.toml`` by the migration that
creates the table, then corrected by an admin on the calendar page. Every change leaves a
:class:`CalendarChange` row, never edited or deleted; its largest id is the calendar's revision,
which tells running processes that their copy of the calendar is stale.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.db import Base, utcnow


class CalendarAdjustment(Base):
    """One government decision for one day: an extra day off or a make-up working day."""

    __tablename__ = "calendar_adjustment"
    __table_args__ = (CheckConstraint("kind IN ('day_off','working_day')", name="kind_valid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the day concerned; a day has at most one adjustment
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    #: "day_off" (the day is not worked) or "working_day" (a make-up day, usually a Saturday)
    kind: Mapped[str] = mapped_column(String(12))
    #: Vietnamese name shown where the day is explained, e.g. "Tết Nguyên đán"
    label: Mapped[str] = mapped_column(String(255))
    #: the decision and where it was published, e.g. "Công văn 8726/VPCP-KGVX ngày 26/11/2024"
    source: Mapped[str] = mapped_column(Text)
    #: false when the entry could not be checked against a published announcement
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the other half of a swap (the make-up day of a day off, and back), when known
    swap_with: Mapped[dt.date | None] = mapped_column(Date)
    #: free text
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarAdjustment {self.day.isoformat()} {self.kind}>"


class CalendarChange(Base):
    """One change of the adjustments table: who, when, which day, the row before and after, why."""

    __tablename__ = "calendar_change"
    __table_args__ = (CheckConstraint("action IN ('seeded','added','changed','removed')", name="action_valid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: when it happened
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: who did it; None for the system (the migration's seeding, an import of the shipped file)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: seeded, added, changed or removed
    action: Mapped[str] = mapped_column(String(12))
    #: the day concerned
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    #: the row's fields before the change ({} when added) and after it ({} when removed)
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the reason given by the admin
    reason: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship()
