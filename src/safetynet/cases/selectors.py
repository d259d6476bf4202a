"""Reads of leads and cases, scoped like the registry: a case outside the user's area is the same
`NotFound` as a missing one. Worklists, deadlines, the dashboard and a household's history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from safetynet.accounts.roles import Perm
from safetynet.cases.models import OPEN_STATES, Case, InboxItem, Lead
from safetynet.cases.workflow import STATE_LABELS, State
from safetynet.core import clock as system_clock
from safetynet.core.areas import configured_county
from safetynet.core.errors import NotFound
from safetynet.core.prefetch import prefetch_present
from safetynet.registry import selectors as registry
from safetynet.registry.models import Relation
from safetynet.workdays.services import work_calendar


def cases_visible_to(user) -> QuerySet[Case]:
    return registry.in_reach(Case.objects.all(), user, "village__code")


def get_case(user, pk, *, for_update: bool = False) -> Case:
    try:
        qs = cases_visible_to(user).select_related("household__village__parent", "household__head")
        return qs.get(pk=int(pk))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该案件。", code="case_not_found") from None


@dataclass
class Dossier:
    """One case as its page and its API read it: the case with every record of it fetched in one
    go (a query per kind of record it holds, whatever their number), its clock, the current household
    members, this round's current verification result per member, and what the user may do."""

    case: Case
    members: list
    clock: Clock
    allowed: list[str]
    current_results: list
    round_results: dict

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.case.state)]

    @property
    def letter(self):
        return getattr(self.case, "refusal_letter", None)

    @property
    def round_decision(self):
        """This round's decision in effect (one the review group's sitting confirmed), if any."""
        return next(
            (d for d in reversed(self.case.decisions.all()) if d.round == self.case.round and d.effective),
            None,
        )


def dossier_records() -> tuple:
    """Every kind of record of a case the dossier reads: a relation's name, or a `Prefetch` where
    the page wants its rows read in a certain way."""
    from django.db.models import Prefetch

    from safetynet.cases.models import Notice, VerificationResult

    return (
        Prefetch("leads", queryset=Lead.objects.select_related("village__parent")),
        "transitions",
        "attachments",
        "investigations",
        Prefetch(
            "verification_results",
            queryset=VerificationResult.objects.filter(superseded_by__isnull=True).order_by("id"),
            to_attr="current_results",
        ),
        "village_reviews",
        "decisions",
        "leading_group_decisions",
        Prefetch("notices", queryset=Notice.objects.prefetch_related("objections").order_by("id")),
        "objections",
        "messages",
        "extensions",
        "entitlements",
        "change_decisions",
        "letters",
    )


