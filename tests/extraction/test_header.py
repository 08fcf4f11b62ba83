"""Header parsing: the fields a clerk registers, on real letters and on layouts seen in practice."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extraction.conftest import agency_key, example_letters, gold_of, text_key
from tracker.extraction.header import find_references, normalize_number, parse_header, parse_letter
from tracker.extraction.letter import split_letters
from tracker.extraction.text import fold, normalize

BODY = """
Thực hiện Công văn số 123/BTC-NSNN ngày 02/3/2024 của Bộ Tài chính, Chủ tịch UBND tỉnh có ý kiến như sau:
Giao Sở Tài chính chủ trì, phối hợp với các cơ quan liên quan báo cáo trước ngày 30/4/2024./.
Nơi nhận:
- Như trên;
- CT, các PCT UBND tỉnh;
- Lưu: VT, KT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An"""


def _cover(path) -> str:
    return split_letters(normalize(path.read_text(encoding="utf-8")))[0]


@pytest.mark.parametrize("path", example_letters(), ids=lambda p: p.name)
def test_header_fields_of_example_letters_match_the_gold(path):
    gold = gold_of(path)
    header = parse_header(_cover(path))
    assert header["number"] == gold["number"]
    assert header["issued_on"] == gold["issued_on"]
    assert header["doc_type"] == gold["doc_type"]
    assert agency_key(header["issuer"]) == agency_key(gold["issuer"])
    assert text_key(header["subject"]) == text_key(gold["subject"])
    assert sorted(agency_key(r) for r in header["recipients"]) == sorted(agency_key(r) for r in gold["recipients"])
    assert header["signer_title"] == gold["signer_title"]
    if gold.get("signer"):
        assert header["signer"] == gold["signer"]
    assert header["place"] == gold["place"]


LAYOUTS = {
    "one line": "UBND TỈNH LÀO CAI SỞ CÔNG THƯƠNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
                "Số: 123/SCT-CN Lào Cai, ngày 05 tháng 7 năm 2026 V/v đôn đốc tiến độ đầu tư Kính gửi: Sở Tài chính.",
    "table cells with |": "UBND TỈNH LÀO CAI | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSỞ CÔNG THƯƠNG | Độc lập - Tự do - "
                          "Hạnh phúc\nSố: 123/SCT-CN | Lào Cai, ngày 05 tháng 7 năm 2026\nV/v đôn đốc tiến độ đầu tư\n"
                          "Kính gửi: Sở Tài chính.",
    "columns interleaved": "UBND TỈNH LÀO CAI\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSỞ CÔNG THƯƠNG\n"
                           "Độc lập - Tự do - Hạnh phúc\nSố: 123/SCT-CN\nLào Cai, ngày 05 tháng 7 năm 2026\n"
                           "V/v đôn đốc tiến độ\nđầu tư\n\nKính gửi:\n- Sở Tài chính.",
    "pdf rows": "UBND TỈNH LÀO CAI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSỞ CÔNG THƯƠNG Độc lập - Tự do - Hạnh phúc\n"
                "Số: 123/SCT-CN Lào Cai, ngày 05 tháng 7 năm 2026\nV/v đôn đốc tiến độ\nđầu tư\nKính gửi: Sở Tài chính.",
    "web copy glued": "UBND TỈNH LÀO CAI\nSỞ CÔNG THƯƠNG\nSố:123/SCT-CN\nV/v đôn đốc tiến độ đầu tư\n"
                      "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAMĐộc lập - Tự do - Hạnh phúc\nLào Cai,ngày05 tháng7 năm2026\n"
                      "Kínhgửi: Sở Tài chính.",
    "markdown": "**UBND TỈNH LÀO CAI**\n**SỞ CÔNG THƯƠNG**\n\nSố: **123**/SCT-CN\n\n*V/v đôn đốc tiến độ đầu tư*\n\n"
                "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**\n**Độc lập - Tự do - Hạnh phúc**\n\n"
                "*Lào Cai, ngày 05 tháng 7 năm 2026*\n\n**Kính gửi:** Sở Tài chính.",
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
def test_header_lines_in_any_order_and_layout(layout):
    header = parse_header(LAYOUTS[layout] + BODY)
    assert header["number"] == "123/SCT-CN"
    assert header["doc_type"] == "Công văn"
    assert agency_key(header["issuer"]) == agency_key("Sở Công Thương tỉnh Lào Cai")
    assert header["place"] == "Lào Cai"
    assert header["issued_on"] == "2026-07-05"
    assert header["subject"] == "đôn đốc tiến độ đầu tư"
    assert header["recipients"] == ["Sở Tài chính"]
    assert header["signer"] == "Nguyễn Văn An"
    assert header["signer_title"] == "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"


@pytest.mark.parametrize("block, issuer", [
    ("UBND TỈNH KIÊN GIANG\nVĂN PHÒNG", "Văn phòng Ủy ban nhân dân tỉnh Kiên Giang"),
    ("ỦY BAN NHÂN DÂN\nTỈNH THÁI NGUYÊN", "Ủy ban nhân dân tỉnh Thái Nguyên"),
    ("BỘ LAO ĐỘNG -\nTHƯƠNG BINH VÀ XÃ HỘI", "Bộ Lao động - Thương binh và Xã hội"),
    ("UBND HUYỆN TAM ĐƯỜNG\nPHÒNG TÀI CHÍNH - KẾ HOẠCH", "Phòng Tài chính - Kế hoạch huyện Tam Đường"),
    ("ỦY BAN NHÂN DÂN\nXÃ TÂN LẬP", "Ủy ban nhân dân xã Tân Lập"),
    ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSỞ Y TẾ", "Sở Y tế thành phố Hồ Chí Minh"),
    ("BỘ Y TẾ\nCỤC Y TẾ DỰ PHÒNG", "Cục Y tế dự phòng"),  # the lower line issues; its ministry goes without saying
    ("BỘ TÀI CHÍNH TỔNG CỤC HẢI QUAN", "Tổng cục Hải quan"),  # a web copy that ran both lines together
    ("VĂN PHÒNG CHÍNH PHỦ", "Văn phòng Chính phủ"),
    ("THỦ TƯỚNG CHÍNH PHỦ", "Thủ tướng Chính phủ"),
])
def test_issuer_is_written_out_with_its_parent(block, issuer):
    text = (f"{block}\n-------\nSố: 12/ABC-XY\nV/v một việc\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            f"Độc lập - Tự do - Hạnh phúc\nHà Nội, ngày 10 tháng 01 năm 2019\nKính gửi: Sở Tài chính." + BODY)
    assert agency_key(parse_header(text)["issuer"]) == agency_key(issuer)


def test_decision_title_and_authority_line():
    text = ("ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\n________\nSố: 1234/QĐ-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\nNghệ An, ngày 20 tháng 5 năm 2019\nQUYẾT ĐỊNH\n"
            "Về việc bổ nhiệm lại công chức lãnh đạo\nSở Kế hoạch và Đầu tư\n______\n"
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\nCăn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;\n"
            "QUYẾT ĐỊNH:\nĐiều 1. Bổ nhiệm lại ông Trần Văn B." + BODY)
    header, body = parse_letter(text)
    assert header["doc_type"] == "Quyết định"
    assert header["subject"] == "Về việc bổ nhiệm lại công chức lãnh đạo Sở Kế hoạch và Đầu tư"
    assert agency_key(header["issuer"]) == agency_key("Ủy ban nhân dân tỉnh Nghệ An")
    assert header["recipients"] == []
    assert "Điều 1" in body and "Nơi nhận" not in body


def test_party_directive_with_number_without_colon():
    text = ("TỈNH ỦY LÀO CAI\n*\nSố 12-CT/TU\nĐẢNG CỘNG SẢN VIỆT NAM\nLào Cai, ngày 15 tháng 01 năm 2025\n"
            "CHỈ THỊ\nvề tăng cường sự lãnh đạo của Đảng đối với công tác phòng cháy\n" + BODY)
    header = parse_header(text)
    assert header["number"] == "12-CT/TU"
    assert header["doc_type"] == "Chỉ thị"
    assert agency_key(header["issuer"]) == agency_key("Tỉnh ủy Lào Cai")
    assert header["subject"] == "về tăng cường sự lãnh đạo của Đảng đối với công tác phòng cháy"


def test_blank_number_and_day_of_an_unsigned_letter():
    text = ("UBND TỈNH GIA LAI\nVĂN PHÒNG\nSố:        /VP-KGVX\nV/v triển khai vụ Đông Xuân\n"
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            "Gia Lai, ngày      tháng 11 năm 2025\nKính gửi: Sở Nông nghiệp và Môi trường." + BODY)
    header = parse_header(text)
    assert header["number"] is None
    assert header["symbol"] == "/VP-KGVX"
    assert header["issued_on"] is None
    assert header["place"] == "Gia Lai"
    assert header["subject"] == "triển khai vụ Đông Xuân"


@pytest.mark.parametrize("mark, key, value", [
    ("HỎA TỐC", "urgency", "Hỏa tốc"), ("HOẢ TỐC", "urgency", "Hỏa tốc"), ("KHẨN", "urgency", "Khẩn"),
    ("THƯỢNG KHẨN", "urgency", "Thượng khẩn"), ("MẬT", "secrecy", "Mật"),
])
def test_urgency_and_secrecy_marks(mark, key, value):
    text = (f"{mark}\nBỘ NỘI VỤ\nSố: 12/BNV-TCBC\nV/v thực hiện chế độ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\nHà Nội, ngày 05 tháng 3 năm 2025\nKính gửi: Sở Nội vụ." + BODY)
    header = parse_header(text)
    assert header[key] == value
    assert header["issuer"] == "Bộ Nội vụ"


@pytest.mark.parametrize("entry, names", [
    ("- Các Sở: Tư pháp, Nội vụ, Tài chính;", ["Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính"]),
    ("- Các Sở: Nông nghiệp và Môi trường, Văn hóa, Thể thao và Du lịch;",
     ["Sở Nông nghiệp và Môi trường", "Sở Văn hóa, Thể thao và Du lịch"]),
    ("- UBND các xã: Trấn Yên, Hưng Khánh;", ["Ủy ban nhân dân xã Trấn Yên", "Ủy ban nhân dân xã Hưng Khánh"]),
    ("- UBND các huyện, thành phố;", ["Ủy ban nhân dân các huyện, thành phố"]),
    ("- Chủ tịch UBND các huyện, thị xã;", ["Ủy ban nhân dân các huyện, thị xã"]),
    ("- Công ty TNHH Lâm nghiệp 888 Yên Bái (CCN Phú Thịnh 2);", ["Công ty TNHH Lâm nghiệp 888 Yên Bái"]),
    ("- Bệnh viện Nhi đồng 1, Bệnh viện Nhi đồng 2;", ["Bệnh viện Nhi đồng 1", "Bệnh viện Nhi đồng 2"]),
])
def test_recipient_lists_are_split_per_agency(entry, names):
    text = ("UBND TỈNH LÀO CAI\nSố: 5/UBND-KT\nV/v việc\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            f"Lào Cai, ngày 01 tháng 7 năm 2025\nKính gửi:\n{entry}\n- Công an tỉnh.\n" + BODY)
    got = parse_header(text)["recipients"]
    assert [agency_key(n) for n in got] == [agency_key(n) for n in names + ["Công an tỉnh"]]


def test_recipients_on_one_line_and_list_end():
    text = ("UBND TỈNH LÀO CAI\nSố: 5/UBND-KT\nV/v việc\nLào Cai, ngày 01 tháng 7 năm 2025\n"
            "Kính gửi: Sở Tài chính; Sở Nội vụ\n\nThực hiện chỉ đạo của UBND tỉnh, đề nghị các Sở thực hiện." + BODY)
    assert parse_header(text)["recipients"] == ["Sở Tài chính", "Sở Nội vụ"]


def test_a_recipient_only_informed_is_kept_and_marked():
    text = ("UBND TỈNH LÀO CAI\nSố: 5/UBND-KT\nV/v việc\nLào Cai, ngày 01 tháng 7 năm 2025\nKính gửi:\n"
            "- Sở Tài chính;\n- Kho bạc Nhà nước khu vực IX (để biết);\n- Sở Nội vụ (để b/c).\n" + BODY)
    header = parse_header(text)
    assert header["recipients"] == ["Sở Tài chính", "Kho bạc Nhà nước khu vực IX", "Sở Nội vụ"]
    assert header["recipients_informed"] == ["Kho bạc Nhà nước khu vực IX", "Sở Nội vụ"]


def test_received_stamp_is_read_and_not_taken_for_the_number():
    text = ("BỘ NỘI VỤ\nSố: 4459/BNV- CQĐP\nV/v báo cáo số lượng cán bộ\nCỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\nHà Nội, ngày 16 tháng 9 năm 2016\nVP.UBND TỈNH CÀ MAU\nSố:....5218....\n"
            "ĐẾN Ngày: 21/9/2016\nChuyển: NC\nKính gửi: Ủy ban nhân dân các tỉnh, thành phố." + BODY)
    header = parse_header(text)
    assert header["number"] == "4459/BNV-CQĐP"
    assert header["received"]["number"] == "5218"
    assert header["received"]["date"] == "2016-09-21"
    assert agency_key(header["received"]["by"]) == agency_key("Văn phòng UBND tỉnh Cà Mau")
    assert header["issuer"] == "Bộ Nội vụ"


def test_signature_title_ocr_and_glued_lines():
    tail = "\nNơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. BỘ TRƯỞNG\nTHỦ TRƯỞNG\n(Đã ký)\nLê Văn Thanh"
    text = ("BỘ Y TẾ\nSố: 1/BYT-DP\nV/v việc\nHà Nội, ngày 01 tháng 7 năm 2025\nKính gửi: Sở Y tế.\n"
            "Đề nghị thực hiện./." + tail)
    header = parse_header(text)
    assert header["signer_title"] == "KT. BỘ TRƯỞNG / THỨ TRƯỞNG"
    assert header["signer"] == "Lê Văn Thanh"
    glued = text.replace("KT. BỘ TRƯỞNG\nTHỦ TRƯỞNG", "TL. BỘ TRƯỞNGKT. VỤ TRƯỞNG VỤ KẾ HOẠCHPHÓ VỤ TRƯỞNG")
    assert parse_header(glued)["signer_title"] == "TL. BỘ TRƯỞNG / KT. VỤ TRƯỞNG VỤ KẾ HOẠCH / PHÓ VỤ TRƯỞNG"


def test_copies_to_lists_the_noi_nhan_addressees():
    header = parse_header("UBND TỈNH LÀO CAI\nSố: 5/UBND-KT\nV/v việc\nLào Cai, ngày 01 tháng 7 năm 2025\n"
                          "Kính gửi: Sở Tài chính." + BODY)
    assert header["copies_to"] == ["CT, các PCT UBND tỉnh"]


@pytest.mark.parametrize("noisy, clean", [
    ("591/LĐTĐBXH-BTXH", "591/LĐTBXH-BTXH"), ("181/2024/NĐCP", "181/2024/NĐ-CP"), ("4127 /VP-NC", "4127/VP-NC"),
    ("594/LĐT BXH-BTXH", "594/LĐTBXH-BTXH"), ("12/2019/QĐUBND", "12/2019/QĐ-UBND"), ("15-NQ/TW", "15-NQ/TW"),
    ("08/2022/QĐ-TTg", "08/2022/QĐ-TTg"),
])
def test_number_spelling_noise(noisy, clean):
    assert normalize_number(noisy) == clean


def test_references_with_shared_and_preceding_issuers():
    text = ("Căn cứ chỉ đạo của UBND tỉnh tại Công văn số 3299/UBND-KGVX ngày 14/7/2022, thực hiện Quyết định số "
            "08/2022/QĐ-TTg ngày 28/3/2022 và Quyết định số 791/QĐ-TTg ngày 03/7/2022 của Thủ tướng Chính phủ; "
            "Nghị định số 181/2024/NĐCP ngày 31/12/2024; Công văn số 591/LĐTĐBXH-BTXH ngày 13/02/2019 của Bộ Lao "
            "động - Thương binh và Xã hội “Về việc tăng cường”.")
    refs = find_references(text, {"province": "Thái Nguyên", "level": "tỉnh"})
    assert refs == [
        {"number": "3299/UBND-KGVX", "date": "2022-07-14", "issuer": "Ủy ban nhân dân tỉnh Thái Nguyên"},
        {"number": "08/2022/QĐ-TTg", "date": "2022-03-28", "issuer": "Thủ tướng Chính phủ"},
        {"number": "791/QĐ-TTg", "date": "2022-07-03", "issuer": "Thủ tướng Chính phủ"},
        {"number": "181/2024/NĐ-CP", "date": "2024-12-31", "issuer": "Chính phủ"},
        {"number": "591/LĐTBXH-BTXH", "date": "2019-02-13", "issuer": "Bộ Lao động - Thương binh và Xã hội"},
    ]


def test_letter_without_header_gives_nothing_rather_than_guesses():
    header = parse_header("Đề nghị các đơn vị khẩn trương thực hiện.")
    assert header["number"] is None and header["issuer"] is None and header["issued_on"] is None
    assert header["recipients"] == []


# -- robustness ---------------------------------------------------------------------------------

def _mangle(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 40)):
        op = rng.random()
        i = rng.randrange(len(chars) + 1)
        if op < 0.3 and chars:
            del chars[min(i, len(chars) - 1)]
        elif op < 0.6:
            chars.insert(i, rng.choice("\n |-:/.;*_ĐđƯươơ0123456789"))
        elif chars:
            j = rng.randrange(len(chars))
            chars[j], chars[min(i, len(chars) - 1)] = chars[min(i, len(chars) - 1)], chars[j]
    return "".join(chars)


_SOURCES = [p.read_text(encoding="utf-8")[:3000] for p in example_letters()[:10]]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_parse_header_never_raises_on_random_text(text):
    header = parse_header(text)
    assert isinstance(header["recipients"], list)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_parse_header_never_raises_on_mangled_letters(seed):
    if not _SOURCES:
        pytest.skip("no example letters")
    rng = random.Random(seed)
    header = parse_header(_mangle(rng.choice(_SOURCES), rng))
    assert header["number"] is None or isinstance(header["number"], str)


def test_stamp_date_without_year_takes_the_letter_year():
    text = ("BỘ NỘI VỤ\nSố: 4459/BNV-CQĐP\nV/v báo cáo\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Hà Nội, ngày 16 tháng 12 năm 2016\nVP.UBND TỈNH CÀ MAU\nĐẾN Số: 5218\nNgày: 03/01\n"
            "Kính gửi: Ủy ban nhân dân các tỉnh." + BODY)
    assert parse_header(text)["received"]["date"] == "2017-01-03"  # received after New Year


def test_signature_interleaved_with_noi_nhan_in_a_pdf_text_layer():
    text = ("BỘ TÀI CHÍNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            "Số: 8915/BTC-ĐT Hà Nội, ngày 05 tháng 8 năm 2019\nV/v đẩy nhanh tiến độ\n"
            "Kính gửi: Các Bộ, cơ quan ngang Bộ.\nĐề nghị thực hiện./.\nNơi nhận: KT. BỘ TRƯỞNG\n"
            "- Như trên; THỨ TRƯỞNG\n- Thủ tướng Chính phủ (để b/c);\n- Văn phòng Chính phủ; Đỗ Hoàng Minh\n"
            "- Lưu: VT, Vụ ĐT.")
    header = parse_header(text)
    assert header["signer"] == "Đỗ Hoàng Minh"
    assert header["signer_title"] == "KT. BỘ TRƯỞNG / THỨ TRƯỞNG"
    assert header["copies_to"] == ["Thủ tướng Chính phủ (để b/c)", "Văn phòng Chính phủ"]


def test_cited_letters_of_a_commune_complete_the_district_and_own_committee():
    text = ("UỶ BAN NHÂN DÂN\nXÃ TÂN LẬP\nSố: 156 /UBND\nV/v rà soát hộ nghèo\nCỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Tân Lập, ngày 28 tháng 10 năm 2020\nKính gửi: Các thôn trên địa bàn xã.\n"
            "Căn cứ Kế hoạch số 214/KH-UBND ngày 23/10/2020 của UBND huyện Đồng Phú; Hướng dẫn số 38/HD-LĐT BXH "
            "ngày 26/10/2020 của Phòng Lao động - TB&XH huyện, thực hiện Công văn số 140/UBND ngày 01/10/2020, "
            "UBND xã đề nghị các thôn thực hiện./." + BODY)
    refs = {r["number"]: r for r in parse_header(text)["references"]}
    assert agency_key(refs["214/KH-UBND"]["issuer"]) == agency_key("Ủy ban nhân dân huyện Đồng Phú")
    assert agency_key(refs["38/HD-LĐTBXH"]["issuer"]) == agency_key(
        "Phòng Lao động - Thương binh và Xã hội huyện Đồng Phú")
    assert refs["38/HD-LĐTBXH"]["date"] == "2020-10-26"


def test_a_letter_flattened_into_one_line_keeps_its_header():
    text = ("UBND TỈNH KIÊN GIANG VĂN PHÒNG Số: 871/VP-VHXH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - "
            "Hạnh phúc Kiên Giang, ngày 21 tháng 02 năm 2019 V/v chỉ đạo tăng cường trợ giúp xã hội. Kính gửi: "
            "Sở Lao động - Thương binh và Xã hội. Ủy ban nhân dân tỉnh Kiên Giang đã nhận Công văn số 591/LĐTBXH-BTXH "
            "ngày 13/02/2019 của Bộ Lao động - Thương binh và Xã hội. " + "Giao Sở chủ trì thực hiện. " * 80)
    header = parse_header(text)
    assert header["number"] == "871/VP-VHXH"
    assert header["issuer"] == "Văn phòng Ủy ban nhân dân tỉnh Kiên Giang"
    assert header["issued_on"] == "2019-02-21"
    assert header["subject"] == "chỉ đạo tăng cường trợ giúp xã hội"
    assert header["recipients"] == ["Sở Lao động - Thương binh và Xã hội"]


def test_a_glued_unit_code_after_the_issuer_is_kept_as_printed():
    """Only the type code that opens a part is split ("NĐCP" -> "NĐ-CP"); a unit code such as a
    department's office ("TTBVTV", "TTCNTT") after the issuer's code is printed glued on purpose."""
    from tracker.extraction.header import normalize_number

    assert normalize_number("215/SYT-TTCNTT") == "215/SYT-TTCNTT"
    assert normalize_number("88/2021/QĐUBND") == "88/2021/QĐ-UBND"


def test_issuer_run_into_the_portal_title_line_is_read():
    """A web copy puts the page title, the issuer block and its rule on one line; the title is not the issuer."""
    text = ("Công văn 778/TCHQ-GSQL. BỘ TÀI CHÍNH TỔNG CỤC HẢI QUAN ------- CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM "
            "Độc lập - Tự do - Hạnh phúc ---------------\nSố: 778/TCHQ-GSQL V/v xử lý vướng mắc\n"
            "Hà Nội, ngày 13 tháng 02 năm 2017 Kính gửi: Cục Hải quan các tỉnh, thành phố.\n" + BODY)
    header = parse_header(text)
    assert agency_key(header["issuer"]) == agency_key("Tổng cục Hải quan")
    assert header["number"] == "778/TCHQ-GSQL"
    text = ("Công văn 2739/VPCP-ĐMDN năm 2019 về quản trị do Văn phòng Chính phủ ban hành. VĂN PHÒNG CHÍNH PHỦ -------\n"
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc ---------------\n"
            "Số: 2739/VPCP-ĐMDN V/v quy định về quản trị doanh nghiệp\n"
            "Hà Nội, ngày 05 tháng 04 năm 2019 Kính gửi: Bộ Kế hoạch và Đầu tư.\n" + BODY)
    header = parse_header(text)
    assert agency_key(header["issuer"]) == agency_key("Văn phòng Chính phủ")
    assert header["subject"] == "quy định về quản trị doanh nghiệp"


def test_a_body_quoted_by_a_portal_takes_its_number_and_date_from_the_closing_citation():
    """A Q&A page quotes only the operative part, under the page's own capital headings, and names the letter last."""
    text = ("THÔNG TIN Ý KIẾN\nThôn An Phú, xã Hòa Bình, huyện Cam Lộ, tỉnh Quảng Trị\n"
            "Về việc sửa chữa cầu dân sinh ở thôn An Phú.\nTHÔNG TIN PHẢN HỒI\n\n"
            "UBND tỉnh có ý kiến như sau:\nGiao UBND huyện Cam Lộ kiểm tra, xử lý và trả lời công dân; "
            "hoàn thành trong tháng 5/2024.\n\n(Theo Công văn số: 1234/UBND-KT, ngày 06/5/2024)\n")
    header, body = parse_letter(text)
    assert header["number"] == "1234/UBND-KT"
    assert header["issued_on"] == "2024-05-06"
    assert header["doc_type"] == "Công văn"
    assert agency_key(header["issuer"]) == agency_key("Ủy ban nhân dân tỉnh Quảng Trị")
    assert header["subject"] is None  # the petition's title is not the letter's subject
    assert "Giao UBND huyện Cam Lộ" in body


