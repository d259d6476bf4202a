"""The identification and assistance rules, one statutory test per function.

Every rule is written once, over numpy arrays: a household-level rule takes arrays of length H, a
member-level rule arrays of length M. The scalar path (`assess`) runs them on a table of one
household and records a trace; the batch path (`assess_batch`) runs the very same functions on a
whole register. Money is integer fen; every threshold is compared by cross-multiplication
(`income < standard × n × window` rather than `income ÷ window ÷ n < standard`), so no division
and no rounding happens before a comparison. A rule returns an `Outcome` (its value, a reason
code per row, intermediate figures for the trace); how a rule is written and registered is in
`rulebase.py`.

The first docstring line of each rule is `<Chinese term> — <clause>`; it becomes the trace's
`rule` label and `clause`. Readings of ambiguous text are marked [assumed] (see
docs/policy-engine.md).
"""

from __future__ import annotations

import numpy as np

# Re-exported: the engine and the tests use them as `rules.X`.
from safetynet.policy.rulebase import (  # noqa: F401
    RULES,
    Outcome,
    Reasons,
    RuleWithoutClause,
    ceil_div,
    either,
    first_match,
    pick,
    ratio,
    rule,
)
from safetynet.policy.table import KIND, REL

# ---------------------------------------------------------------- §1 family unit


@rule("member")
def counted_member(relation, co_resident, not_counted, in_fulltime_education, age, adult_age):
    """共同生活的家庭成员 — 民发〔2021〕57号《最低生活保障审核确认办法》第七条、第八条

    Counted: the spouse (and the head), minor children and adult children in full-time study at
    bachelor level or below — whether or not they live at home (a student away at school still
    counts) — and any other relative with a legal duty of support who lives with the family.
    Not counted whatever the relation: clergy living apart 3+ years, prisoners, people in
    compulsory drug rehabilitation, people declared missing, conscripts in active service
    (`not_counted_reason`). [assumed] every co-resident relative of the listed kinds is read as
    having the legal duty of support; "other" relations are counted only if co-resident.
    """
    core = (
        (relation == REL["head"])
        | (relation == REL["spouse"])
        | ((relation == REL["child"]) & ((age < adult_age) | in_fulltime_education))
    )
    counted = ~not_counted & (core | co_resident)
    reason = pick(
        (not_counted, "not_counted_status"),
        (core, "core_family"),
        (co_resident, "co_resident_with_duty_of_support"),
        default="not_co_resident",
    )
    return Outcome(counted, reason)


# ---------------------------------------------------------------- §2 income


@rule("household")
def family_income(counted_income_fen, excluded_income_fen, has_override, override_monthly_fen, window_months):
    """家庭收入 — 民发〔2021〕57号《最低生活保障审核确认办法》第九条、第十条

    Income of the counted members over the window (wages, business, property and transfer income,
    each already net of its costs); `excluded` income (veteran benefits, assistance money, the
    basic resident pension…) is not counted. No imputed income unless an officer records a
    reasoned override, which then replaces the family's monthly total.
    """
    total = np.where(has_override, override_monthly_fen * window_months, counted_income_fen)
    reason = either(has_override, "officer_override_with_reason", "declared_income")
    return Outcome(total, reason, {"excluded_not_counted_fen": excluded_income_fen})


# ---------------------------------------------------------------- §3 assets


