"""What an evidence file is, judged by its bytes, and the one harmless file extension it may carry in an export.

A crawled server's Content-Type is the target's word, not ours: a page served as `application/hta` must not
become `x.hta` on an officer's desktop, and an archived HTML page must not run its scripts or load the target's
resources when opened. So the extension comes from a fixed allow-list by sniffed type, and anything that could
run or load something (HTML, SVG, XML, CSV a spreadsheet would evaluate) is named as plain text, byte for byte
(its SHA-256 still matches the evidence store). Screenshots stay images.
"""

from __future__ import annotations

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
SUFFIXES = {
    "png": ".png",
    "jpeg": ".jpg",
    "gif": ".gif",
    "webp": ".webp",
    "markup": ".html.txt",  # HTML, XML, SVG: kept as text, so nothing in it runs or loads
    "json": ".json",
    "text": ".txt",  # never .csv: a crawled feed must not open in a spreadsheet that evaluates formulas
    "binary": ".bin",
}
_BOMS = (b"\xef\xbb\xbf",)  # UTF-16 text holds NUL bytes and is kept as .bin
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x1b")
_SAMPLE = 8192


def sniff(data: bytes) -> str:
    """One of SUFFIXES' keys, from the bytes alone (never from a server's Content-Type)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:_SAMPLE]
    if any(b < 0x20 and b not in _TEXT_CONTROLS for b in head):
        return "binary"
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    start = head.lstrip()[:1]
    if start == b"<":
        return "markup"
    if start in (b"{", b"["):
        return "json"
    return "text"


def archive_suffix(data: bytes) -> str:
    """The extension an exported copy of `data` gets: from the fixed allow-list, by sniffed type."""
    return SUFFIXES[sniff(data)]
