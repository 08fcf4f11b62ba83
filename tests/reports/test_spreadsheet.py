"""The .xlsx export of the summary and the register: from the web page and `tracker report ... -o FILE.xlsx`."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from tracker.reports.cli import report_group

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(sheet) -> list[tuple]:
    """The data rows of a sheet (after its caption and header)."""
    return list(sheet.iter_rows(min_row=3, values_only=True))


def test_the_summary_workbook_adds_up_and_matches_the_word_report(app, office, tmp_path):
    target = tmp_path / "tong-hop.xlsx"
    result = app.test_cli_runner().invoke(report_group, ["summary", "--period", "2019-09", "-o", str(target)])
    assert result.exit_code == 0 and "Đã ghi bảng tính" in result.output, result.output
    book = load_workbook(target)
    assert book.sheetnames == ["Tình trạng", "Cơ quan", "Quá hạn"]
    assert "tháng 9 năm 2019" in book["Tình trạng"]["A1"].value
    categories = {label: count for label, count in rows(book["Tình trạng"])}
    per_category = [categories[k] for k in ("Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Quá hạn, chưa hoàn thành")]
    assert all(isinstance(n, int) for n in per_category)  # numbers a spreadsheet can add, not text
    assert categories["Tổng cộng"] == sum(v for k, v in list(categories.items())[:5])
    agencies = rows(book["Cơ quan"])
    assert sum(r[2] for r in agencies) == categories["Tổng cộng"]
    overdue = rows(book["Quá hạn"])
    police = [r for r in overdue if r[1] == "Bảo đảm an ninh trật tự"]
    assert len(police) == 1 and police[0][4] == dt.datetime(2019, 9, 5)  # a real date (shown dd/mm/yyyy)
    assert book["Quá hạn"]["E3"].number_format == "dd/mm/yyyy"


def test_the_register_workbook_lists_each_letter_once(app, office, tmp_path):
    target = tmp_path / "so-den.xlsx"
    result = app.test_cli_runner().invoke(report_group, ["register", "--from", "1/9/2019", "--to", "30/9/2019",
                                                         "-o", str(target)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target)["Sổ đăng ký"]
    header = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert header[:2] == ("Ngày đến", "Số đến") and "Ký nhận" in header
    numbers = [r[3] for r in rows(sheet)]
    assert {"101/UBND-VX", "102/UBND-KT", "103/UBND-VX"} <= set(numbers)
    assert "55/UBND-VX" not in numbers  # received in February
    assert len(numbers) == len(set(numbers))


def test_other_reports_are_not_offered_as_spreadsheets(app, office, tmp_path):
    target = tmp_path / "x.xlsx"
    result = app.test_cli_runner().invoke(report_group, ["agency", "--agency", "police", "--period", "2019",
                                                         "-o", str(target)])
    assert result.exit_code == 1 and ".xlsx" in result.output and not target.exists()


def test_the_web_page_downloads_the_summary_as_xlsx(web, cast, office):
    browser = web(cast.leader)
    response = browser.post("/reports/", data={"kind": "summary", "period": "2019-09", "start": "", "end": "",
                                                "agency": "", "letter": "", "file_format": "xlsx"})
    assert response.status_code == 303
    download = browser.get(response.headers["Location"])
    assert download.mimetype == XLSX and ".xlsx" in download.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(download.data))
    assert "Cơ quan" in book.sheetnames
    assert "Báo cáo tổng hợp (xlsx)" in browser.get("/reports/archive").get_data(as_text=True)
