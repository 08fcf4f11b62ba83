"""Reading scanned letters: image-only PDFs and images (.png, .jpg, .tif) through Tesseract OCR (Vietnamese).

Offices receive signed paper letters as scans: their only text layer, if any, is an e-signature stamp,
and the number and day are written by hand. :func:`read_scan` renders the pages (PDFium for a PDF,
Pillow for an image), runs ``tesseract -l vie`` on each as a subprocess (no shell, a temporary folder,
a timeout per page, two pages at a time) and returns the text, which is then read like any letter.

Bounds, because a scan is an upload from anybody: at most :data:`MAX_PAGES` pages, at most
:data:`MAX_PIXELS` pixels a page (a page or image declaring a larger size is refused before it is
decoded, or rendered smaller for a PDF), :data:`PAGE_TIMEOUT` seconds a page.

Settings (environment): ``TRACKER_TESSERACT`` the tesseract binary (default: ``tesseract`` on PATH),
``TRACKER_OCR_MAX_PAGES``. Without Tesseract or its ``vie`` model, :func:`read_scan` raises
UnreadableDocument saying so.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tracker.extraction.readers import UnreadableDocument

#: pages read from one file (a letter has a few; a 10-page directive takes ~15 s on two cores)
MAX_PAGES = 12
#: pixels of one page image: A4 at 400 dpi is 15.5 million; more is refused (or, for a PDF, rendered smaller)
MAX_PIXELS = 40_000_000
#: seconds Tesseract may spend on one page (a page takes 1-2 s at 300 dpi on this hardware)
PAGE_TIMEOUT = 60
#: resolution pages of a PDF are rendered at: the resolution of office scanners (2480 x 3508 for A4)
DPI = 300
#: pages recognised at once: Tesseract runs one thread a page (OMP_THREAD_LIMIT=1), which is faster on
#: two cores than one page with two threads
WORKERS = 2

NOT_INSTALLED = ("Tệp là ảnh hoặc bản quét, nhưng máy chủ chưa cài phần nhận dạng chữ (OCR: Tesseract, tiếng Việt) "
                 "nên không đọc được nội dung. Hãy báo quản trị viên cài gói tesseract-ocr và tesseract-ocr-vie, "
                 "hoặc tải lên bản có lớp chữ (.docx, PDF xuất từ Word) hay dán toàn văn.")
NOTHING_READ = ("Tệp là ảnh hoặc bản quét nhưng không nhận dạng được chữ nào (OCR): bản quét quá mờ, bị xoay "
                "hoặc trang trắng. Hãy quét lại rõ hơn hoặc dán toàn văn.")
FROM_OCR = ("Nội dung được đọc từ bản quét bằng nhận dạng chữ (OCR): hãy đối chiếu với bản giấy, nhất là số, "
            "ký hiệu, ngày tháng và tên cơ quan; số và ngày viết tay không đọc được, hãy nhập tay.")

ProgressCallback = Callable[[int, int], None]

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)


def image_kind(data: bytes) -> str | None:
    """"png", "jpeg" or "tiff" from the file's first bytes (never from its name), else None."""
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            return kind
    return None


def tesseract_path() -> str | None:
    """The Tesseract binary to run: ``TRACKER_TESSERACT`` if set (even if it does not exist), else PATH."""
    configured = os.environ.get("TRACKER_TESSERACT")
    if configured:
        return configured if os.path.isfile(configured) and os.access(configured, os.X_OK) else None
    return shutil.which("tesseract")


_AVAILABLE: dict[str, bool] = {}


def ocr_available() -> bool:
    """Whether Tesseract and its Vietnamese model (``vie``) are installed (asked once per binary)."""
    binary = tesseract_path()
    if binary is None:
        return False
    if binary not in _AVAILABLE:
        try:
            done = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=20,
                                  env=_environment())
            languages = set((done.stdout + done.stderr).split())
            _AVAILABLE[binary] = done.returncode == 0 and "vie" in languages
        except (OSError, subprocess.SubprocessError):
            _AVAILABLE[binary] = False
    return _AVAILABLE[binary]


def _environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "LANG", "LC_ALL", "TESSDATA_PREFIX")}
    env["OMP_THREAD_LIMIT"] = "1"  # one thread a page: pages run side by side instead
    return env


def _max_pages() -> int:
    try:
        return max(1, int(os.environ.get("TRACKER_OCR_MAX_PAGES", MAX_PAGES)))
    except ValueError:
        return MAX_PAGES


# ---------------------------------------------------------------------------
# Page images
# ---------------------------------------------------------------------------

def _pdf_pages(data: bytes, limit: int) -> tuple[int, Callable[[int], bytes]]:
    from tracker.extraction import pdf

    try:
        count = pdf.page_count(data)
    except pdf.PdfError:
        raise UnreadableDocument("Tệp PDF bị hỏng hoặc không đúng định dạng.") from None
    return min(count, limit), lambda index: pdf.render_page_pgm(data, index, dpi=DPI, max_pixels=MAX_PIXELS)


