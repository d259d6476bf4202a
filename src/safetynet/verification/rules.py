"""The comparison rules (大数据比对), written once as Ibis expressions.

Each rule is a row of `RULES`: its code, label, channel, the sources it reads, the clause it
implements, the evidence columns it yields and the text of the lead it raises. `build(t, p)` is an
Ibis expression over the register snapshot `t.register` and the department tables `t.<source>`,
with thresholds from `p`: the values in force on the day of the run, read from the one dated,
sourced parameter store (`policy/parameters/<county>.yaml`, names `comparison.*` and the policy
names such as `assets.homes_max`). Each rule lists the names it reads (`parameters`) and its
clause (`basis`); a rule defined without a clause raises `RuleWithoutClause` at import.
The same expression runs on DuckDB (embedded) and on Spark (`ibis.pyspark`), so both engines
implement exactly the same semantics; `tests/verification/test_engine_parity.py` checks it.

Every rule yields `id_index` (the subject: the person, or the household head for household-level
rules), `household_id` (null for a resident outside the register), `village_code`, and its
evidence columns. Amount comparisons avoid division, so DECIMAL arithmetic is exact on both
engines.

Register snapshot columns: see `verification.snapshot.REGISTER_SCHEMA`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import ibis

from safetynet.policy.rules import RuleWithoutClause
from safetynet.verification.joined import of_source, recipient_rows

DATA_COMPARISON, DEPARTMENT_WARNING = "data_comparison", "department_warning"
RURAL_STANDARD = "dibao.standard_monthly.rural"


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    channel: str
    sources: tuple[str, ...]  # the first is the primary source: its period names the data period
    basis: str
    level: str  # person | household
    evidence: tuple[str, ...]
    lead: str  # str.format over the evidence (amounts as strings)
    build: Callable
    recipients_only: bool = False
    parameters: tuple[str, ...] = ()  # the parameter-store names the rule reads

    def __post_init__(self):
        if not isinstance(self.basis, str) or not self.basis.strip():
            raise RuleWithoutClause(f"比对规则 {self.code} 没有写明依据条款（basis）")


class Tables:
    """Named Ibis tables: `register`, one per source, and the tables every run derives from the
    register once (`SHARED`: built on first use; `cache`, given by the engine, materialises each,
    so that no rule reads or groups the register again)."""

    def __init__(
        self, tables: dict[str, ibis.Table], cache: Callable[[ibis.Table], ibis.Table] | None = None
    ):
        self._tables = dict(tables)
        self._cache = cache

    def __getattr__(self, name: str) -> ibis.Table:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._tables and name in SHARED:
            table = SHARED[name](self)
            self._tables[name] = table if self._cache is None else self._cache(table)
        try:
            return self._tables[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class RuleParams:
    """The parameter values the rules read, from the one dated store, for the day of the run."""

    on: dt.date
    values: dict  # name -> value
    rural_standard: Decimal  # monthly 低保 standard, rural (for residents outside the register)
    version: str = ""  # the parameter set's version (`<county>/<hash>`)
    digest: str = ""  # sha256 over every value in force on `on`

    @classmethod
    def of(cls, p, rules: tuple[Rule, ...] | None = None) -> RuleParams:
        """From `ParametersOnDate`: every parameter the rules name (a missing one fails here)."""
        names = sorted({n for r in (RULES if rules is None else rules) for n in r.parameters})
        values = {name: p[name] for name in names}
        rural = Decimal(p[RURAL_STANDARD])
        return cls(on=p.day, values=values, rural_standard=rural, version=p.version, digest=p.digest())

    def record(self) -> dict:
        """What a run stores of its parameters."""
        values = {n: str(v) if isinstance(v, Decimal) else v for n, v in sorted(self.values.items())}
        return {
            "on": self.on.isoformat(),
            "version": self.version,
            "digest": self.digest,
            "values": {**values, RURAL_STANDARD: str(self.rural_standard)},
        }

    def __getitem__(self, name):
        return self.values[name]

    def days_before(self, name: str) -> dt.date:
        return self.on - dt.timedelta(days=int(self.values[name]))


def _d(value) -> ibis.Value:
    return ibis.literal(Decimal(value), type="decimal(16,2)")


# ---- what every run derives from the register once ----------------------------------------
# The snapshot repeats a household's values (village, head, size, declarations, limits) on each of
# its members' rows, so a household's rows agree on them.

HOUSEHOLD_COLUMNS = (
    "village_code",
    "head_id_index",
    "category",
    "family_size",
    "declared_financial",
    "declared_vehicles",
    "declared_homes",
    "financial_limit",
    "income_line",
)


def recipient_members(t: Tables) -> ibis.Table:
    """The counted members of recipient households: `id_index`, `household_id` (a person counted in
    two recipient households has two rows)."""
    r = t.register
    r = r.filter(r.counted & r.recipient)
    return r.select("id_index", "household_id")


def recipient_households(t: Tables) -> ibis.Table:
    """One row per recipient household with a counted member: its values from the register."""
    r = t.register
    r = r.filter(r.counted & r.recipient)
    return r.group_by("household_id").aggregate(**{c: r[c].min() for c in HOUSEHOLD_COLUMNS})


def people(t: Tables) -> ibis.Table:
    """One row per person in the register: the lowest household and its village, and whether any
    of their households is a recipient (to place a department's signal and to leave out people
    already assisted)."""
    r = t.register
    return r.group_by("id_index").aggregate(
        household_id=r.household_id.min(), reg_village=r.village_code.min(), recipient=r.recipient.max()
    )


SHARED: dict[str, Callable[[Tables], ibis.Table]] = {
    "recipient_members": recipient_members,
    "recipient_households": recipient_households,
    "people": people,
    "recipient_rows": recipient_rows,
}


def _with_household(t: Tables, g: ibis.Table) -> ibis.Table:
    """A per-household aggregate `g` (keyed by `household_id`) with its household's values."""
    h = t.recipient_households
    j = g.join(h, g.household_id == h.household_id)
    return j.select(g, *(h[c] for c in HOUSEHOLD_COLUMNS))