@rule("household")
def assets_within_limits(
    financial_fen,
    nonexempt_vehicles,
    homes,
    home_bought_within_year,
    company_roles,
    standard_fen,
    family_size,
    financial_months,
    homes_max,
):
    """家庭财产状况 — 民发〔2021〕57号《最低生活保障审核确认办法》第十一条、第十二条

    The asset rule table: financial assets at most standard × members × months (inclusive: "not
    exceeding"); no vehicle other than an exempt one (the only working vehicle, a disability
    mobility vehicle); at most `homes_max` homes; no member a legal representative or
    controlling holder of a company; no home bought within a year before applying.
    """
    limit = standard_fen * family_size * financial_months
    financial_ok = financial_fen <= limit
    vehicles_ok = nonexempt_vehicles == 0
    homes_ok = homes <= homes_max
    company_ok = company_roles == 0
    purchase_ok = ~home_bought_within_year
    ok = financial_ok & vehicles_ok & homes_ok & company_ok & purchase_ok
    reason = pick(
        (~financial_ok, "financial_assets_over_limit"),
        (~vehicles_ok, "non_exempt_vehicle"),
        (~homes_ok, "too_many_homes"),
        (~company_ok, "company_role"),
        (~purchase_ok, "home_bought_within_year"),
        default="within_limits",
    )
    return Outcome(ok, reason, {"financial_limit_fen": limit})


# ---------------------------------------------------------------- §4 低保


@rule("household")
def income_below_dibao_standard(family_income_fen, family_size, standard_fen, window_months):
    """家庭人均收入低于低保标准 — 民发〔2021〕57号《最低生活保障审核确认办法》第六条

    Strictly below: per-capita monthly income equal to the standard does not qualify.
    """
    below = family_income_fen < standard_fen * family_size * window_months
    return Outcome(below, either(below, "below_standard", "not_below_standard"))


@rule("household")
def dibao_household(is_tekun, income_below_standard, assets_ok):
    """低保家庭 — 民发〔2021〕57号《最低生活保障审核确认办法》第六条

    Per-capita income below the 低保 standard and assets within the 低保 limits; a household
    already 特困 as a whole is not also 低保.
    """
    value = ~is_tekun & income_below_standard & assets_ok
    reason = pick(
        (is_tekun, "already_tekun"),
        (~income_below_standard, "income_not_below_standard"),
        (~assets_ok, "assets_over_limits"),
        default="eligible",
    )
    return Outcome(value, reason)


@rule("household")
def dibao_amount(is_dibao, family_income_fen, family_size, standard_fen, window_months):
    """低保金（补差） — 民发〔2021〕57号《最低生活保障审核确认办法》第十五条

    The gap between the standard and the income on family totals, `ceil(standard × n − monthly
    income)`, rounded up to the whole yuan.
    """
    gap_window_fen = standard_fen * family_size * window_months - family_income_fen
    amount = np.where(is_dibao, ceil_div(np.maximum(gap_window_fen, 0), window_months * 100), 0)
    return Outcome(amount, either(is_dibao, "gap_to_standard", "not_dibao"))


@rule("member")
def classified_increment(in_dibao_household, counted, age, disability_grade, major_illness, increments, ages):
    """分类施保 — 晋民规发〔2024〕1号（分类施保）；民发〔2021〕57号 第十五条

    An increment for the old, minors, the severely disabled (grade 1–2) and the seriously ill,
    each a parameter (default 0), rounded up to the yuan. [assumed] a member fitting several
    groups gets the highest increment, not the sum (就高不重复).
    """
    old_age, adult_age = ages
    eligible = in_dibao_household & counted
    severe = (disability_grade >= 1) & (disability_grade <= 2)
    names = ("none", "old", "minor", "severe_disability", "serious_illness")
    groups = (age >= old_age, age < adult_age, severe, major_illness)
    # Highest increment first (a stable sort: of equal increments the earlier group is named);
    # a member's first group in that order carries the highest increment. Zero increments pay
    # nothing and name no group.
    ranked = sorted(
        ((increments[names[g + 1]], g) for g in range(4) if increments[names[g + 1]] > 0),
        key=lambda pair: -pair[0],
    )
    conds = [eligible & groups[g] for _, g in ranked]
    best = np.zeros(np.shape(eligible), dtype=np.int64)
    code = np.zeros(np.shape(eligible), dtype=np.int8)
    if ranked:
        best = first_match(conds, [amount for amount, _ in ranked], dtype=np.int64)
        code = first_match(conds, [g + 1 for _, g in ranked])
    return Outcome(ceil_div(best, 100), Reasons(code, names))