def dossier(user, pk, *, today: dt.date | None = None) -> Dossier:
    """The case `pk` through the user's reach (outside it: the same NotFound as missing)."""
    try:
        case = (
            cases_visible_to(user)
            .select_related("household__village__parent", "household__head", "refusal_letter")
            .get(pk=int(pk))
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该案件。", code="case_not_found") from None
    # Most of a case's kinds of records are empty until its procedure reaches them: one query
    # finds which hold rows, and only those are read.
    prefetch_present([case], *dossier_records())
    from safetynet.cases import workflow

    allowed = (
        [t.name for t in workflow.available(case.state, case.kind) if user.can(t.perm)]
        if case.is_open
        else []
    )
    return Dossier(
        case=case,
        members=list(registry.current_members(case.household)),
        clock=clock(case, today),
        allowed=allowed,
        current_results=case.current_results,
        round_results={v.person_id: v for v in case.current_results if v.round == case.round},
    )


def get_attachment(user, case_pk, pk):
    """A material of a case in the user's reach; another case's or a missing one is NotFound."""
    from safetynet.cases.models import Attachment

    try:
        return Attachment.objects.get(pk=int(pk), case__in=cases_visible_to(user).filter(pk=int(case_pk)))
    except (Attachment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("未找到该材料。", code="attachment_not_found") from None


def leads_visible_to(user) -> QuerySet[Lead]:
    """Staff see the leads of their area; a department liaison sees the leads it filed."""
    if not user or not user.is_authenticated:
        return Lead.objects.none()
    if not registry.has_reach(user):
        if user.can(Perm.RAISE_LEAD):
            return Lead.objects.filter(created_by=user)
        return Lead.objects.none()
    return registry.in_reach(Lead.objects.all(), user, "village__code")


def get_lead(user, pk) -> Lead:
    try:
        return (
            leads_visible_to(user)
            .select_related("village__parent", "case", "assigned_to__area")
            .get(pk=int(pk))
        )
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该线索。", code="lead_not_found") from None


def open_case_of(household) -> Case | None:
    return Case.objects.filter(household=household, state__in=OPEN_STATES).first()


def open_case_ids(household_id: int) -> list[int]:
    """The registry's probe (registry.services.hooks.open_case_probes, registered in apps.py): a
    family change to a household with an open case is allowed, and its audit record names the case."""
    return list(
        Case.objects.filter(household_id=household_id, state__in=OPEN_STATES).values_list("pk", flat=True)
    )


@dataclass
class Clock:
    deadline: dt.date | None
    provisional: bool
    remaining: int | None  # working days left (0 on the due day); None when closed
    overdue: bool
    due_soon: bool


def due_soon_working_days(on: dt.date) -> int:
    """How many working days before its deadline a case counts as due soon (a dated parameter)."""
    from safetynet.assessments.services import parameter_set

    return int(parameter_set(configured_county()).on(on)["procedure.due_soon_working_days"])


def clock(case: Case, today: dt.date | None = None, cal=None, due_soon: int | None = None) -> Clock:
    """A case's deadline clock; `due_soon` (the window in working days) is read from the parameters
    of `today` unless the caller, reading many cases, passes it once."""
    today = today or system_clock.today()
    if case.deadline is None or not case.is_open:
        return Clock(case.deadline, case.deadline_provisional, None, False, False)
    cal = cal or work_calendar()
    if today > case.deadline:
        return Clock(
            case.deadline,
            case.deadline_provisional,
            -cal.working_days_between(case.deadline, today),
            True,
            False,
        )
    remaining = cal.working_days_between(today, case.deadline)
    window = due_soon if due_soon is not None else due_soon_working_days(today)
    return Clock(case.deadline, case.deadline_provisional, remaining, False, remaining <= window)


def case_history(user, household) -> list[dict]:
    """Every case of a household, newest first, with its moves and the status it left behind
    (for the household page). The household is fetched through the registry's scoping."""
    household = registry.reached_household(user, household)
    cases = list(Case.objects.filter(household=household).order_by("-id"))
    prefetch_present(cases, "transitions", "entitlements", "leads", "decisions")
    out = []
    for c in cases:
        out.append(
            {
                "case": c,
                "state_label": STATE_LABELS[State(c.state)],
                "leads": list(c.leads.all()),
                "transitions": list(c.transitions.all()),
                "decision": ([d for d in c.decisions.all() if d.effective] or [None])[-1],
                "status": (list(c.entitlements.all()) or [None])[0],
            }
        )
    return out


# ---- the township decision's proposal and its explanation -------------------------------------


def current_proposal(case: Case):
    """The engine's proposal for this round's decision: an assessment made since the case came
    to the township."""
    since = case.state_changed_at if case.state == State.TOWNSHIP_DECISION else None
    from safetynet.assessments.models import Assessment

    qs = Assessment.objects.filter(household=case.household, run__isnull=True)
    if since:
        qs = qs.filter(created_at__gte=since)
    return qs.order_by("-id").first()


def decision_trace(decision) -> list[dict]:
    """The frozen proposal's trace of a township decision, a sentence on every step (written now
    for a decision frozen before the sentences existed, with the hukou of its frozen inputs)."""
    from safetynet.policy.sentences import with_sentences

    trace = (decision.proposal or {}).get("trace") or []
    if all(step.get("sentence") for step in trace):
        return trace
    return with_sentences(trace, hukou=(decision.assessment.inputs or {}).get("hukou"))


def explain_decision(*, user, decision_id) -> dict:
    """Recompute a past decision's proposal from its frozen inputs and the parameters of its time.

    Both results carry a plain-Chinese sentence on every trace step (a proposal frozen before the
    sentences existed gets them now); `identical` compares the decisions, not the wording."""
    from safetynet.cases.models import TownshipDecision

    decision = TownshipDecision.objects.filter(pk=decision_id, case__in=cases_visible_to(user)).first()
    if decision is None:
        raise NotFound("未找到该决定。", code="decision_not_found")
    from safetynet.assessments.services import recompute
    from safetynet.policy.sentences import with_sentences, without_sentences

    again = recompute(decision.assessment)
    frozen = {k: v for k, v in decision.proposal.items() if not k.startswith("_")}
    if isinstance(frozen.get("trace"), list):
        hukou = (decision.assessment.inputs or {}).get("hukou")
        frozen["trace"] = with_sentences(frozen["trace"], hukou=hukou)
    return {
        "decision": decision.pk,
        "parameters_version": decision.parameters_version,
        "parameters_digest": decision.parameters_digest,
        "rule_set_version": decision.rule_set_version,
        "identical": without_sentences(again) == without_sentences(frozen),
        "recomputed": again,
        "frozen": frozen,
    }


# ---- economic-status verification ----------------------------------------------------------------


def verification_report(case: Case):
    """The verification report this round's results were attached from (the latest request), or
    None when the round has none (results entered by hand, or not yet verified)."""
    from safetynet.cases.models import VerificationResult
    from safetynet.verification.models import VerificationReport

    ref = (
        VerificationResult.objects.filter(case=case, round=case.round, origin="automatic")
        .exclude(external_ref="")
        .order_by("-id")
        .values_list("external_ref", flat=True)
        .first()
    )
    if not ref or not ref.isdigit():
        return None
    return (
        VerificationReport.objects.filter(
            pk=int(ref), household_id=case.household_id, case_reference=case.reference
        )
        .select_related("requested_by")
        .first()
    )


# Which department each compared field comes from (`verification.report.verified_input`).
_FIELD_SOURCES = {
    "assets.financial": "金融资产",
    "assets.vehicles": "车船登记",
    "assets.homes": "不动产登记",
    "assets.home_bought_within_year": "不动产登记",
    "assets.company_roles": "市场主体登记",
    "rigid_expenditure_12m.medical": "医保",
    "rigid_expenditure_12m.education": "教育",
    "risk_events": "应急管理、失业登记",
}


def _field_source(field: str) -> str:
    if field.startswith("members."):
        rest = field.split(".", 2)[2:] or [""]
        if rest[0].startswith("income_12m"):
            return "社会保险"
        if rest[0] == "disability":
            return "残联"
        return "户籍"
    return _FIELD_SOURCES.get(field, "")


def verification_view(case: Case, *, decision=None, proposal=None) -> dict | None:
    """The case page's 经济状况核对 card: per counted member and source what the departments hold
    (with provenance) and the member's result; declared and verified values side by side, grouped
    per member (their own fields) and for the household (totals, each finding named by member),
    with which value was used — by the round's decision if made, else by the proposal shown, else
    what the next assessment will use. None when the round has no verification report."""
    from safetynet.cases.models import VerificationResult
    from safetynet.verification.report import verified_input

    report = verification_report(case)
    if report is None:
        return None
    data = report.report
    if decision is not None and decision.round == case.round and decision.verification:
        comparison, used_by = decision.verification.get("comparison", []), "decision"
    elif proposal is not None and proposal.verification.get("report") == report.pk:
        comparison, used_by = proposal.verification.get("comparison", []), "proposal"
    else:
        _, comparison = verified_input(case.household, data)
        used_by = "preview"
    results = {
        r.person_id: r
        for r in VerificationResult.objects.filter(
            case=case, round=case.round, superseded_by__isnull=True
        ).order_by("id")
    }
    owner = {}  # finding text -> masked member name
    for m in data["members"]:
        for s in m["sources"]:
            for e in s["effects"]:
                owner.setdefault(e["text"], m["name"])

    def row(c):
        return {
            **c,
            "source": _field_source(c["field"]),
            "findings": [f"{owner[t]}：{t}" if t in owner else t for t in c["provenance"]],
        }

    members, taken = [], set()
    for i, m in enumerate(data["members"]):
        if not m["counted"]:
            continue
        own = [
            row(c)
            for c in comparison
            if c["field"] == f"members.{i}" or c["field"].startswith(f"members.{i}.")
        ]
        taken.update(c["field"] for c in own)
        result = results.get(m["person_id"])
        members.append(
            {
                "person_id": m["person_id"],
                "name": m["name"],
                "relation": Relation(m["relation"]).label
                if m["relation"] in Relation.values
                else m["relation"],
                "result": result,
                "sources": [
                    {**s, "findings": [e["text"] for e in s["effects"]]} for s in m["sources"] if s["queried"]
                ],
                "unqueried": [s["label"] for s in m["sources"] if not s["queried"]],
                "rows": own,
            }
        )
    return {
        "report": report,
        "on": data.get("on"),
        "members": members,
        "household_rows": [row(c) for c in comparison if c["field"] not in taken],
        "used_by": used_by,
    }


def inbox_of(user, *, unread_only: bool = False) -> QuerySet[InboxItem]:
    qs = InboxItem.objects.filter(user=user).select_related("case")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-id")


def notices_in_village(user, village_code: str) -> QuerySet:
    from safetynet.cases.models import Notice

    village = registry.get_village(user, village_code)
    return Notice.objects.filter(village=village, status="open").select_related("case").order_by("starts_on")


# ---- sittings of the township review group -------------------------------------------------------


def sittings_visible_to(user) -> QuerySet:
    """Sittings of the townships in the user's reach (a village officer reaches none)."""
    from safetynet.cases.models import Sitting

    if not registry.has_reach(user) or len(user.area.code) > 9:
        return Sitting.objects.none()
    return registry.in_reach(Sitting.objects.all(), user, "township__code")


def get_sitting(user, pk):
    """A sitting in the user's reach; one of another township is the same `NotFound` as none."""
    from safetynet.cases.models import Sitting

    try:
        qs = sittings_visible_to(user).select_related("township", "opened_by", "confirmed_by")
        return qs.get(pk=int(pk))
    except (Sitting.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("未找到该会议。", code="sitting_not_found") from None


def township_sittings(user, *, township: str = "", status: str = "") -> QuerySet:
    """The sittings of the user's townships (one township's with `township`), newest first, with
    their attendees and agenda prefetched."""
    qs = sittings_visible_to(user).select_related("township", "opened_by", "confirmed_by")
    if township:
        qs = qs.filter(township__code=township)
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("attendees", "items").order_by("-held_on", "-id")


def sitting_agenda(sitting) -> list:
    """The sitting's agenda items with their cases and decisions, in the order they were added."""
    return list(
        sitting.items.select_related(
            "case__household__village", "case__household__head", "decision", "recorded_by"
        ).order_by("id")
    )


def live_item_of(case):
    """The case's item on the agenda of a sitting not yet confirmed (its pending decision), or None."""
    from safetynet.cases.models import SittingItem

    return (
        SittingItem.objects.filter(case=case, status__in=SittingItem.LIVE)
        .select_related("sitting", "decision", "case__household__village")
        .first()
    )


def cases_awaiting_sitting(user, township_code: str) -> QuerySet[Case]:
    """Cases of a township waiting for the review group and on no open sitting's agenda."""
    from safetynet.cases.models import SittingItem

    live = SittingItem.objects.filter(status__in=SittingItem.LIVE).values("case_id")
    return (
        cases_visible_to(user)
        .filter(state=State.TOWNSHIP_DECISION, village__parent__code=township_code)
        .exclude(pk__in=live)
        .select_related("household__village", "household__head")
        .order_by("deadline", "id")
    )


def review_group_members(township) -> QuerySet:
    """Active users of the review roles (组长, 成员) of a township: who may attend its sittings."""
    from safetynet.accounts.models import User
    from safetynet.accounts.roles import Role

    return User.objects.filter(
        is_active=True, role__in=[Role.REVIEW_MEMBER.value, Role.REVIEW_LEADER.value], area=township
    ).order_by("role", "username")


def standard_changes(user):
    """The 提标 decisions of the regions the user reaches (county and above see their county's)."""
    from safetynet.cases.models import StandardChange

    if not registry.has_reach(user):
        return StandardChange.objects.none()
    code = user.area.code
    above = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    return StandardChange.objects.filter(Q(region__startswith=code) | Q(region__in=above))
