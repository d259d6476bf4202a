"""The suggestion rules of the household assistance plan (帮扶计划), one statutory test per function.

Seed 二(五): after identification each family gets 开发式帮扶 where its members can work and
政策性救助 where they cannot. A rule reads one household's facts — the entitlement in force (never
the latest assessment), the member facts of the register, the 住建 house grade — and the
parameters in force, and returns the measures it suggests, each with the rule's name, its clause
and a reason code. Nothing here is applied: the township accepts, edits or declines each
suggestion (assistance/services.py).

A rule is registered by `@suggestion_rule`; the first line of its docstring is `<Chinese term> —
<clause>` (a rule without it raises `RuleWithoutClause` when defined, as the policy rules do).
Every number is a parameter (`assistance.*` in policy/parameters/141029.yaml). Pure Python: no
Django. Readings of ambiguous text are marked [assumed] (docs/assistance.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from safetynet.policy.rulebase import RuleWithoutClause

CENT = Decimal("0.01")
RECIPIENTS = ("tekun", "dibao")
# 建村〔2021〕35号: the categories among the six key groups (the monitored mark and 脱贫户 are the
# other two; see `six_key_group`).
KEY_GROUP_CATEGORIES = ("dibao", "tekun", "dibao_edge", "rigid_hardship")
UNSAFE_GRADES = ("C", "D")


@dataclass(frozen=True)
class MemberFacts:
    person_id: int
    age: int
    labour_capacity: str = "full"  # full / partial / none
    fulltime_education: bool = False
    disability_grade: int | None = None
    major_illness: bool = False
    work_income_12m: Decimal = Decimal(0)  # wage + business income of the 12 months, yuan
    category: str = ""  # the member's own category in the entitlement row ("" = not in the row)

    @classmethod
    def of(cls, membership, on: dt.date, category: str = "") -> MemberFacts:
        """A current member's facts on `on` from the register (`membership.person` loaded)."""
        p = membership.person
        birth = p.birth_date
        return cls(
            person_id=membership.person_id,
            age=on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day)),
            labour_capacity=p.labour_capacity,
            fulltime_education=p.fulltime_education,
            disability_grade=p.disability_grade,
            major_illness=p.major_illness,
            work_income_12m=p.income_wage_12m + p.income_business_12m,
            category=category,
        )


@dataclass(frozen=True)
class HouseholdFacts:
    household_id: int
    category: str = "none"  # the entitlement in force ("none" without one)
    monitoring_marked: bool = False
    hukou: str = "rural"
    alleviated: bool = False
    house_grade: str = ""  # the 住建 safety grade A–D of the home ("" unknown)
    head_id: int | None = None
    members: tuple[MemberFacts, ...] = field(default=())

    def as_dict(self) -> dict:
        """The facts as stored with a suggestion (JSON: the income as an exact string)."""
        return {
            "category": self.category,
            "monitoring_marked": self.monitoring_marked,
            "hukou": self.hukou,
            "alleviated": self.alleviated,
            "house_grade": self.house_grade,
            "members": [
                {
                    "person_id": m.person_id,
                    "age": m.age,
                    "labour_capacity": m.labour_capacity,
                    "fulltime_education": m.fulltime_education,
                    "disability_grade": m.disability_grade,
                    "major_illness": m.major_illness,
                    "work_income_12m": str(m.work_income_12m),
                    "category": m.category,
                }
                for m in self.members
            ],
        }


@dataclass(frozen=True)
class Suggestion:
    kind: str
    department: str
    rule: str
    clause: str
    reason: str
    person_id: int | None = None
    amount: Decimal | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "department": self.department,
            "rule": self.rule,
            "clause": self.clause,
            "reason": self.reason,
            "person_id": self.person_id,
            "amount": None if self.amount is None else str(self.amount),
        }


Rule = Callable[[HouseholdFacts, Mapping], list[Suggestion]]
RULES: dict[str, Rule] = {}


