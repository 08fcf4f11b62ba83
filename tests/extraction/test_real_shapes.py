"""Shapes of real letters (issue 13), each in a made-up letter of the same shape.

The real letters that taught these rules are scored by the per-letter check (test_gold_check.py); these
examples keep each rule from being lost when the real sets are not beside the repository.
"""

from __future__ import annotations

from tests.extraction.conftest import agency_key
from tracker.extraction.letter import extract_text

HEAD = ("ỦY BAN NHÂN DÂN TỈNH AN GIANG\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Số: 12/QĐ-UBND\nAn Giang, ngày 04 tháng 5 năm 2020\n")


def pairs(result: dict) -> set[tuple[str, str]]:
    """The (agency, role) pairs proposed, agencies keyed as the tests compare them."""
    return {(agency_key(t["agency"]), t["role"]) for t in result["tasks"]}


def test_a_programme_printed_after_the_decisions_signature_gives_the_tasks():
    """A decision issues a programme printed after its signature with no header of its own."""
    site = "Quyết định 12/QĐ-UBND năm 2020. "
    text = (site + HEAD + "QUYẾT ĐỊNH\nVề việc ban hành Chương trình hành động về quan hệ lao động\n"
            "QUYẾT ĐỊNH:\n" + site + "Điều 1.\nBan hành kèm theo Quyết định này Chương trình hành động về quan hệ lao động.\n"
            + site + "Điều 2.\nGiám đốc các sở, thủ trưởng các đơn vị liên quan chịu trách nhiệm thi hành Quyết định này./.\n"
            "Nơi nhận:\n- Như Điều 2;\n- Lưu VT.\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An\n\n"
            + site + "CHƯƠNG TRÌNH HÀNH ĐỘNG\nVỀ QUAN HỆ LAO ĐỘNG\nI. NỘI DUNG\n"
            "1. Rà soát, kiến nghị hoàn thiện thủ tục giải quyết tranh chấp lao động.\n"
            "- Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với Liên đoàn Lao động tỉnh; Ủy ban nhân dân các huyện, thành phố.\n"
            "- Thời gian thực hiện: Hoàn thành trong quý III/2020.\n"
            "2. Tuyên truyền pháp luật lao động.\n"
            "- Cơ quan thực hiện: Các sở, ban, ngành; Ủy ban nhân dân các huyện, thành phố.\n"
            "- Thời gian thực hiện: Thực hiện thường xuyên.\n")
    result = extract_text(text)
    found = pairs(result)
    assert (agency_key("Sở Nội vụ"), "lead") in found
    assert (agency_key("Liên đoàn Lao động tỉnh"), "cooperate") in found
    assert (agency_key("Ủy ban nhân dân các huyện, thành phố"), "cooperate") in found
    assert (agency_key("Ủy ban nhân dân các huyện, thành phố"), "lead") in found  # item 2
    assert not any("ban nganh" in a for a, _ in found)  # a bare "các sở, ban, ngành" names nobody
    lead = next(t for t in result["tasks"] if agency_key(t["agency"]) == agency_key("Sở Nội vụ"))
    assert lead["deadline"] == "2020-09-30"
    assert "Quyết định 12/QĐ-UBND năm 2020" not in lead["source"]


BODY_HEAD = ("VĂN PHÒNG CHÍNH PHỦ\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
             "Số: 100/VPCP-CN\nV/v giải quyết kiến nghị\nHà Nội, ngày 03 tháng 06 năm 2016\n"
             "Kính gửi: Ủy ban nhân dân tỉnh Bình Định.\n")


