"""OCR speed: every page of the shared scans (shared/examples/scans), rendered and read by Tesseract, per-page times.

Run: .venv/bin/python bench/bench_ocr.py [DPI ...]   (default: the reader's DPI)
Prints, per scan and DPI, the time to render each page and to recognise it alone (one Tesseract thread),
then the wall time of the reader itself (ocr_pages: two pages at a time) divided by the page count.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.extraction import ocr, pdf  # noqa: E402


def main() -> None:
    """Time rendering and recognition page by page, then the reader's wall time per page."""
    scans = ROOT.parent / "shared" / "examples" / "scans"
    if not scans.is_dir():
        scans = Path("/work/shared/examples/scans")
    if not ocr.ocr_available():
        sys.exit("tesseract with the 'vie' model is not installed")
    dpis = [int(a) for a in sys.argv[1:]] or [ocr.DPI]
    binary = ocr.tesseract_path()
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    print(f"cores={os.cpu_count()} tesseract={binary} psm=3 OMP_THREAD_LIMIT=1 workers={ocr.WORKERS}")
    for dpi in dpis:
        for path in sorted(scans.glob("*.pdf")):
            data = path.read_bytes()
            pages = pdf.page_count(data)
            render_times, ocr_times = [], []
            with tempfile.TemporaryDirectory() as folder:
                for index in range(pages):
                    start = time.perf_counter()
                    image = pdf.render_page_pgm(data, index, dpi=dpi, max_pixels=ocr.MAX_PIXELS)
                    render_times.append(time.perf_counter() - start)
                    page = Path(folder) / "page.pgm"
                    page.write_bytes(image)
                    start = time.perf_counter()
                    subprocess.run([binary, str(page), "stdout", "-l", "vie", "--psm", "3", "--dpi", str(dpi)],
                                   capture_output=True, env=env, check=True, timeout=120)
                    ocr_times.append(time.perf_counter() - start)
            print(f"{path.name} dpi={dpi} pages={pages}")
            print("  render s: " + " ".join(f"{t:.2f}" for t in render_times))
            print("  ocr s:    " + " ".join(f"{t:.2f}" for t in ocr_times)
                  + f"  (median {statistics.median(ocr_times):.2f}, max {max(ocr_times):.2f})")
            if dpi == ocr.DPI:
                start = time.perf_counter()
                ocr.ocr_pages(data, "pdf", max_pages=pages)
                wall = time.perf_counter() - start
                print(f"  reader (ocr_pages, {ocr.WORKERS} pages at a time): {wall:.1f} s, {wall / pages:.2f} s a page")


if __name__ == "__main__":
    main()
