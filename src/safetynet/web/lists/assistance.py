"""The measures list of the assistance plan (帮扶计划 / 转介清单): its filters and its columns.

The queryset comes from `assistance.selectors` (the measures of the households in the user's
reach, or a liaison's referrals), so a filter can only narrow it. Names are masked."""

from __future__ import annotations

import django_filters as df
import django_tables2 as tables
from django.db.models import Q

from safetynet.core.glossary import DEPARTMENT_LABELS, MEASURE_KIND_LABELS, MEASURE_STATUS_LABELS
from safetynet.core.masking import mask_name
from safetynet.web.lists.filters import ALL, AreaFilter, ListFilter, _date, _search
from safetynet.web.lists.render import DateColumn
from safetynet.web.lists.tables import ListTable, _attrs, _place

A = tables.A


class MeasureFilter(ListFilter):
    q = _search("姓名或户编号", "姓名或户编号")
    kind = df.ChoiceFilter(label="措施类型", choices=list(MEASURE_KIND_LABELS.items()), empty_label=ALL)
    status = df.ChoiceFilter(label="状态", choices=list(MEASURE_STATUS_LABELS.items()), empty_label=ALL)
    department = df.ChoiceFilter(label="责任部门", choices=list(DEPARTMENT_LABELS.items()), empty_label=ALL)
    township = AreaFilter(label="乡镇", field_name="household__village__parent")
    referred_from = _date("转介日期从", "referred_on", "gte")
    referred_to = _date("至", "referred_on", "lte")
    date_pairs = (("referred_from", "referred_to"),)

    def search(self, qs, name, value):
        value = value.strip()
        match = Q(person__name__contains=value)
        if value.isdigit():
            match |= Q(household_id=int(value)) | Q(pk=int(value))
        return qs.filter(match)


class MeasureTable(ListTable):
    id = tables.Column("编号", linkify=("assistance:measure", [A("pk")]), attrs={"td": {"class": "mono"}})
    household = tables.Column("户", order_by=("household__village__code", "household_id"))
    person = tables.Column("对象", order_by=("person__name",))
    kind = tables.Column("措施类型")
    department = tables.Column("责任部门")
    status = tables.Column("状态")
    amount = tables.Column("金额（元）", attrs={"td": {"class": "text-end"}})
    referred_on = DateColumn("Y-m-d", verbose_name="转介日期")

    class Meta(ListTable.Meta):
        attrs = _attrs("measures")
        empty_text = "暂无帮扶措施。"

    def render_household(self, record):
        return f"户{record.household_id} {_place(record.household.village)}"

    def render_person(self, value):
        return mask_name(value.name)

    def render_kind(self, value):
        return MEASURE_KIND_LABELS.get(value, value)

    def render_department(self, value):
        return DEPARTMENT_LABELS.get(value, value)

    def render_status(self, value):
        return MEASURE_STATUS_LABELS.get(value, value)
