"""家庭变化 on the household page: change of head, a member leaves, a member joins, split, merge.

Each change is a page of its own with one form (plain POST, so the destructive ones ask first
through `data-confirm`): the view parses, calls one registry service and, on success, returns to
the household page with a message saying what changed; on a refusal the form comes back with the
message beside its field and nothing written.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safetynet.accounts.roles import Perm
from safetynet.core import clock
from safetynet.core.errors import NotFound, SafetynetError
from safetynet.core.masking import mask_name
from safetynet.registry import selectors, services
from safetynet.registry.models import ChangeKind, NotCountedReason, Relation
from safetynet.web import forms
from safetynet.web.shell import client_of, login_required, render_form_error
from safetynet.web.views.households import _household, _membership, _require, _villages

RELATIONS = [c for c in Relation.choices if c[0] != Relation.HEAD]
LEAVE_KINDS = [(k, ChangeKind(k).label) for k in services.changes.LEAVE_KINDS]
JOIN_KINDS = [(k, ChangeKind(k).label) for k in services.changes.JOIN_KINDS]
_INDEXED = re.compile(r"^members\[(\d+)\]\.(membership|relation)$")


def _start(request, pk):
    household = _household(request, pk)
    _require(request, Perm.EDIT_HOUSEHOLD)
    members = list(selectors.current_members(household))
    context = {
        "household": household,
        "members": members,
        "relation_choices": RELATIONS,
        "today": clock.today().isoformat(),
        "values": dict(request.POST.items()) if request.method == "POST" else {"version": household.version},
    }
    return household, members, context


def _leave_kinds(m) -> list[tuple[str, str]]:
    """The changes open to this member: 刑满释放 only for one recorded in prison, 结束全日制就读
    only for a student, the others otherwise."""
    if m.not_counted_reason == NotCountedReason.PRISON:
        shown = {ChangeKind.DEATH, ChangeKind.MOVE_OUT, ChangeKind.OTHER, ChangeKind.RELEASE}
    else:
        shown = set(services.changes.LEAVE_KINDS) - {ChangeKind.RELEASE, ChangeKind.STUDY_END}
        if m.person.fulltime_education:
            shown = (shown - {ChangeKind.STUDY}) | {ChangeKind.STUDY_END}
    return [(k, label) for k, label in LEAVE_KINDS if k in shown]


def _relations(post, prefix: str = "relations") -> dict[str, str]:
    """{membership id: relation} from the selects named `relations[<id>]` that were filled in."""
    out = {}
    for key, value in post.items():
        m = re.fullmatch(rf"{prefix}\[(\d+)\]", key)
        if m and value.strip():
            out[m.group(1)] = value.strip()
    return out


def _done(request, household, text: str):
    messages.success(request, text)
    return redirect("web:household", pk=household.pk)


@require_http_methods(["GET", "POST"])
@login_required
def change_head(request, pk):
    household, members, context = _start(request, pk)
    fields = (
        "new_head",
        "old_head_relation",
        "changed_on",
        "reason",
        *(f"relations[{m.pk}]" for m in members),
    )
    if request.method == "GET":
        return render(request, "web/changes/head.html", context)
    post = request.POST
    try:
        services.change_head(
            user=request.user,
            household=household,
            new_head=post.get("new_head", ""),
            old_head_relation=post.get("old_head_relation", ""),
            changed_on=forms.parse_date(post.get("changed_on", ""), "changed_on", "变更日期", required=True),
            reason=post.get("reason", ""),
            relations=_relations(post),
            expected_version=forms.parse_version(post.get("version", "")),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(request, "web/changes/head.html", context, error, fields)
    head = selectors.get_household(request.user, household.pk).head
    return _done(request, household, f"已办理户主变更：新户主为{mask_name(head.name)}。")


@require_http_methods(["GET", "POST"])
@login_required
def leave(request, pk, mid):
    household, members, context = _start(request, pk)
    m = _membership(request, household, mid)
    context.update(m=m, kind_choices=_leave_kinds(m), is_head=m.person_id == household.head_id)
    context["others"] = [o for o in members if o.pk != m.pk]
    fields = ("kind", "left_on", "reason", "new_head", "membership", *(f"relations[{o.pk}]" for o in members))
    if request.method == "GET":
        return render(request, "web/changes/leave.html", context)
    post = request.POST
    kind = post.get("kind", "")
    try:
        services.record_leave(
            user=request.user,
            household=household,
            membership=m.pk,
            kind=kind,
            left_on=forms.parse_date(post.get("left_on", ""), "left_on", "变化日期", required=True),
            reason=post.get("reason", ""),
            new_head=post.get("new_head") or None,
            relations=_relations(post),
            expected_version=forms.parse_version(post.get("version", "")),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(request, "web/changes/leave.html", context, error, fields)
    return _done(request, household, f"已登记{mask_name(m.person.name)}：{ChangeKind(kind).label}。")


@require_http_methods(["GET", "POST"])
@login_required
def join(request, pk):
    household, _, context = _start(request, pk)
    context["kind_choices"] = JOIN_KINDS
    fields = ("kind", "id_number", "name", "relation", "joined_on", "reason")
    if request.method == "GET":
        context["values"].update(kind="birth", joined_on=context["today"])
        return render(request, "web/changes/join.html", context)
    post = request.POST
    kind = post.get("kind", "")
    try:
        services.record_join(
            user=request.user,
            household=household,
            kind=kind,
            person=services.PersonInput(id_number=post.get("id_number", ""), name=post.get("name", "")),
            relation=post.get("relation", ""),
            joined_on=forms.parse_date(post.get("joined_on", ""), "joined_on", "加入日期", required=True),
            reason=post.get("reason", ""),
            expected_version=forms.parse_version(post.get("version", "")),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(request, "web/changes/join.html", context, error, fields)
    name = mask_name(post.get("name", "").strip())
    return _done(request, household, f"已登记成员增加（{ChangeKind(kind).label}）：{name}。")


@require_http_methods(["GET", "POST"])
@login_required
def split(request, pk):
    household, members, context = _start(request, pk)
    context["villages"] = _villages(request.user)
    fields = (
        "members",
        "new_head",
        "split_on",
        "reason",
        "village",
        "address",
        *(f"relations[{m.pk}]" for m in members),
    )
    if request.method == "GET":
        return render(request, "web/changes/split.html", context)
    post = request.POST
    chosen = [m for m in members if str(m.pk) in post.getlist("move")]
    context["moving"] = {str(m.pk) for m in chosen}
    try:
        new = services.split_household(
            user=request.user,
            household=household,
            members=[services.Mover(m.pk, post.get(f"relations[{m.pk}]", "")) for m in chosen],
            new_head=post.get("new_head", ""),
            split_on=forms.parse_date(post.get("split_on", ""), "split_on", "分户日期", required=True),
            reason=post.get("reason", ""),
            address=post.get("address", ""),
            village_code=post.get("village", "") if post.get("village") != household.village.code else "",
            expected_version=forms.parse_version(post.get("version", "")),
            client=client_of(request),
        )
    except SafetynetError as error:
        indexed = _INDEXED.match(error.field or "")
        if indexed:  # members[i].… → the row of the i-th chosen member
            error.field = f"relations[{chosen[int(indexed.group(1))].pk}]"
        return render_form_error(request, "web/changes/split.html", context, error, fields)
    messages.success(request, f"已分户：分出的成员另立为户{new.pk}。")
    return redirect("web:household", pk=household.pk)


@require_http_methods(["GET", "POST"])
@login_required
def merge(request, pk):
    household, _, context = _start(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    other_id = source.get("other", "").strip()
    other = None
    if other_id:
        try:
            other = selectors.get_household(request.user, other_id)
        except NotFound:
            context["errors"] = {"other": f"未找到户{other_id}，或不在您的管辖范围内。"}
    context.update(other=other, other_members=list(selectors.current_members(other)) if other else [])
    context["values"].setdefault("other", other_id)
    if other and request.method == "GET":
        context["values"]["other_version"] = other.version
    if request.method == "GET" or other is None:
        return render(
            request, "web/changes/merge.html", context, status=200 if other or not other_id else 404
        )
    post = request.POST
    fields = ("other", "merged_on", "reason", *(f"relations[{m.pk}]" for m in context["other_members"]))
    try:
        services.merge_households(
            user=request.user,
            household=household,
            other=other,
            relations=_relations(post),
            merged_on=forms.parse_date(post.get("merged_on", ""), "merged_on", "合户日期", required=True),
            reason=post.get("reason", ""),
            expected_version=forms.parse_version(post.get("version", "")),
            other_version=forms.parse_version(post.get("other_version", "")),
            client=client_of(request),
        )
    except SafetynetError as error:
        return render_form_error(request, "web/changes/merge.html", context, error, fields)
    return _done(request, household, f"已合户：户{other.pk}的成员已并入本户，户{other.pk}已销户。")
