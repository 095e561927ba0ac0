"""Render ``resources/icons/orban-agent.svg`` into the PNG, ICO and ICNS files the installers use.

Run ``QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py`` after editing the SVG;
the outputs are committed, so a build needs neither this script nor QtSvg:

- ``orban-agent.png``: 256 px, for the Linux hicolor theme (beside the scalable SVG);
- ``orban-agent.ico``: 16 to 256 px, PNG-compressed entries (Windows Vista and later), for the
  Windows executables and the Inno Setup installer;
- ``orban-agent.icns``: 16 to 1024 px PNG entries (``ic04`` ... ``ic10``), for the macOS .app.

A development tool: imports PySide6 (QtSvg, QtGui), and nothing from the app.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: ICNS element types holding PNG data, by pixel size (the @2x types reuse the larger sizes).
ICNS_TYPES = (
    (b"ic04", 16),
    (b"ic05", 32),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic13", 256),
    (b"ic08", 256),
    (b"ic14", 512),
    (b"ic09", 512),
    (b"ic10", 1024),
)


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """The SVG drawn at ``size`` x ``size`` pixels, as PNG bytes."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stubs say bytes
        raise RuntimeError(f"could not encode a {size} px PNG")
    return bytes(data.data())


def ico_file(pngs: dict[int, bytes]) -> bytes:
    """An ICO file of PNG entries: header, one 16-byte directory entry per size, the images."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    directory, images = b"", b""
    for size in sizes:
        png = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        images += png
        offset += len(png)
    return header + directory + images


def icns_file(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: ``icns`` and its length, then (type, length, PNG) elements."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for kind, size in ICNS_TYPES)  # fmt: skip
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "orban-agent.svg"))
    if not renderer.isValid():
        print(f"cannot read {ICONS / 'orban-agent.svg'}", file=sys.stderr)
        return 1
    sizes = sorted({*ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(renderer, size) for size in sizes}
    outputs = {
        "orban-agent.png": pngs[256],
        "orban-agent.ico": ico_file({size: pngs[size] for size in ICO_SIZES}),
        "orban-agent.icns": icns_file(pngs),
    }
    for name, data in outputs.items():
        (ICONS / name).write_bytes(data)
        print(f"{ICONS / name}: {len(data)} bytes")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
