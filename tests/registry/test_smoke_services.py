from tests.conftest import VILLAGE_A, member


def test_create_household_stores_members_and_head(make_household):
    h = make_household(VILLAGE_A, members=[member("head"), member("spouse", name="李红", birth=__import__("datetime").date(1972, 3, 1))])
    assert h.head.name == "张小明"
    assert h.memberships.count() == 2
