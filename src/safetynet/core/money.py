"""Amounts of money: what people enter (yuan as Decimal, at most two places, never negative) and
how an amount is written for people to read (`grouped`: thousands separators, the digits exact)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from safetynet.core.errors import ValidationFailed

FEN = Decimal("0.01")
# What a DECIMAL(12, 2) column holds: a technical bound, not a rule.
MAX_AMOUNT = Decimal("1e10")


def parse_yuan(value, field: str, *, blank_is_zero: bool = True) -> Decimal:
    """A user-entered amount in yuan, quantized to the fen, or a `ValidationFailed` naming `field`."""
    if value in (None, "") and blank_is_zero:
        value = 0
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise ValidationFailed("金额应为数字。", field=field) from None
    if amount.is_finite() and amount >= MAX_AMOUNT:
        # Checked first: quantizing 1e30 raises, and the column holds at most 12 digits.
        raise ValidationFailed("金额过大，请核对。", field=field)
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed("金额不能为负数。", field=field)
    if amount != amount.quantize(FEN):
        raise ValidationFailed("金额最多保留两位小数（分）。", field=field)
    return amount.quantize(FEN)


def grouped(value) -> str | None:
    """1234567.50 → "1,234,567.50": Decimal-exact (no float, the digits as given); None when `value`
    is no finite number. The web's `money` filter and the decision trace's sentences both use it."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not d.is_finite():
        return None
    sign = "-" if d < 0 else ""
    whole, _, frac = format(abs(d), "f").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ",".join(groups) + (f".{frac}" if frac else "")
