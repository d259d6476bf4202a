"""Web pages of the procedure: the public application, worklists, the case page with the form of
its current step, printable forms, the notice (HTML and PDF), the dashboard and the inbox.

Views parse, call `cases.services` / `cases.selectors` and render; a failing form comes back on
the case page with the message beside its field (and status 400/409).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.accounts.roles import Perm
from safetynet.assessments.selectors import explained_result
from safetynet.cases import selectors, services, workflow, worklists
from safetynet.cases.models import Attachment, Channel, Lead
from safetynet.core import clock, glossary
from safetynet.core.errors import NotFound, SafetynetError, ValidationFailed
from safetynet.entitlements import selectors as entitlement_selectors
from safetynet.registry import selectors as registry_selectors
from safetynet.registry.models import Area
from safetynet.web import lists
from safetynet.web.lists import filters, tables
from safetynet.web.selectors import areas_in_reach
from safetynet.web.shell import FORM, client_of, login_required, raise_if_not_form_error


def _int(raw, field: str, label: str) -> int:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}应为整数。", field=field) from None


def _date(raw, field: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationFailed(f"请填写{label}（年-月-日）。", field=field) from None


def _version(request) -> int | None:
    raw = request.POST.get("version", "").strip()
    return int(raw) if raw.isdigit() else None


def _errors(err: SafetynetError) -> dict:
    raise_if_not_form_error(err)
    return {(err.field or FORM): err.message, FORM if err.field else "_": err.message}


# ---- leads ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def leads(request):
    user = request.user
    context = {"errors": {}, "values": {}, "import_result": None}
    status = 200
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip()
            for k in (
                "channel",
                "village",
                "household_id",
                "subject_name",
                "subject_id_number",
                "contact_phone",
                "summary",
            )
        }
        context["values"] = values
        try:
            if request.POST.get("form") == "import":
                f = request.FILES.get("file")
                if f is None:
                    raise ValidationFailed("请选择CSV文件。", field="file")
                context["import_result"] = result = services.import_leads(
                    user=user,
                    channel=request.POST.get("channel", ""),
                    data=f.read(),
                    client=client_of(request),
                )
                messages.success(
                    request, f"线索导入完成：新增{result['created']}条，重复{result['duplicates']}条。"
                )
            else:
                lead, _ = services.file_lead(
                    user=user,
                    channel=values["channel"],
                    village_code=values["village"],
                    household_id=values["household_id"] or None,
                    subject_name=values["subject_name"],
                    subject_id_number=values["subject_id_number"],
                    contact_phone=values["contact_phone"],
                    summary=values["summary"],
                    client=client_of(request),
                )
                messages.success(request, f"已登记线索 {lead.reference}。")
                return redirect(f"{reverse('cases:leads')}?filed={lead.reference}")
        except SafetynetError as err:
            context["errors"] = {(err.field or FORM): err.message}
            status = 400 if err.status == 404 else err.status
            if err.status == 403:
                raise_if_not_form_error(err)
    can_accept = user.can(Perm.ACCEPT_CASE)
    listing = lists.show(
        request,
        filters.LeadFilter,
        worklists.leads(user, status=""),
        tables.LeadTable,
        defaults={"status": Lead.Status.NEW},
        can_accept=can_accept,
    )
    context.update(
        {
            **listing.context(),
            "villages": areas_in_reach(request, Area.Level.VILLAGE),  # the filters' areas, read once
            "officers": worklists.officer_choices(user) if can_accept else [],
            "channels": Channel.choices,
            "filed": request.GET.get("filed", ""),
            "can_accept": can_accept,
            "can_raise": user.can(Perm.RAISE_LEAD),
        }
    )
    return render(request, "cases/leads.html", context, status=status if status != 200 else listing.status)


@require_POST
@login_required
def accept(request):
    try:
        lead_ids = [int(x) for x in request.POST.getlist("lead_id") if x.strip()]
        household = request.POST.get("household_id", "").strip()
        if not household and lead_ids:
            lead = selectors.get_lead(request.user, lead_ids[0])
            household = lead.household_id
        if not household:
            raise ValidationFailed("请先为该线索关联或新建户档案，再受理。", field="household_id")
        case, _ = services.accept_case(
            user=request.user,
            household=household,
            lead_ids=lead_ids,
            kind=request.POST.get("kind", ""),
            summary=request.POST.get("summary", ""),
            client=client_of(request),
        )
    except SafetynetError as err:
        raise_if_not_form_error(err)
        if request.POST.get("from") == "household" and household:
            messages.error(request, err.message)  # back to the household page, the reason shown
            return redirect("web:household", pk=household)
        return HttpResponse(err.message, status=err.status)
    messages.success(request, f"已受理，案件编号 {case.reference}。")
    return redirect("cases:detail", pk=case.pk)


@require_POST
@login_required
def dismiss(request, lead_id):
    try:
        lead = selectors.get_lead(request.user, lead_id)
        services.dismiss_lead(
            user=request.user, lead=lead, reason=request.POST.get("reason", ""), client=client_of(request)
        )
    except SafetynetError as err:
        raise_if_not_form_error(err)
        return HttpResponse(err.message, status=err.status)
    messages.success(request, f"线索 {lead.reference} 已排除（不予受理）。")
    return redirect("cases:leads")


# ---- case lists, dashboard, inbox -------------------------------------------------------------


@require_GET
@login_required
def case_list(request):
    listing = lists.show(
        request,
        filters.CaseFilter,
        worklists.cases(request.user, include_closed=True),
        tables.CaseTable,
        defaults={"state": "open"},
    )
    context = {**listing.context(), "monitoring": request.GET.get("monitoring") == "1"}
    return render(request, "cases/case_list.html", context, status=listing.status)


@require_GET
@login_required
def dashboard(request):
    today = clock.today()
    townships = worklists.townships_of(request.user)
    found = filters.TownshipFilter(request.GET, queryset=townships, request=request)
    errors = lists.form_errors(found.form)
    rows = worklists.deadline_board(
        request.user, townships=found.qs if not errors else townships.none(), today=today
    )
    if not errors and found.form.cleaned_data.get("overdue") == "1":
        rows = [r for r in rows if r["overdue"]]
    table = lists.configure(request, tables.DeadlineTable(rows))
    context = {"filter": found, "table": table, "filter_errors": errors, "today": today}
    return render(request, "cases/dashboard.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def inbox(request):
    if request.method == "POST":
        try:
            services.mark_read(user=request.user, item_id=request.POST.get("item_id"))
        except NotFound:
            pass  # not one of this user's items: nothing to mark, the list is shown again
        else:
            messages.success(request, "已标为已读。")
        return redirect("cases:inbox")
    listing = lists.show(request, filters.InboxFilter, selectors.inbox_of(request.user), tables.InboxTable)
    return render(request, "cases/inbox.html", listing.context(), status=listing.status)


# ---- the case page -----------------------------------------------------------------------------


def case_or_404(request, pk):
    try:
        return selectors.get_case(request.user, pk)
    except NotFound:
        raise Http404("未找到该案件。") from None


def _detail_context(request, pk) -> dict:
    """The case page: the dossier (one read model with the API) and the forms' choices."""
    user = request.user
    try:
        d = selectors.dossier(user, pk, today=clock.today())
    except NotFound:
        raise Http404("未找到该案件。") from None
    case = d.case
    proposal = selectors.current_proposal(case) if case.state == workflow.State.TOWNSHIP_DECISION else None
    review_records = [
        a
        for a in case.attachments.all()
        if a.kind == Attachment.Kind.VILLAGE_REVIEW and a.round == case.round
    ]
    return {
        "case": case,
        "state_label": d.state_label,
        "clock": d.clock,
        "members": d.members,
        "verified": d.round_results,
        "verification": selectors.verification_view(case, decision=d.round_decision, proposal=proposal),
        "leads": case.leads.all(),
        "transitions": case.transitions.all(),
        "attachments": case.attachments.all(),
        "investigations": case.investigations.all(),
        "reviews": case.village_reviews.all(),
        "review_records": review_records,
        "decisions": case.decisions.all(),
        "decision_traces": [(d, selectors.decision_trace(d)) for d in case.decisions.all()],
        "proposal": proposal,
        "proposal_trace": explained_result(proposal).get("trace", []) if proposal else [],
        "pending_item": selectors.live_item_of(case)
        if case.state == workflow.State.TOWNSHIP_DECISION
        else None,
        "proposal_values": services.proposal_values(proposal, case.household) if proposal else None,
        "notices": case.notices.all(),
        "objections": case.objections.all(),
        "letter": d.letter if not case.is_open else None,
        "messages_sent": case.messages.all(),
        "extensions": case.extensions.all(),
        "entitlements": case.entitlements.all(),
        "change_decisions": case.change_decisions.all(),
        "letters": case.letters.all(),
        "in_force": entitlement_selectors.current_row(case.household, clock.today())
        if not case.whole_procedure and case.is_open
        else None,
        "allowed": set(d.allowed),
        "can": {p.value: user.can(p) for p in Perm},
        "hardship_causes": glossary.HARDSHIP_CAUSES,
        "risk_events": glossary.RISK_EVENTS,
        "categories": [(k, v) for k, v in glossary.CATEGORY_LABELS.items() if k != "individual_dibao"],
        "monitoring_types": glossary.MONITORING_TYPES,
        "outcomes": [
            ("consistent", "与申报一致"),
            ("discrepancy", "与申报不一致"),
            ("no_data", "未查询到数据"),
        ],
        "today": clock.today(),
        "errors": {},
    }


