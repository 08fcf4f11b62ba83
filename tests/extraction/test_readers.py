"""Reading letters from files: encodings, Word layouts, PDF text layers, edXML, and refusals."""

from __future__ import annotations

import base64
import io
import unicodedata
import zipfile

import pytest

from tests.extraction.conftest import EXAMPLES, letter_docx, make_edxml, make_pdf, to_tcvn3, to_vni
from tracker.extraction import edxml
from tracker.extraction.header import parse_header
from tracker.extraction.readers import UnreadableDocument, check_letter, read_document, read_pasted_text
from tracker.extraction.text import normalize

HEADER_KEYS = ("number", "doc_type", "issuer", "place", "issued_on", "subject", "recipients", "signer", "signer_title")

SHORT_LETTER = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG BÌNH
Số: 125/UBND-KT
V/v tăng cường phòng cháy, chữa cháy rừng
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Bình, ngày 04 tháng 3 năm 2021
Kính gửi: Sở Nông nghiệp và Phát triển nông thôn.
Giao Sở Nông nghiệp và Phát triển nông thôn chủ trì kiểm tra, báo cáo trước ngày 30/3/2021./.
Nơi nhận:
- Như trên;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn Minh"""


def _require_examples():
    if not (EXAMPLES / "letters").is_dir():
        pytest.skip("shared example letters not available")


# -- plain text ---------------------------------------------------------------------------------

def _windows_1258(text: str) -> bytes:
    """Windows-1258 stores the tone marks as combining characters after the (hatted, horned) vowel."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in tones)) + "".join(c for c in d if c in tones))
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1258"])
def test_text_files_in_every_usual_encoding(encoding):
    data = _windows_1258(SHORT_LETTER) if encoding == "cp1258" else SHORT_LETTER.encode(encoding)
    assert normalize(read_document(data, "cong-van.txt")) == normalize(SHORT_LETTER)


@pytest.mark.parametrize("encode", [to_tcvn3, to_vni], ids=["tcvn3", "vni"])
def test_text_file_typed_in_a_legacy_font_is_converted(encode):
    data = encode(SHORT_LETTER).encode("cp1252")
    header = parse_header(read_document(data, "cong-van.txt"))
    assert {k: header[k] for k in HEADER_KEYS} == {k: v for k, v in parse_header(SHORT_LETTER).items() if k in HEADER_KEYS}
    assert header["issuer"] == "Ủy ban nhân dân tỉnh Quảng Bình"


def test_pasted_text_is_checked():
    assert read_pasted_text(SHORT_LETTER) == SHORT_LETTER
    with pytest.raises(UnreadableDocument) as err:
        read_pasted_text("   ")
    assert "dán" in err.value.message


# -- .docx --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["thai-nguyen-3715-UBND-KGVX-2022.txt", "kien-giang-871-VP-VHXH-2019.txt"])
def test_docx_with_side_by_side_header_table_reads_like_the_text(name):
    _require_examples()
    from tracker.extraction.letter import split_letters

    text = (EXAMPLES / "letters" / name).read_text(encoding="utf-8")
    cover = split_letters(normalize(text))[0]  # the cover letter; its enclosed letter is a separate test
    from_docx = read_document(letter_docx(cover), "cong-van.docx")
    expected, got = parse_header(cover), parse_header(from_docx)
    assert {k: got[k] for k in HEADER_KEYS} == {k: expected[k] for k in HEADER_KEYS}
    assert expected["number"] and expected["issuer"] and expected["signer"]


