"""The temporary relief list (临时救助): its filters and its columns. The queryset is
`relief.selectors.applications_visible_to` (the applications in the user's reach), so a filter
can only narrow it. The applicant's name is masked, as in every list."""

from __future__ import annotations

import django_filters as df
import django_tables2 as tables
from django.db.models import Q

from safetynet.core.masking import mask_name
from safetynet.relief.models import PayMethod, ReliefKind, ReliefStatus
from safetynet.web.lists.filters import ALL, AreaFilter, ListFilter, _date, _search
from safetynet.web.lists.render import DateColumn
from safetynet.web.lists.tables import ListTable, _attrs

A = tables.A


class ReliefFilter(ListFilter):
    q = _search("申请人或编号", "申请人姓名、户编号或 LS 编号")
    kind = df.ChoiceFilter(label="类型", choices=ReliefKind.choices, empty_label=ALL)
    status = df.ChoiceFilter(label="状态", choices=ReliefStatus.choices, empty_label=ALL)
    pay_method = df.ChoiceFilter(label="发放方式", choices=PayMethod.choices, empty_label=ALL)
    township = AreaFilter(label="乡镇", field_name="township")
    outside_register = df.BooleanFilter(label="未在册人员", widget=df.widgets.BooleanWidget())
    created_from = _date("申请日期从", "created_at__date", "gte")
    created_to = _date("至", "created_at__date", "lte")
    date_pairs = (("created_from", "created_to"),)

    def search(self, qs, name, value):
        value = value.strip()
        match = Q(applicant_name__contains=value)
        digits = value.upper().removeprefix("LS")
        if digits.isdigit():
            match |= Q(pk=int(digits)) | Q(household_id=int(digits))
        return qs.filter(match)


class ReliefTable(ListTable):
    reference = tables.Column(
        "编号", linkify=("relief:detail", [A("pk")]), order_by=("id",), attrs={"td": {"class": "mono"}}
    )
    applicant_name = tables.Column("申请人")
    township = tables.Column("乡镇", order_by=("township__code", "id"))
    kind = tables.Column("类型")
    status = tables.Column("状态")
    amount_asked = tables.Column("申请金额（元）", attrs={"td": {"class": "text-end"}})
    amount_granted = tables.Column("批准金额（元）", attrs={"td": {"class": "text-end"}}, default="—")
    paperwork_due = DateColumn("Y-m-d", verbose_name="补办时限", default="—")
    created_at = DateColumn("Y-m-d", verbose_name="申请日期")

    class Meta(ListTable.Meta):
        attrs = _attrs("relief-table")
        empty_text = "暂无临时救助申请。"

    def render_applicant_name(self, record):
        name = mask_name(record.applicant_name)
        return f"{name}（未在册）" if record.outside_register else name

    def render_township(self, value):
        return value.name

    def render_kind(self, record):
        return record.get_kind_display()

    def render_status(self, record):
        return record.get_status_display()