@rule("household")
def gradual_exit(was_dibao, category_now_dibao_or_tekun, income_below_standard, assets_ok, exit_months):
    """低保渐退 — 晋民规发〔2024〕1号（渐退期）[local pattern]

    A current 低保 household that no longer qualifies because its income rose to or above the
    standard keeps payment for `exit_months`. [assumed] no 渐退 when assets exceed the limits
    (the exit then follows from means, not from income).
    """
    applies = was_dibao & ~category_now_dibao_or_tekun & ~income_below_standard & assets_ok
    reason = pick(
        (~was_dibao, "not_current_dibao"),
        (category_now_dibao_or_tekun, "still_assisted"),
        (~assets_ok, "assets_over_limits_no_gradual_exit"),
        default="income_rose_gradual_exit",
    )
    return Outcome(np.where(applies, exit_months, 0), reason)


# ---------------------------------------------------------------- §5 特困


@rule("member")
def no_work_capacity(age, disability_kind, disability_grade, continuing_tekun, in_fulltime_education, ages):
    """无劳动能力 — 民发〔2021〕43号《特困人员认定办法》第六条

    Aged 60 or over, or under 16; intellectual or mental disability grade 1–3; physical grade
    1–2; visual grade 1. [assumed] multiple disability grade 1–2 counts as severe. A minor who is
    already 特困 keeps the status to 18, and longer while in full-time study (第六条 末款).
    """
    old_age, child_below, adult_age = ages
    g = disability_grade
    cognitive = (
        ((disability_kind == KIND["intellectual"]) | (disability_kind == KIND["mental"]))
        & (g >= 1)
        & (g <= 3)
    )
    physical = (disability_kind == KIND["physical"]) & (g >= 1) & (g <= 2)
    visual = (disability_kind == KIND["visual"]) & (g == 1)
    multiple = (disability_kind == KIND["multiple"]) & (g >= 1) & (g <= 2)
    disabled = cognitive | physical | visual | multiple
    continuing = continuing_tekun & ((age < adult_age) | in_fulltime_education)
    value = (age >= old_age) | (age < child_below) | disabled | continuing
    reason = pick(
        (age >= old_age, "old_age"),
        (age < child_below, "child"),
        (disabled, "severe_disability"),
        (continuing, "continuing_minor_or_student"),
        default="has_work_capacity",
    )
    return Outcome(value, reason)


@rule("household")
def no_able_supporter(able_supporters):
    """无法定赡养、抚养、扶养义务人或其无履行能力 — 民发〔2021〕43号《特困人员认定办法》第九条、第十条

    [assumed] `supporters` lists every legal supporter, inside the household or not, each with
    `able` already judged by 第十条 (a supporter who is 特困, a 低保 recipient over 60, over 70
    or severely disabled with low income, without legal capacity, missing or in prison is unable).
    """
    value = able_supporters == 0
    return Outcome(value, either(value, "no_able_supporter", "has_able_supporter"))


@rule("household")
def tekun_household(all_counted_no_work_capacity, income_below_standard, assets_ok, no_able_supporter):
    """特困人员（全户） — 民发〔2021〕43号《特困人员认定办法》第五条

    The whole household is 特困 when every counted member meets all three conditions: no work
    capacity, no means of living (family income below the 低保 standard, assets within the 低保
    limits), and no able legal supporter.
    """
    value = all_counted_no_work_capacity & income_below_standard & assets_ok & no_able_supporter
    reason = pick(
        (~all_counted_no_work_capacity, "member_with_work_capacity"),
        (~income_below_standard, "income_not_below_standard"),
        (~assets_ok, "assets_over_limits"),
        (~no_able_supporter, "has_able_supporter"),
        default="eligible",
    )
    return Outcome(value, reason)


