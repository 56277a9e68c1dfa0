"""Prompts and steps split into text and math for the page."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from web.student.prose import Piece, pieces


def test_math_and_text_alternate() -> None:
    assert pieces(r"Find $\partial f / \partial \mathbf{x}$ of $f = x$ (Parr \& Howard).") == (
        Piece("text", "Find "), Piece("math", r"\partial f / \partial \mathbf{x}"),
        Piece("text", " of "), Piece("math", "f = x"), Piece("text", " (Parr & Howard)."))


def test_an_unclosed_dollar_stays_text() -> None:
    assert pieces("costs $5") == (Piece("text", "costs $5"),)


@given(st.text(alphabet=st.characters(blacklist_characters="$\\~-")))
def test_text_without_math_is_one_piece(text: str) -> None:
    assert pieces(text) == ((Piece("text", text),) if text else ())