def _image_pages(data: bytes, limit: int) -> tuple[int, Callable[[int], bytes]]:
    """The frames of an image (a TIFF may hold several pages) as PGM, after checking their declared size."""
    import io
    import warnings

    from PIL import Image

    too_big = (f"Tệp là ảnh quá lớn (hơn {MAX_PIXELS // 1_000_000} triệu điểm ảnh một trang): "
               "không nhận dạng chữ (OCR) được.")
    damaged = "Tệp là ảnh nhưng bị hỏng hoặc không đúng định dạng: không nhận dạng chữ (OCR) được."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only: the size is known before decoding
            width, height = image.size
            frames = getattr(image, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnreadableDocument(too_big) from None
    except Exception:
        raise UnreadableDocument(damaged) from None
    if image.format not in ("PNG", "JPEG", "TIFF"):
        raise UnreadableDocument(damaged)
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        raise UnreadableDocument(too_big)

    def page(index: int) -> bytes:
        try:
            image.seek(index)
            if image.size[0] * image.size[1] > MAX_PIXELS:
                raise UnreadableDocument(too_big)
            grey = image.convert("L")
            out = io.BytesIO()
            grey.save(out, format="PPM")  # a grey image is written as binary PGM, which Tesseract reads
            return out.getvalue()
        except UnreadableDocument:
            raise
        except Exception:
            raise UnreadableDocument(damaged) from None

    return min(frames, limit), page


# ---------------------------------------------------------------------------
# Recognition
# ---------------------------------------------------------------------------

#: Tesseract's automatic layout (--psm 3) drops whole paragraphs of the shared scans (1,172 words of 1,541
#: on one letter) beside a seal or a handwritten number, while reading the page as one block (--psm 6) keeps
#: them. The block reading mixes the two columns of the header and of the signature, so the first and last
#: pages, where those columns are, are read both ways and the block reading is kept only when it has this
#: many more words; the pages between (body text only) are read as one block.
_BLOCK_GAIN = 1.15


def _recognise(binary: str, image: bytes, folder: Path, index: int, *, columns: bool) -> str:
    path = folder / f"page-{index}.pgm"
    path.write_bytes(image)
    try:
        block = _tesseract(binary, path, folder, index, "6")
        if not columns:
            return block
        layout = _tesseract(binary, path, folder, index, "3")
    finally:
        path.unlink(missing_ok=True)
    return block if len(block.split()) > _BLOCK_GAIN * len(layout.split()) else layout


def _tesseract(binary: str, path: Path, folder: Path, index: int, psm: str) -> str:
    try:
        done = subprocess.run([binary, str(path), "stdout", "-l", "vie", "--psm", psm, "--dpi", str(DPI)],
                              capture_output=True, timeout=PAGE_TIMEOUT, env=_environment(), cwd=folder)
    except subprocess.TimeoutExpired:
        raise UnreadableDocument(
            f"Nhận dạng chữ (OCR) trang {index + 1} quá lâu (hơn {PAGE_TIMEOUT} giây): hãy tải lên bản có lớp chữ."
        ) from None
    if done.returncode != 0:
        raise UnreadableDocument(f"Không nhận dạng được chữ (OCR) ở trang {index + 1} của bản quét.")
    return done.stdout.decode("utf-8", errors="replace")


def ocr_pages(data: bytes, kind: str, progress: ProgressCallback | None = None, *,
              max_pages: int | None = None) -> list[str]:
    """The OCR text of each page of a scan: ``kind`` is "pdf", "png", "jpeg" or "tiff".

    ``progress(done_pages, total_pages)`` is called once before the first page (0, total) and after
    each page (for a background job's progress bar; from worker threads, so it must be thread-safe).
    Raises UnreadableDocument (Vietnamese) when OCR is not installed, the file is damaged, an image
    is too large or a page takes too long.
    """
    binary = tesseract_path()
    if binary is None or not ocr_available():
        raise UnreadableDocument(NOT_INSTALLED)
    limit = max_pages or _max_pages()
    total, render = _pdf_pages(data, limit) if kind == "pdf" else _image_pages(data, limit)
    if progress:
        progress(0, total)
    texts = [""] * total
    done_count = 0
    counter = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="tracker-ocr-") as folder, ThreadPoolExecutor(WORKERS) as pool:
        def one(index: int, image: bytes) -> None:
            nonlocal done_count
            texts[index] = _recognise(binary, image, Path(folder), index, columns=index in (0, total - 1))
            with counter:
                done_count += 1
                count = done_count
            if progress:
                progress(count, total)

        # pages are rendered one by one here (PDFium is single-threaded) while Tesseract reads the previous ones;
        # at most WORKERS + 1 page images are held at once
        pending = []
        for index in range(total):
            while len([f for f in pending if not f.done()]) > WORKERS:
                next(f for f in pending if not f.done()).result()
            pending.append(pool.submit(one, index, render(index)))
        for future in pending:
            future.result()
    return texts


_CACHE: OrderedDict[tuple, str] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def read_scan(data: bytes, kind: str, *, warnings: list[str] | None = None,
              progress: ProgressCallback | None = None) -> str:
    """The text of a scanned letter (pages joined), with :data:`FROM_OCR` appended to ``warnings``.

    The last few results are kept by content hash: a clerk who uploads the same scan again (or the
    review page reading it twice) does not wait for OCR twice.
    """
    key = (hashlib.sha256(data).hexdigest(), kind, _max_pages(), tesseract_path())
    with _CACHE_LOCK:
        text = _CACHE.get(key)
    if text is None:
        text = "\n".join(page.strip("\f\n ") for page in ocr_pages(data, kind, progress))
        with _CACHE_LOCK:
            _CACHE[key] = text
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    if sum(1 for c in text if c.isalpha()) < 20:
        raise UnreadableDocument(NOTHING_READ)
    if warnings is not None:
        warnings.append(FROM_OCR)
    return text
