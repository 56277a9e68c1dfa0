"""The fonts the PDFs are set in: Latin Modern for the text, Debian's fonts for other scripts.

Names and course titles come in any script.  LuaLaTeX sets the text in Latin Modern (the face
pdfLaTeX used); in user text (``\\UserText``) luaotfload's font fallback takes every character
Latin Modern lacks from DejaVu Serif (Greek, Cyrillic, Vietnamese and other Latin letters,
typographic punctuation) or, failing that, from WenQuanYi Micro Hei (Chinese, Japanese, Korean).
The rest of the text, our own, is set in base mode, about twice as fast.  The fallback faces are
named by their path, found here in the system's font folders, so no font name database has to be
built or searched.  TeX's input ligatures are off, so ``'``, ``--`` or ``<<`` in a name print as
typed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from grader.exercise_set import ExerciseSetError

#: Where Debian's font packages (and a local installation) put their files.
FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


@dataclass(frozen=True)
class Typeface:
    """A font file that a Debian package installs, and the characters it is there for."""

    file: str
    package: str
    covers: str


#: Fallbacks in the order they are tried, for upright and for bold text.
REGULAR = (
    Typeface("DejaVuSerif.ttf", "fonts-dejavu-core", "Greek, Cyrillic, Latin, punctuation"),
    Typeface("wqy-microhei.ttc", "fonts-wqy-microhei", "Chinese, Japanese, Korean"),
)
BOLD = (
    Typeface("DejaVuSerif-Bold.ttf", "fonts-dejavu-core", "Greek, Cyrillic, Latin, punctuation"),
    Typeface("wqy-microhei.ttc", "fonts-wqy-microhei", "Chinese, Japanese, Korean"),
)
PACKAGES = tuple(dict.fromkeys(face.package for face in (*REGULAR, *BOLD)))

#: A path that goes into LuaLaTeX's source as it is: no TeX or Lua special character in it.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/._+-]+")


class MissingFontsError(ExerciseSetError):
    """Some fallback fonts are not installed; ``packages`` are the Debian packages to add."""

    def __init__(self, packages: tuple[str, ...]) -> None:
        super().__init__(f"fonts missing: install {' '.join(packages)}")
        self.packages = packages


@functools.cache
def find(file: str) -> Path | None:
    """The installed font file of that name, or None."""
    for folder in FONT_FOLDERS:
        if folder.is_dir():
            for path in sorted(folder.rglob(file)):
                if path.is_file() and _PLAIN_PATH.fullmatch(str(path)):
                    return path
    return None


def preamble() -> str:
    """The LaTeX that sets up the text fonts (for LuaLaTeX, after ``\\documentclass``) and
    defines ``\\UserText{…}``, the font for names and titles.

    Math stays in Latin Modern's Type 1 fonts, as under pdfLaTeX (``no-math``).
    """
    missing = tuple(dict.fromkeys(face.package for face in (*REGULAR, *BOLD)
                                  if find(face.file) is None))
    if missing:
        raise MissingFontsError(missing)
    lines = [
        r"\usepackage{lmodern}",
        r"\usepackage[no-math]{fontspec}",
        _fallback("matcalcregular", REGULAR),
        _fallback("matcalcbold", BOLD),
        # Our own text, in Latin Modern's base mode: TeX's built-in ligatures and kerning,
        # without the per-glyph Lua pass that node mode (and so the fallback) costs.
        r"\setmainfont{lmroman10-regular.otf}[Renderer=Base, Ligatures=TeXOff,",
        r"  BoldFont=lmroman10-bold.otf, ItalicFont=lmroman10-italic.otf,",
        r"  BoldItalicFont=lmroman10-bolditalic.otf]",
        # User text (\UserText{...}): the same face in node mode, with the fallback fonts.
        r"\newfontfamily\UserFont{lmroman10-regular.otf}[Ligatures=TeXOff,",
        r"  BoldFont=lmroman10-bold.otf, ItalicFont=lmroman10-italic.otf,",
        r"  BoldItalicFont=lmroman10-bolditalic.otf,",
        r"  UprightFeatures={RawFeature={fallback=matcalcregular}},",
        r"  ItalicFeatures={RawFeature={fallback=matcalcregular}},",
        r"  BoldFeatures={RawFeature={fallback=matcalcbold}},",
        r"  BoldItalicFeatures={RawFeature={fallback=matcalcbold}}]",
        r"\DeclareRobustCommand{\UserText}[1]{{\UserFont #1}}",
        # The math fonts (Type 1) get a ToUnicode map from their glyph names, as pdfTeX's do,
        # so that symbols outside a copyable formula (the notation box's ⊙) extract as text.
        r"\protected\def\pdfglyphtounicode{\pdfextension glyphtounicode}",
        r"\input{glyphtounicode}",
        r"\pdfvariable gentounicode=1",
    ]
    return "\n".join(lines)


def _fallback(name: str, faces: tuple[Typeface, ...]) -> str:
    paths = ", ".join(f'"[{find(face.file)}]:mode=base;"' for face in faces)
    return f"\\directlua{{luaotfload.add_fallback('{name}', {{{paths}}})}}"
