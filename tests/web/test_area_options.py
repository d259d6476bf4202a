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


def test_the_area_choices_of_a_reach_come_from_one_query_with_their_parents_names(
    users, django_assert_num_queries
):
    from safetynet.registry.selectors import area_choices_visible_to

    with django_assert_num_queries(1):
        choices = area_choices_visible_to(users["county_civil"])
    codes = [c.code for c in choices]
    assert codes == sorted(codes) and codes[0] == "141029"
    by_pk = {c.pk: c for c in choices}
    villages = [c for c in choices if c.level == Area.Level.VILLAGE]
    assert villages and all(c.parent_name == by_pk[c.parent_id].name for c in villages)
    # The one a query names becomes the model instance of that row.
    chosen = villages[0].instance()
    assert isinstance(chosen, Area) and chosen == Area.objects.get(code=villages[0].code)
    assert (chosen.code, chosen.name, chosen.parent_id) == (
        villages[0].code,
        villages[0].name,
        villages[0].parent_id,
    )
    # A village officer's township is out of reach: its name comes from one more query.
    officer = users["village_officer"]
    with django_assert_num_queries(2):
        (own,) = area_choices_visible_to(officer)
    assert own.parent_name == officer.area.parent.name != ""
    html = area_options([own], own.code)
    assert f"{own.parent_name} {own.name}" in html and "selected" in html
