"""A staticfiles finder for the generated web font (`webfont.py`).

`collectstatic` (through `list`) and the development and test servers (through `find`) get
`webfont.PATH` from the build cache, building it the first time; a deployed site serves the
collected copy from STATIC_ROOT through WhiteNoise like any other static file.
"""

from __future__ import annotations

import logging

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

from safetynet.web import webfont

log = logging.getLogger(__name__)


def _root():
    root = webfont.built()
    if root is None:
        log.warning("正在生成网页中文字体（首次约需半分钟，此后使用缓存）：%s", webfont.cache_dir())
        root = webfont.build()
    return root


class WebFontFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != webfont.PATH:
            return [] if find_all else None
        found = str(_root() / webfont.PATH)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        yield webfont.PATH, FileSystemStorage(location=str(_root()))
