"""Scans made in the test: a letter's lines drawn on a white page (a PNG, or an image-only PDF of a few pages).

The handwritten number and day of a real scan are left blank on the page ("Số:      /VP-VHXH", "ngày    tháng"),
as on the signed paper letters offices scan.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf")

PAGE_ONE = """UBND TỈNH KIÊN GIANG              CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
VĂN PHÒNG                              Độc lập - Tự do - Hạnh phúc

Số:        /VP-VHXH                    Kiên Giang, ngày     tháng 02 năm 2019

V/v chỉ đạo tăng cường thực hiện trợ giúp xã hội.

Kính gửi: Sở Lao động - Thương binh và Xã hội.

Phó Chủ tịch UBND tỉnh có ý kiến chỉ đạo như sau:
Giao Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp
với các sở, ngành có liên quan tổ chức thực hiện trợ giúp
xã hội đối với đối tượng bảo trợ xã hội, báo cáo kết quả
về UBND tỉnh trước ngày 30/4/2019."""

PAGE_TWO = """Văn phòng Ủy ban nhân dân tỉnh thông báo ý kiến chỉ đạo
trên đến quý cơ quan biết, thực hiện./.

Nơi nhận:                              KT. CHÁNH VĂN PHÒNG
- Như trên;                            PHÓ CHÁNH VĂN PHÒNG
- Lưu: VT."""


def font_path() -> str:
    """A TrueType font with Vietnamese letters, or skip."""
    for path in FONTS:
        if Path(path).is_file():
            return path
    pytest.skip("no font with Vietnamese letters (fonts-dejavu) to draw a scan with")


def page_image(text: str, *, dpi: int = 200):
    """An A4 page at ``dpi`` with ``text`` drawn on it in 13 pt type, as a grey Pillow image."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = round(8.27 * dpi), round(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(font_path(), round(13 / 72 * dpi))
    draw.multiline_text((round(0.8 * dpi), round(0.8 * dpi)), text, fill=0, font=font, spacing=round(0.08 * dpi))
    return image


def scan_png(text: str = PAGE_ONE) -> bytes:
    """A one-page scan as a PNG (200 dpi)."""
    out = io.BytesIO()
    page_image(text).save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()


def scan_pdf(*pages: str) -> bytes:
    """An image-only PDF of ``pages`` (200 dpi), as a scanner makes: no text layer."""
    images = [page_image(text) for text in (pages or (PAGE_ONE, PAGE_TWO))]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=200, save_all=True, append_images=images[1:])
    return out.getvalue()
