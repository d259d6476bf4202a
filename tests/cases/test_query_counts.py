"""Query-count guards: the case page, the worklists and the inbox read a fixed number of queries,
whatever a case holds and however many cases or leads the list shows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safetynet.cases import selectors, services
from safetynet.cases.models import Case
from tests.api.conftest import ApiClient
from tests.cases.conftest import Proc
from tests.cases.test_web import login
from tests.conftest import VILLAGE_A, member

CASE_PAGE_MAX = 24  # measured 21 at the notice step; the bound catches a per-record query


def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = fetch()
    assert r.status_code == 200
    return len(ctx.captured_queries)


def _more_leads(users, household, n):
    for i in range(n):
        services.file_lead(
            user=users["village_officer"],
            channel="grassroots",
            village_code=VILLAGE_A,
            summary=f"补充情况{i}",
            household_id=household.pk,
        )


def test_the_case_page_and_the_case_api_do_not_grow_with_the_records_of_the_case(proc, users):
    proc.to_decision()
    proc.decide()
    web = login(users["township_clerk"])
    api = ApiClient(users["township_clerk"])
    page = _queries(lambda: web.get(f"/cases/{proc.case_id}/"))
    read = _queries(lambda: api.get(f"/cases/{proc.case_id}"))
    assert page <= CASE_PAGE_MAX
    _more_leads(users, proc.household, 5)  # they join the open case
    assert _queries(lambda: web.get(f"/cases/{proc.case_id}/")) == page
    assert _queries(lambda: api.get(f"/cases/{proc.case_id}")) == read


# The relations of a case the dossier reads (cases.selectors.dossier_records), but those read
# under a name of their own (`verification_results` as `current_results`).
RELATIONS = tuple(
    r if isinstance(r, str) else r.prefetch_through
    for r in selectors.dossier_records()
    if isinstance(r, str) or r.to_attr is None
)


def test_a_new_case_reads_only_the_kinds_of_records_it_holds_and_the_rest_as_empty_without_a_query(
    proc, users
):
    proc.accept()
    clerk = users["township_clerk"]
    with CaptureQueriesContext(connection) as read:
        case = selectors.dossier(clerk, proc.case_id).case
    with CaptureQueriesContext(connection) as after:
        seen = {name: list(getattr(case, name).all()) for name in RELATIONS}
        current = case.current_results
    assert not after.captured_queries
    assert len(RELATIONS) == 14 and "verification_results" not in RELATIONS
    assert seen["leads"] and seen["transitions"] and not seen["decisions"] and current == []
    # the case, which relations hold rows, one per relation that does; then the members, and the
    # clock's calendar (days, years) and due-soon window
    assert len(read) <= 2 + sum(1 for rows in seen.values() if rows) + 4
    reference = Case.objects.prefetch_related(*RELATIONS).get(pk=proc.case_id)
    assert seen == {name: list(getattr(reference, name).all()) for name in RELATIONS}


def test_worklists_and_the_inbox_do_not_grow_with_their_rows(users, make_household, clock):
    clerk = login(users["township_clerk"])
    officer = login(users["village_officer"])
    paths = [
        (clerk, "/cases/"),
        (clerk, "/cases/leads/"),
        (clerk, "/cases/dashboard/"),
        (officer, "/cases/inbox/"),
    ]

    def household(i):
        return make_household(VILLAGE_A, members=[member("head", name=f"张{'一二三四五六'[i]}")])

    first = Proc(users, household(0), clock)
    first.accept()
    _more_leads(users, household(1), 1)
    before = [_queries(lambda c=c, p=p: c.get(p)) for c, p in paths]
    for i in range(2, 6):
        Proc(users, household(i), clock).accept()
        _more_leads(users, household(i - 1) if i == 2 else household(i), 1)
    after = [_queries(lambda c=c, p=p: c.get(p)) for c, p in paths]
    assert after == before
