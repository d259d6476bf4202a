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
# code range (`_code_range`, which the area code's index serves).
_DUE = """
months(m) AS (VALUES {months}),
ents AS (
    SELECT e.id AS ent_id, e.household_id AS hh, e.category AS cat, e.benefit_monthly AS benefit,
           mo.m AS m, h.head_id AS head
    FROM registry_area v
    JOIN registry_household h ON h.village_id = v.id
    JOIN entitlements_entitlement e ON e.household_id = h.id
    JOIN months mo ON e.valid_from <= mo.m AND (e.valid_until IS NULL OR e.valid_until > mo.m)
    WHERE v.code >= %s AND v.code < %s
),
mem AS (  -- members with an own amount, read once
    SELECT ents.ent_id, ents.m, ents.hh, ents.cat, em.person_id, em.category, em.benefit_monthly
    FROM ents JOIN entitlements_entitlementmember em ON em.entitlement_id = ents.ent_id
    WHERE em.benefit_monthly > 0
),
own AS (SELECT ent_id, m, SUM(benefit_monthly) AS amount FROM mem GROUP BY ent_id, m),
due_all AS (
    SELECT 'h' || CAST(ents.hh AS TEXT) AS bkey, ents.m AS m, ents.hh AS hh, ents.ent_id AS ent_id,
           CAST(NULL AS INTEGER) AS beneficiary, COALESCE(dp.person_id, ents.head) AS payee,
           ents.cat AS cat, ROUND(ents.benefit - COALESCE(own.amount, 0), 2) AS amount
    FROM ents
    LEFT JOIN own ON own.ent_id = ents.ent_id AND own.m = ents.m
    LEFT JOIN payments_designatedpayee dp ON dp.household_id = ents.hh
    WHERE ents.benefit - COALESCE(own.amount, 0) > 0
    UNION ALL
    SELECT 'p' || CAST(mem.person_id AS TEXT), mem.m, mem.hh, mem.ent_id, mem.person_id, mem.person_id,
           CASE WHEN mem.category = '' THEN mem.cat ELSE mem.category END, mem.benefit_monthly
    FROM mem
),
due AS (  -- a person with an own amount in two households' rows is paid once (and flagged);
          -- a household key is unique per month already (one row in force on a day)
    SELECT * FROM due_all WHERE bkey LIKE 'h%%'
    UNION ALL
    SELECT bkey, m, hh, ent_id, beneficiary, payee, cat, amount FROM (
        SELECT due_all.*, ROW_NUMBER() OVER (PARTITION BY bkey, m ORDER BY ent_id) AS rn
        FROM due_all WHERE bkey LIKE 'p%%'
    ) d WHERE rn = 1
)
"""

# What is booked for one key and month: committed lines, less receivables no longer proposed.
# Correlated on the (benefit_key, benefit_month) indexes, so the cost follows the township's rows,
# not the size of the payment history.
_BOOKED = """
    COALESCE((SELECT SUM(l.amount) FROM payments_payrollline l
              WHERE l.benefit_key = {key} AND l.benefit_month = {month} AND l.committed = {true}), 0)
    - COALESCE((SELECT SUM(rm.amount) FROM payments_receivablemonth rm
                JOIN payments_receivable r ON r.id = rm.receivable_id
                WHERE rm.benefit_key = {key} AND rm.benefit_month = {month} AND r.status <> 'proposed'), 0)
"""
_BASE = """
    (SELECT COUNT(*) FROM payments_payrollline l
     WHERE l.benefit_key = {key} AND l.benefit_month = {month} AND l.committed = {true}
       AND l.kind <> 'adjustment')
"""

_INSERT_LINES = """
INSERT INTO payments_payrollline (
    payroll_id, kind, benefit_key, benefit_month, household_id, entitlement_id, beneficiary_id,
    payee_id, category, funding, amount, account_kind, bank, account, account_index, committed,
    status, failure_reason)
WITH {due},
x AS (SELECT due.*, {booked} AS booked, {base} AS base FROM due)
SELECT %s,
       CASE WHEN x.base > 0 THEN 'adjustment'
            WHEN x.m = %s THEN 'regular'
            WHEN EXISTS (SELECT 1 FROM payments_payrollline f
                         WHERE f.benefit_key = x.bkey AND f.benefit_month = x.m
                           AND f.status = 'failed' AND f.committed = {false}) THEN 'reissue'
            ELSE 'back_pay' END,
       x.bkey, x.m, x.hh, x.ent_id, x.beneficiary, x.payee, x.cat,
       CASE WHEN x.cat = 'tekun' THEN 'tekun' ELSE 'dibao' END,
       ROUND(x.amount - x.booked, 2),
       COALESCE(a.kind, ''), COALESCE(a.bank, ''), COALESCE(a.account, ''), COALESCE(a.account_index, ''),
       {false}, 'pending', ''
FROM x
LEFT JOIN payments_payeeaccount a ON a.person_id = x.payee AND a.active = {true}
WHERE ROUND(x.amount - x.booked, 2) > 0
ORDER BY x.hh, x.bkey, x.m
"""

