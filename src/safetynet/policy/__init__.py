"""The policy engine: identification and assistance rules, framework-free.

Nothing here imports Django. The Django layer calls:

- `parse_household(data, on=…)` — validate the JSON contract into a `Household`;
- `load_parameters(region, extra_entries=[…])` / `ParameterSet.load(...)` — the county's dated
  parameters, with officer-entered values appended; `.on(day)` gives the values in force;
- `assess(household, params_on_date)` — one `Assessment` (`.to_json()`, `.to_dict()`), carrying
  `parameters_digest`, `parameters_version` and `rule_set_version` for storage;
- `assess_json(data, on)` — all of the above in one call;
- `assess_batch(HouseholdTable, params_on_date, reasons=…)` — the same rules over a whole register,
  optionally with a `CompactTrace` (a reason code per rule and row).
"""

from safetynet.policy.engine import (
    MONITORING_TYPES,
    RULE_SET_VERSION,
    Assessment,
    BatchAssessment,
    CompactTrace,
    assess,
    assess_batch,
    assess_json,
    dumps,
    evaluate,
    jsonable,
    load_parameters,
)
from safetynet.policy.household import Household, parse_household
from safetynet.policy.params import ParameterError, ParameterSet, ParametersOnDate, ParameterValue
from safetynet.policy.table import HouseholdTable

__all__ = [
    "MONITORING_TYPES",
    "RULE_SET_VERSION",
    "Assessment",
    "BatchAssessment",
    "CompactTrace",
    "Household",
    "HouseholdTable",
    "ParameterError",
    "ParameterSet",
    "ParameterValue",
    "ParametersOnDate",
    "assess",
    "assess_batch",
    "assess_json",
    "dumps",
    "evaluate",
    "jsonable",
    "load_parameters",
    "parse_household",
]
