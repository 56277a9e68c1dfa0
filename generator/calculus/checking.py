"""Finite differences of the function against the derived derivative, before anything is shown:
a disagreement is an error (:class:`DerivativeCheckError`), never a wrong derivative printed.
The differences are those of :mod:`generator.verify`, in 50-digit arithmetic."""

from __future__ import annotations

import random

import mpmath

from generator.calculus import DerivativeCheckError
from generator.layout import Layout
from generator.verify import TOLERANCE, _hessian, _jacobian, _well_conditioned
from grader.evaluation import DomainError, evaluate
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.printing import print_ascii
from grader.sampling import Regime, sample_point, size_assignments


def check_derivative(function: n.Node, wrt: str, declarations: Declarations, layout: Layout,
                     result: n.Node, *, hessian: bool = False, seed: int = 0,
                     sizes_count: int = 2) -> None:
    """Raise :class:`DerivativeCheckError` unless ``result`` matches finite differences of
    ``function`` at random points (square matrices well conditioned) for two sets of sizes."""
    rng = random.Random(seed)
    names = [name.strip() for name in wrt.split(",")]
    shape = declarations.shape_of(names[0])
    scalar_variable = len(names) == 1 and shape is not None and shape.is_scalar
    for sizes in size_assignments(declarations.dim_symbols, sizes_count):
        problem: DomainError | None = None
        for attempt in range(6):  # off a domain (log of a negative): signed, then positive
            point = _well_conditioned(sample_point(
                declarations, sizes, Regime(exact=False, positive=attempt >= 3), rng))
            with mpmath.workdps(50):
                try:
                    expected = evaluate(result, point, exact=False)
                    numeric = _hessian(function, point, names) if hessian else _jacobian(
                        function, point, names, layout, scalar_variable)
                    break
                except DomainError as error:
                    problem = error
        else:
            raise DerivativeCheckError(
                f"no test point in the domain of {print_ascii(function)} ({problem})")
        with mpmath.workdps(50):
            if (expected.rows, expected.cols) != (numeric.rows, numeric.cols):
                raise DerivativeCheckError(
                    f"the derivative is {expected.rows}×{expected.cols}, finite differences "
                    f"give {numeric.rows}×{numeric.cols} (sizes {sizes})")
            for x, y in zip(expected.data, numeric.data, strict=True):
                if abs(x - y) > TOLERANCE * max(1, abs(x), abs(y)):
                    raise DerivativeCheckError(
                        f"the derived {print_ascii(result)} disagrees with finite differences "
                        f"({mpmath.nstr(x, 8)} vs {mpmath.nstr(y, 8)}, sizes {sizes}); it is "
                        "not shown")
