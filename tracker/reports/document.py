"""Fill the report template: placeholders, numbered sections, tables with a repeating header row, pictures.

Tables are written straight as WordprocessingML rows, because python-docx's add_row is far too slow for a
register of 20,000 letters; and they are written to a temporary file, not into the document's XML tree: the
tree of a register of 20,000 letters takes hundreds of megabytes. The document holds a marker paragraph where
each table goes, and :meth:`ReportDocument.save` copies the tables' files in its place while it writes the
.docx, so the memory used does not grow with the number of rows.
"""

from __future__ import annotations

import io
import secrets
import shutil
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Mm

from tracker.reports import progress
from tracker.reports.template import (STYLE_BODY, STYLE_NOTE, STYLE_SECTION, STYLE_TABLE, STYLE_TABLE_HEADER,
                                      open_template)

_W = nsdecls("w")
#: rows with at least this many lines in a cell may break across pages (see ReportDocument.table)
SPLITTABLE_ROW_LINES = 12


def _replace_in_paragraph(paragraph, values: dict[str, str]) -> None:
    """Replace ``{{key}}`` in a paragraph, keeping the run formatting when a placeholder sits in one run."""
    if "{{" not in paragraph.text:
        return
    for run in paragraph.runs:
        if "{{" in run.text:
            text = run.text
            for key, value in values.items():
                text = text.replace("{{" + key + "}}", value)
            run.text = text
    if any("{{" + key + "}}" in paragraph.text for key in values):
        # Word split a placeholder over several runs: the paragraph takes the first run's formatting
        text = paragraph.text
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        runs = paragraph.runs
        runs[0].text = text
        for run in runs[1:]:
            run._r.getparent().remove(run._r)


