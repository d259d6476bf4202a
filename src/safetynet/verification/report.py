"""The per-case verification report (经济状况核对报告) and the verified policy input.

`build_report(household, uploads)` reads, for each current member, every current record each
source holds about them in its latest period (one per identity: a record sent again replaces the
earlier one, `verification.current`), and says per member and source what was found, as of when, and
what it means for income, assets, expenditure or hardship. `verified_input(household, report)`
returns the policy engine's household input (`assessments.inputs.household_input`) with verified
values in place of declared ones, and beside it the list of fields with declared value, verified
value, which one is used and the provenance text ("车辆评估价值 86,000.00 元，来自 车船登记（…），截至
2026-05-01").

Which value is used: for income and assets the higher of declared and verified (verification can
reveal what a family did not declare, but a department's silence does not cancel what the family
itself declared); for rigid expenditure the verified amount when the department has a record (an
expenditure counts when it is documented); counts (homes, company roles) the higher. A department
that has no data for the period is reported as "not queried" and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb

from safetynet.verification import storage
from safetynet.verification.current import PART, current_sql
from safetynet.verification.keys import wanted
from safetynet.verification.sources import SOURCES

POLICY_VEHICLE_KINDS = ("car", "truck", "boat", "farm_machinery")  # POLICY.md §3: cars, boats, farm machinery


def _yuan(value) -> str:
    return f"{Decimal(value or 0):,.2f}"


def _read_rows(code: str, uploads, indexes: list[str]) -> list[dict]:
    """The current records (one per identity, the one sent last) of these residents."""
    if not uploads or not indexes:
        return []
    con = duckdb.connect()
    try:
        back = wanted(con, indexes)
        query = current_sql(SOURCES[code], len(uploads), where="id_index IN (SELECT id_index FROM wanted)")
        cur = con.execute(
            f"SELECT * EXCLUDE (subject, {PART}) FROM ({query}) ORDER BY id_index, {PART}, _row",
            [str(storage.absolute(u.data_path)) for u in uploads],
        )
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()
    for r in rows:  # named by the database's blind index
        r["id_index"] = back[bytes(r["id_index"])]
    return rows


def _effects(code: str, rows: list[dict], on: dt.date) -> list[dict]:
    """What the rows of one source mean for one member."""
    label = SOURCES[code].label
    out = []

    def add(kind, field, value, text):
        out.append({"kind": kind, "field": field, "value": value, "text": text})

    for r in rows:
        as_of = r["as_of"].isoformat()
        src = f"来自{label}，截至{as_of}"
        if code == "hukou":
            if r["status"] == "deceased":
                when = r["death_date"].isoformat() if r.get("death_date") else "（日期不详）"
                add("membership", "deceased", when, f"已于{when}死亡，不再计入共同生活家庭成员（{src}）")
            elif r["status"] in ("moved_out", "cancelled"):
                add(
                    "membership",
                    r["status"],
                    None,
                    f"户籍已{SOURCES[code].column('status').choices[r['status']]}（{src}）",
                )
        elif code == "social_insurance":
            add(
                "income",
                "wage",
                str(r["wage_12m"]),
                f"工资性收入 {_yuan(r['wage_12m'])} 元/近12个月（{src}）",
            )
            if r.get("pension_12m"):
                add(
                    "income",
                    "transfer",
                    str(r["pension_12m"]),
                    f"养老金 {_yuan(r['pension_12m'])} 元/近12个月（{src}）",
                )
        elif code == "real_estate":
            if r["use"] == "residential":
                recent = r["registered_on"] >= on - dt.timedelta(days=365)
                add(
                    "asset",
                    "home",
                    r["unit_no"],
                    f"住宅一处，登记于{r['registered_on'].isoformat()}（{src}）",
                )
                if recent:
                    add("asset", "home_bought_within_year", True, f"申请前一年内登记住宅（{src}）")
            else:
                add("asset", "property", r["unit_no"], f"非住宅不动产一处（{r['use']}）（{src}）")
        elif code == "business":
            controlling = r["entity_kind"] == "company" and (
                r["role"] == "legal_rep" or (r["role"] == "shareholder" and (r.get("share_pct") or 0) >= 50)
            )
            role = SOURCES[code].column("role").choices[r["role"]]
            add(
                "asset",
                "company_role" if controlling else "business",
                r["entity_name"],
                f"任“{r['entity_name']}”{role}{'（法定代表人或控股股东）' if controlling else ''}（{src}）",
            )
        elif code == "vehicle":
            kind = SOURCES[code].column("kind").choices[r["kind"]]
            field = "vehicle" if r["kind"] in POLICY_VEHICLE_KINDS else "minor_vehicle"
            add("asset", field, str(r["value"]), f"{kind}评估价值 {_yuan(r['value'])} 元（{src}）")
        elif code == "financial":
            add(
                "asset",
                "financial",
                str(r["balance"]),
                f"{r['institution']}余额 {_yuan(r['balance'])} 元（{src}）",
            )
        elif code == "medical":
            add(
                "expenditure",
                "medical",
                str(r["self_paid_12m"]),
                f"医疗个人自付 {_yuan(r['self_paid_12m'])} 元/近12个月（{src}）",
            )
        elif code == "disability":
            add(
                "person",
                "disability",
                {"kind": r["kind"], "grade": r["grade"]},
                f"{r['grade']}级残疾，发证于{r['certified_on'].isoformat()}（{src}）",
            )
        elif code == "education":
            if r.get("cost_12m"):
                add(
                    "expenditure",
                    "education",
                    str(r["cost_12m"]),
                    f"教育支出 {_yuan(r['cost_12m'])} 元/近12个月（{src}）",
                )
            status = SOURCES[code].column("status").choices[r["status"]]
            add("signal", "education_status", r["status"], f"学籍状态：{status}（{r['school']}）（{src}）")
        elif code == "housing":
            add("signal", "housing_grade", r["grade"], f"房屋安全等级 {r['grade']}（{src}）")
        elif code == "emergency":
            add(
                "signal",
                "disaster",
                str(r["loss"]),
                f"{r['event_date'].isoformat()}受灾，损失 {_yuan(r['loss'])} 元（{src}）",
            )
        elif code == "unemployment":
            if r["status"] == "unemployed":
                add(
                    "signal",
                    "unemployment",
                    r["registered_on"].isoformat(),
                    f"{r['registered_on'].isoformat()}起失业登记（{src}）",
                )
        elif code == "water":
            add("signal", "water", bool(r["safe"]), f"饮水{'安全' if r['safe'] else '不安全'}（{src}）")
    return out


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def build_report(household, uploads: dict[str, list], *, sealer_for=None, on: dt.date | None = None) -> dict:
    from safetynet.core.masking import mask_name
    from safetynet.registry.selectors import current_members

    on = on or dt.date.today()
    members = list(current_members(household))
    indexes = [m.person.id_index for m in members]
    rows_by_source = {code: _read_rows(code, uploads.get(code, []), indexes) for code in SOURCES}
    report_members = []
    for m in members:
        p = m.person
        per_source = []
        for code, source in SOURCES.items():
            ups = uploads.get(code, [])
            rows = [r for r in rows_by_source[code] if r["id_index"] == p.id_index]
            as_of = max((r["as_of"] for r in rows), default=None)
            per_source.append(
                {
                    "source": code,
                    "label": source.label,
                    "department": source.department,
                    "queried": bool(ups),
                    "period": ups[0].period if ups else None,
                    "found": bool(rows),
                    "as_of": as_of.isoformat() if as_of else None,
                    "records": [
                        {k: _json(v) for k, v in r.items() if k not in ("id_index", "upload_sha", "_row")}
                        for r in rows
                    ],
                    "effects": _effects(code, rows, on),
                    "meaning": source.meaning,
                }
            )
        report_members.append(
            {
                "person_id": p.pk,
                "name": mask_name(p.name),
                "relation": m.relation,
                "counted": m.counted,
                "sources": per_source,
            }
        )
    return {
        "household_id": household.pk,
        "on": on.isoformat(),
        "sources": {code: (ups[0].period if ups else None) for code, ups in uploads.items()},
        "uploads": sorted(u.pk for ups in uploads.values() for u in ups),
        "members": report_members,
    }


def _money(value) -> Decimal:
    return Decimal(str(value or 0))


def verified_input(household, report: dict) -> tuple[dict, list[dict]]:
    """The policy input with verified values, and the declared-vs-verified comparison."""
    from safetynet.assessments.inputs import household_input
    from safetynet.registry.selectors import current_members

    members = list(current_members(household))
    data = household_input(household, members)
    comparison: list[dict] = []
    by_person = {m["person_id"]: m for m in report["members"]}

    def effects(person_id, kind=None, field=None):
        for s in by_person.get(person_id, {}).get("sources", []):
            for e in s["effects"]:
                if (kind is None or e["kind"] == kind) and (field is None or e["field"] == field):
                    yield s, e

    def queried(code):
        return report["sources"].get(code) is not None

    def compare(path, label, declared, verified, provenance, *, prefer="higher", found=True):
        if verified is None:
            used = "declared"
        elif prefer == "verified" and found:
            used = "verified"
        else:
            used = "verified" if verified > declared else "declared"
        comparison.append(
            {
                "field": path,
                "label": label,
                "declared": str(declared),
                "verified": None if verified is None else str(verified),
                "used": used,
                "provenance": provenance,
            }
        )
        return verified if used == "verified" else declared

    pids = [m.person.pk for m in members]
    # Assets: financial
    if queried("financial"):
        items = [e for pid in pids for _, e in effects(pid, "asset", "financial")]
        verified = sum((_money(e["value"]) for e in items), Decimal(0))
        declared = _money(data["assets"]["financial"])
        used = compare("assets.financial", "金融资产（元）", declared, verified, [e["text"] for e in items])
        data["assets"]["financial"] = str(used)
    # Assets: vehicles
    if queried("vehicle"):
        items = [e for pid in pids for _, e in effects(pid, "asset", "vehicle")]
        declared_list = data["assets"]["vehicles"]
        declared_total = sum((_money(v["value"]) for v in declared_list), Decimal(0))
        verified_total = sum((_money(e["value"]) for e in items), Decimal(0))
        exempt_values = [v["value"] for v in declared_list if v["exempt"]]
        verified_list = []
        for e in items:
            value = str(_money(e["value"]))
            exempt = value in exempt_values
            if exempt:
                exempt_values.remove(value)  # a declared exemption carries over to the same vehicle
            verified_list.append({"value": value, "exempt": exempt})
        use_verified = len(items) > len(declared_list) or verified_total > declared_total
        comparison.append(
            {
                "field": "assets.vehicles",
                "label": "车辆（辆 / 合计评估价值）",
                "declared": f"{len(declared_list)} / {declared_total}",
                "verified": f"{len(items)} / {verified_total}",
                "used": "verified" if use_verified else "declared",
                "provenance": [e["text"] for e in items],
            }
        )
        if use_verified:
            data["assets"]["vehicles"] = verified_list
    if queried("real_estate"):
        homes = [e for pid in pids for _, e in effects(pid, "asset", "home")]
        data["assets"]["homes"] = int(
            compare(
                "assets.homes", "住房套数", data["assets"]["homes"], len(homes), [e["text"] for e in homes]
            )
        )
        recent = [e for pid in pids for _, e in effects(pid, "asset", "home_bought_within_year")]
        if recent and not data["assets"]["home_bought_within_year"]:
            data["assets"]["home_bought_within_year"] = True
            comparison.append(
                {
                    "field": "assets.home_bought_within_year",
                    "label": "申请前一年内购房",
                    "declared": "False",
                    "verified": "True",
                    "used": "verified",
                    "provenance": [e["text"] for e in recent],
                }
            )
    if queried("business"):
        roles = [e for pid in pids for _, e in effects(pid, "asset", "company_role")]
        data["assets"]["company_roles"] = int(
            compare(
                "assets.company_roles",
                "任企业法人或控股股东数",
                data["assets"]["company_roles"],
                len(roles),
                [e["text"] for e in roles],
            )
        )
    # Income per member (wages; pensions as transfers)
    if queried("social_insurance"):
        for i, m in enumerate(members):
            for field, label in (("wage", "工资性收入"), ("transfer", "转移净收入（养老金）")):
                items = [e for _, e in effects(m.person.pk, "income", field)]
                if not items:
                    continue
                verified = sum((_money(e["value"]) for e in items), Decimal(0))
                declared = _money(data["members"][i]["income_12m"][field])
                used = compare(
                    f"members.{i}.income_12m.{field}",
                    f"{m.person.name[:1]}**{label}（元/12个月）",
                    declared,
                    verified,
                    [e["text"] for e in items],
                )
                data["members"][i]["income_12m"][field] = str(used)
    # Rigid expenditure: documented amounts
    for code, field, label in (
        ("medical", "medical", "医疗自付（元/12个月）"),
        ("education", "education", "教育支出（元/12个月）"),
    ):
        if not queried(code):
            continue
        items = [e for pid in pids for _, e in effects(pid, "expenditure", field)]
        if not items:
            continue
        verified = sum((_money(e["value"]) for e in items), Decimal(0))
        declared = _money(data["rigid_expenditure_12m"][field])
        used = compare(
            f"rigid_expenditure_12m.{field}",
            label,
            declared,
            verified,
            [e["text"] for e in items],
            prefer="verified",
        )
        data["rigid_expenditure_12m"][field] = str(used)
    # Disability certificates
    if queried("disability"):
        for i, m in enumerate(members):
            items = [e for _, e in effects(m.person.pk, "person", "disability")]
            if items and not data["members"][i]["disability"]:
                data["members"][i]["disability"] = dict(items[0]["value"])
                comparison.append(
                    {
                        "field": f"members.{i}.disability",
                        "label": "残疾",
                        "declared": "无",
                        "verified": f"{items[0]['value']['grade']}级",
                        "used": "verified",
                        "provenance": [items[0]["text"]],
                    }
                )
    # Risk events from warning signals
    events = set(data["risk_events"])
    for pid in pids:
        for _, e in effects(pid, "signal"):
            if e["field"] == "disaster":
                events.add("disaster")
            elif e["field"] == "unemployment":
                events.add("unemployment")
    if events != set(data["risk_events"]):
        comparison.append(
            {
                "field": "risk_events",
                "label": "致贫返贫风险事件",
                "declared": "、".join(sorted(data["risk_events"])) or "无",
                "verified": "、".join(sorted(events)),
                "used": "verified",
                "provenance": [
                    e["text"]
                    for pid in pids
                    for _, e in effects(pid, "signal")
                    if e["field"] in ("disaster", "unemployment")
                ],
            }
        )
        data["risk_events"] = sorted(events)
    # Deceased members leave the family unit
    for i, m in enumerate(members):
        dead = [e for _, e in effects(m.person.pk, "membership", "deceased")]
        if dead:
            comparison.append(
                {
                    "field": f"members.{i}",
                    "label": "家庭成员",
                    "declared": "在册",
                    "verified": "已死亡",
                    "used": "verified",
                    "provenance": [dead[0]["text"]],
                }
            )
    dead_ids = {
        str(m.person.pk) for m in members if any(True for _ in effects(m.person.pk, "membership", "deceased"))
    }
    data["members"] = [mm for mm in data["members"] if mm["id"] not in dead_ids] or data["members"]
    return data, comparison