# Booked more than due for an earlier month: what to recover, per key and month (few rows).
_OVERPAID = """
WITH {due},
due_sum AS (SELECT bkey, m, SUM(amount) AS amount FROM due GROUP BY bkey, m),
paid AS (
    SELECT l.benefit_key AS bkey, l.benefit_month AS m, MIN(l.household_id) AS hh,
           MAX(l.entitlement_id) AS ent_id
    FROM registry_area v
    JOIN registry_household h ON h.village_id = v.id
    JOIN payments_payrollline l ON l.household_id = h.id
    WHERE v.code >= %s AND v.code < %s AND l.committed = {true} AND l.benefit_key NOT LIKE 'r%%'
      AND l.benefit_month IN (SELECT m FROM months) AND l.benefit_month < %s
    GROUP BY l.benefit_key, l.benefit_month
),
y AS (SELECT paid.*, {booked} AS booked FROM paid)
SELECT y.hh, y.bkey, y.m, y.ent_id, ROUND(y.booked - COALESCE(ds.amount, 0), 2)
FROM y
LEFT JOIN due_sum ds ON ds.bkey = y.bkey AND ds.m = y.m
WHERE ROUND(y.booked - COALESCE(ds.amount, 0), 2) > 0
ORDER BY y.hh, y.bkey, y.m
"""

# Persons with an own part in this township's rows on the month who also have one in another
# household's row in force that day.
_TWO_HOUSEHOLDS = """
INSERT INTO payments_payrollflag (payroll_id, kind, household_id, person_id, amount, detail)
SELECT DISTINCT %s, 'two_households', e.household_id, em.person_id, CAST(NULL AS DECIMAL), ''
FROM registry_area v
JOIN registry_household h ON h.village_id = v.id
JOIN entitlements_entitlement e ON e.household_id = h.id
JOIN entitlements_entitlementmember em ON em.entitlement_id = e.id
WHERE v.code >= %s AND v.code < %s AND e.valid_from <= %s AND (e.valid_until IS NULL OR e.valid_until > %s)
  AND EXISTS (
    SELECT 1 FROM entitlements_entitlementmember em2
    JOIN entitlements_entitlement e2 ON e2.id = em2.entitlement_id
    WHERE em2.person_id = em.person_id AND e2.household_id <> e.household_id
      AND e2.valid_from <= %s AND (e2.valid_until IS NULL OR e2.valid_until > %s))
"""

# A payee (or the member paid for) whose membership the registry ended because of death.
_DECEASED = """
INSERT INTO payments_payrollflag (payroll_id, kind, household_id, person_id, amount, detail)
SELECT %s, 'deceased_payee', l.household_id, l.payee_id, SUM(l.amount), MIN(dead.reason)
FROM (SELECT person_id, left_reason AS reason FROM registry_membership
      WHERE left_on IS NOT NULL AND left_reason LIKE %s) dead
JOIN payments_payrollline l ON l.payee_id = dead.person_id
WHERE l.payroll_id = %s
GROUP BY l.household_id, l.payee_id
UNION
SELECT %s, 'deceased_payee', l.household_id, l.payee_id, SUM(l.amount), MIN(dead.reason)
FROM (SELECT person_id, left_reason AS reason FROM registry_membership
      WHERE left_on IS NOT NULL AND left_reason LIKE %s) dead
JOIN payments_payrollline l ON l.beneficiary_id = dead.person_id
WHERE l.payroll_id = %s AND l.beneficiary_id <> l.payee_id
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


def _code_range(code: str) -> tuple[str, str]:
    """The area codes under `code` as a range the code index can serve (digits: '9' + 1 = ':')."""
    return code, code[:-1] + chr(ord(code[-1]) + 1)


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
    lit = _literals()
    booked = _BOOKED.format(key="due.bkey", month="due.m", **lit)
    base = _BASE.format(key="due.bkey", month="due.m", **lit)
    sql = _INSERT_LINES.format(due=due, booked=booked, base=base, **lit)
    params = [*due_params, *_code_range(township_code), payroll_id, _d(month)]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # sort the township's lines in memory (this transaction only)
            cur.execute("SET LOCAL work_mem = '64MB'")
        cur.execute(sql, params)
        return cur.rowcount


def overpaid(*, township_code: str, month: dt.date, months: list[dt.date]) -> list[Overpaid]:
    due, due_params = _due(months)
    lit = _literals()
    sql = _OVERPAID.format(due=due, booked=_BOOKED.format(key="paid.bkey", month="paid.m", **lit), **lit)
    with connection.cursor() as cur:
        cur.execute(sql, [*due_params, *_code_range(township_code), *_code_range(township_code), _d(month)])
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
        cur.execute(_TWO_HOUSEHOLDS, [payroll_id, *_code_range(township_code), day, day, day, day])
        dead = "%死亡%"
        cur.execute(_DECEASED, [payroll_id, dead, payroll_id, payroll_id, dead, payroll_id])
        cur.execute(_SHARED_ACCOUNT.format(**lit), [payroll_id, payroll_id])