def suggestion_rule(fn):
    """Register a rule; its term and clause come from the first docstring line."""
    lines = (fn.__doc__ or "").strip().splitlines()
    term, _, clause = (lines[0] if lines else "").partition(" — ")
    if not term.strip() or not clause.strip():
        raise RuleWithoutClause(f"规则 {fn.__name__} 没有写明依据条款：文档字符串首行应为“<术语> — <条款>”")
    fn.term, fn.clause = term.strip(), clause.strip()
    RULES[fn.__name__] = fn
    return fn


def _make(fn, kind: str, department: str, reason: str, person_id=None, amount=None) -> Suggestion:
    return Suggestion(kind, department, fn.__name__, fn.clause, reason, person_id, amount)


def _in_row(h: HouseholdFacts) -> Iterable[MemberFacts]:
    """The members the entitlement row names (its counted and individually recognised members)."""
    return (m for m in h.members if m.category)


def six_key_group(h: HouseholdFacts) -> str:
    """The household's group among the 住建 six key groups, "" if none (rural households only)."""
    if h.hukou != "rural":
        return ""
    if h.category in KEY_GROUP_CATEGORIES:
        return h.category
    if h.monitoring_marked:
        return "monitored"
    if h.alleviated:
        return "alleviated"
    return ""


# ---------------------------------------------------------------- 政策性救助


@suggestion_rule
def premium_subsidy(h: HouseholdFacts, p: Mapping) -> list[Suggestion]:
    """参保资助 — 国办发〔2021〕42号《关于健全重特大疾病医疗保险和救助制度的意见》（二）

    特困人员全额资助，低保对象定额资助，纳入监测范围的农村易返贫致贫人口按规定资助：each member
    of the row gets the subsidy at their own category's share (a member's own category wins over
    the household's: a 特困 member of a 低保 household gets the 特困 share); in a monitored household
    without a recipient category, every member at the monitored share. Amount = the yearly
    individual premium × the share, rounded to the fen. [assumed] the county's 定额 for 低保 is
    expressed as a share of the premium (parameter).
    """
    premium = p["assistance.resident_premium_yearly"]
    out = []
    if h.category in RECIPIENTS:
        for m in _in_row(h):
            cat = m.category if m.category in RECIPIENTS else h.category
            share = p[f"assistance.premium_subsidy_share.{cat}"]
            amount = (premium * share).quantize(CENT, ROUND_HALF_UP)
            out.append(
                _make(premium_subsidy, "premium_subsidy", "medical", f"{cat}_share", m.person_id, amount)
            )
    elif h.monitoring_marked:
        share = p["assistance.premium_subsidy_share.monitored"]
        amount = (premium * share).quantize(CENT, ROUND_HALF_UP)
        for m in h.members:
            out.append(
                _make(premium_subsidy, "premium_subsidy", "medical", "monitored_share", m.person_id, amount)
            )
    return out


@suggestion_rule
def education_aid(h: HouseholdFacts, p: Mapping) -> list[Suggestion]:
    """教育资助 — 《社会救助暂行办法》（国务院令第649号）第三十三条

    国家对在义务教育阶段就学的最低生活保障家庭成员、特困供养人员给予教育救助；高中（含中职）、
    普通高等教育阶段的，根据实际情况给予适当教育救助：every member in full-time study in a
    低保 or 特困 household. [assumed] the school stage is the education department's to judge, so
    every student is suggested and the department grades the aid.
    """
    if h.category not in RECIPIENTS:
        return []
    return [
        _make(education_aid, "education_aid", "education", "student_in_recipient_household", m.person_id)
        for m in h.members
        if m.fulltime_education
    ]


@suggestion_rule
def medical_aid(h: HouseholdFacts, p: Mapping) -> list[Suggestion]:
    """医疗救助 — 国办发〔2021〕42号《关于健全重特大疾病医疗保险和救助制度的意见》（三）

    医疗救助对象（特困人员、低保对象、低保边缘家庭成员和纳入监测范围的农村易返贫致贫人口）患重大
    疾病的，经基本医保、大病保险报销后的政策范围内个人自付费用按规定给予救助；门诊慢特病纳入救助
    范围：every member with a major illness in a recipient, 低保边缘 or monitored household.
    """
    if h.category not in (*RECIPIENTS, "dibao_edge") and not h.monitoring_marked:
        return []
    return [
        _make(medical_aid, "medical_aid", "medical", "major_illness", m.person_id)
        for m in h.members
        if m.major_illness
    ]


