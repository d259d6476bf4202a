"""What a person and a membership may hold, checked: the typed inputs of the registry's services
(shared with the web forms and the API schemas) and their validation into model values, each
error a `ValidationFailed` naming its field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from safetynet.core.errors import ValidationFailed
from safetynet.core.money import parse_yuan
from safetynet.core.resident_id import parse_resident_id
from safetynet.registry.models import (
    SELF_CARE_ACTIVITIES,
    DisabilityKind,
    LabourCapacity,
    NotCountedReason,
    Relation,
    Sex,
)

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
BANK_RE = re.compile(r"^\d{12,30}$")


def name_initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:32]


@dataclass
class PersonInput:
    id_number: str
    name: str
    sex: str | None = None  # checked against the ID when given
    birth_date: dt.date | None = None  # checked against the ID when given
    disability_kind: str = ""
    disability_grade: int | None = None
    major_illness: bool = False
    fulltime_education: bool = False
    self_care_failed: list[str] = field(default_factory=list)
    labour_capacity: str = LabourCapacity.FULL
    phone: str = ""
    bank_account: str = ""
    # Declared income of the last 12 months by type, yuan (POLICY.md §2).
    income_wage_12m: Decimal | str | int = 0
    income_business_12m: Decimal | str | int = 0
    income_property_12m: Decimal | str | int = 0
    income_transfer_12m: Decimal | str | int = 0
    income_excluded_12m: Decimal | str | int = 0


@dataclass
class MembershipInput:
    relation: str
    co_resident: bool = True
    not_counted_reason: str = ""
    joined_on: dt.date | None = None


# The input fields of a person and of a membership, as the web forms and the API name them.
PERSON_FIELDS = tuple(f.name for f in fields(PersonInput))
MEMBERSHIP_FIELDS = tuple(f.name for f in fields(MembershipInput))


def parse_choice(value, choices, field_name: str, label: str, *, blank: bool = False):
    if blank and value in ("", None):
        return ""
    if value not in choices.values:
        raise ValidationFailed(f"{label}“{value}”无效。", field=field_name)
    return value


INCOME_FIELDS = (
    "income_wage_12m",
    "income_business_12m",
    "income_property_12m",
    "income_transfer_12m",
    "income_excluded_12m",
)


def parse_money(value, field_name: str) -> Decimal:
    return parse_yuan(value, field_name)


def clean_person(data: PersonInput, *, prefix: str = "") -> dict:
    rid = parse_resident_id(data.id_number, field=f"{prefix}id_number")
    name = (data.name or "").strip()
    if not name:
        raise ValidationFailed("请填写姓名。", field=f"{prefix}name")
    if len(name) > 64 or not re.fullmatch(r"[\u3400-\u9fff·A-Za-z\s]+", name):
        raise ValidationFailed("姓名只能包含汉字、字母和间隔号“·”。", field=f"{prefix}name")
    if data.sex not in (None, "") and data.sex != rid.sex:
        raise ValidationFailed(
            f"性别与身份证号码不符：号码显示为{Sex(rid.sex).label}。",
            code="sex_mismatch",
            field=f"{prefix}sex",
        )
    if data.birth_date and data.birth_date != rid.birth_date:
        raise ValidationFailed(
            f"出生日期与身份证号码不符：号码显示为{rid.birth_date.isoformat()}。",
            code="birth_date_mismatch",
            field=f"{prefix}birth_date",
        )
    kind = parse_choice(
        data.disability_kind, DisabilityKind, f"{prefix}disability_kind", "残疾类别", blank=True
    )
    grade = data.disability_grade
    if kind and grade not in (1, 2, 3, 4):
        raise ValidationFailed("残疾等级应为1至4级。", field=f"{prefix}disability_grade")
    if not kind and grade not in (None, ""):
        raise ValidationFailed("填写残疾等级时须同时填写残疾类别。", field=f"{prefix}disability_kind")
    failed = list(dict.fromkeys(data.self_care_failed or []))
    unknown = [a for a in failed if a not in SELF_CARE_ACTIVITIES]
    if unknown:
        raise ValidationFailed(f"未知的日常活动：{'、'.join(unknown)}。", field=f"{prefix}self_care_failed")
    phone = (data.phone or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise ValidationFailed("联系电话格式不正确（11位手机号或带区号的固定电话）。", field=f"{prefix}phone")
    bank = (data.bank_account or "").replace(" ", "")
    if bank and not BANK_RE.match(bank):
        raise ValidationFailed("银行账号应为12至30位数字。", field=f"{prefix}bank_account")
    incomes = {name: parse_money(getattr(data, name), f"{prefix}{name}") for name in INCOME_FIELDS}
    return {
        **incomes,
        "id_number": rid.number,
        "name": name,
        "name_initials": name_initials(name),
        "sex": rid.sex,
        "birth_date": rid.birth_date,
        "disability_kind": kind,
        "disability_grade": grade if kind else None,
        "major_illness": bool(data.major_illness),
        "fulltime_education": bool(data.fulltime_education),
        "self_care_failed": [a for a in SELF_CARE_ACTIVITIES if a in failed],
        "labour_capacity": parse_choice(
            data.labour_capacity, LabourCapacity, f"{prefix}labour_capacity", "劳动能力"
        ),
        "phone": phone,
        "bank_account": bank,
    }


def clean_membership(data: MembershipInput, *, prefix: str = "") -> dict:
    relation = parse_choice(data.relation, Relation, f"{prefix}relation", "与户主关系")
    reason = parse_choice(
        data.not_counted_reason, NotCountedReason, f"{prefix}not_counted_reason", "不计入原因", blank=True
    )
    co_resident = bool(data.co_resident)
    if not co_resident and not reason:
        reason = NotCountedReason.NOT_CORESIDENT
    if reason == NotCountedReason.NOT_CORESIDENT and co_resident:
        raise ValidationFailed(
            "共同生活的成员不能以“未共同生活”为由不计入。", field=f"{prefix}not_counted_reason"
        )
    return {
        "relation": relation,
        "co_resident": co_resident,
        "not_counted_reason": reason,
        "counted": not reason,
        "joined_on": data.joined_on or timezone.localdate(),
    }
