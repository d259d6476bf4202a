"""The columnar layout the rules run on: one household table and one member table.

The same rule functions run on a table of one household (the scalar path, with a trace) and on a
table of a whole register (the batch path). Money is integer fen (`int64`) in both, so no float
ever touches an amount and both paths compute exactly the same numbers.

Household columns (length H, row i is household i):

| column | dtype | meaning |
|---|---|---|
| `urban` | bool | hukou is urban (else rural) |
| `alleviated` | bool | 脱贫户 |
| `financial_fen` | int64 | financial assets |
| `nonexempt_vehicles` | int64 | number of vehicles not exempt |
| `homes` | int64 | homes owned |
| `home_bought_within_year` | bool | a home bought within a year before applying |
| `company_roles` | int64 | members who are legal representative or controlling holder of a company |
| `rigid_medical_fen`, `rigid_education_fen`, `rigid_rehabilitation_fen`, `rigid_living_fen` | int64 | rigid expenditure, 12 months |
| `relief_received_fen` | int64 | relief and donations received against it, 12 months |
| `able_supporters` | int64 | legal supporters able to support |
| `risk_events` | int64 | bit mask over `RISK_EVENTS` (bit i = event i) |
| `risk_judgement` | int8 | risk judgement recorded at investigation: -1 none recorded, 0 judged not at risk, 1 judged at risk (optional in `from_columns`: -1 when the column is absent) |
| `has_override` | bool | an officer's reasoned income figure replaces the declared income |
| `override_monthly_fen` | int64 | that figure, family total per month |
| `current_category` | int8 | index into `CATEGORIES` (0 = none) |

Member columns (length M, sorted by household):

| column | dtype | meaning |
|---|---|---|
| `household` | int64 | row of the member's household (non-decreasing) |
| `birth` | int64 | birth date as `YYYYMMDD` |
| `relation` | int8 | index into `RELATIONS` |
| `co_resident`, `not_counted`, `in_fulltime_education`, `major_illness` | bool | |
| `disability_kind` | int8 | 0 none, else 1 + index into `DISABILITY_KINDS` |
| `disability_grade` | int8 | 0 none, else 1–4 |
| `self_care_failed` | int8 | 0–6 daily activities failed |
| `wage_fen`, `business_fen`, `property_fen`, `transfer_fen`, `excluded_fen` | int64 | income, 12 months |

Optional object columns `household_id` (H) and `member_id` (M) carry identifiers through. A
DuckDB query can fill the table directly: `HouseholdTable.from_columns(con.sql(q1).fetchnumpy(),
con.sql(q2).fetchnumpy())`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from safetynet.core.errors import ValidationFailed
from safetynet.policy.household import (
    CATEGORIES,
    DISABILITY_KINDS,
    INCOME_TYPES,
    RELATIONS,
    RIGID_TYPES,
    RISK_EVENTS,
    Household,
)

HOUSEHOLD_COLUMNS = {
    "urban": np.bool_,
    "alleviated": np.bool_,
    "financial_fen": np.int64,
    "nonexempt_vehicles": np.int64,
    "homes": np.int64,
    "home_bought_within_year": np.bool_,
    "company_roles": np.int64,
    "rigid_medical_fen": np.int64,
    "rigid_education_fen": np.int64,
    "rigid_rehabilitation_fen": np.int64,
    "rigid_living_fen": np.int64,
    "relief_received_fen": np.int64,
    "able_supporters": np.int64,
    "risk_events": np.int64,
    "risk_judgement": np.int8,
    "has_override": np.bool_,
    "override_monthly_fen": np.int64,
    "current_category": np.int8,
}
MEMBER_COLUMNS = {
    "household": np.int64,
    "birth": np.int64,
    "relation": np.int8,
    "co_resident": np.bool_,
    "not_counted": np.bool_,
    "in_fulltime_education": np.bool_,
    "major_illness": np.bool_,
    "disability_kind": np.int8,
    "disability_grade": np.int8,
    "self_care_failed": np.int8,
    "wage_fen": np.int64,
    "business_fen": np.int64,
    "property_fen": np.int64,
    "transfer_fen": np.int64,
    "excluded_fen": np.int64,
}

REL = {name: i for i, name in enumerate(RELATIONS)}
KIND = {name: i + 1 for i, name in enumerate(DISABILITY_KINDS)}
CAT = {name: i for i, name in enumerate(CATEGORIES)}
RISK_BIT = {name: 1 << i for i, name in enumerate(RISK_EVENTS)}
JUDGEMENT = {None: -1, False: 0, True: 1}  # `risk_judgement` column codes
# Household columns `from_columns` fills when absent (a register laid out before they existed).
OPTIONAL_HOUSEHOLD_COLUMNS = {"risk_judgement": JUDGEMENT[None]}


def fen(amount) -> int:
    """Yuan (Decimal, two places at most) to integer fen, exactly."""
    return int(amount.scaleb(2).to_integral_exact())


@dataclass
class HouseholdTable:
    households: dict[str, np.ndarray]
    members: dict[str, np.ndarray]
    household_id: np.ndarray | None = None
    member_id: np.ndarray | None = None

    @property
    def n_households(self) -> int:
        return len(self.households["urban"])

    @property
    def n_members(self) -> int:
        return len(self.members["household"])

    @classmethod
    def from_columns(
        cls,
        households: Mapping[str, Sequence],
        members: Mapping[str, Sequence],
        household_id: Sequence | None = None,
        member_id: Sequence | None = None,
    ) -> HouseholdTable:
        """Check and cast columns (numpy arrays, lists, Arrow/DuckDB numpy output)."""
        hh = {}
        for name, dtype in HOUSEHOLD_COLUMNS.items():
            if name not in households and name in OPTIONAL_HOUSEHOLD_COLUMNS:
                hh[name] = np.full(len(hh["urban"]), OPTIONAL_HOUSEHOLD_COLUMNS[name], dtype=dtype)
                continue
            if name not in households:
                raise ValidationFailed(f"户表缺少列 {name}", code="required", field=name)
            hh[name] = np.asarray(households[name]).astype(dtype, copy=False)
        mm = {}
        for name, dtype in MEMBER_COLUMNS.items():
            if name not in members:
                raise ValidationFailed(f"成员表缺少列 {name}", code="required", field=name)
            mm[name] = np.asarray(members[name]).astype(dtype, copy=False)
        n_h = len(hh["urban"])
        if any(len(c) != n_h for c in hh.values()):
            raise ValidationFailed("户表各列长度不一致", code="invalid")
        if np.any((hh["risk_judgement"] < -1) | (hh["risk_judgement"] > 1)):
            raise ValidationFailed("风险研判列取值应为 -1、0 或 1", code="invalid", field="risk_judgement")
        n_m = len(mm["household"])
        if any(len(c) != n_m for c in mm.values()):
            raise ValidationFailed("成员表各列长度不一致", code="invalid")
        idx = mm["household"]
        if n_m and (np.any(np.diff(idx) < 0) or idx[0] < 0 or idx[-1] >= n_h):
            raise ValidationFailed("成员表应按户排序且户号在户表范围内", code="invalid", field="household")
        if n_h and np.any(np.bincount(idx, minlength=n_h) == 0):
            raise ValidationFailed("每户至少应有一名成员", code="required", field="members")
        return cls(
            hh,
            mm,
            None if household_id is None else np.asarray(household_id, dtype=object),
            None if member_id is None else np.asarray(member_id, dtype=object),
        )

    def slice(self, start: int, stop: int) -> HouseholdTable:
        """Households `start` to `stop` (exclusive) with their members, renumbered from 0 (views)."""
        idx = self.members["household"]
        m_start, m_stop = (int(i) for i in np.searchsorted(idx, [start, stop]))
        members = {name: column[m_start:m_stop] for name, column in self.members.items()}
        members["household"] = members["household"] - start
        return HouseholdTable(
            {name: column[start:stop] for name, column in self.households.items()},
            members,
            None if self.household_id is None else self.household_id[start:stop],
            None if self.member_id is None else self.member_id[m_start:m_stop],
        )

    @classmethod
    def from_households(cls, households: Sequence[Household]) -> HouseholdTable:
        """Lay parsed households out as columns (the scalar path uses a table of one)."""
        hh: dict[str, list] = {name: [] for name in HOUSEHOLD_COLUMNS}
        mm: dict[str, list] = {name: [] for name in MEMBER_COLUMNS}
        hids, mids = [], []
        for row, h in enumerate(households):
            hids.append(h.id)
            a = h.assets
            hh["urban"].append(h.hukou == "urban")
            hh["alleviated"].append(h.alleviated)
            hh["financial_fen"].append(fen(a.financial))
            hh["nonexempt_vehicles"].append(sum(1 for v in a.vehicles if not v.exempt))
            hh["homes"].append(a.homes)
            hh["home_bought_within_year"].append(a.home_bought_within_year)
            hh["company_roles"].append(a.company_roles)
            for t in RIGID_TYPES:
                hh[f"rigid_{t}_fen"].append(fen(h.rigid_expenditure_12m[t]))
            hh["relief_received_fen"].append(fen(h.relief_received_12m))
            hh["able_supporters"].append(sum(1 for able in h.supporters if able))
            hh["risk_events"].append(sum(RISK_BIT[e] for e in set(h.risk_events)))
            hh["risk_judgement"].append(JUDGEMENT[h.risk_judgement])
            hh["has_override"].append(h.income_override is not None)
            hh["override_monthly_fen"].append(fen(h.income_override.monthly) if h.income_override else 0)
            hh["current_category"].append(CAT[h.current_category or "none"])
            for m in h.members:
                mids.append(m.id)
                mm["household"].append(row)
                b = m.birth_date
                mm["birth"].append(b.year * 10000 + b.month * 100 + b.day)
                mm["relation"].append(REL[m.relation])
                mm["co_resident"].append(m.co_resident)
                mm["not_counted"].append(m.not_counted_reason is not None)
                mm["in_fulltime_education"].append(m.in_fulltime_education)
                mm["major_illness"].append(m.major_illness)
                mm["disability_kind"].append(KIND[m.disability.kind] if m.disability else 0)
                mm["disability_grade"].append(m.disability.grade if m.disability else 0)
                mm["self_care_failed"].append(m.self_care_failed)
                for t in INCOME_TYPES:
                    mm[f"{t}_fen"].append(fen(m.income_12m[t]))
        return cls(
            {k: np.array(v, dtype=HOUSEHOLD_COLUMNS[k]) for k, v in hh.items()},
            {k: np.array(v, dtype=MEMBER_COLUMNS[k]) for k, v in mm.items()},
            np.array(hids, dtype=object),
            np.array(mids, dtype=object),
        )
