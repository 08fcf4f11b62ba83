"""The reports: summary, agency, letter, incoming register and follow-up register, as filled templates.

Each ``build_*`` function reads the database through a session and returns a ReportDocument to save.
Bad input (an end before the start, an unknown agency or letter) raises ReportInputError with a Vietnamese
message; a damaged template raises TemplateError naming it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, selectinload

from tracker.agencies.models import Agency
from tracker.intake.models import Letter
from tracker.reports import data as d
from tracker.reports import progress
from tracker.reports.chart import COLOUR_NAMES, agency_bar_chart
from tracker.reports.document import ReportDocument
from tracker.reports.vn import Period, vn_date, vn_long_date, vn_number, vn_percent
from tracker.tasks.models import Occurrence, Task

#: agencies drawn in the chart at most (the table lists them all)
CHART_AGENCIES = 20
ROLE_LABELS = {"lead": "Chủ trì", "cooperate": "Phối hợp"}


def letter_reference(letter: Letter) -> str:
    """ "Công văn số 871/VP-VHXH ngày 21/2/2019 của Văn phòng UBND tỉnh" as reports cite a letter."""
    parts = [letter.doc_type or "Văn bản"]
    parts.append(f"số {letter.number}" if letter.number else "không số")
    if letter.issued_on:
        parts.append(f"ngày {vn_date(letter.issued_on)}")
    if letter.issuer:
        parts.append(f"của {letter.issuer}")
    return " ".join(parts)


def _new(template: Path | None, today: dt.date, title: str, subject: str, signer: str) -> ReportDocument:
    report = ReportDocument(template)
    report.fill(date=vn_long_date(today), title=title, subject=subject, signer_name=signer)
    return report


def _days(value: int) -> str:
    return f"{vn_number(value)} ngày"


# -- summary ----------------------------------------------------------------------------------------------------

def build_summary(session: Session, period: Period, today: dt.date, *, template: Path | None = None,
                  signer: str = "") -> ReportDocument:
    """The leaders' summary of ``period``: figures, categories, agencies, overdue list, closed letters, chart."""
    summary = d.summary_data(session, period, today)
    report = _new(template, today, "BÁO CÁO",
                  f"Tình hình thực hiện nhiệm vụ được giao {period.label}", signer)
    if not summary.units:
        report.note(f"Trong kỳ báo cáo ({period.label}) không có nhiệm vụ nào được giao hoặc đang thực hiện; "
                    "không có số liệu để tổng hợp.")
        return report
    progress.stage(40, "Đang lập các bảng", until=progress.TABLES_END)
    _figures_section(report, summary)
    _categories_section(report, summary)
    _agencies_section(report, summary)
    _overdue_section(report, summary)
    _closed_section(report, summary)
    return report


def _figures_section(report: ReportDocument, s: d.SummaryData) -> None:
    report.heading("Kết quả chung")
    report.paragraph(
        f"Số liệu tính đến ngày {vn_date(s.as_of)}. Trong kỳ có {vn_number(len(s.letters))} văn bản giao "
        f"{vn_number(len(s.units))} nhiệm vụ; {vn_number(s.due)} nhiệm vụ đã đến hạn; đã hoàn thành "
        f"{vn_number(s.done)} nhiệm vụ, trong đó đúng hạn {vn_number(s.count(d.DONE_ON_TIME))} "
        f"(tỷ lệ {vn_percent(s.on_time_rate)}); quá hạn chưa hoàn thành {vn_number(s.count(d.OVERDUE))} nhiệm vụ; "
        f"chưa hoàn thành {vn_number(len(s.units) - s.done)} nhiệm vụ.")


