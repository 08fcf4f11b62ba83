"""The report template: a .docx an office opens in Word and re-brands (letterhead, place, signer, Nơi nhận).

The builder fills the placeholders ``{{date}}``, ``{{title}}``, ``{{subject}}``, ``{{body}}`` (where the report's
sections go) and ``{{signer_name}}``; every other text of the template is the office's own. The page setup and
styles follow Nghị định 30/2020/NĐ-CP Phụ lục I: A4, Times New Roman 14 pt, margins top and bottom 20 mm, left
30 mm, right 15 mm, the page number at the top centre from page 2.

``python -m tracker.reports.template [PATH]`` writes the default template (templates/reports/bao-cao.docx).
"""

from __future__ import annotations

import io
import math
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, Twips

from tracker.reports.formats import TEMPLATE_NAME, TemplateError  # noqa: F401 (named here by the builders)

FONT = "Times New Roman"
#: the styles the builder uses; a re-branded template keeps them (their look may change)
STYLE_BODY = "Report Body"
STYLE_SECTION = "Report Section"
STYLE_TABLE = "Report Table Text"
STYLE_TABLE_HEADER = "Report Table Header"
STYLE_NOTE = "Report Note"


def set_font(target, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    """Times New Roman for every script (Latin, complex, East Asian) on a style or run, with size and weight."""
    font = target.font
    font.name = FONT
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    if size is not None:
        font.size = Pt(size)
        size_cs = rpr.find(qn("w:szCs"))
        if size_cs is None:
            size_cs = OxmlElement("w:szCs")
            rpr.append(size_cs)
        size_cs.set(qn("w:val"), str(int(size * 2)))
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic


def rule(paragraph, indent_cm: float) -> None:
    """Turn an empty paragraph into the short horizontal rule under a heading (its top border, indented)."""
    paragraph.paragraph_format.left_indent = Cm(indent_cm)
    paragraph.paragraph_format.right_indent = Cm(indent_cm)
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    ppr.append(borders)
    run = paragraph.add_run("")
    set_font(run, size=2)


def _line(cell_or_doc, text: str, size: float, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.CENTER,
          first=False):
    paragraph = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.first_line_indent = Cm(0)
    run = paragraph.add_run(text)
    set_font(run, size=size, bold=bold, italic=italic)
    return paragraph


def _no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tblpr.append(borders)


def _widths(table, widths_cm: list[float]) -> None:
    """Fixed column widths that Word and LibreOffice both honour (grid, table width and cell widths)."""
    table.autofit = False
    tbl = table._tbl
    for column, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        column.set(qn("w:w"), str(int(width * 567)))
    table_width = OxmlElement("w:tblW")
    table_width.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    table_width.set(qn("w:type"), "dxa")
    existing = tbl.tblPr.find(qn("w:tblW"))
    if existing is not None:
        tbl.tblPr.remove(existing)
    tbl.tblPr.append(table_width)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl.tblPr.append(layout)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def _page_number_field(paragraph) -> None:
    """A PAGE field (Word and LibreOffice compute it)."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        run = paragraph.add_run()
        set_font(run, size=14)
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    set_font(normal, size=14)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0
    for name, size, bold, italic, align, indent in (
        (STYLE_BODY, 14, False, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 1.0),
        (STYLE_SECTION, 14, True, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 1.0),
        (STYLE_NOTE, 14, False, True, WD_ALIGN_PARAGRAPH.JUSTIFY, 1.0),
        (STYLE_TABLE, 12, False, False, WD_ALIGN_PARAGRAPH.LEFT, 0),
        (STYLE_TABLE_HEADER, 12, True, False, WD_ALIGN_PARAGRAPH.CENTER, 0),
    ):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        set_font(style, size=size, bold=bold, italic=italic)
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = Cm(indent)
        fmt.space_before = Pt(6 if name == STYLE_SECTION else 0)
        fmt.space_after = Pt(6 if indent else 0)
        fmt.line_spacing = 1.0 if not indent else 1.15


def _at_least_mm(mm: float) -> Twips:
    return Twips(math.ceil(mm * 1440 / 25.4))


def build_default_template() -> bytes:
    """The default template (Văn phòng UBND tỉnh Kiên Giang, the demo office) as .docx bytes."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    # Word stores margins in whole twips: round up so that none falls a hair below the decree's minimum
    section.top_margin, section.bottom_margin = _at_least_mm(20), _at_least_mm(20)
    section.left_margin, section.right_margin = _at_least_mm(30), _at_least_mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    _styles(document)
    # page numbers at the top centre, not on the first page (Phụ lục I, mục 9)
    section.different_first_page_header_footer = True
    header_paragraph = section.header.paragraphs[0]
    header_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(header_paragraph)

    body = document.paragraphs[0]._p if document.paragraphs else None
    head = document.add_table(rows=2, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(head)
    _widths(head, [6.0, 10.5])
    left, right = head.cell(0, 0), head.cell(0, 1)
    _line(left, "UBND TỈNH KIÊN GIANG", 13, first=True)
    _line(left, "VĂN PHÒNG", 13, bold=True)
    rule(left.add_paragraph(), 2.0)
    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12.5, bold=True, first=True)
    _line(right, "Độc lập - Tự do - Hạnh phúc", 14, bold=True)
    rule(right.add_paragraph(), 2.0)
    _line(head.cell(1, 0), "Số:        /BC-VP", 13, first=True).paragraph_format.space_before = Pt(6)
    _line(head.cell(1, 1), "Kiên Giang, {{date}}", 14, italic=True, first=True).paragraph_format.space_before = Pt(6)
    if body is not None:  # python-docx starts with an empty paragraph: drop it so the header comes first
        body.getparent().remove(body)

    title = _line(document, "{{title}}", 14, bold=True)
    title.paragraph_format.space_before = Pt(24)
    _line(document, "{{subject}}", 14, bold=True)
    rule(document.add_paragraph(), 6.5)
    document.add_paragraph("{{body}}", style=STYLE_BODY)

    sign = document.add_table(rows=1, cols=2)
    _no_borders(sign)
    _widths(sign, [8.0, 8.5])
    recipients = sign.cell(0, 0)
    _line(recipients, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    for line in ("- Chủ tịch, các PCT UBND tỉnh;", "- Chánh VP, các PCVP UBND tỉnh;",
                 "- Các sở, ban, ngành tỉnh;", "- Lưu: VT, TH."):
        _line(recipients, line, 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    signer = sign.cell(0, 1)
    _line(signer, "KT. CHÁNH VĂN PHÒNG", 14, bold=True, first=True)
    _line(signer, "PHÓ CHÁNH VĂN PHÒNG", 14, bold=True)
    for _ in range(4):
        _line(signer, "", 14)
    _line(signer, "{{signer_name}}", 14, bold=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def default_template_path() -> Path:
    """templates/reports/bao-cao.docx as shipped."""
    from tracker.resources import shipped_dir

    return shipped_dir("templates") / TEMPLATE_NAME


def open_template(path: Path | None = None):
    """Open the template at ``path`` (default: the shipped one) as a python-docx Document.

    A missing, damaged or foreign file raises TemplateError naming it and saying what is wrong.
    """
    path = Path(path) if path is not None else default_template_path()
    if not path.is_file():
        raise TemplateError(f"Không tìm thấy mẫu báo cáo “{path}”.")
    try:
        document = Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TemplateError(f"Mẫu báo cáo “{path}” bị hỏng hoặc không phải tệp Word .docx ({exc}); "
                            "hãy mở và lưu lại bằng Word, hoặc xóa để dùng mẫu mặc định.") from None
    except Exception as exc:  # lxml and python-docx raise many kinds for a broken package
        raise TemplateError(f"Mẫu báo cáo “{path}” bị hỏng, không đọc được ({type(exc).__name__}: {exc}).") from None
    if not any("{{body}}" in p.text for p in document.paragraphs):
        raise TemplateError(f"Mẫu báo cáo “{path}” thiếu chỗ đặt nội dung “{{{{body}}}}”: hãy giữ dòng "
                            "{{body}} trong mẫu (một đoạn riêng).")
    return document


def main(argv: list[str] | None = None) -> None:
    """Write the default template to the path given, or to templates/reports/bao-cao.docx."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else default_template_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build_default_template())
    print(f"Đã ghi mẫu báo cáo mặc định: {target}")


if __name__ == "__main__":
    main()
