"""`{% area_options %}`: one option per area, villages with their township's name, the chosen one
selected, names escaped."""

from __future__ import annotations

from safetynet.registry.models import Area
from safetynet.web.templatetags.safetynet_web import area_options


def test_villages_show_their_township_the_chosen_one_is_selected_and_names_are_escaped():
    town = Area(pk=1, code="141029100", name="昌宁<镇>", level=Area.Level.TOWNSHIP)
    a = Area(pk=2, code="141029100001", name="东关村", level=Area.Level.VILLAGE, parent=town)
    b = Area(pk=3, code="141029100002", name="西关&村", level=Area.Level.VILLAGE, parent=town)
    html = area_options([a, b], "141029100002")
    assert html == (
        '<option value="141029100001">昌宁&lt;镇&gt; 东关村</option>'
        '<option value="141029100002" selected>昌宁&lt;镇&gt; 西关&amp;村</option>'
    )
    assert area_options([town], None) == '<option value="141029100">昌宁&lt;镇&gt;</option>'


def test_the_area_tree_of_a_reach_holds_parents_in_reach_from_one_query(users, django_assert_num_queries):
    from safetynet.registry.selectors import area_tree_visible_to

    county_user, town_user = users["county_civil"], users["township_clerk"]
    with django_assert_num_queries(1):
        areas = area_tree_visible_to(county_user)
        shown = [(a.code, a.parent.code if a.level != Area.Level.COUNTY else None) for a in areas]
    assert [c for c, _ in shown] == sorted(c for c, _ in shown)
    villages = {c: p for c, p in shown if len(c) == 12}
    assert villages and all(p == c[:9] for c, p in villages.items())  # each village under its township
    # A township's reach: its own villages, the township's parent (the county) not in it.
    town = area_tree_visible_to(town_user)
    assert {a.code[:9] for a in town} == {town_user.area.code}
    assert all(a.parent_id == town_user.area.pk for a in town if a.level == Area.Level.VILLAGE)
