"""Reading letters from files: .txt, .docx, .pdf, edXML (and pasted text) to plain text.

Every failure on bad input is an :class:`UnreadableDocument` with a Vietnamese message that a
clerk can act on; no other exception escapes :func:`read_document`.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata

from tracker.extraction.text import detect_legacy_encoding, fold, normalize, tcvn3_to_unicode, vni_to_unicode

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_MAX_PDF_PAGES = 300


class UnreadableDocument(Exception):
    """The file cannot be read as a letter; ``message`` says why, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------

def read_document(data: bytes, filename: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES,
                  require_letter: bool = True, warnings: list[str] | None = None) -> str:
    """Return the text of a letter file (.txt, .docx, .pdf, .xml/.edxml, .html, or a scan).

    A scan (a PDF without usable text, a .png, .jpg or .tif image) is read by OCR
    (:mod:`tracker.extraction.ocr`), with a warning that the text must be checked; without
    Tesseract the message says that OCR is not installed on the server.

    The format is recognised from the content (the file name only breaks ties).
    With ``require_letter`` (the default) the text must look like a Vietnamese official
    letter. Raises :class:`UnreadableDocument` with a Vietnamese message otherwise.

    When the file was read but the clerk should check something (a few characters that could
    not be decoded, an attachment of an edXML package that could not be read), Vietnamese
    messages are appended to ``warnings`` if a list is given; nothing is appended when the
    file is refused. Archives (.docx, zipped attachments) are unpacked within one budget of
    inflated bytes for the whole file (see :mod:`tracker.extraction.archives`).
    """
    from tracker.extraction import archives

    found: list[str] = []
    try:
        with archives.upload_budget():
            text = _read_document(data, filename or "", max_bytes=max_bytes, require_letter=require_letter,
                                  warnings=found)
    except UnreadableDocument:
        raise
    except MemoryError:
        raise UnreadableDocument("Tệp quá lớn để đọc.") from None
    except Exception:  # a reader library failing on malformed input
        raise UnreadableDocument(
            f"Không đọc được tệp {filename or ''}: tệp bị hỏng hoặc không đúng định dạng.".replace("  ", " ")
        ) from None
    if warnings is not None:
        warnings.extend(found)
    return text


def read_pasted_text(text: str, *, require_letter: bool = True) -> str:
    """Check text pasted by a clerk and return it (raises UnreadableDocument if it is not a letter)."""
    if text is None or not str(text).strip():
        raise UnreadableDocument("Chưa có nội dung văn bản: hãy dán toàn văn công văn.")
    if require_letter:
        check_letter(str(text))
    return str(text)