@require_GET
@login_required
def detail(request, pk):
    return render(request, "cases/case_detail.html", _detail_context(request, pk))


def _investigation(request, case):
    members = []
    for m in registry_selectors.current_members(case.household):
        p = f"m{m.pk}_"
        row = {"membership_id": m.pk}
        for f in ("income_wage_12m", "income_business_12m", "income_property_12m", "income_transfer_12m"):
            raw = request.POST.get(p + f, "").strip()
            if raw:
                row[f] = raw
        row["major_illness"] = request.POST.get(p + "major_illness") == "on"
        row["notes"] = request.POST.get(p + "notes", "")
        members.append(row)
    facts = {}
    for f in ("financial_assets", "rigid_medical_12m", "rigid_education_12m", "rigid_rehabilitation_12m"):
        raw = request.POST.get(f, "").strip()
        if raw:
            facts[f] = raw
    judgement = request.POST.get("risk_judgement", "")
    facts["risk_judgement"] = {"yes": True, "no": False}.get(judgement)
    facts["risk_judgement_reason"] = request.POST.get("risk_judgement_reason", "")
    applicant = request.POST.get("single_person_applicant", "")
    facts["single_person_applicant"] = int(applicant) if applicant.isdigit() else None
    services.record_investigation(
        user=request.user,
        case=case,
        expected_version=_version(request),
        visited_on=_date(request.POST.get("visited_on", ""), "visited_on", "入户日期"),
        investigators=request.POST.get("investigators", ""),
        members=members,
        household_facts=facts,
        hardship_causes=request.POST.getlist("hardship_causes"),
        risk=request.POST.getlist("risk"),
        living_conditions=request.POST.get("living_conditions", ""),
        notes=request.POST.get("notes", ""),
        client=client_of(request),
    )


