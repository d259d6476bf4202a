"""The search box and filters of every list (django-filter FilterSets). Each filters a queryset
that the view took from the app's scoped selectors; area choices are the areas in the user's
reach, shown by name; a value outside them is refused as an invalid choice, never widened to."""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone

from safetynet.cases import worklists
from safetynet.cases.models import OPEN_STATES, Channel, InboxItem, Lead
from safetynet.cases.workflow import STATE_LABELS, State
from safetynet.core import clock
from safetynet.registry import selectors as registry
from safetynet.registry.models import Area, Hukou
from safetynet.verification.models import Upload
from safetynet.verification.selectors import sources_of
from safetynet.verification.sources import SOURCES
from safetynet.web import labels
from safetynet.web.selectors import areas_in_reach, audit_actions

ALL = "全部"


class AreaField(forms.ChoiceField):
    """An area by its code in the query string, among `areas` (`registry.AreaChoice`, in the
    user's reach), shown by name (a village after its township); cleaned to the Area. A code
    outside them is refused with ModelChoiceField's message, and no query is made either way."""

    default_error_messages = forms.ModelChoiceField.default_error_messages

    def __init__(self, *, areas=(), empty_label=ALL, **kwargs):
        self.areas = {a.code: a for a in areas}
        super().__init__(choices=[("", empty_label), *((a.code, a.label) for a in areas)], **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        area = self.areas.get(str(value))
        if area is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return area.instance()

    def validate(self, value):
        forms.Field.validate(self, value)  # to_python has checked the choice

    def prepare_value(self, value):
        return value.code if isinstance(value, Area) else value


class AreaFilter(df.Filter):
    """A township or village filter whose choices are `areas(request)`: by default those of the
    request's `web.selectors.areas_in_reach` at `level`, which every area filter and select of the
    page share (one query, however many filters)."""

    field_class = AreaField

    def __init__(self, *args, level: str = Area.Level.TOWNSHIP, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = areas or (lambda request: areas_in_reach(request, level))

    @property
    def field(self):
        if not hasattr(self, "_field"):
            self.extra["areas"] = self.areas(self.parent.request)
        return super().field


def _case_townships(request) -> list:
    """The townships a user's cases lie in (`worklists.townships_of`): those in reach, read with the
    page's other areas, else (a village officer's) the officer's own township."""
    return areas_in_reach(request, Area.Level.TOWNSHIP) or registry.area_choices_of(
        worklists.townships_of(request.user)
    )


def _search(label: str, placeholder: str, method: str = "search") -> df.CharFilter:
    return df.CharFilter(
        label=label,
        method=method,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder, "autocomplete": "off"}),
    )


