"""The PDFs' fonts: found on this machine by path, set up for LuaLaTeX, and a clear message
naming the Debian packages when they are missing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import typefaces
from generator.render import RenderError, render
from generator.sets import SetOptions, make_set


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Font folders with nothing in them (the machine's own are not looked at)."""
    monkeypatch.setattr(typefaces, "FONT_FOLDERS", (tmp_path / "fonts",))
    typefaces.find.cache_clear()
    yield
    typefaces.find.cache_clear()


def test_the_fallback_fonts_are_installed_where_debian_puts_them() -> None:
    if not all(folder.is_dir() for folder in typefaces.FONT_FOLDERS[:1]):
        pytest.skip("no system font folder")
    for face in (*typefaces.REGULAR, *typefaces.BOLD):
        path = typefaces.find(face.file)
        assert path is not None, f"{face.file}: install {face.package}"
        assert path.name == face.file and path.is_file()


def test_the_preamble_names_each_fallback_by_a_plain_path() -> None:
    if any(typefaces.find(face.file) is None for face in typefaces.REGULAR):
        pytest.skip("fallback fonts not installed")
    preamble = typefaces.preamble()
    paths = re.findall(r'"\[([^]]*)\]:mode=base;"', preamble)
    assert len(paths) == len(typefaces.REGULAR) + len(typefaces.BOLD)
    assert all(Path(path).is_file() and re.fullmatch(r"[A-Za-z0-9/._+-]+", path)
               for path in paths)
    assert r"\newfontfamily\UserFont" in preamble and "fallback=matcalcregular" in preamble
    assert "Ligatures=TeXOff" in preamble


def test_a_path_tex_or_lua_could_act_on_is_not_used(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    odd = tmp_path / "fonts" / "a\"b}{c"
    odd.mkdir(parents=True)
    (odd / "DejaVuSerif.ttf").write_bytes(b"")
    monkeypatch.setattr(typefaces, "FONT_FOLDERS", (tmp_path / "fonts",))
    typefaces.find.cache_clear()
    try:
        assert typefaces.find("DejaVuSerif.ttf") is None
    finally:
        typefaces.find.cache_clear()


@pytest.mark.usefixtures("no_fonts")
def test_missing_fonts_name_the_debian_packages(tmp_path: Path) -> None:
    with pytest.raises(typefaces.MissingFontsError) as caught:
        typefaces.preamble()
    assert caught.value.packages == ("fonts-dejavu-core", "fonts-wqy-microhei")
    one = make_set(SetOptions(families=("linear_maps",), count=1, seed=1), check=False)
    with pytest.raises(RenderError, match="install fonts-dejavu-core fonts-wqy-microhei"):
        render(one, tmp_path / "out", kinds=("worksheet",))
