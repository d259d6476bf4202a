"""Web pages of the policy engine: parameters in force with their history and new dated values,
one household's assessment with its explanation, and the leading group's simulation."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safetynet.accounts.roles import Perm
from safetynet.assessments import selectors, services
from safetynet.assessments.simulation import CATEGORY_ORDER, simulate, two_lines
from safetynet.core import glossary
from safetynet.core.errors import SafetynetError, ValidationFailed
from safetynet.policy import jsonable
from safetynet.web import lists
from safetynet.web.lists import filters, tables
from safetynet.web.shell import client_of, errors_of, login_required, status_of

CATEGORY_LABELS = glossary.CATEGORY_SHORT_LABELS
MONITORING_LABELS = glossary.MONITORING_TYPES
# What the simulation form offers to change; any parameter can be changed from the CLI.
SIMULATED = (
    "dibao.standard_monthly.rural",
    "dibao.standard_monthly.urban",
    "edge.income_multiplier",
    "monitoring.line_annual",
    "tekun.basic_ratio",
    "rigid.expenditure_ratio",
)


def _county(user) -> str:
    if not user.area_id:
        raise Http404
    return user.area.code[:6]


def _day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _effective_from(value: str) -> dt.date:
    """A new value's effective date, as typed: a mistyped date is an error, never silently today."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            "请填写生效日期（年-月-日）。", code="invalid_date", field="effective_from"
        ) from None


@login_required
@require_http_methods(["GET", "POST"])
def parameters(request):
    region = _county(request.user)
    search = filters.ParameterForm(request.GET or None)
    day = (search.cleaned_data.get("on") if search.is_valid() else None) or timezone.localdate()
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        values = request.POST.dict()
        try:
            services.add_parameter_value(
                user=request.user,
                region=region,
                name=values.get("name", ""),
                value=values.get("value", ""),
                effective_from=_effective_from(values.get("effective_from", "")),
                reference=values.get("reference", ""),
                verified=values.get("verified") == "on",
                note=values.get("note", ""),
                client=client_of(request),
            )
            messages.success(
                request,
                f"已新增参数取值：{values.get('name', '')}，{values.get('effective_from', '')}起生效。",
            )
            values = {}
        except SafetynetError as err:
            if err.status == 403:
                raise DjangoPermissionDenied(err.message) from None
            errors, status = errors_of(err, {"name", "value", "effective_from", "reference"}), status_of(err)
    ps = services.parameter_set(region)
    in_force = ps.on(day)
    rows = [
        {
            "name": name,
            "label": ps.definitions[name].label,
            "unit": ps.definitions[name].unit,
            "entry": entry,
            "history": ps.history(name),
        }
        for name, entry in sorted(in_force.entries.items())
    ]
    # the parameters in force are a reference read whole: 50 a page (100 when picked), as before
    table = lists.configure(
        request, tables.ParameterTable(search.keep(rows) if search.is_bound else rows), per_page=50
    )
    filter_errors = lists.form_errors(search)
    if filter_errors and status == 200:
        status = 400
    return render(
        request,
        "assessments/parameters.html",
        {
            "table": table,
            "filter": {"form": search},
            "filter_errors": filter_errors,
            "day": day,
            "errors": errors,
            "values": values,
            "region_name": ps.region_name,
            "names": sorted(ps.definitions),
            "labels": {n: ps.definitions[n].label for n in ps.definitions},
            "can_edit": request.user.can(Perm.MANAGE_PARAMETERS),
        },
        status=status,
    )


@login_required
@require_POST
def assess_household(request, household_id: int):
    """htmx: assess the household now from its registry facts, store it, show the explanation."""
    try:
        row = services.assess_household(
            user=request.user, household_id=household_id, client=client_of(request)
        )
    except SafetynetError as err:
        if err.status == 404:
            raise Http404 from None
        if err.status == 403:
            raise DjangoPermissionDenied(err.message) from None
        return render(request, "assessments/assessment.html", {"error": err.message}, status=status_of(err))
    return render(request, "assessments/assessment.html", _assessment_context(row))


@login_required
def latest_assessment(request, household_id: int):
    try:
        row = selectors.latest_assessment(request.user, household_id)
    except SafetynetError:
        raise Http404 from None
    return render(
        request,
        "assessments/assessment.html",
        _assessment_context(row) if row else {"household_id": household_id},
    )


def _assessment_context(row) -> dict:
    result = selectors.explained_result(row)
    return {
        "row": row,
        "household_id": row.household_id,
        "result": result,
        "category": CATEGORY_LABELS.get(result["category"], result["category"]),
        "monitoring": MONITORING_LABELS.get((result.get("monitoring") or {}).get("type") or "", ""),
        "member_labels": CATEGORY_LABELS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def simulation(request):
    if not request.user.can(Perm.MANAGE_PARAMETERS):
        raise DjangoPermissionDenied("只有县级参数管理角色可以进行模拟测算。")
    region = _county(request.user)
    today = timezone.localdate()
    ps = services.parameter_set(region)
    current = ps.on(today)
    default_on = dt.date(today.year + 1, 1, 1)
    fields = [
        {"name": n, "label": ps.definitions[n].label, "unit": ps.definitions[n].unit, "current": current[n]}
        for n in SIMULATED
        if n in current
    ]
    context = {
        "fields": fields,
        "on": default_on,
        "values": {},
        "errors": {},
        "report": None,
        "lines": jsonable(two_lines(region, range(2024, default_on.year + 1))),
        "categories": CATEGORY_ORDER,
        "category_labels": CATEGORY_LABELS,
    }
    if request.method == "POST":
        on = _day(request.POST.get("on"), default_on)
        values = {f["name"]: request.POST.get(f["name"], "").strip() for f in fields}
        candidates = [
            {
                "name": n,
                "value": v,
                "effective_from": on,
                "reference": "网页模拟测算（候选值，未发布）",
                "verified": False,
            }
            for n, v in values.items()
            if v and v != str(current[n])
        ]
        context.update(on=on, values=values)
        try:
            context["report"] = simulate(region=region, candidates=candidates, on=on, today=today)
            context["lines"] = jsonable(two_lines(region, range(2024, on.year + 1), candidates=candidates))
        except SafetynetError as err:
            context["errors"] = errors_of(err, set(values))
            return render(request, "assessments/simulation.html", context, status=status_of(err))
    return render(request, "assessments/simulation.html", context)
