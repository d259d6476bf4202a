"""Payee bank accounts: the kinds the county pays into and the format check of each.

No Django. The check is a format check, not a policy rule: digits only, a length the kind allows,
and the Luhn check digit (ISO/IEC 7812-1 annex B, through python-stdnum's `luhn`) where the kind
is a card number. 惠民惠农财政补贴资金“一卡通” accounts are often passbook (存折) accounts whose
numbers carry no Luhn digit, so only their length is checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError

from safetynet.core.errors import ValidationFailed


@dataclass(frozen=True)
class AccountKind:
    code: str
    label: str
    lengths: tuple[int, int]  # inclusive bounds
    luhn: bool


ACCOUNT_KINDS = {
    k.code: k
    for k in (
        AccountKind("social_security_card", "社会保障卡（金融账户）", (16, 19), True),
        AccountKind("bank_card", "银行借记卡", (16, 19), True),
        AccountKind("yikatong", "惠民惠农财政补贴资金“一卡通”", (12, 23), False),
    )
}


def clean_account_number(kind: str, number: str, *, field: str = "account") -> str:
    """The account number without spaces, or a `ValidationFailed` naming `field`."""
    spec = ACCOUNT_KINDS.get(kind)
    if spec is None:
        raise ValidationFailed("账户类型无效。", code="account_kind_invalid", field="kind")
    digits = "".join(str(number or "").split()).replace("-", "")
    if not digits:
        raise ValidationFailed("请填写账号。", code="account_required", field=field)
    if not digits.isascii() or not digits.isdigit():
        raise ValidationFailed("账号只能由数字组成。", code="account_not_digits", field=field)
    low, high = spec.lengths
    if not low <= len(digits) <= high:
        raise ValidationFailed(
            f"{spec.label}账号应为{low}至{high}位数字，现为{len(digits)}位。",
            code="account_length",
            field=field,
        )
    if spec.luhn:
        try:
            luhn.validate(digits)
        except StdnumError:
            raise ValidationFailed(
                f"{spec.label}账号校验位不符，请核对。", code="account_check_digit", field=field
            ) from None
    return digits
