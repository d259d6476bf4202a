"""Amounts of money entered by people: yuan as Decimal, at most two places (fen), never negative."""

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
