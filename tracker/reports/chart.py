"""A per-agency bar chart as a PNG, drawn in pure Python (no matplotlib or Pillow on the servers).

Each agency is one horizontal bar split into the five categories of the summary. Text with Vietnamese
diacritics cannot be drawn without a font engine, so bars carry their row number (drawn with a small
built-in digit font) and the document prints the legend (row number -> agency, colour -> category).
"""

from __future__ import annotations

import struct
import zlib

from tracker.reports.vn import vn_number

#: colours of the categories, in the order of SUMMARY_CATEGORIES in tracker.reports.data
CATEGORY_COLOURS = [
    (46, 125, 50),    # done on time: green
    (249, 168, 37),   # done late: amber
    (198, 40, 40),    # overdue: red
    (30, 100, 200),   # in progress, not yet due: blue
    (150, 150, 150),  # no deadline: grey
]
#: the colours as people name them, for the legend under the picture
COLOUR_NAMES = ["xanh lá", "vàng", "đỏ", "xanh dương", "xám"]

# 3x5 digit glyphs, one string of 15 cells per digit, row by row
_DIGITS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001001001001",
    "8": "111101111101111", "9": "111101111001111", ".": "000000000000010",
}


def png_bytes(width: int, height: int, pixels: bytearray) -> bytes:
    """Encode ``pixels`` (RGB, row by row) as a PNG file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    stride = width * 3
    raw = b"".join(b"\x00" + bytes(pixels[y * stride:(y + 1) * stride]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


class Canvas:
    """An RGB drawing surface with filled rectangles and digits."""

    def __init__(self, width: int, height: int, background=(255, 255, 255)):
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def rect(self, x: int, y: int, w: int, h: int, colour) -> None:
        """Fill the rectangle at (x, y) of size w x h, clipped to the canvas."""
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + w), min(self.height, y + h)
        if x1 <= x0 or y1 <= y0:
            return
        line = bytes(colour) * (x1 - x0)
        for row in range(y0, y1):
            start = (row * self.width + x0) * 3
            self.pixels[start:start + len(line)] = line

    def text(self, x: int, y: int, digits: str, colour=(0, 0, 0), scale: int = 3) -> int:
        """Draw ``digits`` (0-9 and the thousands dot) with its top left at (x, y); return the width drawn."""
        cursor = x
        for ch in digits:
            glyph = _DIGITS.get(ch)
            if glyph is not None:
                for index, cell in enumerate(glyph):
                    if cell == "1":
                        self.rect(cursor + (index % 3) * scale, y + (index // 3) * scale, scale, scale, colour)
            cursor += 4 * scale
        return cursor - x

    def png(self) -> bytes:
        """The canvas as PNG bytes."""
        return png_bytes(self.width, self.height, self.pixels)


def agency_bar_chart(rows: list[list[int]], width: int = 1200, row_height: int = 34) -> bytes:
    """One horizontal stacked bar per row of category counts, numbered 1..N on the left, total on the right."""
    label_width, total_width, gap = 70, 110, 10
    height = max(1, len(rows)) * row_height + 2 * gap
    canvas = Canvas(width, height)
    bar_space = width - label_width - total_width
    largest = max((sum(r) for r in rows), default=0) or 1
    canvas.rect(label_width - 2, gap, 2, height - 2 * gap, (60, 60, 60))  # the axis
    for index, counts in enumerate(rows):
        top = gap + index * row_height
        canvas.text(8, top + (row_height - 15) // 2, str(index + 1))
        x = label_width
        for count, colour in zip(counts, CATEGORY_COLOURS):
            w = round(bar_space * count / largest)
            canvas.rect(x, top + 5, w, row_height - 10, colour)
            x += w
        canvas.text(x + 8, top + (row_height - 15) // 2, vn_number(sum(counts)))
    return canvas.png()
