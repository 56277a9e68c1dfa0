"""Resource caps on answer-language input, so that any text is answered in milliseconds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    #: Characters of input: an explicit 6×6 matrix of 40-character entries fits, and the
    #: longest input is still answered within 100 ms.
    max_length: int = 2000
    #: Depth of the expression tree (parentheses alone add no depth).
    max_depth: int = 100
    #: Absolute value of a literal integer exponent (``x^k``, ``A^k``, ``x.^k``).
    max_exponent: int = 100
    #: Digits in one numeric literal.
    max_literal_digits: int = 30
    #: A literal dimension (``x[500]``, ``eye(500)``, ``zeros(3, 500)``).
    max_dimension: int = 100
    #: Entries of one explicit matrix.
    max_matrix_entries: int = 400


DEFAULT_LIMITS = Limits()
