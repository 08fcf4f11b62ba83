"""Helpers for the extraction tests: example letters, documents built in the test (docx, pdf,
edXML), legacy-font encoders, and a comparison of agency names like the project's scorer."""

from __future__ import annotations

import base64
import io
import json
import re
import unicodedata
import zlib
from pathlib import Path

import pytest

from tracker.extraction.text import TCVN3_TO_UNICODE, fold, normalize

EXAMPLES = Path("/work/shared/examples")
REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "data" / "letters"


def example_letters() -> list[Path]:
    """The example letters that have a gold .json (shared examples and the project corpus)."""
    paths = []
    for folder in (EXAMPLES / "letters", EXAMPLES / "tasks-only", CORPUS):
        if folder.is_dir():
            paths.extend(p for p in sorted(folder.glob("*.txt")) if p.with_suffix(".json").exists())
    return paths


def gold_of(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


_ABBREV = {
    "ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "ldtbxh": "lao dong thuong binh va xa hoi",
    "bhxh": "bao hiem xa hoi", "khdt": "ke hoach va dau tu", "mttq": "mat tran to quoc", "gddt": "giao duc va dao tao",
    "tnmt": "tai nguyen va moi truong", "nnptnt": "nong nghiep va phat trien nong thon", "vp": "van phong",
    "tp": "thanh pho", "ptnt": "phat trien nong thon",
}


def agency_key(name: str | None) -> str:
    """An agency name folded and with its abbreviations written out, for comparisons."""
    t = " " + re.sub(r"[^a-z0-9]+", " ", fold(normalize(name or ""))) + " "
    for short, full in _ABBREV.items():
        t = t.replace(f" {short} ", f" {full} ")
    return re.sub(r"\s+", " ", t).strip()


def text_key(value: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(normalize(value or ""))).strip()


# -- legacy encoders (the inverse of the readers' tables) -------------------------------------------

_UNICODE_TO_TCVN3 = {u: t for t, u in TCVN3_TO_UNICODE.items() if t != "\u00ad"}
_UNICODE_TO_TCVN3["ư"] = "\u00ad"


def to_tcvn3(text: str) -> str:
    """Encode Unicode Vietnamese as the .VnTime (TCVN3) font stores it, read as Latin-1."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _UNICODE_TO_TCVN3:
            out.append(_UNICODE_TO_TCVN3[ch])
        elif ch.lower() in _UNICODE_TO_TCVN3 and ch.isupper():
            out.append(_UNICODE_TO_TCVN3[ch.lower()])  # the capitals font draws the lower-case code
        else:
            out.append(ch)
    return "".join(out)


_VNI_TONE = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_HAT = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def to_vni(text: str) -> str:
    """Encode Unicode Vietnamese as the VNI-Windows fonts store it, read as Latin-1."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        base, marks = d[0], d[1:]
        upper = base.isupper()
        low = base.lower()
        tone = "".join(m for m in marks if m in _VNI_TONE)
        shape = "".join(m for m in marks if m not in _VNI_TONE)
        if ch in "đĐ":
            enc = "ñ"
        elif low == "i" and tone:
            enc = _VNI_I[tone]
        elif low == "y" and tone == "\u0323":
            enc = "î"
        elif shape == "\u0302" and low in "aeo":
            enc = low + _VNI_HAT[tone]
        elif shape == "\u0306" and low == "a":
            enc = "a" + _VNI_BREVE[tone]
        elif shape == "\u031b" and low in "ou":
            enc = ("ô" if low == "o" else "ö") + (_VNI_TONE[tone] if tone else "")
        elif tone and not shape and low in "aeouy":
            enc = low + _VNI_TONE[tone]
        else:
            out.append(ch)
            continue
        out.append(enc.upper() if upper else enc)
    return "".join(out)


# -- .docx laid out like an official letter ---------------------------------------------------------

_RIGHT_RE = re.compile(r"cong\s*-?\s*hoa|doc\s*lap|ngay\s.*thang", re.IGNORECASE)


def letter_docx(text: str, *, side_by_side: bool = True) -> bytes:
    """A .docx of a letter: header table (issuer, number and subject left; Quốc hiệu and date
    right), body paragraphs, and a bottom table (Nơi nhận left, signature right)."""
    import docx

    lines = normalize(text).split("\n")
    kg = next(i for i, line in enumerate(lines) if fold(line).startswith("kinh gui"))
    nn = next(i for i, line in enumerate(lines) if fold(line).startswith("noi nhan"))
    left, right = [], []
    for line in lines[:kg]:
        if not line.strip():
            continue
        (right if _RIGHT_RE.search(fold(line)) else left).append(line)
    tail_left, tail_right = [], []
    for line in lines[nn:]:
        if fold(line).startswith("noi nhan") or line.startswith("-"):
            tail_left.append(line)
        elif line.strip():
            tail_right.append(line)
    document = docx.Document()

    def fill(cell, cell_lines):
        cell.paragraphs[0].text = cell_lines[0] if cell_lines else ""
        for extra in cell_lines[1:]:
            cell.add_paragraph(extra)

    if side_by_side:
        table = document.add_table(rows=1, cols=2)
        fill(table.cell(0, 0), left)
        fill(table.cell(0, 1), right)
    else:
        for line in left + right:
            document.add_paragraph(line)
    for line in lines[kg:nn]:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    fill(table.cell(0, 0), tail_left)
    fill(table.cell(0, 1), tail_right)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- a PDF with a real text layer, written by hand ------------------------------------------------

def make_pdf(lines: list[str], *, compress: bool = True) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Type0 font with a ToUnicode map)."""
    chars = sorted({c for line in lines for c in line})
    code = {c: i + 1 for i, c in enumerate(chars)}
    ops = ["BT", "/F1 10 Tf", "14 TL", "40 800 Td"]
    for line in lines:
        hexed = "".join(f"{code[c]:04X}" for c in line)
        ops.append(f"<{hexed}> Tj T*")
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    bfchar = "\n".join(f"<{code[c]:04X}> <{ord(c):04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{bfchar}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode("ascii")

    def stream(data: bytes) -> bytes:
        if compress:
            packed = zlib.compress(data)
            return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
        return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        stream(content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /TimesNewRoman /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TimesNewRoman "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 500 >>",
        stream(cmap),
        b"<< /Type /FontDescriptor /FontName /TimesNewRoman /Flags 32 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


# -- edXML ------------------------------------------------------------------------------------------

def make_edxml(attachment: bytes, name: str = "congvan.docx", **fields: str) -> bytes:
    """An edXML package (QCVN 102:2016) carrying one attachment."""
    f = {
        "organ": "Ủy ban nhân dân tỉnh Thái Nguyên", "code_number": "3715", "notation": "UBND-KGVX",
        "place": "Thái Nguyên", "date": "2022/08/15", "type_name": "Công văn",
        "subject": "V/v thực hiện các kiến nghị sau giám sát", "signer": "Lê Quang Tiến",
        "competence": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH", "priority": "0", "to": "Sở Tài chính",
    }
    f.update(fields)
    encoded = base64.b64encode(attachment).decode("ascii")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>000.00.00.H51</edXML:OrganId><edXML:OrganName>{f['organ']}</edXML:OrganName></edXML:From>
        <edXML:To><edXML:OrganId>000.01.00.H51</edXML:OrganId><edXML:OrganName>{f['to']}</edXML:OrganName></edXML:To>
        <edXML:Code><edXML:CodeNumber>{f['code_number']}</edXML:CodeNumber><edXML:CodeNotation>{f['notation']}</edXML:CodeNotation></edXML:Code>
        <edXML:PromulgationInfo><edXML:Place>{f['place']}</edXML:Place><edXML:PromulgationDate>{f['date']}</edXML:PromulgationDate></edXML:PromulgationInfo>
        <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>{f['type_name']}</edXML:TypeName></edXML:DocumentType>
        <edXML:Subject>{f['subject']}</edXML:Subject>
        <edXML:SignerInfo><edXML:Competence>{f['competence']}</edXML:Competence><edXML:Position>{f['position']}</edXML:Position><edXML:FullName>{f['signer']}</edXML:FullName></edXML:SignerInfo>
        <edXML:DueDate>2022/09/30</edXML:DueDate>
        <edXML:OtherInfo><edXML:Priority>{f['priority']}</edXML:Priority></edXML:OtherInfo>
      </edXML:MessageHeader>
    </edXML:edXMLHeader>
    <edXML:edXMLBody><edXML:edXMLManifest version="1.0"><edXML:Reference><edXML:ContentId>cid:1</edXML:ContentId>
      <edXML:AttachmentName>{name}</edXML:AttachmentName></edXML:Reference></edXML:edXMLManifest></edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded><Attachment><ContentId>cid:1</ContentId><AttachmentName>{name}</AttachmentName>
    <ContentType>application/octet-stream</ContentType>
    <edXML:ContentTransferEncoded xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">{encoded}</edXML:ContentTransferEncoded>
  </Attachment></AttachmentEncoded>
</edXML>""".encode("utf-8")


@pytest.fixture
def kien_giang_text() -> str:
    return (EXAMPLES / "letters" / "kien-giang-871-VP-VHXH-2019.txt").read_text(encoding="utf-8")


@pytest.fixture
def thai_nguyen_text() -> str:
    return (EXAMPLES / "letters" / "thai-nguyen-3715-UBND-KGVX-2022.txt").read_text(encoding="utf-8")
