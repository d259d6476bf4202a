"""待办 (the open steps the user can act on now); one lead's page: its evidence, then the way
from the lead to a case without detours — create the household from the lead (pre-filled) or link
one found by ID number or name, accept; or dismiss with a reason; and the worklist's batch actions
on the leads ticked there (assign to a village officer, dismiss with one reason: all or nothing)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.accounts.roles import Perm
from safetynet.cases import selectors, services
from safetynet.cases.models import Lead
from safetynet.cases.tasks_selectors import tasks_for
from safetynet.core import clock
from safetynet.core.errors import SafetynetError, ValidationFailed
from safetynet.registry import selectors as registry_selectors
from safetynet.registry import services as registry_services
from safetynet.registry.models import Hukou, Relation
from safetynet.visits import selectors as visit_selectors
from safetynet.web.shell import FORM, client_of, login_required, raise_if_not_form_error, status_of

CANDIDATE_LIMIT = 10


@require_POST
@login_required
def leads_bulk(request):
    """The worklist's batch actions; the result (or why nothing was done) is said on the list."""
    post = request.POST
    back = reverse("cases:leads") + (f"?{post['query']}" if post.get("query") else "")
    try:
        if post.get("action") == "assign":
            result = services.assign_leads(
                user=request.user,
                lead_ids=post.getlist("lead_id"),
                officer=post.get("officer", ""),
                client=client_of(request),
            )
            officer = result.leads[0].assigned_to
            messages.success(
                request,
                f"已将{result.count}条线索分派给{officer.display_name or officer.username}"
                f"（{officer.area.name}）入户核实。",
            )
        elif post.get("action") == "dismiss":
            result = services.dismiss_leads(
                user=request.user,
                lead_ids=post.getlist("lead_id"),
                reason=post.get("reason", ""),
                client=client_of(request),
            )
            messages.success(request, f"已排除{result.count}条线索（不予受理），理由已记入审计日志。")
        else:
            raise ValidationFailed("请选择要执行的批量操作。", field="action")
    except SafetynetError as err:
        raise_if_not_form_error(err)
        messages.error(request, err.message)
    return redirect(back)


@require_GET
@login_required
def tasks(request):
    context = {"tasks": tasks_for(request.user, clock.today())}
    if request.user.can(Perm.RECORD_VISIT):  # the officer's visits due and overdue (巡访探视)
        due = [d.status for d in visit_selectors.due_list(request.user)]
        context["visits"] = {"overdue": due.count("overdue"), "due_soon": due.count("due_soon")}
    return render(request, "cases/tasks.html", context)


def _candidates(user, lead: Lead, q: str) -> list:
    """Households within reach that may be the lead's: by its ID number (blind index), by the
    subject's name, or by what the clerk typed."""
    found, seen = [], set()
    queries = [q] if q else [lead.subject_id_number, lead.subject_name]
    for query in queries:
        if not query:
            continue
        for h in registry_selectors.search_households(user, q=query)[:CANDIDATE_LIMIT]:
            if h.pk not in seen:
                seen.add(h.pk)
                found.append(h)
    return found[:CANDIDATE_LIMIT]


def _create_household(request, lead: Lead):
    post = request.POST
    id_number = post.get("id_number", "").strip() or lead.subject_id_number
    name = post.get("name", "").strip() or lead.subject_name
    head = registry_services.MemberInput(
        person=registry_services.PersonInput(id_number=id_number, name=name),
        membership=registry_services.MembershipInput(relation=Relation.HEAD),
    )
    return registry_services.create_household(
        user=request.user,
        village_code=post.get("village", "") or lead.village.code,
        address=post.get("address", ""),
        hukou=post.get("hukou", ""),
        members=[head],
        client=client_of(request),
    )


@require_http_methods(["GET", "POST"])
@login_required
def lead_detail(request, pk):
    user = request.user
    lead = selectors.get_lead(user, pk)  # outside the area: 404, like a missing one
    errors, status = {}, 200
    values = {"address": "", "hukou": Hukou.RURAL, "village": lead.village.code, "name": lead.subject_name}
    if request.method == "POST":
        action = request.POST.get("action", "")
        values.update({k: request.POST.get(k, "").strip() for k in ("address", "hukou", "village", "name")})
        try:
            if action == "create_household":
                household = _create_household(request, lead)
                messages.success(
                    request, f"已为线索{lead.reference}新建户档案（户{household.pk}），可以受理。"
                )
                return redirect(f"{request.path}?household={household.pk}")
            if action == "accept":
                household = request.POST.get("household_id", "").strip() or lead.household_id
                if not household:
                    raise ValidationFailed("请先为该线索关联或新建户档案，再受理。", field="household_id")
                case, created = services.accept_case(
                    user=user, household=household, lead_ids=[lead.pk], client=client_of(request)
                )
                messages.success(
                    request,
                    f"已受理，案件编号{case.reference}。"
                    if created
                    else f"已并入该户正在办理的案件{case.reference}。",
                )
                return redirect("cases:detail", pk=case.pk)
            if action == "dismiss":
                services.dismiss_lead(
                    user=user, lead=lead, reason=request.POST.get("reason", ""), client=client_of(request)
                )
                messages.success(request, f"已排除线索{lead.reference}。")
                return redirect("cases:tasks")
            raise ValidationFailed("未知的操作。", field=None)
        except SafetynetError as err:
            raise_if_not_form_error(err)
            errors = {(err.field or FORM): err.message, "action": action}
            status = status_of(err)
    q = request.GET.get("q", "").strip()
    can_accept = user.can(Perm.ACCEPT_CASE) and lead.status == Lead.Status.NEW
    context = {
        "lead": lead,
        "errors": errors,
        "values": values,
        "q": q,
        "can_accept": can_accept,
        "can_create": can_accept and user.can(Perm.CREATE_HOUSEHOLD) and not lead.household_id,
        "candidates": _candidates(user, lead, q) if can_accept and not lead.household_id else [],
        "chosen": request.GET.get("household", ""),
        "villages": registry_selectors.village_choices_visible_to(user),
        "hukou_choices": Hukou.choices,
        "evidence": sorted((lead.evidence or {}).items()),
    }
    return render(request, "cases/lead_detail.html", context, status=status)
