"""The province loader's initials, a character at a time, equal `name_initials` of the whole name
for every name the demo generator can draw (a surname and one or two given-name characters)."""

from safetynet.demo.generate import FEMALE_CHARS, MALE_CHARS, SURNAMES
from safetynet.demo.province_rows import _initials
from safetynet.registry.inputs import name_initials


def test_initials_by_character_equal_the_whole_names_for_every_generated_name():
    checked = 0
    for chars in (MALE_CHARS, FEMALE_CHARS):
        for surname in SURNAMES:
            for first in chars:
                for second in ["", *chars]:
                    name = surname + first + second
                    assert _initials(name) == name_initials(name), name
                    checked += 1
    assert checked == len(SURNAMES) * (
        len(MALE_CHARS) * (len(MALE_CHARS) + 1) + len(FEMALE_CHARS) * (len(FEMALE_CHARS) + 1)
    )


def test_a_name_is_cut_to_the_columns_width_like_name_initials():
    name = "王" * 40
    assert _initials(name) == name_initials(name) == "w" * 32
