"""Just enough PNG (ISO/IEC 15948) to tell a real screenshot from a blank one,
standard library only: the chunks, the size, and how many distinct colours
the first rows hold."""

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunks(data):
    """(type, body) of each chunk; raises ValueError for a file that is not PNG."""
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG file (no signature)")
    at = len(SIGNATURE)
    for _ in range(100000):
        if at >= len(data):
            return
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if len(body) != length:
            raise ValueError("truncated chunk")
        crc = struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0]
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in {kind!r}")
        yield kind, body
        at += 12 + length


def describe(path, rows=400):
    """(width, height, distinct pixel values in the first `rows` rows).
    Handles the 8-bit RGB and RGBA images Chromium writes."""
    with open(path, "rb") as f:
        data = f.read()
    width = height = bit_depth = colour = None
    compressed = b""
    for kind, body in chunks(data):
        if kind == b"IHDR":
            width, height, bit_depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            compressed += body
    if width is None or bit_depth != 8 or colour not in (2, 6):
        raise ValueError(f"unexpected PNG layout: depth {bit_depth}, colour type {colour}")
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompressobj().decompress(compressed, (stride + 1) * min(rows, height))
    pixels = set()
    previous = bytearray(stride)
    for row in range(min(rows, height, len(raw) // (stride + 1))):
        line = raw[row * (stride + 1):(row + 1) * (stride + 1)]
        filtered, current = line[0], bytearray(line[1:])
        for i in range(stride):
            left = current[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if filtered == 1:
                current[i] = (current[i] + left) & 0xFF
            elif filtered == 2:
                current[i] = (current[i] + up) & 0xFF
            elif filtered == 3:
                current[i] = (current[i] + (left + up) // 2) & 0xFF
            elif filtered == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                current[i] = (current[i] + predictor) & 0xFF
        for i in range(0, stride, channels * 7):
            pixels.add(bytes(current[i:i + channels]))
        previous = current
    return width, height, len(pixels)