def _categories_section(report: ReportDocument, s: d.SummaryData) -> None:
    report.heading("Tổng hợp theo tình trạng")
    total = len(s.units)
    rows = [[str(i), d.CATEGORY_LABELS[c], vn_number(s.count(c)), vn_percent(100 * s.count(c) / total)]
            for i, c in enumerate(d.SUMMARY_CATEGORIES, 1)]
    report.table(["TT", "Tình trạng", "Số nhiệm vụ", "Tỷ lệ"], rows, [1.2, 8.8, 3.0, 3.0], centred={0, 2, 3},
                 total_row=["", "Tổng cộng", vn_number(total), "100%"])


def _agencies_section(report: ReportDocument, s: d.SummaryData) -> None:
    report.heading("Kết quả theo cơ quan, đơn vị")
    rows = []
    for i, line in enumerate(s.per_agency, 1):
        rows.append([str(i), line.name, vn_number(line.total)]
                    + [vn_number(line.counts[c]) for c in d.SUMMARY_CATEGORIES]
                    + [vn_percent(line.on_time_rate)])
    total = ["", "Tổng cộng", vn_number(len(s.units))] + [vn_number(s.count(c)) for c in d.SUMMARY_CATEGORIES] \
        + [vn_percent(s.on_time_rate)]
    report.table(["TT", "Cơ quan, đơn vị", "Tổng số", "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Quá hạn",
                  "Đang thực hiện", "Không có hạn", "Tỷ lệ đúng hạn"], rows,
                 [0.9, 3.9, 1.5, 1.7, 1.7, 1.5, 1.7, 1.6, 1.9], centred=set(range(0, 9)) - {1}, total_row=total)
    chart_lines = s.per_agency[:CHART_AGENCIES]
    png = agency_bar_chart([[line.counts[c] for c in d.SUMMARY_CATEGORIES] for line in chart_lines])
    report.picture(png, width_cm=16.0)
    legend = "; ".join(f"màu {colour}: {d.CATEGORY_LABELS[c].lower()}"
                       for colour, c in zip(COLOUR_NAMES, d.SUMMARY_CATEGORIES))
    shown = "" if len(s.per_agency) <= CHART_AGENCIES else \
        f" (biểu đồ thể hiện {CHART_AGENCIES} cơ quan đầu bảng)"
    report.note(f"Biểu đồ: mỗi thanh là một cơ quan, đánh số theo thứ tự (TT) trong bảng trên{shown}; số cuối "
                f"thanh là tổng số nhiệm vụ; {legend}.")


def _overdue_section(report: ReportDocument, s: d.SummaryData) -> None:
    report.heading("Nhiệm vụ quá hạn chưa hoàn thành")
    if not s.overdue:
        report.paragraph("Không có nhiệm vụ quá hạn.")
        return
    rows = []
    for i, unit in enumerate(s.overdue, 1):
        letter = s.letters[unit.letter_id]
        rows.append([str(i), f"{s.summaries.get(unit.task_id, '')}\n({letter_reference(letter)})",
                     s.agencies[unit.agency_id].display_name, vn_date(unit.deadline), vn_number(unit.days_late)])
    report.table(["TT", "Nhiệm vụ", "Cơ quan chủ trì, phối hợp", "Hạn xử lý", "Số ngày quá hạn (ngày làm việc)"],
                 rows, [1.0, 8.0, 3.3, 2.0, 2.2], centred={0, 3, 4})


def _closed_section(report: ReportDocument, s: d.SummaryData) -> None:
    report.heading("Văn bản đã hoàn thành toàn bộ nhiệm vụ trong kỳ")
    if not s.closed_letters:
        report.paragraph("Trong kỳ chưa có văn bản nào hoàn thành toàn bộ nhiệm vụ.")
        return
    rows = [[str(i), letter_reference(letter) + (f": {letter.subject}" if letter.subject else ""),
             vn_number(count), vn_number(late), vn_date(last)]
            for i, (letter, last, count, late) in enumerate(s.closed_letters, 1)]
    report.table(["TT", "Văn bản", "Số nhiệm vụ", "Trong đó quá hạn", "Ngày hoàn thành"], rows,
                 [1.0, 9.5, 1.9, 1.9, 2.2], centred={0, 2, 3, 4})