def test_background_told_about_others_is_no_task_and_glued_noi_nhan_ends_the_body():
    text = (BODY_HEAD + "Công ty TNHH Hoa Sen có đơn gửi Thủ tướng Chính phủ kiến nghị về việc giao đất.\n"
            "Báo Đầu tư ngày 12 tháng 5 năm 2016 đưa tin về việc chậm giao đất.\n"
            "Về việc này, Phó Thủ tướng có ý kiến như sau:\nỦy ban nhân dân tỉnh Bình Định kiểm tra, giải quyết kiến nghị "
            "của Công ty, báo cáo Thủ tướng Chính phủ trước ngày 15 tháng 7 năm 2016.\n"
            "Văn phòng Chính phủ thông báo để Ủy ban nhân dân tỉnh Bình Định biết, thực hiện./.Nơi nhận:\n"
            "- Như trên;\n- Công ty TNHH Hoa Sen: 12 Lê Lợi, thành phố Quy Nhơn;\n- VPCP: BTCN, các Vụ: KTN, TH;\n- Lưu: VT.\n"
            "KT. BỘ TRƯỞNG, CHỦ NHIỆM\nPHÓ CHỦ NHIỆM\nNguyễn Văn B\n")
    result = extract_text(text)
    assert pairs(result) == {(agency_key("Ủy ban nhân dân tỉnh Bình Định"), "lead")}
    assert result["tasks"][0]["deadline"] == "2016-07-15"


def test_cases_and_health_abbreviations_in_a_ministrys_guidance():
    text = ("BỘ Y TẾ\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nSố: 50/BYT-BH\n"
            "V/v hướng dẫn thanh toán\nHà Nội, ngày 02 tháng 02 năm 2021\nKính gửi: Bảo hiểm xã hội các tỉnh.\n"
            "1. Các trường hợp miễn cùng chi trả: thực hiện theo quy định tại Điều 22 Luật Bảo hiểm y tế.\n"
            "2. Đề nghị Bảo hiểm xã hội các tỉnh chủ động phối hợp với các cơ sở KCB BHYT triển khai thực hiện.\n"
            "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nNguyễn Văn C\n")
    found = pairs(extract_text(text))
    assert not any(a.startswith("truong hop") or "truong hop" in a for a, _ in found)
    assert (agency_key("Các cơ sở khám bệnh, chữa bệnh bảo hiểm y tế"), "cooperate") in found


