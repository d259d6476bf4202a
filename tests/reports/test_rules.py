"""The counting rules of the monthly change report (docs/monthly-report.md): new, changed and
stopped households and people, by category and by mark, with amounts before and after, from
rows opened and closed through the real entitlement services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from safetynet.entitlements import services as ent
from safetynet.reports import rules
from tests.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C, member
from tests.reports.conftest import D, line_of, month_of, open_, stop, terms

pytestmark = pytest.mark.django_db


def by(table: list[dict], group: str) -> dict:
    return next(c for c in table if c["group"] == group)


def test_a_household_admitted_in_a_month_is_new_that_month_only(make_household):
    h = make_household(members=[member("head", name="甲"), member("spouse", name="乙")])
    open_(h, D(2026, 6, 1), terms(amount="640"))
    assert line_of(month_of("2026-05"), h) is None
    june = month_of("2026-06")
    line = line_of(june, h)
    assert line["kind"] == "new" and line["before"] is None
    assert line["after"] == {
        "category": "dibao", "monitoring_marked": False, "monitoring_type": "", "amount": "640.00", "people": 2,
    }  # fmt: skip
    assert june["totals"]["new_households"] == 1 and june["totals"]["new_people"] == 2
    assert june["totals"]["new_after"] == "640.00" and june["totals"]["new_before"] == "0.00"
    assert {p["kind"] for p in june["people"]} == {"new"} and len(june["people"]) == 2
    assert line_of(month_of("2026-07"), h) is None


def test_a_stop_from_the_first_of_a_month_is_stopped_that_month_with_the_amount_before(make_household):
    h = make_household()
    open_(h, D(2026, 3, 1), terms(amount="500"))
    stop(h, D(2026, 7, 1))
    assert line_of(month_of("2026-06"), h) is None
    july = month_of("2026-07")
    assert line_of(july, h)["kind"] == "stopped"
    assert (july["totals"]["stopped_households"], july["totals"]["stopped_people"]) == (1, 1)
    assert (july["totals"]["stopped_before"], july["totals"]["stopped_after"]) == ("500.00", "0.00")
    assert by(july["by_category"], "dibao")["stopped_households"] == 1


def test_a_row_ending_mid_month_leaves_the_roster_the_month_after(make_household):
    """Still on the month's roster (in force on some day of it): stopped the next month."""
    h = make_household()
    open_(h, D(2026, 3, 1))
    stop(h, D(2026, 7, 15), reason="户主死亡")
    assert line_of(month_of("2026-07"), h) is None
    assert line_of(month_of("2026-08"), h)["kind"] == "stopped"


def test_admitted_and_stopped_inside_one_month_is_new_then_stopped(make_household):
    h = make_household()
    open_(h, D(2026, 5, 10))
    stop(h, D(2026, 5, 20))
    assert line_of(month_of("2026-05"), h)["kind"] == "new"
    assert line_of(month_of("2026-06"), h)["kind"] == "stopped"


def test_an_amount_change_is_changed_with_both_amounts(make_household):
    h = make_household()
    open_(h, D(2026, 2, 1), terms(amount="600"))
    open_(h, D(2026, 7, 1), terms(amount="450"), basis="change")
    july = month_of("2026-07")
    line = line_of(july, h)
    assert (line["kind"], line["changed"]) == ("changed", ["amount"])
    assert (line["before"]["amount"], line["after"]["amount"]) == ("600.00", "450.00")
    cell = by(july["by_category"], "dibao")
    assert (cell["changed_households"], cell["changed_before"], cell["changed_after"]) == (
        1,
        "600.00",
        "450.00",
    )
    assert line_of(month_of("2026-06"), h) is None and line_of(month_of("2026-08"), h) is None


def test_a_change_mid_month_counts_in_that_month(make_household):
    h = make_household()
    open_(h, D(2026, 2, 1), terms(amount="600"))
    open_(h, D(2026, 7, 16), terms(amount="700"), basis="review")
    assert line_of(month_of("2026-07"), h)["changed"] == ["amount"]
    assert line_of(month_of("2026-08"), h) is None


def test_a_category_change_is_counted_under_the_new_category(make_household):
    h = make_household()
    open_(h, D(2026, 2, 1), terms("dibao", "600"))
    open_(h, D(2026, 9, 1), terms("dibao_edge", "0"), basis="review")
    sept = month_of("2026-09")
    assert line_of(sept, h)["changed"] == ["category", "amount"]
    edge = by(sept["by_category"], "dibao_edge")
    assert (edge["changed_households"], edge["changed_before"], edge["changed_after"]) == (
        1,
        "600.00",
        "0.00",
    )
    assert "dibao" not in {c["group"] for c in sept["by_category"]}


def test_the_monitoring_mark_and_its_type_are_changes_and_a_breakdown(make_household):
    h = make_household()
    open_(h, D(2026, 2, 1), terms("none", "0"))
    open_(h, D(2026, 4, 1), terms("none", "0", True, "edge_prone"), basis="change")
    open_(h, D(2026, 5, 1), terms("none", "0", True, "sudden_hardship"), basis="change")
    april, may = month_of("2026-04"), month_of("2026-05")
    assert line_of(april, h)["changed"] == ["monitoring_marked", "monitoring_type"]
    assert line_of(may, h)["changed"] == ["monitoring_type"]
    assert by(april["by_monitoring"], "edge_prone")["changed_households"] == 1
    assert by(may["by_monitoring"], "sudden_hardship")["changed_households"] == 1
    feb = month_of("2026-02")
    assert by(feb["by_monitoring"], "none")["new_households"] == 1