def _docx(build) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_nested_tables_are_read_in_place():
    def build(document):
        table = document.add_table(rows=1, cols=2)
        left = table.cell(0, 0)
        left.paragraphs[0].text = "ỦY BAN NHÂN DÂN"
        inner = left.add_table(rows=2, cols=1)
        inner.cell(0, 0).text = "TỈNH HÀ TĨNH"
        inner.cell(1, 0).text = "Số: 45/UBND-NL"
        table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        document.add_paragraph("Kính gửi: Sở Tài chính.")

    lines = [line for line in read_document(_docx(build), "a.docx", require_letter=False).split("\n") if line]
    assert lines == ["ỦY BAN NHÂN DÂN", "TỈNH HÀ TĨNH", "Số: 45/UBND-NL", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Kính gửi: Sở Tài chính."]


def test_docx_text_boxes_headers_and_footers_are_read():
    from docx.oxml import parse_xml

    def build(document):
        document.sections[0].header.paragraphs[0].text = "BỘ Y TẾ"
        document.sections[0].footer.paragraphs[0].text = "Địa chỉ: 138A Giảng Võ, Hà Nội"
        paragraph = document.add_paragraph("Kính gửi: Sở Y tế các tỉnh.")
        textbox = parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
            '<w:p><w:r><w:t>Số: 4512/BYT-DP</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>'
        )
        paragraph._p.append(textbox)

    text = read_document(_docx(build), "a.docx", require_letter=False)
    lines = [line for line in text.split("\n") if line]
    assert lines == ["BỘ Y TẾ", "Kính gửi: Sở Y tế các tỉnh.", "Số: 4512/BYT-DP", "Địa chỉ: 138A Giảng Võ, Hà Nội"]


def test_docx_runs_in_vntime_fonts_are_converted():
    def build(document):
        p = document.add_paragraph()
        run = p.add_run(to_tcvn3("cộng hòa xã hội chủ nghĩa việt nam"))
        run.font.name = ".VnTimeH"
        p2 = document.add_paragraph()
        run2 = p2.add_run(to_tcvn3("Kính gửi: Sở Tài chính"))
        run2.font.name = ".VnTime"

    text = read_document(_docx(build), "a.docx", require_letter=False)
    assert text.split("\n") == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Kính gửi: Sở Tài chính"]


# -- .pdf ---------------------------------------------------------------------------------------

def test_pdf_text_layer_is_read():
    pdf = make_pdf(SHORT_LETTER.split("\n"))
    header = parse_header(read_document(pdf, "cong-van.pdf"))
    assert header["number"] == "125/UBND-KT"
    assert header["issuer"] == "Ủy ban nhân dân tỉnh Quảng Bình"
    assert header["issued_on"] == "2021-03-04"
    assert header["signer"] == "Nguyễn Văn Minh"


def test_pdf_without_text_layer_is_refused_as_scanned():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnreadableDocument) as err:
        read_document(buffer.getvalue(), "scan.pdf")
    assert "bản quét" in err.value.message


def test_password_protected_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(make_pdf(SHORT_LETTER.split("\n")))))
    writer.encrypt(user_password="bi-mat", owner_password="chu", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnreadableDocument) as err:
        read_document(buffer.getvalue(), "khoa.pdf")
    assert "mật khẩu" in err.value.message


# -- refusals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, name, words", [
    (b"", "trong.txt", "rỗng"),
    (b"   \n\t ", "trong.txt", "rỗng"),
    (b"PK\x03\x04" + b"\x00garbage" * 20, "hong.docx", "hỏng"),
    (b"%PDF-1.4\n" + b"rubbish" * 50, "hong.pdf", "hỏng"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64, "khoa.docx",
     "mật khẩu"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "cu.doc", ".doc"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "anh.png", "OCR"),
    (bytes(range(256)) * 20, "rac.bin", "nhị phân"),
    ("Quarterly report of the committee on budget matters, approved by the board.".encode() * 5, "en.txt",
     "tiếng Việt"),
    ("Hôm nay trời đẹp, chúng tôi đi chơi công viên và ăn kem rất vui vẻ cùng gia đình.".encode(), "nhat-ky.txt",
     "cấu trúc công văn"),
])
def test_bad_inputs_raise_unreadable_document_with_a_vietnamese_message(data, name, words):
    with pytest.raises(UnreadableDocument) as err:
        read_document(data, name)
    assert words in err.value.message


