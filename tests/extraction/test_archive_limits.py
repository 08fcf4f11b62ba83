"""Decompression bombs in .docx files and zipped edXML attachments are refused cheaply.

The bombs are built here, byte by byte where a real ZIP writer would not lie. Time is not
asserted (it depends on the machine); what is bounded is the Python memory traced while the
file is read, and that ordinary .docx files (pictures, big annex tables) are still read.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.extraction.conftest import letter_docx, make_edxml
from tests.extraction.test_readers import SHORT_LETTER as LETTER
from tracker.extraction import edxml
from tracker.extraction.readers import UnreadableDocument, read_document

MB = 1024 * 1024
SUSPICIOUS = "Tệp nén bất thường (có thể là tệp độc hại)"
MEMORY_LIMIT = 100 * MB


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOC_HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             f'<w:document xmlns:w="{_W_NS}"><w:body>').encode()
_DOC_TAIL = b"</w:body></w:document>"
_PARAGRAPH = "<w:p><w:r><w:t>Nội dung công văn</w:t></w:r></w:p>".encode()


# -- building ZIP files that lie ------------------------------------------------------------------

def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _repeated(head: bytes, unit: bytes, total: int, tail: bytes = b"") -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of head + unit repeated to about ``total`` bytes + tail,
    without compressing ``total`` bytes: one full-flushed block is repeated (it refers to nothing
    before it, so copies of it decode one after the other)."""
    block = unit * (MB // len(unit))
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    copies = max(1, total // len(block))
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return start + segment * copies + _raw_deflate(tail), crc, len(head) + copies * len(block) + len(tail)


def _zip(entries: list[tuple[str, bytes, int, int]], *, repeat_last: int = 0) -> bytes:
    """A ZIP of deflated entries (name, raw stream, CRC, declared size) written by hand, so that
    the declared size can differ from the stream; ``repeat_last`` more central-directory entries
    point at the last entry's data (overlapping entries)."""
    out = io.BytesIO()
    central = []
    for name, raw, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, crc, len(raw), size,
                              len(encoded), 0) + encoded + raw)
        central.append((encoded, crc, len(raw), size, offset))
    central += [central[-1]] * repeat_last
    start = out.tell()
    for encoded, crc, compressed, size, offset in central:
        out.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0x21, crc, compressed, size,
                              len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    count = min(len(central), 0xFFFF)  # zipfile walks the directory by its size, not this count
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, out.tell() - start, start, 0))
    return out.getvalue()


