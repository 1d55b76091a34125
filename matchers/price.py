"""Currency-aware price comparison against an entry's MSRP, using a small fixed FX table (CNY per unit).

The rates are rounded 2024 averages; the anomaly thresholds (half, a fifth of MSRP) are far coarser than any
drift in them. An unknown currency gives no price signal rather than a wrong one.
"""

from __future__ import annotations

CNY_PER_UNIT = {
    "CNY": 1.0, "RMB": 1.0, "USD": 7.2, "EUR": 7.8, "GBP": 9.1, "HKD": 0.92, "MOP": 0.89, "TWD": 0.22,
    "JPY": 0.048, "KRW": 0.0053, "SGD": 5.3, "AUD": 4.7, "CAD": 5.3, "CHF": 8.1, "RUB": 0.08, "INR": 0.086,
    "THB": 0.2, "MYR": 1.55, "VND": 0.00029, "IDR": 0.00045, "PHP": 0.125, "AED": 1.96, "NZD": 4.3,
}  # fmt: skip


def to_cny(amount: float | None, currency: str) -> float | None:
    """The amount in CNY, or None when the amount or the currency's rate is unknown."""
    rate = CNY_PER_UNIT.get((currency or "CNY").upper())
    if amount is None or rate is None:
        return None
    return amount * rate
