"""The household as the rules see it, and the parser that turns the JSON contract into it.

`parse_household(data)` validates everything the rules rely on and raises `ValidationFailed`
naming the field by its dotted, indexed path (`members[1].birth_date`). Money is `Decimal` here;
the rules work on integer fen (see `table.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from safetynet.core.errors import ValidationFailed

HUKOU = ("rural", "urban")
RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "sibling", "other")
NOT_COUNTED_REASONS = ("prison", "rehab", "missing", "clergy", "conscript")
DISABILITY_KINDS = ("physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple")
INCOME_TYPES = ("wage", "business", "property", "transfer", "excluded")
RIGID_TYPES = ("medical", "education", "rehabilitation", "living")
RISK_EVENTS = ("illness", "disaster", "accident", "unemployment", "education")
CATEGORIES = ("none", "tekun", "dibao", "dibao_edge", "rigid_hardship")

# Bounds keep every product of the rules inside int64 fen, so the batch path equals the scalar path.
MAX_AMOUNT = Decimal("1000000000")  # 10亿元 per field
MAX_COUNT = 1000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Disability:
    kind: str
    grade: int


@dataclass(frozen=True)
class Member:
    id: str
    birth_date: date
    relation: str
    co_resident: bool
    not_counted_reason: str | None
    in_fulltime_education: bool
    disability: Disability | None
    major_illness: bool
    self_care_failed: int
    income_12m: Mapping[str, Decimal]


@dataclass(frozen=True)
class Vehicle:
    value: Decimal
    exempt: bool


@dataclass(frozen=True)
class Assets:
    financial: Decimal
    vehicles: tuple[Vehicle, ...]
    homes: int
    home_bought_within_year: bool
    company_roles: int


@dataclass(frozen=True)
class IncomeOverride:
    """An officer's reasoned figure for the family's total monthly income (may include imputed income)."""

    monthly: Decimal
    reason: str


@dataclass(frozen=True)
class Household:
    region: str
    hukou: str
    alleviated: bool
    members: tuple[Member, ...]
    assets: Assets
    rigid_expenditure_12m: Mapping[str, Decimal]
    relief_received_12m: Decimal
    supporters: tuple[bool, ...]  # the `able` flag of each legal supporter
    risk_events: tuple[str, ...]
    current_category: str | None = None
    # The investigating officer's judgement of return-to-poverty risk (POLICY.md §8): True at
    # risk, False not at risk, None no judgement recorded.
    risk_judgement: bool | None = None
    risk_judgement_reason: str = ""  # the officer's reason, quoted by the monitoring trace
    income_override: IncomeOverride | None = None
    id: str | None = None
    raw: Mapping = field(default_factory=dict, compare=False, repr=False)


class _Reader:
    """Reads one value at a path and raises ValidationFailed naming that path."""

    def fail(self, path: str, message: str, code: str = "invalid") -> None:
        raise ValidationFailed(message, code=code, field=path)

    def get(self, obj: Mapping, key: str, path: str, *, required: bool = True, default=None):
        if type(obj) is not dict and not isinstance(obj, Mapping):  # a dict without the ABC check
            self.fail(path.rsplit(".", 1)[0] if "." in path else path, "应为对象")
        if key not in obj:
            if required:
                self.fail(path, f"缺少必填字段 {key}", "required")
            return default
        return obj[key]

    def boolean(self, obj, key, path, *, required=True, default=False) -> bool:
        value = self.get(obj, key, path, required=required, default=default)
        if not isinstance(value, bool):
            self.fail(path, "应为 true 或 false")
        return value

    def integer(self, obj, key, path, lo: int, hi: int, *, required=True, default=0) -> int:
        value = self.get(obj, key, path, required=required, default=default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "应为整数")
        if not lo <= value <= hi:
            self.fail(path, f"应在 {lo} 到 {hi} 之间", "out_of_range")
        return value

    def amount(self, obj, key, path, *, required=True) -> Decimal:
        value = self.get(obj, key, path, required=required, default=Decimal(0))
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            self.fail(path, "应为金额（数字）")
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.fail(path, "应为金额（数字）")
        if not amount.is_finite():
            self.fail(path, "应为金额（数字）")
        if amount < 0:
            self.fail(path, "金额不能为负数", "negative")
        if amount > MAX_AMOUNT:
            self.fail(path, "金额超出合理范围", "out_of_range")
        if amount != amount.quantize(_CENT):
            self.fail(path, "金额最多保留两位小数（分）")
        return amount.quantize(_CENT)

    def choice(self, obj, key, path, options, *, required=True, nullable=False):
        value = self.get(obj, key, path, required=required, default=None)
        if value is None and (nullable or not required):
            return None
        if value not in options:
            self.fail(path, f"取值无效，应为 {'、'.join(options)} 之一", "invalid_choice")
        return value

    def day(self, obj, key, path) -> date:
        value = self.get(obj, key, path)
        if not isinstance(value, str) or not _DATE.match(value):
            self.fail(path, "日期格式应为 YYYY-MM-DD", "invalid_date")
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(path, f"日期 {value} 不存在", "invalid_date")
        raise AssertionError  # unreachable

    def items(self, obj, key, path, *, required=True) -> list:
        value = self.get(obj, key, path, required=required, default=[])
        if not isinstance(value, list):
            self.fail(path, "应为列表")
        if len(value) > MAX_COUNT:
            self.fail(path, "条目过多", "out_of_range")
        return value

    def mapping(self, obj, key, path) -> Mapping:
        value = self.get(obj, key, path)
        if not isinstance(value, Mapping):
            self.fail(path, "应为对象")
        return value


ADULT_AGE = 18  # 民法典 第十七条: statutory, not a local parameter
SEPARATE_APPLICATION = "separate_application"


def _single_person_application(r, data: Mapping, members: list, on: date) -> list:
    """单人户: an unemployed adult with severe disability may apply as a one-person household
    (民发〔2021〕57号 第九条 [national; POLICY.md §1]). Input `single_person_application`: the member's id.

    Reading [assumed]: severe = disability grade 1–2; unemployed = no wage or business income in the
    twelve months. The other members are then not counted (reason `separate_application`); the
    household's declared assets stay as they are, since the contract has no assets per member.
    """
    chosen = r.get(data, "single_person_application", "single_person_application", required=False)
    if chosen is None:
        return members
    field = "single_person_application"
    person = next((m for m in members if m.id == chosen), None)
    if person is None:
        r.fail(field, "应为本户一名成员的编号", "invalid_choice")
    age = (
        on.year
        - person.birth_date.year
        - ((on.month, on.day) < (person.birth_date.month, person.birth_date.day))
    )
    if age < ADULT_AGE:
        r.fail(field, "单人户申请人应为成年人", "not_eligible")
    if person.disability is None or person.disability.grade > 2:
        r.fail(field, "单人户申请人应为一级或二级重度残疾人", "not_eligible")
    if person.income_12m["wage"] > 0 or person.income_12m["business"] > 0:
        r.fail(field, "单人户申请人应无工资性或经营性收入（未就业）", "not_eligible")
    return [
        m if m.id == chosen or m.not_counted_reason else replace(m, not_counted_reason=SEPARATE_APPLICATION)
        for m in members
    ]


def parse_household(data: Mapping, *, on: date | None = None) -> Household:
    """Validate the JSON contract (see docs/policy-engine.md) and build a `Household`.

    `on` is the assessment day: a birth date after it is refused (default: today).
    """
    r = _Reader()
    on = on or date.today()
    if not isinstance(data, Mapping):
        r.fail("", "请求体应为 JSON 对象")
    region = r.get(data, "region", "region")
    if not isinstance(region, str) or not region.isdigit() or len(region) not in (6, 9, 12):
        r.fail("region", "行政区划代码应为 6、9 或 12 位数字", "invalid_region")
    hukou = r.choice(data, "hukou", "hukou", HUKOU)
    alleviated = r.boolean(data, "alleviated", "alleviated")

    raw_members = r.items(data, "members", "members")
    if not raw_members:
        r.fail("members", "家庭成员不能为空", "required")
    members = []
    seen: set[str] = set()
    for i, m in enumerate(raw_members):
        p = f"members[{i}]"
        if not isinstance(m, Mapping):
            r.fail(p, "应为对象")
        member_id = r.get(m, "id", f"{p}.id")
        if not isinstance(member_id, str) or not member_id:
            r.fail(f"{p}.id", "成员编号应为非空字符串")
        if member_id in seen:
            r.fail(f"{p}.id", "成员编号重复", "duplicate")
        seen.add(member_id)
        birth = r.day(m, "birth_date", f"{p}.birth_date")
        if birth > on:
            r.fail(f"{p}.birth_date", "出生日期不能晚于认定日期", "future_date")
        disability = None
        raw_dis = r.get(m, "disability", f"{p}.disability")
        if raw_dis is not None:
            if not isinstance(raw_dis, Mapping):
                r.fail(f"{p}.disability", "应为对象或 null")
            disability = Disability(
                kind=r.choice(raw_dis, "kind", f"{p}.disability.kind", DISABILITY_KINDS),
                grade=r.integer(raw_dis, "grade", f"{p}.disability.grade", 1, 4),
            )
        income_raw = r.mapping(m, "income_12m", f"{p}.income_12m")
        income = {t: r.amount(income_raw, t, f"{p}.income_12m.{t}") for t in INCOME_TYPES}
        members.append(
            Member(
                id=member_id,
                birth_date=birth,
                relation=r.choice(m, "relation", f"{p}.relation", RELATIONS),
                co_resident=r.boolean(m, "co_resident", f"{p}.co_resident"),
                not_counted_reason=r.choice(
                    m, "not_counted_reason", f"{p}.not_counted_reason", NOT_COUNTED_REASONS, nullable=True
                ),
                in_fulltime_education=r.boolean(m, "in_fulltime_education", f"{p}.in_fulltime_education"),
                disability=disability,
                major_illness=r.boolean(m, "major_illness", f"{p}.major_illness"),
                self_care_failed=r.integer(m, "self_care_failed", f"{p}.self_care_failed", 0, 6),
                income_12m=income,
            )
        )

    members = _single_person_application(r, data, members, on)

    a = r.mapping(data, "assets", "assets")
    vehicles = []
    for i, v in enumerate(r.items(a, "vehicles", "assets.vehicles")):
        p = f"assets.vehicles[{i}]"
        if not isinstance(v, Mapping):
            r.fail(p, "应为对象")
        vehicles.append(Vehicle(r.amount(v, "value", f"{p}.value"), r.boolean(v, "exempt", f"{p}.exempt")))
    assets = Assets(
        financial=r.amount(a, "financial", "assets.financial"),
        vehicles=tuple(vehicles),
        homes=r.integer(a, "homes", "assets.homes", 0, MAX_COUNT),
        home_bought_within_year=r.boolean(a, "home_bought_within_year", "assets.home_bought_within_year"),
        company_roles=r.integer(a, "company_roles", "assets.company_roles", 0, MAX_COUNT),
    )

    rigid_raw = r.mapping(data, "rigid_expenditure_12m", "rigid_expenditure_12m")
    rigid = {t: r.amount(rigid_raw, t, f"rigid_expenditure_12m.{t}") for t in RIGID_TYPES}
    # Optional: relief and donations received against those costs (刚性支出 is net of them).
    relief = r.amount(rigid_raw, "relief_received", "rigid_expenditure_12m.relief_received", required=False)

    supporters = []
    for i, s in enumerate(r.items(data, "supporters", "supporters")):
        supporters.append(r.boolean(s, "able", f"supporters[{i}].able"))

    events = r.items(data, "risk_events", "risk_events")
    for i, e in enumerate(events):
        if e not in RISK_EVENTS:
            r.fail(f"risk_events[{i}]", f"取值无效，应为 {'、'.join(RISK_EVENTS)} 之一", "invalid_choice")

    current = r.choice(data, "current_category", "current_category", CATEGORIES, required=False)

    # Optional: the risk judgement recorded at investigation; absent or null = none recorded.
    judgement = r.get(data, "risk_judgement", "risk_judgement", required=False)
    if judgement is not None and not isinstance(judgement, bool):
        r.fail("risk_judgement", "应为 true（有风险）、false（无风险）或 null（未研判）")
    judgement_reason = r.get(data, "risk_judgement_reason", "risk_judgement_reason", required=False)
    if judgement_reason is not None and not isinstance(judgement_reason, str):
        r.fail("risk_judgement_reason", "应为文字（风险研判理由）")

    override = None
    raw_override = r.get(data, "income_override", "income_override", required=False)
    if raw_override is not None:
        if not isinstance(raw_override, Mapping):
            r.fail("income_override", "应为对象或 null")
        monthly = r.amount(raw_override, "monthly", "income_override.monthly")
        reason = r.get(raw_override, "reason", "income_override.reason")
        if not isinstance(reason, str) or not reason.strip():
            r.fail("income_override.reason", "认定收入须写明理由", "required")
        override = IncomeOverride(monthly, reason.strip())

    household_id = data.get("id")
    return Household(
        region=region,
        hukou=hukou,
        alleviated=alleviated,
        members=tuple(members),
        assets=assets,
        rigid_expenditure_12m=rigid,
        relief_received_12m=relief,
        supporters=tuple(supporters),
        risk_events=tuple(sorted(set(events))),
        current_category=current,
        risk_judgement=judgement,
        risk_judgement_reason=(judgement_reason or "").strip() if judgement is not None else "",
        income_override=override,
        id=str(household_id) if household_id is not None else None,
        raw=data,
    )
