"""The Word reports, opened with python-docx and checked against the office's data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests.reports.conftest import TODAY, all_text, reopen
from tracker.reports import builders
from tracker.reports.vn import period_from_text

D = dt.date
SEPTEMBER = period_from_text("2019-09")


def table_with(document, header_text: str):
    """The table whose first row holds ``header_text``."""
    for table in document.tables:
        if any(header_text == cell.text for cell in table.rows[0].cells):
            return table
    raise AssertionError(f"no table headed {header_text!r}")


def body_rows(table, total: bool = False):
    """The table's rows as lists of cell texts, without the header (and without the total row)."""
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    return rows[:-1] if total else rows


def number(text: str) -> int:
    """A Vietnamese-formatted integer back to int."""
    return int(text.replace(".", ""))


def test_summary_counts_every_task_of_the_period_once_and_the_figures_add_up(sessions, office, tmp_path):
    with sessions() as s:
        document, _ = reopen(builders.build_summary(s, SEPTEMBER, TODAY), tmp_path)
    categories = body_rows(table_with(document, "Tình trạng"))
    counts = {row[1]: number(row[2]) for row in categories[:-1]}
    # 2 on time (the flood report, the funding review), 1 late, 1 overdue, 2 in progress, 1 without deadline;
    # the cancelled task and the one finished in February are not in September's report
    assert counts == {"Hoàn thành đúng hạn": 2, "Hoàn thành quá hạn": 1, "Quá hạn, chưa hoàn thành": 1,
                      "Đang thực hiện, chưa đến hạn": 2, "Không có thời hạn, đang thực hiện": 1}
    assert categories[-1][1] == "Tổng cộng" and number(categories[-1][2]) == sum(counts.values()) == 7

    agencies = table_with(document, "Cơ quan, đơn vị")
    rows = body_rows(agencies, total=True)
    total_row = [cell.text for cell in agencies.rows[-1].cells]
    assert sorted(r[1] for r in rows) == ["Công an tỉnh", "Sở LĐTBXH", "Sở Tài chính"]
    for column in range(2, 8):  # each column's total is the sum of the agencies
        assert sum(number(r[column]) for r in rows) == number(total_row[column])
    for row in rows:  # each agency's categories add up to its total
        assert sum(number(v) for v in row[3:8]) == number(row[2])
    police = next(r for r in rows if r[1] == "Công an tỉnh")
    assert rows[0] == police  # the most overdue first
    assert number(police[2]) == 1 and number(police[5]) == 1 and police[8] == "-"
    labour = next(r for r in rows if r[1] == "Sở LĐTBXH")
    assert labour[8] == "50%"  # one on time, one late

    text = all_text(document)
    figures = next(line for line in text.split("\n") if line.startswith("Số liệu"))
    assert "4 văn bản giao 7 nhiệm vụ" in figures and "4 nhiệm vụ đã đến hạn" in figures, figures
    assert "trong đó đúng hạn 2 (tỷ lệ 66,7%)" in text

    overdue = body_rows(table_with(document, "Số ngày quá hạn (ngày làm việc)"))
    assert len(overdue) == 1
    assert overdue[0][1].startswith("Bảo đảm an ninh trật tự") and "101/UBND-VX" in overdue[0][1]
    assert overdue[0][3] == "5/9/2019" and overdue[0][4] == "11"  # working days 6/9 .. 20/9

    closed = body_rows(table_with(document, "Ngày hoàn thành"))
    assert len(closed) == 1 and "103/UBND-VX" in closed[0][1] and closed[0][4] == "14/9/2019"
    assert len(document.inline_shapes) == 1  # the per-agency chart