# -- agency -----------------------------------------------------------------------------------------------------

def build_agency_report(session: Session, agency_key: str, period: Period, today: dt.date, *,
                        template: Path | None = None, signer: str = "") -> ReportDocument:
    """All tasks of one agency in ``period``: its figures and one line per task (or period of a recurring task)."""
    agency = d.find_agency(session, agency_key)
    summary = d.summary_data(session, period, today, agency_id=agency.id)
    progress.stage(40, "Đang lập các bảng", until=progress.TABLES_END)
    report = _new(template, today, "BÁO CÁO",
                  f"Tình hình thực hiện nhiệm vụ của {agency.name} {period.label}", signer)
    if not summary.units:
        report.note(f"Trong kỳ báo cáo ({period.label}) {agency.name} không có nhiệm vụ nào được giao "
                    "hoặc đang thực hiện.")
        return report
    _figures_section(report, summary)
    _categories_section(report, summary)
    report.heading("Danh sách nhiệm vụ")
    tasks = {t.id: t for t in session.scalars(select(Task).where(Task.agency_id == agency.id)
                                              .options(selectinload(Task.occurrences)))}
    periods = {o.id: o for t in tasks.values() for o in t.occurrences}
    ordered = sorted(summary.units, key=lambda u: (u.deadline or dt.date.max, u.task_id, u.occurrence_id or 0))
    rows = []
    for i, unit in enumerate(ordered, 1):
        task = tasks[unit.task_id]
        what = task.summary + (f" ({periods[unit.occurrence_id].label})" if unit.occurrence_id else "")
        rows.append([str(i), f"{what}\n({letter_reference(summary.letters[unit.letter_id])})",
                     ROLE_LABELS.get(task.role, task.role), vn_date(unit.deadline), _unit_result(unit),
                     vn_date(unit.completed_on) if unit.category in (d.DONE_ON_TIME, d.DONE_LATE) else ""])
    report.table(["TT", "Nhiệm vụ", "Vai trò", "Hạn xử lý", "Kết quả", "Ngày hoàn thành"], rows,
                 [0.9, 7.3, 1.8, 2.0, 2.5, 2.0], centred={0, 2, 3, 5})
    return report


def _unit_result(unit: d.Unit) -> str:
    label = d.CATEGORY_LABELS[unit.category]
    if unit.category in (d.OVERDUE, d.DONE_LATE) and unit.days_late:
        return f"{label} ({_days(unit.days_late)} làm việc)"
    return label


# -- letter -----------------------------------------------------------------------------------------------------