# ---- 应退未退: recipients whose department records disqualify them -------------------------


def recipient_deceased(t: Tables, p: RuleParams) -> ibis.Table:
    dead = of_source(t, "hukou")
    j = _with_household(t, dead)
    return j.select("id_index", "household_id", "village_code", "category", "death_date", "as_of")


def recipient_financial_over_limit(t: Tables, p: RuleParams) -> ibis.Table:
    f = of_source(t, "financial")
    g = f.group_by("household_id").aggregate(
        financial_total=f.balance.sum(), accounts=f.balance.count(), as_of=f.as_of.max()
    )
    g = _with_household(t, g)
    g = g.filter(g.financial_total > g.financial_limit)
    return g.select(
        id_index=g.head_id_index,
        household_id=g.household_id,
        village_code=g.village_code,
        financial_total=g.financial_total,
        financial_limit=g.financial_limit,
        declared_financial=g.declared_financial,
        accounts=g.accounts,
        as_of=g.as_of,
    )


def recipient_undeclared_vehicle(t: Tables, p: RuleParams) -> ibis.Table:
    v = of_source(t, "vehicle")
    g = v.group_by("household_id").aggregate(
        vehicles=v.value.count(), vehicle_value=v.value.sum(), top_value=v.value.max(), as_of=v.as_of.max()
    )
    g = _with_household(t, g)
    g = g.filter(g.vehicles > g.declared_vehicles)
    return g.select(
        id_index=g.head_id_index,
        household_id=g.household_id,
        village_code=g.village_code,
        vehicles=g.vehicles,
        declared_vehicles=g.declared_vehicles,
        vehicle_value=g.vehicle_value,
        top_value=g.top_value,
        as_of=g.as_of,
    )


