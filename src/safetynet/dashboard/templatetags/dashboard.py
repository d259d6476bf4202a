"""`{% drill n url %}`: a dashboard number, linked to the list behind it when there is a link
(a tag, not an include: the page shows several hundred numbers)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def drill(n, url=""):
    if url:
        return format_html('<a href="{}" class="drill">{}</a>', url, n)
    return format_html("{}", n)
