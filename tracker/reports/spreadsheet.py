"""The summary, the incoming register and the follow-up register as .xlsx (openpyxl), for people who work in spreadsheets.

The same data as the Word reports (tracker.reports.data and the register's query), written as real
numbers and dates (shown dd/mm/yyyy) so a spreadsheet can sort, filter and add them up. The workbooks are
write-only (openpyxl streams each row to the file): a register of 20,000 letters never sits in memory as cells.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from tracker.reports import data as d
from tracker.reports.builders import _unique, letter_reference, register_batches
from tracker.reports.formats import XLSX_KINDS  # noqa: F401 (named here by the CLI and the tests)
from tracker.reports.vn import Period, ReportInputError, vn_date

#: kinds that have a spreadsheet form
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


def _sheet(workbook: Workbook, title: str, caption: str, header: list[str], rows, widths: list[int]):
    """A sheet with a caption line, a bold frozen header row and the rows (any iterable, written as they come);
    dates shown dd/mm/yyyy."""
    sheet = workbook.create_sheet(title)
    # a write-only sheet takes its columns and panes before its first row
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    title_cell = WriteOnlyCell(sheet, caption)
    title_cell.font = bold
    _as_text(title_cell)  # the caption names a period or an agency, which a user may have named
    sheet.append([title_cell])
    header_cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, text)
        cell.font, cell.alignment = bold, wrapped
        header_cells.append(cell)
    sheet.append(header_cells)
    last_row = 2
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value)
            _as_text(cell)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            cell.alignment = wrapped
            cells.append(cell)
        sheet.append(cells)
        last_row += 1
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(header))}{last_row}"
    return sheet


def _empty_workbook() -> Workbook:
    """A write-only workbook (each report adds its own sheets)."""
    return Workbook(write_only=True)


def _rate(value: float | None):
    return "" if value is None else value


def summary_workbook(session: Session, period: Period, today: dt.date) -> Workbook:
    """Sheets: Tình trạng (totals by category), Cơ quan (per agency), Quá hạn (the overdue list)."""
    s = d.summary_data(session, period, today)
    workbook = _empty_workbook()
    caption = f"Tình hình thực hiện nhiệm vụ được giao {period.label} (số liệu tính đến ngày {vn_date(s.as_of)})"
    total = s.total
    rows = [[d.CATEGORY_LABELS[c], s.count(c)] for c in d.SUMMARY_CATEGORIES]
    rows += [["Tổng cộng", total], ["Văn bản giao nhiệm vụ", s.letter_count], ["Đã đến hạn", s.due],
             ["Tỷ lệ hoàn thành đúng hạn (%)", _rate(s.on_time_rate)]]
    _sheet(workbook, "Tình trạng", caption, ["Tình trạng", "Số nhiệm vụ"], rows, [36, 14])
    rows = [[i, line.name, line.total] + [line.counts[c] for c in d.SUMMARY_CATEGORIES] + [_rate(line.on_time_rate)]
            for i, line in enumerate(s.per_agency, 1)]
    _sheet(workbook, "Cơ quan", caption,
           ["TT", "Cơ quan, đơn vị", "Tổng số"] + [d.CATEGORY_LABELS[c] for c in d.SUMMARY_CATEGORIES]
           + ["Tỷ lệ đúng hạn (%)"], rows, [6, 36, 10, 14, 14, 14, 14, 14, 14])
    rows = ([i, unit.summary, letter_reference(unit), unit.agency_name, unit.deadline, unit.days_late]
            for i, unit in enumerate(s.overdue, 1))
    _sheet(workbook, "Quá hạn", caption, ["TT", "Nhiệm vụ", "Văn bản", "Cơ quan", "Hạn xử lý",
                                          "Số ngày quá hạn (ngày làm việc)"], rows, [6, 50, 40, 30, 12, 14])
    return workbook


def _register_rows(session: Session, period: Period):
    for batch, receivers, _ in register_batches(session, period):
        for letter in batch:
            kind = letter.doc_type or "Văn bản"
            yield [letter.received_on, letter.received_number, letter.issuer or "", letter.number or "",
                   letter.issued_on, f"{kind}: {letter.subject}" if letter.subject else kind,
                   ", ".join(_unique(t.agency_name for t in receivers.get(letter.id, []))), "",
                   ", ".join(x for x in (letter.urgency, letter.secrecy) if x)]


def register_workbook(session: Session, period: Period) -> Workbook:
    """The incoming register's columns (Nghị định 30/2020, Phụ lục IV), one letter per row."""
    workbook = _empty_workbook()
    _sheet(workbook, "Sổ đăng ký", f"Sổ đăng ký văn bản đến {period.label}",
           ["Ngày đến", "Số đến", "Tác giả", "Số và ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
            "Đơn vị hoặc người nhận", "Ký nhận", "Ghi chú"], _register_rows(session, period),
           [12, 8, 30, 18, 12, 60, 30, 10, 14])
    return workbook


def _followup_rows(session: Session, period: Period, today: dt.date):
    from tracker.tasks.status import status_of
    from tracker.tasks.workflow import workflow_for

    workflow = workflow_for(session)
    for batch, receivers, _ in register_batches(session, period):
        for letter in batch:
            for task in receivers.get(letter.id, []):
                view = status_of(task, workflow, today)
                yield [letter.received_number, letter_reference(letter), letter.issuer or "", task.agency_name,
                       task.deadline, workflow.label(task.status), view.text, task.progress,
                       task.reply_number or "", task.reply_date,
                       letter.reply_number or "", letter.reply_date]


def followup_workbook(session: Session, period: Period, today: dt.date) -> Workbook:
    """The follow-up register, one row per task: the letter, the agency, the deadline, the progress, the reply."""
    workbook = _empty_workbook()
    _sheet(workbook, "Theo dõi giải quyết", f"Sổ theo dõi giải quyết văn bản đến {period.label}",
           ["Số đến", "Văn bản", "Cơ quan ban hành", "Đơn vị nhận", "Thời hạn giải quyết", "Trạng thái",
            "Tình trạng hạn", "Tiến độ (%)", "Số, ký hiệu văn bản báo cáo", "Ngày văn bản báo cáo",
            "Số, ký hiệu văn bản trả lời", "Ngày văn bản trả lời"], _followup_rows(session, period, today),
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