def build_letter_report(session: Session, letter_key: str | int, today: dt.date, *, template: Path | None = None,
                        signer: str = "") -> ReportDocument:
    """One letter: its tasks per agency with state, progress, result, extensions, days early or late."""
    from tracker.calendar.workdays import default_calendar
    from tracker.tasks.status import DeadlineStatus, status_of
    from tracker.tasks.workflow import workflow_for

    letter = d.find_letter(session, letter_key)
    workflow, calendar = workflow_for(session), default_calendar()
    report = _new(template, today, "BÁO CÁO", f"Tình hình thực hiện {letter_reference(letter)}", signer)
    report.heading("Văn bản")
    received = f"số đến {letter.received_number}, ngày đến {vn_date(letter.received_on)}" \
        if letter.received_number else f"ngày đến {vn_date(letter.received_on)}"
    report.paragraph(f"{letter_reference(letter)} ({received})"
                     + (f" về việc {letter.subject}." if letter.subject else "."))
    if letter.reply_number:
        report.paragraph(f"Văn bản trả lời: số {_reply(letter.reply_number, letter.reply_date)}.")
    tasks = list(session.scalars(select(Task).where(Task.letter_id == letter.id).order_by(Task.id)
                                 .options(selectinload(Task.agency), selectinload(Task.occurrences),
                                          selectinload(Task.extensions))))
    report.heading("Tình hình thực hiện nhiệm vụ")
    if not tasks:
        report.note("Văn bản không giao nhiệm vụ nào.")
        return report
    rows = []
    for i, task in enumerate(tasks, 1):
        items = [(task, "")] if not task.is_recurring else [(o, f" – {o.label}") for o in task.occurrences]
        for item, suffix in items:
            view = status_of(item, workflow, today, calendar)
            deadline = vn_date(item.deadline)
            original = getattr(item, "original_deadline", None)
            if original and item.deadline and original != item.deadline:
                deadline = f"{deadline}\n(hạn đầu {vn_date(original)})"
            if view.status == DeadlineStatus.DONE_ON_TIME and item.completed_on and item.judged_deadline:
                early = calendar.working_days_between(item.completed_on, item.judged_deadline)
                timing = f"Sớm {_days(early)} làm việc" if early > 0 else "Đúng hạn"
            elif view.status == DeadlineStatus.DONE_LATE and view.days is not None:
                timing = f"Muộn {_days(abs(view.days))} làm việc"
            else:
                timing = _view_text(view)
            extensions = [e for e in task.extensions if e.status == "approved"]
            extension_text = "; ".join(f"đến {vn_date(e.granted_deadline)}" for e in extensions) or "Không"
            result = (item.result_text or "").strip()
            if len(result) > 400:
                result = result[:400].rstrip() + "…"
            if not suffix and task.reply_number:
                result = f"{result}\n(Văn bản số {_reply(task.reply_number, task.reply_date)})".strip()
            rows.append([str(i), f"{task.agency.display_name}\n({ROLE_LABELS.get(task.role, task.role)})",
                         task.summary + suffix, deadline,
                         f"{workflow.label(item.status)}\n{timing}",
                         f"{task.progress}%" if not suffix else "", result, extension_text])
    report.table(["TT", "Cơ quan", "Nhiệm vụ", "Hạn xử lý", "Tình trạng", "Tiến độ", "Kết quả báo cáo",
                  "Gia hạn"], rows, [0.8, 2.4, 3.7, 2.2, 2.4, 1.2, 2.3, 1.5], centred={0, 3, 5})
    return report


# -- registers --------------------------------------------------------------------------------------------------

def _register_letters(session: Session, period: Period) -> list[Letter]:
    return list(session.scalars(
        select(Letter).where(Letter.received_on >= period.start, Letter.received_on <= period.end,
                             Letter.enclosed_in_id.is_(None))
        .options(defer(Letter.full_text), defer(Letter.search_text))
        .order_by(Letter.received_year, Letter.received_number, Letter.received_on, Letter.id)))


def _receivers(session: Session, letter_ids: list[int]) -> dict[int, list]:
    """Live tasks per letter as light rows (agency_name, role, status, deadline...), lead agencies first."""
    columns = (Task.letter_id, Task.role, Task.status, Task.deadline, Task.judged_deadline, Task.completed_on,
               Task.progress, Task.reply_number, Task.reply_date,
               func.coalesce(Agency.short_name, Agency.name).label("agency_name"))
    return _rows_by_letter(session, letter_ids, select(*columns).join(Agency, Agency.id == Task.agency_id)
                           .where(Task.status != "cancelled").order_by(Task.letter_id, Task.role.desc(), Task.id))


def _rows_by_letter(session: Session, letter_ids: list[int], statement) -> dict[int, list]:
    """Rows of ``statement`` (which selects Task.letter_id) for ``letter_ids``, grouped by letter; asked in chunks,
    as SQLite limits the number of parameters of one query."""
    found: dict[int, list] = defaultdict(list)
    for start in range(0, len(letter_ids), 500):
        for row in session.execute(statement.where(Task.letter_id.in_(letter_ids[start:start + 500]))):
            found[row.letter_id].append(row)
    return found


