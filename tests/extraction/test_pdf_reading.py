"""A letter exported to PDF by LibreOffice reads as well as its .docx, in a font that covers Vietnamese and
in fonts that lack its letters (LibreOffice then draws them with a fallback font, after the rest of
their line: a reader in content-stream order got "C NG HÒA XÃ H I ... Ộ Ộ Ủ Ệ").

The .docx files are built here with python-docx from the project's invented letters (tests/data/letters)
and converted by a real LibreOffice. Without soffice the test is skipped, unless TRACKER_TEST_OFFICE=1
asks for it (then it fails).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.extraction import gold_check
from tests.extraction.conftest import CORPUS, gold_of, letter_docx
from tracker.extraction.letter import extract_text
from tracker.extraction.readers import read_document

# "Times New Roman" becomes Liberation Serif and "Courier New" Liberation Mono, neither of which has
# the precomposed Vietnamese vowels (ệ, ố, ử...): those glyphs come from a fallback font (check with
# `fc-list :charset=1ec7`).
FONTS = ("Times New Roman", "Courier New")


def _soffice() -> str:
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("TRACKER_TEST_OFFICE") == "1":
            pytest.fail("TRACKER_TEST_OFFICE=1 but soffice is not on PATH")
        pytest.skip("LibreOffice (soffice) is not installed")
    return soffice


def _in_font(docx_bytes: bytes, font: str) -> bytes:
    """The document with its Normal style (and so every paragraph and cell) set in ``font``."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(docx_bytes))
    style = document.styles["Normal"]
    style.font.name = font
    fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), font)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _letters() -> list[Path]:
    """The corpus letters that letter_docx can lay out (a Kính gửi and a Nơi nhận line)."""
    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if path.with_suffix(".json").exists() and "Kính gửi" in text and "Nơi nhận" in text:
            out.append(path)
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, list[tuple[Path, bytes, bytes]]]:
    """For each font: (letter, .docx bytes, .pdf bytes) of every letter, one LibreOffice run per font."""
    soffice = _soffice()
    base = tmp_path_factory.mktemp("pdf-export")
    out: dict[str, list[tuple[Path, bytes, bytes]]] = {}
    for number, font in enumerate(FONTS):
        folder = base / f"font{number}"
        folder.mkdir()
        made = []
        for path in _letters():
            try:
                data = _in_font(letter_docx(path.read_text(encoding="utf-8")), font)
            except StopIteration:  # no Kính gửi / Nơi nhận line that letter_docx can split on
                continue
            (folder / f"{path.stem}.docx").write_bytes(data)
            made.append((path, data))
        profile = base / f"profile{number}"  # its own profile: parallel runs and a user's LibreOffice don't clash
        done = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                               "--outdir", str(folder), *(str(folder / f"{p.stem}.docx") for p, _ in made)],
                              capture_output=True, text=True, timeout=600)
        out[font] = []
        for path, data in made:
            pdf = folder / f"{path.stem}.pdf"
            assert pdf.is_file(), done.stdout + done.stderr
            out[font].append((path, data, pdf.read_bytes()))
    return out


def _scores(results: dict[str, gold_check.LetterResult]) -> tuple[float, float]:
    rows = list(results.values())
    header = sum(r.counts[k] for r in rows for k in gold_check.HEADER_FIELDS) / (4 * len(rows))
    tp, ng, np_ = (sum(r.counts["task_pairs"][i] for r in rows) for i in range(3))
    return header, gold_check.f1(tp, ng, np_)


@pytest.mark.parametrize("font", FONTS)
def test_a_pdf_made_by_libreoffice_reads_like_its_docx(exported, font):
    letters = exported[font]
    assert len(letters) >= 30
    from_docx, from_pdf = {}, {}
    differences = []
    for path, docx_bytes, pdf_bytes in letters:
        gold = gold_of(path)
        by_docx = extract_text(read_document(docx_bytes, "cong-van.docx"))
        by_pdf = extract_text(read_document(pdf_bytes, "cong-van.pdf"))
        from_docx[path.stem] = gold_check.evaluate(gold, by_docx)
        from_pdf[path.stem] = gold_check.evaluate(gold, by_pdf)
        for key in ("number", "doc_type", "issuer", "place", "issued_on", "subject", "signer"):
            if by_docx.get(key) != by_pdf.get(key):
                differences.append(f"{path.stem} {key}: {by_docx.get(key)!r} (docx) / {by_pdf.get(key)!r} (pdf)")
        pairs = lambda result: sorted({(t.get("agency"), t.get("role")) for t in result["tasks"]})  # noqa: E731
        if pairs(by_docx) != pairs(by_pdf):
            differences.append(f"{path.stem} tasks: {pairs(by_docx)} (docx) / {pairs(by_pdf)} (pdf)")
    docx_header, docx_tasks = _scores(from_docx)
    pdf_header, pdf_tasks = _scores(from_pdf)
    print(f"{font}: {len(letters)} letters, header {docx_header:.3f} (docx) {pdf_header:.3f} (pdf), "
          f"task F1 {docx_tasks:.3f} (docx) {pdf_tasks:.3f} (pdf)")
    assert pdf_header >= docx_header - 0.02 and pdf_tasks >= docx_tasks - 0.02, "\n".join(differences)
    # what the clerk sees in the proposal: the same header fields and tasks, letter by letter, for nearly all
    assert len(differences) <= len(letters) * 0.1, "\n".join(differences)


def test_a_fallback_font_does_not_scramble_the_words(exported):
    """The words of the Quốc hiệu and the date come out whole and in order, not their letters at the line's end."""
    path, _, pdf_bytes = exported["Times New Roman"][0]
    text = read_document(pdf_bytes, "cong-van.pdf")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    first_line = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    assert first_line.strip() in text
