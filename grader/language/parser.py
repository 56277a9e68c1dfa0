"""Text to typed expression: normalise, lex, parse and build, then type-check.

No ``eval``, ``sympify`` or ``parse_expr`` anywhere on the way: the text only ever meets the
grammar, and every name it uses must be declared or built in.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from grader.errors import ParseError
from grader.language import nodes as n
from grader.language.builder import FUNCTION_NAMES, Builder
from grader.language.declarations import Declarations, build_declarations
from grader.language.lexing import TokenStream
from grader.language.limits import DEFAULT_LIMITS, Limits
from grader.language.normalize import Normalized, normalize
from grader.language.reading import Note, Reading, ReadingContext, reading
from grader.language.shapes import Shape
from grader.language.typecheck import check
from grader.language.wrappers import strip_wrappers

_FORBIDDEN_COMMANDS = ("input", "include", "write", "immediate", "openin", "openout", "read",
                       "def", "let", "catcode", "csname", "usepackage", "special")
_TOKEN_NAMES = {
    "$END": "the end of the answer", "RPAR": "')'", "RBRACK": "']'", "RBRACE": "'}'",
    "COMMA": "','", "SEMI": "';'", "AMP": "'&'", "ROWSEP": "'\\\\'",
}


@functools.lru_cache(maxsize=4)
def _lark(limits: Limits) -> Lark:
    grammar = resources.files("grader.language").joinpath("grammar.lark").read_text("utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="basic",
        postlex=TokenStream(),
        transformer=Builder(limits),
        start=["start", "declarations"],
    )


def parse(
    text: str,
    given: str | Declarations = "",
    *,
    limits: Limits = DEFAULT_LIMITS,
    expected: Shape | None = None,
) -> n.Node:
    """The typed expression tree of ``text``; raises :class:`ParseError` with a caret.

    ``expected``: the shape the answer should have, used only to size a bare ``I``, ``\\mathbf{1}``
    or ``\\mathbf{0}`` that nothing else in the text sizes.
    """
    return read(text, given, limits=limits, expected=expected).tree


def read(
    text: str,
    given: str | Declarations = "",
    *,
    limits: Limits = DEFAULT_LIMITS,
    expected: Shape | None = None,
) -> Reading:
    """Like :func:`parse`, with the notes for the echo: what was stripped, what was flagged."""
    if not isinstance(text, str):
        raise ParseError("an answer must be text", code="syntax")
    declarations = given if isinstance(given, Declarations) else parse_declarations(given, limits)
    if len(text) <= _CACHED_LENGTH:
        return _parse_cached(text, declarations, limits, expected)
    return _parse(text, declarations, limits, expected)


#: Texts up to this long are cached: a class types the same short answers many times, and the
#: generator re-reads its own keys.  Trees are immutable, so sharing them is safe.
_CACHED_LENGTH = 400


@functools.lru_cache(maxsize=8192)
def _parse_cached(text: str, declarations: Declarations, limits: Limits,
                  expected: Shape | None) -> Reading:
    return _parse(text, declarations, limits, expected)


def clear_cache() -> None:
    """Forget cached parses (benchmarks and timing tests measure the work itself)."""
    _parse_cached.cache_clear()


def _parse(text: str, declarations: Declarations, limits: Limits,
           expected: Shape | None) -> Reading:
    normalized = _normalize(text, limits)
    if not normalized.text.strip():
        raise ParseError("the answer is empty", text=text, code="syntax")
    normalized, stripped = strip_wrappers(normalized)
    if not normalized.text.strip():
        raise ParseError("the answer is empty", text=text, code="syntax")
    context = ReadingContext(declarations, normalized.text)
    try:
        with reading(context):
            tree: n.Node = _lark(limits).parse(normalized.text, start="start")  # type: ignore[assignment]
            if tree.depth > limits.max_depth:
                raise ParseError(
                    f"the expression is nested too deeply (the limit is {limits.max_depth} "
                    "levels)",
                    position=0, code="limit",
                )
            typed = check(tree, declarations, limits, expected, context)
        notes = dict.fromkeys([*stripped, *(_note_in_original(note, normalized)
                                            for note in context.notes)])
        return Reading(typed, tuple(notes))
    except ParseError as problem:
        raise _in_original(problem, text, normalized) from None
    except UnexpectedInput as problem:
        raise _in_original(_explain(problem, normalized.text), text, normalized) from None


def parse_declarations(given: str, limits: Limits = DEFAULT_LIMITS) -> Declarations:
    """``"x[n], A[n,n], b"`` to :class:`Declarations`."""
    if not isinstance(given, str):
        raise ParseError("declarations must be text", code="declaration")
    return _declarations(given, limits)


@functools.lru_cache(maxsize=256)
def _declarations(given: str, limits: Limits) -> Declarations:
    normalized = _normalize(given, limits)
    if not normalized.text.strip():
        return Declarations()
    try:
        items: Any = _lark(limits).parse(normalized.text, start="declarations")
        return build_declarations(
            normalized.text, items, max_dimension=limits.max_dimension,
            function_names=FUNCTION_NAMES,
        )
    except ParseError as problem:
        raise _in_original(problem, given, normalized, code="declaration") from None
    except UnexpectedInput as problem:
        explained = _explain(problem, normalized.text)
        explained.message = f"can't read the declarations: {explained.message}; " \
            "write them like x[n], A[m,n], b"
        raise _in_original(explained, given, normalized, code="declaration") from None


def _normalize(text: str, limits: Limits) -> Normalized:
    try:
        return normalize(text, limits)
    except ParseError as problem:
        problem.text = text
        raise


def _note_in_original(note: Note, normalized: Normalized) -> Note:
    if note.span is None:
        return note
    start, end = note.span
    return Note(note.kind, note.message,
                (normalized.to_original(start), normalized.to_original(max(start, end - 1)) + 1))


def _in_original(
    problem: ParseError, text: str, normalized: Normalized, code: str | None = None
) -> ParseError:
    position = problem.position
    end = problem.end
    return ParseError(
        problem.message,
        text=text,
        position=None if position is None else normalized.to_original(position),
        end=None if end is None or end <= 0 else normalized.to_original(end - 1) + 1,
        code=code or problem.code,
    )


def _explain(problem: UnexpectedInput, text: str) -> ParseError:
    """A plain message for what lark found unexpected."""
    position = problem.pos_in_stream if problem.pos_in_stream is not None else len(text)
    if isinstance(problem, UnexpectedCharacters):
        command = re.match(r"\\([A-Za-z]+)", text[position:])
        if command:
            name = command.group(1)
            why = "is not allowed" if name.startswith(_FORBIDDEN_COMMANDS) else "is not known"
            if name in ("partial", "nabla"):
                why = "belongs only in a left-hand side such as \\partial f/\\partial x = ..."
            return ParseError(f"the LaTeX command \\{name} {why}", position=position,
                              end=position + len(command.group(0)), code="syntax")
        char = text[position]
        hint = ""
        if char == ".":
            hint = " (element-wise operators are .* ./ .^ and .T is a transpose)"
        elif char == "=":
            hint = ("; an answer is an expression: write only the right-hand side (a left-hand "
                    "side naming the derivative, such as df/dx =, is ignored)")
        return ParseError(f"unexpected character '{char}'{hint}", position=position,
                          code="syntax")
    if isinstance(problem, UnexpectedToken):
        token: Token = problem.token
        if token.type == "$END":
            return ParseError("the answer ends too soon: something is missing at the end",
                              position=len(text.rstrip()), code="syntax")
        expected = sorted(_TOKEN_NAMES[e] for e in problem.expected if e in _TOKEN_NAMES)
        value = " ".join(str(token.value).split())
        hint = ""
        if token.type == "COMMA":
            hint = "; commas separate matrix entries [a, b] and function arguments max(0, z)"
        elif token.type == "SUB":
            hint = "; a name can't start with _"
        elif expected and len(expected) <= 3:
            hint = f"; expected {' or '.join(expected)}"
        end = token.end_pos if token.end_pos is not None else position + 1
        return ParseError(f"unexpected '{value}'{hint}", position=token.start_pos, end=end,
                          code="syntax")
    return ParseError("can't read the answer", position=position, code="syntax")  # pragma: no cover
