"""The county code is one setting (`SAFETYNET_COUNTY_CODE`), read through `core.areas`, never a
literal in the code."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from safetynet.core.areas import DEFAULT_COUNTY, configured_county, county_data, validated_county_code
from safetynet.core.errors import ValidationFailed

SRC = Path(__file__).resolve().parents[2] / "src" / "safetynet"
# Where the code may be written: the default itself, and an example ID in the API documentation.
ALLOWED = {SRC / "core" / "areas.py", SRC / "api" / "schemas.py"}
# The cases app is changed on its own branch (see the report of the parameter work).


def test_the_default_county_is_the_setting(settings):
    assert settings.SAFETYNET_COUNTY_CODE == DEFAULT_COUNTY == configured_county() == "141029"
    assert county_data()["county"]["code"] == "141029"


@pytest.mark.django_db
def test_the_helper_follows_the_setting(settings):
    from safetynet.verification.comparison import rule_params

    settings.SAFETYNET_COUNTY_CODE = "140000"
    assert configured_county() == "140000"
    with pytest.raises(ValidationFailed) as error:
        rule_params(dt.date(2026, 6, 1))  # no parameter file for that county
    assert error.value.code == "unknown_region"


@pytest.mark.parametrize("code", ["", "14102", "1410290", "14102x"])
def test_a_bad_county_code_is_a_configuration_error(code):
    with pytest.raises(ImproperlyConfigured):
        validated_county_code(code)


def test_no_county_code_literal_in_the_code():
    literal = re.compile(r"""["']141029""")
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and path not in ALLOWED
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if literal.search(line) and not line.lstrip().startswith('"""')  # a docstring may name it
    ]
    assert found == []