def _all_paragraphs(document):
    """Paragraphs of the body, its tables (nested too), and the headers and footers."""
    def in_tables(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
                    yield from in_tables(cell.tables)

    yield from document.paragraphs
    yield from in_tables(document.tables)
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            yield from part.paragraphs
            yield from in_tables(part.tables)


def _space(text: str) -> str:
    """xml:space="preserve" only where spaces at an end must survive: on every cell it makes lxml reconcile
    the xml namespace node by node when the table joins the document (seconds for a register)."""
    return ' xml:space="preserve"' if text != text.strip() else ""


class ReportDocument:
    """A report being written into the template: call heading/paragraph/table/picture, then save."""

    def __init__(self, template: Path | None = None):
        self.document = open_template(template)
        self._marker = next(p for p in self.document.paragraphs if "{{body}}" in p.text)
        self._sections = 0
        # found before fill() replaces its placeholder: the Nơi nhận and signature table
        self._signature = next((t for t in self.document.tables
                                if "{{signer_name}}" in "".join(c.text for r in t.rows for c in r.cells)), None)
        #: (marker text, file holding the table's XML) of each table, in the document's order
        self._tables: list[tuple[str, tempfile.SpooledTemporaryFile]] = []
        self._token = f"tracker-table-{secrets.token_hex(8)}"

    # -- placeholders and page ---------------------------------------------------------------------------
    def fill(self, **values: str) -> None:
        """Replace the template's placeholders (``date``, ``title``, ``subject``, ``signer_name``)."""
        values = {k: v for k, v in values.items() if k != "body"}
        for paragraph in _all_paragraphs(self.document):
            _replace_in_paragraph(paragraph, values)

    def landscape(self) -> None:
        """Turn the pages sideways (registers have many columns); the margins stay those of the decree."""
        for section in self.document.sections:
            if section.orientation != WD_ORIENT.LANDSCAPE:
                section.orientation = WD_ORIENT.LANDSCAPE
                section.page_width, section.page_height = section.page_height, section.page_width

    def text_width_cm(self) -> float:
        """Width between the margins of the last section, in cm."""
        section = self.document.sections[-1]
        return (section.page_width - section.left_margin - section.right_margin) / Mm(10)

    def drop_signature(self) -> None:
        """Remove the Nơi nhận and signature table (registers are signed by their own closing line)."""
        if self._signature is not None:
            self._signature._tbl.getparent().remove(self._signature._tbl)
            self._signature = None

    # -- content -----------------------------------------------------------------------------------------
    def _insert(self, element) -> None:
        self._marker._p.addprevious(element)

    def _paragraph(self, text: str, style: str, bold: bool = False, italic: bool = False):
        try:
            paragraph = self.document.add_paragraph(style=style)
        except KeyError:  # a re-branded template lost one of our styles: Normal still reads well
            paragraph = self.document.add_paragraph()
        if text:
            run = paragraph.add_run(text)
            run.bold = bold or None
            run.italic = italic or None
        self._insert(paragraph._p)
        return paragraph

    def heading(self, text: str) -> None:
        """A numbered section heading: "1. Kết quả chung"."""
        self._sections += 1
        self._paragraph(f"{self._sections}. {text}", STYLE_SECTION)

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False) -> None:
        """A body paragraph (justified, first line indented)."""
        self._paragraph(text, STYLE_BODY, bold=bold, italic=italic)

    def note(self, text: str) -> None:
        """An italic remark (an empty period, the source of the figures)."""
        self._paragraph(text, STYLE_NOTE)

    def picture(self, png: bytes, width_cm: float) -> None:
        """A picture centred on its own line."""
        paragraph = self.document.add_paragraph(style=STYLE_TABLE_HEADER)
        paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
        self._insert(paragraph._p)

    def table(self, headers: list[str], rows, widths_cm: list[float], *, centred: set[int] = frozenset(),
              total_row: list[str] | None = None, total: int | None = None) -> None:
        """A bordered table whose first row repeats on every page; ``centred`` are column indexes.

        ``rows`` may be any iterable (a generator reading the database in batches): each row is written to the
        table's file as it comes. ``total`` is how many rows to expect, for the progress bar, when ``rows`` has
        no length.
        """
        twips = [int(w * 567) for w in widths_cm]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
        borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                          for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        chunks = [f'<w:tbl {_W}><w:tblPr><w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
                  f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
                  f'<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
                  f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
                  f'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>']
        header_style = self._style_id(STYLE_TABLE_HEADER)
        text_style = self._style_id(STYLE_TABLE)

        def row_xml(cells, header=False, bold=False) -> str:
            # a row is kept on one page unless it is too tall for one (a letter given to dozens of agencies):
            # such a row, kept whole, would leave a blank page before it and still be cut by the office suite
            tall = not header and max((str(c).count("\n") for c in cells if c is not None), default=0) \
                >= SPLITTABLE_ROW_LINES
            keep = "" if tall else "<w:cantSplit/>"
            props = f'<w:trPr>{keep}<w:tblHeader/></w:trPr>' if header else f'<w:trPr>{keep}</w:trPr>'
            parts = [f"<w:tr>{props}"]
            for index, (value, width) in enumerate(zip(cells, twips)):
                style = header_style if header else text_style
                jc = '<w:jc w:val="center"/>' if header or index in centred else ""
                run_props = "<w:rPr><w:b/><w:bCs/></w:rPr>" if bold else ""
                paragraphs = "".join(
                    f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{jc}</w:pPr>'
                    f'<w:r>{run_props}<w:t{_space(line)}>{escape(line)}</w:t></w:r></w:p>'
                    for line in (str(value) if value is not None else "").split("\n"))
                parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/>'
                             f'</w:tcPr>{paragraphs}</w:tc>')
            parts.append("</w:tr>")
            return "".join(parts)

        chunks.append(row_xml(headers, header=True))
        # kept in memory up to a few megabytes, then on disk
        sink = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
        sink.write("".join(chunks).encode("utf-8"))
        expected = len(rows) if total is None and hasattr(rows, "__len__") else total
        for index, row in enumerate(rows):
            if index % 500 == 0 and expected:
                progress.advance(index, expected)
            sink.write(row_xml(row).encode("utf-8"))
        if total_row is not None:
            sink.write(row_xml(total_row, bold=True).encode("utf-8"))
        sink.write(b"</w:tbl>")
        marker = f"{self._token}-{len(self._tables)}"
        self._insert(parse_xml(f'<w:p {_W}><w:r><w:t>{marker}</w:t></w:r></w:p>'))
        self._tables.append((marker, sink))
        # a table followed directly by a table would merge: a small gap paragraph keeps them apart
        self._paragraph("", STYLE_TABLE)

    def signatures(self, *columns: list[str]) -> None:
        """Side-by-side signature blocks without borders: first line bold (the title), the rest italic."""
        width = int(self.text_width_cm() * 567 / len(columns))
        style = self._style_id(STYLE_TABLE_HEADER)
        cells = []
        title_props, note_props = "<w:b/>", '<w:b w:val="0"/><w:i/>'
        for lines in columns:
            paragraphs = "".join(
                f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="center"/></w:pPr><w:r><w:rPr>'
                f'{title_props if i == 0 else note_props}<w:sz w:val="28"/></w:rPr>'
                f'<w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' for i, line in enumerate(lines))
            cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paragraphs}</w:tc>')
        grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in columns)
        self._insert(parse_xml(
            f'<w:tbl {_W}><w:tblPr><w:tblW w:w="{width * len(columns)}" w:type="dxa"/><w:tblBorders>'
            + "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
            + f'</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
            f'<w:tr><w:trPr><w:cantSplit/></w:trPr>{"".join(cells)}</w:tr></w:tbl>'))

    def _style_id(self, name: str) -> str:
        try:
            return self.document.styles[name].style_id
        except KeyError:
            return "Normal"

    # -- output ------------------------------------------------------------------------------------------
    def finish(self) -> None:
        """Remove the ``{{body}}`` line; call once, after the content."""
        if self._marker is not None:
            self._marker._p.getparent().remove(self._marker._p)
            self._marker = None

    def save(self, target) -> None:
        """Write the .docx to a path or a binary file object, each table's rows copied from its file in place of
        its marker."""
        self.finish()
        if not self._tables:
            self.document.save(target)
            return
        shell = io.BytesIO()  # the document without its tables' rows: small
        self.document.save(shell)
        shell.seek(0)
        with zipfile.ZipFile(shell) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in source.infolist():
                if info.filename != "word/document.xml":
                    out.writestr(info, source.read(info))
                    continue
                xml = source.read(info).decode("utf-8")
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with out.open(entry, "w", force_zip64=True) as sink:
                    position = 0
                    for marker, table in self._tables:
                        found = xml.index(f">{marker}<", position)
                        # the marker paragraph, whatever namespace declarations lxml wrote on it
                        start, end = xml.rindex("<w:p", position, found), xml.index("</w:p>", found) + len("</w:p>")
                        sink.write(xml[position:start].encode("utf-8"))
                        table.seek(0)
                        shutil.copyfileobj(table, sink, 1024 * 1024)
                        position = end
                    sink.write(xml[position:].encode("utf-8"))

    def to_bytes(self) -> bytes:
        """The .docx as bytes."""
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()
