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
    Role.ADMIN: "系统管理员",
}


class Perm(StrEnum):
    VIEW_HOUSEHOLD = "view_household"
    CREATE_HOUSEHOLD = "create_household"
    EDIT_HOUSEHOLD = "edit_household"
    UNMASK_PERSONAL_DATA = "unmask_personal_data"
    VIEW_AUDIT = "view_audit"
    EXCHANGE_DATA = "exchange_data"
    MANAGE_PARAMETERS = "manage_parameters"
    MANAGE_USERS = "manage_users"


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
    Role.ADMIN: frozenset(set(Perm)),
}

# Roles whose reach includes households (a department liaison exchanges data and sees none).
HOUSEHOLD_ROLES = frozenset(r for r, perms in PERMISSIONS.items() if Perm.VIEW_HOUSEHOLD in perms)


def has_perm(role: str, perm: Perm) -> bool:
    try:
        return perm in PERMISSIONS[Role(role)]
    except ValueError:
        return False