def _date(label: str, field_name: str, lookup: str) -> df.DateFilter:
    return df.DateFilter(
        label=label, field_name=field_name, lookup_expr=lookup, widget=forms.DateInput(attrs={"type": "date"})
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class DatePairsForm(forms.Form):
    """A filter form that refuses a "from" date after its "to" date (`date_pairs`)."""

    date_pairs: tuple[tuple[str, str], ...] = ()

    def clean(self):
        data = super().clean()
        for start, end in self.date_pairs:
            a, b = data.get(start), data.get(end)
            if a and b and a > b:
                raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data


class ListFilter(df.FilterSet):
    """Bootstrap classes on every widget; a "from" date after its "to" date is refused.

    django-filter makes a new form class for every request, with the filters' fields declared on
    it, and the form then deep-copies them. Here the class is made once per FilterSet and holds no
    fields: each form takes the fields its filters made for this request (their areas are the
    user's) as they are."""

    date_pairs: tuple[tuple[str, str], ...] = ()
    auto_id = "id_%s"  # the inputs' ids (the audit page keeps its "a-…" ones)
    form_class = DatePairsForm

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.form_class = type(f"{cls.__name__}Form", (DatePairsForm,), {"date_pairs": cls.date_pairs})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.auto_id = self.auto_id
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def get_form_class(self):
        return self.form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = self.get_form_class()(self.data if self.is_bound else None, prefix=self.form_prefix)
            form.fields = {name: f.field for name, f in self.filters.items()}
            self._form = form
        return self._form


# ---- the procedure ---------------------------------------------------------------------------


class LeadFilter(ListFilter):
    q = _search("搜索", "编号、姓名、村名或情况")
    status = df.ChoiceFilter(label="状态", choices=Lead.Status.choices, empty_label=ALL)
    channel = df.ChoiceFilter(label="来源", choices=Channel.choices, empty_label=ALL)
    township = AreaFilter(label="乡镇", field_name="village__parent")
    village = AreaFilter(label="村（社区）", field_name="village", level=Area.Level.VILLAGE)
    assigned = df.ChoiceFilter(
        label="分派",
        choices=[("me", "分派给我的"), ("yes", "已分派"), ("no", "未分派")],
        empty_label=ALL,
        method="by_assignment",
    )
    received_from = _date("收到日期从", "received_at", "date__gte")
    received_to = _date("至", "received_at", "date__lte")
    date_pairs = (("received_from", "received_to"),)

    def search(self, qs, name, value):
        value = value.strip()
        return qs.filter(
            Q(reference__icontains=value)
            | Q(subject_name__contains=value)
            | Q(village__name__contains=value)
            | Q(village__parent__name__contains=value)
            | Q(summary__contains=value)
        )

    def by_assignment(self, qs, name, value):
        if value == "me":
            return qs.filter(assigned_to=self.request.user)
        return qs.filter(assigned_to__isnull=value == "no")


CASE_STATES = [("open", "全部在办"), ("all", "全部（含已办结）")] + [
    (s.value, STATE_LABELS[s]) for s in State
]


class CaseFilter(ListFilter):
    q = _search("搜索", "案件编号、申请人或村名")
    state = df.ChoiceFilter(label="环节", choices=CASE_STATES, empty_label=None, method="by_state")
    due = df.ChoiceFilter(
        label="时限",
        choices=[("soon", "即将到期"), ("overdue", "已超期")],
        empty_label=ALL,
        method="by_due",
    )
    township = AreaFilter(label="乡镇", field_name="village__parent", areas=_case_townships)
    village = AreaFilter(label="村（社区）", field_name="village", level=Area.Level.VILLAGE)
    monitoring = df.ChoiceFilter(
        label="监测对象",
        choices=[("1", "仅防返贫监测对象")],
        empty_label=ALL,
        method="by_monitoring",
    )
    accepted_from = _date("受理日期从", "accepted_on", "gte")
    accepted_to = _date("至", "accepted_on", "lte")
    date_pairs = (("accepted_from", "accepted_to"),)

    def search(self, qs, name, value):
        value = value.strip()
        return qs.filter(
            Q(reference__icontains=value)
            | Q(applicant_name__contains=value)
            | Q(village__name__contains=value)
        )

    def by_state(self, qs, name, value):
        if value == "open":
            if self.data.get("monitoring") == "1":
                return qs  # the monitored households' cases, closed ones too (as before)
            return qs.filter(state__in=OPEN_STATES)
        if value == "all":
            return qs
        return qs.filter(state=value)

    def by_due(self, qs, name, value):
        return qs.filter(worklists.due_filter(value, clock.today()))

    def by_monitoring(self, qs, name, value):
        return worklists.monitored(qs) if value == "1" else qs


class TownshipFilter(ListFilter):
    """时限看板: which townships, and only those with overdue cases."""

    q = _search("乡镇", "乡镇名称", method="search")
    overdue = df.ChoiceFilter(
        label="超期", choices=[("1", "仅有超期案件的乡镇")], empty_label=ALL, method="keep"
    )

    def search(self, qs, name, value):
        return qs.filter(name__contains=value.strip())

    def keep(self, qs, name, value):
        return qs  # applied to the counted rows (web.views.cases.dashboard)


class InboxFilter(ListFilter):
    q = _search("搜索", "通知标题")
    kind = df.ChoiceFilter(label="类型", choices=InboxItem.Kind.choices, empty_label=ALL)
    read = df.ChoiceFilter(
        label="状态", choices=[("unread", "未读"), ("read", "已读")], empty_label=ALL, method="by_read"
    )
    created_from = _date("日期从", "created_at", "date__gte")
    created_to = _date("至", "created_at", "date__lte")
    date_pairs = (("created_from", "created_to"),)

    def search(self, qs, name, value):
        return qs.filter(title__contains=value.strip())

    def by_read(self, qs, name, value):
        return qs.filter(read_at__isnull=value == "unread")


# ---- the register ----------------------------------------------------------------------------


def _live(target: str = "#results") -> dict:
    """htmx attributes: the list answers as the user types or chooses (web/search.html)."""
    return {
        "hx-get": reverse_lazy("web:search"),
        "hx-target": target,
        "hx-swap": "outerHTML",
        "hx-push-url": "true",
        "hx-include": "closest form",
    }


class HouseholdFilter(ListFilter):
    q = df.CharFilter(
        label="姓名、拼音首字母或身份证号码",
        method="search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "如：张小明、zxm、18位身份证号",
                "autocomplete": "off",
                "hx-trigger": "keyup changed delay:300ms, search",
                **_live(),
            }
        ),
    )
    township = AreaFilter(
        label="乡镇",
        field_name="village__parent",
        widget=forms.Select(attrs={"hx-trigger": "change", **_live()}),
    )
    village = AreaFilter(
        label="村（社区）",
        field_name="village",
        level=Area.Level.VILLAGE,
        widget=forms.Select(attrs={"hx-trigger": "change", **_live()}),
    )
    hukou = df.ChoiceFilter(label="户籍性质", choices=Hukou.choices, empty_label=ALL)
    alleviated = df.ChoiceFilter(
        label="脱贫户", choices=[("1", "是"), ("0", "否")], empty_label=ALL, method="by_alleviated"
    )

    def search(self, qs, name, value):
        found = registry.search_households(self.request.user, q=value)
        return qs.filter(pk__in=found.values("pk"))

    def by_alleviated(self, qs, name, value):
        return qs.filter(alleviated=value == "1")