def test_overdue_list_is_sorted_by_days_overdue(sessions, office, cast, tmp_path):
    from tracker.db import transaction
    from tracker.tasks.models import Task

    with transaction(sessions) as s:  # the funding review is now open and overdue since 10/9: fewer days
        task = s.get(Task, office.tasks["on_time"])
        task.status, task.completed_on = "in_progress", None
    with sessions() as s:
        document, _ = reopen(builders.build_summary(s, SEPTEMBER, TODAY), tmp_path)
    rows = body_rows(table_with(document, "Số ngày quá hạn (ngày làm việc)"))
    assert [number(r[4]) for r in rows] == [11, 8]
    assert rows[1][1].startswith("Rà soát kinh phí hỗ trợ 1.234 hộ")


def test_a_past_period_is_judged_as_of_its_last_day(sessions, office, tmp_path):
    # in the week of 2-8 September the review (done 9/9) and the report (done 13/9) were still open
    with sessions() as s:
        document, _ = reopen(builders.build_summary(s, period_from_text("2019-W36"), TODAY), tmp_path)
    counts = {row[1]: number(row[2]) for row in body_rows(table_with(document, "Tình trạng"), total=True)}
    assert counts["Hoàn thành đúng hạn"] == 0 and counts["Quá hạn, chưa hoàn thành"] == 1  # police, due 5/9
    assert counts["Đang thực hiện, chưa đến hạn"] == 5


def test_report_layout_follows_decree_30(sessions, office, tmp_path):
    with sessions() as s:
        document, _ = reopen(builders.build_summary(s, SEPTEMBER, TODAY), tmp_path)
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert Mm(20) <= section.top_margin <= Mm(25) and Mm(20) <= section.bottom_margin <= Mm(25)
    assert Mm(30) <= section.left_margin <= Mm(35) and Mm(15) <= section.right_margin <= Mm(20)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    for run in document.element.body.iter(qn("w:rFonts")):  # no other typeface anywhere in the body
        assert run.get(qn("w:ascii")) in (None, "Times New Roman")
    for style in ("Report Body", "Report Section"):
        size = document.styles[style].font.size
        assert size is None or Pt(13) <= size <= Pt(14)
    # page numbers from page 2: a PAGE field in the header, the first page's header without it
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml and "PAGE" not in section.first_page_header._element.xml
    # header table: issuer left, Quốc hiệu and Tiêu ngữ right; the place and date in italics
    head = document.tables[0]
    assert "VĂN PHÒNG" in head.cell(0, 0).text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head.cell(0, 1).text
    assert "Độc lập - Tự do - Hạnh phúc" in head.cell(0, 1).text
    date_runs = [r for p in head.cell(1, 1).paragraphs for r in p.runs if r.text]
    assert date_runs and all(r.italic for r in date_runs)
    assert head.cell(1, 1).text == "Kiên Giang, ngày 20 tháng 9 năm 2019"
    assert head.cell(1, 0).text.startswith("Số:")
    # every data table repeats its header row on each page
    data_tables = [t for t in document.tables[1:] if len(t.rows) > 1]
    assert len(data_tables) >= 3
    for table in data_tables:
        assert table.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
        assert table.rows[1]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is None
    text = all_text(document)
    assert "Nơi nhận:" in text and "CHÁNH VĂN PHÒNG" in text
    assert "{{" not in text
    # numbered sections
    headings = [p.text for p in document.paragraphs if p.style.name == "Report Section"]
    assert [h.split(".")[0] for h in headings] == ["1", "2", "3", "4", "5"]


def test_agency_report_lists_each_of_its_tasks_once(sessions, office, tmp_path):
    with sessions() as s:
        document, _ = reopen(builders.build_agency_report(s, "labour", SEPTEMBER, TODAY), tmp_path)
    rows = body_rows(table_with(document, "Vai trò"))
    summaries = [r[1].split("\n")[0] for r in rows]
    assert sorted(summaries) == sorted(["Phối hợp triển khai trợ giúp xã hội", "Báo cáo kết quả đợt 1",
                                        "Báo cáo nhanh tình hình lũ"])
    by_summary = {r[1].split("\n")[0]: r for r in rows}
    assert by_summary["Báo cáo kết quả đợt 1"][4] == "Hoàn thành quá hạn (3 ngày làm việc)"
    assert by_summary["Báo cáo kết quả đợt 1"][5] == "13/9/2019"
    assert by_summary["Phối hợp triển khai trợ giúp xã hội"][2] == "Phối hợp"
    text = all_text(document)
    assert "Sở Lao động - Thương binh và Xã hội" in text
    assert "Bảo đảm an ninh trật tự" not in text and "Tổng kết năm 2018" not in text


