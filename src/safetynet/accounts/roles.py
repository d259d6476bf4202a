"""Roles, their reach and what they may do: the one permission matrix.

Reach is an area level: a village officer reaches one village, township roles their township,
county roles the county; a department liaison reaches no household at all. Permissions are
denied unless listed here.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VILLAGE_OFFICER = "village_officer"
    TOWNSHIP_CLERK = "township_clerk"
    REVIEW_MEMBER = "review_member"
    REVIEW_LEADER = "review_leader"
    COUNTY_CIVIL = "county_civil"
    COUNTY_AGRI = "county_agri"
    LEADING_OFFICE = "leading_office"
    DEPT_LIAISON = "dept_liaison"
    AUDITOR = "auditor"
    FINANCE = "finance"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.VILLAGE_OFFICER: "村救助帮扶专干",
    Role.TOWNSHIP_CLERK: "乡镇窗口工作人员",
    Role.REVIEW_MEMBER: "乡镇审核确认小组成员",
    Role.REVIEW_LEADER: "乡镇审核确认小组组长",
    Role.COUNTY_CIVIL: "县民政局工作人员",
    Role.COUNTY_AGRI: "县农业农村局工作人员",
    Role.LEADING_OFFICE: "县衔接并轨领导小组办公室",
    Role.DEPT_LIAISON: "部门数据联络员",
    Role.AUDITOR: "审计监督人员",
    Role.FINANCE: "县财政局工作人员",
    Role.ADMIN: "系统管理员",
}


class Perm(StrEnum):
    VIEW_HOUSEHOLD = "view_household"
    CREATE_HOUSEHOLD = "create_household"
    EDIT_HOUSEHOLD = "edit_household"
    UNMASK_PERSONAL_DATA = "unmask_personal_data"
    VIEW_AUDIT = "view_audit"
    ASSESS_HOUSEHOLD = "assess_household"  # store an assessment of a household (a write)
    EXCHANGE_DATA = "exchange_data"
    MANAGE_PARAMETERS = "manage_parameters"
    MANAGE_USERS = "manage_users"
    # The single procedure (cases/workflow.py names these on its transitions).
    RAISE_LEAD = "raise_lead"
    ACCEPT_CASE = "accept_case"
    INVESTIGATE = "investigate"
    VERIFY = "verify"
    VILLAGE_REVIEW = "village_review"
    TOWNSHIP_DECIDE = "township_decide"
    # The leader's confirmation of a sitting of the township review group: only then do its
    # decisions take effect (seed 二(二)2). An administrator holds every other permission, not this.
    CONFIRM_SITTING = "confirm_sitting"
    LEADING_GROUP_DECIDE = "leading_group_decide"
    MANAGE_NOTICE = "manage_notice"
    RECORD_OBJECTION = "record_objection"
    COUNTY_FILE = "county_file"
    REFUSE_CASE = "refuse_case"
    WITHDRAW_CASE = "withdraw_case"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    # The monthly change report (按月上报变化情况, reports/): read, prepare and submit (the
    # township), approve or return (county civil affairs). Role-bound: an administrator holds
    # neither prepare nor approve.
    VIEW_MONTHLY_REPORT = "view_monthly_report"
    PREPARE_MONTHLY_REPORT = "prepare_monthly_report"
    APPROVE_MONTHLY_REPORT = "approve_monthly_report"
    # The yearly review campaign (7–8月复核, campaigns app): opened by the county civil-affairs office.
    OPEN_REVIEW_CAMPAIGN = "open_review_campaign"
    # Paying the benefits (payments/): the payroll's chain, the bank files, payee accounts.
    VIEW_PAYROLL = "view_payroll"
    PREPARE_PAYROLL = "prepare_payroll"
    APPROVE_PAYROLL = "approve_payroll"
    RELEASE_PAYROLL = "release_payroll"
    DOWNLOAD_BANK_FILE = "download_bank_file"
    IMPORT_BANK_RESULT = "import_bank_result"
    MANAGE_PAYEE_ACCOUNT = "manage_payee_account"
    # 花名册 (rosters/): the entitlements in force, for every role that sees households.
    VIEW_ROSTER = "view_roster"
    # 统计报表 (reports/statistics.py): whoever reads the change report, and county finance.
    VIEW_STATISTICS = "view_statistics"
    # 巡访探视 (visits/): village officers and township clerks record visits.
    RECORD_VISIT = "record_visit"
    # The household assistance plan (assistance/): the township accepts, edits or declines the
    # suggested measures; a department liaison reports back on what was referred to them; the
    # 住建 and 医保 lists are exported by county civil affairs.
    MANAGE_ASSISTANCE_PLAN = "manage_assistance_plan"
    REPORT_REFERRAL_FEEDBACK = "report_referral_feedback"
    EXPORT_REFERRAL_LISTS = "export_referral_lists"
    # temporary relief and the township reserve fund
    APPLY_RELIEF = "apply_relief"
    DECIDE_RELIEF = "decide_relief"
    APPROVE_RELIEF = "approve_relief"
    ALLOCATE_RESERVE = "allocate_reserve"
    # 特困供养方式 (entitlements.services.set_support_mode): the township window and county civil affairs.
    RECORD_SUPPORT_MODE = "record_support_mode"
    # 领导小组驾驶舱 (dashboard/): the county's figures for the leading-group office and the county
    # bureaus, a township's own for its clerk and review-group leader.
    VIEW_DASHBOARD = "view_dashboard"


# Which area level a role's own area must be, and so how far it reaches.
ROLE_AREA_LEVEL = {
    Role.VILLAGE_OFFICER: "village",
    Role.TOWNSHIP_CLERK: "township",
    Role.REVIEW_MEMBER: "township",
    Role.REVIEW_LEADER: "township",
    Role.COUNTY_CIVIL: "county",
    Role.COUNTY_AGRI: "county",
    Role.LEADING_OFFICE: "county",
    Role.DEPT_LIAISON: "county",
    Role.AUDITOR: "county",
    Role.FINANCE: "county",
    Role.ADMIN: "county",
}

_P = Perm
PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.VILLAGE_OFFICER: frozenset(
        {_P.VIEW_HOUSEHOLD, _P.CREATE_HOUSEHOLD, _P.EDIT_HOUSEHOLD, _P.UNMASK_PERSONAL_DATA}
    ),
    Role.TOWNSHIP_CLERK: frozenset(
        {_P.VIEW_HOUSEHOLD, _P.CREATE_HOUSEHOLD, _P.EDIT_HOUSEHOLD, _P.UNMASK_PERSONAL_DATA}
    ),
    Role.REVIEW_MEMBER: frozenset({_P.VIEW_HOUSEHOLD}),
    Role.REVIEW_LEADER: frozenset({_P.VIEW_HOUSEHOLD, _P.UNMASK_PERSONAL_DATA}),
    Role.COUNTY_CIVIL: frozenset(
        {
            _P.VIEW_HOUSEHOLD,
            _P.CREATE_HOUSEHOLD,
            _P.EDIT_HOUSEHOLD,
            _P.UNMASK_PERSONAL_DATA,
            _P.MANAGE_PARAMETERS,
        }
    ),
    Role.COUNTY_AGRI: frozenset({_P.VIEW_HOUSEHOLD, _P.UNMASK_PERSONAL_DATA, _P.MANAGE_PARAMETERS}),
    Role.LEADING_OFFICE: frozenset({_P.VIEW_HOUSEHOLD, _P.MANAGE_PARAMETERS}),
    Role.DEPT_LIAISON: frozenset({_P.EXCHANGE_DATA}),
    Role.AUDITOR: frozenset({_P.VIEW_HOUSEHOLD, _P.VIEW_AUDIT}),
    Role.FINANCE: frozenset(),
    Role.ADMIN: frozenset(
        set(Perm) - {_P.CONFIRM_SITTING, _P.PREPARE_MONTHLY_REPORT, _P.APPROVE_MONTHLY_REPORT}
    ),
}

# Who acts in the single procedure (cases/workflow.py). Kept apart so the registry matrix above
# reads as before; merged into PERMISSIONS below.
PROCEDURE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.VILLAGE_OFFICER: frozenset(
        {_P.RAISE_LEAD, _P.INVESTIGATE, _P.VILLAGE_REVIEW, _P.RECORD_OBJECTION, _P.WITHDRAW_CASE}
    ),
    Role.TOWNSHIP_CLERK: frozenset(
        {
            _P.RAISE_LEAD,
            _P.ACCEPT_CASE,
            _P.INVESTIGATE,
            _P.VERIFY,
            _P.VILLAGE_REVIEW,
            _P.MANAGE_NOTICE,
            _P.RECORD_OBJECTION,
            _P.REFUSE_CASE,
            _P.WITHDRAW_CASE,
            _P.REQUEST_EXTENSION,
        }
    ),
    Role.REVIEW_MEMBER: frozenset({_P.TOWNSHIP_DECIDE, _P.REQUEST_EXTENSION}),
    Role.REVIEW_LEADER: frozenset(
        {
            _P.TOWNSHIP_DECIDE,
            _P.CONFIRM_SITTING,
            _P.REFUSE_CASE,
            _P.REQUEST_EXTENSION,
            _P.APPROVE_EXTENSION,
        }
    ),
    Role.COUNTY_CIVIL: frozenset({_P.RAISE_LEAD, _P.VERIFY, _P.COUNTY_FILE, _P.OPEN_REVIEW_CAMPAIGN}),
    Role.COUNTY_AGRI: frozenset({_P.RAISE_LEAD}),
    Role.LEADING_OFFICE: frozenset({_P.LEADING_GROUP_DECIDE}),
    Role.DEPT_LIAISON: frozenset({_P.RAISE_LEAD}),
}
for _role, _extra in PROCEDURE_PERMISSIONS.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra

# The monthly change report: the township prepares and submits it, county civil affairs approves;
# the township's review group, the county offices and the auditor read it. A village officer does not.
REPORT_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.TOWNSHIP_CLERK: frozenset({_P.VIEW_MONTHLY_REPORT, _P.PREPARE_MONTHLY_REPORT}),
    Role.REVIEW_MEMBER: frozenset({_P.VIEW_MONTHLY_REPORT}),
    Role.REVIEW_LEADER: frozenset({_P.VIEW_MONTHLY_REPORT}),
    Role.COUNTY_CIVIL: frozenset({_P.VIEW_MONTHLY_REPORT, _P.APPROVE_MONTHLY_REPORT}),
    Role.COUNTY_AGRI: frozenset({_P.VIEW_MONTHLY_REPORT}),
    Role.LEADING_OFFICE: frozenset({_P.VIEW_MONTHLY_REPORT}),
    Role.AUDITOR: frozenset({_P.VIEW_MONTHLY_REPORT}),
}
for _role, _extra in REPORT_PERMISSIONS.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra

# Paying the benefits: the township prepares and submits, county civil affairs approves, releases
# and handles the bank; county finance (read only) sees the totals and the bank files; the auditor
# sees everything read-only. Downloading a bank file is an audited unmasking.
PAYMENT_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.TOWNSHIP_CLERK: frozenset({_P.VIEW_PAYROLL, _P.PREPARE_PAYROLL, _P.MANAGE_PAYEE_ACCOUNT}),
    Role.COUNTY_CIVIL: frozenset(
        {
            _P.VIEW_PAYROLL,
            _P.APPROVE_PAYROLL,
            _P.RELEASE_PAYROLL,
            _P.DOWNLOAD_BANK_FILE,
            _P.IMPORT_BANK_RESULT,
            _P.MANAGE_PAYEE_ACCOUNT,
        }
    ),
    Role.FINANCE: frozenset({_P.VIEW_PAYROLL, _P.DOWNLOAD_BANK_FILE}),
    Role.AUDITOR: frozenset({_P.VIEW_PAYROLL}),
}
for _role, _extra in PAYMENT_PERMISSIONS.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra

# The household assistance plan (assistance/): the township window and county civil affairs
# manage the plan; a department liaison reports back on its own referrals; county civil affairs
# exports the 住建 and 医保 lists. An administrator holds all three (set(Perm) above).
ASSISTANCE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.TOWNSHIP_CLERK: frozenset({_P.MANAGE_ASSISTANCE_PLAN}),
    Role.COUNTY_CIVIL: frozenset({_P.MANAGE_ASSISTANCE_PLAN, _P.EXPORT_REFERRAL_LISTS}),
    Role.DEPT_LIAISON: frozenset({_P.REPORT_REFERRAL_FEEDBACK}),
}
for _role, _extra in ASSISTANCE_PERMISSIONS.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra

# Temporary relief: the village and the township apply, the township pays relief first, decides
# within its limit, pays in cash and returns money to the fund; county civil affairs decides above
# the township limit and allocates the reserve fund.
RELIEF_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.VILLAGE_OFFICER: frozenset({_P.APPLY_RELIEF}),
    Role.TOWNSHIP_CLERK: frozenset({_P.APPLY_RELIEF, _P.DECIDE_RELIEF}),
    Role.COUNTY_CIVIL: frozenset({_P.APPROVE_RELIEF, _P.ALLOCATE_RESERVE}),
}
for _role, _extra in RELIEF_PERMISSIONS.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra

# Storing an assessment is a write: every role that sees households may, except the read-only
# auditor (who once could, through the API and the household page).
for _role, _perms in PERMISSIONS.items():
    if _P.VIEW_HOUSEHOLD in _perms and _role != Role.AUDITOR:
        PERMISSIONS[_role] = _perms | {_P.ASSESS_HOUSEHOLD}

# The roster is read by every role that sees households, in its own reach.
for _role, _perms in PERMISSIONS.items():
    if _P.VIEW_HOUSEHOLD in _perms:
        PERMISSIONS[_role] = PERMISSIONS[_role] | {_P.VIEW_ROSTER}

for _role, _perms in PERMISSIONS.items():
    if _P.VIEW_MONTHLY_REPORT in _perms or _role == Role.FINANCE:
        PERMISSIONS[_role] = PERMISSIONS[_role] | {_P.VIEW_STATISTICS}

for _role in (Role.VILLAGE_OFFICER, Role.TOWNSHIP_CLERK):
    PERMISSIONS[_role] = PERMISSIONS[_role] | {_P.RECORD_VISIT}

for _role in (Role.TOWNSHIP_CLERK, Role.COUNTY_CIVIL):
    PERMISSIONS[_role] = PERMISSIONS[_role] | {_P.RECORD_SUPPORT_MODE}

DASHBOARD_ROLES = (
    Role.LEADING_OFFICE,
    Role.COUNTY_CIVIL,
    Role.COUNTY_AGRI,
    Role.FINANCE,
    Role.TOWNSHIP_CLERK,
    Role.REVIEW_LEADER,
)
for _role in DASHBOARD_ROLES:
    PERMISSIONS[_role] = PERMISSIONS[_role] | {_P.VIEW_DASHBOARD}

# Roles whose reach includes households (a department liaison exchanges data and sees none).
HOUSEHOLD_ROLES = frozenset(r for r, perms in PERMISSIONS.items() if Perm.VIEW_HOUSEHOLD in perms)


def has_perm(role: str, perm: Perm) -> bool:
    try:
        return perm in PERMISSIONS[Role(role)]
    except ValueError:
        return False