def recipient_company_role(t: Tables, p: RuleParams) -> ibis.Table:
    b = of_source(t, "business")  # companies only, legal representatives and shareholders
    controlling = (b.role == "legal_rep") | (
        (b.role == "shareholder") & (b.share_pct.fill_null(0) >= _d(p["comparison.controlling_share_pct"]))
    )
    b = b.filter(controlling)
    g = b.group_by(["id_index", "household_id"]).aggregate(
        roles=b.credit_code.count(), entity_name=b.entity_name.min(), as_of=b.as_of.max()
    )
    g = _with_household(t, g)
    return g.select("id_index", "household_id", "village_code", "roles", "entity_name", "as_of")


def recipient_extra_home(t: Tables, p: RuleParams) -> ibis.Table:
    e = of_source(t, "real_estate")
    g = e.group_by("household_id").aggregate(
        homes=e.unit_no.nunique(), latest_registered=e.registered_on.max(), as_of=e.as_of.max()
    )
    g = g.filter(g.homes > int(p["assets.homes_max"]))
    g = _with_household(t, g)
    return g.select(
        id_index=g.head_id_index,
        household_id=g.household_id,
        village_code=g.village_code,
        homes=g.homes,
        declared_homes=g.declared_homes,
        latest_registered=g.latest_registered,
        as_of=g.as_of,
    )


def recipient_income_over_line(t: Tables, p: RuleParams) -> ibis.Table:
    s = of_source(t, "social_insurance")
    g = s.group_by("household_id").aggregate(
        income_12m=(s.wage_12m + s.pension_12m.fill_null(0)).sum(), as_of=s.as_of.max()
    )
    g = _with_household(t, g)
    # per-capita monthly income above the line, without dividing: income > line × 12 × size
    g = g.filter(g.income_12m > g.income_line * 12 * g.family_size)
    return g.select(
        id_index=g.head_id_index,
        household_id=g.household_id,
        village_code=g.village_code,
        income_12m=g.income_12m,
        family_size=g.family_size,
        income_line=g.income_line,
        as_of=g.as_of,
    )


# ---- the register itself -----------------------------------------------------------------


def duplicate_membership(t: Tables, p: RuleParams) -> ibis.Table:
    r = t.register
    counted = r.filter(r.counted)
    # Counted in two households or more: the lowest and highest differ. Only for those few people
    # are the households counted and the village looked up: the register is read a second time
    # (the join's filter skips the rest while reading) rather than the counted rows kept between
    # the two steps, which costs more.
    span = counted.group_by("id_index").aggregate(
        first=counted.household_id.min(), last=counted.household_id.max()
    )
    span = span.filter(span.first != span.last)
    rows = r.join(span, r.id_index == span.id_index).filter(r.counted)
    rows = rows.select(r.id_index, r.household_id, r.village_code)
    g = rows.group_by("id_index").aggregate(
        households=rows.household_id.nunique(),
        household_id=rows.household_id.min(),
        other_household_id=rows.household_id.max(),
        village_code=rows.village_code.min(),
    )
    return g.select("id_index", "household_id", "village_code", "households", "other_household_id")


def invalid_register_id(t: Tables, p: RuleParams) -> ibis.Table:
    r = t.register
    r = r.filter(~r.id_valid)
    g = r.group_by("id_index").aggregate(
        household_id=r.household_id.min(), village_code=r.village_code.min(), problem=r.id_problem.min()
    )
    return g.select("id_index", "household_id", "village_code", "problem")


# ---- 应保未保 and 两不愁三保障: signals placed in a village ------------------------------------


def _place(t: Tables, signals: ibis.Table, *, unassisted: bool) -> ibis.Table:
    """Attach household and village: from the register, else the 户籍 village; optionally drop
    people in recipient households (they are assisted already)."""
    people = t.people
    h = t.hukou
    hv = h.group_by("id_index").aggregate(hukou_village=h.village_code.max())
    j = signals.left_join(people, signals.id_index == people.id_index)
    j = j.select(
        signals, household_id=people.household_id, reg_village=people.reg_village, recipient=people.recipient
    )
    if unassisted:
        j = j.filter(~j.recipient.fill_null(False))
    k = j.left_join(hv, j.id_index == hv.id_index)
    k = k.select(j, village_code=ibis.coalesce(j.reg_village, hv.hukou_village))
    return k.drop("reg_village", "recipient")


