"""Test letters: the shipped example texts, and .docx files built from text the way offices lay them out."""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.shared import Pt

EXAMPLES = Path(__file__).resolve().parents[2] / "tracker" / "demo_data"
KIEN_GIANG = EXAMPLES / "kien-giang-871-VP-VHXH-2019.txt"
THAI_NGUYEN = EXAMPLES / "thai-nguyen-3715-UBND-KGVX-2022.txt"


def docx_from_text(text: str) -> bytes:
    """An official-looking .docx: the issuer block and the Quốc hiệu side by side in a header table,
    then the number and the place and date side by side, then the body paragraphs."""
    lines = [re.sub(r"\*\*", "", line).strip() for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    quoc_hieu = next(i for i, line in enumerate(lines) if re.match(r"CỘNG\W?HÒA", line.upper()))
    issuer = lines[:quoc_hieu]
    number = [line for line in issuer if line.startswith("Số")]
    issuer = [line for line in issuer if not line.startswith("Số")]
    rest = lines[quoc_hieu:]
    motto, rest = rest[:2], rest[2:]
    if rest and rest[0].startswith("Số"):
        number, rest = [rest[0]], rest[1:]
    place = [rest[0]] if rest and ", ngày" in rest[0] else []
    body = rest[len(place):]
    document = Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(13)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "\n".join(issuer)
    table.cell(0, 1).text = "\n".join(motto)
    table.cell(1, 0).text = "\n".join(number)
    table.cell(1, 1).text = "\n".join(place)
    for line in body:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
