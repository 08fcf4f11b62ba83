"""Files that used to be refused for the wrong reason: PDFs protected only by an owner password,
UTF-8 text with a damaged byte; and the warnings read_document gives the clerk."""

from __future__ import annotations

import inspect
import io
import zipfile

import pytest

from tests.extraction.conftest import make_edxml, make_pdf, to_tcvn3
from tests.extraction.test_readers import SHORT_LETTER as LETTER
from tracker.extraction.readers import DEFAULT_MAX_BYTES, UnreadableDocument, read_document


ONE_BAD_CHARACTER = ("Tệp có 1 ký tự không đọc được (lỗi bảng mã); đã thay bằng dấu \ufffd. "
                     "Vui lòng kiểm tra lại nội dung.")


# -- encrypted PDF ------------------------------------------------------------------------------------

def _encrypted_pdf(*, user: str, algorithm: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(LETTER.split("\n")))))
    writer.encrypt(user_password=user, owner_password="chi-chu-so-huu", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128", "RC4-128"])
def test_pdf_protected_only_by_an_owner_password_is_read(algorithm):
    data = _encrypted_pdf(user="", algorithm=algorithm)
    assert b"/Encrypt" in data
    text = read_document(data, "cong-van.pdf")
    assert "Kính gửi: Sở Nông nghiệp và Phát triển nông thôn." in text


@pytest.mark.parametrize("algorithm", ["AES-256", "RC4-128"])
def test_pdf_that_needs_a_password_to_open_says_so(algorithm):
    with pytest.raises(UnreadableDocument) as err:
        read_document(_encrypted_pdf(user="mat-khau", algorithm=algorithm), "cong-van.pdf")
    assert "được bảo vệ bằng mật khẩu" in err.value.message
    assert "bản quét" not in err.value.message


def test_pdf_that_cannot_be_decrypted_on_this_server_is_not_called_a_scan(monkeypatch):
    # what pypdf does for AES when the cryptography package is missing
    from pypdf import PageObject
    from pypdf.errors import DependencyError

    def missing(*args, **kwargs):
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(PageObject, "extract_text", missing)
    with pytest.raises(UnreadableDocument) as err:
        read_document(_encrypted_pdf(user="", algorithm="AES-128"), "cong-van.pdf")
    assert "cryptography" in err.value.message
    assert "bản quét" not in err.value.message and "mật khẩu" not in err.value.message


# -- text with a damaged byte ------------------------------------------------------------------------

def _with_bad_byte(text: str | bytes, after: str, bad: bytes = b"\xff") -> bytes:
    data = text.encode("utf-8") if isinstance(text, str) else text
    cut = data.index(after.encode("utf-8")) + len(after.encode("utf-8"))
    return data[:cut] + bad + data[cut:]


def test_utf8_text_with_one_bad_byte_is_read_with_a_warning():
    warnings: list[str] = []
    text = read_document(_with_bad_byte(LETTER, "Kính gửi:"), "cong-van.txt", warnings=warnings)
    assert text == LETTER.replace("Kính gửi:", "Kính gửi:\ufffd")
    assert warnings == [ONE_BAD_CHARACTER]


def test_utf8_text_cut_in_the_middle_of_its_last_character_is_read_with_a_warning():
    data = LETTER.encode("utf-8") + "\nđ".encode("utf-8")[:-1]
    warnings: list[str] = []
    text = read_document(data, "cong-van.txt", warnings=warnings)
    assert text.startswith(LETTER) and text.endswith("\ufffd")
    assert warnings == [ONE_BAD_CHARACTER]


def test_count_of_damaged_characters_is_given():
    data = _with_bad_byte(_with_bad_byte(LETTER, "Số: 125"), "Nơi nhận", b"\xc3")
    warnings: list[str] = []
    text = read_document(data, "cong-van.txt", warnings=warnings)
    assert text.count("\ufffd") == 2
    assert warnings == [ONE_BAD_CHARACTER.replace("có 1 ký tự", "có 2 ký tự")]


def test_text_with_many_damaged_characters_is_not_passed_off_as_utf8():
    # one accented letter in ten cut short: too damaged to be read with a warning
    parts, accented = [], 0
    for ch in LETTER:
        encoded = ch.encode("utf-8")
        if len(encoded) > 1:
            accented += 1
            if accented % 10 == 0:
                encoded = encoded[:-1]
        parts.append(encoded)
    warnings: list[str] = []
    with pytest.raises(UnreadableDocument):
        read_document(b"".join(parts), "cong-van.txt", warnings=warnings)
    assert warnings == []


@pytest.mark.parametrize("encode", [lambda t: t.encode("utf-8"), lambda t: to_tcvn3(t).encode("cp1252")],
                         ids=["utf-8", "tcvn3"])
def test_clean_files_give_no_warning(encode):
    warnings: list[str] = []
    assert read_document(encode(LETTER), "cong-van.txt", warnings=warnings)
    assert warnings == []


def test_no_warning_is_left_when_the_file_is_refused():
    warnings: list[str] = []
    with pytest.raises(UnreadableDocument):
        read_document(_with_bad_byte("Hôm nay trời đẹp, chúng tôi đi chơi công viên. " * 5, "Hôm"),
                      "ghi-chu.txt", warnings=warnings)
    assert warnings == []


def test_edxml_attachment_warnings_reach_the_clerk():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cong-van.txt", _with_bad_byte(LETTER, "Kính gửi:"))
        archive.writestr("anh-chup.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    warnings: list[str] = []
    text = read_document(make_edxml(buffer.getvalue(), name="ho-so.zip"), "goi-tin.edxml", warnings=warnings)
    assert "Nguyễn Văn Minh" in text
    assert f"Tệp đính kèm «cong-van.txt»: {ONE_BAD_CHARACTER}" in warnings
    assert any(w.startswith("Tệp đính kèm «anh-chup.png» không đọc được: Tệp là ảnh") for w in warnings)


def test_read_document_signature_is_kept():
    parameters = inspect.signature(read_document).parameters
    assert [(p.name, p.kind, p.default) for p in parameters.values()] == [
        ("data", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty),
        ("filename", inspect.Parameter.POSITIONAL_OR_KEYWORD, ""),
        ("max_bytes", inspect.Parameter.KEYWORD_ONLY, DEFAULT_MAX_BYTES),
        ("require_letter", inspect.Parameter.KEYWORD_ONLY, True),
        ("warnings", inspect.Parameter.KEYWORD_ONLY, None),
    ]
