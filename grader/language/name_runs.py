"""Runs of letters that are no declared name, split into the declared names they are made of.

``xy`` is ``x y`` and ``AX`` is ``A X`` when that is the only way to read them as declared names
(and ``I``, ``e``, ``pi``); two ways are refused, naming both.  Splitting tokens before the
grammar lets postfix operators bind to the last name only: ``xy^2`` is ``x y^2``, ``AX^-1`` is
``A X^-1``.  Before ``(``, a run may end in a function (``W2tanh(`` is ``W2 tanh(``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from lark import Token

from grader.errors import ParseError
from grader.language import reading
from grader.language.declarations import CONSTANTS, name_key

#: ASCII spellings of functions, longest first (``tanh`` before ``tan``).
_FUNCTION_WORDS = (
    "softmax", "sigmoid", "hadamard", "transpose", "zeros", "trace", "sigma", "tanh", "sqrt",
    "sign", "relu", "ReLU", "step", "norm", "diag", "kron", "ones", "exp", "log", "sin", "cos",
    "tan", "abs", "sgn", "sum", "det", "vec", "inv", "max", "eye", "ln", "tr", "Tr",
)
#: Words students try for a function the language spells otherwise.
_MISSPELLINGS = {
    "trans": ("transpose({0})", "{0}^T"), "transp": ("transpose({0})", "{0}^T"),
    "tp": ("transpose({0})", "{0}^T"), "inverse": ("inv({0})", "{0}^-1"),
    "invert": ("inv({0})", "{0}^-1"), "determinant": ("det({0})", "det({0})"),
    "logistic": ("sigma({0})", "sigmoid({0})"), "exponential": ("exp({0})", "e^({0})"),
    "arctan": ("", ""), "atan": ("", ""), "arcsin": ("", ""), "asin": ("", ""),
    "arccos": ("", ""), "acos": ("", ""), "cosh": ("", ""), "sinh": ("", ""),
}
_KEPT = {"I", "T", *CONSTANTS}
_SIZED_IDENTITY = re.compile(r"I_[A-Za-z0-9]+")


def _lookahead(stream: Iterable[Token]) -> Iterator[tuple[Token, Token | None]]:
    held: Token | None = None
    for token in stream:
        if held is not None:
            yield held, token
        held = token
    if held is not None:
        yield held, None


def split_names(stream: Iterator[Token], context: reading.ReadingContext) -> Iterator[Token]:
    previous: str | None = None
    in_subscript = False  # I_{nA}: a subscript in braces holds sizes, never products
    for token, following in _lookahead(stream):
        if token.type == "LBRACE" and previous == "SUB":
            in_subscript = True
        elif token.type == "RBRACE":
            in_subscript = False
        if token.type == "NAME" and previous != "SUB" and not in_subscript:
            yield from _read_name(token, following, context)
        else:
            yield token
        previous = token.type


def _read_name(token: Token, following: Token | None, context: reading.ReadingContext
               ) -> Iterator[Token]:
    text = str(token.value)
    declarations = context.declarations
    if declarations.lookup(text) is not None or text in _KEPT or _SIZED_IDENTITY.fullmatch(text):
        yield token
        return
    called = following is not None and following.type == "LPAR"
    if called:
        for word in _FUNCTION_WORDS:
            if text.endswith(word) and len(text) > len(word):
                parts = _split(text[: -len(word)], token, context)
                if parts is not None:
                    context.note("split_name", f"read '{text}(' as {' '.join(parts)} {word}(",
                                 _span(token))
                    yield from _tokens(token, [*parts, word], function_last=True)
                    return
        if text in _MISSPELLINGS and following is not None:
            raise _misspelling(text, token, following, context)
    parts = _split(text, token, context)
    if parts is None and following is not None and following.type == "SUB":
        parts = _split_before_subscript(text, token, context)
    if parts is None or len(parts) == 1:
        yield token
        return
    context.note("split_name", f"read '{text}' as the product {' '.join(parts)}", _span(token))
    yield from _tokens(token, parts)


def _split(text: str, token: Token, context: reading.ReadingContext) -> list[str] | None:
    """``text`` as declared names (and I, e, pi) in its only reading; None if there is none.

    Raises when there are two readings, naming both.
    """
    declared = context.declarations.lookup(text)
    if declared is not None or text in _KEPT:
        return [text]
    if text.startswith(_FUNCTION_WORDS):  # sinx: the type checker suggests sin(x)
        return None
    if "_" in text:  # zI_n: a product ending in a sized identity
        match = re.fullmatch(r"([A-Za-z0-9]+)(I_[A-Za-z0-9]+)", text)
        if match is None:
            return None
        head = _split(match.group(1), token, context)
        return None if head is None else [*head, match.group(2)]
    words = sorted({*(name_key(name) for name in context.declarations.names), *_KEPT},
                   key=len, reverse=True)
    readings = _readings(text, tuple(w for w in words if w))
    if not readings:
        return None
    if len(readings) > 1:
        first, second = (" ".join(r) for r in readings[:2])
        raise ParseError(
            f"'{text}' can be read as {first} or as {second}; put spaces or * between the names",
            position=token.start_pos, end=token.end_pos, code="ambiguous",
        )
    return readings[0]


def _split_before_subscript(text: str, token: Token, context: reading.ReadingContext
                            ) -> list[str] | None:
    """``CW_{1}`` with W1 declared: the subscript belongs to the last name, W."""
    bases = {re.sub(r"_?[A-Za-z0-9]+$", "", name) if "_" in name else
             re.sub(r"(?<=[A-Za-z])\d+$", "", name) for name in context.declarations.names}
    for base in sorted(bases - {""}, key=len, reverse=True):
        if text.endswith(base) and len(text) > len(base):
            head = _split(text[: -len(base)], token, context)
            if head is not None:
                return [*head, base]
    return None


def _readings(text: str, words: tuple[str, ...]) -> list[list[str]]:
    """Up to two ways of writing ``text`` as a sequence of ``words`` (linear, no recursion)."""
    ways = [0] * len(text) + [1]  # ways[i]: readings of text[i:], counted up to 2
    for start in range(len(text) - 1, -1, -1):
        ways[start] = min(2, sum(ways[start + len(w)] for w in words
                                 if text.startswith(w, start)))
    if not ways[0]:
        return []

    def viable(start: int) -> list[str]:
        return [w for w in words if text.startswith(w, start) and ways[start + len(w)]]

    def complete(parts: list[str], position: int) -> list[str]:
        while position < len(text):
            word = viable(position)[0]
            parts.append(word)
            position += len(word)
        return parts

    first = complete([], 0)
    if ways[0] == 1:
        return [first]
    # Two readings: they part at the first place along the first where another word fits.
    position = 0
    for index, word in enumerate(first):
        options = viable(position)
        if len(options) > 1:
            return [first, complete([*first[:index], options[1]], position + len(options[1]))]
        position += len(word)
    return [first]  # pragma: no cover - ways[0] == 2 means some place has two words


def _tokens(token: Token, parts: list[str], *, function_last: bool = False) -> Iterator[Token]:
    start = token.start_pos or 0
    column = token.column or 1
    offset = 0
    for index, part in enumerate(parts):
        kind = "FUNC" if function_last and index == len(parts) - 1 else "NAME"
        yield Token(kind, part, start + offset, token.line, column + offset, token.end_line,
                    column + offset + len(part), start + offset + len(part))
        offset += len(part)


def _span(token: Token) -> tuple[int, int] | None:
    if token.start_pos is None or token.end_pos is None:
        return None
    return token.start_pos, token.end_pos


def _misspelling(text: str, token: Token, paren: Token, context: reading.ReadingContext
                 ) -> ParseError:
    spellings = _MISSPELLINGS[text]
    if not spellings[0]:
        message = f"the function {text} is not part of the language"
    else:
        argument = _argument(context.text, paren.start_pos or 0)
        if len(argument) > 40:
            argument = "..."
        simple = re.fullmatch(r"[A-Za-z]\w*", argument) is not None
        first = spellings[0].format(argument)
        second = spellings[1].format(argument if simple else f"({argument})")
        hint = first if first == second else f"{first} or {second}"
        message = f"unknown function '{text}'; did you mean {hint}?"
    return ParseError(message, position=token.start_pos, end=token.end_pos, code="unknown_name")


def _argument(text: str, opening: int) -> str:
    depth = 0
    for index in range(opening, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return " ".join(text[opening + 1 : index].split())
    return " ".join(text[opening + 1 :].split())
