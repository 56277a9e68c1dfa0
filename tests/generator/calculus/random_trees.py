"""Random differentiable expressions of the answer language, by shape, to depth 4: one
generator driven by a ``choose`` function, so that hypothesis draws them and a plain
random.Random shows which operations they reach."""

from __future__ import annotations

from collections.abc import Callable, Sequence

GIVEN = "x[n], y[n], A[n,n], X[n,n], c"
Choose = Callable[[Sequence[str]], str]

#: Each template's holes: s scalar, v n-column, m n×n matrix.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "s": (
        "({v})^T {v}", "tr({m})", "det({m})", "log(det(I + {m} ({m})^T))", "sum({v})",
        "norm({v})", "norm({v}, 1)", "{s} {s}", "({s})^3", "exp({s} / 10)",
        "{s} / (2 + ({s})^2)", "norm({v})^2", "sum(kron({v}, {v}))", "norm(vec({m}))",
        "({v})^T {m} {v}", "-{s}", "{s} + {s}", "abs({s})", "max({s}, 0)",
    ),
    "v": (
        "{v} + {v}", "-{v}", "{m} {v}", "{s} {v}", "exp({v} / 10)", "sin({v})", "cos({v})",
        "tanh({v})", "sigma({v})", "abs({v})", "relu({v})", "step({v})", "sign({v})",
        "log(1 + {v} .^ 2)", "sqrt(1 + {v} .^ 2)", "tan(sigma({v}))", "{v} .* {v}",
        "{v} ./ (2 + {v} .^ 2)", "{v} .^ 3", "max({v}, 0)", "softmax({v})", "diag({m})",
        "vec({v})", "({v}^T)^T", "{v} / (2 + ({s})^2)", "diag({v}) {v}",
    ),
    "m": (
        "{m} {m}", "({m})^T", "{m} + {m}", "(I + {m} ({m})^T)^-1", "diag({v})",
        "{v} ({v})^T", "({m})^2", "{m} .* {m}", "exp({m} / 10)", "{s} {m}", "inv(X)",
        "inv(A)",
    ),
}
LEAVES = {"s": ("c", "2"), "v": ("x", "y"), "m": ("A", "X")}


def expression(kind: str, depth: int, choose: Choose) -> str:
    if depth <= 1:
        return choose(LEAVES[kind])
    template = choose(TEMPLATES[kind] + LEAVES[kind])
    result = []
    index = 0
    while index < len(template):
        if template[index] == "{":
            hole = template[index + 1]
            result.append(f"({expression(hole, depth - 1, choose)})")
            index += 3
        else:
            result.append(template[index])
            index += 1
    return "".join(result)


#: (function kind, wrt): the engine identifies every gradient, Jacobians of vectors by
#: vectors and scalars, and matrix functions by a scalar.
CASES = (("s", "x"), ("s", "X"), ("s", "c"), ("v", "x"), ("v", "c"), ("m", "c"))