def _register_span(report: ReportDocument, period: Period, letters: list[Letter]) -> None:
    numbers = [l.received_number for l in letters if l.received_number is not None]
    span = f"; từ số {numbers[0]} đến số {numbers[-1]}" if numbers else ""
    report.note(f"Từ ngày {vn_date(period.start)} đến ngày {vn_date(period.end)}{span}.")


def _register_closing(report: ReportDocument, letters: list[Letter]) -> None:
    numbers = [l.received_number for l in letters if l.received_number is not None]
    span = f", từ số {numbers[0]} đến số {numbers[-1]}" if numbers else ""
    report.paragraph(f"Sổ gồm {vn_number(len(letters))} văn bản{span}.", italic=True)
    report.signatures(["NGƯỜI LẬP SỔ", "(Ký, ghi rõ họ tên)"], ["THỦ TRƯỞNG CƠ QUAN", "(Ký tên, đóng dấu)"])


def build_register(session: Session, period: Period, today: dt.date, *, template: Path | None = None
                   ) -> ReportDocument:
    """Sổ đăng ký văn bản đến (Nghị định 30/2020, Phụ lục IV) of the letters received in ``period``."""
    letters = _register_letters(session, period)
    report = _new(template, today, "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", f"Năm {period.start.year}", "")
    report.landscape()
    report.drop_signature()
    if not letters:
        report.note(f"Không có văn bản đến nào được đăng ký {period.label}.")
        return report
    receivers = _receivers(session, [l.id for l in letters])
    _register_span(report, period, letters)
    progress.stage(40, "Đang lập sổ", until=progress.TABLES_END)
    rows = []
    for index, letter in enumerate(letters):
        if index % 500 == 0:
            progress.advance(index, len(letters))
        kind = letter.doc_type or "Văn bản"
        notes = ", ".join(x for x in (letter.urgency, letter.secrecy) if x)
        rows.append([vn_date(letter.received_on), str(letter.received_number or ""), letter.issuer or "",
                     letter.number or "", vn_date(letter.issued_on),
                     f"{kind}: {letter.subject}" if letter.subject else kind,
                     "\n".join(_unique(t.agency_name for t in receivers.get(letter.id, []))), "", notes])
    report.table(["Ngày đến", "Số đến", "Tác giả", "Số và ký hiệu", "Ngày tháng",
                  "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ký nhận", "Ghi chú"], rows,
                 [2.0, 1.4, 3.6, 2.6, 2.0, 6.4, 3.6, 1.8, 1.8], centred={0, 1, 4})
    _register_closing(report, letters)
    return report


def build_followup(session: Session, period: Period, today: dt.date, *, template: Path | None = None
                   ) -> ReportDocument:
    """Sổ theo dõi giải quyết văn bản đến: letters received in ``period`` with tasks, their deadlines and progress."""
    from tracker.tasks.status import status_of
    from tracker.tasks.workflow import workflow_for

    workflow = workflow_for(session)
    letters = _register_letters(session, period)
    receivers = _receivers(session, [l.id for l in letters])
    letters = [l for l in letters if receivers.get(l.id)]
    report = _new(template, today, "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN", f"Năm {period.start.year}", "")
    report.landscape()
    report.drop_signature()
    if not letters:
        report.note(f"Không có văn bản đến nào giao nhiệm vụ {period.label}.")
        return report
    _register_span(report, period, letters)
    period_replies = _period_replies(session, [l.id for l in letters])
    progress.stage(40, "Đang lập sổ", until=progress.TABLES_END)
    rows = []
    for index, letter in enumerate(letters):
        if index % 500 == 0:
            progress.advance(index, len(letters))
        tasks = receivers[letter.id]
        deadlines = _grouped_lines((t.agency_name, vn_date(t.deadline) or "không có hạn") for t in tasks)
        progress_text = _grouped_lines((t.agency_name, _standing(t, status_of(t, workflow, today), workflow))
                                       for t in tasks)
        rows.append([str(letter.received_number or ""),
                     f"{letter.doc_type or 'Văn bản'} số {letter.number or '(không số)'}, ngày "
                     f"{vn_date(letter.issued_on)}, {letter.issuer or ''}",
                     "\n".join(_unique(t.agency_name for t in tasks)), deadlines, progress_text,
                     _replies_text(letter, tasks, period_replies.get(letter.id, [])), ""])
    report.table(["Số đến", "Tên loại, số, ký hiệu, ngày tháng và cơ quan ban hành", "Đơn vị hoặc người nhận",
                  "Thời hạn giải quyết", "Tiến độ giải quyết", "Số, ký hiệu văn bản trả lời", "Ghi chú"], rows,
                 [1.4, 6.0, 3.8, 3.6, 5.0, 3.0, 2.4], centred={0})
    _register_closing(report, letters)
    return report


