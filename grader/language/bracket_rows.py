"""Brackets written without commas, read as Matlab and numpy print numbers.

``[1 2; 3 4]`` and ``[[-56 0] [0 -24]]`` are rows of entries; with names, ``[2 x y; 4 y]`` stays a
bracket of products (one entry per row) and is flagged, unless its spacing could separate entries
(``[x -y]``, ``[2*x y]``), which is refused as ambiguous.  ``x[2]`` is refused: the language has
no indexing.
"""

from __future__ import annotations

from collections.abc import Iterator

from lark import Token

from grader.errors import ParseError
from grader.language import reading

_OPERAND_END = {"NUMBER", "NAME", "GREEK", "RPAR", "RBRACK", "RBRACE", "END", "TRANSPOSE",
                "INVERSE", "INVTRANSPOSE", "NORM_CLOSE", "ABS_CLOSE"}

_STARTS_OPERAND = {"NUMBER", "NAME", "GREEK", "LPAR", "LBRACK", "LBRACE", "STYLE", "BEGIN",
                   "FUNC", "LFUNC", "OPFUNC", "FRAC", "NORM_OPEN", "ABS_OPEN", "TOP"}
_EXPLICIT = {"STAR", "DIV", "HAD", "EDIV", "KRON"}
#: Nested brackets read for commas (a matrix has two levels; the parser's depth cap, at most a
#: few hundred, refuses deeper text anyway).
_MAX_BRACKET_NESTING = 8
_NUMERIC = {"NUMBER", "MINUS", "PLUS", "COMMA", "SEMI", "LBRACK", "RBRACK"}
_DEPTH_OPEN = {"LPAR", "LBRACK", "LBRACE", "STYLE", "HADPOW", "BEGIN", "NORM_OPEN", "ABS_OPEN"}
_DEPTH_CLOSE = {"RPAR", "RBRACK", "RBRACE", "END", "NORM_CLOSE", "ABS_CLOSE"}


def read_brackets(stream: Iterator[Token], context: reading.ReadingContext) -> Iterator[Token]:
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
