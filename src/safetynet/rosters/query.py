"""What a roster asks, parsed once for the web page, the API and the export: the date the roster
is drawn on and its filters, each value checked with a field-named error (Chinese), so the three
shells refuse the same input the same way. An area outside the viewer's reach is "not found",
like one that does not exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from safetynet.core import clock
from safetynet.core.errors import NotFound, ValidationFailed
from safetynet.core.glossary import CATEGORY_LABELS, MONITORING_TYPES
from safetynet.registry import selectors as registry
from safetynet.registry.models import Area

# The categories a roster row can carry (a row is never "none": no row means nothing in force).
CATEGORIES = {k: v for k, v in CATEGORY_LABELS.items() if k != "none"}
# A member's own category on a row: the household's categories and the individually recognised.
MEMBER_CATEGORIES = CATEGORIES
ORDERS = {
    "household": "户编号",
    "village": "村（社区）",
    "category": "认定类别",
    "amount": "月金额",
    "valid_from": "起始日期",
    "review_due": "复核期限",
}


@dataclass(frozen=True)
class RosterQuery:
    day: dt.date
    township: Area | None = None
    village: Area | None = None
    category: str = ""
    marked: bool | None = None
    monitoring_type: str = ""
    member_category: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    review_due_by: dt.date | None = None
    order: str = "household"
    descending: bool = False

    @property
    def area_code(self) -> str:
        area = self.village or self.township
        return area.code if area else ""

    def echo(self) -> dict:
        """The query as plain values (the audit record of an export, the API's answer)."""
        return {
            "on": self.day.isoformat(),
            "township": self.township.code if self.township else "",
            "village": self.village.code if self.village else "",
            "category": self.category,
            "marked": self.marked,
            "monitoring_type": self.monitoring_type,
            "member_category": self.member_category,
            "amount_min": str(self.amount_min) if self.amount_min is not None else "",
            "amount_max": str(self.amount_max) if self.amount_max is not None else "",
            "review_due_by": self.review_due_by.isoformat() if self.review_due_by else "",
            "order": ("-" if self.descending else "") + self.order,
        }

    def monitored(self) -> RosterQuery:
        return replace(self, marked=True)


def _date(value: str, field: str, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{label}格式应为 YYYY-MM-DD。", field=field) from None


def _amount(value: str, field: str, label: str) -> Decimal | None:
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValidationFailed(f"{label}应为金额（元），如 560 或 560.50。", field=field) from None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
        raise ValidationFailed(f"{label}应为不小于0、最多两位小数的金额（元）。", field=field)
    return amount


def _choice(value: str, choices: Mapping[str, str], field: str, label: str) -> str:
    if value and value not in choices:
        raise ValidationFailed(
            f"{label}“{value}”不存在，可选：{'、'.join(choices.values())}。",
            code="invalid_choice",
            field=field,
        )
    return value


def _area(user, code: str, level: str, field: str, known: dict | None) -> Area | None:
    if not code:
        return None
    if known is not None:
        choice = known.get((level, code))
        area = choice.instance() if choice is not None else None
    else:
        area = registry.areas_visible_to(user).filter(code=code, level=level).select_related("parent").first()
    if area is None:
        raise NotFound("未找到该地区，或不在您的管辖范围内。", field=field)
    return area


def parse(
    user, params: Mapping[str, str], *, areas: Sequence[registry.AreaChoice] | None = None
) -> RosterQuery:
    """`params`: on, township, village, category, marked (1/0), monitoring_type, member_category,
    amount_min, amount_max, review_due_by, order (a key of ORDERS, "-" first for descending).
    `areas`: the areas in the user's reach when the caller has them already
    (`registry.area_choices_visible_to`); else the township and village are looked up."""
    known = None if areas is None else {(a.level, a.code): a for a in areas}

    def get(name: str) -> str:
        value = params.get(name)
        return "" if value is None else str(value).strip()

    today = clock.today()
    day = _date(get("on"), "on", "查询日期") or today
    if day > today:
        raise ValidationFailed(
            "查询日期不能晚于今天：花名册只反映已生效的认定。", code="future_date", field="on"
        )
    township = _area(user, get("township"), Area.Level.TOWNSHIP, "township", known)
    village = _area(user, get("village"), Area.Level.VILLAGE, "village", known)
    if township and village and village.parent_id != township.pk:
        raise ValidationFailed(f"{village.name}不属于{township.name}。", field="village")
    marked_text = get("marked")
    if marked_text not in ("", "1", "0", "true", "false"):
        raise ValidationFailed("是否防返贫监测对象应为 1（是）或 0（否）。", field="marked")
    amount_min = _amount(get("amount_min"), "amount_min", "最低月金额")
    amount_max = _amount(get("amount_max"), "amount_max", "最高月金额")
    if amount_min is not None and amount_max is not None and amount_min > amount_max:
        raise ValidationFailed("最低月金额不能大于最高月金额。", field="amount_max")
    order = get("order") or "household"
    descending = order.startswith("-")
    _choice(order.lstrip("-"), ORDERS, "order", "排序")
    return RosterQuery(
        day=day,
        township=township,
        village=village,
        category=_choice(get("category"), CATEGORIES, "category", "认定类别"),
        marked=None if not marked_text else marked_text in ("1", "true"),
        monitoring_type=_choice(get("monitoring_type"), MONITORING_TYPES, "monitoring_type", "监测类型"),
        member_category=_choice(get("member_category"), MEMBER_CATEGORIES, "member_category", "成员类别"),
        amount_min=amount_min,
        amount_max=amount_max,
        review_due_by=_date(get("review_due_by"), "review_due_by", "复核期限"),
        order=order.lstrip("-"),
        descending=descending,
    )
