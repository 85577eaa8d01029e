"""Reading the text of a reportlab PDF in tests without a PDF library: the content streams (ASCII85 + Flate)
are decoded and the shown strings collected. ASCII text is readable whichever CJK font was used (the embedded
TrueType subset keeps ASCII codes; the built-in CID font STSong-Light writes UTF-16), so a test can look for
an amount or an ID number; Chinese text is readable only with the CID font."""

import base64
import re
import zlib

STREAM = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", re.S)
STRING = re.compile(rb"\((?:\\.|[^\\)])*\)", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _decode_stream(header: bytes, body: bytes) -> bytes | None:
    data = body
    try:
        if b"ASCII85Decode" in header:
            data = base64.a85decode(data.strip().removesuffix(b"~>"), adobe=False, ignorechars=b" \t\n\r\x0b")
        if b"FlateDecode" in header:
            data = zlib.decompress(data)
    except (ValueError, zlib.error):
        return None
    return data


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        if raw[i:i + 1] == b"\\" and i + 1 < len(raw):
            nxt = raw[i + 1:i + 2]
            if nxt and nxt in b"01234567":
                digits = re.match(rb"[0-7]{1,3}", raw[i + 1:]).group(0)
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
                continue
            out += ESCAPES.get(nxt, nxt)
            i += 2
            continue
        out += raw[i:i + 1]
        i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """Every string shown on the pages, decoded both as single bytes and (when it fits) as UTF-16."""
    assert data.startswith(b"%PDF-"), "not a PDF"
    shown = []
    for header, body in STREAM.findall(data):
        content = _decode_stream(header, body)
        if content is None or b"BT" not in content:
            continue
        for literal in STRING.findall(content):
            raw = _unescape(literal[1:-1])
            shown.append(raw.decode("latin-1"))
            if len(raw) % 2 == 0:
                shown.append(raw.decode("utf-16-be", errors="ignore"))
    return "\n".join(shown)
