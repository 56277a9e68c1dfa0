"""Declarations (``given``): which names an answer may use, and their shapes.

``x[n]`` is an n×1 column, ``w[1,n]`` a row, ``A[m,n]`` a matrix, a bare ``b`` a scalar.  A dim is a
positive integer or a dim symbol (``n``, ``m``, ``k``, ``N``...); symbolic dims stand for sizes ≥ 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.errors import ParseError
from grader.language.shapes import SCALAR, Dim, Shape

#: Names with a fixed meaning that can't be declared.
CONSTANTS = ("e", "pi")
RESERVED = {*CONSTANTS, "I", "T"}


def name_key(name: str) -> str:
    """``W_1`` and ``W1`` are the same name when only one of them is declared."""
    return name.replace("_", "")


@dataclass(frozen=True)
class Declarations:
    entries: tuple[tuple[str, Shape], ...] = ()

    @staticmethod
    def of(**shapes: Shape) -> Declarations:
        return Declarations(tuple(shapes.items()))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.entries)

    def shape_of(self, name: str) -> Shape | None:
        for declared, shape in self.entries:
            if declared == name:
                return shape
        return None

    def lookup(self, name: str) -> str | None:
        """The declared name that ``name`` refers to (exactly, or up to underscores)."""
        if self.shape_of(name) is not None:
            return name
        matches = [d for d in self.names if name_key(d) == name_key(name)]
        return matches[0] if len(matches) == 1 else None

    @property
    def dim_symbols(self) -> tuple[str, ...]:
        symbols = {s for _, shape in self.entries for d in (shape.rows, shape.cols)
                   for s in d.symbols}
        return tuple(sorted(symbols))

    def __str__(self) -> str:
        return ", ".join(_declaration(name, shape) for name, shape in self.entries)


def _declaration(name: str, shape: Shape) -> str:
    if shape.is_scalar:
        return name
    if shape.cols.is_one:
        return f"{name}[{shape.rows}]"
    return f"{name}[{shape.rows},{shape.cols}]"


def build_declarations(
    text: str,
    items: list[tuple[object, list[object]]],
    *,
    max_dimension: int,
    function_names: frozenset[str],
) -> Declarations:
    """Validate what the grammar read from a ``given`` string."""
    entries: list[tuple[str, Shape]] = []
    seen: dict[str, str] = {}
    for name_token, dim_tokens in items:
        name = _text(name_token).lstrip("\\")
        where = _position(name_token)
        if name in function_names or _type(name_token) == "FUNC":
            raise ParseError(f"'{name}' is a function name and can't be declared",
                             text=text, position=where, code="declaration")
        if name in RESERVED:
            meaning = {"e": "the constant e", "pi": "the constant pi", "I": "the identity",
                       "T": "the transpose (A^T)"}[name]
            raise ParseError(f"'{name}' is reserved for {meaning} and can't be declared",
                             text=text, position=where, code="declaration")
        if name_key(name) in seen:
            other = seen[name_key(name)]
            problem = "is declared twice" if other == name else f"would be confused with '{other}'"
            raise ParseError(f"'{name}' {problem}", text=text, position=where,
                             code="declaration")
        seen[name_key(name)] = name
        if len(dim_tokens) > 2:
            raise ParseError(f"'{name}' has {len(dim_tokens)} dims; at most 2 (rows, columns)",
                             text=text, position=where, code="declaration")
        dims = [_dim(text, token, max_dimension) for token in dim_tokens]
        if not dims:
            shape = SCALAR
        elif len(dims) == 1:
            shape = Shape(dims[0], Dim.of(1))
        else:
            shape = Shape(dims[0], dims[1])
        entries.append((name, shape))
    declarations = Declarations(tuple(entries))
    clash = set(declarations.dim_symbols) & set(declarations.names)
    if clash:
        symbol = sorted(clash)[0]
        raise ParseError(f"'{symbol}' is used both as a name and as a dimension",
                         text=text, position=text.find(symbol), code="declaration")
    return declarations


def _dim(text: str, token: object, max_dimension: int) -> Dim:
    value = _text(token)
    if _type(token) == "NUMBER":
        if not value.isdigit() or not 0 < int(value) <= max_dimension:
            raise ParseError(
                f"a dimension must be a whole number from 1 to {max_dimension} or a symbol "
                f"such as n, not {value}",
                text=text, position=_position(token), code="declaration",
            )
        return Dim.of(int(value))
    return Dim.of(value)


def _text(token: object) -> str:
    return str(token)


def _type(token: object) -> str:
    return str(getattr(token, "type", ""))


def _position(token: object) -> int | None:
    position = getattr(token, "start_pos", None)
    return position if isinstance(position, int) else None
