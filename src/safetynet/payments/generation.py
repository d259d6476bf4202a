"""Generating a township's payroll for a month, set-based in the database.

One statement computes what is due and inserts the lines (`INSERT … SELECT`); no Python loop runs
over recipients. A month is paid by the entitlement row in force on its first day (payment starts,
and a stop takes effect, from a month's first day: `entitlements.schedule.month_after`).

What is due for a benefit and month (`benefit_key` × month):

- the household part of the row: `benefit_monthly` less the members' own amounts (the engine's
  household amount includes them: `policy/pipeline.py`, benefit = 低保差额 + Σ member amounts), to
  the designated payee or else the head; key `h<household>`;
- each member's own amount (单人保, 特困 individually), to the member; key `p<person>`.

The months looked at are the payroll's month and every earlier month of the township already
covered by an approved payroll. For each key and month, due less booked (committed lines, less
receivables already open) gives a line when positive: the month's regular line, back pay (补发) for
an earlier month never paid, a reissue after a failed payment released from the worklist, or an
adjustment (差额补发) when a row changed retroactively to a higher amount. When booked exceeds due
for an earlier month (a row ended or lowered retroactively), the difference is a receivable (追回).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

# The payable part of every row in force on a month's first day, per benefit key, for one
# township and a set of months (a VALUES list). Placeholders: the months, then the township's
# code prefix. `{true}` is the vendor's boolean literal.
_DUE = """
months(m) AS (VALUES {months}),
ents AS (
    SELECT e.id AS ent_id, e.household_id AS hh, e.category AS cat, e.benefit_monthly AS benefit,
           mo.m AS m, h.head_id AS head
    FROM entitlements_entitlement e
    JOIN months mo ON e.valid_from <= mo.m AND (e.valid_until IS NULL OR e.valid_until > mo.m)
    JOIN registry_household h ON h.id = e.household_id
    JOIN registry_area v ON v.id = h.village_id
    WHERE v.code LIKE %s
),
own AS (
    SELECT em.entitlement_id AS ent_id, SUM(em.benefit_monthly) AS amount
    FROM entitlements_entitlementmember em
    WHERE em.benefit_monthly > 0 AND em.entitlement_id IN (SELECT ent_id FROM ents)
    GROUP BY em.entitlement_id
),
due_all AS (
    SELECT 'h' || CAST(ents.hh AS TEXT) AS bkey, ents.m AS m, ents.hh AS hh, ents.ent_id AS ent_id,
           CAST(NULL AS INTEGER) AS beneficiary, COALESCE(dp.person_id, ents.head) AS payee,
           ents.cat AS cat, ROUND(ents.benefit - COALESCE(own.amount, 0), 2) AS amount
    FROM ents
    LEFT JOIN own ON own.ent_id = ents.ent_id
    LEFT JOIN payments_designatedpayee dp ON dp.household_id = ents.hh
    WHERE ents.benefit - COALESCE(own.amount, 0) > 0
    UNION ALL
    SELECT 'p' || CAST(em.person_id AS TEXT), ents.m, ents.hh, ents.ent_id, em.person_id, em.person_id,
           CASE WHEN em.category = '' THEN ents.cat ELSE em.category END, em.benefit_monthly
    FROM ents JOIN entitlements_entitlementmember em ON em.entitlement_id = ents.ent_id
    WHERE em.benefit_monthly > 0
),
due AS (  -- a person with an own amount in two households' rows is paid once (and flagged)
    SELECT * FROM (
        SELECT due_all.*, ROW_NUMBER() OVER (PARTITION BY bkey, m ORDER BY ent_id) AS rn FROM due_all
    ) d WHERE rn = 1
),
booked AS (
    SELECT bkey, m, SUM(amount) AS amount, SUM(base) AS base FROM (
        SELECT l.benefit_key AS bkey, l.benefit_month AS m, l.amount AS amount,
               CASE WHEN l.kind = 'adjustment' THEN 0 ELSE 1 END AS base
        FROM payments_payrollline l
        WHERE l.committed = {true} AND l.benefit_month IN (SELECT m FROM months)
        UNION ALL
        SELECT rm.benefit_key, rm.benefit_month, -rm.amount, 0
        FROM payments_receivablemonth rm JOIN payments_receivable r ON r.id = rm.receivable_id
        WHERE r.status <> 'proposed' AND rm.benefit_month IN (SELECT m FROM months)
    ) b GROUP BY bkey, m
)
"""

_INSERT_LINES = """
INSERT INTO payments_payrollline (
    payroll_id, kind, benefit_key, benefit_month, household_id, entitlement_id, beneficiary_id,
    payee_id, category, funding, amount, account_kind, bank, account, account_index, committed,
    status, failure_reason)
