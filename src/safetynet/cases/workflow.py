"""The single procedure (二(三)) as one explicit state machine: states, transitions, guards.

Pure: no Django. A transition names its source states, its target, the permission it needs
(denied unless the role holds it, `accounts/roles.py`) and the record it requires. Guards take a
`CaseFacts` snapshot and return a `Refusal` saying why the transition may not happen, or None.
The services (`cases/services.py`) are the only code that moves a case; they build the facts,
ask `check`, and write the new state with an optimistic lock. `transition_table()` exports the
graph (docs/procedure.md prints it; a test asserts it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from safetynet.core import glossary


class State(StrEnum):
    ACCEPTED = "accepted"
    INVESTIGATION = "investigation"
    VERIFICATION = "verification"
    VILLAGE_REVIEW = "village_review"
    TOWNSHIP_DECISION = "township_decision"
    LEADING_GROUP = "leading_group"
    NOTICE = "notice"
    STOP_NOTICE = "stop_notice"
    COUNTY_FILING = "county_filing"
    ARCHIVED = "archived"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


STATE_LABELS = {s: glossary.STATE_LABELS[s.value] for s in State}

FINAL = frozenset({State.ARCHIVED, State.REFUSED, State.WITHDRAWN})
OPEN = frozenset(set(State) - FINAL)

# Which permission the work of each open state needs (whose inbox and 待办 it lands in), and what
# that work is called (Perm values, as on the transitions). Read by the services (assignment) and by the task list (cases.tasks_selectors).
STATE_WORK = {
    State.ACCEPTED: "investigate",
    State.INVESTIGATION: "investigate",
    State.VERIFICATION: "verify",
    State.VILLAGE_REVIEW: "village_review",
    State.TOWNSHIP_DECISION: "township_decide",
    State.LEADING_GROUP: "leading_group_decide",
    State.NOTICE: "manage_notice",
    State.STOP_NOTICE: "township_decide",
    State.COUNTY_FILING: "county_file",
}
WORK_LABELS = {
    State.ACCEPTED: "待开始入户调查",
    State.INVESTIGATION: "待入户调查",
    State.VERIFICATION: "待经济状况核对",
    State.VILLAGE_REVIEW: "待村级初审（民主评议）",
    State.TOWNSHIP_DECISION: "待乡镇审核确认",
    State.LEADING_GROUP: "待县领导小组认定",
    State.NOTICE: "公示中，期满无异议后报县级备案",
    State.STOP_NOTICE: "停发告知中，申辩期满后报县级备案",
    State.COUNTY_FILING: "待县级备案",
}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class CaseFacts:
    """What the guards may look at; the services fill it from the database."""

    state: str
    today: dt.date
    has_investigation: bool = False  # an investigation recorded in the current round
    has_consent: bool = False  # the signed 承诺授权书 uploaded
    members_to_verify: int = 0  # counted members of the household
    members_verified: int = 0  # of them, with a verification result in the current round
    review_result: str = ""  # "passed" / "failed" / "" (current round)
    review_has_record: bool = False  # the signed 民主评议 record uploaded
    qualifies: bool = False  # income and assets qualify (engine, at the review)
    decision_outcome: str = ""  # township decision of the current round: grant / refer / refuse
    decision_publishes: bool = False  # the decision pays a benefit (谁救助谁公示)
    leading_group_result: str = ""  # approved / rejected
    notice_starts_on: dt.date | None = None
    notice_min_days: int | None = None  # the open notice's own minimum (a dated parameter)
    open_objection: bool = False
    reason: str = ""  # the written reason given with the transition
    kind: str = "application"  # application / change / review / stop (Case.kind)
    change_outcome: str = ""  # the current round's effective change decision: unchanged / change / stop
    stop_notice_ends: dt.date | None = None  # the first day the stop may be filed (申辩期满)


Guard = Callable[[CaseFacts], Refusal | None]


def _reason_given(f: CaseFacts) -> Refusal | None:
    if not (f.reason or "").strip():
        return Refusal("reason_required", "请填写书面理由。")
    return None


def _investigation_recorded(f: CaseFacts) -> Refusal | None:
    if not f.has_investigation:
        return Refusal("investigation_missing", "入户调查记录未填写。")
    return None


def _consent_uploaded(f: CaseFacts) -> Refusal | None:
    if not f.has_consent:
        return Refusal("consent_missing", "承诺授权书未上传。")
    return None


def _all_members_verified(f: CaseFacts) -> Refusal | None:
    if f.members_to_verify == 0:
        return Refusal("no_members", "该户没有计入的共同生活家庭成员，无法核对。")
    if f.members_verified < f.members_to_verify:
        missing = f.members_to_verify - f.members_verified
        return Refusal("verification_incomplete", f"尚有{missing}名家庭成员的经济状况核对结果未录入。")
    return None


def _review_passed(f: CaseFacts) -> Refusal | None:
    if not f.review_result:
        return Refusal("review_missing", "民主评议记录未填写。")
    if not f.review_has_record:
        return Refusal("review_record_missing", "民主评议签字记录未上传。")
    if f.review_result != "passed":
        return Refusal("review_failed", "民主评议未通过。")
    return None


def _review_failed_but_qualifies(f: CaseFacts) -> Refusal | None:
    if f.review_result != "failed":
        return Refusal("review_not_failed", "民主评议未出现未通过的结果。")
    if not f.qualifies:
        return Refusal("does_not_qualify", "该户收入、财产不符合条件，评议未通过应作不予认定处理。")
    return None


def _decision(outcome: str, publishes: bool | None = None) -> Guard:
    def guard(f: CaseFacts) -> Refusal | None:
        if not f.decision_outcome:
            return Refusal("decision_missing", "乡镇审核确认决定未作出。")
        if f.decision_outcome != outcome:
            return Refusal("decision_mismatch", "审核确认决定与此操作不符。")
        if publishes is not None and f.decision_publishes != publishes:
            return Refusal(
                "notice_rule",
                "享受救助待遇的须公示" if publishes is False else "仅认定为边缘等、不享受救助待遇的不公示",
            )
        return None

    return guard


def _leading_group(publishes: bool) -> Guard:
    def guard(f: CaseFacts) -> Refusal | None:
        if f.leading_group_result != "approved":
            return Refusal("leading_group_missing", "县领导小组认定意见未录入。")
        if f.decision_publishes != publishes:
            return Refusal("notice_rule", "享受救助待遇的须公示" if publishes else "不享受救助待遇的不公示")
        return None

    return guard


def _notice_elapsed(f: CaseFacts) -> Refusal | None:
    if f.notice_starts_on is None or f.notice_min_days is None:
        return Refusal("notice_missing", "公示未发布。")
    if f.open_objection:
        return Refusal("objection_open", "公示期内有异议未处理。")
    ends = f.notice_starts_on + dt.timedelta(days=f.notice_min_days)
    if f.today < ends:
        return Refusal(
            "notice_too_short",
            f"公示期不少于{f.notice_min_days}天，{ends.isoformat()}起方可结束公示。",
        )
    return None


# The kinds that take the whole procedure (village review, notice): an application, and the risk
# closure of a 防返贫监测对象 (POLICY.md §8: the same village review and notice).
APPLICATION_PATH = ("application", "risk_closure")


def _application(f: CaseFacts) -> Refusal | None:
    if f.kind not in APPLICATION_PATH:
        return Refusal("kind_mismatch", "复核、变更、停发案件不经村级初审，请提交乡镇审核确认。")
    return None


def _dynamic(f: CaseFacts) -> Refusal | None:
    if f.kind in APPLICATION_PATH:
        return Refusal("kind_mismatch", "申请认定案件须经村级初审（民主评议）。")
    return None


def _change_outcome(outcome: str) -> Guard:
    def guard(f: CaseFacts) -> Refusal | None:
        if f.change_outcome != outcome:
            return Refusal("decision_mismatch", "审核确认决定未作出或与此操作不符。")
        return None

    return guard


def _stop_notice_elapsed(f: CaseFacts) -> Refusal | None:
    if f.stop_notice_ends is None:
        return Refusal("stop_notice_missing", "停发告知未发出。")
    if f.today < f.stop_notice_ends:
        return Refusal(
            "stop_notice_too_short", f"申辩期未满，{f.stop_notice_ends.isoformat()}起方可报县级备案。"
        )
    return None


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[State, ...]
    target: State
    perm: str  # a Perm value (accounts/roles.py)
    record: str  # the record the step requires
    guards: tuple[Guard, ...] = field(default=())
    # Only the service that writes the step's record fires it (not the generic transition endpoint).
    internal: bool = False


S = State
_BEFORE_DECISION = (S.ACCEPTED, S.INVESTIGATION, S.VERIFICATION, S.VILLAGE_REVIEW)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "start_investigation",
        glossary.TRANSITION_LABELS["start_investigation"],
        (S.ACCEPTED,),
        S.INVESTIGATION,
        "investigate",
        "指派入户调查",
    ),
    Transition(
        "start_verification",
        glossary.TRANSITION_LABELS["start_verification"],
        (S.INVESTIGATION,),
        S.VERIFICATION,
        "investigate",
        "入户调查记录；已签字的承诺授权书",
        (_investigation_recorded, _consent_uploaded),
    ),
    Transition(
        "complete_verification",
        glossary.TRANSITION_LABELS["complete_verification"],
        (S.VERIFICATION,),
        S.VILLAGE_REVIEW,
        "verify",
        "每名家庭成员的核对结果",
        (_application, _all_members_verified),
    ),
    Transition(
        "village_review_passed",
        glossary.TRANSITION_LABELS["village_review_passed"],
        (S.VILLAGE_REVIEW,),
        S.TOWNSHIP_DECISION,
        "village_review",
        "民主评议记录（日期、参会人员、赞成与反对票、结果、签字记录）",
        (_review_passed,),
        internal=True,
    ),
    Transition(
        "village_review_reinvestigate",
        glossary.TRANSITION_LABELS["village_review_reinvestigate"],
        (S.VILLAGE_REVIEW,),
        S.INVESTIGATION,
        "village_review",
        "民主评议记录",
        (_review_failed_but_qualifies,),
        internal=True,
    ),
    Transition(
        "decide_with_notice",
        glossary.TRANSITION_LABELS["decide_with_notice"],
        (S.TOWNSHIP_DECISION,),
        S.NOTICE,
        "township_decide",
        "审核确认决定（冻结测算结果）",
        (_decision("grant", publishes=True),),
        internal=True,
    ),
    Transition(
        "decide_without_notice",
        glossary.TRANSITION_LABELS["decide_without_notice"],
        (S.TOWNSHIP_DECISION,),
        S.COUNTY_FILING,
        "township_decide",
        "审核确认决定（冻结测算结果）",
        (_decision("grant", publishes=False),),
        internal=True,
    ),
    Transition(
        "refer_leading_group",
        glossary.TRANSITION_LABELS["refer_leading_group"],
        (S.TOWNSHIP_DECISION,),
        S.LEADING_GROUP,
        "township_decide",
        "审核确认决定（提请认定）",
        (_decision("refer"),),
        internal=True,
    ),
    Transition(
        "leading_group_with_notice",
        glossary.TRANSITION_LABELS["leading_group_with_notice"],
        (S.LEADING_GROUP,),
        S.NOTICE,
        "leading_group_decide",
        "县领导小组认定意见",
        (_leading_group(True),),
        internal=True,
    ),
    Transition(
        "leading_group_without_notice",
        glossary.TRANSITION_LABELS["leading_group_without_notice"],
        (S.LEADING_GROUP,),
        S.COUNTY_FILING,
        "leading_group_decide",
        "县领导小组认定意见",
        (_leading_group(False),),
        internal=True,
    ),
    Transition(
        "objection",
        glossary.TRANSITION_LABELS["objection"],
        (S.NOTICE,),
        S.INVESTIGATION,
        "record_objection",
        "异议内容",
        (_reason_given,),
        internal=True,
    ),
    Transition(
        "close_notice",
        glossary.TRANSITION_LABELS["close_notice"],
        (S.NOTICE,),
        S.COUNTY_FILING,
        "manage_notice",
        "公示期满（不少于规定天数）且无异议",
        (_notice_elapsed,),
    ),
    Transition(
        "county_file",
        glossary.TRANSITION_LABELS["county_file"],
        (S.COUNTY_FILING,),
        S.ARCHIVED,
        "county_file",
        "备案意见；户的认定状态、生效月份、金额",
        internal=True,
    ),
    Transition(
        "refuse",
        glossary.TRANSITION_LABELS["refuse"],
        _BEFORE_DECISION,
        S.REFUSED,
        "refuse_case",
        "书面理由；不予认定告知书",
        (_reason_given,),
        internal=True,
    ),
    Transition(
        "refuse_by_township",
        glossary.TRANSITION_LABELS["refuse_by_township"],
        (S.TOWNSHIP_DECISION, S.NOTICE),
        S.REFUSED,
        "township_decide",
        "书面理由；不予认定告知书",
        (_reason_given,),
        internal=True,
    ),
    Transition(
        "refuse_by_leading_group",
        glossary.TRANSITION_LABELS["refuse_by_leading_group"],
        (S.LEADING_GROUP,),
        S.REFUSED,
        "leading_group_decide",
        "书面理由；不予认定告知书",
        (_reason_given,),
        internal=True,
    ),
    Transition(
        "refuse_filing",
        glossary.TRANSITION_LABELS["refuse_filing"],
        (S.COUNTY_FILING,),
        S.REFUSED,
        "county_file",
        "书面理由；不予认定告知书",
        (_reason_given,),
        internal=True,
    ),
    Transition(
        "withdraw",
        glossary.TRANSITION_LABELS["withdraw"],
        tuple(sorted(OPEN, key=list(State).index)),
        S.WITHDRAWN,
        "withdraw_case",
        "申请人撤回的书面说明",
        (_reason_given,),
    ),
    Transition(
        "start_reverification",
        glossary.TRANSITION_LABELS["start_reverification"],
        (S.ACCEPTED, S.INVESTIGATION),
        S.VERIFICATION,
        "investigate",
        "复核、变更事由（认定时的承诺授权书继续有效）",
        (_dynamic,),
    ),
    Transition(
        "complete_reverification",
        glossary.TRANSITION_LABELS["complete_reverification"],
        (S.VERIFICATION,),
        S.TOWNSHIP_DECISION,
        "verify",
        "每名家庭成员的核对结果",
        (_dynamic, _all_members_verified),
    ),
    Transition(
        "decide_unchanged",
        glossary.TRANSITION_LABELS["decide_unchanged"],
        (S.TOWNSHIP_DECISION,),
        S.ARCHIVED,
        "township_decide",
        "复核决定（测算结果与现享受待遇一致）",
        (_dynamic, _change_outcome("unchanged")),
        internal=True,
    ),
    Transition(
        "decide_change",
        glossary.TRANSITION_LABELS["decide_change"],
        (S.TOWNSHIP_DECISION,),
        S.COUNTY_FILING,
        "township_decide",
        "变更决定（新的类别、金额）；变更告知书",
        (_dynamic, _change_outcome("change")),
        internal=True,
    ),
    Transition(
        "decide_stop",
        glossary.TRANSITION_LABELS["decide_stop"],
        (S.TOWNSHIP_DECISION,),
        S.STOP_NOTICE,
        "township_decide",
        "停发决定（书面理由）；停发告知书",
        (_dynamic, _change_outcome("stop"), _reason_given),
        internal=True,
    ),
    Transition(
        "stop_objection",
        glossary.TRANSITION_LABELS["stop_objection"],
        (S.STOP_NOTICE,),
        S.TOWNSHIP_DECISION,
        "township_decide",
        "申辩内容",
        (_reason_given,),
        internal=True,
    ),
    Transition(
        "close_stop_notice",
        glossary.TRANSITION_LABELS["close_stop_notice"],
        (S.STOP_NOTICE,),
        S.COUNTY_FILING,
        "township_decide",
        "申辩期满且无申辩",
        (_stop_notice_elapsed,),
    ),
)

BY_NAME: dict[str, Transition] = {t.name: t for t in TRANSITIONS}
REFUSALS = ("refuse", "refuse_by_township", "refuse_by_leading_group", "refuse_filing")


class UnknownTransition(KeyError):
    pass


def transition(name: str) -> Transition:
    try:
        return BY_NAME[name]
    except KeyError:
        raise UnknownTransition(name) from None


def check(t: Transition, facts: CaseFacts) -> Refusal | None:
    """Why `t` may not fire on a case with these facts, or None. Permission is the caller's."""
    if State(facts.state) not in t.sources:
        return Refusal(
            "invalid_transition",
            f"案件当前处于“{STATE_LABELS[State(facts.state)]}”，不能执行“{t.label}”。",
        )
    for guard in t.guards:
        refusal = guard(facts)
        if refusal is not None:
            return refusal
    return None


def available(state: str, kind: str = "application") -> list[Transition]:
    """The transitions out of `state` for a case of `kind` (the kind's own path: an application
    goes through the village review, a change, review or stop case does not)."""
    excluded = _dynamic if kind in APPLICATION_PATH else _application
    return [t for t in TRANSITIONS if State(state) in t.sources and excluded not in t.guards]


def refusal_for(state: str) -> Transition:
    """The refusal transition that applies in a state."""
    for name in REFUSALS:
        t = BY_NAME[name]
        if State(state) in t.sources:
            return t
    raise UnknownTransition(f"refuse from {state}")


def transition_table() -> list[dict]:
    """The graph as rows (name, label, sources, target, perm, record, guards)."""
    return [
        {
            "name": t.name,
            "label": t.label,
            "sources": [s.value for s in t.sources],
            "target": t.target.value,
            "perm": t.perm,
            "record": t.record,
            "guards": [g.__qualname__.split(".")[0] for g in t.guards],
        }
        for t in TRANSITIONS
    ]


def edges() -> set[tuple[str, str]]:
    return {(s.value, t.target.value) for t in TRANSITIONS for s in t.sources}
