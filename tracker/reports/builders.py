"""The reports: summary, agency, letter, incoming register and follow-up register, as filled templates.

Each ``build_*`` function reads the database through a session and returns a ReportDocument to save.
Bad input (an end before the start, an unknown agency or letter) raises ReportInputError with a Vietnamese
message; a damaged template raises TemplateError naming it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

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


def letter_reference(letter) -> str:
    """ "Công văn số 871/VP-VHXH ngày 21/2/2019 của Văn phòng UBND tỉnh" as reports cite a letter (a Letter, or
    any row with its doc_type, number, issued_on and issuer)."""
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
        f"Số liệu tính đến ngày {vn_date(s.as_of)}. Trong kỳ có {vn_number(s.letter_count)} văn bản giao "
        f"{vn_number(s.total)} nhiệm vụ; {vn_number(s.due)} nhiệm vụ đã đến hạn; đã hoàn thành "
        f"{vn_number(s.done)} nhiệm vụ, trong đó đúng hạn {vn_number(s.count(d.DONE_ON_TIME))} "
        f"(tỷ lệ {vn_percent(s.on_time_rate)}); quá hạn chưa hoàn thành {vn_number(s.count(d.OVERDUE))} nhiệm vụ; "
        f"chưa hoàn thành {vn_number(s.total - s.done)} nhiệm vụ.")


def _categories_section(report: ReportDocument, s: d.SummaryData) -> None:
    report.heading("Tổng hợp theo tình trạng")
    total = s.total
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
    total = ["", "Tổng cộng", vn_number(s.total)] + [vn_number(s.count(c)) for c in d.SUMMARY_CATEGORIES] \
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
    rows = ([str(i), f"{unit.summary}\n({letter_reference(unit)})", unit.agency_name, vn_date(unit.deadline),
             vn_number(unit.days_late)] for i, unit in enumerate(s.overdue, 1))
    report.table(["TT", "Nhiệm vụ", "Cơ quan chủ trì, phối hợp", "Hạn xử lý", "Số ngày quá hạn (ngày làm việc)"],
                 rows, [1.0, 8.0, 3.3, 2.0, 2.2], centred={0, 3, 4}, total=len(s.overdue))


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
    from tracker.tasks.workflow import workflow_for

    agency = d.find_agency(session, agency_key)
    summary = d.summary_data(session, period, today, agency_id=agency.id, lists=False)
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
    # streamed from the database in batches: an agency of ten years has tens of thousands of units
    rows = ([str(i), f"{unit.summary}{f' ({unit.period_label})' if unit.occurrence_id else ''}\n"
             f"({letter_reference(unit)})",
             ROLE_LABELS.get(unit.role, unit.role), vn_date(unit.deadline), _unit_result(unit),
             vn_date(unit.completed_on) if unit.category in (d.DONE_ON_TIME, d.DONE_LATE) else ""]
            for i, unit in enumerate(d.agency_lines(session, workflow_for(session), period, summary.as_of,
                                                    agency.id), 1))
    report.table(["TT", "Nhiệm vụ", "Vai trò", "Hạn xử lý", "Kết quả", "Ngày hoàn thành"], rows,
                 [0.9, 7.3, 1.8, 2.0, 2.5, 2.0], centred={0, 2, 3, 5}, total=summary.total)
    return report


def _unit_result(unit: d.AgencyUnit) -> str:
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

#: letters read, and their tasks asked for, per batch while a register is written
REGISTER_BATCH = 500
#: the letter's columns the registers print (never its text)
_LETTER_COLUMNS = (Letter.id, Letter.received_on, Letter.received_number, Letter.received_year, Letter.issuer,
                   Letter.number, Letter.doc_type, Letter.issued_on, Letter.subject, Letter.urgency, Letter.secrecy,
                   Letter.reply_number, Letter.reply_date)


def _live_task_of_letter():
    return select(Task.id).where(Task.letter_id == Letter.id, Task.status != "cancelled").exists()


def _register_filter(period: Period, with_tasks: bool) -> list:
    """The WHERE of a register: letters received in ``period`` (not the ones enclosed in another letter), and
    for the follow-up register only those with live tasks."""
    conditions = [Letter.received_on >= period.start, Letter.received_on <= period.end,
                  Letter.enclosed_in_id.is_(None),
                  # the same years again: a registered letter's received_year is its received_on's year
                  # (tracker.intake), and this one can use the unique index on (received_year, received_number)
                  Letter.received_year >= period.start.year, Letter.received_year <= period.end.year]
    if with_tasks:
        conditions.append(_live_task_of_letter())
    return conditions


_REGISTER_ORDER = (Letter.received_year, Letter.received_number, Letter.received_on, Letter.id)


@dataclass
class RegisterSpan:
    """How many letters a register lists and its first and last incoming numbers."""

    count: int
    first: int | None
    last: int | None


def _register_span_of(session: Session, period: Period, with_tasks: bool) -> RegisterSpan:
    """Three small queries, so the span can be printed before the rows are read."""
    where = _register_filter(period, with_tasks)
    count = session.scalar(select(func.count()).select_from(Letter).where(*where)) or 0
    numbered = select(Letter.received_number).where(*where, Letter.received_number.is_not(None))
    first = session.scalar(numbered.order_by(*_REGISTER_ORDER).limit(1))
    last = session.scalar(numbered.order_by(*(column.desc() for column in _REGISTER_ORDER)).limit(1))
    return RegisterSpan(count, first, last)


def register_batches(session: Session, period: Period, *, with_tasks: bool = False, replies: bool = False):
    """The register's letters in order, in batches of REGISTER_BATCH: (letter rows, live tasks per letter id,
    period replies per letter id). Only a batch is held at a time, whatever the number of letters."""
    statement = (select(*_LETTER_COLUMNS).where(*_register_filter(period, with_tasks)).order_by(*_REGISTER_ORDER)
                 .execution_options(yield_per=REGISTER_BATCH))
    for batch in session.execute(statement).partitions():
        ids = [letter.id for letter in batch]
        yield batch, _receivers(session, ids), (_period_replies(session, ids) if replies else {})


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


def _register_span(report: ReportDocument, period: Period, span: RegisterSpan) -> None:
    numbers = f"; từ số {span.first} đến số {span.last}" if span.first is not None else ""
    report.note(f"Từ ngày {vn_date(period.start)} đến ngày {vn_date(period.end)}{numbers}.")


def _register_closing(report: ReportDocument, span: RegisterSpan) -> None:
    numbers = f", từ số {span.first} đến số {span.last}" if span.first is not None else ""
    report.paragraph(f"Sổ gồm {vn_number(span.count)} văn bản{numbers}.", italic=True)
    report.signatures(["NGƯỜI LẬP SỔ", "(Ký, ghi rõ họ tên)"], ["THỦ TRƯỞNG CƠ QUAN", "(Ký tên, đóng dấu)"])


def _register_rows(session: Session, period: Period):
    for batch, receivers, _ in register_batches(session, period):
        for letter in batch:
            kind = letter.doc_type or "Văn bản"
            notes = ", ".join(x for x in (letter.urgency, letter.secrecy) if x)
            yield [vn_date(letter.received_on), str(letter.received_number or ""), letter.issuer or "",
                   letter.number or "", vn_date(letter.issued_on),
                   f"{kind}: {letter.subject}" if letter.subject else kind,
                   "\n".join(_unique(t.agency_name for t in receivers.get(letter.id, []))), "", notes]


def build_register(session: Session, period: Period, today: dt.date, *, template: Path | None = None
                   ) -> ReportDocument:
    """Sổ đăng ký văn bản đến (Nghị định 30/2020, Phụ lục IV) of the letters received in ``period``."""
    span = _register_span_of(session, period, with_tasks=False)
    report = _new(template, today, "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", f"Năm {period.start.year}", "")
    report.landscape()
    report.drop_signature()
    if not span.count:
        report.note(f"Không có văn bản đến nào được đăng ký {period.label}.")
        return report
    _register_span(report, period, span)
    progress.stage(40, "Đang lập sổ", until=progress.TABLES_END)
    report.table(["Ngày đến", "Số đến", "Tác giả", "Số và ký hiệu", "Ngày tháng",
                  "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ký nhận", "Ghi chú"],
                 _register_rows(session, period),
                 [2.0, 1.4, 3.6, 2.6, 2.0, 6.4, 3.6, 1.8, 1.8], centred={0, 1, 4}, total=span.count)
    _register_closing(report, span)
    return report


def _followup_rows(session: Session, period: Period, today: dt.date):
    from tracker.tasks.status import status_of
    from tracker.tasks.workflow import workflow_for

    workflow = workflow_for(session)
    for batch, receivers, period_replies in register_batches(session, period, with_tasks=True, replies=True):
        for letter in batch:
            tasks = receivers.get(letter.id, [])
            deadlines = _grouped_lines((t.agency_name, vn_date(t.deadline) or "không có hạn") for t in tasks)
            progress_text = _grouped_lines((t.agency_name, _standing(t, status_of(t, workflow, today), workflow))
                                           for t in tasks)
            yield [str(letter.received_number or ""),
                   f"{letter.doc_type or 'Văn bản'} số {letter.number or '(không số)'}, ngày "
                   f"{vn_date(letter.issued_on)}, {letter.issuer or ''}",
                   "\n".join(_unique(t.agency_name for t in tasks)), deadlines, progress_text,
                   _replies_text(letter, tasks, period_replies.get(letter.id, [])), ""]


def build_followup(session: Session, period: Period, today: dt.date, *, template: Path | None = None
                   ) -> ReportDocument:
    """Sổ theo dõi giải quyết văn bản đến: letters received in ``period`` with tasks, their deadlines and progress."""
    span = _register_span_of(session, period, with_tasks=True)
    report = _new(template, today, "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN", f"Năm {period.start.year}", "")
    report.landscape()
    report.drop_signature()
    if not span.count:
        report.note(f"Không có văn bản đến nào giao nhiệm vụ {period.label}.")
        return report
    _register_span(report, period, span)
    progress.stage(40, "Đang lập sổ", until=progress.TABLES_END)
    report.table(["Số đến", "Tên loại, số, ký hiệu, ngày tháng và cơ quan ban hành", "Đơn vị hoặc người nhận",
                  "Thời hạn giải quyết", "Tiến độ giải quyết", "Số, ký hiệu văn bản trả lời", "Ghi chú"],
                 _followup_rows(session, period, today),
                 [1.4, 6.0, 3.8, 3.6, 5.0, 3.0, 2.4], centred={0}, total=span.count)
    _register_closing(report, span)
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
