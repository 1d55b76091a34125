"""Perceptual hashes of listing images (imagehash's pHash, 64 bits as 16 hex digits), from downloaded bytes.

Image bytes come from crawled servers and are hostile: only JPEG, PNG, GIF and WebP are opened (Pillow is told the
formats, so no other decoder runs on them), the byte size and the pixel count are capped before decoding (a
decompression bomb is refused, not decoded), and nothing in a file is executed or kept. Near-duplicates — the same
photo re-encoded, resized or with a small watermark — differ in a few of the 64 bits (`distance`); a blank or single-colour placeholder is no identifier
(`is_informative`).
"""

from __future__ import annotations

import io
import warnings

FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 6,000 × 6,000 photo fits; larger is refused before decoding
MIN_SIDE = 16  # smaller images (spacers, icons) say nothing about the goods
HASH_HEX = 16


class ImageRefused(ValueError):
    """Not an image NetSword hashes: the reason is one line."""


def _magic_format(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return ""


def phash_of(data: bytes, media_type: str = "") -> str:
    """The pHash of an image as 16 hex digits; ImageRefused when it is not a bounded JPEG/PNG/GIF/WebP."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused(f"image larger than {MAX_IMAGE_BYTES} bytes")
    declared = media_type.split(";", 1)[0].strip().lower()
    if declared and declared not in MEDIA_TYPES:
        raise ImageRefused(f"not an image type NetSword hashes: {declared[:60]}")
    import imagehash  # here, not at import: numpy and scipy load only where images are hashed
    from PIL import Image

    found = _magic_format(data)
    if not found:
        raise ImageRefused("the bytes are not a JPEG, PNG, GIF or WebP image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=(found,)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ImageRefused(f"image of {width}×{height} pixels is over the {MAX_PIXELS} pixel cap")
                if min(width, height) < MIN_SIDE:
                    raise ImageRefused(f"image of {width}×{height} pixels is too small to compare")
                image.seek(0)  # the first frame of an animation
                # pHash reads the luminance (imagehash converts to "L"): an RGB or L image goes there directly, the
                # same hash without a full-size RGB copy (120 MB and most of the time for a 40-megapixel image)
                return str(imagehash.phash(image if image.mode in ("RGB", "L") else image.convert("RGB")))
    except ImageRefused:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageRefused(f"unreadable image: {str(exc)[:120]}") from None


def distance(a: str, b: str) -> int:
    """Differing bits between two hashes of 16 hex digits."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def is_hash(value: str) -> bool:
    return len(value) == HASH_HEX and all(c in "0123456789abcdef" for c in value)


def is_informative(value: str) -> bool:
    """A hash of a picture with content: pHash sets the bits of the DCT coefficients above their median, about half
    of them for any textured image; a blank or single-colour placeholder sets almost none and links nobody."""
    return is_hash(value) and 16 <= int(value, 16).bit_count() <= 48