def test_oversized_file_is_refused():
    with pytest.raises(UnreadableDocument) as err:
        read_document(SHORT_LETTER.encode() * 10, "lon.txt", max_bytes=1000)
    assert "quá lớn" in err.value.message


def test_zip_bomb_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<a/>")
        archive.writestr("word/huge.bin", b"\x00" * (210 * 1024 * 1024))
    with pytest.raises(UnreadableDocument) as err:
        read_document(buffer.getvalue(), "bom.docx")
    assert "quá lớn" in err.value.message


def test_check_letter_accepts_a_letter():
    check_letter(SHORT_LETTER)


# -- edXML --------------------------------------------------------------------------------------

def test_edxml_header_fields_come_from_the_xml_and_body_from_the_attachment():
    package = edxml.read_edxml(make_edxml(letter_docx(SHORT_LETTER), priority="3"))
    assert package.header["number"] == "3715/UBND-KGVX"
    assert package.header["issuer"] == "Ủy ban nhân dân tỉnh Thái Nguyên"
    assert package.header["issued_on"] == "2022-08-15"
    assert package.header["subject"] == "thực hiện các kiến nghị sau giám sát"
    assert package.header["signer_title"] == "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    assert package.header["urgency"] == "Hỏa tốc"
    assert package.header["due_date"] == "2022-09-30"
    assert "Giao Sở Nông nghiệp" in package.text


def test_edxml_through_read_document_gives_the_attachment_text():
    text = read_document(make_edxml(SHORT_LETTER.encode("utf-8"), name="cv.txt"), "goi.edxml")
    assert "Kính gửi" in text


def test_edxml_attachment_zipped_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cong-van.txt", SHORT_LETTER.encode("utf-8"))
    package = edxml.read_edxml(make_edxml(buffer.getvalue(), name="cv.zip"))
    assert "Kính gửi" in package.text


@pytest.mark.parametrize("payload", [
    b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY a "xxxxxxxxxx"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&b;</edXML>',
    b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&x;</edXML>',
])
def test_edxml_with_entities_is_refused(payload):
    with pytest.raises(UnreadableDocument) as err:
        read_document(payload, "doc.edxml")
    assert "không an toàn" in err.value.message


def test_broken_edxml_is_refused():
    with pytest.raises(UnreadableDocument):
        read_document(b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope>', "x.edxml")


def test_xml_that_is_not_edxml_is_refused():
    with pytest.raises(UnreadableDocument) as err:
        read_document(b'<?xml version="1.0"?><note><to>A</to></note>', "note.xml")
    assert "edXML" in err.value.message


def test_attachment_base64_is_decoded():
    raw = make_edxml(b"abc", name="x.txt")
    assert base64.b64encode(b"abc") in raw
    assert edxml.attachments(edxml.parse_edxml(raw))[0].data == b"abc"


# -- robustness ---------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PREFIXES = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"<?xml version='1.0'?><edXML>", b"\xef\xbb\xbf",
             b"\xff\xfe", b"<html><body>"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_PREFIXES), st.binary(max_size=2000), st.sampled_from(["a.txt", "a.docx", "a.pdf", "a.edxml", ""]))
def test_read_document_only_ever_raises_unreadable_document(prefix, payload, name):
    try:
        text = read_document(prefix + payload, name)
    except UnreadableDocument as exc:
        assert exc.message
    else:
        assert isinstance(text, str)


def test_truncated_real_files_are_refused_cleanly():
    pdf = make_pdf(SHORT_LETTER.split("\n"))
    docx_bytes = letter_docx(SHORT_LETTER)
    for data, name in ((pdf, "a.pdf"), (docx_bytes, "a.docx")):
        for cut in (len(data) // 3, len(data) // 2, len(data) - 10):
            try:
                read_document(data[:cut], name)
            except UnreadableDocument as exc:
                assert exc.message