def _read_document(data: bytes, filename: str, *, max_bytes: int, require_letter: bool, warnings: list[str]) -> str:
    if data is None or len(data) == 0 or not data.strip():
        raise UnreadableDocument("Tệp rỗng: không có nội dung để đọc.")
    if len(data) > max_bytes:
        raise UnreadableDocument(
            f"Tệp quá lớn ({len(data) / 1048576:.1f} MB); giới hạn là {max_bytes / 1048576:.0f} MB."
        )
    name = filename.lower()
    head = data[:8]
    if head.startswith(b"%PDF") or (b"%PDF-" in data[:1024] and not name.endswith((".txt", ".xml"))):
        try:
            text = read_pdf(data)
        except NoTextLayer:
            from tracker.extraction import ocr

            text = ocr.read_scan(data, "pdf", warnings=warnings)
    elif head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        text = read_docx(data)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise UnreadableDocument("Tệp được bảo vệ bằng mật khẩu (mã hóa): hãy gỡ mật khẩu rồi tải lên lại.")
        raise UnreadableDocument(
            "Tệp Word 97-2003 (.doc) chưa được hỗ trợ: hãy mở bằng Word và lưu lại thành .docx hoặc PDF."
        )
    elif head.startswith(b"{\\rtf"):
        raise UnreadableDocument("Tệp RTF chưa được hỗ trợ: hãy lưu lại thành .docx hoặc PDF.")
    elif _is_image(head):
        from tracker.extraction import ocr

        kind = ocr.image_kind(data)
        if kind is None:
            raise UnreadableDocument("Định dạng ảnh này chưa được hỗ trợ: hãy lưu bản quét thành PNG, JPEG, TIFF "
                                     "hoặc PDF để nhận dạng chữ (OCR).")
        text = ocr.read_scan(data, kind, warnings=warnings)
    else:
        decoding: list[str] = []
        text = decode_text(data, warnings=decoding)
        stripped = text.lstrip("\ufeff \t\r\n")
        from tracker.extraction import edxml

        if stripped.startswith("<") and edxml.looks_like_edxml(data, filename):
            package = edxml.read_edxml(data)  # the XML parser decodes the bytes itself
            text = package.text
            warnings.extend(package.warnings)
        else:
            warnings.extend(decoding)
            if stripped.startswith("<"):
                if re.match(r"<(?:!doctype\s+html|html|body|div|p|table)\b", stripped, re.IGNORECASE):
                    text = html_to_text(stripped)
                elif name.endswith((".xml", ".edxml")) or stripped.startswith("<?xml"):
                    raise UnreadableDocument("Tệp XML không phải gói văn bản điện tử edXML (QCVN 102:2016/BTTTT).")
    if not text or not text.strip():
        raise UnreadableDocument("Tệp không có nội dung chữ.")
    if require_letter:
        check_letter(text)
    return text


def _is_image(head: bytes) -> bool:
    return head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")) or (
        head[:4] == b"RIFF")


# ---------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------

_COMMON_WORDS = frozenset(
    "của và các ngày tháng năm được thực hiện trên cơ quan tỉnh ủy ban nhân dân số về việc theo đến với cho có "
    "không những trong để sở bộ công văn kính gửi nơi nhận đề nghị báo cáo chủ tịch huyện xã".split()
)


def _vietnamese_score(text: str) -> int:
    sample = normalize(text[:20000]).lower()
    words = re.findall(r"[^\W\d_]+", sample)
    return sum(1 for w in words if w in _COMMON_WORDS)


def decode_text(data: bytes, *, warnings: list[str] | None = None) -> str:
    """Decode the bytes of a text file: BOM, UTF-8, UTF-16 without BOM, else Windows-1258 or a legacy font.

    UTF-8 with a few damaged bytes is decoded with U+FFFD in their place, and a Vietnamese
    message saying how many characters were lost is appended to ``warnings`` (if given).
    """
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                break
    sample = data[:4000]
    zeros = sample.count(b"\x00")
    if zeros > len(sample) // 5:
        even = sample[0::2].count(b"\x00")
        odd = sample[1::2].count(b"\x00")
        codec = "utf-16-be" if even > odd else "utf-16-le"
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            raise UnreadableDocument("Tệp không phải văn bản (dữ liệu nhị phân).") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None:
        text = _damaged_utf8(data, warnings)
    if text is not None:
        return _reject_binary(text)
    # 8-bit: Windows-1258 (Vietnamese code page) or a legacy font (TCVN3/VNI) read as Windows-1252
    candidates = []
    for codec in ("cp1258", "cp1252", "latin-1"):
        try:
            decoded = unicodedata.normalize("NFC", data.decode(codec))
        except UnicodeDecodeError:
            continue
        candidates.append((_vietnamese_score(decoded), -len(candidates), decoded))
    if not candidates:
        raise UnreadableDocument("Không nhận ra bảng mã của tệp văn bản.")
    return _reject_binary(max(candidates)[2])


