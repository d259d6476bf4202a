"""The decision trace in plain Chinese: one sentence per step, from the step's own figures.

`describe(entry, hukou=…, members=…)` turns one trace entry (`Tracer`'s `{"rule", "term", "clause",
"inputs", "result"}`) into a sentence that states the figures the rule compared and what followed,
and ends with the rule's clause, e.g. "按 3 人、近 12 个月家庭收入 9,360 元计，家庭月人均收入 260
元，低于农村低保标准 600 元（民发〔2021〕57号…第六条）". `add_sentences(trace, hukou=…)` gives every
entry of a trace its `sentence` (the structured entry stays as it is, for machines). Codes are named
through `core.glossary`; amounts carry thousands separators (`core.money.grouped`). A trace stored
before sentences existed is described the same way from its entries (`with_sentences`).

Every rule of `rules.RULES` (and each step the pipeline notes itself) has a writer here;
tests/policy/test_sentences.py holds every one of them to its figures and its clause.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from safetynet.core import glossary as G
from safetynet.core.money import grouped

FEN = Decimal("0.01")
GRADES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


# ---------------------------------------------------------------- figures


def _d(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def num(value) -> str:
    """A figure as written: whole numbers bare, others to the fen; thousands separated."""
    d = _d(value)
    d = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.quantize(FEN, ROUND_HALF_UP)
    return grouped(d)


def yuan(value) -> str:
    return f"{num(value)} 元"


def factor(value) -> str:
    """A multiplier as written in the regulation: 1.5, 1.3 (no padding to the fen)."""
    d = _d(value).normalize()
    return format(d.quantize(Decimal(1)) if d == d.to_integral_value() else d, "f")


def per(total, *divisors, rounding=ROUND_DOWN) -> Decimal:
    """A per-capita or per-month figure to the fen. Rounded down by default: the rules compare exact
    totals (`income < standard × n × months`), and a figure rounded down is below a whole-fen line
    exactly when the exact figure is, so the sentence never says "580 元，低于 580 元"."""
    d = _d(total)
    for x in divisors:
        d = d / _d(x)
    return d.quantize(FEN, rounding)


def share(ratio) -> str:
    """A ratio as a percentage: 0.7 → 70%."""
    return f"{num(_d(ratio) * 100)}%"


def clause_text(clause: str) -> str:
    """The rule's clause as a reader sees it: the developer's bracketed marks in words."""
    for mark, words in G.CLAUSE_NOTES.items():
        clause = clause.replace(mark, words)
    return clause


def _reason(rule: str, code) -> str:
    return G.TRACE_REASONS.get(rule, {}).get(code, "")


def _member_names(relations: Sequence[str] | None) -> list[str]:
    """户主, 配偶, 子女1, 子女2 …: a relation shared by several members is numbered."""
    if not relations:
        return []
    labels = [G.RELATION_LABELS.get(r, "成员") for r in relations]
    out, seen = [], {}
    for label in labels:
        if labels.count(label) > 1:
            seen[label] = seen.get(label, 0) + 1
            out.append(f"{label}{seen[label]}")
        else:
            out.append(label)
    return out


class _Step:
    """One entry with what its writer needs: figures by name, the member names, the hukou."""

    def __init__(self, entry: dict, hukou: str | None, members: list[str]):
        self.rule = entry["rule"]
        self.i = entry.get("inputs") or {}
        self.r = entry.get("result") or {}
        self.hukou = hukou
        self.members = members

    def who(self, k: int) -> str:
        return self.members[k] if k < len(self.members) else f"第{k + 1}人"

    def standard(self, amount) -> str:
        where = G.HUKOU_STANDARD_LABELS.get(self.hukou or "", "")
        return f"{where}低保标准 {yuan(amount)}"

    def reason(self, code=None) -> str:
        return _reason(self.rule, self.r.get("reason") if code is None else code)

    def each(self, say: Callable[[int], str | None]) -> str:
        parts = [s for k in range(len(self.members or self.r.get("value") or [])) if (s := say(k))]
        return "；".join(parts)


def _monthly_per_capita(s: _Step) -> str:
    i = s.i
    pc = per(i["family_income"], i["window_months"], i["family_size"])
    return (
        f"按 {i['family_size']} 人、近 {i['window_months']} 个月家庭收入 {yuan(i['family_income'])}计，"
        f"家庭月人均收入 {yuan(pc)}"
    )


def _annual_per_capita(s: _Step) -> str:
    i = s.i
    pc = per(_d(i["family_income"]) * 12, i["window_months"], i["family_size"])
    return (
        f"按 {i['family_size']} 人、近 {i['window_months']} 个月家庭收入 {yuan(i['family_income'])}计，"
        f"家庭人均年收入 {yuan(pc)}"
    )


def _disability(kind, grade) -> str:
    if not kind or not grade:
        return ""
    return f"{G.DISABILITY_KIND_LABELS.get(kind, '')}残疾{GRADES.get(int(grade), '')}"


# ---------------------------------------------------------------- one writer per rule


def _counted_member(s: _Step) -> str:
    ages = s.i.get("age") or []
    reasons = s.r.get("reason") or []
    body = s.each(lambda k: f"{s.who(k)} {ages[k]} 岁，{s.reason(reasons[k])}")
    return f"{body}；子女年满 {s.i['adult_age']} 周岁且不在读的，须共同生活方计入"


def _family_size(s: _Step) -> str:
    if s.r.get("reason") == "no_counted_member":
        return s.reason()
    return f"计入的共同生活家庭成员共 {s.r['value']} 人"


def _family_income(s: _Step) -> str:
    i = s.i
    excluded = f"按规定不计入的收入 {yuan(i['excluded_income'])}未算入"
    if i.get("has_override"):
        return (
            f"经办人员核定家庭月收入 {yuan(i['override_monthly'])}（已记录理由），"
            f"近 {i['window_months']} 个月家庭收入按 {yuan(s.r['value'])}计，"
            f"不再采用申报收入 {yuan(i['counted_income'])}；{excluded}"
        )
    return (
        f"计入成员近 {i['window_months']} 个月收入合计 {yuan(s.r['value'])}，"
        f"月均 {yuan(per(s.r['value'], i['window_months']))}；{excluded}"
    )


def _assets(s: _Step) -> str:
    i = s.i
    bought = "申请前一年内购买过住房" if i["home_bought_within_year"] else "申请前一年内未购买住房"
    return (
        f"金融资产 {yuan(i['financial'])}，上限 {yuan(s.r['financial_limit'])}"
        f"（{s.standard(i['standard'])} × {i['family_size']} 人 × {i['financial_months']} 个月）；"
        f"不予豁免的机动车 {i['nonexempt_vehicles']} 辆；住房 {i['homes']} 套，上限 {i['homes_max']} 套；"
        f"担任企业法定代表人或控股股东 {i['company_roles']} 人；{bought}：{s.reason()}"
    )


def _income_below_standard(s: _Step) -> str:
    relation = "低于" if s.r["value"] else "不低于"
    return f"{_monthly_per_capita(s)}，{relation}{s.standard(s.i['standard'])}"


def _income_below_edge(s: _Step) -> str:
    i = s.i
    line = _d(i["standard"]) * _d(i["multiplier"])
    relation = "低于" if s.r["value"] else "不低于"
    return (
        f"{_monthly_per_capita(s)}，{relation}低保边缘收入线 {yuan(line)}"
        f"（{s.standard(i['standard'])}的 {factor(i['multiplier'])} 倍）"
    )


def _no_work_capacity(s: _Step) -> str:
    old_age, child_below, adult_age = s.i["ages"]
    ages, reasons = s.i["age"], s.r["reason"]
    kinds, grades = s.i["disability_kind"], s.i["disability_grade"]

    def say(k):
        extra = {
            "old_age": f"，年满 {old_age} 周岁",
            "child": f"，未满 {child_below} 周岁",
            "severe_disability": f"，{_disability(kinds[k], grades[k])}",
            "continuing_minor_or_student": f"，未满 {adult_age} 周岁或在读",
        }.get(reasons[k], "")
        return f"{s.who(k)} {ages[k]} 岁{extra}：{s.reason(reasons[k])}"

    return (
        f"{s.each(say)}；年满 {old_age} 周岁、未满 {child_below} 周岁或重度残疾的无劳动能力，"
        f"已认定特困的未成年人至 {adult_age} 周岁（在读的至毕业）"
    )


def _no_able_supporter(s: _Step) -> str:
    n = s.i["able_supporters"]
    if s.r["value"]:
        return f"有履行能力的法定赡养、抚养、扶养义务人 {n} 人：无法定义务人或其无履行能力"
    return f"有履行能力的法定赡养、抚养、扶养义务人 {n} 人"


def _by_reason(s: _Step) -> str:
    return s.reason()


def _dibao_amount(s: _Step) -> str:
    i = s.i
    monthly_income = per(i["family_income"], i["window_months"], rounding=ROUND_HALF_UP)
    return (
        f"低保金按差额计算：{s.standard(i['standard'])} × {i['family_size']} 人，"
        f"减家庭月收入 {yuan(monthly_income)}（近 {i['window_months']} 个月 {yuan(i['family_income'])}），"
        f"向上取整为每月 {yuan(s.r['value'])}"
    )


def _classified_increment(s: _Step) -> str:
    # The increments reach the trace in fen (the rule's argument is `increments`, not `…_fen`, so
    # the tracer does not turn it into yuan); stored traces keep that form, the sentence says yuan.
    increments = {g: _d(v) / 100 for g, v in s.i["increments"].items()}
    # In the glossary's order, not the stored dict's: PostgreSQL's jsonb gives the keys back sorted.
    order = [*G.INCREMENT_GROUP_LABELS, *sorted(set(increments) - set(G.INCREMENT_GROUP_LABELS))]
    scale = "、".join(
        f"{G.INCREMENT_GROUP_LABELS.get(g, '其他')} {yuan(increments[g])}" for g in order if g in increments
    )
    old_age, adult_age = s.i["ages"]
    values, reasons = s.r["value"], s.r["reason"]

    def say(k):
        if reasons[k] == "none":
            return None
        return f"{s.who(k)}（{s.i['age'][k]} 岁）{s.reason(reasons[k])}每月 {yuan(values[k])}"

    paid = s.each(say) or "无成员增发"
    return (
        f"分类施保增发标准（老年人指年满 {old_age} 周岁，未成年人指未满 {adult_age} 周岁）：{scale}；{paid}"
    )


def _gradual_exit(s: _Step) -> str:
    months = s.i["exit_months"]
    if s.r["reason"] == "income_rose_gradual_exit":
        return f"{s.reason()} {s.r['value']} 个月"
    return f"{s.reason()}（渐退期 {months} 个月）"


def _tekun_member(s: _Step) -> str:
    i = s.i
    reasons, incomes, standards = s.r["reason"], i["own_income"], i["standard"]

    def say(k):
        if reasons[k] == "not_in_edge_or_rigid_household":
            return None
        monthly = per(incomes[k], i["window_months"])
        return (
            f"{s.who(k)}本人近 {i['window_months']} 个月收入 {yuan(incomes[k])}、月均 {yuan(monthly)}"
            f"（{s.standard(standards[k])}）：{s.reason(reasons[k])}"
        )

    return s.each(say) or s.reason("not_in_edge_or_rigid_household")


def _individual_dibao_member(s: _Step) -> str:
    reasons = s.r["reason"]
    kinds, grades = s.i["disability_kind"], s.i["disability_grade"]

    def say(k):
        if reasons[k] == "not_in_edge_or_rigid_household":
            return None
        disability = _disability(kinds[k], grades[k])
        return f"{s.who(k)}{f'（{disability}）' if disability else ''}：{s.reason(reasons[k])}"

    return s.each(say) or s.reason("not_in_edge_or_rigid_household")


def _individual_dibao_amount(s: _Step) -> str:
    ratio, values = s.i["benefit_ratio"], s.r["value"]

    def say(k):
        if not s.i["is_individual_dibao"][k]:
            return None
        return (
            f"{s.who(k)}单人保每月 {yuan(values[k])}"
            f"（{s.standard(s.i['standard'][k])}的 {share(ratio)}，向上取整）"
        )

    return s.each(say) or "没有成员享受单人保"


def _tekun_amount(s: _Step) -> str:
    ratio, care = s.i["basic_ratio"], s.i["care"]
    failed, values, tiers = s.i["self_care_failed"], s.r["value"], s.r["reason"]
    scale = "、".join(f"{G.CARE_TIER_LABELS[t]} {yuan(care[t])}" for t in ("self_care", "partial", "total"))

    def say(k):
        if tiers[k] == "not_tekun":
            return None
        return (
            f"{s.who(k)}每月 {yuan(values[k])}：基本生活为{s.standard(s.i['standard'][k])}的 {factor(ratio)} 倍"
            f"（向上取整），加{G.CARE_TIER_LABELS[tiers[k]]}照料护理费（6 项日常生活活动有 {failed[k]} 项不能自理）"
        )

    return f"{s.each(say) or '没有成员享受特困供养'}；照料护理标准：{scale}"


def _rigid_expenditure(s: _Step) -> str:
    i = s.i
    capped = "，超出部分不计" if s.r["reason"] == "living_capped" else ""
    return (
        f"近 12 个月自付医疗 {yuan(i['medical'])}、教育 {yuan(i['education'])}、"
        f"康复 {yuan(i['rehabilitation'])}、基本生活 {yuan(i['living'])}"
        f"（上限 {yuan(s.r['living_cap'])}，即{s.standard(i['standard'])} × {i['family_size']} 人 × 12 个月"
        f"{capped}），减去已获救助和捐赠 {yuan(i['relief'])}，刚性支出合计 {yuan(s.r['value'])}"
    )


def _income_below_disposable(s: _Step) -> str:
    where = G.HUKOU_RESIDENT_LABELS.get(s.hukou or "", "当地居民")
    relation = "低于" if s.r["value"] else "不低于"
    return f"{_annual_per_capita(s)}，{relation}上年度{where}人均可支配收入 {yuan(s.i['disposable_annual'])}"


def _rigid_heavy(s: _Step) -> str:
    i = s.i
    annual = per(_d(i["family_income"]) * 12, i["window_months"], rounding=ROUND_HALF_UP)
    line = (annual * _d(i["expenditure_ratio"])).quantize(FEN, ROUND_HALF_UP)
    relation = "超过" if s.r["value"] else "未超过"
    scaled = (
        f"（近 {i['window_months']} 个月收入 {yuan(i['family_income'])}折算）"
        if _d(i["window_months"]) != 12
        else f"（近 {i['window_months']} 个月）"
    )
    return (
        f"刚性支出 {yuan(i['rigid'])}，{relation}家庭年收入 {yuan(annual)}{scaled}的 "
        f"{share(i['expenditure_ratio'])}（{yuan(line)}）"
    )


def _monitoring_mark(s: _Step) -> str:
    i, r = s.i, s.r
    if r["reason"] == "urban_not_monitored":
        return s.reason()
    kind = "脱贫户" if i.get("alleviated") else "农村家庭"
    inside = "低于" if "inside" in r["reason"] else "不低于"
    judged = i.get("risk_judgement_reason")
    why = f"（研判理由：{judged}）" if judged and r["reason"] == "inside_range_at_risk_by_judgement" else ""
    outcome = f"标识为{G.label('monitoring', r['value'])}" if r.get("value") else "不标识为防返贫监测对象"
    return (
        f"{kind}，{_annual_per_capita(s)}，{inside}防返贫监测范围 {yuan(i['line_annual'])}；"
        f"{s.reason()}{why}，{outcome}"
    )


def _category(s: _Step) -> str:
    return f"整户认定结果：{G.label('category', s.r.get('value'))}"


WRITERS: dict[str, Callable[[_Step], str]] = {
    "counted_member": _counted_member,
    "family_size": _family_size,
    "family_income": _family_income,
    "assets_within_limits": _assets,
    "income_below_dibao_standard": _income_below_standard,
    "no_work_capacity": _no_work_capacity,
    "no_able_supporter": _no_able_supporter,
    "tekun_household": _by_reason,
    "dibao_household": _by_reason,
    "dibao_amount": _dibao_amount,
    "classified_increment": _classified_increment,
    "gradual_exit": _gradual_exit,
    "income_below_edge_line": _income_below_edge,
    "dibao_edge_household": _by_reason,
    "tekun_member": _tekun_member,
    "individual_dibao_member": _individual_dibao_member,
    "individual_dibao_amount": _individual_dibao_amount,
    "tekun_amount": _tekun_amount,
    "rigid_expenditure": _rigid_expenditure,
    "income_below_disposable_line": _income_below_disposable,
    "rigid_expenditure_heavy": _rigid_heavy,
    "rigid_hardship_household": _by_reason,
    "refer_other_low_income": _by_reason,
    "monitoring_mark": _monitoring_mark,
    "category": _category,
}


def describe(entry: dict, *, hukou: str | None = None, members: Sequence[str] | None = None) -> str:
    """One step of a trace as a sentence ending with its clause. `hukou` names the standard that
    applied (农村/城市); `members` are the member names in trace order (`member_names`)."""
    writer = WRITERS.get(entry["rule"])
    step = _Step(entry, hukou, list(members or []))
    body = writer(step) if writer else entry.get("term", "")
    return f"{body}（{clause_text(entry.get('clause', ''))}）"


def member_names(trace: Sequence[dict]) -> list[str]:
    """The members' names for the sentences, from the trace's own family-unit step."""
    for entry in trace:
        if entry.get("rule") == "counted_member":
            return _member_names((entry.get("inputs") or {}).get("relation"))
    return []


def add_sentences(trace: list[dict], *, hukou: str | None) -> list[dict]:
    """Give every entry its `sentence` (in place; returns the trace)."""
    members = member_names(trace)
    for entry in trace:
        entry["sentence"] = describe(entry, hukou=hukou, members=members)
    return trace


def with_sentences(trace: Sequence[dict] | None, *, hukou: str | None) -> list[dict]:
    """A stored trace with a sentence on every entry: the stored one where it has one, else written
    now (traces stored before the sentences existed). The stored trace is not changed."""
    members = member_names(trace or [])
    return [
        entry
        if entry.get("sentence")
        else {**entry, "sentence": describe(entry, hukou=hukou, members=members)}
        for entry in trace or []
    ]


def without_sentences(result: dict) -> dict:
    """A result with its trace's sentences taken out: what a recomputation is compared on (the words
    may be improved; the decision may not change)."""
    trace = result.get("trace")
    if not isinstance(trace, list):
        return result
    return {**result, "trace": [{k: v for k, v in e.items() if k != "sentence"} for e in trace]}