@rule("member")
def tekun_member(
    in_edge_or_rigid,
    counted,
    no_work_capacity,
    own_income_fen,
    standard_fen,
    window_months,
    assets_ok,
    no_able_supporter,
):
    """特困人员（单人认定） — 民发〔2021〕43号《特困人员认定办法》第五条；乡宁县衔接并轨工作方案 二(四)

    Inside a 边缘 or 刚性 household, a member who meets the three 特困 conditions individually.
    [assumed] "no means of living" is read on the member's own income (below the 低保 standard)
    and the household's assets (within the 低保 limits); "no able supporter" on the household's
    supporter list.
    """
    own_below = own_income_fen < standard_fen * window_months
    value = in_edge_or_rigid & counted & no_work_capacity & own_below & assets_ok & no_able_supporter
    reason = pick(
        (~in_edge_or_rigid, "not_in_edge_or_rigid_household"),
        (~counted, "not_counted"),
        (~no_work_capacity, "has_work_capacity"),
        (~own_below, "own_income_not_below_standard"),
        (~assets_ok, "assets_over_limits"),
        (~no_able_supporter, "has_able_supporter"),
        default="eligible",
    )
    return Outcome(value, reason)


@rule("member")
def tekun_amount(is_tekun, standard_fen, basic_ratio, self_care_failed, care_fen):
    """特困供养标准 — 民发〔2021〕43号《特困人员认定办法》第十五条；国发〔2016〕14号

    Basic living `basic_ratio × 低保 standard` plus the care amount of the member's tier: all six
    daily activities done → self-caring; 1–3 failed → partly lost; 4 or more → fully lost. Each
    part rounded up to the whole yuan.
    """
    num, den = ratio(basic_ratio)
    basic = ceil_div(standard_fen * num, den * 100)
    partial = self_care_failed <= 3
    self_caring = self_care_failed == 0
    yuan = {tier: -(-care_fen[tier] // 100) for tier in ("self_care", "partial", "total")}
    care = np.where(self_caring, yuan["self_care"], np.where(partial, yuan["partial"], yuan["total"]))
    amount = np.where(is_tekun, basic + care, 0)
    tier = np.where(self_caring, 1, np.where(partial, 2, 3)).astype(np.int8)
    reason = Reasons(
        np.where(is_tekun, tier, 0).astype(np.int8), ("not_tekun", "self_care", "partial", "total")
    )
    return Outcome(amount, reason)


# ---------------------------------------------------------------- §6 低保边缘


@rule("household")
def income_below_edge_line(family_income_fen, family_size, standard_fen, window_months, multiplier):
    """家庭人均收入低于低保标准1.5倍 — 国办发〔2023〕39号 二(二)；临市民发〔2023〕31号

    Strictly below `multiplier × standard` per person per month.
    """
    num, den = ratio(multiplier)
    below = family_income_fen * den < num * standard_fen * family_size * window_months
    return Outcome(below, either(below, "below_edge_line", "not_below_edge_line"))


@rule("household")
def dibao_edge_household(is_tekun, is_dibao, income_below_edge, assets_ok_edge):
    """低保边缘家庭 — 国办发〔2023〕39号 二(二)；临市民发〔2023〕31号

    Not 低保 or 特困; per-capita income below the edge line; assets within the 边缘 limits.
    """
    value = ~is_tekun & ~is_dibao & income_below_edge & assets_ok_edge
    reason = pick(
        (is_tekun | is_dibao, "already_dibao_or_tekun"),
        (~income_below_edge, "income_not_below_edge_line"),
        (~assets_ok_edge, "assets_over_edge_limits"),
        default="eligible",
    )
    return Outcome(value, reason)


@rule("member")
def individual_dibao_member(
    in_edge_or_rigid, counted, is_tekun_member, disability_kind, disability_grade, major_illness
):
    """单人保 — 民发〔2021〕57号《最低生活保障审核确认办法》第十条；乡宁县衔接并轨工作方案 二(四)

    Inside a 边缘 or 刚性 household: a member with disability grade 1–2, or grade 3 intellectual
    or mental disability, or a recognised major illness, is included in 低保 individually
    (unless already 特困 individually).
    """
    g = disability_grade
    severe = (g >= 1) & (g <= 2)
    cognitive3 = ((disability_kind == KIND["intellectual"]) | (disability_kind == KIND["mental"])) & (g == 3)
    condition = severe | cognitive3 | major_illness
    value = in_edge_or_rigid & counted & ~is_tekun_member & condition
    reason = pick(
        (~in_edge_or_rigid, "not_in_edge_or_rigid_household"),
        (~counted, "not_counted"),
        (is_tekun_member, "tekun_individually"),
        (severe, "severe_disability"),
        (cognitive3, "grade3_intellectual_or_mental"),
        (major_illness, "major_illness"),
        default="no_condition",
    )
    return Outcome(value, reason)


@rule("member")
def individual_dibao_amount(is_individual_dibao, standard_fen, benefit_ratio):
    """单人保金额 — 民发〔2021〕57号 第十条；晋民规发〔2024〕1号

    `individual_benefit_ratio × 低保 standard`, rounded up to the whole yuan.
    """
    num, den = ratio(benefit_ratio)
    amount = np.where(is_individual_dibao, ceil_div(standard_fen * num, den * 100), 0)
    return Outcome(amount, either(is_individual_dibao, "share_of_standard", "not_individual_dibao"))


# ---------------------------------------------------------------- §7 刚性支出困难


@rule("household")
def rigid_expenditure(
    medical_fen, education_fen, rehabilitation_fen, living_fen, relief_fen, standard_fen, family_size
):
    """刚性支出 — 《刚性支出困难家庭认定办法》（2024年10月）；晋民规发〔2024〕2号

    Twelve months of self-paid medical costs after insurance, education, disability
    rehabilitation, and basic living costs up to `低保 standard × members × 12`, minus relief and
    donations received (never below zero).
    """
    living_cap = standard_fen * family_size * 12
    living = np.minimum(living_fen, living_cap)
    total = np.maximum(medical_fen + education_fen + rehabilitation_fen + living - relief_fen, 0)
    reason = either(living_fen > living_cap, "living_capped", "as_declared")
    return Outcome(total, reason, {"living_cap_fen": living_cap})


@rule("household")
def income_below_disposable_line(family_income_fen, family_size, window_months, disposable_annual_fen):
    """家庭人均收入低于上年度当地居民人均可支配收入 — 《刚性支出困难家庭认定办法》（2024年10月）

    Per-capita annual income (the window's income annualised) strictly below the previous year's
    local per-capita disposable income (urban or rural by hukou).
    """
    below = family_income_fen * 12 < disposable_annual_fen * window_months * family_size
    return Outcome(below, either(below, "below_disposable_income", "not_below_disposable_income"))


@rule("household")
def rigid_expenditure_heavy(rigid_fen, family_income_fen, window_months, expenditure_ratio):
    """刚性支出超过家庭总收入一定比例 — 晋民规发〔2024〕2号（试行）[ratio local]

    Rigid expenditure over 12 months strictly above `expenditure_ratio × family income over 12
    months` (the window's income annualised).
    """
    num, den = ratio(expenditure_ratio)
    heavy = rigid_fen * den * window_months > num * family_income_fen * 12
    return Outcome(heavy, either(heavy, "above_ratio", "not_above_ratio"))


@rule("household")
def rigid_hardship_household(
    is_tekun, is_dibao, is_edge, income_below_disposable, assets_ok_edge, rigid_heavy
):
    """刚性支出困难家庭 — 《刚性支出困难家庭认定办法》（2024年10月）；晋民规发〔2024〕2号

    Not 低保, 特困 or 边缘; per-capita income below last year's per-capita disposable income;
    assets within limits ([assumed] the 边缘 limits, as the national text refers to them); rigid
    expenditure above the ratio.
    """
    value = ~is_tekun & ~is_dibao & ~is_edge & income_below_disposable & assets_ok_edge & rigid_heavy
    reason = pick(
        (is_tekun | is_dibao | is_edge, "already_assisted"),
        (~income_below_disposable, "income_not_below_disposable_income"),
        (~assets_ok_edge, "assets_over_edge_limits"),
        (~rigid_heavy, "rigid_expenditure_not_heavy"),
        default="eligible",
    )
    return Outcome(value, reason)


# ---------------------------------------------------------------- other low-income referral


@rule("household")
def refer_other_low_income(
    category_none, income_below_edge, assets_ok_edge, has_risk_event, income_below_disposable
):
    """其他低收入人口（转县级领导小组） — 乡宁县衔接并轨工作方案 二(四)；国办发〔2023〕39号

    [assumed] A household that fits no category is referred to the county leading group when it
    is in serious hardship: income below the 边缘 line but assets over the limits (the group
    weighs the assets), or a risk event with income below last year's disposable-income line.
    """
    by_income = income_below_edge & ~assets_ok_edge
    by_risk = has_risk_event & income_below_disposable
    value = category_none & (by_income | by_risk)
    reason = pick(
        (~category_none, "has_category"),
        (by_income, "edge_income_assets_over_limits"),
        (by_risk, "risk_event_below_disposable_income"),
        default="no_serious_hardship",
    )
    return Outcome(value, reason)


# ---------------------------------------------------------------- §8 防返贫监测


@rule("household")
def monitoring_mark(
    rural,
    alleviated,
    family_income_fen,
    family_size,
    window_months,
    line_annual_fen,
    has_risk_event,
    risk_judgement,
    rigid_heavy,
):
    """防返贫监测对象 — 国办发〔2023〕39号；乡宁县衔接并轨工作方案 二(二)1(1)、二(六)；POLICY.md §8

    Rural households only, whatever their category. [assumed] "inside the monitoring range" is
    read as per-capita annual income strictly below `monitoring.line_annual`. Inside the range a
    household is marked only when it is also at risk (POLICY.md §8). [assumed] At risk = the
    investigating officer judged it at risk (`risk_judgement` 1), or no judgement is recorded
    (-1) and at least one risk event is declared; a recorded "not at risk" judgement (0) wins
    over declared events. The reason says which reading applied. Types:
    脱贫不稳定户 `unstable_alleviated` — alleviated household inside the range, at risk;
    边缘易致贫户 `edge_prone` — other rural household inside the range, at risk;
    突发严重困难户 `sudden_hardship` — income not inside the range, but a risk event (illness,
    disaster, accident, unemployment, education) with rigid expenditure above the rigid ratio.
    Returns the type code: 0 none, 1 unstable_alleviated, 2 edge_prone, 3 sudden_hardship.
    """
    inside = family_income_fen * 12 < line_annual_fen * window_months * family_size
    by_judgement = risk_judgement == 1
    judged_not = risk_judgement == 0
    by_event = (risk_judgement == -1) & has_risk_event
    at_risk = by_judgement | by_event
    unstable = rural & alleviated & inside & at_risk
    edge_prone = rural & ~alleviated & inside & at_risk
    sudden = rural & ~inside & has_risk_event & rigid_heavy
    code = first_match([unstable, edge_prone, sudden], [1, 2, 3])
    reason = pick(
        (~rural, "urban_not_monitored"),
        (inside & by_judgement, "inside_range_at_risk_by_judgement"),
        (inside & by_event, "inside_range_at_risk_by_event"),
        (inside & judged_not, "inside_range_judged_not_at_risk"),
        (inside, "inside_range_not_at_risk"),
        (sudden, "risk_event_with_heavy_rigid_expenditure"),
        default="above_range_no_sudden_hardship",
    )
    return Outcome(code, reason, {"at_risk": at_risk})
