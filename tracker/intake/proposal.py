"""From an extraction to a registration proposal: catalog agencies matched, groups recognised.

Plain Python: the web form and the CLI show a Proposal; the clerk corrects it; ``resolve_rows``
turns the confirmed rows into task specs, fanning groups out to their catalog members.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from tracker.agencies.catalog import AgencyMatcher
from tracker.text import fold_words

# A group named by its kind: "UBND các huyện, thành phố", "Ủy ban nhân dân các xã, phường",
# "Các sở, ban, ngành tỉnh". The kind decides which catalog members it fans out to.
_GROUP_PATTERNS = [
    (re.compile(r"\b(ubnd|uy ban nhan dan|chu tich ubnd|chu tich uy ban nhan dan) cac (huyen|thi xa|thanh pho)\b"),
     ("district",)),
    (re.compile(r"\b(ubnd|uy ban nhan dan|chu tich ubnd|chu tich uy ban nhan dan) cac (xa|phuong|thi tran)\b"),
     ("commune",)),
    (re.compile(r"^cac so\b.*\bban\b.*\bnganh\b"), ("department", "sector")),
    (re.compile(r"^(cac )?(so|so nganh)( thuoc ubnd tinh| tinh| cap tinh)?$"),
     ("department",)),
]


def group_kinds(name: str) -> tuple[str, ...] | None:
    """The agency kinds a group name stands for, or None when the name is one agency."""
    folded = fold_words(name)
    for pattern, kinds in _GROUP_PATTERNS:
        if pattern.search(folded):
            return kinds
    return None


@dataclass
class ProposedTask:
    """One row of the proposal table."""

    agency_text: str
    role: str = "lead"
    summary: str = ""
    deadline: dt.date | None = None
    deadline_text: str | None = None
    recurrence: str | None = None
    agency_id: int | None = None
    group: tuple[str, ...] | None = None
    #: the clause, block or table row of the letter the task was read from ("" when the extractor gave none)
    source: str = ""


@dataclass
class Proposal:
    """What the clerk sees before confirming: the header and the task rows."""

    header: dict
    tasks: list[ProposedTask] = field(default_factory=list)
    enclosed: list[dict] = field(default_factory=list)
    full_text: str = ""


def _date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def build_proposal(extraction: dict, matcher: AgencyMatcher, full_text: str = "") -> Proposal:
    """Match each proposed task's agency against the catalog and recognise groups."""
    rows = []
    for task in extraction.get("tasks") or []:
        name = (task.get("agency") or "").strip()
        if not name:
            continue
        kinds = group_kinds(name)
        match = None if kinds else matcher.match(name)
        rows.append(ProposedTask(
            agency_text=match.name if match else name,
            role=task.get("role") if task.get("role") in {"lead", "cooperate"} else "lead",
            summary=(task.get("summary") or "").strip(), deadline=_date(task.get("deadline")),
            deadline_text=task.get("deadline_text"), recurrence=task.get("recurrence"),
            agency_id=match.agency_id if match else None, group=kinds,
            source=" ".join(str(task.get("source") or "").split()),
        ))
    header = {k: extraction.get(k) for k in ("number", "doc_type", "issuer", "place", "issued_on", "subject",
                                             "recipients", "signer", "signer_title", "urgency", "secrecy",
                                             "references", "received")}
    return Proposal(header=header, tasks=rows, enclosed=list(extraction.get("enclosed") or []), full_text=full_text)
