"""巡访探视 pages, made for a phone: the visits due in the officer's reach (overdue first), the
form to record a visit (who was seen, the 两不愁三保障 checklist, notes, photos, and 发现风险 that
raises a lead), a visit with its photos (each view of a photo audited). docs/visits.md."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.core import clock
from safetynet.core.errors import NotFound, SafetynetError
from safetynet.registry import selectors as registry
from safetynet.visits import selectors, services
from safetynet.visits.models import CHECKLIST, Finding
from safetynet.web import forms
from safetynet.web.shell import client_of, login_required, render_form_error

STATUS_LABELS = {"overdue": "已逾期", "due_soon": "7天内到期", "ok": "未到期"}


def _household(request, pk):
    try:
        return registry.get_household(request.user, pk)
    except NotFound:
        raise Http404("未找到该户，或不在您的管辖范围内。") from None


@require_GET
@login_required
def due(request):
    if not request.user.can(Perm.VIEW_HOUSEHOLD):
        raise DjangoPermissionDenied("您的角色无权查看巡访名单。")
    wanted = request.GET.get("status", "")
    items = selectors.due_list(request.user)
    counts = {k: sum(1 for d in items if d.status == k) for k in STATUS_LABELS}
    if wanted in STATUS_LABELS:
        items = [d for d in items if d.status == wanted]
    return render(
        request,
        "visits/due.html",
        {
            "items": items[:200],
            "total": len(items),
            "counts": counts,
            "labels": STATUS_LABELS,
            "wanted": wanted,
            "can_record": request.user.can(Perm.RECORD_VISIT),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def record(request, pk):
    household = _household(request, pk)
    if not request.user.can(Perm.RECORD_VISIT):
        raise DjangoPermissionDenied("您的角色无权记录巡访探视。")
    members = list(registry.current_members(household))
    context = {
        "household": household,
        "members": members,
        "checklist": list(CHECKLIST.items()),
        "findings": Finding.choices,
        "today": clock.today().isoformat(),
        "values": request.POST if request.method == "POST" else {"visited_on": clock.today().isoformat()},
        "seen": set(request.POST.getlist("seen"))
        if request.method == "POST"
        else {str(m.person_id) for m in members},
    }
    if request.method == "GET":
        return render(request, "visits/form.html", context)
    post = request.POST
    fields = ("visited_on", "seen", "notes", "photos", *(f"checklist.{k}" for k in CHECKLIST))
    try:
        visit = services.record_visit(
            user=request.user,
            household=household,
            visited_on=forms.parse_date(post.get("visited_on", ""), "visited_on", "探访日期", required=True),
            seen=post.getlist("seen"),
            checklist={k: post.get(f"checklist.{k}", "") for k in CHECKLIST},
            notes=post.get("notes", ""),
            risk_found=post.get("risk_found") == "1",
            photos=request.FILES.getlist("photos"),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(request, "visits/form.html", context, error, fields)
    text = "已记录探访。"
    if visit.lead_id:
        text = f"已记录探访，并上报风险线索 {visit.lead.reference}。"
    messages.success(request, text)
    return redirect("visits:detail", pk=visit.pk)


@require_GET
@login_required
def detail(request, pk):
    try:
        visit = selectors.get_visit(request.user, pk)
    except NotFound:
        raise Http404("未找到该探访记录。") from None
    names = {m.person_id: m.person.name for m in registry.current_members(visit.household)}
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "seen": [names.get(pid, f"人员{pid}") for pid in visit.seen],
            "items": [(label, visit.checklist.get(k, "")) for k, label in CHECKLIST.items()],
            "finding_labels": dict(Finding.choices),
        },
    )


@require_GET
@login_required
def photo(request, pk, photo_id):
    try:
        row = selectors.get_photo(request.user, pk, photo_id)
    except NotFound:
        raise Http404("未找到该照片。") from None
    record_audit(
        actor=Actor.of(request.user, client_of(request)),
        action="visit.photo_view",
        object_type="household",
        object_id=row.visit.household_id,
        changes={"visit": [None, row.visit_id], "photo": [None, row.pk]},
    )
    return FileResponse(row.file.open("rb"), content_type=row.content_type)