def test_a_renewal_on_the_same_terms_is_no_change(make_household):
    h = make_household()
    open_(h, D(2026, 2, 1))
    open_(h, D(2026, 8, 1), basis="review")
    assert line_of(month_of("2026-08"), h) is None


def test_people_follow_the_members_a_member_leaving_is_a_person_stopped(make_household, make_user):
    from safetynet.registry import services as registry

    old = D(2020, 1, 1)
    h = make_household(
        members=[member("head", name="张甲", joined_on=old), member("spouse", name="李乙", joined_on=old)]
    )
    open_(h, D(2026, 2, 1), terms(amount="900"))
    spouse = h.memberships.get(relation="spouse")
    admin = make_user("admin", "141029", "report_admin")
    registry.end_membership(user=admin, household=h, membership=spouse, left_on=D(2026, 5, 20), reason="死亡")
    open_(h, D(2026, 6, 1), terms(amount="480"), basis="change")
    june = month_of("2026-06")
    kinds = {p["person_id"]: p["kind"] for p in june["people"]}
    assert kinds == {spouse.person_id: "stopped", h.head_id: "changed"}
    stopped = next(p for p in june["people"] if p["kind"] == "stopped")
    assert stopped["name"] == "李*" and stopped["before"]["household_amount"] == "900.00"
    line = line_of(june, h)
    assert (line["before"]["people"], line["after"]["people"]) == (2, 1)
    t = june["totals"]
    assert (t["changed_households"], t["changed_people"], t["stopped_people"]) == (1, 1, 1)


def test_an_individually_recognised_member_keeps_their_own_category_and_amount(make_household):
    h = make_household(members=[member("head", name="甲"), member("spouse", name="乙")])
    spouse = h.memberships.get(relation="spouse").person
    open_(
        h,
        D(2026, 3, 1),
        terms(
            "dibao_edge",
            "290",
            members=[ent.MemberPart(spouse.pk, "individual_dibao", benefit_monthly=Decimal("290"))],
        ),
    )
    people = {p["person_id"]: p["after"] for p in month_of("2026-03")["people"]}
    assert (people[spouse.pk]["category"], people[spouse.pk]["amount"]) == ("individual_dibao", "290.00")
    assert (people[h.head_id]["category"], people[h.head_id]["amount"]) == ("dibao_edge", "0.00")


def test_only_the_township_s_households_are_counted(make_household):
    here, near, there = make_household(VILLAGE_A), make_household(VILLAGE_B), make_household(VILLAGE_C)
    for h in (here, near, there):
        open_(h, D(2026, 6, 1))
    assert {x["household_id"] for x in month_of("2026-06")["households"]} == {here.pk, near.pk}
    assert {x["household_id"] for x in month_of("2026-06", "141029101")["households"]} == {there.pk}


def test_opening_plus_new_minus_stopped_is_closing_for_households_people_and_amounts(make_household):
    hs = [make_household(members=[member("head"), member("child", birth=D(2010, 1, 1))]) for _ in range(5)]
    open_(hs[0], D(2026, 1, 1), terms(amount="300"))
    open_(hs[1], D(2026, 1, 1), terms(amount="400"))
    open_(hs[2], D(2026, 1, 1), terms(amount="500"))
    open_(hs[1], D(2026, 4, 1), terms(amount="420"), basis="change")  # changed
    stop(hs[2], D(2026, 4, 1))  # stopped
    open_(hs[3], D(2026, 4, 1), terms("tekun", "800"))  # new
    open_(hs[4], D(2026, 4, 10), terms("dibao_edge", "0"))  # new mid-month
    april = month_of("2026-04")
    t, o, c = april["totals"], april["opening"], april["closing"]
    assert (o["households"], c["households"]) == (3, 4)
    assert o["households"] + t["new_households"] - t["stopped_households"] == c["households"]
    assert o["people"] + t["new_people"] - t["stopped_people"] == c["people"] == 8
    delta = sum(Decimal(t[f"{k}_after"]) - Decimal(t[f"{k}_before"]) for k in rules.KINDS)
    assert Decimal(o["amount"]) + delta == Decimal(c["amount"]) == Decimal("1520.00")
    assert sum(cell["new_households"] for cell in april["by_category"]) == t["new_households"] == 2


def test_months_step_across_years_and_parse_strictly():
    assert rules.Month.parse("2026-01").prev() == rules.Month(2025, 12)
    assert rules.Month(2026, 12).next() == rules.Month(2027, 1)
    assert rules.Month(2026, 12).end == D(2027, 1, 1)
    for bad in ("2026-13", "2026-00", "2026-6", "26-06", "", "2026-06-01"):
        with pytest.raises(ValueError):
            rules.Month.parse(bad)


def test_the_roster_entry_is_the_latest_starting_row_in_force_in_the_month():
    a = rules.Row(1, 9, D(2026, 1, 1), D(2026, 3, 10), "dibao", amount=Decimal("1"))
    b = rules.Row(2, 9, D(2026, 3, 10), None, "dibao", amount=Decimal("2"))
    assert rules.roster_entry([a, b], rules.Month(2026, 2)) == a
    assert rules.roster_entry([a, b], rules.Month(2026, 3)) == b
    assert rules.roster_entry([a], rules.Month(2026, 4)) is None
