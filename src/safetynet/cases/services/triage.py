"""Leads handled in batches from the worklist: sent to a village officer to check on site (分派),
or dismissed with one reason (批量排除). All or nothing: one lead that cannot be handled (missing,
outside the user's reach, already handled, outside the officer's village) refuses the whole batch
with a message naming it, and nothing is written. Each lead gets its own audit record."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.cases import notifications, selectors, worklists
from safetynet.cases.models import InboxItem, Lead
from safetynet.cases.services.checks import _require, _text
from safetynet.core.errors import Conflict, NotFound, ValidationFailed

# The most leads one batch takes (a worklist page is 50).
MAX_BATCH = 500
_SHOWN = 5  # references named in a refusal before "等N条"


@dataclass
class BatchResult:
    leads: list[Lead]
    changed: int  # leads written (an assignment to the same officer again writes nothing)

    @property
    def count(self) -> int:
        return len(self.leads)


def _ids(lead_ids) -> list[int]:
    ids: list[int] = []
    for raw in lead_ids or []:
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationFailed("线索编号应为整数。", code="invalid_lead_id", field="lead_ids") from None
        if value not in ids:
            ids.append(value)
    if not ids:
        raise ValidationFailed("请先勾选线索。", code="no_leads_selected", field="lead_ids")
    if len(ids) > MAX_BATCH:
        raise ValidationFailed(f"一次最多处理{MAX_BATCH}条线索。", code="too_many_leads", field="lead_ids")
    return ids


def _named(items: list[str]) -> str:
    shown = "、".join(items[:_SHOWN])
    return f"{shown}等{len(items)}条" if len(items) > _SHOWN else shown


def _new_leads(user, lead_ids, what: str) -> list[Lead]:
    """The leads, locked, in the order given; every one in reach and still new, or an error."""
    ids = _ids(lead_ids)
    found = {
        lead.pk: lead
        for lead in selectors.leads_visible_to(user)
        .select_for_update(of=("self",))
        .select_related("village__parent", "assigned_to")
        .filter(pk__in=ids)
    }
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise NotFound(
            f"未找到线索（内部编号 {_named(missing)}），或不在您的管辖范围内；未作任何更改。",
            code="lead_not_found",
            field="lead_ids",
        )
    leads = [found[i] for i in ids]
    handled = [lead.reference for lead in leads if lead.status != Lead.Status.NEW]
    if handled:
        raise Conflict(
            f"线索 {_named(handled)} 已处理（已受理或已排除），不能{what}；未作任何更改。",
            code="lead_not_new",
            field="lead_ids",
        )
    return leads


def assign_leads(*, user, lead_ids, officer, client: str = "") -> BatchResult:
    """Send new leads to a village officer (救助帮扶专干) to check on site. The officer must be
    within the user's reach and their village must hold every lead."""
    _require(user, Perm.ACCEPT_CASE, "分派线索")
    if officer in (None, ""):
        raise ValidationFailed("请选择要分派的村救助帮扶专干。", code="officer_required", field="officer")
    officers = worklists.village_officers_for(user)
    try:
        officer = officers.get(pk=int(getattr(officer, "pk", officer)))
    except (officers.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            "未找到该村救助帮扶专干，或不在您的管辖范围内。", code="officer_not_found", field="officer"
        ) from None
    with transaction.atomic():
        leads = _new_leads(user, lead_ids, "分派")
        outside = [
            f"{lead.reference}（{lead.village.name}）"
            for lead in leads
            if not lead.village.code.startswith(officer.area.code)
        ]
        if outside:
            raise ValidationFailed(
                f"专干 {officer_name(officer)}（{officer.area.name}）的管辖范围不含线索 "
                f"{_named(outside)} 所在的村；未作任何更改。",
                code="lead_outside_officer_reach",
                field="officer",
            )
        now, actor, changed = timezone.now(), Actor.of(user, client), 0
        for lead in leads:
            if lead.assigned_to_id == officer.pk:
                continue  # assigned to this officer already: nothing to write
            before = lead.assigned_to.username if lead.assigned_to_id else None
            lead.assigned_to, lead.assigned_at = officer, now
            lead.save(update_fields=["assigned_to", "assigned_at"])
            record_audit(
                actor=actor,
                action="lead.assign",
                object_type="lead",
                object_id=lead.pk,
                changes={"assigned_to": [before, officer.username]},
            )
            changed += 1
        if changed:
            notifications.notify_users(
                [officer],
                case=None,
                kind=InboxItem.Kind.LEAD,
                title=f"{officer_name(user)}分派给您{changed}条线索，请入户核实",
                key=f"leads-assigned:{now.isoformat()}:{leads[0].pk}",
            )
    return BatchResult(leads, changed)


def dismiss_leads(*, user, lead_ids, reason: str, client: str = "") -> BatchResult:
    """Dismiss new leads after checking (经核实排除), one reason for all, one audit record each."""
    _require(user, Perm.ACCEPT_CASE, "排除线索")
    reason = _text(reason, "reason", "排除理由", max_length=500)
    with transaction.atomic():
        leads = _new_leads(user, lead_ids, "排除")
        actor = Actor.of(user, client)
        for lead in leads:
            lead.status = Lead.Status.DISMISSED
            lead.save(update_fields=["status"])
            record_audit(
                actor=actor,
                action="lead.dismiss",
                object_type="lead",
                object_id=lead.pk,
                changes={"status": ["new", "dismissed"]},
                reason=reason,
            )
    return BatchResult(leads, len(leads))


def officer_name(user) -> str:
    return user.display_name or user.username