def unassisted_high_medical(t: Tables, p: RuleParams) -> ibis.Table:
    md = t.medical
    g = md.group_by("id_index").aggregate(
        self_paid_12m=md.self_paid_12m.sum(), total_cost_12m=md.total_cost_12m.sum(), as_of=md.as_of.max()
    )
    g = g.filter(g.self_paid_12m >= _d(p["comparison.medical_self_paid_high"]))
    return _place(t, g, unassisted=True)


def unassisted_new_severe_disability(t: Tables, p: RuleParams) -> ibis.Table:
    d = t.disability
    since = p.days_before("comparison.disability_new_days")
    d = d.filter((d.grade <= int(p["comparison.disability_severe_grade"])) & (d.certified_on >= since))
    g = d.group_by("id_index").aggregate(
        kind=d.kind.min(), grade=d.grade.min(), certified_on=d.certified_on.max(), as_of=d.as_of.max()
    )
    return _place(t, g, unassisted=True)


def unassisted_disaster_loss(t: Tables, p: RuleParams) -> ibis.Table:
    e = t.emergency
    e = e.filter(e.event_date >= p.days_before("comparison.disaster_window_days"))
    g = e.group_by("id_index").aggregate(
        loss=e.loss.sum(), events=e.loss.count(), last_event=e.event_date.max(), as_of=e.as_of.max()
    )
    g = g.filter(g.loss >= _d(p["comparison.disaster_loss_high"]))
    return _place(t, g, unassisted=True)


def unassisted_unemployed_low_income(t: Tables, p: RuleParams) -> ibis.Table:
    u = t.unemployment
    u = u.filter(u.status == "unemployed")
    s = t.social_insurance
    wages = s.group_by("id_index").aggregate(wage_12m=s.wage_12m.sum())
    j = u.left_join(wages, u.id_index == wages.id_index)
    j = j.select(
        id_index=u.id_index,
        registered_on=u.registered_on,
        as_of=u.as_of,
        wage_12m=wages.wage_12m.fill_null(_d(0)),
    )
    j = j.filter(j.wage_12m < _d(p.rural_standard * 12))
    g = j.group_by("id_index").aggregate(
        registered_on=j.registered_on.max(), wage_12m=j.wage_12m.max(), as_of=j.as_of.max()
    )
    return _place(t, g, unassisted=True)


def two_three_dropout(t: Tables, p: RuleParams) -> ibis.Table:
    e = t.education
    e = e.filter((e.status == "dropped_out") & e.stage.isin(["primary", "junior"]))
    g = e.group_by("id_index").aggregate(school=e.school.min(), stage=e.stage.min(), as_of=e.as_of.max())
    return _place(t, g, unassisted=False)


def two_three_unsafe_housing(t: Tables, p: RuleParams) -> ibis.Table:
    h = t.housing
    h = h.filter(h.grade.isin(["C", "D"]))
    g = h.group_by("id_index").aggregate(
        grade=h.grade.max(), assessed_on=h.assessed_on.max(), as_of=h.as_of.max()
    )
    return _place(t, g, unassisted=False)


def two_three_unsafe_water(t: Tables, p: RuleParams) -> ibis.Table:
    w = t.water
    w = w.filter(~w.safe)
    g = w.group_by("id_index").aggregate(issue=w.issue.min(), as_of=w.as_of.max())
    return _place(t, g, unassisted=False)


