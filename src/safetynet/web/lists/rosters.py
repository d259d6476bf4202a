"""The columns of the rosters (django-tables2): a row per household's entitlement in force, names
masked, amounts in yuan; agriculture's list adds the monitoring type, the risk events, since when
the household is monitored and whether risk closure is possible (computed for the page's rows)."""

from __future__ import annotations

import django_tables2 as tables

from safetynet.core.glossary import CATEGORY_LABELS, MONITORING_TYPES, RISK_EVENTS
from safetynet.core.masking import mask_name
from safetynet.entitlements import selectors as entitlement_selectors
from safetynet.rosters.selectors import SORT_FIELDS
from safetynet.web.lists.render import DateColumn
from safetynet.web.lists.tables import ListTable, _attrs, _place

A = tables.A


class RosterTable(ListTable):
    count_unit = "户"
    keys_first = True  # the keys from entitlement_village's entries; the names for the page only
    household_id = tables.Column(
        "户号", linkify=("web:household", [A("household_id")]), order_by=SORT_FIELDS["household"]
    )
    # Every sort ends with the household (one row a household on a day), as the API's
    # (`SORT_FIELDS`): ties keep one order, so a page neither repeats a row of another nor skips one.
    village = tables.Column("村（社区）", order_by=SORT_FIELDS["village"])
    head = tables.Column("户主", accessor="head_name", orderable=False)
    people = tables.Column("人数", order_by=("people", "household_id"))
    category = tables.Column("认定类别", order_by=SORT_FIELDS["category"])
    monitoring_marked = tables.Column(
        "监测对象", empty_values=(), order_by=("monitoring_marked", "monitoring_type", "household_id")
    )
    benefit_monthly = tables.Column(
        "户月金额（元）", attrs={"td": {"class": "text-end"}}, order_by=SORT_FIELDS["amount"]
    )
    valid_from = DateColumn("Y-m-d", verbose_name="起始日期", order_by=SORT_FIELDS["valid_from"])
    review_due = DateColumn("Y-m-d", verbose_name="复核期限", order_by=SORT_FIELDS["review_due"])

    class Meta(ListTable.Meta):
        attrs = _attrs("roster")
        empty_text = "所选日期和条件下没有在册的户。"

    def render_household_id(self, value):
        return f"户{value}"

    def render_village(self, value):
        return _place(value)

    def render_head(self, value):
        return mask_name(value)

    def render_category(self, value):
        return CATEGORY_LABELS.get(value, value)

    def render_monitoring_marked(self, record):
        if not record.monitoring_marked:
            return "—"
        return MONITORING_TYPES.get(record.monitoring_type, "是")


class MonitoredTable(RosterTable):
    marked_since = tables.Column("监测起始", empty_values=(), orderable=False)
    risks = tables.Column("风险事件", accessor="household__risk_events", orderable=False, empty_values=())
    closure = tables.Column("风险消除", empty_values=(), orderable=False)

    outlook: dict[int, str] = {}

    class Meta(RosterTable.Meta):
        attrs = _attrs("monitored")
        empty_text = "所选日期和条件下没有防返贫监测对象。"
        exclude = ("category",)

    def render_marked_since(self, record):
        return entitlement_selectors.marked_since(record.household, record).isoformat()

    def render_risks(self, value):
        return "、".join(RISK_EVENTS.get(r, r) for r in value or ()) or "—"

    def render_closure(self, record):
        note = self.outlook.get(record.pk)
        if note is None:
            return "—"
        return "可以风险消除" if note == "" else f"暂不能：{note}"
