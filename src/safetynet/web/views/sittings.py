"""Web pages of the township review group's sittings (审核确认小组会议): the township's sittings
with the form to open one, and a sitting's page — attendance, agenda, the vote on each case and
the leader's confirmation. Views parse, call `cases.services` / `cases.selectors` and render; a
failing form comes back on the page with its message (400/409)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safetynet.accounts.roles import Perm
from safetynet.cases import selectors, services
from safetynet.core import clock, glossary
from safetynet.core.errors import NotFound, SafetynetError, ValidationFailed
from safetynet.registry.models import Area
from safetynet.web.shell import FORM, client_of, login_required, raise_if_not_form_error


def _sitting(request, pk):
    try:
        return selectors.get_sitting(request.user, pk)
    except NotFound:
        raise Http404("未找到该会议。") from None


def _own_township(user) -> Area | None:
    return user.area if user.area_id and user.area.level == Area.Level.TOWNSHIP else None


def _int(raw, field: str) -> int | None:
    raw = str(raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed("票数应为非负整数。", field=field)
    return int(raw)


def _errors(err: SafetynetError) -> dict:
    raise_if_not_form_error(err)
    field = (err.field or FORM).split("[")[0]
    return {field: err.message, FORM: err.message}


@require_http_methods(["GET", "POST"])
@login_required
def sitting_list(request):
    user = request.user
    township = _own_township(user)
    context = {"errors": {}, "values": {"held_on": clock.today().isoformat()}, "township": township}
    status = 200
    if request.method == "POST":
        try:
            raw = request.POST.get("held_on", "").strip()
            try:
                held_on = dt.date.fromisoformat(raw)
            except ValueError:
                raise ValidationFailed("请填写会议日期（年-月-日）。", field="held_on") from None
            sitting = services.open_sitting(
                user=user,
                township=request.POST.get("township", ""),
                held_on=held_on,
                attendee_ids=request.POST.getlist("attendee_ids"),
                notes=request.POST.get("notes", ""),
                client=client_of(request),
            )
            messages.success(request, f"已召开{sitting.held_on:%Y-%m-%d}审核确认小组会议。")
            return redirect("cases:sitting", sitting.pk)
        except SafetynetError as err:
            context["errors"], status = _errors(err), 409 if err.status == 409 else 400
            context["values"] = request.POST
    context["sittings"] = selectors.township_sittings(user)[:100]
    context["reviewers"] = selectors.review_group_members(township) if township else []
    context["quorum"] = services.quorum(township, clock.today()) if township else None
    context["can_open"] = bool(township) and user.can(Perm.TOWNSHIP_DECIDE)
    return render(request, "cases/sitting_list.html", context, status=status)


def _detail_context(request, sitting) -> dict:
    user = request.user
    attendees = list(sitting.attendees.order_by("role", "username"))
    need = services.quorum(sitting.township, sitting.held_on)
    is_open = sitting.status == "open"
    return {
        "sitting": sitting,
        "attendees": attendees,
        "attendee_ids": {u.pk for u in attendees},
        "quorum": need,
        "has_quorum": len(attendees) >= need,
        "items": selectors.sitting_agenda(sitting),
        "reviewers": selectors.review_group_members(sitting.township) if is_open else [],
        "awaiting": selectors.cases_awaiting_sitting(user, sitting.township.code) if is_open else [],
        "can_record": is_open and user.can(Perm.TOWNSHIP_DECIDE),
        "can_confirm": is_open and user.can(Perm.CONFIRM_SITTING),
        "categories": glossary.CATEGORY_LABELS,
        "errors": {},
    }


@require_http_methods(["GET"])
@login_required
def sitting_detail(request, pk):
    return render(request, "cases/sitting_detail.html", _detail_context(request, _sitting(request, pk)))


def _act(request, sitting, action) -> None:
    user, post, c = request.user, request.POST, client_of(request)
    version = post.get("version", "").strip()
    version = int(version) if version.isdigit() else None
    if action == "attendance":
        services.record_attendance(
            user=user,
            sitting=sitting,
            expected_version=version,
            attendee_ids=post.getlist("attendee_ids"),
            client=c,
        )
    elif action == "agenda":
        services.add_to_sitting(user=user, sitting=sitting, case=post.get("case_id"), client=c)
    elif action == "vote":
        services.record_sitting_vote(
            user=user,
            sitting=sitting,
            case=post.get("case_id"),
            expected_version=version,
            votes_for=_int(post.get("votes_for"), "votes_for"),
            votes_against=_int(post.get("votes_against"), "votes_against"),
            abstentions=_int(post.get("abstentions"), "abstentions") or 0,
            client=c,
        )
    elif action == "confirm":
        services.confirm_sitting(user=user, sitting=sitting, expected_version=version, client=c)
    else:
        raise Http404("未知操作。")


@require_POST
@login_required
def sitting_act(request, pk, action):
    sitting = _sitting(request, pk)
    try:
        _act(request, sitting, action)
    except SafetynetError as err:
        context = _detail_context(request, _sitting(request, pk))
        context["errors"] = {**_errors(err), "action": action}
        context["form_error"] = err.message
        return render(request, "cases/sitting_detail.html", context, status=409 if err.status == 409 else 400)
    messages.success(request, SITTING_DONE.get(action, "操作已完成。"))
    return redirect(f"{reverse('cases:sitting', args=[sitting.pk])}#{action}")


SITTING_DONE = {
    "attendance": "出席人员已保存。",
    "agenda": "案件已列入议程。",
    "vote": "表决结果已录入。",
    "confirm": "会议决定已确认，表决通过的决定已生效。",
}
