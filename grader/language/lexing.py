"""The token stream between lark's lexer and parser.

Three stages, each a generator over tokens:

* **names** (answers only): a run of letters that is no declared name is split into the declared
  names it is made of, when that can be done in exactly one way (``xy`` is ``x y``, ``AX`` is
  ``A X``, ``W2tanh(`` is ``W2 tanh(``).  Splitting here, before the grammar, lets postfix
  operators bind to the last name only: ``xy^2`` is ``x y^2`` and ``AX^-1`` is ``A X^-1``.
* **brackets** (answers only): a bracket without commas is read as Matlab and numpy print
  numbers (``[1 2; 3 4]``, ``[[-56 0] [0 -24]]``); with names it stays a bracket of products,
  flagged, unless its spacing makes it ambiguous (``[x -y]``, ``[2*x y]``).  ``x[2]`` is refused.
* **matching**: brackets are matched here, not in the grammar, for messages that name both
  brackets ("')' does not match the '[' still open before it").  A bare ``\\|`` or ``|`` is an
  opener after an operator, an opening bracket or at the start, a closer when it can close the
  innermost open bar, else an opener.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lark import Token

from grader.errors import ParseError
from grader.language import reading
from grader.language.declarations import CONSTANTS, name_key

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
            stream = _brackets(_names(stream, context), context)
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


# --- names ------------------------------------------------------------------------------------

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
_OPERAND_END = {"NUMBER", "NAME", "GREEK", "RPAR", "RBRACK", "RBRACE", "END", "TRANSPOSE",
                "INVERSE", "INVTRANSPOSE", "NORM_CLOSE", "ABS_CLOSE"}


def _lookahead(stream: Iterable[Token]) -> Iterator[tuple[Token, Token | None]]:
    held: Token | None = None
    for token in stream:
        if held is not None:
            yield held, token
        held = token
    if held is not None:
        yield held, None


def _names(stream: Iterator[Token], context: reading.ReadingContext) -> Iterator[Token]:
    previous: str | None = None
    for token, following in _lookahead(stream):
        if token.type == "NAME" and previous != "SUB":
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


# --- brackets ---------------------------------------------------------------------------------

_STARTS_OPERAND = {"NUMBER", "NAME", "GREEK", "LPAR", "LBRACK", "LBRACE", "STYLE", "BEGIN",
                   "FUNC", "LFUNC", "OPFUNC", "FRAC", "NORM_OPEN", "ABS_OPEN", "TOP"}
_EXPLICIT = {"STAR", "DIV", "HAD", "EDIV", "KRON"}
#: Nested brackets read for commas (a matrix has two levels; the parser's depth cap, at most a
#: few hundred, refuses deeper text anyway).
_MAX_BRACKET_NESTING = 8
_NUMERIC = {"NUMBER", "MINUS", "PLUS", "COMMA", "SEMI", "LBRACK", "RBRACK"}
_DEPTH_OPEN = {"LPAR", "LBRACK", "LBRACE", "STYLE", "HADPOW", "BEGIN", "NORM_OPEN", "ABS_OPEN"}
_DEPTH_CLOSE = {"RPAR", "RBRACK", "RBRACE", "END", "NORM_CLOSE", "ABS_CLOSE"}


def _brackets(stream: Iterator[Token], context: reading.ReadingContext) -> Iterator[Token]:
    previous: Token | None = None
    iterator = iter(stream)
    for token in iterator:
        if token.type == "LBRACK":
            if previous is not None and previous.type in ("NAME", "GREEK") and \
                    previous.end_pos == token.start_pos:
                raise ParseError(
                    f"'{previous.value}[' looks like indexing, which the language doesn't have; "
                    "write a product with a space or * before the bracket",
                    position=previous.start_pos, end=token.end_pos, code="syntax",
                )
            group = [token]
            depth = deepest = 1
            for inner in iterator:
                group.append(inner)
                if inner.type == "LBRACK":
                    depth += 1
                    deepest = max(deepest, depth)
                elif inner.type == "RBRACK":
                    depth -= 1
                    if depth == 0:
                        break
            if depth == 0 and deepest <= _MAX_BRACKET_NESTING:  # deeper: the depth cap refuses
                group = _bracket(group, context)
            yield from group
            previous = group[-1]
            continue
        yield token
        previous = token


def _bracket(group: list[Token], context: reading.ReadingContext) -> list[Token]:
    """One ``[ ... ]``, nested brackets first; commas inserted where numbers are spaced."""
    inner = _top_level_groups(group[1:-1], context)
    flat = [t for item in inner for t in item]
    levels = _levels(flat)
    if any(t.type == "COMMA" and level == 0 for t, level in zip(flat, levels, strict=True)):
        return [group[0], *flat, group[-1]]
    rows: list[list[list[Token]]] = [[]]
    semicolons: list[Token] = []
    for item in inner:
        if len(item) == 1 and item[0].type == "SEMI":
            rows.append([])
            semicolons.append(item[0])
        else:
            rows[-1].append(item)
    entries = [_entries(row) for row in rows]
    if all(len(row) <= 1 for row in entries):
        return [group[0], *flat, group[-1]]
    if all(_is_number(entry) for row in entries for entry in row):
        out: list[Token] = [group[0]]
        for index, row in enumerate(entries):
            if index:
                out.append(semicolons[index - 1])
            for position, entry in enumerate(row):
                if position:
                    at = entry[0]
                    out.append(Token("COMMA", ",", at.start_pos, at.line, at.column, at.line,
                                     at.column, at.start_pos))
                out.extend(entry)
        out.append(group[-1])
        return out
    written = context.text[group[0].start_pos or 0 : group[-1].end_pos or 0]
    written = " ".join(written.split())
    for row in entries:
        for entry in row[1:]:
            if entry[0].type in ("MINUS", "PLUS"):
                raise ParseError(
                    f"'{written}' is ambiguous: {entry[0].value} can start an entry or "
                    "subtract; write commas between entries ([x, -y]) or spaces on both "
                    "sides of the sign ([x - y])",
                    position=entry[0].start_pos, end=entry[0].end_pos, code="ambiguous",
                )
        if len(row) > 1:  # `[2*x y]`: a tight operator beside spaced factors
            tokens = [t for entry in row for t in entry]
            levels = _levels(tokens)
            explicit = [t for index, (t, level) in enumerate(zip(tokens, levels, strict=True))
                        if level == 0 and t.type in _EXPLICIT and 0 < index < len(tokens) - 1
                        and tokens[index - 1].end_pos == t.start_pos
                        and t.end_pos == tokens[index + 1].start_pos]
            if explicit:
                raise ParseError(
                    f"'{written}' is ambiguous: write commas between the entries of a row "
                    "([2*x, y]), or * for a product ([2*x*y])",
                    position=row[1][0].start_pos, end=row[1][0].end_pos, code="ambiguous",
                )
    context.note("bracket_products",
                 f"read '{written}' as products (no commas: each row is one entry); write "
                 "commas between entries if you meant separate entries",
                 (group[0].start_pos or 0, group[-1].end_pos or 0))
    return [group[0], *flat, group[-1]]


def _top_level_groups(tokens: list[Token], context: reading.ReadingContext) -> list[list[Token]]:
    """Tokens of a bracket's inside, a nested ``[ ... ]`` (processed) counting as one item."""
    items: list[list[Token]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "LBRACK":
            depth, stop = 0, index
            while stop < len(tokens):
                depth += tokens[stop].type == "LBRACK"
                depth -= tokens[stop].type == "RBRACK"
                if depth == 0:
                    break
                stop += 1
            items.append(_bracket(tokens[index : stop + 1], context))
            index = stop + 1
        else:
            items.append([token])
            index += 1
    return items


def _levels(tokens: list[Token]) -> list[int]:
    """Nesting level of each token inside the bracket being read (0: the bracket's own)."""
    levels: list[int] = []
    depth = 0
    for token in tokens:
        if token.type in _DEPTH_CLOSE:
            depth -= 1
        levels.append(max(depth, 0))
        if token.type in _DEPTH_OPEN:
            depth += 1
    return levels


def _entries(row: list[list[Token]]) -> list[list[Token]]:
    """A row's items grouped into the entries that spacing separates (Matlab's rules)."""
    entries: list[list[Token]] = []
    depth = 0
    previous: Token | None = None
    for position, item in enumerate(row):
        first = item[0]
        following = row[position + 1][0] if position + 1 < len(row) else None
        spaced = previous is not None and (previous.end_pos or 0) < (first.start_pos or 0)
        starts = first.type in _STARTS_OPERAND or (
            first.type in ("MINUS", "PLUS") and following is not None
            and following.type in _STARTS_OPERAND
            and (first.end_pos or 0) == (following.start_pos or 0))
        if depth == 0 and spaced and previous is not None and previous.type in _OPERAND_END \
                and starts:
            entries.append([])
        if not entries:
            entries.append([])
        entries[-1].extend(item)
        for token in item if len(item) == 1 else ():
            if token.type in _DEPTH_OPEN:
                depth += 1
            elif token.type in _DEPTH_CLOSE:
                depth -= 1
        previous = item[-1]
    return entries


def _is_number(entry: list[Token]) -> bool:
    kinds = [t.type for t in entry]
    if kinds and kinds[0] == "LBRACK":  # a nested row of numbers: [[1 2] [3 4]]
        return all(kind in _NUMERIC for kind in kinds)
    if kinds and kinds[0] in ("MINUS", "PLUS"):
        kinds = kinds[1:]
    return kinds == ["NUMBER"]