def test_letter_report_shows_each_task_with_its_state(sessions, office, letter, tmp_path):
    with sessions() as s:
        document, _ = reopen(builders.build_letter_report(s, letter.letter, TODAY), tmp_path)
    rows = body_rows(table_with(document, "Kết quả báo cáo"))
    assert [r[1].split("\n")[0] for r in rows] == ["Sở Tài chính", "Sở LĐTBXH"]
    assert rows[0][1].endswith("(Chủ trì)") and rows[1][1].endswith("(Phối hợp)")
    assert rows[0][3] == "30/9/2019"
    assert rows[0][4] == "Chưa thực hiện\nCòn 6 ngày làm việc"
    assert "871/VP-VHXH" in all_text(document)


def test_letter_report_tells_how_early_a_task_was_done(sessions, office, tmp_path):
    with sessions() as s:
        document, _ = reopen(builders.build_letter_report(s, office.letters[1], TODAY), tmp_path)
    rows = {r[2]: r for r in body_rows(table_with(document, "Kết quả báo cáo"))}
    assert rows["Rà soát kinh phí hỗ trợ 1.234 hộ"][4] == "Hoàn thành\nSớm 1 ngày làm việc"
    assert rows["Báo cáo kết quả đợt 1"][4] == "Hoàn thành\nMuộn 3 ngày làm việc"
    assert rows["Bảo đảm an ninh trật tự"][4] == "Chưa thực hiện\nQuá hạn 11 ngày làm việc"


def test_incoming_register_has_the_columns_of_decree_30_and_every_letter_of_the_period(sessions, office, tmp_path):
    with sessions() as s:
        document, _ = reopen(builders.build_register(s, SEPTEMBER, TODAY), tmp_path)
        from tracker.intake.models import Letter

        expected = sorted(l.received_number for l in s.query(Letter).all()
                          if SEPTEMBER.start <= l.received_on <= SEPTEMBER.end)
    table = table_with(document, "Số đến")
    assert [c.text for c in table.rows[0].cells] == [
        "Ngày đến", "Số đến", "Tác giả", "Số và ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
        "Đơn vị hoặc người nhận", "Ký nhận", "Ghi chú"]
    rows = body_rows(table)
    assert [int(r[1]) for r in rows] == expected and len(expected) == 3
    first = next(r for r in rows if r[3] == "101/UBND-VX")
    assert first[0] == "2/9/2019" and first[4] == "31/8/2019"
    assert first[5] == "Công văn: triển khai chương trình an sinh"
    assert first[6].split("\n") == ["Sở Tài chính", "Sở LĐTBXH", "Công an tỉnh"]
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    text = all_text(document)
    assert "Nơi nhận:" not in text and f"Sổ gồm 3 văn bản, từ số {expected[0]} đến số {expected[-1]}." in text
    assert table.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None


def test_follow_up_register_gives_deadlines_and_progress_per_agency(sessions, office, tmp_path):
    with sessions() as s:
        document, _ = reopen(builders.build_followup(s, SEPTEMBER, TODAY), tmp_path)
    rows = body_rows(table_with(document, "Tiến độ giải quyết"))
    assert len(rows) == 3  # the three letters of September with tasks
    first = next(r for r in rows if "101/UBND-VX" in r[1])
    assert "Công an tỉnh: 5/9/2019" in first[3].split("\n")
    assert "Công an tỉnh: Chưa thực hiện, quá hạn 11 ngày làm việc" in first[4].split("\n")
    second = next(r for r in rows if "102/UBND-KT" in r[1])
    assert second[2] == "Sở Tài chính"  # the cancelled police task is left out
    assert second[3] == "Sở Tài chính: không có hạn"