def _damaged_utf8(data: bytes, warnings: list[str] | None) -> str | None:
    """UTF-8 text with a few invalid bytes (a character cut by a copy, a stray byte from another
    encoding), decoded with U+FFFD in their place; None when the bytes are not mostly UTF-8.

    Windows-1258, TCVN3 and VNI text almost never forms valid multi-byte UTF-8 sequences, so
    requiring 20 well-formed non-ASCII characters per invalid sequence keeps those files on the
    legacy path, while a Vietnamese letter (hundreds of accented letters) survives a few bad bytes.
    """
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))  # U+FFFD written in the file is fine
    good = sum(1 for c in text if c >= "\x80" and c != "\ufffd")
    if bad <= 0 or good < 20 * bad:
        return None
    if warnings is not None:
        warnings.append(f"Tệp có {bad} ký tự không đọc được (lỗi bảng mã); đã thay bằng dấu \ufffd. "
                        "Vui lòng kiểm tra lại nội dung.")
    return text


def _reject_binary(text: str) -> str:
    sample = text[:5000]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if sample and controls > 0.05 * len(sample):
        raise UnreadableDocument("Tệp không phải văn bản (dữ liệu nhị phân) hoặc định dạng không được hỗ trợ.")
    return text


def html_to_text(markup: str) -> str:
    """Text of an HTML page (a letter saved from a web portal): block elements and cells as lines."""
    from html.parser import HTMLParser

    class _Collector(HTMLParser):
        BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "td", "th", "section"}

        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            if tag in {"script", "style", "head"}:
                self.skip += 1
            elif tag in self.BLOCKS:
                self.parts.append("\n")

        def handle_endtag(self, tag):
            if tag in {"script", "style", "head"} and self.skip:
                self.skip -= 1
            elif tag in self.BLOCKS:
                self.parts.append("\n")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data.replace("\n", " "))

    collector = _Collector()
    collector.feed(markup)
    collector.close()
    text = "".join(collector.parts)
    return re.sub(r"\n\s*\n+", "\n\n", text)


# ---------------------------------------------------------------------------
# .docx
# ---------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SKIP_TAGS = {_W + "delText", _W + "instrText", _W + "fldData", _W + "rPr", _W + "pPr", _W + "footnoteReference",
              _W + "endnoteReference", _W + "commentReference", _W + "del", _W + "moveFrom", _MC + "Fallback"}


def read_docx(data: bytes) -> str:
    """Text of a .docx: body paragraphs and tables in order (cells left to right, nested tables,
    text boxes), page headers first and footers last. Legacy-font runs (.VnTime, VNI-Times) are
    converted to Unicode."""
    from tracker.extraction import archives

    try:
        archive = archives.open_zip(data, archives.DOCX_LIMITS)
    except archives.DamagedArchive:
        raise UnreadableDocument("Tệp .docx bị hỏng (không giải nén được).") from None
    names = set(archive.namelist())
    if "word/document.xml" not in names:
        if "EncryptedPackage" in names:
            raise UnreadableDocument("Tệp được bảo vệ bằng mật khẩu (mã hóa): hãy gỡ mật khẩu rồi tải lên lại.")
        if "content.xml" in names:
            raise UnreadableDocument("Tệp OpenDocument (.odt) chưa được hỗ trợ: hãy lưu lại thành .docx hoặc PDF.")
        if any(n.startswith("xl/") for n in names):
            raise UnreadableDocument("Tệp là bảng tính Excel, không phải văn bản.")
        raise UnreadableDocument("Tệp nén không chứa văn bản Word (.docx).")
    # python-docx loads every part of the package into memory through zipfile, whose read()
    # inflates a whole member in one call whatever its declared size. So every member is
    # inflated here first under archives.DOCX_LIMITS (bombs are refused before any
    # memory is kept), and python-docx gets an uncompressed copy of exactly the checked bytes:
    # it can only read what was counted, with no trust left in the original central directory.
    try:
        package = archives.checked_copy(data, archives.DOCX_LIMITS, archive=archive)
    except archives.DamagedArchive:
        raise UnreadableDocument("Tệp .docx bị hỏng (không giải nén được).") from None
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(package))
    except Exception:
        raise UnreadableDocument("Tệp .docx bị hỏng hoặc không đúng định dạng Word.") from None
    walker = _DocxWalker(document)
    lines: list[str] = []
    header_lines: list[str] = []
    footer_lines: list[str] = []
    seen_parts: set[str] = set()
    for rel in document.part.rels.values():
        reltype = rel.reltype or ""
        if rel.is_external or not reltype.endswith(("/header", "/footer")):
            continue
        part = rel.target_part
        if str(part.partname) in seen_parts:
            continue
        seen_parts.add(str(part.partname))
        element = getattr(part, "element", None)
        if element is None:
            continue
        target = header_lines if reltype.endswith("/header") else footer_lines
        chunk: list[str] = []
        walker.block(element, chunk)
        if any(sum(ch.isalpha() for ch in c) >= 3 for c in chunk):  # not just a page number
            target.extend(chunk)
    walker.block(document.element.body, lines)
    return "\n".join(header_lines + lines + footer_lines)


