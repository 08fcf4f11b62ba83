"""Whole-letter extraction: header, enclosed letters and tasks as one JSON-ready dict."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from tracker.extraction import header as _header
from tracker.extraction.header import _split_tail_lines, parse_letter, parse_signature
from tracker.extraction.text import fold, normalize

logger = logging.getLogger(__name__)

PUBLIC_KEYS = (
    "number", "doc_type", "issuer", "place", "issued_on", "subject", "recipients", "signer", "signer_title",
    "received", "references",
)
EXTRA_KEYS = ("urgency", "secrecy", "copies_to", "symbol", "date_text", "recipients_cc", "recipients_informed",
              "due_date", "issuer_id")

_APPENDIX_RE = re.compile(r"^(?:PHỤ LỤC|Phụ lục|MẪU|Mẫu số|Biểu mẫu|BIỂU MẪU|DANH SÁCH|Danh sách)\b")
_PLACEHOLDER_RE = re.compile(r"TÊN CƠ QUAN|TÊN ĐƠN VỊ|Tên cơ quan|Tên đơn vị|\.{3,}\s*,\s*ngày\s*\.{3,}|…+\s*,\s*ngày")


def split_letters(text: str) -> list[str]:
    """Cut a normalised text into the letter and the letters it encloses.

    A new letter starts after the signature of the previous one when a second Quốc hiệu
    (or "ĐẢNG CỘNG SẢN VIỆT NAM") header follows; appendices and blank forms are not letters.
    """
    lines = text.split("\n")
    heads = [i for i, line in enumerate(lines) if _header._QH_RE.search(fold(line)) or _header._DANG_RE.search(fold(line))
             or (_NUMBER_LINE_RE.match(line) and _header_follows(lines, i))]
    if len(heads) < 2:
        return [text]
    starts = [0]
    prev_head = heads[0]
    last_seen = heads[0]
    for q in heads[1:]:
        near = q - last_seen < 3
        last_seen = q
        if near or q - prev_head < 3:
            continue  # lines of the same header (a motto repeated by a flattened table)
        # the previous letter's end (Nơi nhận, signature) is close to the new header
        nn = next((i for i in range(q - 1, max(prev_head, q - 150), -1) if _header._NOI_NHAN_RE.match(lines[i])), None)
        if nn is None:
            # no Nơi nhận: a signed title block with a name must close the previous letter
            nn = _signature_without_noi_nhan(lines, max(prev_head + 3, q - 80), q)
            if nn is None:
                continue
        tail = lines[nn:q]
        _, title, title_at, end = parse_signature(_split_tail_lines(tail))
        if title_at is None:
            # no signature title: the new letter starts after the Nơi nhận items
            k = nn + 1
            while k < q and (not lines[k].strip() or lines[k].lstrip().startswith(("-", "+", "•"))):
                k += 1
            boundary = k
        else:
            boundary = nn + _map_split_index(tail, end if end is not None else title_at + 1)
        # the new letter's own first lines must not be part of the old signature
        while boundary < q and not lines[boundary].strip():
            boundary += 1
        segment = "\n".join(lines[boundary:q + 12])
        if any(_APPENDIX_RE.match(line.strip()) for line in lines[boundary:q]) or _PLACEHOLDER_RE.search(segment):
            continue
        starts.append(boundary)
        prev_head = q
    parts = []
    for n, s in enumerate(starts):
        e = starts[n + 1] if n + 1 < len(starts) else len(lines)
        parts.append("\n".join(lines[s:e]).strip("\n"))
    return [p for p in parts if p.strip()]


_NUMBER_LINE_RE = re.compile(r"^\s*Số\s*[:.]?\s*[\d.…_ ]*\s*/\s*[A-ZĐ]")
_HEADER_LINE_RE = re.compile(r"(?:,\s*|^)ngày\s.*tháng|^V/v|^Kính gửi|^(?:QUYẾT ĐỊNH|THÔNG BÁO|KẾ HOẠCH|CÔNG ĐIỆN|CHỈ THỊ)$")


def _header_follows(lines: list[str], i: int) -> bool:
    """A "Số: .../..." line starts a letter header when a date, V/v or Kính gửi follows closely
    (an enclosed letter whose Quốc hiệu the copy lost)."""
    return any(_HEADER_LINE_RE.search(line.strip()) for line in lines[i + 1: i + 12])


def _signature_without_noi_nhan(lines: list[str], start: int, stop: int) -> int | None:
    """Start of the last signed title block (title and name) between two headers, or None."""
    found = None
    pos = start
    for _ in range(8):
        region = lines[pos:stop]
        if not region:
            break
        split = _split_tail_lines(region)
        name, _title, title_at, end = parse_signature(split)
        if title_at is None:
            break
        if name is not None:
            found = pos + _map_split_index(region, title_at + 1) - 1
        pos += max(1, _map_split_index(region, end if end else title_at + 1))
    return found


def _map_split_index(lines: list[str], split_index: int) -> int:
    """Number of original lines that hold the first ``split_index`` lines of their split form."""
    count = 0
    for i, line in enumerate(lines):
        count += len(_split_tail_lines([line]))
        if count >= split_index:
            return i + 1
    return len(lines)


def _public(header: dict) -> dict:
    out = {key: header.get(key) for key in PUBLIC_KEYS}
    out["recipients"] = list(header.get("recipients") or [])
    out["references"] = list(header.get("references") or [])
    for key in EXTRA_KEYS:
        value = header.get(key)
        if value:
            out[key] = value
    return out


def _tasks_of(body: str, header: dict, warnings: list[str]) -> list[dict]:
    try:
        from tracker.extraction import tasks

        found = list(tasks.extract_tasks(body, header=header) or [])
        # a deadline before the letter's own date is a misprint or a narrated date: shown, never used as a due date
        warnings.extend(tasks.set_aside_past_deadlines(found, header.get("issued_on")))
        return found
    except NotImplementedError:
        return []
    except Exception:  # the header is still worth registering when the task reader trips
        logger.exception("task extraction failed")
        warnings.append("Không đọc được nhiệm vụ của văn bản; hãy nhập nhiệm vụ bằng tay.")
        return []


def _merge(cover_tasks: list[dict], enclosed: list[dict], header: dict, warnings: list[str]) -> list[dict]:
    try:
        from tracker.extraction import tasks

        return list(tasks.merge_enclosed(cover_tasks, enclosed, header=header) or [])
    except NotImplementedError:
        return cover_tasks
    except Exception:
        logger.exception("merging the enclosed letters' tasks failed")
        warnings.append("Không ghép được nhiệm vụ của văn bản kèm theo.")
        return cover_tasks


def _initials(words: str) -> str:
    return "".join(w[0] for w in fold(words).split() if w)


def _resolve_stamp_owner(received: dict | None, cover_issuer: str | None) -> None:
    """A stamp "VP.UBND TỈNH KG" on an enclosed letter is the cover issuer's own stamp."""
    if not received or not cover_issuer:
        return
    by = received.get("by")
    if not by:
        received["by"] = cover_issuer
        return
    fb, fc = fold(by), fold(cover_issuer)
    if fb == fc:
        return
    m = re.search(r"(?:tinh|thanh pho|huyen)\s+([a-z ]+)$", fb)
    mc = re.search(r"(?:tinh|thanh pho|huyen)\s+([a-z ]+)$", fc)
    if m and mc:
        place_b, place_c = m.group(1).strip(), mc.group(1).strip()
        if place_b == place_c or place_b.replace(" ", "") == _initials(place_c):
            head_b = fb[: m.start()].strip()
            head_c = fc[: mc.start()].strip()
            if head_b == head_c or head_c.startswith(head_b) or head_b.startswith(head_c):
                received["by"] = cover_issuer
            else:
                received["by"] = by[: m.start(1)] + cover_issuer[mc.start(1):]