_B = "民发〔2021〕57号《最低生活保障审核确认办法》"
RULES: tuple[Rule, ...] = (
    Rule(
        "recipient_deceased",
        "在保对象已死亡仍享受救助",
        DATA_COMPARISON,
        ("hukou",),
        f"{_B}第三十二条（死亡的应停发）；应退尽退",
        "person",
        ("category", "death_date", "as_of"),
        "户籍显示该在保成员已于{death_date}死亡（户籍，截至{as_of}），家庭仍在保，应核实停发并追回。",
        recipient_deceased,
        recipients_only=True,
    ),
    Rule(
        "recipient_financial_over_limit",
        "在保家庭金融资产超过上限",
        DATA_COMPARISON,
        ("financial",),
        f"{_B}第十条（家庭财产状况）；参数 assets.financial_months",
        "household",
        ("financial_total", "financial_limit", "declared_financial", "accounts", "as_of"),
        "在保家庭金融资产合计{financial_total}元，超过上限{financial_limit}元（申报{declared_financial}元；"
        "金融资产，截至{as_of}）。",
        recipient_financial_over_limit,
        recipients_only=True,
    ),
    Rule(
        "recipient_undeclared_vehicle",
        "在保家庭有未申报的车辆",
        DATA_COMPARISON,
        ("vehicle",),
        f"{_B}第十条（家庭财产状况：非豁免机动车）",
        "household",
        ("vehicles", "declared_vehicles", "vehicle_value", "top_value", "as_of"),
        "车船登记显示在保家庭成员名下有{vehicles}辆车船（申报{declared_vehicles}辆），最高评估价值{top_value}元"
        "（车船登记，截至{as_of}）。",
        recipient_undeclared_vehicle,
        recipients_only=True,
    ),
    Rule(
        "recipient_company_role",
        "在保成员任公司法定代表人或控股股东",
        DATA_COMPARISON,
        ("business",),
        f"{_B}第十条；POLICY.md §3（成员不得为企业法定代表人或控股股东）",
        "person",
        ("roles", "entity_name", "as_of"),
        "市场主体登记显示该在保成员任“{entity_name}”等{roles}家公司的法定代表人或控股股东（市场主体登记，截至{as_of}）。",
        recipient_company_role,
        recipients_only=True,
        parameters=("comparison.controlling_share_pct",),
    ),
    Rule(
        "recipient_extra_home",
        "在保家庭住房超过上限",
        DATA_COMPARISON,
        ("real_estate",),
        f"{_B}第十条；参数 assets.homes_max",
        "household",
        ("homes", "declared_homes", "latest_registered", "as_of"),
        "不动产登记显示在保家庭有住宅{homes}处（申报{declared_homes}处），最近登记于{latest_registered}"
        "（不动产登记，截至{as_of}）。",
        recipient_extra_home,
        recipients_only=True,
        parameters=("assets.homes_max",),
    ),
    Rule(
        "recipient_income_over_line",
        "在保家庭人均收入高于低保标准",
        DATA_COMPARISON,
        ("social_insurance",),
        f"{_B}第九条（家庭收入）；POLICY.md §2",
        "household",
        ("income_12m", "family_size", "income_line", "as_of"),
        "社会保险显示在保家庭近12个月工资和养老金合计{income_12m}元，{family_size}人，人均高于低保标准"
        "{income_line}元/月（社会保险，截至{as_of}）。",
        recipient_income_over_line,
        recipients_only=True,
    ),
    Rule(
        "duplicate_membership",
        "同一人计入两个家庭",
        DATA_COMPARISON,
        (),
        "民发〔2021〕57号第七条（共同生活的家庭成员）；一人只能计入一户",
        "person",
        ("households", "other_household_id"),
        "该人员同时计入{households}个家庭的共同生活家庭成员（另一户编号{other_household_id}）。",
        duplicate_membership,
    ),
    Rule(
        "invalid_register_id",
        "名册身份证号码校验不通过",
        DATA_COMPARISON,
        (),
        "GB 11643-1999《公民身份号码》",
        "person",
        ("problem",),
        "名册中该成员的身份证号码校验不通过：{problem}。",
        invalid_register_id,
    ),
    Rule(
        "unassisted_high_medical",
        "未救助人员医疗自付较高",
        DEPARTMENT_WARNING,
        ("medical",),
        "国办发〔2023〕39号 低收入人口动态监测；应保尽保；参数 comparison.medical_self_paid_high",
        "person",
        ("self_paid_12m", "total_cost_12m", "as_of"),
        "医保显示近12个月个人自付{self_paid_12m}元（总费用{total_cost_12m}元；医保，截至{as_of}），未纳入救助。",
        unassisted_high_medical,
        parameters=("comparison.medical_self_paid_high",),
    ),
    Rule(
        "unassisted_new_severe_disability",
        "未救助人员新评定重度残疾",
        DEPARTMENT_WARNING,
        ("disability",),
        "国办发〔2023〕39号 低收入人口动态监测；重度残疾人单人保（POLICY.md 单人保）；参数 comparison.disability_new_days",
        "person",
        ("kind", "grade", "certified_on", "as_of"),
        "残联显示该人员于{certified_on}评定为{grade}级残疾（残联，截至{as_of}），未纳入救助。",
        unassisted_new_severe_disability,
        parameters=("comparison.disability_new_days", "comparison.disability_severe_grade"),
    ),
    Rule(
        "unassisted_disaster_loss",
        "未救助人员受灾损失较大",
        DEPARTMENT_WARNING,
        ("emergency",),
        "国务院令第649号《社会救助暂行办法》第四十七条 临时救助；防返贫监测 突发严重困难户；参数 comparison.disaster_loss_high",
        "person",
        ("loss", "events", "last_event", "as_of"),
        "应急管理显示该人员近期受灾{events}次，直接经济损失{loss}元，最近一次{last_event}（应急管理，截至{as_of}），未纳入救助。",
        unassisted_disaster_loss,
        parameters=("comparison.disaster_window_days", "comparison.disaster_loss_high"),
    ),
    Rule(
        "unassisted_unemployed_low_income",
        "未救助失业人员收入低",
        DEPARTMENT_WARNING,
        ("unemployment", "social_insurance"),
        "国办发〔2023〕39号 低收入人口动态监测；应保尽保；收入线为农村低保标准（参数 dibao.standard_monthly.rural）",
        "person",
        ("registered_on", "wage_12m", "as_of"),
        "人社显示该人员{registered_on}起失业，近12个月申报工资{wage_12m}元（人社，截至{as_of}），未纳入救助。",
        unassisted_unemployed_low_income,
        parameters=(RURAL_STANDARD,),
    ),
    Rule(
        "two_three_dropout",
        "义务教育阶段辍学",
        DEPARTMENT_WARNING,
        ("education",),
        "中发〔2015〕34号《中共中央 国务院关于打赢脱贫攻坚战的决定》“两不愁三保障”：义务教育有保障",
        "person",
        ("school", "stage", "as_of"),
        "教育部门显示该学生已从{school}辍学（教育，截至{as_of}）。",
        two_three_dropout,
    ),
    Rule(
        "two_three_unsafe_housing",
        "住房安全无保障（危房）",
        DEPARTMENT_WARNING,
        ("housing",),
        "中发〔2015〕34号《中共中央 国务院关于打赢脱贫攻坚战的决定》“两不愁三保障”：住房安全有保障",
        "person",
        ("grade", "assessed_on", "as_of"),
        "住建部门鉴定该户房屋为{grade}级危房（鉴定日期{assessed_on}；住建，截至{as_of}）。",
        two_three_unsafe_housing,
    ),
    Rule(
        "two_three_unsafe_water",
        "饮水安全无保障",
        DEPARTMENT_WARNING,
        ("water",),
        "中发〔2015〕34号《中共中央 国务院关于打赢脱贫攻坚战的决定》“两不愁三保障”：饮水安全有保障",
        "person",
        ("issue", "as_of"),
        "水利部门核查该户饮水不安全：{issue}（水利，截至{as_of}）。",
        two_three_unsafe_water,
    ),
)

RULES_BY_CODE = {r.code: r for r in RULES}
