"""Masked display forms of personal data: 张** / 138****1234 / 广东省深圳市***."""

from __future__ import annotations

import re

from parcels.normalize import normalize_phone

_REGION = re.compile(r"^(.{2,8}?(?:省|自治区|特别行政区))?(.{2,8}?(?:市|自治州|州|盟|地区))?")


def mask_name(name: str) -> str:
    """Keep the first character (the surname), star the rest: 张伟 → 张**, Zhang Wei → Z**."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "**"  # a fixed number of stars, so the length does not leak either


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits: 13800138000 → 138****8000."""
    digits = normalize_phone(phone)
    if not digits:
        return ""
    if len(digits) <= 7:
        return "*" * (len(digits) - 2) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_address(address: str) -> str:
    """Keep the province and city, hide the rest: 广东省深圳市南山区科技路10号 → 广东省深圳市***."""
    address = (address or "").strip()
    if not address:
        return ""
    region = _REGION.match(address)
    kept = region.group(0) if region else ""
    if not kept:
        kept = address[:2]
    return kept + "***"
