"""Browser-test fixtures: letting Django flush the database after a transactional test.

A transactional test (the live server needs one) ends with Django emptying every table, and the
audit trail's append-only triggers refuse exactly that. `flushable_audit_trail` lifts the
triggers for that flush only and puts them back as soon as it is done (flush sends
`post_migrate` when it finishes), so no later test runs without them.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from django.db import connection
from django.db.models.signals import post_migrate

_triggers = importlib.import_module("safetynet.audit.migrations.0002_append_only_triggers")
_UID = "safetynet-tests-restore-audit-triggers"

CHROMIUM = Path("/usr/bin/chromium")
NEEDS_CHROMIUM = "needs Debian's chromium: apt-get install chromium"


def chromium_or_skip() -> Path:
    """Debian's Chromium (never `playwright install`): without it the browser tests skip, naming
    what to install, unless SAFETYNET_REQUIRE_BROWSER=1 (CI), where they fail."""
    if not CHROMIUM.exists():
        if os.environ.get("SAFETYNET_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{NEEDS_CHROMIUM} (SAFETYNET_REQUIRE_BROWSER=1)")
        pytest.skip(NEEDS_CHROMIUM)
    return CHROMIUM


def _set_audit_triggers(enabled: bool) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE audit_auditrecord {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
        elif enabled:
            for sql in _triggers.SQLITE:
                cur.execute(sql)
        else:
            for sql in _triggers.SQLITE_REVERSE:
                cur.execute(sql.replace("DROP TRIGGER", "DROP TRIGGER IF EXISTS"))


@pytest.fixture
def flushable_audit_trail(transactional_db):
    yield

    def restore(**kwargs):
        post_migrate.disconnect(dispatch_uid=_UID)
        _set_audit_triggers(True)

    _set_audit_triggers(False)
    post_migrate.connect(restore, weak=False, dispatch_uid=_UID)
