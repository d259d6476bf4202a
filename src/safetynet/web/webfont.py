"""The pages' Chinese web font: Noto Sans CJK SC, subset and served from our own static files.

A phone or office computer has a Chinese system font and uses it (`site.css` names the system
fonts first, and the `@font-face` tries `local()` faces before the file). A browser without one —
Debian's Chromium in CI, a bare Linux desk — would draw boxes ("tofu"); for it the page offers
this face, `FAMILY`, limited by `unicode-range` to CJK, so Latin text never fetches it.

The glyphs come from the PyPI package `noto-cjk-sans-otc` (as `cases/pdf.py`'s do; SIL OFL 1.1,
which allows subsetting and serving), cut with fontTools to GB 2312's characters plus every CJK
character our own sources contain (labels, templates, sentences), and written as WOFF2 (about
2 MB). Building takes about half a minute, so the result is cached by what it is made from (font,
fontTools version, character set) under `SAFETYNET_CACHE_DIR` (default ~/.cache/safetynet);
`finders.WebFontFinder` hands it to `collectstatic` and to the development servers at `PATH`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path

FAMILY = "SN Noto Sans SC"
PATH = "web/fonts/noto-sans-sc.woff2"  # the static path site.css points at
SC_INDEX = 2  # Noto Sans CJK collection: JP, KR, SC, TC, HK, then the Mono faces
# The code points the face is offered for (site.css's unicode-range says the same).
CJK_RANGES = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x303F),  # CJK punctuation: 、。〔〕「」
    (0x3200, 0x32FF),  # enclosed CJK
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms: （），：；
)
_SOURCES = (".py", ".html", ".yaml", ".js", ".txt")


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in CJK_RANGES)


def _gb2312() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


@cache
def charset() -> str:
    """The characters the face carries: GB 2312 and every CJK character of our own sources."""
    chars = _gb2312()
    root = Path(__file__).resolve().parents[1]  # the safetynet package
    for path in root.rglob("*"):
        if path.suffix in _SOURCES and path.is_file():
            chars |= set(path.read_text(encoding="utf-8", errors="ignore"))
    return "".join(sorted(c for c in chars if is_cjk(c)))


def _source_font() -> Path:
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def cache_dir() -> Path:
    base = os.environ.get("SAFETYNET_CACHE_DIR") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "safetynet"
    )
    key = hashlib.sha256(
        "|".join(
            [
                version("noto-cjk-sans-otc"),
                version("fonttools"),
                str(_source_font().stat().st_size),
                charset(),
            ]
        ).encode()
    ).hexdigest()[:16]
    return Path(base) / f"webfont-{key}"


def built() -> Path | None:
    """The cached font file's root (holding `PATH`), or None while it is not built."""
    root = cache_dir()
    return root if (root / PATH).is_file() else None


def build() -> Path:
    """Build the font into the cache unless it is there; returns the root that holds `PATH`."""
    root = built()
    if root is not None:
        return root
    from fontTools import subset
    from fontTools.ttLib import TTFont

    root = cache_dir()
    target = root / PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    font = TTFont(str(_source_font()), fontNumber=SC_INDEX)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # vertical forms, locl, kerning of the CJK punctuation
    options.name_IDs = ["*"]  # the licence and copyright notices travel with the font
    options.name_legacy = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=charset())
    subsetter.subset(font)
    # Written aside and moved in one step: a concurrent build or reader never sees half a file.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as part:
        subset.save_font(font, part, options)
    os.replace(part.name, target)
    return root
