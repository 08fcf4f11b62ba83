"""The summary, the incoming register and the follow-up register as .xlsx (openpyxl), for people who work in spreadsheets.

The same data as the Word reports (tracker.reports.data and the register's query), written as real
numbers and dates (shown dd/mm/yyyy) so a spreadsheet can sort, filter and add them up.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from tracker.reports import data as d
from tracker.reports.builders import _receivers, _register_letters, _unique, letter_reference
from tracker.reports.vn import Period, ReportInputError, vn_date

#: kinds that have a spreadsheet form
XLSX_KINDS = ("summary", "register", "followup")
DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.0"
#: what makes a spreadsheet read a cell as a formula (OWASP, CSV/formula injection): = + - @, and a tab or
#: carriage return in front of them
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell) -> None:
    """Make a text cell plain text whatever it holds: an issuer "=HYPERLINK(…)" typed by a clerk or sent in
    an edXML package, or a reply number "=cmd|' /C calc'!A0" typed by an officer, stays the words it is.

    openpyxl writes any string starting with "=" as a formula; the cell is typed as a string instead, and one
    that starts like a formula also gets Excel's quote prefix, so editing it in Excel keeps it text.
    """
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def _sheet(workbook: Workbook, title: str, caption: str, header: list[str], rows: list[list], widths: list[int]):
    """A sheet with a caption line, a bold frozen header row and the rows; dates shown dd/mm/yyyy."""
    sheet = workbook.create_sheet(title)
    sheet.append([caption])
    sheet["A1"].font = Font(bold=True)
    _as_text(sheet["A1"])  # the caption names a period or an agency, which a user may have named
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            _as_text(cell)
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(header))}{max(2, sheet.max_row)}"
    return sheet


def _empty_workbook() -> Workbook:
    """A workbook without its default sheet (each report adds its own)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def _letters_with_receivers(session: Session, period: Period) -> tuple[list, dict[int, list]]:
    """The letters received in ``period`` and the live tasks of each, as the registers list them."""
    letters = _register_letters(session, period)
    return letters, _receivers(session, [l.id for l in letters])


def _rate(value: float | None):
    return "" if value is None else value


def summary_workbook(session: Session, period: Period, today: dt.date) -> Workbook:
    """Sheets: Tình trạng (totals by category), Cơ quan (per agency), Quá hạn (the overdue list)."""
    s = d.summary_data(session, period, today)
    workbook = _empty_workbook()
    caption = f"Tình hình thực hiện nhiệm vụ được giao {period.label} (số liệu tính đến ngày {vn_date(s.as_of)})"
    total = len(s.units)
    rows = [[d.CATEGORY_LABELS[c], s.count(c)] for c in d.SUMMARY_CATEGORIES]
    rows += [["Tổng cộng", total], ["Văn bản giao nhiệm vụ", len(s.letters)], ["Đã đến hạn", s.due],
             ["Tỷ lệ hoàn thành đúng hạn (%)", _rate(s.on_time_rate)]]
    _sheet(workbook, "Tình trạng", caption, ["Tình trạng", "Số nhiệm vụ"], rows, [36, 14])
    rows = [[i, line.name, line.total] + [line.counts[c] for c in d.SUMMARY_CATEGORIES] + [_rate(line.on_time_rate)]
            for i, line in enumerate(s.per_agency, 1)]
    _sheet(workbook, "Cơ quan", caption,
           ["TT", "Cơ quan, đơn vị", "Tổng số"] + [d.CATEGORY_LABELS[c] for c in d.SUMMARY_CATEGORIES]
           + ["Tỷ lệ đúng hạn (%)"], rows, [6, 36, 10, 14, 14, 14, 14, 14, 14])
    rows = []
    for i, unit in enumerate(s.overdue, 1):
        letter = s.letters[unit.letter_id]
        rows.append([i, s.summaries.get(unit.task_id, ""), letter_reference(letter),
                     s.agencies[unit.agency_id].display_name, unit.deadline, unit.days_late])
    _sheet(workbook, "Quá hạn", caption, ["TT", "Nhiệm vụ", "Văn bản", "Cơ quan", "Hạn xử lý",
                                          "Số ngày quá hạn (ngày làm việc)"], rows, [6, 50, 40, 30, 12, 14])
    return workbook


def register_workbook(session: Session, period: Period) -> Workbook:
    """The incoming register's columns (Nghị định 30/2020, Phụ lục IV), one letter per row."""
    letters, receivers = _letters_with_receivers(session, period)
    workbook = _empty_workbook()
    rows = []
    for letter in letters:
        kind = letter.doc_type or "Văn bản"
        rows.append([letter.received_on, letter.received_number, letter.issuer or "", letter.number or "",
                     letter.issued_on, f"{kind}: {letter.subject}" if letter.subject else kind,
                     ", ".join(_unique(t.agency_name for t in receivers.get(letter.id, []))), "",
                     ", ".join(x for x in (letter.urgency, letter.secrecy) if x)])
    _sheet(workbook, "Sổ đăng ký", f"Sổ đăng ký văn bản đến {period.label}",
           ["Ngày đến", "Số đến", "Tác giả", "Số và ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
            "Đơn vị hoặc người nhận", "Ký nhận", "Ghi chú"], rows, [12, 8, 30, 18, 12, 60, 30, 10, 14])
    return workbook


def followup_workbook(session: Session, period: Period, today: dt.date) -> Workbook:
    """The follow-up register, one row per task: the letter, the agency, the deadline, the progress, the reply."""
    from tracker.tasks.status import status_of
    from tracker.tasks.workflow import workflow_for

    workflow = workflow_for(session)
    letters, receivers = _letters_with_receivers(session, period)
    workbook = _empty_workbook()
    rows = []
    for letter in letters:
        for task in receivers.get(letter.id, []):
            view = status_of(task, workflow, today)
            rows.append([letter.received_number, letter_reference(letter), letter.issuer or "", task.agency_name,
                         task.deadline, workflow.label(task.status), view.text, task.progress,
                         task.reply_number or "", task.reply_date,
                         letter.reply_number or "", letter.reply_date])
    _sheet(workbook, "Theo dõi giải quyết", f"Sổ theo dõi giải quyết văn bản đến {period.label}",
           ["Số đến", "Văn bản", "Cơ quan ban hành", "Đơn vị nhận", "Thời hạn giải quyết", "Trạng thái",
            "Tình trạng hạn", "Tiến độ (%)", "Số, ký hiệu văn bản báo cáo", "Ngày văn bản báo cáo",
            "Số, ký hiệu văn bản trả lời", "Ngày văn bản trả lời"], rows,
           [8, 40, 30, 30, 12, 18, 22, 10, 20, 12, 20, 12])
    return workbook


def build_xlsx(session: Session, kind: str, period: Period, today: dt.date) -> bytes:
    """The .xlsx of the summary, the register or the follow-up register of ``period``; a ReportInputError for
    other kinds."""
    if kind == "summary":
        workbook = summary_workbook(session, period, today)
    elif kind == "register":
        workbook = register_workbook(session, period)
    elif kind == "followup":
        workbook = followup_workbook(session, period, today)
    else:
        raise ReportInputError("Chỉ báo cáo tổng hợp, sổ đăng ký và sổ theo dõi giải quyết văn bản đến "
                               "xuất được ra Excel (.xlsx).")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
