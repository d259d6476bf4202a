import datetime as dt

import pytest

from safetynet.core.resident_id import InvalidResidentId, make_resident_id, parse_resident_id


def test_valid_xiangning_id_born_before_2000_is_accepted_although_stdnum_rejects_it():
    from stdnum.cn import ric

    number = make_resident_id("141029", dt.date(1964, 11, 12), 361)
    assert not ric.is_valid(number)  # stdnum's county-validity years reject it
    rid = parse_resident_id(number)
    assert rid.region_name == "乡宁县"
    assert rid.birth_date == dt.date(1964, 11, 12)
    assert rid.sex == "M"


def test_even_sequence_digit_is_female():
    assert parse_resident_id(make_resident_id("141029", dt.date(1990, 1, 2), 2)).sex == "F"


def test_check_digit_x_is_accepted_in_either_case():
    for seq in range(200):
        number = make_resident_id("141029", dt.date(1980, 3, 4), seq)
        if number.endswith("X"):
            break
    assert parse_resident_id(number.lower()).number == number


def test_unknown_region_code_with_real_province_is_accepted_unverified_and_never_raises_keyerror():
    number = make_resident_id("149999", dt.date(1980, 1, 1), 11)
    rid = parse_resident_id(number)
    assert rid.region_name is None and not rid.region_verified


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("14102919800101001", "18位"),
        ("1410291980010100AX", "前17位应为数字"),
        (make_resident_id("991029", dt.date(1980, 1, 1), 1), "地区码"),
        ("141029198002300011", "不是有效日期"),
        (make_resident_id("141029", dt.date(1880, 1, 1), 1), "不合理"),
    ],
)
def test_invalid_ids_name_the_problem(number, fragment):
    with pytest.raises(InvalidResidentId) as err:
        parse_resident_id(number, field="members[0].id_number")
    assert fragment in err.value.message
    assert err.value.field == "members[0].id_number"


def test_wrong_check_digit_is_refused():
    good = make_resident_id("141029", dt.date(1980, 1, 1), 1)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(InvalidResidentId, match="校验位"):
        parse_resident_id(bad)


def test_future_birth_date_is_refused():
    number = make_resident_id("141029", dt.date(2030, 1, 1), 1)
    with pytest.raises(InvalidResidentId, match="不合理"):
        parse_resident_id(number, today=dt.date(2026, 12, 1))
