"""Leads and the single procedure: `/api/v1/leads…`, `/api/v1/cases…`, `/api/v1/inbox`.

A shell over `cases.services` and `cases.selectors`: parse, call, render. A case outside the
caller's area is a 404 exactly like a missing one; a stale `version` is a 409 `stale_version`;
a guard that refuses is a 400 whose `code` says which (`consent_missing`, `notice_too_short`…).
Every endpoint declares its response shape (`schemas`), so the OpenAPI document describes it.

One module per part of the procedure, all mounted on `router`: `leads`; `procedure` (cases and
their transitions); `steps` (investigation, materials, verification, village review); `decision`;
`notices` (objections and filing); `deadlines` (extensions, messages, inbox). Operations of one
path stay in one module (ninja serves a path from the router that declares it first).
"""

from __future__ import annotations

from ninja import Router

from safetynet.api.cases import deadlines, decision, leads, notices, procedure, standards, steps

router = Router()
for _module in (leads, procedure, steps, decision, notices, deadlines, standards):
    for _path in _module.router.path_operations.values():
        for _op in _path.operations:
            # The operation ids the document had when this was one module, so generated clients
            # keep their method names.
            _op.operation_id = _op.operation_id or f"safetynet_api_cases_{_op.view_func.__name__}"
    router.add_router("", _module.router)
