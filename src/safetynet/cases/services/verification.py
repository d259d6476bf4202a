"""The verification bridge (经济状况核对): per-member results, by hand or from the verification app."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.audit.services import SYSTEM, Actor, record_audit
from safetynet.cases import selectors
from safetynet.cases.models import (
    Attachment,
    Case,
    VerificationResult,
)
from safetynet.cases.services.base import _facts, _fire, _lock, _require_state
from safetynet.cases.services.checks import _require
from safetynet.cases.workflow import State
from safetynet.core.errors import (
    Conflict,
    ValidationFailed,
)
from safetynet.core.glossary import VERIFICATION_SOURCES
from safetynet.registry.fields import blind_index
from safetynet.registry.models import Membership, Person

# ---- verification ------------------------------------------------------------------------------


def _store_results(case: Case, results: list[dict], entered_by, origin: str) -> list[VerificationResult]:
    members = {
        m.person_id: m for m in Membership.objects.filter(household=case.household, left_on__isnull=True)
    }
    rows = []
    for i, r in enumerate(results):
        person_id = r.get("person_id")
        if person_id is None and r.get("id_number"):
            person = Person.objects.filter(id_index=blind_index(str(r["id_number"]).strip().upper())).first()
            person_id = person.pk if person else None
        if person_id not in members:
            raise ValidationFailed("该人员不是本户当前成员。", field=f"results[{i}].person_id")
        outcome = r.get("outcome")
        if outcome not in VerificationResult.Outcome.values:
            raise ValidationFailed("核对结论应为一致、不一致或未查询到数据。", field=f"results[{i}].outcome")
        sources = r.get("sources") or {}
        if not isinstance(sources, dict) or set(sources) - set(VERIFICATION_SOURCES):
            raise ValidationFailed(
                f"核对来源应为：{'、'.join(VERIFICATION_SOURCES)}。", field=f"results[{i}].sources"
            )
        if outcome == "discrepancy" and not (r.get("summary") or "").strip():
            raise ValidationFailed("核对结果与申报不一致时须写明差异。", field=f"results[{i}].summary")
        rows.append(
            VerificationResult(
                case=case,
                round=case.round,
                person_id=person_id,
                outcome=outcome,
                sources=sources,
                summary=(r.get("summary") or "").strip()[:4000],
                origin=origin,
                external_ref=str(r.get("external_ref") or "")[:64],
                entered_by=entered_by,
            )
        )
    created = VerificationResult.objects.bulk_create(rows)
    for row in created:  # the latest result per member and round counts; earlier ones are kept
        VerificationResult.objects.filter(
            case=case, round=case.round, person_id=row.person_id, superseded_by__isnull=True, pk__lt=row.pk
        ).update(superseded_by=row)
    return created


def record_verification_results(
    *, user, case, results: list[dict], expected_version: int | None = None, client: str = ""
) -> list[VerificationResult]:
    """Manual entry of per-member verification results (until the verification app sends them).

    `results`: [{"person_id" (or "id_number"), "outcome": consistent|discrepancy|no_data,
    "sources": {"hukou": {...}, …}, "summary"}]. A later result for a member supersedes earlier ones."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.VERIFY, "录入核对结果")
    _require_state(case, State.VERIFICATION, expected_version=expected_version)
    if not results:
        raise ValidationFailed("请至少录入一名成员的核对结果。", field="results")
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        rows = _store_results(case, results, user, "manual")
        record_audit(
            actor=Actor.of(user, client),
            action="case.verification_results",
            object_type="case",
            object_id=case.pk,
            changes={"members": [None, sorted({r.person_id for r in rows})]},
        )
    return rows


def attach_verification_results(
    case: Case, results: list[dict], actor: Actor = SYSTEM, *, advance: bool = False
) -> list[VerificationResult]:
    """For the verification app: attach automatic per-member results to an open case.

    Same `results` shape as `record_verification_results` (plus optional "external_ref"); no
    user and no permission check (the caller is the system). With `advance`, a case in
    verification whose every counted member now has a result moves on to the village review."""
    with transaction.atomic():
        case = _lock(None, case, None)
        return _attach_results(case, results, actor, advance=advance)


def _attach_results(
    case: Case, results: list[dict], actor: Actor, *, entered_by=None, advance: bool = False
) -> list[VerificationResult]:
    """Attach automatic results to a case already locked by the caller's transaction."""
    if not case.is_open:
        raise Conflict("案件已办结。", code="case_closed")
    rows = _store_results(case, results, entered_by, "automatic")
    record_audit(
        actor=actor,
        action="case.verification_results",
        object_type="case",
        object_id=case.pk,
        changes={
            "members": [None, sorted({r.person_id for r in rows})],
            "origin": [None, "automatic"],
            "external_ref": [None, sorted({r.external_ref for r in rows if r.external_ref})],
        },
    )
    if advance and case.state == State.VERIFICATION:
        facts = _facts(case)
        if facts.members_verified == facts.members_to_verify:
            _fire(None, case, "complete_verification", actor=actor, check_perm=False)
    return rows


