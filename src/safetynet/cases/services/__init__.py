"""Writes on leads and cases: the single procedure (二(三)), one module per step.

Every service takes the acting user, fetches the case through the scoped selectors (outside the
area is a 404 like missing), checks the permission the workflow names (403), takes the case's
optimistic lock (a conditional UPDATE on the version the user saw: 409 when someone else moved
first), writes its record, moves the state through `workflow.check`, audits, and queues its
notifications on commit — all in one transaction.

- `intake`: leads from every channel, the public application page, dismissal
- `triage`: leads in batches from the worklist: assigned to a village officer, dismissed
- `acceptance`: 受理 and the transitions without a record of their own
- `investigation`: 入户调查 and uploads (承诺授权书, 民主评议 record)
- `verification`: the bridge to 经济状况核对
- `review`: 村级初审 (民主评议)
- `decision`: what a 乡镇审核确认 decision records and how it takes effect; the county leading
  group's decision on referrals
- `sitting`: the township review group's sittings: agenda, votes, the leader's confirmation
- `notice`: 公示, objections, 县级备案 and 录入建档
- `deadlines`: 不予认定, extensions, the daily deadline scan, the inbox
"""

from safetynet.cases.services.acceptance import accept_case, transition_case, withdraw_case
from safetynet.cases.services.changes import decide as decide_change
from safetynet.cases.services.changes import record_stop_objection
from safetynet.cases.services.deadlines import (
    decide_extension,
    mark_read,
    refuse_case,
    request_extension,
    scan_deadlines,
)
from safetynet.cases.services.decision import (
    proposal_values,
    propose,
    record_leading_group_decision,
)
from safetynet.cases.services.intake import (
    dismiss_lead,
    file_lead,
    import_leads,
    public_status,
    raise_lead,
    submit_public_application,
)
from safetynet.cases.services.investigation import record_investigation, upload_attachment
from safetynet.cases.services.notice import file_case, record_objection
from safetynet.cases.services.review import record_village_review
from safetynet.cases.services.sitting import (
    add_to_sitting,
    confirm_sitting,
    open_sitting,
    quorum,
    record_attendance,
    record_sitting_decision,
    record_sitting_vote,
    record_township_decision,
)
from safetynet.cases.services.standards import apply_standard_change
from safetynet.cases.services.triage import assign_leads, dismiss_leads
from safetynet.cases.services.verification import (
    attach_verification_results,
    record_verification_results,
    request_case_verification,
)

__all__ = [
    "accept_case",
    "apply_standard_change",
    "assign_leads",
    "add_to_sitting",
    "confirm_sitting",
    "attach_verification_results",
    "decide_change",
    "decide_extension",
    "dismiss_lead",
    "dismiss_leads",
    "file_case",
    "file_lead",
    "import_leads",
    "mark_read",
    "open_sitting",
    "propose",
    "proposal_values",
    "public_status",
    "quorum",
    "raise_lead",
    "record_attendance",
    "record_investigation",
    "record_leading_group_decision",
    "record_objection",
    "record_stop_objection",
    "record_sitting_decision",
    "record_sitting_vote",
    "record_township_decision",
    "record_verification_results",
    "record_village_review",
    "refuse_case",
    "request_case_verification",
    "request_extension",
    "scan_deadlines",
    "submit_public_application",
    "transition_case",
    "upload_attachment",
    "withdraw_case",
]
