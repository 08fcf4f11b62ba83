"""Agencies: the departments, sector agencies, districts and communes that receive tasks."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, utcnow


class AgencyKind(str, enum.Enum):
    """What sort of body an agency is; used for groups such as "UBND các huyện"."""

    MINISTRY = "ministry"
    DEPARTMENT = "department"
    SECTOR = "sector"
    DISTRICT = "district"
    COMMUNE = "commune"
    OFFICE = "office"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Vietnamese name of the kind for pages."""
        return AGENCY_KIND_LABELS[self]


AGENCY_KIND_LABELS = {
    AgencyKind.MINISTRY: "Bộ, ngành trung ương",
    AgencyKind.DEPARTMENT: "Sở",
    AgencyKind.SECTOR: "Cơ quan ngành dọc, đơn vị sự nghiệp",
    AgencyKind.DISTRICT: "Cấp huyện",
    AgencyKind.COMMUNE: "Cấp xã",
    AgencyKind.OFFICE: "Văn phòng, UBND",
    AgencyKind.OTHER: "Khác",
}


class Agency(Base):
    """One agency of the catalog."""

    __tablename__ = "agency"
    __table_args__ = (
        CheckConstraint("kind IN ('ministry','department','sector','district','commune','office','other')",
                        name="kind_valid"),
        CheckConstraint("successor_id IS NULL OR successor_id <> id", name="not_own_successor"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: stable key from the catalog file; imports update the row with the same code
    code: Mapped[str | None] = mapped_column(String(80), unique=True)
    #: full official name, e.g. "Sở Lao động - Thương binh và Xã hội"
    name: Mapped[str] = mapped_column(String(255))
    #: short name used in lists, e.g. "Sở LĐTBXH"
    short_name: Mapped[str | None] = mapped_column(String(120))
    #: abbreviation as in document symbols, e.g. "LĐTBXH"
    abbreviation: Mapped[str | None] = mapped_column(String(40))
    #: other spellings seen in letters
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: one of AgencyKind
    kind: Mapped[str] = mapped_column(String(20), default=AgencyKind.OTHER.value)
    #: the agency this one belongs to (a district's parent is the provincial People's Committee)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"), index=True)
    #: addresses that receive this agency's reminders
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: inactive agencies receive no new tasks
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the agency that took over after a merger or abolition
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    #: diacritic-free lower-case text of all names, for search and matching
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: when the row was created and last changed
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    successor: Mapped[Agency | None] = relationship(remote_side=[id], foreign_keys=[successor_id])

    @property
    def display_name(self) -> str:
        """The short name when there is one, else the full name."""
        return self.short_name or self.name

    def all_names(self) -> list[str]:
        """Full name, short name, abbreviation and aliases, without blanks or repeats."""
        names = [self.name, self.short_name, self.abbreviation, *(self.aliases or [])]
        seen: list[str] = []
        for n in names:
            if n and n not in seen:
                seen.append(n)
        return seen

    def __repr__(self) -> str:
        return f"<Agency {self.id} {self.name!r}>"
