"""A family change on a household that is entitled opens a change case (二(六)2: 动态管理).

The registry announces every family change (`registry.services.hooks.household_changed`, after
the change has committed); this receiver looks at the entitlement in force: none → nothing to
do; in force → a lead recording the change (rule `household_change`, deduplicated per change) and
a change case accepted on the change's behalf, so the household is re-assessed through the one
procedure. A household that already has an open case gets the lead merged into that case. A
household closed by a merge that was still entitled gets a stop case.
"""

from __future__ import annotations

from django.db import transaction

from safetynet.cases.models import Case
from safetynet.cases.services.acceptance import _open_case
from safetynet.cases.services.intake import raise_lead
from safetynet.core import clock
from safetynet.core.glossary import CHANGE_KINDS
from safetynet.entitlements import selectors as entitlement_selectors
from safetynet.registry.models import Household

RULE = "household_change"


def open_change_case(household, *, change: str, date, reason: str, actor, persons=()) -> Case | None:
    """The case the change opened (or the open case it joined), or None when the household is
    not entitled to anything."""
    hh = Household.objects.select_related("village__parent", "head").get(
        pk=getattr(household, "pk", household)
    )
    if entitlement_selectors.current_row(hh, clock.today()) is None:
        return None
    kind = Case.Kind.STOP if hh.closed_on else Case.Kind.CHANGE
    what = CHANGE_KINDS.get(change, change)
    summary = f"家庭变化：{what}（{date:%Y年%m月%d日}）{('，' + reason) if reason else ''}"
    if hh.closed_on:
        summary += "；该户已销户，待遇应停发"
    key = f"{RULE}:{hh.pk}:{change}:{date.isoformat()}:{','.join(str(p) for p in sorted(persons))}"
    with transaction.atomic():
        lead, _ = raise_lead(
            actor=actor,
            channel="grassroots",
            village=hh.village,
            summary=summary[:2000],
            household=hh,
            rule=RULE,
            evidence={"change": change, "date": date.isoformat(), "persons": list(persons)},
            dedup_key=key[:200],
        )
        if lead.case_id:
            return lead.case  # joined the case already open (or filed before)
        return _open_case(hh, kind, [lead], [], "", summary, clock.today(), actor, None)


def on_household_changed(sender, *, household, kind, date, reason, actor, related=None, persons=(), **_):
    open_change_case(household, change=kind, date=date, reason=reason, actor=actor, persons=persons)
    if related is not None:
        open_change_case(related, change=kind, date=date, reason=reason, actor=actor, persons=persons)
