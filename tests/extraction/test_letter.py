"""The whole letter: cover and enclosed letters, files of every kind, the command line."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extraction.conftest import (
    EXAMPLES, REPO, agency_key, example_letters, gold_of, letter_docx, make_edxml, make_pdf, text_key,
)
from tests.extraction.test_header import BODY, _mangle
from tracker.extraction.letter import extract_file, extract_text, split_letters
from tracker.extraction.readers import UnreadableDocument
from tracker.extraction.text import normalize

KEYS = ("number", "doc_type", "issuer", "place", "issued_on", "subject", "recipients", "signer", "signer_title",
        "received", "references", "enclosed", "tasks")


def _same_header(got: dict, gold: dict) -> None:
    assert got["number"] == gold["number"]
    assert got["issued_on"] == gold["issued_on"]
    assert agency_key(got["issuer"]) == agency_key(gold["issuer"])
    assert text_key(got["subject"]) == text_key(gold["subject"])
    assert got["signer_title"] == gold["signer_title"]


@pytest.mark.parametrize("path", example_letters(), ids=lambda p: p.name)
def test_extraction_has_every_key_and_the_enclosed_letters(path):
    gold = gold_of(path)
    result = extract_text(path.read_text(encoding="utf-8"))
    assert all(key in result for key in KEYS)
    _same_header(result, gold)
    assert len(result["enclosed"]) == len(gold.get("enclosed") or [])
    for got, expected in zip(result["enclosed"], gold.get("enclosed") or []):
        _same_header(got, expected)
        assert isinstance(got["tasks"], list)
        if expected.get("received"):
            assert got["received"]["number"] == expected["received"]["number"]
            assert got["received"]["date"] == expected["received"]["date"]
            assert agency_key(got["received"]["by"]) == agency_key(expected["received"]["by"])
    if "received" in gold:
        assert (result["received"] or None) == (gold["received"] or None) or (
            result["received"]["number"] == gold["received"]["number"])


def test_stamp_of_the_office_on_the_enclosed_letter_is_attributed_to_the_cover_issuer(kien_giang_text):
    result = extract_text(kien_giang_text)
    assert result["received"] is None
    assert result["enclosed"][0]["received"] == {
        "number": "913", "date": "2019-02-19", "by": "Văn phòng Ủy ban nhân dân tỉnh Kiên Giang"}


def test_cover_references_exclude_those_of_the_enclosed_letter(kien_giang_text):
    result = extract_text(kien_giang_text)
    assert [r["number"] for r in result["references"]] == ["591/LĐTBXH-BTXH"]
    assert "15-NQ/TW" in [r["number"] for r in result["enclosed"][0]["references"]]


def test_an_appendix_form_after_the_signature_is_not_an_enclosed_letter():
    form = ("\n\nPHỤ LỤC\n(Kèm theo Công văn số 5/UBND-KT)\nTÊN CƠ QUAN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\n……, ngày … tháng … năm 2025\nBÁO CÁO\nKết quả thực hiện\n")
    text = ("UBND TỈNH LÀO CAI\nSố: 5/UBND-KT\nV/v việc\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Lào Cai, ngày 01 tháng 7 năm 2025\nKính gửi: Sở Tài chính." + BODY + form)
    assert len(split_letters(normalize(text))) == 1
    assert extract_text(text)["enclosed"] == []


# -- files --------------------------------------------------------------------------------------

def _thai_nguyen() -> str:
    path = EXAMPLES / "letters" / "thai-nguyen-3715-UBND-KGVX-2022.txt"
    if not path.exists():
        pytest.skip("shared example letters not available")
    return path.read_text(encoding="utf-8")


def test_extract_file_gives_the_same_header_from_txt_docx_and_pdf(tmp_path):
    text = _thai_nguyen()
    (tmp_path / "cv.txt").write_text(text, encoding="utf-8")
    (tmp_path / "cv.docx").write_bytes(letter_docx(text))
    (tmp_path / "cv.pdf").write_bytes(make_pdf([line for line in normalize(text).split("\n")]))
    results = [extract_file(tmp_path / name) for name in ("cv.txt", "cv.docx", "cv.pdf")]
    for result in results[1:]:
        for key in ("number", "doc_type", "issuer", "place", "issued_on", "subject", "recipients", "signer",
                    "signer_title", "references"):
            assert result[key] == results[0][key], key


def test_extract_file_of_an_edxml_package_takes_the_header_from_the_xml(tmp_path):
    text = _thai_nguyen()
    package = make_edxml(letter_docx(text), subject="V/v thực hiện kiến nghị sau giám sát", priority="1")
    (tmp_path / "goi.edxml").write_bytes(package)
    result = extract_file(tmp_path / "goi.edxml")
    assert result["number"] == "3715/UBND-KGVX"
    assert result["subject"] == "thực hiện kiến nghị sau giám sát"
    assert result["urgency"] == "Khẩn"
    assert result["due_date"] == "2022-09-30"
    assert result["recipients"] == ["Sở Tài chính"]
    assert result["references"]  # read from the attached letter


def test_unreadable_file_raises_with_a_vietnamese_message(tmp_path):
    (tmp_path / "rong.txt").write_bytes(b"")
    with pytest.raises(UnreadableDocument) as err:
        extract_file(tmp_path / "rong.txt")
    assert "rỗng" in err.value.message
    with pytest.raises(UnreadableDocument) as err:
        extract_file(tmp_path / "khong-co.txt")
    assert "Không tìm thấy tệp" in err.value.message


# -- command line -------------------------------------------------------------------------------

def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tracker.extraction", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=60)


def test_command_prints_exactly_one_json_object(tmp_path):
    path = tmp_path / "cv.txt"
    path.write_text(_thai_nguyen(), encoding="utf-8")
    proc = _run("extract", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["number"] == "3715/UBND-KGVX"
    assert "Thái Nguyên" in proc.stdout  # not \\u-escaped


def test_command_summary_and_unreadable_exit_code(tmp_path):
    path = tmp_path / "cv.txt"
    path.write_text(_thai_nguyen(), encoding="utf-8")
    proc = _run("extract", str(path))
    assert proc.returncode == 0
    assert "3715/UBND-KGVX" in proc.stdout
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.4 rubbish")
    proc = _run("extract", str(bad), "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Không đọc được tệp" in proc.stderr and "PDF" in proc.stderr


# -- robustness ---------------------------------------------------------------------------------

_SOURCES = [p.read_text(encoding="utf-8") for p in example_letters()[:8]]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_extract_text_never_raises_on_random_text(text):
    result = extract_text(text)
    assert isinstance(result["tasks"], list) and isinstance(result["enclosed"], list)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_extract_text_never_raises_on_mangled_letters(seed):
    if not _SOURCES:
        pytest.skip("no example letters")
    rng = random.Random(seed)
    result = extract_text(_mangle(rng.choice(_SOURCES), rng))
    json.dumps(result, ensure_ascii=False)


_COVER_WITHOUT_NOI_NHAN = """UBND TỈNH QUẢNG NGÃI
VĂN PHÒNG
Số: 77/VP-KT
V/v triển khai Công văn số 456/BTC-ĐT của Bộ Tài chính
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày 10 tháng 3 năm 2022
Kính gửi: Sở Tài chính.
Chủ tịch UBND tỉnh giao Sở Tài chính chủ trì, tham mưu thực hiện Công văn số 456/BTC-ĐT ngày 01/3/2022 của Bộ Tài chính (gửi kèm)./.
KT. CHÁNH VĂN PHÒNG
PHÓ CHÁNH VĂN PHÒNG

