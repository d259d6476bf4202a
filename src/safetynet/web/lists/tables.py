"""The columns of every list (django-tables2 Tables): what each shows, in Chinese through the
glossary, areas by name, personal names masked; which columns sort (by clicking the header) and on
what. Rendered by `web/table.html`."""

from __future__ import annotations

import copy
import html
import unicodedata

import django_tables2 as tables
from django.db.models import QuerySet
from django.template.backends.utils import csrf_input
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2.data import TableQuerysetData

from safetynet.cases import worklists
from safetynet.cases.models import Channel, Lead
from safetynet.cases.services.triage import officer_name
from safetynet.core import clock, glossary
from safetynet.core.masking import mask_name
from safetynet.core.paging import ended_by_key
from safetynet.web import labels
from safetynet.web.lists.render import DateColumn, id_url

TABLE_CLASS = "table table-sm table-hover table-stack"
A = tables.A
# Labels by stored value, looked up once per cell (an enum's `.choices` and `.values` are built anew
# on every call); a case's state by the glossary's own table of stored values.
CHANNEL_LABELS = dict(Channel.choices)
SUMMARY_CHARS = 60


def _attrs(table_id: str) -> dict:
    return {"class": TABLE_CLASS, "id": table_id}


def _place(village) -> str:
    return f"{village.parent.name} {village.name}" if village.parent_id else village.name


