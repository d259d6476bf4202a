"""Web pages of the household assistance plan (帮扶计划): the measures list (for a liaison, the
referral list of their department), a household's plan with its suggestions, a measure with its
feedback, the feedback-file upload and the 住建 / 医保 exports. Parse, call a service or selector,
render (docs/assistance.md)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safetynet.accounts.roles import Perm
from safetynet.assistance import batch, exports, feedback, selectors, services
from safetynet.assistance.models import MeasureStatus
from safetynet.core import clock
from safetynet.core.errors import NotFound, SafetynetError, ValidationFailed
from safetynet.core.glossary import DEPARTMENT_LABELS, MEASURE_KIND_LABELS
from safetynet.registry.selectors import areas_visible_to, current_members
from safetynet.web import lists
from safetynet.web.lists.assistance import MeasureFilter, MeasureTable
from safetynet.web.shell import client_of, login_required, raise_if_not_form_error, status_of

CSV = "text/csv; charset=utf-8"
FEEDBACK_CHOICES = [(s, MeasureStatus(s).label) for s in services.FEEDBACK_STATUSES]


def _csv(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def measure_list(request):
    user = request.user
    if user.can(Perm.VIEW_HOUSEHOLD):
        base = selectors.measures_visible_to(user).order_by("-id")
    elif user.can(Perm.REPORT_REFERRAL_FEEDBACK):
        base = selectors.referrals_for(user)
    else:
        raise Http404
    listing = lists.show(request, MeasureFilter, base, MeasureTable)
    return render(
        request,
        "assistance/measure_list.html",
        {
            **listing.context(),
            "liaison": not user.can(Perm.VIEW_HOUSEHOLD),
            "departments": [DEPARTMENT_LABELS[d] for d in selectors.departments_of(user)],
            "can_export": user.can(Perm.EXPORT_REFERRAL_LISTS),
            "can_upload": bool(selectors.departments_of(user)),
            "can_manage": user.can(Perm.MANAGE_ASSISTANCE_PLAN),
            "areas": areas_visible_to(user).filter(level__in=["county", "township"]).order_by("code")
            if user.can(Perm.MANAGE_ASSISTANCE_PLAN)
            else [],
            "today": clock.today(),
        },
        status=listing.status,
    )


@login_required
@require_POST
def suggest_area(request):
    try:
        out = batch.suggest_for_area(
            user=request.user, area_code=request.POST.get("area", ""), client=client_of(request)
        )
    except SafetynetError as e:
        raise_if_not_form_error(e)
        messages.error(request, e.message)
        return redirect("assistance:list")
    messages.success(
        request,
        f"共 {out['households']} 户，其中 {out['in_plan']} 户有帮扶计划；新生成 {out['measures']} 条帮扶建议，请逐条确认。",
    )
    return redirect(f"{reverse('assistance:list')}?status=suggested")


def _plan(request, household_id, *, errors=None, values=None, status=200):
    try:
        hh, measures = selectors.plan_of(request.user, household_id)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "assistance/plan.html",
        {
            "household": hh,
            "measures": measures,
            "members": current_members(hh),
            "kinds": MEASURE_KIND_LABELS.items(),
            "departments": DEPARTMENT_LABELS.items(),
            "can_manage": request.user.can(Perm.MANAGE_ASSISTANCE_PLAN),
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


@login_required
def plan(request, household_id: int):
    return _plan(request, household_id)


@login_required
@require_POST
def suggest(request, household_id: int):
    try:
        created = services.generate_suggestions(
            user=request.user, household=household_id, client=client_of(request)
        )
    except SafetynetError as e:
        raise_if_not_form_error(e)
        messages.error(request, e.message)
        return redirect("assistance:plan", household_id=household_id)
    if created:
        messages.success(request, f"已按规则生成 {len(created)} 条帮扶建议，请逐条确认、修改或不予实施。")
    else:
        messages.info(request, "没有新的帮扶建议。")
    return redirect("assistance:plan", household_id=household_id)


@login_required
@require_POST
def add(request, household_id: int):
    post = request.POST
    values = {
        k: post.get(k, "")
        for k in ("kind", "person", "department", "amount", "description", "charity_name", "charity_gave")
    }
    try:
        services.add_measure(
            user=request.user,
            household=household_id,
            person=values["person"] or None,
            kind=values["kind"],
            department=values["department"] or None,
            amount=values["amount"] or None,
            description=values["description"],
            charity_name=values["charity_name"],
            charity_gave=values["charity_gave"],
            client=client_of(request),
        )
    except SafetynetError as e:
        raise_if_not_form_error(e)
        field = e.field if e.field in values else "form"
        return _plan(request, household_id, errors={field: e.message}, values=values, status=status_of(e))
    messages.success(request, "已录入帮扶措施并转介责任部门。")
    return redirect("assistance:plan", household_id=household_id)


def _measure_page(request, pk, *, errors=None, values=None, status=200):
    user = request.user
    m = None
    if user.can(Perm.VIEW_HOUSEHOLD):
        try:
            m = selectors.get_measure(user, pk)
        except NotFound:
            m = None
    if m is None:
        try:
            m = selectors.get_referral(user, pk)
        except NotFound:
            raise Http404 from None
    can_manage = user.can(Perm.MANAGE_ASSISTANCE_PLAN) and user.can(Perm.VIEW_HOUSEHOLD)
    own_referral = m.department in selectors.departments_of(user)
    township_records = can_manage and (m.department in services.TOWNSHIP_RECORDED or m.kind == "charity")
    return render(
        request,
        "assistance/measure.html",
        {
            "m": m,
            "history": selectors.feedback_of(m),
            "can_manage": can_manage,
            "can_report": m.status in services.FEEDBACK_MOVES and (own_referral or township_records),
            "feedback_choices": FEEDBACK_CHOICES,
            "departments": DEPARTMENT_LABELS.items(),
            "today": clock.today(),
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


@login_required
def measure(request, pk: int):
    return _measure_page(request, pk)


ACTIONS = ("accept", "decline", "edit", "feedback")


@login_required
@require_POST
def measure_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    post, user, client = request.POST, request.user, client_of(request)
    values = {
        k: post.get(k, "") for k in ("department", "amount", "description", "reason", "status", "on", "note")
    }
    try:
        if action == "accept":
            services.accept_measure(
                user=user, measure=pk, department=values["department"] or None,
                amount=values["amount"] if "amount" in post else None,
                description=values["description"] if "description" in post else None, client=client,
            )  # fmt: skip
            done = "已确认并转介责任部门。"
        elif action == "edit":
            services.edit_measure(
                user=user, measure=pk, department=values["department"] or None,
                amount=values["amount"], description=values["description"], client=client,
            )  # fmt: skip
            done = "已修改。"
        elif action == "decline":
            services.decline_measure(user=user, measure=pk, reason=values["reason"], client=client)
            done = "已记录不予实施及理由。"
        else:
            on = None
            if values["on"]:
                try:
                    on = dt.date.fromisoformat(values["on"])
                except ValueError:
                    raise ValidationFailed("办理日期格式应为 YYYY-MM-DD。", field="on") from None
            services.report_feedback(
                user=user, measure=pk, status=values["status"], on=on, amount=values["amount"] or None,
                note=values["note"], channel="web", client=client,
            )  # fmt: skip
            done = "已反馈办理情况。"
    except SafetynetError as e:
        raise_if_not_form_error(e)
        field = e.field if e.field in values else "form"
        return _measure_page(
            request, pk, errors={field: e.message, "action": action}, values=values, status=status_of(e)
        )
    messages.success(request, done)
    back = post.get("back", "")
    if back.isdigit():
        return redirect("assistance:plan", household_id=int(back))
    return redirect("assistance:measure", pk=pk)


@login_required
def feedback_files(request, *, error: str = "", rows=None, status=200):
    user = request.user
    if not selectors.departments_of(user):
        raise Http404
    return render(
        request,
        "assistance/feedback_files.html",
        {
            "uploads": selectors.uploads_of(user)[:50],
            "departments": [(d, DEPARTMENT_LABELS[d]) for d in selectors.departments_of(user)],
            "columns": feedback.COLUMNS,
            "error": error,
            "rows": rows,
        },
        status=status,
    )


@login_required
@require_POST
def feedback_upload(request):
    f = request.FILES.get("file")
    if f is None:
        return feedback_files(request, error="请选择要上传的反馈文件。", status=400)
    try:
        u = feedback.upload_feedback_file(
            user=request.user,
            data=f.read(feedback.MAX_BYTES + 1),
            filename=f.name,
            department=request.POST.get("department") or None,
            client=client_of(request),
        )
    except SafetynetError as e:
        raise_if_not_form_error(e)
        return feedback_files(request, error=e.message, status=status_of(e))
    if u.status != "accepted":
        return feedback_files(
            request,
            error=f"文件未导入：共 {len(u.errors)} 处错误，请改正后重新上传整个文件。",
            rows=u.errors,
            status=400,
        )
    messages.success(request, f"已导入 {u.rows_total} 条反馈。")
    return redirect("assistance:feedback_files")


@login_required
def feedback_template(request):
    if not selectors.departments_of(request.user):
        raise Http404
    return _csv(feedback.template_csv(), "feedback-template.csv")


@login_required
def export_housing(request):
    try:
        on = dt.date.fromisoformat(request.GET.get("on") or clock.today().isoformat())
    except ValueError:
        on = clock.today()
    data = exports.housing_key_groups(user=request.user, on=on, client=client_of(request))
    return _csv(data, f"housing-key-groups-{on.isoformat()}.csv")


@login_required
def export_premium(request):
    try:
        year = int(request.GET.get("year") or clock.today().year)
    except ValueError:
        year = clock.today().year
    data = exports.premium_subsidy(user=request.user, year=year, client=client_of(request))
    return _csv(data, f"premium-subsidy-{year}.csv")