Lê Thị Hồng

BỘ TÀI CHÍNH
Số: 456/BTC-ĐT
V/v giải ngân vốn đầu tư công
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 01 tháng 3 năm 2022
Kính gửi: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.
Bộ Tài chính đề nghị các địa phương báo cáo trước ngày 31/3/2022./.
Nơi nhận:
- Như trên;
- Lưu: VT, ĐT.
KT. BỘ TRƯỞNG
THỨ TRƯỞNG
Tạ Anh Tuấn"""


@pytest.mark.parametrize("drop_motto", [False, True], ids=["with Quốc hiệu", "enclosed without Quốc hiệu"])
def test_enclosed_letter_after_a_cover_without_noi_nhan(drop_motto):
    text = _COVER_WITHOUT_NOI_NHAN
    if drop_motto:  # the copy lost the enclosed letter's Quốc hiệu: its "Số:" line starts it
        text = text.replace("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nHà Nội", "Hà Nội")
    result = extract_text(text)
    assert (result["number"], result["signer"]) == ("77/VP-KT", "Lê Thị Hồng")
    assert result["signer_title"] == "KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG"
    assert [(e["number"], e["issuer"], e["issued_on"], e["signer"]) for e in result["enclosed"]] == [
        ("456/BTC-ĐT", "Bộ Tài chính", "2022-03-01", "Tạ Anh Tuấn")]


def test_a_recipient_only_informed_gets_no_task_of_the_whole_letter():
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG BÌNH\nSố: 2210/UBND-NC\nV/v rà soát hồ sơ người có công\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nQuảng Bình, ngày 04 tháng 11 năm 2024\n"
        "Kính gửi:\n- Sở Lao động - Thương binh và Xã hội;\n- UBND các huyện, thị xã, thành phố;\n"
        "- Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh (để biết).\n"
        "UBND tỉnh đề nghị các cơ quan, đơn vị rà soát hồ sơ đề nghị công nhận người có công còn tồn đọng, "
        "báo cáo kết quả trước ngày 30/11/2024./.\n"
        "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nTrần Văn Bình"
    )
    result = extract_text(text)
    assert "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh" in result["recipients"]
    assert {agency_key(t["agency"]) for t in result["tasks"]} == {
        agency_key("Sở Lao động - Thương binh và Xã hội"), agency_key("Ủy ban nhân dân các huyện, thị xã, thành phố"),
    }


def test_what_the_reader_noticed_reaches_the_extraction_result():
    """A file with damaged characters is read, and the extraction (what `tracker extract` and the upload show) says so."""
    from tracker.extraction.letter import extract_bytes

    letter = ("ỦY BAN NHÂN DÂN TỈNH AN GIANG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 12/UBND-VP\n"
              "An Giang, ngày 04 tháng 5 năm 2020\nKính gửi: Sở Tài chính.\n"
              "Giao Sở Tài chính chủ trì rà soát kinh phí, báo cáo trước ngày 30/5/2020.\n"
              + "Các cơ quan, đơn vị liên quan phối hợp thực hiện nghiêm túc, đúng tiến độ.\n" * 4).encode("utf-8")
    damaged = letter.replace("rà soát".encode("utf-8"), b"r\xe0 soat")
    result = extract_bytes(damaged, "cong-van.txt")
    assert result["number"] == "12/UBND-VP"
    assert any("không đọc được" in w for w in result.get("warnings") or [])
