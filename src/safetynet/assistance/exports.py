"""The lists the plan hands to departments, as CSV in the layout of docs/assistance.md:

- 住建 六类重点对象名单: every rural household of the six key groups (建村〔2021〕35号) in the
  user's reach on a day, with its 危房改造 measure, for 住建 to match against its house-safety data;
- 医保 参保资助名单: every premium-subsidy measure referred in a year, with its share and amount.

Names and ID numbers are in full only for a role that may unmask personal data, and every export is
audited (with whether it was unmasked). UTF-8 with BOM, CRLF: opens in Excel as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.assistance import selectors
from safetynet.assistance.models import Measure
from safetynet.assistance.suggestions import KEY_GROUP_CATEGORIES
from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import PermissionDenied
from safetynet.core.glossary import CATEGORY_LABELS, MEASURE_STATUS_LABELS, SIX_KEY_GROUP_LABELS
from safetynet.core.masking import mask_id_number, mask_name
from safetynet.entitlements.selectors import entitled_on
from safetynet.registry.selectors import households_visible_to, with_member_count

HOUSING_COLUMNS = (
    "序号", "乡镇", "村（社区）", "户编号", "户主姓名", "户主身份证号码", "住址", "家庭人口",
    "重点对象类别", "认定类别", "防返贫监测对象", "危房改造措施编号", "危房改造措施状态",
)  # fmt: skip
PREMIUM_COLUMNS = (
    "序号", "乡镇", "村（社区）", "户编号", "姓名", "身份证号码", "资助类别", "资助金额（元）",
    "措施编号", "措施状态", "转介日期",
)  # fmt: skip
PREMIUM_REASONS = {
    "tekun_share": "特困人员（全额资助）",
    "dibao_share": "低保对象",
    "monitored_share": "防返贫监测对象",
}


def _csv(header, rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _shown(user):
    full = user.can(Perm.UNMASK_PERSONAL_DATA)
    return full, (lambda n: n) if full else mask_name, (lambda i: i) if full else mask_id_number


def _allowed(user) -> None:
    if not user.can(Perm.EXPORT_REFERRAL_LISTS):
        raise PermissionDenied("您无权导出部门名单。")


def _audit(user, client, action_list: str, count: int, full: bool, params: dict) -> None:
    record_audit(
        actor=Actor.of(user, client),
        action="assistance.export",
        object_type="referral_list",
        object_id=action_list,
        changes={"rows": count, "unmasked": full, **params},
    )


def housing_key_groups(*, user, on: dt.date, client: str = "") -> bytes:
    """住建 六类重点对象名单 on `on`."""
    _allowed(user)
    full, name, idno = _shown(user)
    rows_by_hh: dict[int, tuple[str, str, bool]] = {}
    for e in entitled_on(user, on).filter(household__hukou="rural"):
        if e.category in KEY_GROUP_CATEGORIES:
            rows_by_hh[e.household_id] = (e.category, e.category, e.monitoring_marked)
        elif e.monitoring_marked:
            rows_by_hh[e.household_id] = ("monitored", e.category, True)
    for hid in (
        households_visible_to(user)
        .filter(alleviated=True, hukou="rural", closed_on__isnull=True)
        .values_list("pk", flat=True)
    ):
        rows_by_hh.setdefault(hid, ("alleviated", "", False))
    households = with_member_count(
        households_visible_to(user).filter(pk__in=list(rows_by_hh)).select_related("village__parent", "head")
    ).order_by("village__code", "pk")
    repairs: dict[int, Measure] = {}
    for m in Measure.objects.filter(household_id__in=list(rows_by_hh), kind="housing_repair").order_by("id"):
        repairs[m.household_id] = m  # the latest
    out = []
    for n, hh in enumerate(households, start=1):
        group, category, marked = rows_by_hh[hh.pk]
        repair = repairs.get(hh.pk)
        head = hh.head
        out.append(
            [
                n, hh.village.parent.name if hh.village.parent_id else "", hh.village.name, hh.pk,
                name(head.name) if head else "", idno(head.id_number) if head else "", hh.address,
                hh.member_count, SIX_KEY_GROUP_LABELS[group], CATEGORY_LABELS.get(category, ""),
                "是" if marked else "否", repair.pk if repair else "",
                MEASURE_STATUS_LABELS[repair.status] if repair else "",
            ]
        )  # fmt: skip
    with transaction.atomic():
        _audit(user, client, "housing_key_groups", len(out), full, {"on": on.isoformat()})
    return _csv(HOUSING_COLUMNS, out)


def premium_subsidy(*, user, year: int, client: str = "") -> bytes:
    """医保 参保资助名单 of `year` (measures referred that year)."""
    _allowed(user)
    full, name, idno = _shown(user)
    out = []
    for n, m in enumerate(selectors.premium_measures(user, year), start=1):
        v = m.household.village
        out.append(
            [
                n, v.parent.name if v.parent_id else "", v.name, m.household_id,
                name(m.person.name) if m.person else "", idno(m.person.id_number) if m.person else "",
                PREMIUM_REASONS.get(m.reason, "乡镇录入"), "" if m.amount is None else f"{m.amount:.2f}",
                m.pk, MEASURE_STATUS_LABELS[m.status], m.referred_on.isoformat() if m.referred_on else "",
            ]
        )  # fmt: skip
    with transaction.atomic():
        _audit(user, client, "premium_subsidy", len(out), full, {"year": year})
    return _csv(PREMIUM_COLUMNS, out)