WITH {due}
SELECT %s,
       CASE WHEN COALESCE(b.base, 0) > 0 THEN 'adjustment'
            WHEN due.m = %s THEN 'regular'
            WHEN EXISTS (SELECT 1 FROM payments_payrollline f
                         WHERE f.benefit_key = due.bkey AND f.benefit_month = due.m
                           AND f.status = 'failed' AND f.committed = {false}) THEN 'reissue'
            ELSE 'back_pay' END,
       due.bkey, due.m, due.hh, due.ent_id, due.beneficiary, due.payee, due.cat,
       CASE WHEN due.cat = 'tekun' THEN 'tekun' ELSE 'dibao' END,
       ROUND(due.amount - COALESCE(b.amount, 0), 2),
       COALESCE(a.kind, ''), COALESCE(a.bank, ''), COALESCE(a.account, ''), COALESCE(a.account_index, ''),
       {false}, 'pending', ''
FROM due
LEFT JOIN booked b ON b.bkey = due.bkey AND b.m = due.m
LEFT JOIN payments_payeeaccount a ON a.person_id = due.payee AND a.active = {true}
WHERE ROUND(due.amount - COALESCE(b.amount, 0), 2) > 0
"""

# Booked more than due for an earlier month: what to recover, per key and month (few rows).
_OVERPAID = """
WITH {due},
due_sum AS (SELECT bkey, m, SUM(amount) AS amount FROM due GROUP BY bkey, m),
paid AS (
    SELECT l.benefit_key AS bkey, l.benefit_month AS m, MIN(l.household_id) AS hh,
           MAX(l.entitlement_id) AS ent_id
    FROM payments_payrollline l
    JOIN registry_household h ON h.id = l.household_id
    JOIN registry_area v ON v.id = h.village_id
    WHERE l.committed = {true} AND l.benefit_month IN (SELECT m FROM months) AND l.benefit_month < %s
      AND v.code LIKE %s
    GROUP BY l.benefit_key, l.benefit_month
)
SELECT paid.hh, paid.bkey, paid.m, paid.ent_id, ROUND(b.amount - COALESCE(ds.amount, 0), 2)
FROM paid
JOIN booked b ON b.bkey = paid.bkey AND b.m = paid.m
LEFT JOIN due_sum ds ON ds.bkey = paid.bkey AND ds.m = paid.m
WHERE ROUND(b.amount - COALESCE(ds.amount, 0), 2) > 0
ORDER BY paid.hh, paid.bkey, paid.m
"""

# Persons with an own part in this township's rows on the month who also have one in another
# household's row in force that day.
_TWO_HOUSEHOLDS = """
INSERT INTO payments_payrollflag (payroll_id, kind, household_id, person_id, amount, detail)
SELECT DISTINCT %s, 'two_households', e.household_id, em.person_id, CAST(NULL AS DECIMAL), ''
FROM entitlements_entitlementmember em
JOIN entitlements_entitlement e ON e.id = em.entitlement_id
JOIN registry_household h ON h.id = e.household_id
JOIN registry_area v ON v.id = h.village_id
WHERE v.code LIKE %s AND e.valid_from <= %s AND (e.valid_until IS NULL OR e.valid_until > %s)
  AND EXISTS (
    SELECT 1 FROM entitlements_entitlementmember em2
    JOIN entitlements_entitlement e2 ON e2.id = em2.entitlement_id
    WHERE em2.person_id = em.person_id AND e2.household_id <> e.household_id
      AND e2.valid_from <= %s AND (e2.valid_until IS NULL OR e2.valid_until > %s))
