"""Bad input, the template an office re-brands, Vietnamese formatting, the chart and the command."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import struct
import subprocess
import zlib

import pytest
from docx import Document

from tests.reports.conftest import TODAY, all_text, reopen
from tracker.reports import builders
from tracker.reports.chart import CATEGORY_COLOURS, agency_bar_chart
from tracker.reports.cli import report_group
from tracker.reports.template import TemplateError, default_template_path
from tracker.reports.vn import (ReportInputError, period_between, period_from_text, vn_date, vn_long_date,
                                vn_number, vn_percent)

D = dt.date


def test_vietnamese_numbers_dates_and_periods():
    assert vn_number(1234) == "1.234" and vn_number(50000) == "50.000" and vn_number(7) == "7"
    assert vn_percent(66.7) == "66,7%" and vn_percent(50.0) == "50%" and vn_percent(None) == "-"
    assert vn_date(D(2019, 9, 30)) == "30/9/2019"
    assert vn_long_date(D(2020, 1, 5)) == "ngày 05 tháng 01 năm 2020"
    assert vn_long_date(D(2019, 9, 30)) == "ngày 30 tháng 9 năm 2019"
    q3 = period_from_text("2019-Q3")
    assert (q3.start, q3.end, q3.label) == (D(2019, 7, 1), D(2019, 9, 30), "quý III năm 2019")
    assert period_from_text("2019-02").end == D(2019, 2, 28)
    assert period_from_text("2019").label == "năm 2019"
    week = period_from_text("2019-W38")
    assert (week.start, week.end) == (D(2019, 9, 16), D(2019, 9, 22))


@pytest.mark.parametrize("text", ["2019-Q5", "2019-13", "tháng 9", ""])
def test_a_period_that_cannot_be_read_is_refused_in_vietnamese(text):
    with pytest.raises(ReportInputError, match="Kỳ báo cáo .* không hợp lệ"):
        period_from_text(text)


def test_an_end_before_the_start_is_refused():
    with pytest.raises(ReportInputError) as caught:
        period_between(D(2019, 9, 30), D(2019, 9, 1))
    assert str(caught.value).startswith("Ngày kết thúc (1/9/2019) trước ngày bắt đầu (30/9/2019)")


def test_unknown_agency_and_letter_get_a_clear_message(sessions, office):
    with sessions() as s:
        with pytest.raises(ReportInputError, match="Không có cơ quan “army” trong danh mục"):
            builders.build_agency_report(s, "army", period_from_text("2019-09"), TODAY)
        with pytest.raises(ReportInputError, match="Không có văn bản “99999”"):
            builders.build_letter_report(s, 99999, TODAY)


def test_a_letter_is_found_by_its_incoming_number(sessions, office, tmp_path):
    from tracker.intake.models import Letter

    with sessions() as s:
        letter = s.get(Letter, office.letters[1])
        key = f"{letter.received_number}/{letter.received_year}"
        document, _ = reopen(builders.build_letter_report(s, key, TODAY), tmp_path)
    assert "101/UBND-VX" in all_text(document)


def test_a_damaged_template_is_named_in_the_message(sessions, office, tmp_path):
    broken = tmp_path / "mau-hong.docx"
    broken.write_bytes(b"PK\x03\x04 this is not a zip")
    with sessions() as s, pytest.raises(TemplateError) as caught:
        builders.build_summary(s, period_from_text("2019-09"), TODAY, template=broken)
    assert str(broken) in str(caught.value) and "bị hỏng" in str(caught.value)


def test_a_template_without_the_body_line_is_refused(sessions, tmp_path):
    plain = tmp_path / "khong-body.docx"
    Document().save(str(plain))
    with sessions() as s, pytest.raises(TemplateError, match=r"thiếu chỗ đặt nội dung"):
        builders.build_summary(s, period_from_text("2019-09"), TODAY, template=plain)


def test_an_office_rebrands_the_template_in_word_without_touching_code(sessions, office, tmp_path):
    document = Document(str(default_template_path()))
    for paragraph in document.tables[0].cell(0, 0).paragraphs:
        for run in paragraph.runs:
            run.text = run.text.replace("UBND TỈNH KIÊN GIANG", "UBND TỈNH AN GIANG")
    for paragraph in document.tables[0].cell(1, 1).paragraphs:
        for run in paragraph.runs:
            run.text = run.text.replace("Kiên Giang", "An Giang")
    rebranded = tmp_path / "an-giang.docx"
    document.save(str(rebranded))
    with sessions() as s:
        result, _ = reopen(builders.build_summary(s, period_from_text("2019-09"), TODAY, template=rebranded,
                                                  signer="Trần Văn B"), tmp_path)
    head = result.tables[0]
    assert "UBND TỈNH AN GIANG" in head.cell(0, 0).text
    assert head.cell(1, 1).text == "An Giang, ngày 20 tháng 9 năm 2019"
    assert "Trần Văn B" in all_text(result)


def _png_size_and_pixels(png: bytes):
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    position, data = 8, b""
    while position < len(png):
        length = struct.unpack(">I", png[position:position + 4])[0]
        kind = png[position + 4:position + 8]
        if kind == b"IDAT":
            data += png[position + 8:position + 8 + length]
        position += 12 + length
    raw = zlib.decompress(data)
    assert len(raw) == height * (1 + 3 * width)
    return width, height, raw


def test_the_chart_is_a_valid_png_with_one_bar_per_agency():
    width, height, raw = _png_size_and_pixels(agency_bar_chart([[3, 1, 2, 0, 0], [0, 0, 0, 5, 1]], width=400))
    assert width == 400 and height == 2 * 34 + 20
    colours = {raw[i:i + 3] for y in range(height) for i in range(y * (1 + 3 * width) + 1, (y + 1) * (1 + 3 * width), 3)}
    for used in (0, 1, 2, 3, 4):
        assert bytes(CATEGORY_COLOURS[used]) in colours


# -- the command ------------------------------------------------------------------------------------------------

def test_the_command_writes_each_report(app, office, tmp_path):
    runner = app.test_cli_runner()
    for kind, extra in (("summary", ["--period", "2019-09"]), ("agency", ["--period", "2019-Q3", "--agency", "police"]),
                        ("register", ["--from", "2019-09-01", "--to", "30/9/2019"]),
                        ("followup", ["--period", "2019"]), ("letter", ["--letter", str(office.letters[1])])):
        target = tmp_path / f"{kind}.docx"
        result = runner.invoke(report_group, [kind, *extra, "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert "Đã ghi báo cáo" in result.output
        assert Document(str(target)).tables  # a real Word file


@pytest.mark.parametrize("args, message", [
    (["summary", "--from", "2019-09-30", "--to", "2019-09-01"], "Ngày kết thúc (1/9/2019) trước ngày bắt đầu"),
    (["summary", "--from", "2019-09-01"], "Cần cả --from và --to"),
    (["summary", "--period", "2019-Q9"], "Kỳ báo cáo “2019-Q9” không hợp lệ"),
    (["agency", "--period", "2019", "--agency", "army"], "Không có cơ quan “army”"),
    (["agency", "--period", "2019"], "Cần --agency"),
    (["letter", "--letter", "424242"], "Không có văn bản “424242”"),
])
def test_the_command_explains_bad_input(app, office, tmp_path, args, message):
    target = tmp_path / "x.docx"
    result = app.test_cli_runner().invoke(report_group, [*args, "-o", str(target)])
    assert result.exit_code == 1 and message in result.output, result.output
    assert not target.exists()


def test_the_command_names_a_damaged_template(app, office, tmp_path):
    broken = tmp_path / "hong.docx"
    broken.write_text("không phải Word")
    result = app.test_cli_runner().invoke(report_group, ["summary", "--period", "2019-09", "--template", str(broken),
                                                         "-o", str(tmp_path / "x.docx")])
    assert result.exit_code == 1 and str(broken) in result.output


# -- a real office suite ----------------------------------------------------------------------------------------

def test_libreoffice_opens_the_summary_and_makes_a_pdf(sessions, office, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("TRACKER_TEST_OFFICE") == "1":
            pytest.fail("TRACKER_TEST_OFFICE=1 but soffice is not on PATH")
        pytest.skip("LibreOffice (soffice) is not installed")
    with sessions() as s:
        _, path = reopen(builders.build_summary(s, period_from_text("2019-09"), TODAY), tmp_path, "bao-cao.docx")
    profile = tmp_path / "lo-profile"  # its own profile: parallel runs and a user's open LibreOffice don't clash
    done = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.is_file(), done.stdout + done.stderr
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 1
    first = reader.pages[0].extract_text()
    # pypdf splits Vietnamese stacked diacritics; these words come out whole
    assert "VĂN PHÒNG" in first and "KIÊN GIANG" in first
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 in points


def test_long_delays_are_written_with_a_thousands_dot():
    from tracker.reports.builders import _view_text
    from tracker.tasks.status import DeadlineStatus, DeadlineView

    assert _view_text(DeadlineView(DeadlineStatus.OVERDUE, -1789)) == "Quá hạn 1.789 ngày làm việc"
    assert _view_text(DeadlineView(DeadlineStatus.OVERDUE, -11)) == "Quá hạn 11 ngày làm việc"