# ---- data exchange, audit ----------------------------------------------------------------------


def _sources(request):
    return [(code, SOURCES[code].label) for code in sources_of(request.user)]


class UploadFilter(ListFilter):
    q = _search("文件名", "文件名")
    source = df.ChoiceFilter(label="数据来源", choices=[], empty_label=ALL)
    status = df.ChoiceFilter(label="状态", choices=Upload.Status.choices, empty_label=ALL)
    period = df.CharFilter(
        label="数据期别",
        widget=forms.TextInput(attrs={"placeholder": "2026-05", "inputmode": "numeric"}),
    )
    uploaded_from = _date("上传日期从", "uploaded_at", "date__gte")
    uploaded_to = _date("至", "uploaded_at", "date__lte")
    date_pairs = (("uploaded_from", "uploaded_to"),)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["source"].choices = [("", ALL), *_sources(self.request)]

    def search(self, qs, name, value):
        return qs.filter(filename__icontains=value.strip())


class AuditFilter(ListFilter):
    auto_id = "a-%s"
    actor = df.CharFilter(label="操作人（用户名）", widget=forms.TextInput(attrs={"autocapitalize": "none"}))
    action = df.ChoiceFilter(label="操作", choices=[], empty_label=ALL)
    object_type = df.ChoiceFilter(
        label="对象类型", choices=list(labels.OBJECT_TYPE_LABELS.items()), empty_label=ALL
    )
    object_id = df.CharFilter(label="对象编号", widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    date_from = df.DateFilter(
        label="起始日期", method="since", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = df.DateFilter(label="截止日期", method="until", widget=forms.DateInput(attrs={"type": "date"}))
    date_pairs = (("date_from", "date_to"),)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = [(a, labels.action_label(a)) for a in audit_actions(self.request.user)]
        self.form.fields["action"].choices = [("", ALL), *actions]

    def since(self, qs, name, value):  # whole local days, both ends included
        return qs.filter(at__gte=_day_start(value))

    def until(self, qs, name, value):
        return qs.filter(at__lt=_day_start(value + dt.timedelta(days=1)))


# ---- parameters (a list read from the parameter store, not a queryset) --------------------------


class ParameterForm(forms.Form):
    """救助参数: the in-force list is computed from dated entries, so it is filtered in Python."""

    on = forms.DateField(label="生效日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "参数名称或依据"}),
    )
    verified = forms.ChoiceField(
        label="核实", required=False, choices=[("", ALL), ("1", "已核实"), ("0", "未核实")]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def keep(self, rows: list[dict]) -> list[dict]:
        data = self.cleaned_data if self.is_valid() else {}
        q, verified = (data.get("q") or "").strip(), data.get("verified") or ""
        if q:
            rows = [r for r in rows if q in r["label"] or q in r["name"] or q in (r["entry"].reference or "")]
        if verified:
            rows = [r for r in rows if bool(r["entry"].verified) == (verified == "1")]
        return rows