class _DocxWalker:
    """Walks WordprocessingML in reading order."""

    def __init__(self, document):
        self.document = document
        self._style_fonts: dict[str, str | None] = {}
        self.default_font = self._style_font(None)

    def _style_font(self, style_id: str | None) -> str | None:
        if style_id in self._style_fonts:
            return self._style_fonts[style_id]
        font = None
        try:
            styles = self.document.styles
            style = None
            if style_id:
                style = next((s for s in styles if getattr(s, "style_id", None) == style_id), None)
            else:
                style = styles.default(1) if hasattr(styles, "default") else None
            depth = 0
            while style is not None and depth < 10 and font is None:
                font = getattr(getattr(style, "font", None), "name", None)
                style = getattr(style, "base_style", None)
                depth += 1
            if font is None:
                rpr = styles.element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}rFonts")
                if rpr is not None:
                    font = rpr.get(_W + "ascii") or rpr.get(_W + "hAnsi")
        except Exception:
            font = None
        self._style_fonts[style_id] = font
        return font

    def block(self, element, out: list[str]) -> None:
        for child in element:
            tag = child.tag
            if tag == _W + "p":
                self.paragraph(child, out)
            elif tag == _W + "tbl":
                self.table(child, out)
            elif tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    self.block(content, out)
            elif tag in (_W + "customXml", _W + "sdtContent", _W + "txbxContent"):
                self.block(child, out)

    def table(self, tbl, out: list[str]) -> None:
        for row in tbl.iter(_W + "tr"):
            if next(row.iterancestors(_W + "tbl"), None) is not tbl:
                continue  # rows of nested tables are read inside their cell
            for cell in row.findall(_W + "tc"):
                self.block(cell, out)

    def paragraph(self, p, out: list[str]) -> None:
        style_font = None
        ppr = p.find(_W + "pPr")
        if ppr is not None:
            pstyle = ppr.find(_W + "pStyle")
            if pstyle is not None:
                style_font = self._style_font(pstyle.get(_W + "val"))
        parts: list[str] = []
        boxes: list = []
        self._inline(p, parts, boxes, style_font or self.default_font)
        out.append("".join(parts))
        for box in boxes:
            self.block(box, out)

    def _inline(self, element, parts: list[str], boxes: list, font: str | None) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIP_TAGS:
                continue
            if tag == _W + "r":
                run_font = font
                rpr = child.find(_W + "rPr")
                if rpr is not None:
                    fonts = rpr.find(_W + "rFonts")
                    if fonts is not None:
                        run_font = fonts.get(_W + "ascii") or fonts.get(_W + "hAnsi") or font
                    rstyle = rpr.find(_W + "rStyle")
                    if rstyle is not None and (fonts is None):
                        run_font = self._style_font(rstyle.get(_W + "val")) or font
                run_parts: list[str] = []
                self._inline(child, run_parts, boxes, run_font)
                parts.append(_convert_font_text("".join(run_parts), run_font))
            elif tag == _W + "t":
                parts.append(child.text or "")
            elif tag == _W + "tab" or tag == _W + "ptab":
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "sym":
                continue
            elif tag == _W + "txbxContent":
                boxes.append(child)
            else:
                self._inline(child, parts, boxes, font)


