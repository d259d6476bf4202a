"""The form renderer (FORM_RENDERER): Django's own, with its plainest widget templates written in
Python.

Every list page has a filter form, and Django renders each widget through the template engine: a
`<select>` includes one template per option and an attribute template per element, so a form of
five fields costs a few milliseconds of a page's time. The templates below are Django's own
(`django/forms/widgets/`: `input.html` and those that only include it, `select.html`,
`select_option.html`, `attrs.html`), written out with the same escaping and spacing; any other
template, or one a project template would override, goes through the engine as before.
`tests/web/test_form_renderer.py` renders widgets both ways and compares them.
"""

from __future__ import annotations

from pathlib import Path

import django
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.html import conditional_escape

DJANGO_DIR = str(Path(django.__file__).parent)

_INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time")
    + ("search", "tel", "color")
}
INPUT = "django/forms/widgets/input.html"
SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _text(value) -> str:
    """`{{ value|stringformat:'s' }}` (and `{{ value }}` of a string), autoescaped."""
    return str(conditional_escape(value if isinstance(value, str) else str(value)))


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{_text(value)}"'
        )
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option: dict) -> str:
    return f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{conditional_escape(option["label"])}</option>'


def _select(widget: dict) -> str | None:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _ in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None
            out.append(f"\n  {_option(option)}\n")  # the option template ends with a newline
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class FastWidgets(DjangoTemplates):
    @cached_property
    def _django_own(self) -> dict[str, bool]:
        return {}

    def _own(self, template_name: str) -> bool:
        """Whether the template is Django's own file (not one a project template overrides)."""
        own = self._django_own.get(template_name)
        if own is None:
            origin = self.engine.get_template(template_name).origin.name
            own = self._django_own[template_name] = str(origin).startswith(DJANGO_DIR)
        return own

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if (
            widget is not None
            and (template_name in _INPUTS or template_name == SELECT)
            and self._own(template_name)
        ):
            if template_name in _INPUTS:
                if self._own(INPUT):
                    return _input(widget)
                return super().render(template_name, context, request)
            html = _select(widget) if self._own(OPTION) else None
            if html is not None:
                return html
        return super().render(template_name, context, request)
