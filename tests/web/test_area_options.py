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
