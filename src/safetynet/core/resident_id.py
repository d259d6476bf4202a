"""居民身份证号码 (GB 11643-1999): 18 digits, region, birth date, sequence (odd = male), MOD 11-2.

`python-stdnum`'s `cn.ric` checks the digits, but its region check rejects real numbers: it
compares the birth year against the years a county code was in use (141029 乡宁县 is listed as
"[2000-]", so everyone born there before 2000 fails) and raises KeyError on codes whose entry
lacks a county. This wrapper uses stdnum for the check digit and the region table, and never
raises anything but `InvalidResidentId`: a region code stdnum does not know is accepted when its
province prefix is real, and reported as unverified.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stdnum import numdb
from stdnum.cn import ric

from safetynet.core.errors import ValidationFailed

# GB/T 2260 province-level prefixes.
PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
}
EARLIEST_BIRTH = dt.date(1890, 1, 1)


class InvalidResidentId(ValidationFailed):
    default_code = "invalid_id_number"


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    region_name: str | None  # None: the code is not in stdnum's table (newer codes); province checked only
    birth_date: dt.date
    sex: str  # "M" or "F"

    @property
    def region_verified(self) -> bool:
        return self.region_name is not None


def _region_name(code: str) -> str | None:
    try:
        parts = numdb.get("cn/loc").info(code)
    except Exception:  # stdnum's table lookups are not part of its API contract
        return None
    info = {k: v for _, props in parts for k, v in props.items()}
    county = info.get("county")
    if not county:
        return None
    # "[2000-]乡宁县,[1990-1999]…": any name the code ever had counts.
    return county.split(",")[0].split("]")[-1] or None


def parse_resident_id(raw: str, *, field: str = "id_number", today: dt.date | None = None) -> ResidentId:
    """Validate an 18-digit resident ID and read its region, birth date and sex."""
    if raw is None:
        raise InvalidResidentId("请填写身份证号码。", field=field)
    number = ric.compact(str(raw))
    if len(number) != 18:
        raise InvalidResidentId(f"身份证号码应为18位，现为{len(number)}位。", field=field)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidResidentId("身份证号码前17位应为数字，末位为数字或X。", field=field)
    if number[:2] not in PROVINCES:
        raise InvalidResidentId(f"身份证号码地区码{number[:6]}不存在。", field=field)
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidResidentId(f"身份证号码中的出生日期{number[6:14]}不是有效日期。", field=field) from None
    if birth < EARLIEST_BIRTH or birth > (today or dt.date.today()):
        raise InvalidResidentId(f"身份证号码中的出生日期{birth.isoformat()}不合理。", field=field)
    if ric.calc_check_digit(number) != number[17]:
        raise InvalidResidentId("身份证号码校验位错误，请核对。", field=field)
    return ResidentId(
        number=number,
        region_code=number[:6],
        region_name=_region_name(number[:6]),
        birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
    )


def make_resident_id(region: str, birth: dt.date, sequence: int) -> str:
    """Build a valid ID (for synthetic data and tests): region 6 digits, sequence 0–999."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")
