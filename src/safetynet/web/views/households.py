"""Households: search, detail, create and edit; members: add, edit, end, reveal.

Fragments are htmx swaps. A form that fails comes back in place with its errors; one that
succeeds re-renders the whole household body, so every form on the page carries the new
`version` and the audit section shows the new records.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from safetynet.accounts.roles import Perm
from safetynet.cases.selectors import case_history
from safetynet.core import clock
from safetynet.core.errors import NotFound, SafetynetError
from safetynet.entitlements import selectors as entitlement_selectors
from safetynet.payments import selectors as payment_selectors
from safetynet.registry import exports, selectors, services
from safetynet.registry.models import (
    DisabilityKind,
    Hukou,
    LabourCapacity,
    NotCountedReason,
    Relation,
    Sex,
)
from safetynet.web import forms, labels, lists
from safetynet.web.lists import filters, tables
from safetynet.web.selectors import area_names, household_audit
from safetynet.web.shell import client_of, is_htmx, login_required, render_form_error, retarget

PAGE_SIZE = 20

CHOICES = {
    "hukou_choices": Hukou.choices,
    "sex_choices": Sex.choices,
    "relation_choices": [c for c in Relation.choices if c[0] != Relation.HEAD],
    "reason_choices": NotCountedReason.choices,
    "disability_choices": DisabilityKind.choices,
    "labour_choices": LabourCapacity.choices,
    "self_care_choices": forms.self_care_choices(),
    "income_fields": forms.income_fields(),
}


def _household(request, pk):
    try:
        return selectors.get_household(request.user, pk)
    except NotFound:
        raise Http404("未找到该户。") from None


def _membership(request, household, pk):
    try:
        return selectors.get_membership(request.user, household, pk)
    except NotFound:
        raise Http404("未找到该家庭成员。") from None


def _require(request, perm: Perm) -> None:
    """Hide forms from roles the service would refuse anyway; the service still decides."""
    if not request.user.can(perm):
        raise DjangoPermissionDenied("您的角色无权执行此操作。")


def _villages(user):
    return selectors.village_choices_visible_to(user)


# ---- search -----------------------------------------------------------------------------------


@require_GET
@login_required
def search(request):
    """户档案查询: search (name, pinyin initials, exact ID number, village, address), filters,
    sorting and pages; htmx swaps only the results as the user types."""
    base = selectors.with_member_count(
        selectors.households_visible_to(request.user).select_related("village__parent", "head")
    ).order_by("id")
    listing = lists.show(request, filters.HouseholdFilter, base, tables.HouseholdTable, per_page=PAGE_SIZE)
    context = listing.context()
    template = "web/partials/search_results.html" if is_htmx(request) else "web/search.html"
    response = render(request, template, context, status=listing.status)
    response["Vary"] = "HX-Request"
    return response


@require_GET
@login_required
def export(request):
    """The current search as an Excel file, masked; audited like every copy of personal data."""
    try:
        data = exports.households_workbook(
            user=request.user,
            q=request.GET.get("q", "").strip(),
            village=request.GET.get("village", "").strip(),
            township=request.GET.get("township", "").strip(),
            client=client_of(request),
        )
    except SafetynetError as err:
        raise DjangoPermissionDenied(err.message) from None
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="households.xlsx"'
    return response


# ---- detail -----------------------------------------------------------------------------------


def _body_context(request, household, *, refresh: bool = True) -> dict:
    user = request.user
    if refresh:  # after a write: the new version, head and fields
        household = selectors.get_household(user, household.pk)
    current, past = selectors.members_of(user, household)
    ever_members = current + past
    people = {str(m.person_id): m.person.name for m in ever_members}
    records = list(household_audit(user, household, person_ids={m.person_id for m in ever_members}))
    names = area_names(set().union(*(labels.area_codes_in(r) for r in records)))
    for record in records:  # area codes in the changes shown by name, as on the audit page
        record.area_names = names
    return {
        "household": household,
        "members": current,
        "past_members": past,
        "audit_records": records,
        "people": people,
        "can_edit": user.can(Perm.EDIT_HOUSEHOLD) and household.closed_on is None,
        "can_unmask": user.can(Perm.UNMASK_PERSONAL_DATA),
        "can_view_audit": user.can(Perm.VIEW_AUDIT),
    }


def _render_body(request, household):
    response = render(request, "web/partials/household_body.html", _body_context(request, household))
    return retarget(response, "#household-body")


@require_GET
@login_required
def detail(request, pk):
    household = _household(request, pk)
    context = _body_context(request, household, refresh=False)
    context["history"] = case_history(request.user, household)
    context["timeline"] = entitlement_selectors.timeline(request.user, household)
    context["current"] = entitlement_selectors.current_in(context["timeline"], clock.today())
    context["can_accept"] = request.user.can(Perm.ACCEPT_CASE)
    context["can_set_support"] = request.user.can(Perm.RECORD_SUPPORT_MODE)
    context["has_tekun_member"] = context["current"] is not None and any(
        m.category == "tekun"
        for e in context["timeline"]
        if e.pk == context["current"].pk
        for m in e.members.all()
    )
    context["payment_history"] = payment_selectors.payment_history(request.user, household)
    return render(request, "web/household_detail.html", context)


# ---- create -----------------------------------------------------------------------------------

CREATE_FIELDS = forms.HOUSEHOLD_FIELDS + forms.MEMBER_FIELDS


@require_http_methods(["GET", "POST"])
@login_required
def create(request):
    _require(request, Perm.CREATE_HOUSEHOLD)
    context = {
        "villages": _villages(request.user),
        "values": {"co_resident": True, "labour_capacity": LabourCapacity.FULL, "hukou": Hukou.RURAL},
        "mode": "create",
        **CHOICES,
    }
    if request.method == "POST":
        post = request.POST
        context["values"] = forms.form_values(post)
        try:
            head = services.MemberInput(
                person=forms.parse_person(post),
                membership=forms.parse_membership(post, relation=Relation.HEAD),
            )
            household = services.create_household(
                user=request.user,
                village_code=post.get("village", ""),
                address=post.get("address", ""),
                hukou=post.get("hukou", ""),
                alleviated=forms.checked(post, "alleviated"),
                members=[head],
                client=client_of(request),
            )
        except SafetynetError as error:
            return render_form_error(request, "web/household_new.html", context, error, CREATE_FIELDS)
        messages.success(request, f"已新建户{household.pk}。")
        return redirect("web:household", pk=household.pk)
    return render(request, "web/household_new.html", context)


# ---- edit the household's own fields ----------------------------------------------------------


@require_GET
@login_required
def fields(request, pk):
    household = _household(request, pk)
    context = {"household": household, "can_edit": request.user.can(Perm.EDIT_HOUSEHOLD)}
    return render(request, "web/partials/household_fields.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def edit(request, pk):
    household = _household(request, pk)
    _require(request, Perm.EDIT_HOUSEHOLD)
    context = {"household": household, "villages": _villages(request.user), **CHOICES}
    if request.method == "GET":
        context["values"] = {
            "village": household.village.code,
            "address": household.address,
            "hukou": household.hukou,
            "alleviated": household.alleviated,
            "version": household.version,
        }
        return render(request, "web/partials/household_form.html", context)
    post = request.POST
    context["values"] = forms.form_values(post)
    try:
        services.update_household(
            user=request.user,
            household=household,
            expected_version=forms.parse_version(post.get("version", "")),
            village_code=post.get("village", ""),
            address=post.get("address", ""),
            hukou=post.get("hukou", ""),
            alleviated=forms.checked(post, "alleviated"),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(
            request, "web/partials/household_form.html", context, error, forms.HOUSEHOLD_FIELDS
        )
    return _render_body(request, household)


# ---- members ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def member_new(request, pk):
    household = _household(request, pk)
    _require(request, Perm.EDIT_HOUSEHOLD)
    context = {"household": household, "mode": "add", **CHOICES}
    if request.method == "GET":
        context["values"] = {
            "co_resident": True,
            "labour_capacity": LabourCapacity.FULL,
            "joined_on": timezone.localdate().isoformat(),
            "version": household.version,
        }
        return render(request, "web/partials/member_new.html", context)
    post = request.POST
    context["values"] = forms.form_values(post)
    try:
        services.add_member(
            user=request.user,
            household=household,
            person=forms.parse_person(post),
            membership=forms.parse_membership(post),
            expected_version=forms.parse_version(post.get("version", "")),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(request, "web/partials/member_new.html", context, error, forms.MEMBER_FIELDS)
    return _render_body(request, household)


@require_GET
@login_required
def member_row(request, pk, mid):
    household = _household(request, pk)
    m = _membership(request, household, mid)
    context = {
        "household": household,
        "m": m,
        "can_edit": request.user.can(Perm.EDIT_HOUSEHOLD),
        "can_unmask": request.user.can(Perm.UNMASK_PERSONAL_DATA),
    }
    return render(request, "web/partials/member_row.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def member_edit(request, pk, mid):
    household = _household(request, pk)
    m = _membership(request, household, mid)
    _require(request, Perm.EDIT_HOUSEHOLD)
    context = {"household": household, "m": m, "mode": "edit", **CHOICES}
    if request.method == "GET":
        context["values"] = {**forms.person_values(m.person, m), "version": household.version}
        return render(request, "web/partials/member_edit.html", context)
    post = request.POST
    context["values"] = forms.form_values(post)
    try:
        services.update_member(
            user=request.user,
            household=household,
            membership=m,
            person=forms.parse_person(post, current=m.person),
            membership_data=forms.parse_membership(post),
            expected_version=forms.parse_version(post.get("version", "")),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(
            request, "web/partials/member_edit.html", context, error, forms.MEMBER_FIELDS
        )
    return _render_body(request, household)


@require_http_methods(["GET", "POST"])
@login_required
def member_end(request, pk, mid):
    household = _household(request, pk)
    m = _membership(request, household, mid)
    _require(request, Perm.EDIT_HOUSEHOLD)
    context = {"household": household, "m": m}
    if request.method == "GET":
        context["values"] = {"left_on": timezone.localdate().isoformat(), "version": household.version}
        return render(request, "web/partials/member_end.html", context)
    post = request.POST
    context["values"] = forms.form_values(post)
    try:
        left_on = forms.parse_date(post.get("left_on", ""), "left_on", "离开日期", required=True)
        services.end_membership(
            user=request.user,
            household=household,
            membership=m,
            left_on=left_on,
            reason=post.get("left_reason", ""),
            expected_version=forms.parse_version(post.get("version", "")),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(request, "web/partials/member_end.html", context, error, forms.END_FIELDS)
    return _render_body(request, household)


@require_http_methods(["GET", "POST"])
@login_required
def member_reveal(request, pk, mid):
    """Ask why, then show the unmasked identifiers in place; `reveal_person` audits the view."""
    household = _household(request, pk)
    m = _membership(request, household, mid)
    _require(request, Perm.UNMASK_PERSONAL_DATA)
    context = {"household": household, "m": m, "values": {}}
    if request.method == "GET":
        return render(request, "web/partials/reveal_form.html", context)
    context["values"] = {"reason": request.POST.get("reason", "")}
    try:
        revealed = services.reveal_person(
            user=request.user,
            person_id=m.person_id,
            reason=request.POST.get("reason", ""),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(request, "web/partials/reveal_form.html", context, error, ("reason",))
    response = render(request, "web/partials/revealed.html", {**context, "revealed": revealed})
    response["Cache-Control"] = "no-store"
    return response