def _docx_parts() -> dict[str, bytes]:
    """The parts of an ordinary .docx (python-docx's template)."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    archive = zipfile.ZipFile(buffer)
    return {name: archive.read(name) for name in archive.namelist()}


def _docx_with_document(raw: bytes, crc: int, declared: int) -> bytes:
    entries = []
    for name, body in _docx_parts().items():
        if name == "word/document.xml":
            entries.append((name, raw, crc, declared))
        else:
            entries.append((name, _raw_deflate(body), zlib.crc32(body), len(body)))
    return _zip(entries)


def _xml_bomb_docx(size: int, *, declared: int | None = None) -> bytes:
    raw, crc, real = _repeated(_DOC_HEAD, _PARAGRAPH, size, _DOC_TAIL)
    return _docx_with_document(raw, crc, real if declared is None else declared)


def _png(width: int, height: int) -> bytes:
    """A photo-like PNG (noise: it does not compress, like a real photo)."""
    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _refusal(data: bytes, filename: str) -> tuple[str, int]:
    """The message of reading ``data`` (which must be refused) and the peak of Python memory."""
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableDocument) as err:
            read_document(data, filename)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return err.value.message, peak


# -- .docx ------------------------------------------------------------------------------------------

def test_docx_of_one_gigabyte_of_xml_is_refused_as_a_bomb():
    data = _xml_bomb_docx(1024 * MB)
    assert len(data) < 4 * MB
    message, peak = _refusal(data, "cong-van.docx")
    assert message.startswith(SUSPICIOUS) and "word/document.xml" in message
    assert peak < MEMORY_LIMIT


def test_docx_below_the_declared_size_check_is_still_refused():
    # 190 MB of paragraphs in a 0.6 MB file, sizes declared honestly: python-docx used to build
    # the whole tree (minutes and gigabytes for one upload)
    data = _xml_bomb_docx(190 * MB)
    assert len(data) < MB
    message, peak = _refusal(data, "cong-van.docx")
    assert message.startswith(SUSPICIOUS)
    assert peak < MEMORY_LIMIT


def test_docx_that_declares_a_small_size_and_inflates_more_is_refused():
    data = _xml_bomb_docx(1024 * MB, declared=10_000)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").file_size == 10_000
    message, peak = _refusal(data, "cong-van.docx")
    assert message.startswith(SUSPICIOUS) and "kích thước khai báo" in message
    assert peak < MEMORY_LIMIT


def test_docx_with_a_hundred_thousand_members_is_refused():
    parts = _docx_parts()
    entries = [(name, _raw_deflate(body), zlib.crc32(body), len(body)) for name, body in parts.items()]
    empty = _raw_deflate(b"")
    entries += [(f"customXml/x{i}.xml", empty, 0, 0) for i in range(100_000)]
    data = _zip(entries)
    message, peak = _refusal(data, "cong-van.docx")
    assert message.startswith(SUSPICIOUS) and "tệp thành phần" in message
    assert peak < MEMORY_LIMIT


def _overlapping(name: str, copies: int) -> bytes:
    # a 10 MB kernel that passes every per-member limit (ratio ~50:1), listed ``copies`` times
    kernel = os.urandom(200 * 1024) + b"\0" * (10 * MB - 200 * 1024)
    return _zip([(name, _raw_deflate(kernel), zlib.crc32(kernel), len(kernel))], repeat_last=copies - 1)


def test_docx_whose_entries_share_one_compressed_kernel_is_refused():
    data = _overlapping("word/document.xml", 300)
    assert len(data) < 300 * 1024
    message, peak = _refusal(data, "cong-van.docx")
    assert message.startswith(SUSPICIOUS) and "tổng dung lượng" in message
    assert peak < MEMORY_LIMIT


def test_docx_letter_with_a_photo_still_reads():
    import docx
    from docx.shared import Inches

    document = docx.Document(io.BytesIO(letter_docx(LETTER)))
    document.add_picture(io.BytesIO(_png(800, 600)), width=Inches(5))
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    assert any(name.startswith("word/media/") for name in zipfile.ZipFile(io.BytesIO(data)).namelist())
    text = read_document(data, "cong-van.docx")
    assert "Kính gửi: Sở Nông nghiệp và Phát triển nông thôn." in text
    assert "Nguyễn Văn Minh" in text


def test_docx_letter_with_a_large_blank_annex_table_still_reads():
    # A blank form annex as python-docx saves it: 3,000 empty rows, 1.2 MB of XML at about 134:1,
    # above the 100:1 often used as a bomb threshold.
    import docx

    document = docx.Document(io.BytesIO(letter_docx(LETTER)))
    document.add_paragraph("PHỤ LỤC: Mẫu biểu thống kê")
    document.add_table(rows=3000, cols=6)
    buffer = io.BytesIO()
    document.save(buffer)
    info = zipfile.ZipFile(buffer).getinfo("word/document.xml")
    assert info.file_size > 1 * MB and info.file_size / info.compress_size > 100
    text = read_document(buffer.getvalue(), "phu-luc.docx")
    assert "Nguyễn Văn Minh" in text and "PHỤ LỤC: Mẫu biểu thống kê" in text


# -- edXML ------------------------------------------------------------------------------------------

def test_edxml_with_a_zip_of_many_50_mb_members_is_refused():
    raw, crc, size = _repeated(b"", b"\0", 50 * MB)
    data = make_edxml(_zip([(f"phu-luc-{i}.txt", raw, crc, size) for i in range(20)]), name="phu-luc.zip")
    assert len(data) < 2 * MB
    message, peak = _refusal(data, "goi-tin.edxml")
    assert message.startswith(SUSPICIOUS)
    assert peak < MEMORY_LIMIT


def test_edxml_with_overlapping_zip_entries_is_refused():
    data = make_edxml(_overlapping("phu-luc.txt", 300), name="phu-luc.zip")
    message, peak = _refusal(data, "goi-tin.edxml")
    assert message.startswith(SUSPICIOUS) and "tổng dung lượng" in message
    assert peak < MEMORY_LIMIT


def test_edxml_with_a_hundred_thousand_members_is_refused():
    empty = _raw_deflate(b"")
    data = make_edxml(_zip([(f"{i}.txt", empty, 0, 0) for i in range(100_000)]), name="phu-luc.zip")
    message, peak = _refusal(data, "goi-tin.edxml")
    assert message.startswith(SUSPICIOUS) and "tệp thành phần" in message
    assert peak < MEMORY_LIMIT


def _edxml_with_attachments(attachments: list[tuple[str, bytes]]) -> bytes:
    """make_edxml's package with more <Attachment> elements."""
    import base64

    first_name, first = attachments[0]
    package = make_edxml(first, name=first_name).decode("utf-8")
    extra = "".join(
        f"<Attachment><ContentId>cid:{i}</ContentId><AttachmentName>{name}</AttachmentName>"
        f"<ContentTransferEncoded>{base64.b64encode(body).decode()}</ContentTransferEncoded></Attachment>"
        for i, (name, body) in enumerate(attachments[1:], 2)
    )
    return package.replace("</AttachmentEncoded>", extra + "</AttachmentEncoded>").encode("utf-8")