def _verification(request, case):
    results = []
    for m in registry_selectors.current_members(case.household):
        outcome = request.POST.get(f"outcome_{m.person_id}", "")
        if outcome:
            results.append(
                {
                    "person_id": m.person_id,
                    "outcome": outcome,
                    "summary": request.POST.get(f"summary_{m.person_id}", ""),
                    "sources": {
                        s: {"checked": True}
                        for s in request.POST.getlist(f"sources_{m.person_id}")
                        if s in glossary.VERIFICATION_SOURCES
                    },
                }
            )
    services.record_verification_results(
        user=request.user,
        case=case,
        results=results,
        expected_version=_version(request),
        client=client_of(request),
    )


def _review(request, case):
    services.record_village_review(
        user=request.user,
        case=case,
        expected_version=_version(request),
        held_on=_date(request.POST.get("held_on", ""), "held_on", "评议日期"),
        attendees=request.POST.get("attendees", ""),
        attendee_count=_int(request.POST.get("attendee_count"), "attendee_count", "参会人数"),
        votes_for=_int(request.POST.get("votes_for"), "votes_for", "赞成票"),
        votes_against=_int(request.POST.get("votes_against"), "votes_against", "反对票"),
        abstentions=_int(request.POST.get("abstentions") or 0, "abstentions", "弃权票"),
        record_id=_int(request.POST.get("record_id"), "record_id", "签字记录"),
        notes=request.POST.get("notes", ""),
        client=client_of(request),
    )


def _decision(request, case):
    action = request.POST.get("decision_action", "")
    values = None
    if action == "override":
        members = []
        for m in registry_selectors.current_members(case.household):
            cat = request.POST.get(f"member_category_{m.person_id}", "")
            if cat:
                members.append(
                    {
                        "person_id": m.person_id,
                        "category": cat,
                        "benefit_monthly": request.POST.get(f"member_benefit_{m.person_id}", "0") or "0",
                    }
                )
        values = {
            "category": request.POST.get("category", ""),
            "monitoring_marked": request.POST.get("monitoring_marked") == "on",
            "monitoring_type": request.POST.get("monitoring_type", ""),
            "benefit_monthly": request.POST.get("benefit_monthly", "0") or "0",
            "members": members,
        }
    aid = request.POST.get("assessment_id", "").strip()
    services.record_township_decision(
        user=request.user,
        case=case,
        expected_version=_version(request),
        action=action,
        assessment_id=int(aid) if aid.isdigit() else None,
        values=values,
        reason=request.POST.get("reason", ""),
        panel=request.POST.get("panel", ""),
        client=client_of(request),
    )