def test_a_body_that_opens_with_a_dated_sentence_has_no_issue_date():
    """"Ngày 20/7/2018, UBND tỉnh nhận được ..." is the body's first sentence, not the letter's date."""
    text = ("Ngày 20/7/2018, Ủy ban nhân dân tỉnh nhận được Văn bản số 12/BCT-CTĐP ngày 18/7/2018 của Bộ Công Thương.\n"
            "Sau khi xem xét, Chủ tịch UBND tỉnh có ý kiến chỉ đạo:\n"
            "Giao Sở Công Thương chủ trì, phối hợp với các đơn vị liên quan báo cáo trước ngày 10/8/2018.\n")
    header, _ = parse_letter(text)
    assert header["issued_on"] is None
    assert header["number"] is None
    assert fold(header["issuer"] or "").startswith("uy ban nhan dan tinh")


def test_a_spaced_unit_code_with_a_dot_stays_in_the_number():
    assert normalize_number("4303/VPCP-V.I") == "4303/VPCP-V.I"
    text = ("VĂN PHÒNG CHÍNH PHỦ\nSố:  4303 / VPCP - V .I\nV/v giải quyết kiến nghị\n"
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nHà Nội, ngày 26 tháng 5 năm 2016\nKính gửi: Bộ Tài chính.\n" + BODY)
    assert parse_header(text)["number"] == "4303/VPCP-V.I"


def test_a_pasted_body_is_accepted_and_prose_is_not():
    """Issue 13: text that is only a body (a portal's print page) is read, not refused; a recipe still is."""
    from tracker.extraction.readers import UnreadableDocument, check_letter

    check_letter("Sau khi xem xét, Chủ tịch UBND tỉnh có ý kiến chỉ đạo: Giao Sở Công Thương chủ trì, phối hợp "
                 "với các đơn vị liên quan đánh giá, tổng hợp báo cáo kết quả thực hiện.")
    with pytest.raises(UnreadableDocument):
        check_letter("Cho bột vào tô, thêm nước và khuấy đều cho đến khi hỗn hợp mịn. Để bột nghỉ khoảng mười lăm "
                     "phút rồi tráng bánh trên chảo nóng, lật mặt khi bánh vàng đều.")


def test_a_flattened_decision_title_keeps_its_cited_numbers_and_stops_at_the_authority_line():
    """The number, place-date, type and an upper-case V/V title on one line; a cited "KẾ HOẠCH SỐ ..." inside the
    title is not the letter's number, and the authority line before "Căn cứ" is not part of the title."""
    text = ("ỦY BAN NHÂN DÂN TỈNH KON TUM\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc\n"
            "Số: 435/QĐ-UBND Kon Tum, ngày 04 tháng 5 năm 2020 QUYẾT ĐỊNH V/V BAN HÀNH CHƯƠNG TRÌNH HÀNH ĐỘNG "
            "TRIỂN KHAI KẾ HOẠCH SỐ 119-KH/TU NGÀY 18 THÁNG 12 NĂM 2019 CỦA BAN THƯỜNG VỤ TỈNH ỦY ỦY BAN NHÂN DÂN TỈNH KON TUM\n"
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\nQUYẾT ĐỊNH:\nĐiều 1. Ban hành kèm theo "
            "Quyết định này Chương trình hành động.\n")
    header = parse_header(text)
    assert header["number"] == "435/QĐ-UBND"
    assert header["doc_type"] == "Quyết định"
    assert header["issued_on"] == "2020-05-04"
    assert header["subject"] == ("BAN HÀNH CHƯƠNG TRÌNH HÀNH ĐỘNG TRIỂN KHAI KẾ HOẠCH SỐ 119-KH/TU NGÀY 18 THÁNG 12 "
                                 "NĂM 2019 CỦA BAN THƯỜNG VỤ TỈNH ỦY")


def test_a_place_date_line_broken_after_the_day_is_joined():
    """Issue 13, shape 4: "Hà Nội, ngày 03" / "tháng 12 năm 2025" (a table cell, a page width) is one date."""
    text = ("BỘ TÀI CHÍNH\n-------\nSố: 12/BTC-NSNN\nV/v quyết toán\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Hà Nội, ngày 03\ntháng 12 năm 2025\nKính gửi: Sở Tài chính." + BODY)
    header = parse_header(text)
    assert header["issued_on"] == "2025-12-03"
    assert header["place"] == "Hà Nội"