def test_edxml_attachments_share_one_total():
    # each zip alone is acceptable (40 MB at ~130:1), three of them are not
    kernel = os.urandom(300 * 1024) + b"\0" * (40 * MB - 300 * 1024)
    one = _zip([("bang-so-lieu.csv", _raw_deflate(kernel), zlib.crc32(kernel), len(kernel))])
    package = edxml.read_edxml(make_edxml(one, name="a.zip"))
    assert [len(a.data) for a in package.attachments] == [len(kernel)]
    data = _edxml_with_attachments([(f"{i}.zip", one) for i in range(3)])
    message, peak = _refusal(data, "goi-tin.edxml")
    assert message.startswith(SUSPICIOUS) and "tổng dung lượng" in message
    assert peak < MEMORY_LIMIT


def test_edxml_carrying_a_docx_bomb_is_refused_whole():
    data = make_edxml(_xml_bomb_docx(1024 * MB), name="cong-van.docx")
    with pytest.raises(UnreadableDocument) as err:
        edxml.read_edxml(data)
    assert err.value.message.startswith(SUSPICIOUS)


# -- the command line ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, build", [
    ("bom.docx", lambda: _xml_bomb_docx(1024 * MB, declared=10_000)),
    ("bom.edxml", lambda: make_edxml(_overlapping("phu-luc.txt", 300), name="phu-luc.zip")),
], ids=["docx", "edxml"])
def test_tracker_extract_refuses_a_bomb_without_a_traceback(tmp_path, name, build):
    path = tmp_path / name
    path.write_bytes(build())
    command = Path(sys.executable).with_name("tracker")
    if not command.exists():
        pytest.skip("the tracker command is not installed in this environment")
    env = {**os.environ, "TRACKER_INSTANCE": str(tmp_path / "instance")}
    result = subprocess.run([str(command), "extract", str(path)], capture_output=True, text=True,
                            encoding="utf-8", timeout=120, cwd=tmp_path, env=env)
    assert result.returncode != 0
    assert SUSPICIOUS in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