@suggestion_rule
def housing_repair(h: HouseholdFacts, p: Mapping) -> list[Suggestion]:
    """危房改造 — 建村〔2021〕35号《关于做好农村低收入群体等重点对象住房安全保障工作的实施意见》一（二）

    农村低收入群体等六类重点对象住房经鉴定为C级、D级危房的，纳入农村危房改造支持范围：a rural
    household in one of the six key groups whose home the 住建 data grades C or D, suggested once
    for the household (to its head).
    """
    group = six_key_group(h)
    if not group or h.house_grade not in UNSAFE_GRADES:
        return []
    return [_make(housing_repair, "housing_repair", "housing", f"grade_{h.house_grade}_{group}", h.head_id)]


@suggestion_rule
def severe_disability_care_subsidy(h: HouseholdFacts, p: Mapping) -> list[Suggestion]:
    """重度残疾人护理补贴 — 国发〔2015〕52号《关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》二

    补贴对象为残疾等级被评定为一级、二级且需要长期照护的重度残疾人：every member whose grade is
    1 up to `assistance.severe_disability_grade_max` (inclusive), in any household of the register
    that the plan covers.
    """
    worst = p["assistance.severe_disability_grade_max"]
    return [
        _make(severe_disability_care_subsidy, "other", "disability", "severe_disability", m.person_id)
        for m in h.members
        if m.disability_grade is not None and 1 <= m.disability_grade <= worst
    ]


@suggestion_rule
def hardship_disability_living_subsidy(h: HouseholdFacts, p: Mapping) -> list[Suggestion]:
    """困难残疾人生活补贴 — 国发〔2015〕52号《关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》二

    补贴对象为最低生活保障家庭中的残疾人：every member holding a disability certificate (any
    grade) in a 低保 household. [assumed] 特困人员 are left out: their support already covers it.
    """
    if h.category != "dibao":
        return []
    return [
        _make(
            hardship_disability_living_subsidy,
            "other",
            "disability",
            "disabled_in_dibao_household",
            m.person_id,
        )
        for m in h.members
        if m.disability_grade is not None
    ]


# ---------------------------------------------------------------- 开发式帮扶


@suggestion_rule
def employment(h: HouseholdFacts, p: Mapping) -> list[Suggestion]:
    """就业帮扶 — 《社会救助暂行办法》（国务院令第649号）第四十二条、第四十三条

    对最低生活保障家庭中有劳动能力并处于失业状态的成员给予就业救助；防返贫监测对象有劳动能力的，
    落实开发式帮扶（乡宁县衔接并轨工作方案 二(五)）: a member of working age (from
    `assistance.work_age_from`, under `assistance.work_age_until`), fully or partly able to work,
    not in full-time study, with no wage or business income in the 12 months, in a 低保, 低保边缘
    or monitored household. [assumed] "unemployed" is read as no work income in the 12 months
    until the 人社 registration of unemployment is joined in.
    """
    if h.category not in ("dibao", "dibao_edge") and not h.monitoring_marked:
        return []
    lo, hi = p["assistance.work_age_from"], p["assistance.work_age_until"]
    return [
        _make(employment, "employment", "hrss", "able_and_without_work_income", m.person_id)
        for m in h.members
        if lo <= m.age < hi
        and m.labour_capacity in ("full", "partial")
        and not m.fulltime_education
        and m.work_income_12m <= 0
    ]


def in_plan(h: HouseholdFacts) -> bool:
    """Whether the household has a plan at all: 对每一个救助对象和监测对象 (the issue's "every recipient
    and every monitored household") — a household with an entitlement row in force of any
    category, a monitored one, or a 脱贫户 (inside the monitoring's reach)."""
    return h.category != "none" or h.monitoring_marked or h.alleviated


def suggest(h: HouseholdFacts, p: Mapping) -> list[Suggestion]:
    """Every rule's suggestions for one household in the plan, in rule order."""
    if not in_plan(h):
        return []
    out: list[Suggestion] = []
    for fn in RULES.values():
        out.extend(fn(h, p))
    return out
