"""Register-wide comparison: each rule raises the right lead with its evidence, into the right
village; a rerun raises no duplicate; the task after an upload runs the source's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safetynet.cases.comparison import compare_and_file_leads
from safetynet.cases.models import Lead
from safetynet.registry.models import Household, Person
from tests.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C, member, new_id
from tests.verification.conftest import AS_OF, csv_bytes, upload

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 5, 15)


@pytest.fixture
def loaded(admin, small_register, make_household):
    reg = small_register
    child = new_id(dt.date(2012, 4, 5))
    kid_household = make_household(
        VILLAGE_B,
        members=[
            member("head", name="钱一", birth=dt.date(1980, 1, 1)),
            member("child", name="钱小", id_number=child),
        ],
    )
    outsider, outsider2, lost = (
        new_id(dt.date(1955, 6, 6)),
        new_id(dt.date(1985, 6, 6)),
        new_id(dt.date(1990, 2, 2)),
    )
    files = {
        "hukou": (
            ["id_number", "name", "status", "death_date", "village_code", "as_of"],
            [
                [reg["r_spouse"], "李秀英", "deceased", "2026-02-10", VILLAGE_A, AS_OF],
                [reg["r_head"], "王建国", "normal", "", VILLAGE_A, AS_OF],
                [outsider, "周外", "normal", "", VILLAGE_C, AS_OF],
                [outsider2, "吴外", "normal", "", VILLAGE_C, AS_OF],
            ],
        ),
        "financial": (
            ["id_number", "name", "institution", "kind", "balance", "as_of"],
            [
                [reg["r_head"], "王建国", "农商行", "deposit", "60000", AS_OF],
                [reg["r_head"], "王建国", "邮储", "fund", "40000", AS_OF],
            ],
        ),
        "vehicle": (
            ["id_number", "name", "plate", "kind", "value", "registered_on", "as_of"],
            [[reg["r_head"], "王建国", "晋L12345", "car", "86000", "2024-09-01", AS_OF]],
        ),
        "business": (
            [
                "id_number",
                "name",
                "credit_code",
                "entity_name",
                "entity_kind",
                "role",
                "share_pct",
                "registered_capital",
                "as_of",
            ],
            [
                [
                    reg["r_spouse"],
                    "李秀英",
                    "91141029MA0000001X",
                    "乡宁县某商贸有限公司",
                    "company",
                    "legal_rep",
                    "",
                    "",
                    AS_OF,
                ]
            ],
        ),
        "real_estate": (
            ["id_number", "name", "unit_no", "use", "area_m2", "registered_on", "as_of"],
            [
                [reg["r_head"], "王建国", "U1", "residential", "90", "2008-01-01", AS_OF],
                [reg["r_head"], "王建国", "U2", "住宅", "80", "2025-12-01", AS_OF],
            ],
        ),
        "social_insurance": (
            ["id_number", "name", "wage_12m", "pension_12m", "as_of"],
            [[reg["r_head"], "王建国", "200000", "", AS_OF]],
        ),
        "medical": (
            ["id_number", "name", "total_cost_12m", "self_paid_12m", "as_of"],
            [
                [reg["n_head"], "赵明", "90000", "30000", AS_OF],
                [reg["r_head"], "王建国", "90000", "30000", AS_OF],  # already assisted
                [outsider, "周外", "50000", "25000", AS_OF],
                [lost, "无户籍", "50000", "25000", AS_OF],  # no village known
                [outsider2, "吴外", "500", "100", AS_OF],  # below the line
            ],
        ),
        "disability": (
            ["id_number", "name", "kind", "grade", "certified_on", "as_of"],
            [
                [reg["n_head"], "赵明", "physical", "1", "2026-03-01", AS_OF],
                [outsider2, "吴外", "visual", "1", "2015-01-01", AS_OF],
            ],
        ),
        "emergency": (
            ["id_number", "name", "event", "event_date", "loss", "as_of"],
            [[reg["n_head"], "赵明", "flood", "2026-04-01", "15000", AS_OF]],
        ),
        "unemployment": (
            ["id_number", "name", "status", "registered_on", "benefit_monthly", "as_of"],
            [[outsider2, "吴外", "unemployed", "2026-02-01", "", AS_OF]],
        ),
        "education": (
            ["id_number", "name", "school", "stage", "status", "cost_12m", "as_of"],
            [[child, "钱小", "乡宁县第二中学", "junior", "dropped_out", "", AS_OF]],
        ),
        "housing": (
            ["id_number", "name", "grade", "assessed_on", "as_of"],
            [[reg["n_head"], "赵明", "D", "2026-01-01", AS_OF]],
        ),
        "water": (
            ["id_number", "name", "safe", "issue", "assessed_on", "as_of"],
            [[reg["n_head"], "赵明", "否", "水源断流", "", AS_OF]],
        ),
    }
    for source, (header, rows) in files.items():
        out = upload(admin, source, csv_bytes(header, rows))
        assert out.upload.status == "accepted", (source, out.upload.errors)
    return {
        **reg,
        "child": child,
        "kid_household": kid_household,
        "outsider": outsider,
        "outsider2": outsider2,
    }


def run_comparison(**kwargs):
    """The comparison as the command and the jobs run it: every hit filed as a lead."""
    return compare_and_file_leads(**kwargs).run


def _lead(rule: str) -> Lead:
    leads = list(Lead.objects.filter(rule=rule))
    assert len(leads) == 1, (rule, [lead.summary for lead in leads])
    return leads[0]


def test_each_rule_raises_the_right_lead_with_evidence(loaded):
    run = run_comparison(on=ON)
    r, n = loaded["r"], loaded["n"]
    spouse = Person.objects.get(name="李秀英")

    dead = _lead("recipient_deceased")
    assert dead.channel == "data_comparison" and dead.person == spouse and dead.household == r
    assert dead.village.code == VILLAGE_A and dead.evidence["death_date"] == "2026-02-10"
    assert dead.evidence["period"] == "2026-05" and dead.department == "县公安局"

    fin = _lead("recipient_financial_over_limit")
    assert (
        fin.household == r
        and fin.evidence["financial_total"] == "100000.00"
        and fin.evidence["accounts"] == 2
    )
    assert "100000.00" in fin.summary and "金融资产" in fin.summary

    car = _lead("recipient_undeclared_vehicle")
    assert car.evidence["top_value"] == "86000.00" and car.evidence["declared_vehicles"] == 0
    assert _lead("recipient_company_role").person == spouse
    assert _lead("recipient_extra_home").evidence["homes"] == 2
    assert _lead("recipient_income_over_line").evidence["income_12m"] == "200000.00"

    med = list(Lead.objects.filter(rule="unassisted_high_medical").order_by("id"))
    assert {(m.household_id, m.village.code) for m in med} == {(n.pk, VILLAGE_B), (None, VILLAGE_C)}
    outside = next(m for m in med if m.household_id is None)
    assert outside.subject_id_number == loaded["outsider"] and outside.subject_name == "周外"
    assert outside.channel == "department_warning" and outside.evidence["self_paid_12m"] == "25000.00"
    assert run.summary["unassisted_high_medical"]["unplaced"] == 1

    assert _lead("unassisted_new_severe_disability").household == n
    assert _lead("unassisted_disaster_loss").evidence["loss"] == "15000.00"
    unemployed = _lead("unassisted_unemployed_low_income")
    assert unemployed.subject_id_number == loaded["outsider2"] and unemployed.village.code == VILLAGE_C
    drop = _lead("two_three_dropout")
    assert drop.household == loaded["kid_household"] and drop.person.name == "钱小"
    assert _lead("two_three_unsafe_housing").evidence["grade"] == "D"
    assert _lead("two_three_unsafe_water").evidence["issue"] == "水源断流"
    assert not Lead.objects.filter(rule="invalid_register_id").exists()


def test_rerun_raises_no_duplicates(loaded):
    first = run_comparison(on=ON)
    count = Lead.objects.count()
    assert first.leads_raised == count > 10
    second = run_comparison(on=ON)
    assert Lead.objects.count() == count and second.leads_raised == 0
    assert second.summary["recipient_deceased"]["existing"] == 1


def test_register_entry_with_invalid_id_is_flagged(small_register):
    person = Person.objects.get(name="赵明")
    person.id_number = "141029197005170000"  # a legacy entry with a wrong check digit
    person.save(update_fields=["id_number"])
    run_comparison(on=ON)
    lead = _lead("invalid_register_id")
    assert lead.person == person and "校验位" in lead.evidence["problem"]
    assert lead.household == Household.objects.get(pk=small_register["n"].pk)


def test_without_department_data_only_register_rules_run(small_register):
    run = run_comparison(on=ON)
    assert run.summary["recipient_deceased"] == {"skipped": "no_data"}
    assert "invalid_register_id" in run.summary and "hits" in run.summary["duplicate_membership"]


def test_the_job_after_an_upload_runs_the_rules_of_that_source_once(loaded):
    from safetynet.cases.comparison import compare_new_uploads
    from safetynet.verification.models import Upload

    water = Upload.objects.get(source="water")
    Upload.objects.exclude(pk=water.pk).update(uploaded_at=water.uploaded_at)
    run_comparison(on=ON)  # a whole run after the others were loaded; water is loaded after it
    Lead.objects.all().delete()
    Upload.objects.filter(pk=water.pk).update(uploaded_at=timezone.now())
    assert len(compare_new_uploads()) == 1
    assert set(Lead.objects.values_list("rule", flat=True)) == {"two_three_unsafe_water"}
    assert compare_new_uploads() == []  # read once: the next sweep has nothing to do


def test_a_rerun_completes_an_interrupted_run_without_duplicates(loaded):
    from safetynet.cases.comparison import file_as_lead
    from safetynet.verification.comparison import run_comparison as bare_run

    filed = []

    def dies_after_three(hit):
        if len(filed) == 3:
            raise KeyboardInterrupt  # the operator stopped it, or the process was killed
        filed.append(file_as_lead(hit))
        return filed[-1]

    with pytest.raises(KeyboardInterrupt):
        bare_run(on=ON, file_hit=dies_after_three)
    assert Lead.objects.count() == 3
    rerun = run_comparison(on=ON)
    total = Lead.objects.count()
    assert rerun.status == "finished" and rerun.leads_raised == total - 3 > 10
    assert Lead.objects.values("dedup_key").distinct().count() == total
