"""Chinese names for what the audit trail stores in English identifiers."""

from __future__ import annotations

import re

from safetynet.accounts.roles import ROLE_LABELS, Role
from safetynet.core import glossary
from safetynet.core.masking import mask_name
from safetynet.registry.models import (
    SELF_CARE_ACTIVITIES,
    DisabilityKind,
    Household,
    Hukou,
    LabourCapacity,
    Membership,
    NotCountedReason,
    Person,
    Relation,
    Sex,
)

ACTION_LABELS = {
    "login": "登录",
    "login.failed": "登录失败",
    "login.throttled": "登录受限（失败次数过多）",
    "household.create": "新建户",
    "household.update": "修改户信息",
    "membership.create": "添加家庭成员",
    "membership.update": "修改家庭成员",
    "membership.end": "成员离开本户",
    "membership.leave": "成员减少",
    "membership.status": "成员状态变化（服刑、全日制就读）",
    "membership.join": "成员增加",
    "household.change_head": "户主变更",
    "household.split": "分户",
    "household.merge": "合户（并入他户成员）",
    "household.close": "销户（合户并入他户）",
    "person.create": "新建人员",
    "person.update": "修改人员信息",
    "person.link": "关联他辖区人员（未修改其信息）",
    "person.unmask": "查看完整个人信息",
    "sitting.open": "召开审核确认小组会议",
    "sitting.attendance": "录入会议出席人员",
    "sitting.add_case": "案件列入会议议程",
    "sitting.vote": "录入会议表决结果",
    "sitting.confirm": "组长确认会议决定",
    **glossary.AUDIT_ACTION_LABELS,
}

OBJECT_TYPE_LABELS = {"household": "户", "person": "人员", "user": "用户", "sitting": "审核确认小组会议"}


def _verbose_names(*models) -> dict[str, str]:
    return {
        f.name: str(f.verbose_name)
        for m in models
        for f in m._meta.get_fields()
        if hasattr(f, "verbose_name")
    }


FIELD_LABELS = {
    **_verbose_names(Household, Person, Membership),
    "village": "村（社区）",
    "members": "成员人数",
    "person": "人员",
    "channel": "渠道",
    "fields": "查看的字段",
    "assigned_to": "分派给",
}

# Stored choice values shown as their Chinese labels in the audit trail.
_VALUE_LABELS = {
    "hukou": dict(Hukou.choices),
    "relation": dict(Relation.choices),
    "not_counted_reason": dict(NotCountedReason.choices),
    "disability_kind": dict(DisabilityKind.choices),
    "labour_capacity": dict(LabourCapacity.choices),
    "sex": dict(Sex.choices),
    "category": glossary.CATEGORY_LABELS,
    "monitoring_type": glossary.MONITORING_TYPES,
    "state": glossary.STATE_LABELS,
    "from_state": glossary.STATE_LABELS,
    "to_state": glossary.STATE_LABELS,
    "transition": glossary.TRANSITION_LABELS,
    "hardship_causes": glossary.HARDSHIP_CAUSES,
    "risk": glossary.RISK_EVENTS,
    "unit": glossary.UNIT_LABELS,
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def object_label(object_type: str) -> str:
    return OBJECT_TYPE_LABELS.get(object_type, object_type)


def role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role or "—"


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def value_label(name: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if name == "name" and isinstance(value, str):
        return mask_name(value)  # names are masked in every display, the trail included
    if name == "self_care_failed" and isinstance(value, list):
        return "、".join(SELF_CARE_ACTIVITIES.get(a, a) for a in value) or "（无）"
    if name == "fields" and isinstance(value, list):
        return "、".join(field_label(v) for v in value)
    if isinstance(value, list):
        return "、".join(
            value_label(name, v) if isinstance(v, dict) else str(_VALUE_LABELS.get(name, {}).get(v, v))
            for v in value
        )
    if isinstance(value, dict):  # a structured value (a comparison's summary, a vote): its pairs
        return "；".join(f"{field_label(str(k))}：{value_label(str(k), v)}" for k, v in value.items())
    return _VALUE_LABELS.get(name, {}).get(value, str(value))


def _blank(value) -> bool:
    return value in (None, "", [], False) or (isinstance(value, str) and re.fullmatch(r"0+(\.0+)?", value))


AREA_FIELDS = ("village",)  # changes that hold an area code, shown by the area's name


def area_codes_in(record) -> set[str]:
    """The area codes an audit record's changes hold (for one look-up of their names a page)."""
    codes = set()
    for name in AREA_FIELDS:
        change = (record.changes or {}).get(name)
        for value in change if isinstance(change, list) else [change]:
            if isinstance(value, str) and value.isdigit():
                codes.add(value)
    return codes


def change_rows(record) -> list[dict]:
    """[{label, before, after, pair}] for an audit record's {field: [before, after]}.

    In a record of something new each field shows its value alone, left out when empty; a
    plain value (`{"channel": "web"}`) has no 'before' either. Area codes are shown by name when
    the page looked them up (`record.area_names`)."""
    created = record.action.endswith(".create")
    names = getattr(record, "area_names", {})

    def shown(name, value):
        if name in AREA_FIELDS and isinstance(value, str) and value in names:
            return names[value]
        return value_label(name, value)

    rows = []
    for name, change in (record.changes or {}).items():
        if isinstance(change, list) and len(change) == 2 and name != "fields":
            before, after = change
            if created and before is None:
                if not _blank(after):
                    rows.append({"label": field_label(name), "after": shown(name, after), "pair": False})
                continue
            rows.append(
                {
                    "label": field_label(name),
                    "before": shown(name, before),
                    "after": shown(name, after),
                    "pair": True,
                }
            )
        else:
            rows.append({"label": field_label(name), "after": shown(name, change), "pair": False})
    return rows