def _is_attachment(item: dict, cover_header: dict) -> bool:
    try:
        from tracker.extraction import tasks

        return tasks.issued_with(item, cover_header)
    except Exception:  # noqa: BLE001 - treat it as an enclosed letter, as before
        logger.exception("deciding whether a document is attached failed")
        return False


# "Ban hành kèm theo Quyết định này Chương trình hành động ...": the decision issues a document of that kind
_ISSUES_KIND_RE = re.compile(
    r"(?i)ban\s+hành\s+kèm\s+theo\s+(?:quyết\s+định|nghị\s+quyết|chỉ\s+thị)\s+này\s+(?:bản\s+)?"
    r"(?P<kind>chương\s+trình|kế\s+hoạch|quy\s+chế|quy\s+định|đề\s+án|phương\s+án|điều\s+lệ|hướng\s+dẫn)")


def _issued_after_signature(part: str, body: str) -> str | None:
    """The document a decision issues, printed after its signature with no header of its own ("QUYẾT ĐỊNH ...
    Ban hành kèm theo Quyết định này Chương trình ..." then, after Nơi nhận, "CHƯƠNG TRÌNH HÀNH ĐỘNG ...").
    Its assignments are the decision's own; without its own Quốc hiệu it is not split off as a letter."""
    issued = _ISSUES_KIND_RE.search(body)
    if not issued:
        return None
    kind = fold(issued.group("kind"))
    lines = part.split("\n")
    noi_nhan = next((i for i, line in enumerate(lines) if _header._NOI_NHAN_RE.match(line)), None)
    if noi_nhan is None:
        return None
    for i in range(noi_nhan + 1, len(lines)):
        line = lines[i].strip()
        if fold(line).startswith(kind) and line[: len(issued.group("kind"))].isupper():
            return "\n".join(lines[i:])
    return None


