"""What a family change means above the registry is not the registry's to say: it announces the
change and the layers above (entitlements, cases) decide.

`household_changed` is sent once per change, after the change's transaction has committed (so a
receiver never sees a change that was rolled back), with keyword arguments:

- `household`: the `Household` changed (for a split, the original one; for a merge, the one the
  members joined),
- `kind`: a `ChangeKind` code (`death`, `birth`, `head_change`, `split`, …),
- `date`: the date the change took effect (`datetime.date`),
- `reason`: the reason as recorded in the audit trail,
- `actor`: the `audit.services.Actor` who made it,
- `related`: the other household of a split or merge (the new, or the closed one), else None,
- `persons`: the ids of the persons the change concerns.

`open_case_probes` is the reverse question, asked inside the transaction: "is a case open on this
household?". The registry may not import cases, so cases registers a function here (cases/apps.py);
its answer is written into the change's audit record (changes to a household with an open case are
allowed, and recorded). `village_followers` likewise, inside the transaction that moves a household
to another village: the layers above that keep the household's village with their rows follow it.

The change is already stored when receivers run: a receiver that fails is logged (ERROR) and the
others still run; the user's request is not turned into an error for a change that succeeded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

household_changed = Signal()

# Each probe: household id -> ids of the cases open on it.
open_case_probes: list[Callable[[int], list[int]]] = []

# Each follower: (household id, new village id), called inside the transaction that moves a
# household to another village, for rows above the registry that keep the household's village
# (entitlements/apps.py).
village_followers: list[Callable[[int, int], None]] = []


def open_cases(household_id: int) -> list[int]:
    found: list[int] = []
    for probe in open_case_probes:
        found.extend(probe(household_id))
    return sorted(set(found))


def announce(*, household, kind: str, date, reason: str, actor, related=None, persons=()) -> None:
    """Send `household_changed` when the current transaction commits (at once outside one)."""
    persons = list(persons)

    def send():
        answers = household_changed.send_robust(
            sender=type(household),
            household=household,
            kind=kind,
            date=date,
            reason=reason,
            actor=actor,
            related=related,
            persons=persons,
        )
        for receiver, answer in answers:
            if isinstance(answer, Exception):
                logger.error(
                    "household_changed receiver %r failed for household %s (%s)",
                    receiver,
                    household.pk,
                    kind,
                    exc_info=answer,
                )

    transaction.on_commit(send)
