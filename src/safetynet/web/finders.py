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
    """The cache root holding the font, built if need be; None if it cannot be built here (an
    unwritable cache): the pages then fall back to the device's fonts, the site still starts."""
    root = webfont.built()
    if root is None:
        log.warning("正在生成网页中文字体（首次约需半分钟，此后使用缓存）：%s", webfont.cache_dir())
        try:
            root = webfont.build()
        except OSError as err:
            log.error("无法生成网页中文字体（%s）；页面将使用设备自带字体", err)
            return None
    return root


class WebFontFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        root = _root() if path == webfont.PATH else None
        if root is None:
            return [] if find_all else None
        found = str(root / webfont.PATH)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        root = _root()
        if root is not None:
            yield webfont.PATH, FileSystemStorage(location=str(root))
