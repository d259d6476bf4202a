"""The main menu, shaped by the role: each entry is offered only to roles whose permissions
(accounts.roles) let them use the page. The services still decide; this only hides dead ends."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from html import escape

from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe

from safetynet.accounts.roles import Perm, Role


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    url_name: str
    active: tuple[str, ...]  # url names (namespace:name or name) that light this entry
    query: str = ""
    short: str = ""  # the label on the phone's one-line menu, where it differs

    @property
    def url(self) -> str:
        return _url(self.url_name, self.query, get_script_prefix())


@cache
def _url(url_name: str, query: str, prefix: str) -> str:
    """The menu's links are the same on every page: reversed once a process (and script prefix)."""
    return reverse(url_name) + (f"?{query}" if query else "")


def _all(*perms: Perm):
    return lambda user: all(user.can(p) for p in perms)


def _any(*perms: Perm):
    return lambda user: any(user.can(p) for p in perms)


P = Perm
# The township roles that follow the yearly review's progress of their township.
TOWNSHIP_ROLES = (Role.TOWNSHIP_CLERK, Role.REVIEW_MEMBER, Role.REVIEW_LEADER)
# (entry, who may use it). Leads need a village to file into (view_household) or the power to accept.
ENTRIES = (
    (
        Entry("leads", "线索", "cases:leads", ("cases:leads",)),
        lambda u: _all(P.RAISE_LEAD, P.VIEW_HOUSEHOLD)(u) or u.can(P.ACCEPT_CASE),
    ),
    (Entry("cases", "案件", "cases:list", ("cases:list", "cases:detail")), _all(P.VIEW_HOUSEHOLD)),
    (Entry("investigations", "入户调查", "cases:list", (), "state=investigation"), _all(P.INVESTIGATE)),
    (Entry("tasks", "待办", "cases:tasks", ("cases:tasks",)), _all(P.VIEW_HOUSEHOLD)),
    (Entry("inbox", "通知", "cases:inbox", ("cases:inbox",)), _all(P.VIEW_HOUSEHOLD)),
    (Entry("dashboard", "时限看板", "cases:dashboard", ("cases:dashboard",)), _all(P.VIEW_HOUSEHOLD)),
    (
        Entry("sittings", "审核确认会议", "cases:sittings", ("cases:sittings", "cases:sitting")),
        _all(P.TOWNSHIP_DECIDE),
    ),
    (Entry("standards", "提标", "cases:standards", ("cases:standards",)), _all(P.COUNTY_FILE)),
    (
        Entry(
            "campaigns",
            "年度复核",
            "campaigns:list",
            ("campaigns:list", "campaigns:detail", "campaigns:cases"),
        ),
        lambda u: u.can(P.OPEN_REVIEW_CAMPAIGN) or (u.can(P.VIEW_HOUSEHOLD) and u.role in TOWNSHIP_ROLES),
    ),
    (
        Entry(
            "visits", "巡访探视", "visits:due", ("visits:due", "visits:record", "visits:detail"), short="巡访"
        ),
        _all(P.RECORD_VISIT),
    ),
    (Entry("households", "户档案", "web:search", ("web:search", "web:household")), _all(P.VIEW_HOUSEHOLD)),
    (Entry("household_new", "新建户", "web:household_new", ("web:household_new",)), _all(P.CREATE_HOUSEHOLD)),
    (
        Entry("parameters", "救助参数", "policy:parameters", ("policy:parameters",)),
        _any(P.VIEW_HOUSEHOLD, P.MANAGE_PARAMETERS),
    ),
    (Entry("simulate", "模拟测算", "policy:simulate", ("policy:simulate",)), _all(P.MANAGE_PARAMETERS)),
    (
        Entry(
            "exchange", "数据交换", "verification:uploads", ("verification:uploads", "verification:upload")
        ),
        _all(P.EXCHANGE_DATA),
    ),
    (
        Entry("reports", "变化月报", "reports:list", ("reports:list", "reports:detail")),
        _all(P.VIEW_MONTHLY_REPORT),
    ),
    (
        Entry(
            "payrolls",
            "救助金发放",
            "payments:list",
            ("payments:list", "payments:detail", "payments:failures"),
        ),
        _all(P.VIEW_PAYROLL),
    ),
    (
        Entry("statistics", "统计月报", "reports:statistics", ("reports:statistics", "reports:monitored")),
        _all(P.VIEW_STATISTICS),
    ),
    (
        Entry(
            "rosters", "花名册", "rosters:roster", ("rosters:roster", "rosters:monitored", "rosters:export")
        ),
        _all(P.VIEW_ROSTER),
    ),
    (
        Entry(
            "assistance",
            "帮扶计划",
            "assistance:list",
            ("assistance:list", "assistance:plan", "assistance:measure", "assistance:feedback_files"),
        ),
        _any(P.VIEW_HOUSEHOLD, P.REPORT_REFERRAL_FEEDBACK),
    ),
    (
        Entry(
            "relief", "临时救助", "relief:list", ("relief:list", "relief:new", "relief:detail", "relief:fund")
        ),
        _any(P.APPLY_RELIEF, P.DECIDE_RELIEF, P.APPROVE_RELIEF),
    ),
    (Entry("audit", "审计日志", "web:audit", ("web:audit",)), _all(P.VIEW_AUDIT)),
    (
        Entry(
            "leading_dashboard",
            "驾驶舱",
            "reports:dashboard",
            ("reports:dashboard", "reports:dashboard_list"),
        ),
        _all(P.VIEW_DASHBOARD),
    ),
)

# The village officer works from a phone: leads, 入户调查, 巡访探视 and 待办 stay on one line at 375 px
# (tests/browser/test_layout.py measures it), the rest fold away behind the toggler.
PHONE_FIRST = {Role.VILLAGE_OFFICER: ("leads", "investigations", "visits", "tasks")}


def entries_for(user) -> list[Entry]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [entry for entry, allowed in ENTRIES if allowed(user)]


def menu(user, request=None) -> dict:
    """{"compact", "primary_html", "folded_html"} for web/base.html: whether the role has the
    phone's one-line menu, its links (`PHONE_FIRST`), and the links that fold behind the toggler
    (the rest, or every entry)."""
    entries = entries_for(user)
    current = ""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        here = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        query = request.GET.urlencode() if request is not None else ""
        for e in entries:
            if e.query and e.query == query and match.url_name == e.url_name.split(":")[-1]:
                current = e.key
                break
        if not current:
            current = next((e.key for e in entries if here in e.active), "")
    phone = PHONE_FIRST.get(getattr(user, "role", None), ())
    primary = [e for e in entries if e.key in phone]
    folded = [e for e in entries if e.key not in phone]
    return {
        "compact": bool(phone),
        "primary_html": links_html(primary, current, titled=True),
        "folded_html": links_html(folded, current),
    }


def links_html(entries: list[Entry], current: str, *, titled: bool = False) -> str:
    """The bar's `<li>` links, the current one marked; `titled`: the phone's line, which shows an
    entry's short label with its whole label as the title. Written here, not by a template loop:
    every page has the bar, and a loop costs a dozen template nodes an entry."""
    out = []
    for e in entries:
        here = e.key == current
        active, aria = (" active", ' aria-current="page"') if here else ("", "")
        label = e.short if titled and e.short else e.label
        title = f' title="{escape(e.label)}"' if titled and e.short else ""
        out.append(
            f'<li class="nav-item"><a class="nav-link{active}" data-nav="{escape(e.key)}"'
            f' href="{escape(e.url)}"{aria}{title}>{escape(label)}</a></li>'
        )
    return mark_safe("".join(out))