def _convert_font_text(text: str, font: str | None) -> str:
    if not text or not font:
        return text
    f = font.strip().lower()
    if f.startswith(".vn"):
        converted = tcvn3_to_unicode(text)
        return converted.upper() if f.endswith("h") else converted
    if f.startswith("vni"):
        return vni_to_unicode(text)
    return text


# ---------------------------------------------------------------------------
# .pdf
# ---------------------------------------------------------------------------

_PDF_PASSWORD = "Tệp PDF được bảo vệ bằng mật khẩu (cần mật khẩu để mở): hãy gỡ mật khẩu rồi tải lên lại."
_PDF_NO_CRYPTO = ("Không giải mã được tệp PDF (mã hóa AES): máy chủ thiếu thư viện cryptography. "
                  "Hãy báo quản trị viên hệ thống.")


#: a PDF whose pages hold fewer letters than this on average has no usable text layer: it is a scan,
#: maybe with an e-signature stamp (the scans of shared/examples/scans have 0 letters in their pages'
#: content, a stamp brings about a hundred on one page, the shortest typed letter has over 300 a page)
MIN_LETTERS_PER_PAGE = 150


class NoTextLayer(UnreadableDocument):
    """A PDF without usable text (an image-only scan): read_document passes it to OCR."""


def read_pdf(data: bytes) -> str:
    """Text layer of a PDF, pages joined, each page read in visual order (:mod:`tracker.extraction.pdf`).

    pypdf opens the file first, with the messages a clerk can act on: a file that needs a password to
    be opened is refused; a PDF protected only by an owner password (printing or copying restricted)
    is encrypted with an empty user password, and is decrypted and read. AES needs the
    ``cryptography`` package; without it the message says so instead of calling the file a scan.
    A PDF with no usable text raises :class:`NoTextLayer` (a scan, see :data:`MIN_LETTERS_PER_PAGE`).
    """
    import logging

    try:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise UnreadableDocument("Không đọc được PDF: thiếu thư viện pypdf trên máy chủ.") from None
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            # PasswordType.NOT_DECRYPTED: the empty user password does not open it
            raise UnreadableDocument(_PDF_PASSWORD)
        pages = reader.pages
        count = len(pages)
    except UnreadableDocument:
        raise
    except DependencyError:
        raise UnreadableDocument(_PDF_NO_CRYPTO) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, IndexError, AssertionError):
        raise UnreadableDocument("Tệp PDF bị hỏng hoặc không đúng định dạng.") from None
    except Exception as exc:
        if "crypt" in type(exc).__name__.lower() or "crypt" in str(exc).lower():
            # e.g. a certificate security handler or an unknown algorithm, not a password
            raise UnreadableDocument(_PDF_ODD_CRYPTO) from None
        raise UnreadableDocument("Tệp PDF bị hỏng hoặc không đúng định dạng.") from None
    if count == 0:
        raise UnreadableDocument("Tệp PDF không có trang nào.")
    read = min(count, _MAX_PDF_PAGES)
    if reader.is_encrypted:
        # pypdf is the fallback reader below and must be able to decrypt the content (AES needs
        # cryptography): a server that cannot is told so now, whichever reader ends up reading
        try:
            pages[0].extract_text()
        except DependencyError:
            raise UnreadableDocument(_PDF_NO_CRYPTO) from None
        except Exception:
            pass
    from tracker.extraction import pdf

    try:
        texts = pdf.page_texts(data, max_pages=read, password="")
    except pdf.PdfError as exc:
        if exc.reason == "password":
            raise UnreadableDocument(_PDF_PASSWORD) from None
        if exc.reason == "security":
            raise UnreadableDocument(_PDF_ODD_CRYPTO) from None
        texts = _pypdf_texts(pages, read)  # PDFium refused a file that pypdf repaired: its order, not none
    text = "\n".join(texts)
    if sum(1 for c in text if c.isalpha()) < MIN_LETTERS_PER_PAGE * read:
        raise NoTextLayer(
            "Tệp PDF không có lớp chữ (bản quét): cần nhận dạng ký tự (OCR) trước khi trích xuất."
        )
    return text


