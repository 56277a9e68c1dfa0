"""What one read of an answer found besides its tree: wrappers stripped and readings to flag.

A student can only trust the echo if it says where the reader made a choice: ``xy`` taken as
``x y``, ``\\sin x^2`` as ``sin(x^2)``, ``[2 x y; 4 y]`` as a column of products, ``$...$``
removed.  The lexer and the builder run inside lark and can't return these, so they record them
on the :class:`ReadingContext` of the parse under way (a context variable: parses in different
threads never share one).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from grader.language import nodes as n
from grader.language.declarations import Declarations


@dataclass(frozen=True)
class Note:
    """One choice the reader made; ``span`` is in the text as typed."""

    kind: str  # "stripped", "split_name", "bare_function", "bracket_products", "abs_bars", ...
    message: str
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class Reading:
    """The typed tree of an answer and the notes that go with its echo."""

    tree: n.Node
    notes: tuple[Note, ...] = ()

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(note.message for note in self.notes)


@dataclass
class ReadingContext:
    """Shared by the stages of one parse: the declarations, the text, and notes so far.

    Positions recorded here are in the grammar's text; the parser maps them back.
    """

    declarations: Declarations
    text: str
    notes: list[Note] = field(default_factory=list)
    #: Spans of functions applied without parentheses (``\\sin x``), and of the function
    #: tokens that start any call: a bare call may only be followed by another call.
    bare_calls: dict[tuple[int, int], str] = field(default_factory=dict)
    call_starts: set[int] = field(default_factory=set)
    #: Spans of ``|...|`` written with bars (not ``abs(...)``).
    bars: set[tuple[int, int]] = field(default_factory=set)

    def note(self, kind: str, message: str, span: tuple[int, int] | None = None) -> None:
        self.notes.append(Note(kind, message, span))


_CURRENT: ContextVar[ReadingContext | None] = ContextVar("matcalc_reading", default=None)


def current() -> ReadingContext | None:
    """The context of the answer being read (None while reading declarations)."""
    return _CURRENT.get()


@contextmanager
def reading(context: ReadingContext) -> Iterator[ReadingContext]:
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)
