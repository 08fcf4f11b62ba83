"""Operations on the agency catalog: import, merge, lookups. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.agencies.catalog import AgencyMatcher, CatalogEntry, CatalogError
from tracker.agencies.models import Agency
from tracker.text import fold


def refresh_search_text(agency: Agency) -> None:
    """Recompute the diacritic-free search text from the agency's names."""
    agency.search_text = " | ".join(fold(n) for n in agency.all_names())


@dataclass
class ImportResult:
    """What an import did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line in Vietnamese for the CLI and the admin page."""
        return (f"Thêm mới {len(self.created)}, cập nhật {len(self.updated)}, "
                f"không đổi {len(self.unchanged)} cơ quan.")


def import_catalog(session: Session, entries: list[CatalogEntry]) -> ImportResult:
    """Load or update agencies from catalog entries, matching rows by code, never duplicating.

    Parents and successors may refer to codes in the same file or already in the database.
    """
    result = ImportResult()
    by_code = {a.code: a for a in session.scalars(select(Agency).where(Agency.code.is_not(None)))}
    for entry in entries:
        agency = by_code.get(entry.code)
        values = dict(name=entry.name, short_name=entry.short_name, abbreviation=entry.abbreviation,
                      aliases=list(entry.aliases), kind=entry.kind, emails=list(entry.emails), active=entry.active)
        if agency is None:
            agency = Agency(code=entry.code, **values)
            session.add(agency)
            by_code[entry.code] = agency
            result.created.append(entry.code)
        elif any(getattr(agency, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(agency, k, v)
            result.updated.append(entry.code)
        else:
            result.unchanged.append(entry.code)
        refresh_search_text(agency)
    session.flush()
    for entry in entries:
        agency = by_code[entry.code]
        for attr, code in (("parent", entry.parent), ("successor", entry.successor)):
            target = by_code.get(code) if code else None
            if code and target is None:
                raise CatalogError(f"agency {entry.code}: {attr} {code!r} is neither in the file nor in the database")
            if getattr(agency, attr) is not target:
                setattr(agency, attr, target)
                if entry.code not in result.created and entry.code not in result.updated:
                    result.unchanged.remove(entry.code)
                    result.updated.append(entry.code)
    session.flush()
    return result


def active_agencies(session: Session) -> list[Agency]:
    """Every active agency, by name."""
    return list(session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)))


def current_agency(agency: Agency) -> Agency | None:
    """The active agency that stands for ``agency`` today: itself, or its successor after mergers."""
    seen = set()
    while agency is not None and not agency.active and agency.id not in seen:
        seen.add(agency.id)
        agency = agency.successor
    return agency if agency is not None and agency.active else None


def build_matcher(session: Session) -> AgencyMatcher:
    """A matcher over the catalog: names of merged agencies lead to their active successor."""
    agencies = list(session.scalars(select(Agency).order_by(Agency.active.desc(), Agency.id)))
    entries = []
    for agency in agencies:
        target = current_agency(agency)
        if target is not None:
            entries.append((target.id, target.name, agency.all_names()))
    return AgencyMatcher(entries)


def catalog_names(session: Session) -> list[str]:
    """The names the reader should recognise as agencies of this office: every active agency's full name, short
    name and aliases of two words or more (a bare abbreviation such as "STC" would match ordinary words)."""
    names: list[str] = []
    for agency in active_agencies(session):
        for name in agency.all_names():
            if len(name.split()) >= 2 and name not in names:
                names.append(name)
    return names


def members_of_group(session: Session, kind: str) -> list[Agency]:
    """Active agencies of one kind (the members of a group such as "UBND các huyện")."""
    return list(session.scalars(
        select(Agency).where(Agency.active.is_(True), Agency.kind == kind).order_by(Agency.name)))


class MergeError(ValueError):
    """A merge cannot be done as asked; the message is in Vietnamese."""


def merge_agency(session: Session, old_code: str, successor_code: str, *, actor, open_states: frozenset[str]) -> int:
    """Merge the agency ``old_code`` into ``successor_code``: open tasks move, history is recorded.

    The old agency becomes inactive with its successor set; finished tasks stay where they were done.
    Returns the number of tasks moved.
    """
    from tracker.tasks.models import Task
    from tracker.tasks.operations import record

    old = session.scalar(select(Agency).where(Agency.code == old_code))
    new = session.scalar(select(Agency).where(Agency.code == successor_code))
    if old is None or new is None:
        missing = old_code if old is None else successor_code
        raise MergeError(f"Không tìm thấy cơ quan có mã “{missing}”.")
    if old.id == new.id:
        raise MergeError("Không thể sáp nhập một cơ quan vào chính nó.")
    if not new.active:
        raise MergeError(f"Cơ quan kế thừa “{new.name}” đã ngừng hoạt động.")
    tasks = list(session.scalars(select(Task).where(Task.agency_id == old.id, Task.status.in_(sorted(open_states)))))
    for task in tasks:
        record(session, task, "reassigned", actor=actor, changes={"agency_id": (old.id, new.id)},
               comment=f"Sáp nhập {old.name} vào {new.name}")
        task.agency_id = new.id
    old.active = False
    old.successor = new
    session.flush()
    return len(tasks)