def test_body_run_into_the_kinh_gui_line_and_a_comrade_chairman_addressed():
    """A flattened copy runs the body into "Kính gửi"; "Đ/c Chủ tịch UBND tỉnh" asked to direct the points below
    makes the committee lead each point."""
    text = ("BỘ Y TẾ\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nSố: 384/BYT-KCB\n"
            "V/v cấp chứng chỉ hành nghề\nHà Nội, ngày 27 tháng 01 năm 2014 Kính gửi: Ủy ban nhân dân các tỉnh, thành phố "
            "trực thuộc Trung ương Trong thời gian qua, nhiều địa phương đã triển khai tốt việc cấp chứng chỉ.\n"
            "Để bảo đảm hoạt động đúng quy định, Bộ Y tế đề nghị Đ/c Chủ tịch UBND tỉnh, thành phố tiếp tục chỉ đạo "
            "thực hiện một số nội dung sau:\n1. Đầu tư, nâng cấp cơ sở hạ tầng đối với cơ sở khám bệnh, chữa bệnh.\n"
            "2. Rà soát việc cấp giấy phép hoạt động theo quy định.\nTrân trọng cảm ơn./.\n"
            "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nNguyễn Văn D\n")
    result = extract_text(text)
    assert result["recipients"] == ["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]
    assert pairs(result) == {(agency_key("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"), "lead")}


def test_a_group_that_has_the_duty_and_a_reply_sent_for_action():
    text = (HEAD.replace("12/QĐ-UBND", "45/TB-UBND") + "THÔNG BÁO\nVề việc treo cờ Tổ quốc\n\nĐể chào mừng ngày lễ, Ủy ban nhân dân tỉnh thông báo:\n"
            "Ủy ban nhân dân các phường, xã có trách nhiệm chỉ đạo, kiểm tra, nhắc nhở việc treo cờ Tổ quốc.\n"
            "Nơi nhận:\n- Lưu: VT.\nTL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\nNguyễn Văn E\n")
    assert pairs(extract_text(text)) == {(agency_key("Ủy ban nhân dân các phường, xã"), "lead")}
    reply = ("BỘ KẾ HOẠCH VÀ ĐẦU TƯ\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
             "Số: 3397/BKHĐT-QLKTTW\nV/v hướng dẫn áp dụng Luật Doanh nghiệp\nHà Nội, ngày 03 tháng 6 năm 2019\n"
             "Kính gửi: Tổng công ty Khí Việt Nam - CTCP (PV GAS)\nPhúc đáp Công văn số 615/KVN-PC, Bộ Kế hoạch và Đầu tư "
             "có ý kiến như sau: Điều 162 Luật Doanh nghiệp quy định về hợp đồng, giao dịch phải được chấp thuận.\n"
             "Trên đây là ý kiến của Bộ Kế hoạch và Đầu tư gửi Tổng công ty Khí Việt Nam - CTCP (PV GAS) để tham khảo "
             "thực hiện./.\nNơi nhận:\n- Như trên;\n- Lưu: VT.\nTL. BỘ TRƯỞNG\nCHÁNH VĂN PHÒNG\nNguyễn Văn F\n")
    found = pairs(extract_text(reply))
    assert len(found) == 1
    agency, role = found.pop()
    assert agency.startswith("tong cong ty khi viet nam") and role == "lead"


def test_schools_named_in_short_mean_each_kind_addressed_and_a_closing_date_binds_them_all():
    text = ("Kính gửi:\n- Hiệu trưởng các trường MN - MG,\n- Hiệu trưởng các trường Tiểu học,\n"
            "- Hiệu trưởng các trường THCS.\n"
            "Đề nghị Hiệu trưởng các trường rà soát lại việc thu quỹ phòng, chống thiên tai của đơn vị mình.\n"
            "Các đơn vị thực hiện trước ngày 24/3/2016.\n")
    result = extract_text(text)
    found = pairs(result)
    assert found == {(agency_key(a), "lead") for a in
                     ("Các trường mầm non - mẫu giáo", "Các trường tiểu học", "Các trường trung học cơ sở")}
    assert {t["deadline"] for t in result["tasks"]} == {"2016-03-24"}


def test_syllables_run_together_by_a_web_copy_are_parted():
    """Issue 13, shape 9: "Giao thôngvận tải", "nhân dântỉnh"; words that are not Vietnamese are never cut."""
    from tracker.extraction.text import normalize

    assert normalize("Sở Giao thôngvận tải") == "Sở Giao thông vận tải"
    assert normalize("Ủy ban nhân dântỉnh An Giang") == "Ủy ban nhân dân tỉnh An Giang"
    assert normalize("họp trực tuyến online về Covid") == "họp trực tuyến online về Covid"
    assert normalize("Nguyễn Thị Khoảng nghiêng") == "Nguyễn Thị Khoảng nghiêng"
    text = ("Kính gửi: Sở Giao thông vận tải.\nGiao Sở Giao thôngvận tải chủ trì rà soát các tuyến đường, "
            "báo cáo trước ngày 30/4/2025.\n")
    assert (agency_key("Sở Giao thông vận tải"), "lead") in pairs(extract_text(text))


def test_the_offices_catalog_names_what_the_lexicon_does_not_know():
    """Issue 13: the office's own agency catalog, with its aliases, is fed into the recogniser."""
    text = ("Kính gửi: Các sở, ban, ngành tỉnh.\nGiao Trung tâm Điều hành đô thị thông minh Long Xuyên chủ trì, "
            "phối hợp với Quỹ Bảo lãnh tín dụng An Giang rà soát quy trình, báo cáo trước ngày 30/6/2025.\n")
    alone = pairs(extract_text(text))
    assert (agency_key("Trung tâm Điều hành đô thị thông minh Long Xuyên"), "lead") not in alone  # read as "Trung tâm Điều"
    known = ("Trung tâm Điều hành đô thị thông minh Long Xuyên", "Quỹ Bảo lãnh tín dụng An Giang")
    found = pairs(extract_text(text, known_agencies=known))
    assert (agency_key("Trung tâm Điều hành đô thị thông minh Long Xuyên"), "lead") in found
    assert (agency_key("Quỹ Bảo lãnh tín dụng An Giang"), "cooperate") in found
