"""Scanned letters read by a real Tesseract (Vietnamese): the three signed scans of shared/examples/scans,
an image made from one of their pages, a server without OCR, and a hostile image.

Skipped without tesseract and its `vie` model unless TRACKER_TEST_OCR=1 (CI), which makes that a failure.
Each scan is read once per session (OCR takes about 2 s a page on two cores).
"""

from __future__ import annotations

import io
import json
import os
import struct
import time
import zlib
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from tests.extraction import gold_check
from tracker.extraction import ocr
from tracker.extraction.letter import extract_bytes, extract_text
from tracker.extraction.readers import UnreadableDocument, read_document
from tracker.extraction.text import fold

ROOT = Path(__file__).resolve().parents[2]
REQUIRED_OCR = os.environ.get("TRACKER_TEST_OCR") == "1"
REQUIRED_SHARED = os.environ.get("CI") == "true" or os.environ.get("TRACKER_TEST_SHARED") == "1"


def _scans_dir() -> Path | None:
    for base in (ROOT.parent / "shared", Path("/work/shared")):
        if (base / "examples" / "scans").is_dir():
            return base / "examples" / "scans"
    return None


@pytest.fixture(scope="module")
def tesseract():
    """Skip (or fail with TRACKER_TEST_OCR=1) when Tesseract or its Vietnamese model is missing."""
    if not ocr.ocr_available():
        if REQUIRED_OCR:
            pytest.fail("TRACKER_TEST_OCR=1 but tesseract with the 'vie' model is not installed")
        pytest.skip("Tesseract OCR with the Vietnamese model is not installed")


@pytest.fixture(scope="module")
def scans(tesseract) -> dict[str, tuple[bytes, dict, str, list[str]]]:
    """name -> (pdf bytes, gold header, text read by OCR, reader warnings), each scan read once."""
    folder = _scans_dir()
    if folder is None:
        if REQUIRED_SHARED:
            pytest.fail("shared/examples/scans not found beside the checkout")
        pytest.skip("shared example scans not available")
    out = {}
    for path in sorted(folder.glob("*.pdf")):
        data = path.read_bytes()
        warnings: list[str] = []
        text = read_document(data, path.name, warnings=warnings)
        gold = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        out[path.stem] = (data, gold, text, warnings)
    assert len(out) == 3
    return out


def _same_text(gold: str | None, found: str | None, least: int = 90) -> bool:
    return bool(gold and found) and fuzz.ratio(fold(gold), fold(found)) >= least


def _right_fields(gold: dict, found: dict) -> dict[str, bool]:
    """The printed header fields, compared as the project's scorer does (folded, fuzzy, agency names)."""
    return {
        "issuer": gold_check.same_agency(gold["issuer"], found.get("issuer") or ""),
        "doc_type": found.get("doc_type") == gold["doc_type"],
        "place": _same_text(gold["place"], found.get("place")),
        "subject": _same_text(gold["subject"], found.get("subject")),
        "signer": _same_text(gold["signer"], found.get("signer")),
    }


def test_scans_are_read_with_their_printed_header_and_tasks(scans):
    right = 0
    report = []
    for name, (_, gold, text, warnings) in scans.items():
        found = extract_text(text)
        fields = _right_fields(gold, found)
        right += sum(fields.values())
        report.append(f"{name}: {fields}")
        # the type is printed in large capitals on page 1: always read
        assert fields["doc_type"], f"{name}: {found.get('doc_type')!r}"
        assert found["tasks"], f"{name}: no task proposed"
        assert ocr.FROM_OCR in warnings
    print("\n".join(report))
    # 11 of 15 today (issuer, type and subject of all three; a subject line, two signers and a place lost in OCR)
    assert right >= 10, "\n".join(report)


def test_handwritten_number_and_day_are_left_empty_never_guessed(scans):
    for name, (data, gold, text, _) in scans.items():
        # what OCR makes of a handwritten "31" ("3|") must not become the 3rd: a scan's number and day are typed
        found = extract_text(text, from_scan=True)
        assert found.get("number") is None, f"{name}: {found.get('number')!r}"
        assert found.get("issued_on") is None, f"{name}: {found.get('issued_on')!r}"
    # and the same through the upload path, which knows the text came from a scan
    found = extract_bytes(scans["quang-ngai-660-TB-UBND-2024"][0], "ban-quet.pdf")
    assert found["number"] is None and found["issued_on"] is None
    assert found["place"] == "Quảng Ngãi" and found["doc_type"] == "Thông báo"  # the printed parts stay


def test_an_image_of_a_page_is_read(scans):
    from PIL import Image

    from tracker.extraction import pdf

    data, gold, _, _ = scans["quang-ngai-660-TB-UBND-2024"]
    page = Image.open(io.BytesIO(pdf.render_page_pgm(data, 0, dpi=300, max_pixels=ocr.MAX_PIXELS)))
    png = io.BytesIO()
    page.save(png, format="PNG")
    warnings: list[str] = []
    text = read_document(png.getvalue(), "anh-chup.bin", warnings=warnings)  # the name says nothing: the bytes do
    found = extract_text(text)
    assert _same_text(gold["subject"], found.get("subject"))
    assert gold_check.same_agency(gold["issuer"], found.get("issuer") or "")
    assert warnings == [ocr.FROM_OCR]


def test_progress_is_reported_page_by_page(tesseract):
    from PIL import Image

    blank = io.BytesIO()
    Image.new("L", (400, 300), 255).save(blank, format="TIFF", save_all=True,
                                         append_images=[Image.new("L", (400, 300), 255)])
    calls = []
    texts = ocr.ocr_pages(blank.getvalue(), "tiff", progress=lambda done, total: calls.append((done, total)))
    assert [t.strip() for t in texts] == ["", ""]
    assert calls[0] == (0, 2) and sorted(calls[1:]) == [(1, 2), (2, 2)]


def test_without_tesseract_the_clerk_is_told_ocr_is_not_installed(monkeypatch, tmp_path):
    from pypdf import PdfWriter

    monkeypatch.setenv("TRACKER_TESSERACT", str(tmp_path / "khong-co-tesseract"))
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    scan = io.BytesIO()
    writer.write(scan)
    assert not ocr.ocr_available()
    with pytest.raises(UnreadableDocument) as err:
        read_document(scan.getvalue(), "ban-quet.pdf")
    assert err.value.message == ocr.NOT_INSTALLED
    assert "máy chủ chưa cài phần nhận dạng chữ" in err.value.message


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def test_an_image_declaring_a_huge_size_is_refused_at_once(tesseract):
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument) as err:
        read_document(_png_declaring(100_000, 100_000), "bom.png")
    assert time.perf_counter() - started < 2
    assert "ảnh quá lớn" in err.value.message