class _Columns(dict):
    """A table class's declared columns, which tables2 deep-copies for every table it makes: here
    each table gets its own copy of each column (tables2 sets a column's accessor and visibility on
    it), sharing what the columns hold — their attributes, labels and links, read only. A page's
    table is made in half the time."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(column) for name, column in self.items()}


class ListData(TableQuerysetData):
    """A list's queryset, whose pages are read sorted to the key (`ended_by_key`). tables2 reads
    and sets the sort on the queryset as given (the headers' marks); only a page's read adds the
    key."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return ended_by_key(self.data)[key]
        return super().__getitem__(key)


class KeysFirstData(ListData):
    """A queryset's page read in two statements: the page's primary keys, by the filters and the
    sort alone, then those rows with their joins and subqueries, in the same sort. Where an index
    holds the columns the filters and the sort read, the database sorts index entries and visits
    only the page's rows, not every row selected (a township's roster: thousands)."""

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            return super().__getitem__(key)
        rows = ended_by_key(self.data)
        keys = list(rows.prefetch_related(None).values_list("pk", flat=True)[key])
        return rows.filter(pk__in=keys)


class ListTable(tables.Table):
    count_unit = "条"  # "共 N 条" above the table
    # The columns a row of the list reads, when it reads model rows (`QuerySet.only`): what a row
    # does not show — a household's JSON and decimal columns, a person's encrypted ones, a lead's
    # evidence — is then neither fetched nor converted, for each of the page's rows.
    row_fields: tuple[str, ...] = ()
    # A page's rows read by their keys first (`KeysFirstData`): for a list whose rows' joins and
    # subqueries cost more than finding them.
    keys_first = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.base_columns = _Columns(cls.base_columns)

    def __init__(self, data, *args, **kwargs):
        if self.row_fields and isinstance(data, QuerySet):
            data = data.only(*self.row_fields)
        if isinstance(data, QuerySet):
            data = KeysFirstData(data) if self.keys_first else ListData(data)
        super().__init__(data, *args, **kwargs)

    class Meta:
        attrs = {"class": TABLE_CLASS}
        template_name = "web/table.html"
        empty_text = "没有符合条件的记录。"
        default = "—"


# ---- the procedure ---------------------------------------------------------------------------


class LeadTable(ListTable):
    lead_id = tables.CheckBoxColumn(
        accessor="pk",
        verbose_name="选择",
        attrs={
            "th__input": {
                "class": "form-check-input",
                "data-check-all": "lead_id",
                "aria-label": "全选本页线索",
            },
            "td__input": {
                "class": "form-check-input",
                "form": "lead-bulk",
                "aria-label": lambda record: f"选择线索 {record.reference}",
            },
        },
    )
    reference = tables.Column("编号", linkify=("cases:lead", [A("pk")]), attrs={"td": {"class": "mono"}})
    channel = tables.Column("来源")
    village = tables.Column("村（社区）", order_by=("village__code",))
    subject_name = tables.Column("当事人")
    summary = tables.Column("情况", orderable=False)
    received_at = tables.Column("已收到（天）", order_by=("-received_at", "-id"))
    assigned_to = tables.Column("分派给", order_by=("assigned_to__username",))
    household = tables.Column("户档案", accessor="household_id", orderable=False, empty_values=())
    actions = tables.Column(
        "操作", accessor="pk", orderable=False, empty_values=(), attrs={"td": {"class": "row-actions"}}
    )

    row_fields = (
        "reference",
        "channel",
        "department",
        "village__name",
        "village__parent__name",
        "subject_name",
        "summary",
        "received_at",
        "assigned_to__username",
        "assigned_to__display_name",
        "assigned_to__area__name",
        "household_id",
        "status",
    )

    class Meta(ListTable.Meta):
        attrs = _attrs("leads")
        empty_text = "暂无符合条件的线索。"

    def __init__(self, data, *, can_accept: bool = False, **kwargs):
        exclude = () if can_accept else ("lead_id", "actions")
        super().__init__(data, exclude=exclude, **kwargs)
        self.today = clock.today()
        self.can_accept = can_accept
        self.urls = {name: id_url(name) for name in ("cases:lead", "cases:dismiss", "web:household")}
        self.accept_url = html.escape(reverse("cases:accept"))

    def render_channel(self, value, record):
        text = CHANNEL_LABELS.get(value, value)
        return f"{text}（{record.department}）" if record.department else text

    def render_village(self, value):
        return _place(value)

    def render_subject_name(self, value):
        return mask_name(value)

    def render_summary(self, value):
        """`truncatechars`: the text as it normalizes it, cut to 60 characters with "…" when longer
        (most summaries are short: the text is then all)."""
        text = unicodedata.normalize("NFC", value)
        return text if len(text) <= SUMMARY_CHARS else truncatechars(value, SUMMARY_CHARS)

    def render_received_at(self, record):
        return worklists.days_since(record, self.today)

    def render_assigned_to(self, value):
        return f"{officer_name(value)}（{value.area.name}）" if value.area_id else officer_name(value)

    def render_household(self, record):
        if record.household_id:
            pk = int(record.household_id)
            return mark_safe(f'<a href="{html.escape(self.urls["web:household"](pk))}">户{pk}</a>')
        return mark_safe('<span class="text-body-secondary">未建档</span>')

    def render_actions(self, record):
        """受理 (once the lead has a household) and 排除 with a reason, for a new lead; else its status."""
        if record.status != Lead.Status.NEW:
            return record.get_status_display()
        if getattr(self, "_csrf", None) is None:
            self._csrf = csrf_input(self.request)  # one token for the page's forms
        # escaped as format_html escaped them; the token is Django's own input
        pk, reference = int(record.pk), html.escape(record.reference)
        if record.household_id:
            accept = (
                f'<form method="post" action="{self.accept_url}" class="d-inline">{self._csrf}\n  <input '
                f'type="hidden" name="lead_id" value="{pk}"><button type="submit" class="btn btn-sm btn-primary">'
                "受理</button></form>"
            )
        else:
            accept = (
                f'<a class="btn btn-sm btn-outline-primary" href="{html.escape(self.urls["cases:lead"](pk))}">'
                "建档后受理</a>"
            )
        dismiss = (
            f'\n<form method="post" action="{html.escape(self.urls["cases:dismiss"](pk))}" '
            'class="d-inline dismiss-form" '
            f'data-confirm="确定排除线索 {reference}？排除后不予受理，并记入审计日志。">{self._csrf}\n  <input '
            'class="form-control form-control-sm" name="reason" placeholder="排除理由" aria-label="排除线索 '
            f'{reference} 的理由" required><button class="btn btn-sm btn-outline-secondary" type="submit">排除'
            "</button></form>"
        )
        return mark_safe(accept + dismiss)


DEADLINE_PROVISIONAL = (
    ' <span class="badge text-bg-secondary" title="该年度尚无国务院节假日安排，暂按周末计算">暂定</span>'
)
EXTENDED = ' <span class="badge text-bg-secondary">已延期</span>'


class CaseTable(ListTable):
    reference = tables.Column(
        "案件编号", linkify=("cases:detail", [A("pk")]), attrs={"td": {"class": "mono"}}
    )
    village = tables.Column("村（社区）", order_by=("village__code",))
    applicant_name = tables.Column("申请人")
    state = tables.Column("环节")
    accepted_on = DateColumn("Y-m-d", verbose_name="受理日期")
    deadline = tables.Column("办结时限", order_by=("deadline", "id"), empty_values=())
    remaining = tables.Column("剩余工作日", accessor="deadline", order_by=("deadline", "id"), empty_values=())

    row_fields = (
        "reference",
        "village__name",
        "village__parent__name",
        "applicant_name",
        "state",
        "accepted_on",
        "deadline",
        "deadline_provisional",
        "extended",
    )

    class Meta(ListTable.Meta):
        attrs = _attrs("cases")
        empty_text = "没有符合条件的案件。"
        row_attrs = {"class": lambda record, table: "table-warning" if table.clock(record).overdue else ""}

    def __init__(self, data, **kwargs):
        if isinstance(data, QuerySet):
            # A case's own village, which is its household's (moved with it: `Case.village`), read
            # without joining the household: the page's statement joins two tables, not four.
            data = data.select_related(None).select_related("village__parent")
        super().__init__(data, **kwargs)
        self.clocks = worklists.Clocks()

    def clock(self, case):
        return self.clocks.of(case)

    def render_village(self, value):
        return _place(value)

    def render_applicant_name(self, value):
        return mask_name(value)

    def render_state(self, value):
        return glossary.STATE_LABELS.get(value, value)

    def render_deadline(self, record):
        """The deadline, marked 暂定 while its year has no official holiday calendar yet and 已延期
        once extended (a template per row took a tenth of the page's time)."""
        text = record.deadline.isoformat() if record.deadline else "—"
        return mark_safe(
            text
            + (DEADLINE_PROVISIONAL if record.deadline_provisional else "")
            + (EXTENDED if record.extended else "")
        )

    def render_remaining(self, record):
        k = self.clock(record)
        if k.overdue:
            return format_html("<strong>超期{}个工作日</strong>", -k.remaining)
        if k.due_soon:
            return format_html("<strong>{}（即将到期）</strong>", k.remaining)
        return "—" if k.remaining is None else k.remaining


def _cases_link(text, **query) -> str:
    from urllib.parse import urlencode

    return format_html('<a href="{}?{}">{}</a>', reverse("cases:list"), urlencode(query), text)


class DeadlineTable(ListTable):
    """时限看板: per township, its open, due-soon and overdue cases, each a link to those cases."""

    name = tables.Column("乡镇", footer="合计")
    open = tables.Column("在办", footer=lambda table: sum(r["open"] for r in table.data))
    due_soon = tables.Column("即将到期", footer=lambda table: sum(r["due_soon"] for r in table.data))
    overdue = tables.Column("已超期", footer=lambda table: sum(r["overdue"] for r in table.data))

    class Meta(ListTable.Meta):
        attrs = _attrs("dashboard")
        empty_text = "没有符合条件的乡镇。"
        row_attrs = {"class": lambda record: "table-warning" if record["overdue"] else ""}

    def render_open(self, value, record):
        return _cases_link(value, township=record["code"]) if value else 0

    def render_due_soon(self, value, record):
        return _cases_link(value, township=record["code"], due="soon") if value else 0

    def render_overdue(self, value, record):
        return _cases_link(value, township=record["code"], due="overdue") if value else 0


class InboxTable(ListTable):
    kind = tables.Column("类型")
    title = tables.Column("通知")
    created_at = tables.DateTimeColumn("Y-m-d H:i", verbose_name="时间")
    read_at = tables.TemplateColumn(
        template_name="cases/partials/inbox_read.html", verbose_name="状态", empty_values=()
    )

    class Meta(ListTable.Meta):
        attrs = _attrs("inbox")
        empty_text = "暂无通知。"
        row_attrs = {"class": lambda record: "" if record.read_at else "fw-semibold"}

    def render_kind(self, record):
        return format_html('<span class="badge text-bg-secondary">{}</span>', record.get_kind_display())

    def render_title(self, value, record):
        url = reverse("cases:detail", args=[record.case_id]) if record.case_id else reverse("cases:leads")
        return format_html('<a href="{}">{}</a>', url, value)


# ---- the register, data exchange, audit, parameters -------------------------------------------


class HouseholdTable(ListTable):
    count_unit = "户"
    id = tables.Column("户号", linkify=("web:household", [A("pk")]))
    village = tables.Column("村（社区）", order_by=("village__code",))
    address = tables.Column("住址")
    head = tables.Column("户主", orderable=False)
    member_count = tables.Column("人数")
    alleviated = tables.Column("脱贫户", empty_values=())

    row_fields = ("village__name", "village__parent__name", "address", "head__name", "alleviated")

    class Meta(ListTable.Meta):
        attrs = _attrs("households")
        empty_text = "没有符合条件的户。"

    def render_id(self, value):
        return f"户{value}"

    def render_village(self, value):
        return _place(value)

    def render_head(self, value):
        return mask_name(value.name)

    def render_alleviated(self, value):
        return mark_safe('<span class="badge text-bg-secondary">脱贫户</span>') if value else "—"


class UploadTable(ListTable):
    uploaded_at = tables.DateTimeColumn("Y-m-d H:i", verbose_name="时间")
    source = tables.Column("来源")
    filename = tables.Column("文件", linkify=("verification:upload", [A("pk")]))
    status = tables.Column("状态")
    period = tables.Column("期别")
    rows_loaded = tables.Column("导入行数")
    error_count = tables.Column("错误", empty_values=())

    class Meta(ListTable.Meta):
        attrs = _attrs("uploads")
        empty_text = "暂无上传。"

    def render_source(self, record):
        return record.source_label

    def render_status(self, record):
        return record.get_status_display()


class AuditTable(ListTable):
    seq = tables.Column("序号")
    at = tables.TemplateColumn(
        '<time datetime="{{ record.at|date:\'c\' }}">{{ record.at|date:"Y-m-d H:i:s" }}</time>',
        verbose_name="时间",
    )
    actor = tables.Column("操作人")
    role = tables.Column("角色")
    area = tables.Column("区域")
    action = tables.Column("操作")
    object_type = tables.Column("对象", order_by=("object_type", "object_id"), empty_values=())
    changes = tables.TemplateColumn(
        '{% include "web/partials/changes.html" with record=record %}',
        verbose_name="变更内容",
        orderable=False,
    )
    reason = tables.Column("原因", orderable=False)

    class Meta(ListTable.Meta):
        attrs = {**_attrs("audit"), "class": f"{TABLE_CLASS} audit-table"}
        empty_text = "没有符合条件的记录。"

    area_names: dict = {}

    def render_role(self, value):
        return labels.role_label(value)

    def render_area(self, value):
        return self.area_names.get(value, value)

    def render_action(self, value):
        return labels.action_label(value)

    def render_object_type(self, record):
        if record.object_type == "household" and record.object_id:
            return format_html(
                '<a href="{}">户{}</a>', reverse("web:household", args=[record.object_id]), record.object_id
            )
        if record.object_type:
            return f"{labels.object_label(record.object_type)}{record.object_id}"
        return "—"


class ParameterTable(ListTable):
    label = tables.TemplateColumn(
        '{{ record.label }}<br><span class="mono text-body-secondary">{{ record.name }}</span>',
        verbose_name="参数",
        order_by=("name",),
    )
    value = tables.Column("取值", accessor="entry__value", attrs={"td": {"class": "mono"}})
    unit = tables.Column("单位")
    effective_from = DateColumn("Y-m-d", verbose_name="生效日期", accessor="entry__effective_from")
    verified = tables.Column("核实", accessor="entry__verified", empty_values=())
    reference = tables.TemplateColumn(
        template_name="assessments/partials/parameter_reference.html", verbose_name="依据", orderable=False
    )

    class Meta(ListTable.Meta):
        attrs = _attrs("parameters")
        empty_text = "没有符合条件的参数。"

    def render_value(self, value):
        from safetynet.web.templatetags.glossary import grouped

        return grouped(value)

    def render_unit(self, value):
        return glossary.label("unit", value)

    def render_verified(self, value):
        if value:
            return mark_safe('<span class="badge text-bg-secondary">已核实</span>')
        return mark_safe('<span class="badge text-bg-warning">未核实</span>')
