"""The ``annstudio run --plot`` figure, drawn without any plotting library.

Owns a tiny numpy rasteriser (one panel per recorded variable: spike rasters as dots,
other variables as traces of a few neurons), a 3x5 bitmap font for the panel titles and
axis ranges, and a minimal PNG writer (``zlib`` + ``struct``).  No Qt, no matplotlib, so
the CLI stays importable and fast on headless machines.
"""
import struct
import zlib

import numpy as np

from .format import write_atomic

WIDTH = 1200
RASTER_HEIGHT = 220
TRACE_HEIGHT = 160
MARGIN = 14
COLOURS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14)]
_FONT_ROWS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001001001001",
    "8": "111101111101111", "9": "111101111001111", "A": "010101111101101", "B": "110101110101110",
    "C": "011100100100011", "D": "110101101101110", "E": "111100110100111", "F": "111100110100100",
    "G": "011100101101011", "H": "101101111101101", "I": "111010010010111", "J": "001001001101010",
    "K": "101101110101101", "L": "100100100100111", "M": "101111111101101", "N": "110101101101101",
    "O": "010101101101010", "P": "110101110100100", "Q": "010101101110011", "R": "110101110101101",
    "S": "011100010001110", "T": "111010010010010", "U": "101101101101111", "V": "101101101101010",
    "W": "101101111111101", "X": "101101010101101", "Y": "101101010010010", "Z": "111001010100111",
    ".": "000000000000010", "-": "000000111000000", ":": "000010000010000", "_": "000000000000111",
    "(": "001010010010001", ")": "100010010010100", "/": "001001010100100", "=": "000111000111000",
    "+": "000010111010000", ",": "000000000010100", " ": "000000000000000", "[": "011010010010011",
    "]": "110010010010110",
}
_SCALE = 2


def _text(img, x, y, text, colour=(0, 0, 0)):
    """Draw ``text`` with the 3x5 font (scaled) at pixel (x, y) = top-left."""
    for ch in str(text).upper():
        rows = _FONT_ROWS.get(ch, _FONT_ROWS[" "] if ch == " " else "111101101101111")
        glyph = np.array([int(b) for b in rows], dtype=bool).reshape(5, 3)
        glyph = np.kron(glyph, np.ones((_SCALE, _SCALE), dtype=bool))
        h, w = glyph.shape
        if x + w > img.shape[1] or y + h > img.shape[0]:
            break
        region = img[y:y + h, x:x + w]
        region[glyph] = colour
        x += w + _SCALE


def _frame(img, top, height):
    img[top, MARGIN:WIDTH - MARGIN] = 0
    img[top + height - 1, MARGIN:WIDTH - MARGIN] = 0
    img[top:top + height, MARGIN] = 0
    img[top:top + height, WIDTH - MARGIN - 1] = 0


def _raster(img, top, height, times, ranks, n, t_max, title):
    inner_h, inner_w = height - 30, WIDTH - 2 * MARGIN - 4
    y0 = top + 24
    _text(img, MARGIN, top + 4, f"{title}  {len(times)} spikes  0-{t_max:g} ms")
    if len(times):
        xs = MARGIN + 2 + np.clip((times / max(t_max, 1e-12)) * (inner_w - 1), 0, inner_w - 1).astype(int)
        ys = y0 + inner_h - 1 - np.clip(ranks / max(n - 1, 1) * (inner_h - 1), 0, inner_h - 1).astype(int)
        img[ys, xs] = (20, 20, 120)
    _frame(img, top + 20, height - 22)


def _trace(img, top, height, values, t_max, title):
    inner_h, inner_w = height - 30, WIDTH - 2 * MARGIN - 4
    y0 = top + 24
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    values = values.reshape(values.shape[0], -1)[:, :len(COLOURS)]
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    _text(img, MARGIN, top + 4, f"{title}  [{lo:.4g}, {hi:.4g}]  0-{t_max:g} ms")
    steps = values.shape[0]
    if steps:
        cols = np.minimum((np.arange(steps) / max(steps - 1, 1) * (inner_w - 1)).astype(int), inner_w - 1)
        for k in range(values.shape[1]):
            v = np.nan_to_num(values[:, k], nan=lo, posinf=hi, neginf=lo)
            ys = (y0 + inner_h - 1 - np.clip((v - lo) / (hi - lo) * (inner_h - 1), 0, inner_h - 1)).astype(int)
            xs = MARGIN + 2 + cols
            prev_x, prev_y = xs[0], ys[0]
            for x, y in zip(xs, ys):
                a, b = sorted((prev_y, y))
                img[a:b + 1, x] = COLOURS[k]
                if x - prev_x > 1:
                    img[y, prev_x:x + 1] = COLOURS[k]
                prev_x, prev_y = x, y
    _frame(img, top + 20, height - 22)


def png_bytes(img):
    """An RGB uint8 array (H, W, 3) as PNG file bytes."""
    img = np.ascontiguousarray(img, dtype=np.uint8)
    h, w, _ = img.shape
    raw = b"".join(b"\x00" + img[row].tobytes() for row in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) +
            chunk(b"IEND", b""))


def render_figure(recordings, sizes, dt, t_max):
    """The figure (RGB array) for ``recordings`` (runner keys); ``sizes``: monitor -> neurons."""
    panels = []
    seen = set()
    for key in recordings:
        if key.endswith(".spike.times") or key.endswith(".spike.ranks"):
            mon = key[: -len(".spike.times")]
            if mon in seen:
                continue
            seen.add(mon)
            panels.append(("raster", mon, recordings[f"{mon}.spike.times"] * dt,
                           recordings[f"{mon}.spike.ranks"], sizes.get(mon, 1)))
        elif np.asarray(recordings[key]).size:
            panels.append(("trace", key, recordings[key]))
    height = sum(RASTER_HEIGHT if p[0] == "raster" else TRACE_HEIGHT for p in panels) + 2 * MARGIN
    img = np.full((max(height, 60), WIDTH, 3), 255, dtype=np.uint8)
    if not panels:
        _text(img, MARGIN, MARGIN, "nothing was recorded")
    top = MARGIN
    for p in panels:
        if p[0] == "raster":
            _raster(img, top, RASTER_HEIGHT, p[2], p[3], p[4], t_max, p[1])
            top += RASTER_HEIGHT
        else:
            _trace(img, top, TRACE_HEIGHT, p[2], t_max, p[1])
            top += TRACE_HEIGHT
    return img


def write_figure(path, recordings, sizes, dt, t_max):
    write_atomic(path, png_bytes(render_figure(recordings, sizes, dt, t_max)), backup=False)
    return path
