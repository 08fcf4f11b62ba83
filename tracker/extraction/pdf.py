"""PDF pages through PDFium (pypdfium2): the text layer in visual order, and pages rendered for OCR.

Why not the content-stream order that pypdf returns: LibreOffice draws the glyphs that its font lacks
(Vietnamese letters missing from Liberation Serif, Courier...) with a fallback font *after* the rest of
their line, so a stream-order reader gets "C NG HÒA ... Ộ Ộ Ủ Ệ". Here each line is the run of glyphs
that the producer drew on one baseline, its glyphs sorted left to right, and spaces come from the
space glyphs and the gaps between glyphs. Lines keep the producer's order, which for a letter made in
Word or LibreOffice is the reading order of its table cells (issuer cell before the Quốc hiệu cell),
the order in which the .docx reader reads them. Lines that the page wrapped are joined again when the
first word of the next line would not have fitted on the line (see :func:`_reflow`), so a PDF reads
like the .docx it was made from.

PDFium is not thread-safe: every call goes through :data:`_LOCK`.
"""

from __future__ import annotations

import ctypes
import re
import threading
import unicodedata
from dataclasses import dataclass, field

_LOCK = threading.Lock()


class PdfError(Exception):
    """PDFium could not open the file; ``reason`` is "password", "security" or "damaged"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Glyph:
    ch: str
    x0: float
    x1: float
    base: float
    size: float


@dataclass
class _Line:
    base: float
    size: float
    glyphs: list[_Glyph] = field(default_factory=list)
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    block: int = 0
    row: tuple[float, float] = (0.0, 0.0)  # left and right of the whole drawn line this part was cut from


def _open(data: bytes, password: str | None):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        import pypdfium2.raw as raw

        if code == raw.FPDF_ERR_PASSWORD:
            raise PdfError("password") from None
        if code == raw.FPDF_ERR_SECURITY:
            raise PdfError("security") from None
        raise PdfError("damaged") from None


def page_count(data: bytes, password: str | None = "") -> int:
    """Number of pages of a PDF (raises :class:`PdfError`)."""
    with _LOCK:
        document = _open(data, password)
        try:
            return len(document)
        finally:
            document.close()


def page_texts(data: bytes, *, max_pages: int, password: str | None = "") -> list[str]:
    """The text of the first ``max_pages`` pages, each in visual reading order (raises :class:`PdfError`)."""
    texts = []
    with _LOCK:
        document = _open(data, password)
        try:
            for index in range(min(len(document), max_pages)):
                page = document[index]
                try:
                    textpage = page.get_textpage()
                    try:
                        glyphs = _glyphs(textpage)
                    finally:
                        textpage.close()
                finally:
                    page.close()
                texts.append(layout_text(glyphs))
        finally:
            document.close()
    return texts


def _glyphs(textpage) -> list[_Glyph]:
    import pypdfium2.raw as raw

    handle = textpage.raw
    count = raw.FPDFText_CountChars(handle)
    out: list[_Glyph] = []
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    rect = raw.FS_RECTF()
    for i in range(count):
        if raw.FPDFText_IsGenerated(handle, i):
            continue  # PDFium's guessed spaces and line ends: rebuilt from positions below
        code = raw.FPDFText_GetUnicode(handle, i)
        if code in (0, 0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        if ch in "\r\n":
            continue
        if not raw.FPDFText_GetCharOrigin(handle, i, ox, oy):
            continue
        size = raw.FPDFText_GetFontSize(handle, i) or 10.0
        if raw.FPDFText_GetLooseCharBox(handle, i, rect):
            x0, x1 = rect.left, rect.right
        elif raw.FPDFText_GetCharBox(handle, i, left, right, bottom, top):
            x0, x1 = left.value, right.value
        else:
            x0 = x1 = ox.value
        size = max(size, 1.0)
        x0, x1 = min(x0, x1), max(x0, x1)
        # a fallback font's glyph can report a box a full em wide (LibreOffice squeezes it into the
        # advance of the font it replaces): no letter is wider than 0.9 em, and a box too wide hides
        # the space after it ("số612")
        out.append(_Glyph(" " if ch.isspace() else ch, x0, min(x1, x0 + 0.9 * size), oy.value, size))
    return out


# ---------------------------------------------------------------------------
# Layout: glyphs -> lines -> text
# ---------------------------------------------------------------------------

#: a gap wider than this many font sizes between two glyphs of a line separates two cells or columns
_CELL_GAP = 2.0
#: a gap wider than this many font sizes between two glyphs is a space even without a space glyph
_WORD_GAP = 0.15
_LIST_START_RE = re.compile(r"^(?:[-+•*–]|\(?[0-9a-zđ]{1,3}[.)]|[IVX]{1,4}\.)(?:\s|$)")


def layout_text(glyphs: list[_Glyph]) -> str:
    """Text of one page from its glyphs in content-stream order (see the module docstring)."""
    lines = _stream_lines(glyphs)
    lines = [line for raw_line in lines for line in _split_cells(raw_line)]
    lines = [line for line in lines if line.text.strip()]
    return "\n".join(_reflow(lines))


def _stream_lines(glyphs: list[_Glyph]) -> list[_Line]:
    """Runs of consecutive glyphs on one baseline: a glyph drawn later on the same baseline (a fallback
    font's glyph) stays in its line, a glyph on another baseline starts the next line."""
    lines: list[_Line] = []
    current: _Line | None = None
    for glyph in glyphs:
        if current is not None and abs(glyph.base - current.base) <= 0.35 * max(glyph.size, current.size):
            current.glyphs.append(glyph)
            continue
        if glyph.ch == " ":
            continue  # a space does not start a line
        current = _Line(glyph.base, glyph.size, [glyph])
        lines.append(current)
    return lines


def _split_cells(line: _Line) -> list[_Line]:
    """The line's glyphs sorted left to right, with spaces, cut where a wide gap separates two cells."""
    ordered = sorted(line.glyphs, key=lambda g: (g.x0, g.x1))
    parts: list[_Line] = []
    chars: list[str] = []
    current: _Line | None = None
    previous: _Glyph | None = None
    pending_space = False
    for glyph in ordered:
        if glyph.ch == " ":
            pending_space = previous is not None
            continue
        if previous is not None:
            if glyph.ch == previous.ch and abs(glyph.x0 - previous.x0) < 0.1 * glyph.size:
                continue  # the same glyph drawn twice (fake bold)
            gap = glyph.x0 - previous.x1
            if gap > _CELL_GAP * max(glyph.size, previous.size):
                current.text = unicodedata.normalize("NFC", "".join(chars)).strip()
                current = None
                chars = []
                pending_space = False
            elif pending_space or gap > _WORD_GAP * max(glyph.size, previous.size):
                chars.append(" ")
        if current is None:
            current = _Line(line.base, line.size, [], x0=glyph.x0)
            parts.append(current)
        chars.append(glyph.ch)
        current.glyphs.append(glyph)
        current.x1 = max(current.x1, glyph.x1)
        current.size = glyph.size if len(current.glyphs) == 1 else max(current.size, glyph.size)
        previous = glyph
        pending_space = False
    if current is not None:
        current.text = unicodedata.normalize("NFC", "".join(chars)).strip()
    if parts:
        row = (parts[0].x0, parts[-1].x1)
        for part in parts:
            part.row = row
    return parts


def _reflow(lines: list[_Line]) -> list[str]:
    """Join the lines that the page wrapped, so that a paragraph is one line as in a .docx.

    A block is a run of lines that follow each other in the stream, each below the last by at most
    two line heights and overlapping it horizontally. Its right edge is where the next column starts
    (the nearest line of another block beside it) or else the right edge of the page's text. A line
    was wrapped when the next line's first word would not have fitted in the room left on it; a list
    item (a line starting "-", "a)", "2.") or extra space between the lines starts a paragraph anyway.
    """
    if not lines:
        return []
    block = 0
    for previous, line in zip(lines, lines[1:]):
        drop = previous.base - line.base
        size = max(previous.size, line.size)
        overlap = min(previous.row[1], line.row[1]) - max(previous.row[0], line.row[0])
        if not (0 < drop <= 2.2 * size and overlap > -size):
            block += 1
        line.block = block
    page_right = _right_margin(lines)
    blocks: dict[int, list[_Line]] = {}
    for line in lines:
        blocks.setdefault(line.block, []).append(line)
    edges: dict[int, float] = {}
    for number, members in blocks.items():
        top = max(m.base for m in members) + members[0].size
        bottom = min(m.base for m in members) - members[0].size
        left = min(m.x0 for m in members)
        right = max(m.x1 for m in members)
        edge = page_right
        for other in lines:
            if other.block != number and other.x0 > right - 0.5 * other.size and other.x0 > left \
                    and bottom <= other.base <= top:
                edge = min(edge, other.x0 - 0.5 * other.size)  # keep off the neighbour: cell margins
        edges[number] = max(edge, right)
    out: list[str] = []
    for index, line in enumerate(lines):
        if index and _continues(lines[index - 1], line, blocks, edges):
            previous_text = out[-1]
            joint = "" if re.search(r"\w-$", previous_text) else " "
            out[-1] = previous_text + joint + line.text
        else:
            out.append(line.text)
    return out


def _right_margin(lines: list[_Line]) -> float:
    """Where the page's text ends on the right: the median right end of the longest quarter of the lines
    (justified body lines all end there), not the rightmost glyph, which may stick out (a fallback
    font's glyphs drawn wider than the text they replace, a table wider than the text)."""
    ends = sorted(line.x1 for line in lines)
    far = ends[len(ends) * 3 // 4:]
    return far[len(far) // 2]


def _continues(previous: _Line, line: _Line, blocks: dict[int, list[_Line]], edges: dict[int, float]) -> bool:
    if previous.block != line.block or _LIST_START_RE.match(line.text):
        return False
    members = blocks[line.block]
    drops = [a.base - b.base for a, b in zip(members, members[1:]) if a.base > b.base]
    pitch = min(drops) if drops else previous.base - line.base
    if previous.base - line.base > 1.3 * pitch + 0.5:
        return False  # space before a paragraph
    first_word = line.text.split(" ", 1)[0]
    width = _width_of(line, len(first_word))
    left = min(m.x0 for m in members)
    room = (edges[line.block] - previous.x1) + max(0.0, previous.x0 - left) / 2  # centred lines: half each side
    # "fits" only with room to spare: a cell's text ends a padding short of the edge found here
    return width + 0.3 * line.size > room - 0.6 * line.size


def _width_of(line: _Line, characters: int) -> float:
    glyphs = line.glyphs[:max(1, characters)]
    return glyphs[-1].x1 - glyphs[0].x0


# ---------------------------------------------------------------------------
# Rendering for OCR
# ---------------------------------------------------------------------------

def render_page_pgm(data: bytes, index: int, *, dpi: int, max_pixels: int, password: str | None = "") -> bytes:
    """Page ``index`` rendered in grey levels as a binary PGM image (which Tesseract reads as is).

    The scale is lowered so that the image has at most ``max_pixels`` pixels: a page with a huge
    declared size cannot make the server allocate gigabytes.
    """
    with _LOCK:
        document = _open(data, password)
        try:
            page = document[index]
            try:
                width, height = page.get_size()
                scale = dpi / 72
                if width * height * scale * scale > max_pixels:
                    scale = (max_pixels / max(width * height, 1.0)) ** 0.5
                bitmap = page.render(scale=scale, grayscale=True)
                try:
                    w, h, stride = bitmap.width, bitmap.height, bitmap.stride
                    buffer = bytes(bitmap.buffer)
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    if stride != w:
        buffer = b"".join(buffer[row * stride:row * stride + w] for row in range(h))
    return b"P5\n%d %d\n255\n" % (w, h) + buffer
