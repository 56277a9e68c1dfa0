"""Atomic writes and student ids as file names."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from grader.files import file_name, remove_leftovers, write_atomically


@given(st.lists(st.text(min_size=1, max_size=30), min_size=2, max_size=6, unique=True))
def test_distinct_ids_get_names_distinct_even_ignoring_case(ids: list[str]) -> None:
    names = [file_name(i) for i in ids]
    assert len({n.casefold() for n in names}) == len(ids)
    for name in names:
        assert name not in ("", ".", "..") and "/" not in name and not name.startswith(".")
        assert len(name) <= 90


def test_a_plain_id_is_its_own_name() -> None:
    assert file_name("s001") == "s001" and file_name("ann.lee@uni.example") == "ann.lee@uni.example"


def test_atomic_write_replaces_whole_and_leftovers_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    write_atomically(target, "old")
    write_atomically(target, b"new")
    assert target.read_text() == "new"
    (tmp_path / ".r.json.tmp").write_text("half")
    assert remove_leftovers(tmp_path) == [tmp_path / ".r.json.tmp"]
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