def extract_text(text: str, *, overrides: dict | None = None, from_scan: bool = False,
                 known_agencies: tuple[str, ...] | list[str] = ()) -> dict:
    """Return the extraction of one letter (and what it encloses) from its text.

    The result has the keys of ``tracker extract --json``: number, doc_type, issuer,
    place, issued_on, subject, recipients, signer, signer_title, received,
    references, enclosed, tasks (plus urgency, secrecy, copies_to when present).
    Unknown values are None, never guessed. ``overrides`` (e.g. the fields of an edXML
    package) replace the cover letter's header fields before the tasks are read. ``from_scan``
    (the text came from OCR of a paper letter) leaves the handwritten number and day empty.
    ``known_agencies`` (the office's catalog: names and aliases) are recognised as agencies in the
    body even when the reader's own lexicon does not know them.
    """
    norm = normalize(text or "")
    parts = split_letters(norm)
    parsed = [parse_letter(part, normalized=True) for part in parts]
    known = tuple(known_agencies)
    for header, _ in parsed:
        header["known_agencies"] = known  # read by the task reader, never shown (not a public key)
    cover_header, cover_body = parsed[0]
    for key, value in (overrides or {}).items():
        if value:
            cover_header[key] = value
    warnings: list[str] = []
    enclosed: list[dict] = []
    attached_tasks: list[dict] = []
    for header, body in parsed[1:]:
        item = _public(header)
        _resolve_stamp_owner(item.get("received"), cover_header.get("issuer"))
        item["enclosed"] = []
        item["tasks"] = _tasks_of(body, header, warnings)
        if _is_attachment(item, cover_header):
            # a plan or rules issued by the cover decision ("Ban hành kèm theo Quyết định số ...") is part of
            # that decision, not a letter it forwards: its assignments are the letter's own tasks
            offset = 10000 * (len(attached_tasks) + 1)
            attached_tasks += [{**t, "assignment": offset + (t.get("assignment") or 0)} for t in item["tasks"]]
            continue
        enclosed.append(item)
    result = _public(cover_header)
    result["enclosed"] = enclosed
    issued = _issued_after_signature(parts[0], cover_body)
    if issued:
        offset = 10000 * (len(attached_tasks) + 1)
        attached_tasks += [{**t, "assignment": offset + (t.get("assignment") or 0)}
                           for t in _tasks_of(issued, cover_header, warnings)]
    cover_tasks = _tasks_of(cover_body, cover_header, warnings) + attached_tasks
    result["tasks"] = _merge(cover_tasks, enclosed, cover_header, warnings) if enclosed else cover_tasks
    if warnings:
        result["warnings"] = warnings
    if from_scan:
        _leave_handwriting_empty(result)
    return result


def extract_file(path: str | Path, *, max_bytes: int | None = None) -> dict:
    """Read a .txt, .docx, .pdf or edXML file and return :func:`extract_text` of it.

    Raises readers.UnreadableDocument (with a Vietnamese message) for files that cannot be read
    as a letter. For an edXML package the header fields of the XML take precedence.
    """
    from tracker.extraction import readers

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise readers.UnreadableDocument("Không tìm thấy tệp.") from None
    except IsADirectoryError:
        raise readers.UnreadableDocument("Đây là một thư mục, không phải tệp văn bản.") from None
    except PermissionError:
        raise readers.UnreadableDocument("Không có quyền đọc tệp.") from None
    except OSError:
        raise readers.UnreadableDocument("Không mở được tệp (lỗi đọc đĩa).") from None
    kwargs = {"max_bytes": max_bytes} if max_bytes else {}
    return extract_bytes(data, path.name, **kwargs)


def extract_bytes(data: bytes, filename: str, **kwargs) -> dict:
    """Like :func:`extract_file` for the content of an uploaded file."""
    from tracker.extraction import edxml, readers

    if edxml.looks_like_edxml(data, filename):
        package = edxml.read_edxml(data)
        result = extract_text(package.text, overrides=package.header) if package.text.strip() else _empty_result()
        return edxml.apply_header(result, package.header)
    from tracker.extraction import ocr

    reading: list[str] = []
    text = readers.read_document(data, filename, warnings=reading, **kwargs)
    result = extract_text(text, from_scan=ocr.FROM_OCR in reading)
    if reading:
        # what the reader noticed (OCR, damaged characters) comes first: it qualifies everything read after it
        result["warnings"] = reading + [w for w in result.get("warnings") or [] if w not in reading]
    return result


def _leave_handwriting_empty(result: dict) -> None:
    """A signed paper letter gets its number and its day written by hand into the printed form; what OCR makes
    of handwriting ("Số: Ê§0 /TB-UBND", "ngày 3| tháng 12") is a guess, so the clerk types them from the page
    image. The printed symbol ("/TB-UBND") is kept as a hint."""
    number = result.get("number")
    if number:
        symbol = re.sub(r"^[^/]*", "", number)
        if symbol and not result.get("symbol"):
            result["symbol"] = symbol
    result["number"] = None
    result["issued_on"] = None


def _empty_result() -> dict:
    out = {key: None for key in PUBLIC_KEYS}
    out.update(recipients=[], references=[], enclosed=[], tasks=[])
    return out
