"""Print-quality export of a live plot: SVG (vectors), PDF and PNG at ``DPI`` dots per inch,
and CSV (the data the plot shows, from its ``data_table()``)."""
import csv
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QSize, QSizeF
from PySide6.QtGui import QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator

DPI = 300
SCREEN_DPI = 96.0
FORMATS = ("svg", "pdf", "png", "csv")


def export_plot(live_plot, path):
    """Write ``live_plot`` to ``path`` in the format its extension names; returns the path."""
    path = str(path)
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"cannot export a plot as {fmt!r}: use one of {', '.join(FORMATS)}")
    widget = live_plot.plot
    width, height = max(widget.width(), 1), max(widget.height(), 1)
    if fmt == "csv":
        header, rows = live_plot.data_table()
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    elif fmt == "svg":
        generator = QSvgGenerator()
        generator.setFileName(path)
        generator.setSize(QSize(width, height))
        generator.setViewBox(QRect(0, 0, width, height))
        generator.setTitle(live_plot.title)
        painter = QPainter(generator)
        widget.render(painter)
        painter.end()
    elif fmt == "pdf":
        writer = QPdfWriter(path)
        writer.setResolution(DPI)
        writer.setTitle(live_plot.title)
        inches = QSizeF(width / SCREEN_DPI, height / SCREEN_DPI)
        writer.setPageSize(QPageSize(inches, QPageSize.Unit.Inch, live_plot.title))
        writer.setPageMargins(QMarginsF(0, 0, 0, 0))
        painter = QPainter(writer)
        scale = DPI / SCREEN_DPI
        painter.scale(scale, scale)
        widget.render(painter)
        painter.end()
    else:
        scale = DPI / SCREEN_DPI
        image = QImage(int(round(width * scale)), int(round(height * scale)), QImage.Format.Format_ARGB32)
        image.fill(0xFFFFFFFF)
        dots_per_metre = int(round(DPI / 0.0254))
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.scale(scale, scale)
        widget.render(painter)
        painter.end()
        if not image.save(path, "PNG"):
            raise OSError(f"could not write {path}")
    return path
