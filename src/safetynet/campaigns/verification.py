"""Batch verification (经济状况核对) of a campaign's review cases, township by township.

Per case, the procedure's verification (`cases.services.request_case_verification`) builds a full
report from every department source for one household: about a dozen DuckDB reads per household,
far too slow for a county's recipients at once. The campaign does the same work set-based:

1. every accepted case of the township moves to verification (`start_reverification`, in bulk);
2. which counted member each of the six verification sources (户籍, 社保, 不动产, 市场主体, 车船,
   金融资产) holds a current record about: one DuckDB query per source over the current department
   files (`verification.current.current_sql`, the same "record sent last" reading as the report),
   joined on the blind index of the resident ID;
3. what the department data shows that is new: the open leads on the household — the
   register-wide comparison (`verification.comparison`, run after every upload and every night)
   files each finding on a recipient household as a lead; a lead about a member (or about the
   household, then about its head) makes that member's result a discrepancy, with the lead's text;
4. one result per counted member (`consistent` when some source holds a record and nothing is new,
   `no_data` when no source does, `discrepancy` as above), attached in bulk with `external_ref`
   `campaign:<id>`;
5. the cases with no discrepancy complete the verification (`complete_reverification`, in bulk)
   and wait for the township's decision; the township re-assesses them on the declared facts,
   which the department data did not contradict. A case with a discrepancy stays in verification:
   the clerk requests the full per-case verification (its report's verified values then feed the
   re-assessment) and completes the step by hand.

Each step reads what is already done, so a re-run adds nothing twice.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb

from safetynet.audit.services import Actor
from safetynet.campaigns.models import Campaign, CampaignCase, CampaignTownship
from safetynet.cases import bulk
from safetynet.cases.models import Case, Lead, VerificationResult
from safetynet.cases.services.verification import REPORT_SOURCES
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.registry.models import Membership
from safetynet.verification import storage
from safetynet.verification.current import current_sql
from safetynet.verification.keys import wanted
from safetynet.verification.services import current_uploads
from safetynet.verification.sources import SOURCES


def _found(indexes: list[str]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """({id_index: {source: latest as_of}}, {source: period}) over the current department files
    of the six verification sources."""
    uploads = {code: ups for code, ups in current_uploads().items() if code in REPORT_SOURCES}
    found: dict[str, dict[str, str]] = defaultdict(dict)
    if not uploads or not indexes:
        return found, {code: ups[0].period for code, ups in uploads.items()}
    con = duckdb.connect()
    try:
        back = wanted(con, set(indexes))
        for code, ups in uploads.items():
            query = current_sql(SOURCES[code], len(ups), where="id_index IN (SELECT id_index FROM wanted)")
            rows = con.execute(
                f"SELECT id_index, max(as_of) FROM ({query}) GROUP BY id_index",
                [str(storage.absolute(u.data_path)) for u in ups],
            ).fetchall()
            for key, as_of in rows:
                found[back[bytes(key)]][code] = as_of.isoformat() if as_of else ""
    finally:
        con.close()
    return found, {code: ups[0].period for code, ups in uploads.items()}


def _new_findings(household_ids: list[int]) -> dict[int, dict[int | None, list[str]]]:
    """Open leads per household and person (None: about the household as a whole)."""
    out: dict[int, dict[int | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for hid, pid, ref, summary in Lead.objects.filter(
        household_id__in=household_ids, status=Lead.Status.NEW
    ).values_list("household_id", "person_id", "reference", "summary"):
        out[hid][pid].append(f"线索{ref}：{summary}")
    return out


def results_for(cases: list[dict]) -> dict[int, list[dict]]:
    """One result per counted member of each case's household ({"pk", "household_id"} rows)."""
    hids = [c["household_id"] for c in cases]
    members: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    for hid, pid, index, relation in (
        Membership.objects.filter(household_id__in=hids, left_on__isnull=True, counted=True)
        .order_by("household_id", "id")
        .values_list("household_id", "person_id", "person__id_index", "relation")
    ):
        members[hid].append((pid, index, relation == "head"))
    found, periods = _found([index for ms in members.values() for _, index, _ in ms])
    leads = _new_findings(hids)
    queried = [SOURCES[code].label for code in periods]
    out: dict[int, list[dict]] = {}
    for c in cases:
        hid, rows = c["household_id"], []
        for pid, index, head in members.get(hid, []):
            mine = found.get(index, {})
            new = list(leads.get(hid, {}).get(pid, []))
            if head:
                new += leads.get(hid, {}).get(None, [])
            sources = {
                REPORT_SOURCES[code]: {
                    "source": code,
                    "label": SOURCES[code].label,
                    "department": SOURCES[code].department,
                    "period": period,
                    "found": code in mine,
                    "as_of": mine.get(code) or None,
                }
                for code, period in periods.items()
            }
            if new:
                outcome, lines = "discrepancy", ["比对发现新情况，须逐户核对：", *new]
            elif mine:
                outcome = "consistent"
                lines = ["核对结果与申报一致（年度复核批量核对）。"]
                lines.append("已查询：" + "、".join(SOURCES[code].label for code in sorted(mine)) + "。")
            else:
                outcome = "no_data"
                lines = [
                    f"已查询{'、'.join(queried)}，均无该成员记录。" if queried else "各部门尚未提供核对数据。"
                ]
            rows.append(
                {"person_id": pid, "outcome": outcome, "sources": sources, "summary": "\n".join(lines)}
            )
        out[c["pk"]] = rows
    return out


def verify_township(campaign: Campaign, ct: CampaignTownship, *, chunk: int = 2000) -> None:
    """Steps 1–5 of the module's text for the township's cases of the campaign."""
    actor = Actor.of(campaign.opened_by)
    on = clock.today()
    ref = f"campaign:{campaign.pk}"
    reason = f"{campaign.name}：批量核对"
    record = {"campaign": campaign.pk}
    ids = list(
        CampaignCase.objects.filter(campaign=campaign, township=ct.township)
        .order_by("case_id")
        .values_list("case_id", flat=True)
    )
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        bulk.move_in_bulk(
            user=campaign.opened_by,
            actor=actor,
            case_ids=part,
            name="start_reverification",
            on=on,
            reason=f"{campaign.name}：年度复核",
            record=record,
        )
        cases = list(
            Case.objects.filter(pk__in=part, state=State.VERIFICATION.value).values("pk", "household_id")
        )
        results = results_for(cases)
        bulk.attach_results_in_bulk(actor=actor, results=results, external_ref=ref)
        flagged = set(
            VerificationResult.objects.filter(
                case_id__in=[c["pk"] for c in cases], outcome="discrepancy", superseded_by__isnull=True
            ).values_list("case_id", flat=True)
        )
        clean = [c["pk"] for c in cases if c["pk"] not in flagged and results.get(c["pk"])]
        bulk.move_in_bulk(
            user=campaign.opened_by,
            actor=actor,
            case_ids=clean,
            name="complete_reverification",
            on=on,
            reason=reason,
            record=record,
        )
    verified = (
        CampaignCase.objects.filter(campaign=campaign, township=ct.township)
        .exclude(case__state__in=(State.ACCEPTED, State.INVESTIGATION, State.VERIFICATION))
        .count()
    )
    CampaignTownship.objects.filter(pk=ct.pk).update(
        status=CampaignTownship.Status.VERIFIED, verified=verified
    )
