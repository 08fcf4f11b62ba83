"""Demo data: the catalog, one user per role, the example letters and recent letters relative to today.

Loaded by ``tracker init --demo``; safe to run again (it does nothing the second time).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.accounts.operations import create_user
from tracker.agencies.catalog import SHIPPED_CATALOGS, read_catalog
from tracker.agencies.models import Agency
from tracker.agencies.operations import build_matcher, import_catalog, refresh_search_text
from tracker.calendar.workdays import default_calendar
from tracker.config import Settings
from tracker.db import transaction, utcnow
from tracker.intake.operations import LetterSpec, register_letter
from tracker.tasks.models import Task
from tracker.tasks.operations import TaskSpec, record

DEMO_DATA = Path(__file__).parent / "demo_data"

#: (username, full name, role, agency code or None)
DEMO_USERS = [
    ("quantri", "Quản trị hệ thống", "admin", None),
    ("vanthu", "Nguyễn Thị Văn Thư", "clerk", None),
    ("lanhdao", "Trần Văn Lãnh Đạo", "leader", None),
    ("canbo.taichinh", "Lê Thị Tài Chính", "officer", "so-tai-chinh"),
    ("canbo.ldtbxh", "Phạm Văn Lao Động", "officer", "so-ldtbxh"),
]


#: Agencies the 2025 reorganisation created; the demo shows the province as it was before.
CREATED_IN_2025 = {"so-nnmt", "so-dan-toc-ton-giao", "thue-tinh", "nhnn-khu-vuc"}


def _catalog_files() -> list[Path]:
    files = sorted(SHIPPED_CATALOGS.glob("*.toml"))
    # The province template first: the provinces' files refer to its codes.
    return sorted(files, key=lambda p: (not p.name.startswith("province"), p.name))


def _as_before_2025(entries):
    """The catalog as it was when the example letters (2019, 2022) were written."""
    for entry in entries:
        if entry.successor:
            entry.active, entry.successor = True, None
        elif entry.code in CREATED_IN_2025:
            entry.active = False
    return entries


def _resolve(session, matcher, name: str, created: dict[str, int]) -> int:
    """The catalog agency for a printed name, created (kind other) when the catalog does not know it."""
    found = matcher.match(name)
    if found is not None:
        return found.agency_id
    if name not in created:
        agency = Agency(name=name, kind="other", aliases=[], emails=[], active=True)
        refresh_search_text(agency)
        session.add(agency)
        session.flush()
        created[name] = agency.id
    return created[name]


def _district_codes(province_file: str) -> list[str]:
    path = SHIPPED_CATALOGS / province_file
    if not path.exists():
        return []
    return [e.code for e in read_catalog(path) if e.kind == "district"]


def _example_letters(session, clerk: User) -> int:
    matcher = build_matcher(session)
    created: dict[str, int] = {}
    groups = {"kien-giang": _district_codes("kien-giang.toml"), "thai-nguyen": _district_codes("thai-nguyen.toml")}
    count = 0
    for path in sorted(DEMO_DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        issued = dt.date.fromisoformat(data["issued_on"])
        districts = next((codes for prefix, codes in groups.items() if path.name.startswith(prefix)), [])
        specs: list[TaskSpec] = []
        for task in data["tasks"]:
            deadline = dt.date.fromisoformat(task["deadline"]) if task.get("deadline") else None
            common = dict(role=task["role"], summary=task["summary"], deadline=deadline,
                          deadline_text=task.get("deadline_text"))
            if "các huyện" in task["agency"] and districts:
                for code in districts:
                    agency = session.scalar(select(Agency).where(Agency.code == code))
                    specs.append(TaskSpec(agency_id=agency.id, group_label=task["agency"], **common))
            else:
                specs.append(TaskSpec(agency_id=_resolve(session, matcher, task["agency"], created), **common))
        spec = LetterSpec(**{k: data.get(k) for k in ("number", "doc_type", "issuer", "place", "subject",
                                                         "recipients", "signer", "signer_title", "references")},
                          issued_on=issued, full_text=text)
        letter = register_letter(session, spec, specs, actor=clerk,
                                 received_on=issued + dt.timedelta(days=data.get("received_on_offset_days", 1)),
                                 file_name=path.with_suffix(".txt").name)
        for inner in data.get("enclosed") or []:
            inner_spec = LetterSpec(**{k: inner.get(k) for k in ("number", "doc_type", "issuer", "place", "subject",
                                                                 "recipients", "signer_title")},
                                    issued_on=dt.date.fromisoformat(inner["issued_on"]) if inner.get("issued_on") else None)
            register_letter(session, inner_spec, [], actor=clerk, received_on=letter.received_on, enclosed_in=letter)
        count += 1
    return count


# Recent letters: (days ago received, number, subject, [(agency, role, summary, deadline offset in working
# days from today or None, state, progress)]) — chosen so that every dashboard column has something.
RECENT = [
    (24, "{n}/UBND-KT", "báo cáo tình hình giải ngân vốn đầu tư công năm {y}", [
        ("Sở Tài chính", "lead", "Tổng hợp, báo cáo tình hình giải ngân vốn đầu tư công, đề xuất điều chuyển vốn", -4,
         "in_progress", 60),
        ("Sở Xây dựng", "cooperate", "Phối hợp cung cấp số liệu giải ngân các dự án giao thông", -4, "assigned", 0),
    ]),
    (15, "{n}/UBND-VX", "triển khai Tháng hành động vì an toàn thực phẩm", [
        ("Sở Y tế", "lead", "Xây dựng kế hoạch, tổ chức Tháng hành động vì an toàn thực phẩm; báo cáo kết quả", 2,
         "in_progress", 30),
        ("Sở Công Thương", "cooperate", "Phối hợp kiểm tra an toàn thực phẩm tại chợ, siêu thị", 2, "done", 100),
    ]),
    (12, "{n}/UBND-KGVX", "tăng cường công tác phòng, chống dịch sốt xuất huyết", [
        ("Sở Giáo dục và Đào tạo", "lead", "Tuyên truyền phòng, chống sốt xuất huyết trong trường học", None,
         "assigned", 0),
        ("Sở Lao động - Thương binh và Xã hội", "cooperate", "Phối hợp tuyên truyền tại các cơ sở trợ giúp xã hội",
         None, "assigned", 0),
    ]),
    (8, "{n}/UBND-NC", "bảo đảm an ninh trật tự dịp cuối năm", [
        ("Công an tỉnh", "lead", "Xây dựng phương án bảo đảm an ninh, trật tự, an toàn giao thông dịp cuối năm", 12,
         "in_progress", 40),
        ("Bảo hiểm xã hội tỉnh", "cooperate", "Phối hợp rà soát đối tượng chính sách", 12, "assigned", 0),
    ]),
    (30, "{n}/UBND-KT", "quyết toán kinh phí hỗ trợ người lao động", [
        ("Sở Tài chính", "lead", "Thẩm định, tổng hợp quyết toán kinh phí hỗ trợ người lao động", -8, "done", 100),
        ("Sở Lao động - Thương binh và Xã hội", "lead", "Báo cáo số liệu chi trả hỗ trợ người lao động", -6,
         "submitted", 100),
    ]),
    (5, "{n}/UBND-VX", "chế độ báo cáo định kỳ về công tác bảo trợ xã hội", [
        ("Sở Lao động - Thương binh và Xã hội", "lead", "Báo cáo tình hình thực hiện chính sách trợ giúp xã hội, "
         "trước ngày 20 hằng tháng", 9, "assigned", 0),
    ]),
]


def _recent_letters(session, clerk: User, leader: User, today: dt.date) -> int:
    matcher = build_matcher(session)
    created: dict[str, int] = {}
    calendar = default_calendar()
    # In order of receipt: incoming numbers follow the order letters arrive in.
    for index, (days_ago, number, subject, tasks) in enumerate(sorted(RECENT, key=lambda r: -r[0])):
        received = today - dt.timedelta(days=days_ago)
        issued = received - dt.timedelta(days=1)
        specs = []
        for agency, role, summary, offset, _state, _progress in tasks:
            deadline = None if offset is None else calendar.add_working_days(today, offset)
            specs.append(TaskSpec(agency_id=_resolve(session, matcher, agency, created), role=role, summary=summary,
                                  deadline=deadline, deadline_text=f"trước ngày {deadline:%d/%m/%Y}" if deadline else None,
                                  recurrence="monthly:20" if "hằng tháng" in summary else None))
        spec = LetterSpec(number=number.format(n=4100 + 37 * index), doc_type="Công văn",
                          issuer="Ủy ban nhân dân tỉnh Thái Nguyên", place="Thái Nguyên", issued_on=issued,
                          subject=subject.format(y=today.year), recipients=sorted({t[0] for t in tasks}),
                          signer="Lê Quang Tiến", signer_title="KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
                          full_text=f"V/v {subject.format(y=today.year)}")
        letter = register_letter(session, spec, specs, actor=clerk, received_on=received)
        for task, (_a, _r, _s, offset, state, progress) in zip(letter.tasks, tasks):
            if state == "assigned":
                continue
            task.status, task.progress = state, progress
            record(session, task, "transition", actor=None, transition=state, changes={"status": ("assigned", state)},
                   comment="Dữ liệu minh họa")
            if state == "done":
                finished = task.deadline - dt.timedelta(days=2) if offset and offset > 0 else task.deadline + dt.timedelta(days=1)
                task.completed_on = min(finished, today)
                task.completed_at = utcnow()
                record(session, task, "transition", actor=leader, transition="accept",
                       changes={"status": ("submitted", "done")}, comment="Chấp nhận kết quả")
    return len(RECENT)


def load_demo(sessions, settings: Settings, today: dt.date | None = None) -> str:
    """Load the demo once; return what to print (with the one-time passwords)."""
    today = today or dt.datetime.now(ZoneInfo(settings.timezone)).date()
    with transaction(sessions) as session:
        if session.scalar(select(User).where(User.username == DEMO_USERS[0][0])) is not None:
            return "Dữ liệu minh họa đã có sẵn; không nạp lại."
        lines = []
        for path in _catalog_files():
            entries = _as_before_2025(read_catalog(path))
            lines.append(f"Danh mục {path.name}: {import_catalog(session, entries).summary()}")
        passwords = {}
        users = {}
        for username, full_name, role, code in DEMO_USERS:
            agency_id = session.scalar(select(Agency.id).where(Agency.code == code)) if code else None
            password = secrets.token_urlsafe(9)
            users[role] = create_user(session, username=username, full_name=full_name, password=password,
                                      role=role, email=f"{username}@example.gov.vn", agency_id=agency_id)
            passwords[username] = password
        examples = _example_letters(session, users["clerk"])
        recent = _recent_letters(session, users["clerk"], users["leader"], today)
        lines.append(f"Đã vào sổ {examples} văn bản mẫu và {recent} văn bản gần đây.")
        lines.append("Tài khoản minh họa (mật khẩu chỉ in một lần, hãy ghi lại):")
        for username, full_name, role, _code in DEMO_USERS:
            lines.append(f"  {username:16} {passwords[username]:14} {users_label(role)}")
        return "\n".join(lines)


def users_label(role: str) -> str:
    """Vietnamese label of a role for the printed list."""
    from tracker.accounts.models import Role

    return Role(role).label