@pytest.mark.parametrize("kind", ["summary", "register", "followup", "agency"])
def test_an_empty_period_gives_a_short_report_saying_so(sessions, office, tmp_path, kind):
    empty = period_from_text("2018-Q1")
    with sessions() as s:
        build = {"summary": lambda: builders.build_summary(s, empty, TODAY),
                 "register": lambda: builders.build_register(s, empty, TODAY),
                 "followup": lambda: builders.build_followup(s, empty, TODAY),
                 "agency": lambda: builders.build_agency_report(s, "police", empty, TODAY)}[kind]
        document, _ = reopen(build(), tmp_path)
    text = all_text(document)
    assert re.search(r"[Kk]hông có (văn bản đến|nhiệm vụ)", text)
    assert "quý I năm 2018" in text
    data_tables = [t for t in document.tables if t.rows[0]._tr.find(qn("w:trPr")) is not None
                   and t.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None]
    assert data_tables == []  # no empty tables, just the sentence
    assert len(document.inline_shapes) == 0


def test_over_all_time_the_summary_agrees_with_the_dashboard_figures(sessions, office, tmp_path):
    from tracker.reports import data
    from tracker.reports.vn import period_between
    from tracker.tasks.queries import figures
    from tracker.tasks.workflow import workflow_for

    with sessions() as s:
        expected = figures(s, TODAY, workflow_for(s).open_states)
        summary = data.summary_data(s, period_between(D(2000, 1, 1), TODAY), TODAY)
    assert len(summary.units) == expected.tasks == 8  # the February task counts here
    assert len(summary.letters) == expected.letters_with_tasks
    assert summary.done == expected.done and summary.count(data.DONE_ON_TIME) == expected.done_on_time
    assert summary.count(data.OVERDUE) == expected.overdue_open
    assert summary.count(data.IN_PROGRESS) == expected.open_not_due
    assert summary.count(data.NO_DEADLINE) == expected.no_deadline_open


def test_follow_up_register_writes_repeated_lines_once_and_lets_a_very_long_row_break(sessions, cast, office,
                                                                                      tmp_path):
    from tests.reports.conftest import _register
    from tracker.accounts.models import User
    from tracker.db import transaction

    with transaction(sessions) as s:
        clerk = s.get(User, cast.clerk)
        same = [(cast.finance, "lead", f"Việc {i}", dt.date(2019, 9, 30)) for i in range(3)]
        many = [(cast.labour, "cooperate", f"Đợt {i}", dt.date(2019, 10, i + 1)) for i in range(14)]
        _register(s, clerk, same + many, number="120/UBND-VX", received_on=dt.date(2019, 9, 16),
                  subject="nhiều nhiệm vụ")
    with sessions() as s:
        document, _ = reopen(builders.build_followup(s, SEPTEMBER, TODAY), tmp_path)
    table = table_with(document, "Tiến độ giải quyết")
    index, row = next((i, r) for i, r in enumerate(body_rows(table), 1) if "120/UBND-VX" in r[1])
    deadlines = row[3].split("\n")
    assert deadlines[0] == "Sở Tài chính (3 nhiệm vụ): 30/9/2019" and len(deadlines) == 15
    assert "Sở Tài chính (3 nhiệm vụ): Chưa thực hiện, còn 6 ngày làm việc" in row[4].split("\n")
    # 15 lines: the row may break across pages; the short rows stay whole
    assert table.rows[index]._tr.trPr.find(qn("w:cantSplit")) is None
    short = next(i for i, r in enumerate(body_rows(table), 1) if "102/UBND-KT" in r[1])
    assert table.rows[short]._tr.trPr.find(qn("w:cantSplit")) is not None