def _standing(task, view, workflow) -> str:
    """Where a task stands, for the follow-up register: "Đang thực hiện, quá hạn 3 ngày làm việc (40%)";
    a finished one says whether it was on time."""
    from tracker.tasks.status import DeadlineStatus

    if task.status not in workflow.open_states:
        return _view_text(view)
    text = workflow.label(task.status)
    if view.status in (DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON, DeadlineStatus.ON_TRACK):
        detail = _view_text(view)
        text += f", {detail[:1].lower()}{detail[1:]}"
    return text + (f" ({task.progress}%)" if task.progress else "")


def _grouped_lines(pairs) -> str:
    """ "agency: text" lines, the same line for several tasks written once: "Sở LĐTBXH (6 nhiệm vụ): …"."""
    counts: dict[tuple[str, str], int] = {}
    for pair in pairs:
        counts[pair] = counts.get(pair, 0) + 1
    return "\n".join(f"{name} ({count} nhiệm vụ): {text}" if count > 1 else f"{name}: {text}"
                     for (name, text), count in counts.items())


def _replies_text(letter: Letter, tasks, period_replies=()) -> str:
    """The follow-up register's reply column: the office's reply, then each agency's written report (of a
    one-off task, or of each period of a recurring one)."""
    lines = []
    if letter.reply_number:
        lines.append(_reply(letter.reply_number, letter.reply_date))
    for task in tasks:
        if task.reply_number:
            lines.append(f"{task.agency_name}: {_reply(task.reply_number, task.reply_date)}")
    for row in period_replies:
        lines.append(f"{row.agency_name} (kỳ {row.label}): {_reply(row.reply_number, row.reply_date)}")
    return "\n".join(lines)


def _period_replies(session: Session, letter_ids: list[int]) -> dict[int, list]:
    """The written reports given for periods of recurring tasks, per letter, in period order."""
    columns = (Task.letter_id, Occurrence.label, Occurrence.reply_number, Occurrence.reply_date,
               func.coalesce(Agency.short_name, Agency.name).label("agency_name"))
    return _rows_by_letter(session, letter_ids, select(*columns).join(Task, Task.id == Occurrence.task_id)
                           .join(Agency, Agency.id == Task.agency_id)
                           .where(Task.status != "cancelled", Occurrence.reply_number.is_not(None))
                           .order_by(Task.letter_id, Task.id, Occurrence.period_start))


def _reply(number: str, date: dt.date | None) -> str:
    return f"{number} ngày {vn_date(date)}" if date else number


def _view_text(view) -> str:
    """DeadlineView.text with its day count written the Vietnamese way (Quá hạn 1.789 ngày làm việc)."""
    from tracker.tasks.status import DeadlineStatus

    if view.days is not None and abs(view.days) >= 1000:
        if view.status == DeadlineStatus.OVERDUE:
            return f"Quá hạn {_days(abs(view.days))} làm việc"
        if view.status in (DeadlineStatus.ON_TRACK, DeadlineStatus.DUE_SOON):
            return f"Còn {_days(view.days)} làm việc"
    return view.text


def _unique(names) -> list[str]:
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen
