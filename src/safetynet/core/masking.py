"""How personal data is shown by default: enough to recognise, not enough to use."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """张明 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明."""
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(number: str) -> str:
    """141029********1234: region kept, birth date and sequence hidden."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """139****5678."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_bank_account(account: str) -> str:
    """Last four digits only."""
    if not account:
        return ""
    return "*" * max(len(account) - 4, 0) + account[-4:]
