"""Reading ZIP archives (.docx packages, zipped edXML attachments) without trusting them.

A ZIP file states the size of each member, but nothing forces the compressed stream to agree:
a 600 KB .docx can inflate to 190 MB of XML (a worker busy for minutes, gigabytes of lxml tree),
a member can declare 10 KB and inflate to 1 GB (``zipfile``'s ``read()`` inflates the whole
stream in one call before cutting it to the declared size), and hundreds of central-directory
entries can point at one compressed kernel (each entry inflates it again). So this module:

* counts the members before ``zipfile`` builds its list (one ``ZipInfo`` per entry costs memory
  and time: 100,000 entries fit in a 10 MB upload);
* inflates every member itself, a bounded chunk at a time (``zlib`` with ``max_length``), and
  counts the bytes that really come out, whatever the central directory declares; a member whose
  stream does not end exactly at its declared size and CRC is refused;
* refuses as soon as a member, the archive, or everything unpacked for one upload (see
  :func:`upload_budget`) goes over the limits in :class:`ZipLimits`, a large member is
  compressed implausibly well, or a .docx holds more XML elements than a letter could;
* hands the caller only bytes it has counted (:func:`read_members`, :func:`checked_copy`).

Checking streams and discards the bytes, so a refusal costs about one chunk of memory (a few MB)
and at most ``max_total_bytes`` of inflation work (0.3-0.5 s measured), whatever the archive claims.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from tracker.extraction.readers import UnreadableDocument

MIB = 1024 * 1024

# Only the two methods of ECMA-376 (Office Open XML, part 2: OPC allows stored and deflate) and of
# the zips that Windows, 7-Zip and WinRAR write by default. bzip2/LZMA members would need their own
# bounded decompressors (``zipfile`` inflates them without an output limit), so they are refused.
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}

_IN_CHUNK = 64 * 1024   # compressed bytes handed to zlib at a time
_OUT_CHUNK = 1 * MIB    # at most this many inflated bytes per zlib call (the memory of a check)
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_SIGNATURE = b"PK\x01\x02"

SUSPICIOUS = "Tệp nén bất thường (có thể là tệp độc hại): "


@dataclass(frozen=True)
class ZipLimits:
    """What an archive may unpack to.

    The values were chosen on measurements, since neither the shared examples nor tests/data hold
    a .docx: the python-docx template, the report template (templates/reports/bao-cao.docx), and
    letters, a 280 KB corpus of letters, a 3,000-row annex table (numbered, and blank) and a
    report with 12 photos, each saved by python-docx and by LibreOffice:

    * ``max_members`` 1,000: those files have 9 to 29 parts (one more per picture or embedded
      object); even a photo report with hundreds of pictures stays far below.
    * ``max_member_bytes`` 50 MiB: uploads are capped at 20 MB and pictures or PDFs hardly
      compress (ratio 1.0 measured), so only XML grows past the upload; the largest part measured
      is the LibreOffice annex table, 11.4 MiB of XML.
    * ``max_total_bytes`` 100 MiB: five times the upload cap, room for a 20 MB .docx of pictures
      plus its XML; it also bounds the work of a refusal (about 0.3 s of zlib).
    * ``max_ratio`` 200:1 for members over ``ratio_grace_bytes`` (1 MiB): text is 7-11:1,
      styles 28-32:1, a numbered table 40-74:1, but blank table rows compress to 101-134:1
      (so the usual 100:1 would refuse a blank form annex); the repeated XML of the bombs we
      measured is 336:1 to 671:1 and zeros 1000:1. Small members are exempt: tiny XML parts can
      compress very well and cannot hurt.
    * ``max_tags`` (for .docx only, None elsewhere): the number of '<', an upper bound on the XML
      elements python-docx/lxml must build. Markup costs per element (~150 bytes of tree and the
      text walk), not per byte: 20 MB of ``<w:p/>`` that passed every other limit took 12.7 s and
      531 MB. The LibreOffice annex table, the largest measured, has 576,000-600,000.
    """

    max_members: int = 1000
    max_member_bytes: int = 50 * MIB
    max_total_bytes: int = 100 * MIB
    max_ratio: float = 200.0
    ratio_grace_bytes: int = 1 * MIB
    max_tags: int | None = None


LIMITS = ZipLimits()
DOCX_LIMITS = ZipLimits(max_tags=1_000_000)

# Everything unpacked while reading one upload (an edXML package and the .docx or .zip files it
# carries, nested ones included) shares one total, so many archives cannot add up to a bomb.
MAX_UPLOAD_INFLATED = 100 * MIB


class SuspiciousArchive(UnreadableDocument):
    """The archive breaks a limit: refused as a possible decompression bomb."""

    def __init__(self, detail: str):
        super().__init__(SUSPICIOUS + detail)


class DamagedArchive(UnreadableDocument):
    """The archive is not a readable ZIP (corrupt, encrypted, unsupported compression)."""


class _Budget:
    """Inflated bytes still allowed for the current upload, and the archives already checked."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0
        # id of the bytes -> (the bytes, limits, members): kept alive so an id cannot be reused
        self._checked: dict[int, tuple[bytes, ZipLimits, tuple]] = {}

    def charge(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            raise SuspiciousArchive(f"tổng dung lượng giải nén quá lớn (hơn {_mb(self.limit)}).")

    def checked(self, data: bytes, limits: ZipLimits, selection: tuple) -> bool:
        entry = self._checked.get(id(data))
        return entry is not None and entry[0] is data and entry[1:] == (limits, selection)

    def remember(self, data: bytes, limits: ZipLimits, selection: tuple) -> None:
        self._checked[id(data)] = (data, limits, selection)


_UPLOAD_BUDGET: ContextVar[_Budget | None] = ContextVar("tracker_upload_inflate_budget", default=None)


@contextmanager
def upload_budget(limit: int = MAX_UPLOAD_INFLATED) -> Iterator[None]:
    """Make every archive unpacked inside the block share one total of inflated bytes.

    Nested blocks keep the outermost budget (an edXML package read through read_document, its
    attachments read through read_document again). A context variable rather than a parameter
    so that read_document keeps its signature and each web request thread has its own budget.
    """
    if _UPLOAD_BUDGET.get() is not None:
        yield
        return
    token = _UPLOAD_BUDGET.set(_Budget(limit))
    try:
        yield
    finally:
        _UPLOAD_BUDGET.reset(token)


def _mb(count: int) -> str:
    return f"{count / MIB:.0f} MB"


def open_zip(data: bytes, limits: ZipLimits = LIMITS) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP after checking how many members it has (nothing is inflated).

    Raises :class:`SuspiciousArchive` for too many members and :class:`DamagedArchive` when the
    bytes are not a ZIP.
    """
    # Every central-directory entry that zipfile accepts starts with this signature, at its own
    # offset, so counting the signature bounds the entries before zipfile allocates them.
    if data.count(_CENTRAL_SIGNATURE) > limits.max_members:
        raise SuspiciousArchive(f"chứa quá nhiều tệp thành phần (hơn {limits.max_members}).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
        raise DamagedArchive("Tệp nén bị hỏng (không giải nén được).") from None
    if len(archive.infolist()) > limits.max_members:  # defensive: the count above already bounds it
        raise SuspiciousArchive(f"chứa quá nhiều tệp thành phần (hơn {limits.max_members}).")
    return archive


def _data_start(data: bytes, info: zipfile.ZipInfo) -> int:
    """Offset of the member's compressed bytes, after its local header (checked like zipfile does)."""
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
        raise DamagedArchive("Tệp nén bị hỏng (mục lục trỏ ra ngoài tệp).")
    header = _LOCAL_HEADER.unpack_from(data, offset)
    if header[0] != b"PK\x03\x04":
        raise DamagedArchive("Tệp nén bị hỏng (sai đầu mục của tệp thành phần).")
    name_length, extra_length = header[9], header[10]
    start = offset + _LOCAL_HEADER.size
    raw_name = data[start:start + name_length]
    expected = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
    if raw_name != expected:  # local and central names differ: a crafted or damaged file
        raise DamagedArchive("Tệp nén bị hỏng (tên tệp thành phần không khớp).")
    return start + name_length + extra_length


class _Pass:
    """The counts of one pass over an archive: inflated bytes (its own total, and the upload's
    when ``upload`` is set and a budget is open) and markup."""

    def __init__(self, limits: ZipLimits, *, upload: bool = True):
        self.limits = limits
        self.budget = _UPLOAD_BUDGET.get() if upload else None
        self.total = 0
        self.tags = 0

    def add(self, chunk: bytes, name: str) -> None:
        self.total += len(chunk)
        if self.total > self.limits.max_total_bytes:
            raise SuspiciousArchive(f"tổng dung lượng giải nén quá lớn (hơn {_mb(self.limits.max_total_bytes)}).")
        if self.budget is not None:
            self.budget.charge(len(chunk))
        if self.limits.max_tags is not None:
            # Counted in every member, not only *.xml: python-docx picks the parts it parses
            # by content type, whatever their name; pictures add about one '<' per 256 bytes.
            self.tags += chunk.count(b"<")
            if self.tags > self.limits.max_tags:
                limit = f"{self.limits.max_tags:,}".replace(",", ".")
                raise SuspiciousArchive(f"quá nhiều thẻ XML (hơn {limit}, đến phần «{name}»).")


def _inflate(data: bytes, info: zipfile.ZipInfo, limits: ZipLimits, counts: _Pass) -> Iterator[bytes]:
    """Yield the member's bytes a bounded chunk at a time, checking the limits as they come out."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise DamagedArchive(f"Tệp nén được bảo vệ bằng mật khẩu (phần «{name}»): hãy gỡ mật khẩu rồi tải lên lại.")
    if info.compress_type not in _METHODS:
        raise DamagedArchive(f"Tệp nén dùng phương thức nén chưa được hỗ trợ (phần «{name}»).")
    start = _data_start(data, info)
    end = start + info.compress_size
    if end > len(data):
        raise DamagedArchive("Tệp nén bị hỏng (thiếu dữ liệu).")
    view = memoryview(data)[start:end]
    # The stream must fill exactly compress_size (checked below), so the ratio can be measured
    # against it while inflating and a bomb stops after ratio_grace_bytes, not at the member limit.
    compressed = max(1, info.compress_size)
    inflated = 0
    crc = 0

    def counted(chunk: bytes) -> bytes:
        nonlocal inflated, crc
        inflated += len(chunk)
        if inflated > limits.max_member_bytes:
            raise SuspiciousArchive(f"phần «{name}» quá lớn khi giải nén (hơn {_mb(limits.max_member_bytes)}).")
        if inflated > limits.ratio_grace_bytes and inflated > limits.max_ratio * compressed:
            raise SuspiciousArchive(f"phần «{name}» có tỉ lệ nén quá lớn (hơn {limits.max_ratio:.0f}:1).")
        if inflated > info.file_size:
            raise SuspiciousArchive(f"phần «{name}» giải nén ra nhiều hơn kích thước khai báo.")
        counts.add(chunk, name)
        crc = zlib.crc32(chunk, crc)
        return chunk

    if info.compress_type == zipfile.ZIP_STORED:
        for pos in range(0, len(view), _OUT_CHUNK):
            yield counted(bytes(view[pos:pos + _OUT_CHUNK]))
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pos = 0
        pending = b""
        try:
            while not inflater.eof:
                if not pending:
                    if pos >= len(view):
                        break
                    pending = bytes(view[pos:pos + _IN_CHUNK])
                    pos += len(pending)
                chunk = inflater.decompress(pending, _OUT_CHUNK)
                pending = inflater.unconsumed_tail
                if chunk:
                    yield counted(chunk)
        except zlib.error:
            raise DamagedArchive(f"Tệp nén bị hỏng (phần «{name}» không giải nén được).") from None
        if not inflater.eof or inflater.unused_data or pending or pos < len(view):
            # the stream stops before, or goes on after, the compressed size in the directory
            raise DamagedArchive(f"Tệp nén bị hỏng (phần «{name}» không khớp kích thước khai báo).")
    if inflated != info.file_size:
        raise DamagedArchive(f"Tệp nén bị hỏng (phần «{name}» ngắn hơn kích thước khai báo).")
    if crc != info.CRC:
        raise DamagedArchive(f"Tệp nén bị hỏng (phần «{name}» sai mã kiểm tra CRC).")


def check_members(data: bytes, members: list[zipfile.ZipInfo], limits: ZipLimits = LIMITS) -> None:
    """Inflate ``members`` (entries of the ZIP ``data``) and throw the bytes away, raising
    :class:`SuspiciousArchive` or :class:`DamagedArchive` on the first problem.

    Every central-directory entry is checked separately, so entries sharing one compressed kernel
    each count in full toward the total. Within an :func:`upload_budget`, the same bytes checked
    again with the same limits and members are neither inflated nor charged twice: an edXML
    package checks all its archives before unpacking any, then reads them.
    """
    budget = _UPLOAD_BUDGET.get()
    selection = tuple((info.filename, info.header_offset) for info in members)
    if budget is not None and budget.checked(data, limits, selection):
        return
    counts = _Pass(limits)
    for info in members:
        for _ in _inflate(data, info, limits, counts):
            pass
    if budget is not None:
        budget.remember(data, limits, selection)


def read_members(data: bytes, limits: ZipLimits = LIMITS, *, archive: zipfile.ZipFile | None = None,
                 members: list[zipfile.ZipInfo] | None = None) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """The checked contents of ``members`` of the ZIP ``data`` (all its entries by default).

    The members are checked first without keeping their bytes (a bomb is refused before any memory
    is spent on it), then inflated again to be kept; the second pass is bounded by the same limits.
    """
    archive = archive or open_zip(data, limits)
    members = archive.infolist() if members is None else members
    check_members(data, members, limits)
    again = _Pass(limits, upload=False)
    return [(info, b"".join(_inflate(data, info, limits, again))) for info in members]


def checked_copy(data: bytes, limits: ZipLimits = LIMITS, *, archive: zipfile.ZipFile | None = None) -> bytes:
    """A new, uncompressed ZIP holding exactly the checked bytes of every member of ``data``.

    For readers such as python-docx that load whole parts with ``zipfile``: they then read
    members whose stored size is their real size, never the original streams. Where a name
    appears twice only the entry ``zipfile`` would read (the last) is copied, after all were checked.
    """
    archive = archive or open_zip(data, limits)
    members = archive.infolist()
    check_members(data, members, limits)
    again = _Pass(limits, upload=False)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in members:
            if archive.NameToInfo.get(info.filename) is not info:
                continue  # shadowed by a later entry of the same name
            target = zipfile.ZipInfo(info.filename)
            if info.is_dir():
                copy.writestr(target, b"")
                continue
            with copy.open(target, "w") as sink:  # stored: what the reader gets is what was checked
                for chunk in _inflate(data, info, limits, again):
                    sink.write(chunk)
    return out.getvalue()
