"""Approved temporary relief paid by transfer, added to a township's draft payroll (set-based).

Each grant is one line keyed `r<application id>` for the month of its decision, so the payroll's
"one base payment per key and month" unique index also stops a grant being paid twice, whichever
payroll carries it. A grant already on a committed line is not added again. The line pays what
is left after any 先行救助 to the household's designated payee or else its head; a payee without an
account is flagged and removed by `generation.insert_flags` like any other line. Relief lines have
no entitlement row (`entitlement` is null) and are kept out of the overpayment (追回) comparison.

When the bank confirms such a line paid (its own or a re-issue), `mark_relief_paid` records the
grant as 已发放 on the day of the result, audited per grant; a failed line leaves it approved.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from safetynet.audit.services import Actor, record_audit
from safetynet.payments.generation import _code_range, _literals

_INSERT = """
INSERT INTO payments_payrollline (
    payroll_id, kind, benefit_key, benefit_month, household_id, entitlement_id, beneficiary_id,
    payee_id, category, funding, amount, account_kind, bank, account, account_index, committed,
    status, failure_reason)
SELECT %s, 'regular', 'r' || CAST(r.id AS TEXT), {month}, r.household_id, NULL, NULL,
       COALESCE(dp.person_id, h.head_id), 'linshi', 'linshi',
       r.amount_granted - COALESCE(r.paid_first_amount, 0),
       COALESCE(a.kind, ''), COALESCE(a.bank, ''), COALESCE(a.account, ''), COALESCE(a.account_index, ''),
       {false}, 'pending', ''
FROM relief_reliefapplication r
JOIN registry_household h ON h.id = r.household_id
JOIN registry_area v ON v.id = h.village_id
LEFT JOIN payments_designatedpayee dp ON dp.household_id = h.id
LEFT JOIN payments_payeeaccount a ON a.person_id = COALESCE(dp.person_id, h.head_id) AND a.active = {true}
WHERE v.code >= %s AND v.code < %s AND r.status = 'approved' AND r.pay_method = 'transfer'
  AND r.amount_granted - COALESCE(r.paid_first_amount, 0) > 0
  AND NOT EXISTS (SELECT 1 FROM payments_payrollline l
                  WHERE l.benefit_key = 'r' || CAST(r.id AS TEXT) AND l.committed = {true})
ORDER BY r.household_id, r.id
"""


def insert_relief_lines(*, payroll_id: int, township_code: str) -> int:
    """Add every approved transfer grant of the township not yet on a committed line; how many."""
    lit = _literals()
    if connection.vendor == "postgresql":
        month = "CAST(date_trunc('month', r.decided_on) AS DATE)"
    else:
        month = "strftime('%%Y-%%m-01', r.decided_on)"
    with connection.cursor() as cur:
        cur.execute(_INSERT.format(month=month, **lit), [payroll_id, *_code_range(township_code)])
        return cur.rowcount


def mark_relief_paid(*, payroll_id: int, on: dt.date, actor: Actor) -> list[int]:
    """The approved transfer grants whose line in this payroll the bank has confirmed paid: now
    paid on `on`. Returns their ids; re-running changes nothing."""
    with connection.cursor() as cur:
        cur.execute(
            """SELECT r.id FROM relief_reliefapplication r
               JOIN payments_payrollline l ON l.benefit_key = 'r' || CAST(r.id AS TEXT)
               WHERE l.payroll_id = %s AND l.status = 'paid'
                 AND r.status = 'approved' AND r.pay_method = 'transfer'
               ORDER BY r.id""",
            [payroll_id],
        )
        ids = [row[0] for row in cur.fetchall()]
        for pk in ids:
            cur.execute(
                "UPDATE relief_reliefapplication SET status = 'paid', paid_on = %s WHERE id = %s AND status = 'approved'",
                [on, pk],
            )
            record_audit(
                actor=actor,
                action="relief.paid",
                object_type="relief",
                object_id=pk,
                changes={"status": "paid", "paid_on": on.isoformat(), "payroll": payroll_id},
                reason="银行回盘确认到账",
            )
    return ids
