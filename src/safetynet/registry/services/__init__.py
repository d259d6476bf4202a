"""Writes to the registry, split by concern:

- `households`: create and edit households, persons and their membership; reveal a person.
- `changes`: 家庭变化, every change of a family over time (change of head, a member leaves or
  joins, split and merge), each dated, reasoned, audited and announced.
- `hooks`: the `household_changed` signal the layers above listen to.
"""

from safetynet.registry.inputs import MembershipInput, PersonInput
from safetynet.registry.services.changes import change_head, record_join, record_leave
from safetynet.registry.services.hooks import household_changed, open_case_probes
from safetynet.registry.services.households import (
    FACT_COUNTS,
    FACT_MONEY,
    MASKERS,
    RISK_EVENTS,
    MemberInput,
    add_member,
    create_household,
    end_membership,
    reveal_person,
    update_household,
    update_household_facts,
    update_member,
)
from safetynet.registry.services.restructure import Mover, merge_households, split_household

__all__ = [
    "FACT_COUNTS",
    "FACT_MONEY",
    "MASKERS",
    "RISK_EVENTS",
    "MemberInput",
    "MembershipInput",
    "PersonInput",
    "Mover",
    "change_head",
    "household_changed",
    "merge_households",
    "open_case_probes",
    "record_join",
    "record_leave",
    "split_household",
    "add_member",
    "create_household",
    "end_membership",
    "reveal_person",
    "update_household",
    "update_household_facts",
    "update_member",
]