# The verification app's sources that are the six of the 经济状况核对 record (others — 医保, 残联,
# 教育… — are warnings: what they found goes into the summary, not into `sources`).
REPORT_SOURCES = {
    "hukou": "hukou",
    "social_insurance": "social_insurance",
    "real_estate": "real_estate",
    "business": "market_entity",
    "vehicle": "vehicles",
    "financial": "financial_assets",
}


def _same(declared, verified) -> bool:
    """Whether a comparison row's two values agree ("1 / 86000.00" compares part by part)."""
    a, b = str(declared).split(" / "), str(verified).split(" / ")
    try:
        return len(a) == len(b) and all(Decimal(x) == Decimal(y) for x, y in zip(a, b, strict=True))
    except InvalidOperation:
        return declared == verified


def _member_results(report: dict, comparison: list[dict]) -> list[dict]:
    """One result per counted member from a verification report and its declared-vs-verified
    comparison (`verification.report.verified_input`).

    A member's result is a discrepancy when a compared value differs from the declaration and
    concerns them: a field of theirs (`members.<i>…`), or a household total whose provenance
    includes what a department holds about them. No data: nothing found about them in any source
    queried. Otherwise consistent. The summary is the differences, then every finding with its
    provenance (source, as-of date)."""
    results = []
    for i, m in enumerate(report["members"]):
        if not m["counted"]:
            continue
        findings = [e["text"] for s in m["sources"] if s["queried"] for e in s["effects"]]
        mine = set(findings)
        differences = [
            c
            for c in comparison
            if c["verified"] is not None
            and not _same(c["declared"], c["verified"])
            and (
                c["field"] == f"members.{i}"
                or c["field"].startswith(f"members.{i}.")
                or mine & set(c["provenance"])
            )
        ]
        sources = {
            REPORT_SOURCES[s["source"]]: {
                "source": s["source"],
                "label": s["label"],
                "department": s["department"],
                "period": s["period"],
                "found": s["found"],
                "as_of": s["as_of"],
                "findings": [e["text"] for e in s["effects"]],
            }
            for s in m["sources"]
            if s["queried"] and s["source"] in REPORT_SOURCES
        }
        queried = [s["label"] for s in m["sources"] if s["queried"]]
        lines = [
            f"{c['label']}：申报 {c['declared']}，核对 {c['verified']}，"
            f"认定采用{'核对值' if c['used'] == 'verified' else '申报值'}"
            for c in differences
        ]
        lines += findings
        if differences:
            outcome = "discrepancy"
        elif any(s["queried"] and s["found"] for s in m["sources"]):
            outcome = "consistent"
            lines.insert(0, "核对结果与申报一致。")
        else:
            outcome = "no_data"
            lines.append(
                f"已查询{'、'.join(queried)}，均无该成员记录。" if queried else "各部门尚未提供核对数据。"
            )
        unqueried = [s["label"] for s in m["sources"] if not s["queried"] and s["source"] in REPORT_SOURCES]
        if unqueried:
            lines.append(f"未提供数据：{'、'.join(unqueried)}。")
        results.append(
            {
                "person_id": m["person_id"],
                "outcome": outcome,
                "sources": sources,
                "summary": "\n".join(lines),
                "external_ref": str(report["id"]),
            }
        )
    return results


def request_case_verification(*, user, case, expected_version: int | None = None, client: str = "") -> dict:
    """发起经济状况核对: query every department source for every member of the case's household
    (`verification.services.request_verification`, which stores and audits the report) and attach
    one result per counted member to this round of the case. A repeated request makes a new report
    whose results supersede the earlier ones. Needs the signed 承诺授权书 (the legal basis for
    querying the family's data: refused first, with its field) and the verification step.

    Returns {"report", "results", "comparison"}."""
    from safetynet.verification.report import verified_input
    from safetynet.verification.services import request_verification

    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.VERIFY, "经济状况核对")
    if not Attachment.objects.filter(case=case, kind=Attachment.Kind.CONSENT).exists():
        raise ValidationFailed(
            "承诺授权书未上传，不能发起经济状况核对。", code="consent_missing", field="consent"
        )
    _require_state(case, State.VERIFICATION, expected_version=expected_version)
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        _require_state(case, State.VERIFICATION)
        report = request_verification(  # the consent letter was checked above
            user=user, household=case.household, consent=True, case_reference=case.reference, client=client
        )
        _, comparison = verified_input(case.household, report)
        rows = _attach_results(
            case, _member_results(report, comparison), Actor.of(user, client), entered_by=user
        )
    return {"report": report, "results": rows, "comparison": comparison}