def _act(request, case, action):
    v, c, post = _version(request), client_of(request), request.POST
    if action == "transition":
        services.transition_case(
            user=request.user,
            case=case,
            name=post.get("name", ""),
            expected_version=v,
            reason=post.get("reason", ""),
            client=c,
        )
    elif action == "investigation":
        _investigation(request, case)
    elif action == "upload":
        services.upload_attachment(
            user=request.user,
            case=case,
            kind=post.get("kind", ""),
            upload=request.FILES.get("file"),
            client=c,
        )
    elif action == "verification":
        _verification(request, case)
    elif action == "verification_request":
        services.request_case_verification(user=request.user, case=case, expected_version=v, client=c)
    elif action == "review":
        _review(request, case)
    elif action == "propose":
        services.propose(user=request.user, case=case, client=c)
    elif action == "decision":
        _decision(request, case)
    elif action == "change_decision":
        services.decide_change(
            user=request.user,
            case=case,
            expected_version=v,
            action=post.get("action", ""),
            reason=post.get("reason", ""),
            client=c,
        )
    elif action == "stop_objection":
        services.record_stop_objection(
            user=request.user, case=case, expected_version=v, content=post.get("content", ""), client=c
        )
    elif action == "leading_group":
        services.record_leading_group_decision(
            user=request.user,
            case=case,
            expected_version=v,
            approved=post.get("approved") == "yes",
            meeting=post.get("meeting", ""),
            opinion=post.get("opinion", ""),
            client=c,
        )
    elif action == "objection":
        services.record_objection(
            user=request.user,
            case=case,
            expected_version=v,
            content=post.get("content", ""),
            raised_by=post.get("raised_by", ""),
            client=c,
        )
    elif action == "filing":
        services.file_case(
            user=request.user, case=case, expected_version=v, note=post.get("note", ""), client=c
        )
    elif action == "refuse":
        services.refuse_case(
            user=request.user, case=case, expected_version=v, reason=post.get("reason", ""), client=c
        )
    elif action == "withdraw":
        services.withdraw_case(
            user=request.user, case=case, expected_version=v, reason=post.get("reason", ""), client=c
        )
    elif action == "extension":
        services.request_extension(user=request.user, case=case, reason=post.get("reason", ""), client=c)
    elif action == "extension_decide":
        services.decide_extension(
            user=request.user,
            extension_id=post.get("extension_id"),
            approve=post.get("approve") == "yes",
            note=post.get("note", ""),
            client=c,
        )
    else:
        raise Http404("未知操作。")


@require_POST
@login_required
def act(request, pk, action):
    case = case_or_404(request, pk)
    try:
        _act(request, case, action)
    except SafetynetError as err:
        raise_if_not_form_error(err)
        context = _detail_context(request, pk)
        context["errors"] = {(err.field or FORM): err.message, "action": action}
        context["form_error"] = err.message
        return render(request, "cases/case_detail.html", context, status=409 if err.status == 409 else 400)
    messages.success(request, _done(request, action))
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#{action}")


# What the clerk is told after each action of the case page succeeded.
DONE = {
    "investigation": "入户调查记录已保存。",
    "upload": "材料已上传。",
    "verification": "经济状况核对结果已保存。",
    "verification_request": "已发起经济状况核对，核对报告已生成。",
    "review": "民主评议结果已保存。",
    "propose": "已按当前数据重新测算。",
    "decision": "审核确认意见已录入会议议程。",
    "leading_group": "县领导小组认定意见已录入。",
    "change_decision": "审核确认决定已作出，告知书和短信已生成。",
    "stop_objection": "申辩已登记，案件退回乡镇重新审核确认。",
    "objection": "异议已登记，案件退回重新调查。",
    "filing": "已备案并录入建档。",
    "refuse": "已作出不予认定决定。",
    "withdraw": "申请已撤回。",
    "extension": "延期申请已提交。",
    "extension_decide": "延期申请已审批。",
}


def _done(request, action: str) -> str:
    if action == "transition":
        name = request.POST.get("name", "")
        return f"已办理：{glossary.TRANSITION_LABELS.get(name, name)}。"
    return DONE.get(action, "操作已完成。")


@require_GET
@login_required
def attachment(request, pk, attachment_id):
    from django.http import FileResponse

    try:
        row = selectors.get_attachment(request.user, pk, attachment_id)
    except NotFound:
        raise Http404("未找到该材料。") from None
    return FileResponse(row.file.open("rb"), content_type=row.content_type)
