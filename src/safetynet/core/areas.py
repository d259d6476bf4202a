"""The county this installation serves, the shipped area data (county and townships) and the shape
of a village entry.

The county code is one setting, `settings.SAFETYNET_COUNTY_CODE` (environment
`SAFETYNET_COUNTY_CODE`, default 141029 乡宁县); code reads it through `configured_county()` and
never writes the code as a literal.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources

DEFAULT_COUNTY = "141029"


@dataclass(frozen=True)
class VillageSpec:
    code: str
    name: str
    township_code: str
    synthetic: bool = True


def validated_county_code(code: str) -> str:
    """A 6-digit county code, else `ImproperlyConfigured` (a misconfigured installation)."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"SAFETYNET_COUNTY_CODE 应为6位县级行政区划代码，而不是 {code!r}")
    return code


def configured_county() -> str:
    """The county code of this installation (the setting; without Django, the environment)."""
    from django.conf import settings

    if settings.configured or os.environ.get("DJANGO_SETTINGS_MODULE"):
        return settings.SAFETYNET_COUNTY_CODE
    return validated_county_code(os.environ.get("SAFETYNET_COUNTY_CODE", DEFAULT_COUNTY))


def county_data(county_code: str | None = None) -> dict:
    county_code = county_code or configured_county()
    text = resources.files("safetynet.registry").joinpath(f"data/areas_{county_code}.json").read_text("utf-8")
    return json.loads(text)
