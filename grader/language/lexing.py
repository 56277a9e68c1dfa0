"""The token stream between lark's lexer and parser.

Three stages, each a generator over tokens.  For answers (not declarations), runs of names are
split (:mod:`grader.language.name_runs`) and comma-less brackets read
(:mod:`grader.language.bracket_rows`).  Then brackets are matched, here rather than in the
grammar, for messages that name both brackets ("')' does not match the '[' still open before
it").  A bare ``\\|`` or ``|`` is an opener after an operator, an opening bracket or at the start,
a closer when it can close the innermost open bar, else an opener.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lark import Token

from grader.errors import ParseError
from grader.language import reading
from grader.language.bracket_rows import read_brackets
from grader.language.name_runs import split_names

_OPENERS = {"LPAR": "(", "LBRACK": "[", "LBRACE": "{", "STYLE": "{", "HADPOW": "{",
            "BEGIN": "env", "NORM_OPEN": "norm", "ABS_OPEN": "abs"}
_CLOSERS = {"RPAR": "(", "RBRACK": "[", "RBRACE": "{", "END": "env", "NORM_CLOSE": "norm",
            "ABS_CLOSE": "abs"}
_BARS = {"NORM_BAR": "norm", "ABS_BAR": "abs"}
_SIDES = {"norm": ("LNORM", "RNORM"), "abs": ("LABS", "RABS")}
# After these (or at the start) a bar opens.
_BEFORE_OPERAND = {
    "PLUS", "MINUS", "STAR", "DIV", "HAD", "EDIV", "KRON", "POW", "EPOW", "COMMA", "SEMI",
    "AMP", "ROWSEP", "SUB", "FUNC", "LFUNC", "OPFUNC", "FRAC", "LNORM", "LABS",
    *_OPENERS,
}


@dataclass
class _Open:
    family: str
    token: Token

    @property
    def flavour(self) -> str:
        """Tells ``\\{`` (a set brace, closed by ``\\}``) from ``(``."""
        return "set" if self.token.value.endswith("\\{") else self.family


class TokenStream:
    """A lark ``postlex``: one instance serves every parse (it keeps no state between parses)."""

    always_accept = ("NORM_BAR", "ABS_BAR")

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        context = reading.current()
        if context is not None:
            stream = read_brackets(split_names(stream, context), context)
        return self.match(stream)

    def match(self, stream: Iterator[Token]) -> Iterator[Token]:
        stack: list[_Open] = []
        previous: str | None = None
        for token in stream:
            kind = token.type
            if kind in _BARS:
                family = _BARS[kind]
                opening = previous is None or previous in _BEFORE_OPERAND
                if not opening and stack and stack[-1].family == family:
                    stack.pop()
                    token = Token.new_borrow_pos(_SIDES[family][1], token.value, token)
                else:
                    stack.append(_Open(family, token))
                    token = Token.new_borrow_pos(_SIDES[family][0], token.value, token)
            elif kind in _OPENERS:
                stack.append(_Open(_OPENERS[kind], token))
            elif kind in _CLOSERS:
                self._close(stack, token)
            previous = token.type
            yield token
        if stack:
            opened = stack[-1].token
            raise ParseError(
                f"'{_show(opened)}' is never closed",
                position=opened.start_pos, end=opened.end_pos, code="unbalanced",
            )

    @staticmethod
    def _close(stack: list[_Open], token: Token) -> None:
        family = _CLOSERS[token.type]
        flavour = "set" if token.value.endswith("\\}") else family
        if not stack:
            raise ParseError(
                f"'{_show(token)}' has no matching opening bracket",
                position=token.start_pos, end=token.end_pos, code="unbalanced",
            )
        top = stack[-1]
        if top.family != family or top.flavour != flavour:
            raise ParseError(
                f"'{_show(token)}' does not match the '{_show(top.token)}' still open before it",
                position=token.start_pos, end=token.end_pos, code="unbalanced",
            )
        if family == "env" and _environment(top.token) != _environment(token):
            raise ParseError(
                f"'{_show(token)}' ends a different environment than "
                f"'{_show(top.token)}' began",
                position=token.start_pos, end=token.end_pos, code="unbalanced",
            )
        stack.pop()


def _environment(token: Token) -> str:
    value = str(token.value)
    return value[value.index("{") + 1 : value.rindex("}")].strip()


def _show(token: Token) -> str:
    return " ".join(str(token.value).split())