_PDF_ODD_CRYPTO = "Tệp PDF được mã hóa theo cách chưa hỗ trợ: hãy lưu lại bản không mã hóa rồi tải lên lại."


def _pypdf_texts(pages, count: int) -> list[str]:
    from pypdf.errors import DependencyError

    texts = []
    for i in range(count):
        try:
            texts.append(pages[i].extract_text() or "")
        except DependencyError:
            # decrypting the page content needs AES: this is not a scan
            raise UnreadableDocument(_PDF_NO_CRYPTO) from None
        except Exception:
            texts.append("")
    return texts


# ---------------------------------------------------------------------------
# Is it a letter?
# ---------------------------------------------------------------------------

_LETTER_MARKERS = [
    re.compile(r"cong\s*-?\s*hoa\s+xa\s+hoi\s+chu\s+nghia"),
    re.compile(r"doc\s+lap\s*-?\s*tu\s+do"),
    re.compile(r"(?<![a-z])kinh\s+gui"),
    re.compile(r"(?<![a-z])v\s*/\s*v(?![a-z])"),
    re.compile(r"noi\s+nhan"),
    re.compile(r"(?<![a-z])so\s*:\s*[\d.…_ ]*[/-]"),
    re.compile(r"ngay\s*\d{0,2}\s*thang\s*\d{0,2}\s*nam\s*\d{4}"),
    re.compile(r"(?<![a-z])(?:uy ban nhan dan|ubnd|bo truong|chu tich|giam doc|thu tuong)(?![a-z])"),
    re.compile(r"(?<![a-z])(?:quyet dinh|thong bao|ke hoach|cong van|chi thi|cong dien|to trinh|giay moi)(?![a-z])"),
    # a body with no header (a portal's print page, a pasted paragraph) still assigns work
    re.compile(r"(?<![a-z])(?:giao|de nghi|yeu cau)\s+(?:\S+\s+){0,15}?(?:chu tri|phoi hop|thuc hien|trien khai|bao cao)(?![a-z])"),
    re.compile(r"(?<![a-z])(?:co y kien chi dao|co y kien nhu sau|chu tri,? phoi hop)(?![a-z])"),
]
_VIET_LETTER_RE = re.compile("[àáâãèéêìíòóôõùúýăđĩũơưÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯ\u1ea0-\u1ef9]")


def check_letter(text: str) -> None:
    """Raise UnreadableDocument unless the text is a Vietnamese official letter (or its body)."""
    norm = normalize(text)
    letters = [c for c in norm if c.isalpha()]
    if len(letters) < 20:
        raise UnreadableDocument("Văn bản quá ngắn: không đủ nội dung của một công văn.")
    sample = norm[:30000]
    viet = len(_VIET_LETTER_RE.findall(sample))
    sample_letters = sum(1 for c in sample if c.isalpha())
    if sample_letters and viet < 0.06 * sample_letters:
        if detect_legacy_encoding(sample):
            raise UnreadableDocument("Không nhận ra bảng mã phông chữ cũ của văn bản.")
        raise UnreadableDocument("Nội dung không phải tiếng Việt: không phải công văn cần theo dõi.")
    folded = fold(sample)
    hits = sum(1 for marker in _LETTER_MARKERS if marker.search(folded))
    if hits < 2:
        raise UnreadableDocument(
            "Không nhận ra cấu trúc công văn (Quốc hiệu, số và ký hiệu, Kính gửi, Nơi nhận...)."
        )