"""

# A payee (or the member paid for) whose membership the registry ended because of death.
_DECEASED = """
INSERT INTO payments_payrollflag (payroll_id, kind, household_id, person_id, amount, detail)
SELECT %s, 'deceased_payee', l.household_id, l.payee_id, SUM(l.amount), MIN(ms.left_reason)
FROM payments_payrollline l
JOIN registry_membership ms ON (ms.person_id = l.payee_id OR ms.person_id = l.beneficiary_id)
WHERE l.payroll_id = %s AND ms.left_on IS NOT NULL AND ms.left_reason LIKE %s
GROUP BY l.household_id, l.payee_id
"""

# The payee's account is also the active account of a person outside the household.
_SHARED_ACCOUNT = """
INSERT INTO payments_payrollflag (payroll_id, kind, household_id, person_id, amount, detail)
SELECT %s, 'shared_account', l.household_id, l.payee_id, SUM(l.amount), ''
FROM payments_payrollline l
WHERE l.payroll_id = %s AND EXISTS (
    SELECT 1 FROM payments_payeeaccount a2
    WHERE a2.active = {true} AND a2.account_index = l.account_index AND a2.person_id <> l.payee_id
      AND NOT EXISTS (
        SELECT 1 FROM registry_membership m2
        WHERE m2.person_id = a2.person_id AND m2.household_id = l.household_id AND m2.left_on IS NULL))
GROUP BY l.household_id, l.payee_id
"""

# Lines whose payee has no account are not paid this month: flagged, then removed (once the
# account is there, the next payroll pays the month as back pay).
_NO_ACCOUNT = """
INSERT INTO payments_payrollflag (payroll_id, kind, household_id, person_id, amount, detail)
SELECT %s, 'no_account', l.household_id, l.payee_id, SUM(l.amount), ''
FROM payments_payrollline l WHERE l.payroll_id = %s AND l.account_index = ''
GROUP BY l.household_id, l.payee_id
"""


@dataclass(frozen=True)
class Overpaid:
    household_id: int
    benefit_key: str
    month: dt.date
    entitlement_id: int | None
    amount: object  # Decimal or float from the driver; the service quantizes


def _literals() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {"true": "TRUE", "false": "FALSE", "date": "CAST(%s AS DATE)"}
    return {"true": "1", "false": "0", "date": "%s"}


def _d(day: dt.date):
    """A date parameter: a date for PostgreSQL, its ISO text for SQLite (how Django stores it)."""
    return day if connection.vendor == "postgresql" else day.isoformat()


def _due(months: list[dt.date]) -> tuple[str, list]:
    lit = _literals()
    values = ", ".join(f"({lit['date']})" for _ in months)
    return _DUE.format(months=values, **lit), [_d(m) for m in months]


def insert_lines(*, payroll_id: int, township_code: str, month: dt.date, months: list[dt.date]) -> int:
    """Insert every line due; return how many."""
    due, due_params = _due(months)
    sql = _INSERT_LINES.format(due=due, **_literals())
    params = [*due_params, f"{township_code}%", payroll_id, _d(month)]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def overpaid(*, township_code: str, month: dt.date, months: list[dt.date]) -> list[Overpaid]:
    due, due_params = _due(months)
    sql = _OVERPAID.format(due=due, **_literals())
    with connection.cursor() as cur:
        cur.execute(sql, [*due_params, f"{township_code}%", _d(month), f"{township_code}%"])
        rows = cur.fetchall()
    return [
        Overpaid(hh, key, m if isinstance(m, dt.date) else dt.date.fromisoformat(str(m)[:10]), ent, amount)
        for hh, key, m, ent, amount in rows
    ]


def insert_flags(*, payroll_id: int, township_code: str, month: dt.date) -> None:
    lit = _literals()
    day = _d(month)
    with connection.cursor() as cur:
        cur.execute(_NO_ACCOUNT, [payroll_id, payroll_id])
        cur.execute(
            "DELETE FROM payments_payrollline WHERE payroll_id = %s AND account_index = ''", [payroll_id]
        )
        cur.execute(_TWO_HOUSEHOLDS, [payroll_id, f"{township_code}%", day, day, day, day])
        cur.execute(_DECEASED, [payroll_id, payroll_id, "%死亡%"])
        cur.execute(_SHARED_ACCOUNT.format(**lit), [payroll_id, payroll_id])
