"""Draws the app icon and the tray's three health states as RGBA PNGs (no image libraries needed).

Run from this folder: python3 make_icons.py; then `npx tauri icon icons/app.png -o src-tauri/icons`
(from ui/) regenerates the platform icon set. The outputs are committed.
"""
import math
import struct
import zlib


def png(path, size, pixel):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            row.extend(pixel(x + 0.5, y + 0.5, size))
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def coverage(d, edge):
    """Anti-aliased inside-ness for signed distance d (negative inside)."""
    return max(0.0, min(1.0, 0.5 - d / edge))


def app_pixel(x, y, s):
    # A rounded square in blue with a white speech bubble holding three "generated" dots.
    r = s * 0.22
    half = s * 0.46
    cx = cy = s / 2
    qx, qy = abs(x - cx) - (half - r), abs(y - cy) - (half - r)
    outside = math.hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - r
    a = coverage(outside, 1.2)
    t = y / s
    base = (int(47 + 30 * t), int(111 - 20 * t), int(222 - 40 * t))
    # bubble
    bx, by, br = cx, cy - s * 0.03, s * 0.27
    bubble = math.hypot((x - bx) / 1.15, y - by) - br
    tail = max(abs(x - (bx - s * 0.12)) - s * 0.05, abs(y - (by + br * 0.95)) - s * 0.06)
    w = max(coverage(bubble, 1.2), coverage(tail, 1.2))
    dots = min(math.hypot(x - (bx + dx * s * 0.11), y - by) - s * 0.035 for dx in (-1, 0, 1))
    dot = coverage(dots, 1.2)
    col = [base[i] * (1 - w) + 255 * w for i in range(3)]
    col = [col[i] * (1 - dot) + base[i] * dot for i in range(3)]
    return bytes([int(col[0]), int(col[1]), int(col[2]), int(255 * a)])


def tray_pixel(color):
    def pixel(x, y, s):
        d = math.hypot(x - s / 2, y - s / 2) - s * 0.42
        ring = abs(math.hypot(x - s / 2, y - s / 2) - s * 0.42) - s * 0.05
        a = coverage(d, 1.0)
        edge = coverage(ring, 1.0)
        c = [int(color[i] * (1 - 0.35 * edge)) for i in range(3)]
        return bytes([c[0], c[1], c[2], int(255 * a)])

    return pixel


if __name__ == "__main__":
    png("app.png", 1024, app_pixel)
    for name, color in (("tray-ok", (46, 160, 67)), ("tray-warning", (230, 162, 20)), ("tray-error", (210, 45, 45))):
        png(f"{name}.png", 64, tray_pixel(color))
