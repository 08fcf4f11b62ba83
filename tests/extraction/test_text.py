"""Normalisation of letter text: what the parsers can rely on after normalize()."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extraction.conftest import example_letters, to_tcvn3, to_vni
from tracker.extraction.text import (
    convert_legacy, detect_legacy_encoding, fold, normalize, tcvn3_to_unicode, unify_tone_marks, vni_to_unicode,
)


def test_nfd_text_becomes_nfc():
    nfd = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Vĩnh Phúc")
    assert normalize(nfd) == "Ủy ban nhân dân tỉnh Vĩnh Phúc"


@pytest.mark.parametrize("old, new", [
    ("Uỷ ban nhân dân", "Ủy ban nhân dân"),
    ("UỶ BAN NHÂN DÂN TỈNH THANH HOÁ", "ỦY BAN NHÂN DÂN TỈNH THANH HÓA"),
    ("Sở Văn hoá, Thể thao", "Sở Văn hóa, Thể thao"),
    ("thuỷ lợi, khoẻ mạnh, hoà bình", "thủy lợi, khỏe mạnh, hòa bình"),
])
def test_old_tone_placement_is_unified(old, new):
    assert normalize(old) == new


@pytest.mark.parametrize("word", ["hoàn thành", "quý", "quỹ", "tuyên truyền", "khuyến khích", "hoạt động", "quỷ"])
def test_tone_placement_leaves_other_syllables(word):
    assert unify_tone_marks(word) == word


def test_markdown_marks_are_removed():
    text = "Số: **3715**/UBND-KGVX\n(*có các Báo cáo gửi kèm theo*)\n**KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH**\n____"
    assert normalize(text) == "Số: 3715/UBND-KGVX\n(có các Báo cáo gửi kèm theo)\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n____"


def test_flattened_header_table_cells_become_lines():
    text = "| UBND TỈNH LÀO CAI | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n|---|---|\n| SỞ CÔNG THƯƠNG | Độc lập - Tự do - Hạnh phúc |"
    assert normalize(text).split("\n") == [
        "UBND TỈNH LÀO CAI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SỞ CÔNG THƯƠNG", "Độc lập - Tự do - Hạnh phúc",
    ]


@pytest.mark.parametrize("glued, fixed", [
    ("Kínhgửi: Sở Y tế", "Kính gửi: Sở Y tế"),
    ("Nơinhận:", "Nơi nhận:"),
    ("Hà Nội, ngày09 tháng8 năm2019", "Hà Nội, ngày 09 tháng 8 năm 2019"),
    ("Độclập - Tựdo - Hạnhphúc", "Độc lập - Tự do - Hạnh phúc"),
    ("KT.CHỦ TỊCH", "KT. CHỦ TỊCH"),
])
def test_glued_web_copy_words_are_separated(glued, fixed):
    assert normalize(glued) == fixed


@pytest.mark.parametrize("noisy, clean", [
    ("Công văn số 594/LĐT BXH-BTXH", "Công văn số 594/LĐTBXH-BTXH"),
    ("Công văn số 591/LĐTĐBXH-BTXH", "Công văn số 591/LĐTBXH-BTXH"),
    ("Sở LĐTB XH", "Sở LĐTBXH"),
])
def test_ocr_noise_in_abbreviations_is_repaired(noisy, clean):
    assert normalize(noisy) == clean


def test_pdf_text_layer_artefacts():
    text = (
        "Ký bởi: Bộ Tài chính\nEmail: vanthu@mof.gov.vn\nCơ quan: Bộ Tài chính\nThời gian ký: 05.08.2019 16:42:10 +07:00\n"
        "BỘ TÀI CHÍNH\nThực hiện Nghị quyết số 01/NQ-CP của Chính phủ¹ và\n2\nNghị định số 120/2018/NĐ-\nCP về việc sử-\ndụng vốn"
    )
    assert normalize(text) == (
        "BỘ TÀI CHÍNH\nThực hiện Nghị quyết số 01/NQ-CP của Chính phủ và\n"
        "Nghị định số 120/2018/NĐ-CP về việc sử dụng vốn"
    )


@pytest.mark.parametrize("broken, joined", [
    ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ư-\nơng", "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"),
    ("giao Sở Tài nguyên và Môi trư-\nờng chủ trì", "giao Sở Tài nguyên và Môi trường chủ trì"),
    ("hạ tầng kỹ thuật đô thị và công trình công cộ-\nng", "hạ tầng kỹ thuật đô thị và công trình công cộng"),
    ("Ủy ban nhân dân huy-\nện Mường Khương", "Ủy ban nhân dân huyện Mường Khương"),
    ("nghiên cứu, tham mư-\nu đề xuất", "nghiên cứu, tham mưu đề xuất"),
])
def test_a_word_hyphenated_at_a_line_end_is_joined(broken, joined):
    assert normalize(broken) == joined


@pytest.mark.parametrize("text, expected", [
    ("phát triển kinh tế-\nxã hội", "phát triển kinh tế xã hội"),  # two syllables: no word to join
    ("Kế hoạch số 121/KH-\nUBND ngày 15/10/2024", "Kế hoạch số 121/KH-UBND ngày 15/10/2024"),
    ("Sở Lao động -\nThương binh và Xã hội", "Sở Lao động -\nThương binh và Xã hội"),
])
def test_a_hyphen_between_syllables_or_codes_is_not_a_broken_word(text, expected):
    assert normalize(text) == expected


def test_spaces_tabs_and_dashes_are_plain():
    assert normalize("Số:\u00a0871/VP–VHXH\tKiên Giang") == "Số: 871/VP-VHXH Kiên Giang"


def test_tcvn3_text_is_converted():
    legacy = "Uû ban nh©n d©n tØnh Thanh Ho¸\nSè: 123/UBND-VX\n§­îc tæ chøc thùc hiÖn"
    assert detect_legacy_encoding(legacy) == "tcvn3"
    assert normalize(legacy) == "Ủy ban nhân dân tỉnh Thanh Hóa\nSố: 123/UBND-VX\nĐược tổ chức thực hiện"


def test_tcvn3_capitals_font_lines_become_capitals():
    # .VnTimeH draws lower-case codes as capitals: the converted line must be upper case
    assert normalize("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM") == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def test_vni_text_is_converted():
    legacy = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc\nSôû Taøi chính"
    assert detect_legacy_encoding(legacy) == "vni"
    assert normalize(legacy) == "Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\nSở Tài chính"


@pytest.mark.parametrize("path", example_letters()[:12], ids=lambda p: p.name)
def test_legacy_round_trip_of_real_letters(path):
    text = normalize(path.read_text(encoding="utf-8"))
    lowered = text.lower()  # the capitals font case rule only restores words typed in capitals
    assert normalize(to_tcvn3(lowered)) == lowered
    assert vni_to_unicode(to_vni(text)) == text


@pytest.mark.parametrize("path", example_letters(), ids=lambda p: p.name)
def test_unicode_letters_are_never_taken_for_legacy_text(path):
    text = path.read_text(encoding="utf-8")
    assert detect_legacy_encoding(text) is None
    assert convert_legacy(text) == text


def test_plain_ascii_and_foreign_text_is_not_legacy():
    assert detect_legacy_encoding("Report of the ministry, 2019. Café déjà vu naïve") is None


def test_fold_keeps_positions():
    original = "Ủy ban nhân dân TỈNH Đắk Lắk"
    folded = fold(original)
    assert folded == "uy ban nhan dan tinh dak lak"
    assert len(folded) == len(original)


def test_direct_converters():
    assert tcvn3_to_unicode("Th\u00adêng trùc") == "Thường trực"
    assert vni_to_unicode("Thöôøng tröïc") == "Thường trực"


@pytest.mark.parametrize("path", example_letters()[:8], ids=lambda p: p.name)
def test_normalize_is_idempotent(path):
    once = normalize(path.read_text(encoding="utf-8"))
    assert normalize(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_normalize_never_raises(text):
    result = normalize(text)
    assert isinstance(result, str)
    assert unicodedata.is_normalized("NFC", result)


def test_a_signature_block_flattened_onto_one_line_is_split_again():
    """Web copies glue the signature block: the title lines and the name come apart at the lost breaks."""
    from tracker.extraction.text import normalize

    assert normalize("TM. ỦY BAN NHÂN DÂNCHỦ TỊCH(đã ký)Trần Văn Nam") == "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n(Đã ký)\nTrần Văn Nam"
    assert normalize("KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n\nNguyễn Thị Hoa") == "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n\nNguyễn Thị Hoa"
