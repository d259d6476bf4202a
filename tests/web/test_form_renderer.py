"""The form renderer writes Django's input and select widgets itself: the same HTML as Django's
own templates, byte for byte, for every kind of value, attribute and choice."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from safetynet.web.form_renderer import FastWidgets

CHOICES = [("", "全部"), ("a&b", "甲<乙>"), (3, "三"), ("组", [("x", 'X"1'), ("y", mark_safe("<b>Y</b>"))])]


class Everything(forms.Form):
    text = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"placeholder": '名<称>"', "autofocus": True})
    )
    none = forms.CharField(required=False)
    number = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"min": 0, "disabled": False}))
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    email = forms.EmailField(required=False)
    search = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"type": "search", "aria-label": "查询"})
    )
    choice = forms.ChoiceField(
        required=False, choices=CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )
    many = forms.MultipleChoiceField(required=False, choices=CHOICES)
    yes_no = forms.NullBooleanField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))


DATA = [
    {},
    {
        "text": '<script>"x"&y</script>',
        "number": "12",
        "day": "2026-12-05",
        "hidden": "a&b",
        "email": "a@b.cn",
        "search": "王",
        "choice": "a&b",
        "many": ["x", "3"],
        "yes_no": "true",
        "secret": "p&w",
    },
    {"choice": "3", "many": ["y"], "yes_no": "false", "number": "x"},
]


@pytest.mark.parametrize("data", DATA)
def test_each_widget_renders_as_djangos_own_templates_do(data, monkeypatch):
    initial = {"day": dt.date(2026, 1, 2), "none": None}
    fast = Everything(data or None, initial=initial, renderer=FastWidgets())
    slow = Everything(data or None, initial=initial, renderer=DjangoTemplates())
    expected = {name: str(slow[name]) for name in Everything.base_fields}
    through_templates = []
    engine_render = DjangoTemplates.render

    def counted(self, template_name, context, request=None):
        through_templates.append(template_name)
        return engine_render(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", counted)
    for name in Everything.base_fields:
        assert str(fast[name]) == expected[name], name
    assert through_templates == []  # every one of these widgets was written without the engine
    assert str(fast) == str(slow)


def test_widgets_it_does_not_write_still_render_through_the_templates():
    class Other(forms.Form):
        box = forms.BooleanField(required=False)
        radio = forms.ChoiceField(choices=[("1", "一")], widget=forms.RadioSelect)
        area = forms.CharField(widget=forms.Textarea)

    fast, slow = Other(renderer=FastWidgets()), Other(renderer=DjangoTemplates())
    assert str(fast) == str(slow) and 'type="radio"' in str(fast) and "<textarea" in str(fast)
