"""Review cases in bulk, for the yearly review campaign (7–8月复核, the campaigns app): open many
review cases at once and move many along the two transitions a campaign drives for them
(`start_reverification`, `complete_reverification`).

The same procedure as one case at a time (`services.acceptance.accept_case`, `base._fire`), written
set-based: one `bulk_create` of the cases, one of their transition rows, one UPDATE per chunk of a
move, and one audit record per case appended in one go (`audit.services.record_audits`, the same
hash chain). The workflow's guards are still asked for every case (`workflow.check`) on facts read
set-based, so a bulk move can never do what a single move may not. Each call is one transaction
over the chunk it is given: the caller keeps chunks small enough that other writers are not held up.

What a bulk opening does not do, unlike `accept_case`: no receipt SMS (the family is told of the
review's outcome by the decision's letter) and no inbox item per case (the step shows in the task
list of the township, which reads the case states).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safetynet.assessments.services import parameter_set
from safetynet.audit.services import Actor, Entry, record_audits
from safetynet.cases import workflow
from safetynet.cases.models import Case, CaseTransition, VerificationResult
from safetynet.cases.workflow import State
from safetynet.core.bulk_insert import insert_rows
from safetynet.registry.models import Membership
from safetynet.workdays.services import work_calendar


@dataclass(frozen=True)
class NewReviewCase:
    household_id: int
    village_id: int
    reference: str
    applicant_name: str = ""


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool


def review_deadline(region: str, on: dt.date) -> Deadline:
    """The deadline of a case accepted on `on` (`procedure.deadline_working_days` working days
    later on the official calendar): computed once for a whole batch accepted that day."""
    days = int(parameter_set(region).on(on)["procedure.deadline_working_days"])
    d = work_calendar().add_working_days(on, days)
    return Deadline(d.date, d.provisional)


def create_review_cases(
    *,
    user,
    actor: Actor,
    items: list[NewReviewCase],
    on: dt.date,
    deadline: Deadline,
    summary: str,
    record: dict,
) -> list[Case]:
    """受理 of many review cases (kind review, state accepted), with their `accept` transition rows
    and one `case.accept` audit record each. The caller has checked that none of the households
    has an open case; the one-open-case constraint refuses the whole chunk otherwise (IntegrityError)."""
    if not items:
        return []
    now = timezone.now()
    with transaction.atomic():
        insert_rows(
            Case,
            [
                "reference",
                "kind",
                "household_id",
                "village_id",
                "state",
                "version",
                "accepted_on",
                "created_at",
                "accepted_by_id",
                "round",
                "deadline",
                "deadline_provisional",
                "extended",
                "state_changed_at",
                "applicant_name",
                "applicant_phone",
                "summary",
            ],
            (
                (
                    i.reference,
                    Case.Kind.REVIEW.value,
                    i.household_id,
                    i.village_id,
                    State.ACCEPTED.value,
                    1,
                    on,
                    now,
                    getattr(user, "pk", None),
                    1,
                    deadline.date,
                    deadline.provisional,
                    False,
                    now,
                    i.applicant_name,
                    "",
                    summary,
                )
                for i in items
            ),
        )
        ids = dict(
            Case.objects.filter(reference__in=[i.reference for i in items]).values_list("reference", "pk")
        )
        cases = [Case(pk=ids[i.reference], household_id=i.household_id, reference=i.reference) for i in items]
        _transitions(
            [(c.pk, "", 1) for c in cases], "accept", State.ACCEPTED.value, actor, on, summary, record, now
        )
        record_audits(
            actor=actor,
            entries=[
                Entry(
                    action="case.accept",
                    object_type="case",
                    object_id=c.pk,
                    changes={
                        "household": [None, c.household_id],
                        "kind": [None, Case.Kind.REVIEW.value],
                        "deadline": [None, deadline.date.isoformat()],
                        **{k: [None, v] for k, v in record.items()},
                    },
                    reason=summary,
                )
                for c in cases
            ],
        )
    return cases


def _transitions(cases, name, to_state, actor: Actor, on, reason, record, at) -> None:
    """Transition rows for (case id, from state, round) tuples, in one `executemany`."""
    insert_rows(
        CaseTransition,
        [
            "case_id",
            "name",
            "from_state",
            "to_state",
            "round",
            "actor_id",
            "actor_name",
            "actor_role",
            "at",
            "on",
            "reason",
            "record",
        ],
        (
            (pk, name, before, to_state, rnd, actor.id, actor.username, actor.role, at, on, reason, record)
            for pk, before, rnd in cases
        ),
    )


def _members_to_verify(rows: list[dict]) -> dict[int, set[int]]:
    """Counted current members per household of these cases."""
    counted: dict[int, set[int]] = defaultdict(set)
    for hid, pid in Membership.objects.filter(
        household_id__in={r["household_id"] for r in rows}, left_on__isnull=True, counted=True
    ).values_list("household_id", "person_id"):
        counted[hid].add(pid)
    return counted


def _verified(rows: list[dict]) -> dict[tuple[int, int], set[int]]:
    """Members with a result per (case, round)."""
    done: dict[tuple[int, int], set[int]] = defaultdict(set)
    for cid, rnd, pid in VerificationResult.objects.filter(case_id__in=[r["pk"] for r in rows]).values_list(
        "case_id", "round", "person_id"
    ):
        done[(cid, rnd)].add(pid)
    return done


def move_in_bulk(
    *, user, actor: Actor, case_ids: list[int], name: str, on: dt.date, reason: str, record: dict
) -> list[int]:
    """Fire transition `name` on every case of `case_ids` the workflow allows (its source state,
    its guards on each case's facts); the others are left as they are. Returns the ids moved.

    Each moved case gets its state, a new version (a form open on it is stale afterwards, as after
    any move), a transition row and a `case.<name>` audit record. Only transitions without a record
    of their own and with no change of round may be fired this way (`start_reverification`,
    `complete_reverification`)."""
    t = workflow.transition(name)
    if t.target in (State.INVESTIGATION, *workflow.FINAL) or t.internal:
        raise ValueError(f"{name} cannot be fired in bulk")
    if not case_ids:
        return []
    sources = [s.value for s in t.sources]
    with transaction.atomic():
        rows = list(
            Case.objects.select_for_update()
            .filter(pk__in=case_ids, state__in=sources)
            .values("pk", "state", "version", "round", "kind", "household_id")
        )
        needs_members = any(g.__name__ == "_all_members_verified" for g in t.guards)
        counted = _members_to_verify(rows) if needs_members else {}
        verified = _verified(rows) if needs_members else {}
        moved = []
        for r in rows:
            members = counted.get(r["household_id"], set())
            facts = workflow.CaseFacts(
                state=r["state"],
                today=on,
                members_to_verify=len(members),
                members_verified=len(members & verified.get((r["pk"], r["round"]), set())),
                reason=reason,
                kind=r["kind"],
            )
            if workflow.check(t, facts) is None:
                moved.append(r)
        if not moved:
            return []
        ids = [r["pk"] for r in moved]
        for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
            Case.objects.filter(pk__in=ids[start : start + 900]).update(
                state=t.target.value, state_changed_at=timezone.now(), version=F("version") + 1
            )
        _transitions(
            [(r["pk"], r["state"], r["round"]) for r in moved],
            name,
            t.target.value,
            actor,
            on,
            reason,
            record,
            timezone.now(),
        )
        record_audits(
            actor=actor,
            entries=[
                Entry(
                    action=f"case.{name}",
                    object_type="case",
                    object_id=r["pk"],
                    changes={
                        "state": [r["state"], t.target.value],
                        "version": [r["version"], r["version"] + 1],
                    },
                    reason=reason,
                )
                for r in moved
            ],
        )
    return ids


def attach_results_in_bulk(*, actor: Actor, results: dict[int, list[dict]], external_ref: str) -> list[int]:
    """Attach automatic per-member verification results to many cases in verification at once:
    `results` maps a case id to its members' results ({"person_id", "outcome", "sources",
    "summary"}, as `services.verification` stores them). A case that already has results in its
    round, or is no longer in verification, is left alone (a re-run after an interruption adds
    nothing twice). One `case.verification_results` audit record per case. Returns the case ids."""
    if not results:
        return []
    with transaction.atomic():
        rows = {
            r["pk"]: r
            for r in Case.objects.select_for_update()
            .filter(pk__in=list(results), state=State.VERIFICATION.value)
            .values("pk", "round")
        }
        have = set(
            VerificationResult.objects.filter(case_id__in=list(rows))
            .values_list("case_id", "round")
            .distinct()
        )
        todo = [cid for cid, r in rows.items() if (cid, r["round"]) not in have and results[cid]]
        now = timezone.now()
        insert_rows(
            VerificationResult,
            [
                "case_id",
                "round",
                "person_id",
                "outcome",
                "sources",
                "summary",
                "origin",
                "external_ref",
                "entered_at",
            ],
            (
                (
                    cid,
                    rows[cid]["round"],
                    m["person_id"],
                    m["outcome"],
                    m.get("sources") or {},
                    (m.get("summary") or "")[:4000],
                    "automatic",
                    external_ref[:64],
                    now,
                )
                for cid in todo
                for m in results[cid]
            ),
        )
        record_audits(
            actor=actor,
            entries=[
                Entry(
                    action="case.verification_results",
                    object_type="case",
                    object_id=cid,
                    changes={
                        "members": [None, sorted(m["person_id"] for m in results[cid])],
                        "origin": [None, "automatic"],
                        "external_ref": [None, [external_ref]],
                    },
                )
                for cid in todo
            ],
        )
    return todo
