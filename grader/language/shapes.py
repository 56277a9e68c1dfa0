"""Matrix shapes with symbolic dimensions.

A dimension is a monomial: a positive integer coefficient times a product of dim symbols
(``3``, ``n``, ``m*n`` for ``vec`` of an m×n matrix, ``2*n``).  Symbolic dims stand for sizes ≥ 2,
so ``n`` is never 1 and an n×1 vector is never a scalar.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Dim:
    """``coefficient * prod(symbols)``; ``symbols`` sorted, with repeats for powers."""

    coefficient: int = 1
    symbols: tuple[str, ...] = ()

    @staticmethod
    def of(value: int | str) -> Dim:
        if isinstance(value, int):
            return Dim(value, ())
        return Dim(1, (value,))

    @property
    def is_one(self) -> bool:
        return self.coefficient == 1 and not self.symbols

    @property
    def is_concrete(self) -> bool:
        return not self.symbols

    def __mul__(self, other: Dim) -> Dim:
        symbols = tuple(sorted(self.symbols + other.symbols))
        return Dim(self.coefficient * other.coefficient, symbols)

    def evaluate(self, sizes: dict[str, int]) -> int:
        """The concrete size, given a size for every dim symbol."""
        value = self.coefficient
        for symbol in self.symbols:
            value *= sizes[symbol]
        return value

    def as_product(self) -> str:
        """``m*n*n``: the form the answer language reads back (``eye(m*n*n)``)."""
        return "*".join(([str(self.coefficient)] if self.coefficient != 1 or not self.symbols
                         else []) + list(self.symbols))

    def __str__(self) -> str:
        parts = [str(self.coefficient)] if self.coefficient != 1 or not self.symbols else []
        for symbol in sorted(set(self.symbols)):
            power = self.symbols.count(symbol)
            parts.append(symbol if power == 1 else f"{symbol}^{power}")
        return "*".join(parts)


ONE = Dim(1, ())


@dataclass(frozen=True)
class Shape:
    rows: Dim
    cols: Dim

    @staticmethod
    def of(rows: int | str | Dim, cols: int | str | Dim) -> Shape:
        return Shape(
            rows if isinstance(rows, Dim) else Dim.of(rows),
            cols if isinstance(cols, Dim) else Dim.of(cols),
        )

    @property
    def is_scalar(self) -> bool:
        return self.rows.is_one and self.cols.is_one

    @property
    def is_square(self) -> bool:
        return self.rows == self.cols

    @property
    def is_vector(self) -> bool:
        """A column or row vector (not a scalar)."""
        return not self.is_scalar and (self.rows.is_one or self.cols.is_one)

    @property
    def transposed(self) -> Shape:
        return Shape(self.cols, self.rows)

    def as_strings(self) -> list[str]:
        """``["n", "1"]``: the form used in JSON records and CLI output."""
        return [str(self.rows), str(self.cols)]

    def describe(self) -> str:
        """``"n×1 (column vector)"`` for people."""
        if self.is_scalar:
            kind = "scalar"
        elif self.cols.is_one:
            kind = "column vector"
        elif self.rows.is_one:
            kind = "row vector"
        else:
            kind = "matrix"
        return f"{self} ({kind})"

    def __str__(self) -> str:
        return f"{self.rows}×{self.cols}"


SCALAR = Shape(ONE, ONE)
