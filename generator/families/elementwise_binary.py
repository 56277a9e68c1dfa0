"""Element-wise binary operators (Parr & Howard §4.2 "Derivatives of vector element-wise binary
operators").

y = f(w) ○ g(x) with ○ ∈ {+, −, ⊙, ⊘, max}.  By the element-wise diagonal condition (yᵢ uses
only wᵢ and xᵢ) the Jacobian is diag(∂yᵢ/∂xᵢ), an n×n matrix, the same in both layouts (the
denominator-layout solutions say so in that layout).

Difficulty 1: w ○ x (a coefficient on x for +, −, ⊙), by w or by x.
Difficulty 2: f(w) ○ g(x) with unary maps f, g (k v, v², v³, v² + c, exp, sin), by w or by x:
the scalar rule for ○ times the chain-rule factor f′ or g′.
Difficulty 3: f(x) ○ g(x), both operands functions of x: the diagonal holds the element-wise sum,
difference, product or quotient rule.

The numeric form keeps the key rational and defined at integer values: no exp or sin, no
division by a vector that can have a zero entry, and no max (a tie has no derivative).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.language.parser import parse
from grader.language.printing import print_latex
from grader.verdict import Mistake

_GIVEN = "w[n], x[n]"
_OPERATORS = ("+", "-", "*", "/", "max")
_RULES = {"+": "sum rule", "-": "difference rule", "*": "product rule", "/": "quotient rule",
          "max": "rule for the maximum"}


def _scalar_form(op: str, a: str, b: str) -> str:
    """LaTeX of the scalar operation a ○ b."""
    if op == "max":
        return rf"\max({a}, {b})"
    return {"+": f"{a} + {b}", "-": f"{a} - {b}", "*": rf"{a}\,{b}", "/": rf"{a}/{b}"}[op]


@dataclass(frozen=True)
class _Map:
    """A unary element-wise map v ↦ f(v) = value_coefficient·value(v), f′(v) = slope·factor(v).

    Templates use ``{v}`` for the vector's name; a ``None`` factor stands for 1 (constant slope).
    """

    value: str
    value_coefficient: int
    slope: int
    factor: str | None
    rational: bool
    nonzero: bool  # never 0 at real points: safe to divide by

    def of(self, v: str) -> _Term:
        return _Term(self.value_coefficient, (self.value.format(v=v),))

    def derivative(self, v: str) -> _Term:
        factor = () if self.factor is None else (self.factor.format(v=v),)
        return _Term(self.slope, factor)

    def text(self, v: str) -> str:
        return self.of(v).text()


_IDENTITY = _Map("{v}", 1, 1, None, True, False)


def _maps(rng: random.Random) -> list[_Map]:
    k, c = rng.randint(2, 5), rng.randint(1, 5)
    return [
        _Map("{v}", k, k, None, True, False),
        _Map("{v} .^ 2", 1, 2, "{v}", True, False),
        _Map("{v} .^ 3", 1, 3, "{v} .^ 2", True, False),
        _Map(f"{{v}} .^ 2 + {c}", 1, 2, "{v}", True, True),
        _Map("exp({v})", 1, 1, "exp({v})", False, True),
        _Map("sin({v})", 1, 1, "cos({v})", False, False),
    ]


_ATOM = re.compile(r"(\w+(\([^()]*\))?|\([^()]*\))( \.\^ \d+)?")
_SIMPLE = re.compile(r"\w+(\([^()]*\))?")


def _wrap(text: str) -> str:
    """``text`` as one operand of ``.*`` or ``./`` (parenthesised unless it is an atom)."""
    return text if _ATOM.fullmatch(text) else f"({text})"


def _square(text: str) -> str:
    power = re.fullmatch(r"(\w+) \.\^ (\d+)", text)
    if power:
        return f"{power.group(1)} .^ {2 * int(power.group(2))}"
    return f"{text if _SIMPLE.fullmatch(text) else f'({text})'} .^ 2"


@dataclass(frozen=True)
class _Term:
    """coefficient · (factor₁ ⊙ factor₂ ⊙ …) ⊘ divisor; no factors means the scalar."""

    coefficient: int
    factors: tuple[str, ...] = ()
    divisor: str | None = None

    def times(self, other: _Term) -> _Term:
        return _Term(self.coefficient * other.coefficient, self.factors + other.factors,
                     self.divisor or other.divisor)

    def over(self, divisor: str) -> _Term:
        return _Term(self.coefficient, self.factors, divisor)

    def negated(self) -> _Term:
        return _Term(-self.coefficient, self.factors, self.divisor)

    @property
    def constant(self) -> bool:
        return not self.factors and self.divisor is None

    def text(self) -> str:
        size = abs(self.coefficient)
        if self.factors:
            body = " .* ".join(_wrap(f) for f in self.factors)
            if size != 1:
                body = f"{size} {body}"
        else:
            body = str(size)
        if self.divisor is not None:
            body = f"{body} ./ {_wrap(self.divisor)}"
        return f"-{body}" if self.coefficient < 0 else body


def _sum(first: _Term, second: _Term, subtract: bool = False) -> str:
    second = second.negated() if subtract else second
    text = second.text()
    if text.startswith("-"):
        return f"{first.text()} - {text[1:]}"
    return f"{first.text()} + {text}"


@dataclass(frozen=True)
class _Derivative:
    """The diagonal of the Jacobian, as a term (diag of it, or c·I) or as a vector text."""

    term: _Term | None = None
    vector: str | None = None

    def jacobian(self) -> str:
        if self.term is not None and self.term.constant:
            c = self.term.coefficient
            return {1: "I_n", -1: "-I_n"}.get(c, f"{c} I_n")
        return f"diag({self.diagonal()})"

    def diagonal(self) -> str:
        if self.term is not None:
            return self.term.text()
        assert self.vector is not None
        return self.vector

    def flat(self) -> str:
        """The vector of the diagonal: the 'vector instead of diag' mistake."""
        if self.term is not None and self.term.constant:
            c = self.term.coefficient
            return {1: "ones(n)", -1: "-ones(n)"}.get(c, f"{c} ones(n)")
        return self.diagonal()


def _apply(op: str, left: str, right: str) -> str:
    if op == "max":
        return f"max({left}, {right})"
    symbol = {"+": "+", "-": "-", "*": ".*", "/": "./"}[op]
    if op in "+-":
        simple = op == "+" or _ATOM.fullmatch(right) or re.fullmatch(r"\d+ \w+", right)
        return f"{left} {symbol} {right if simple else f'({right})'}"
    return f"{_wrap(left)} {symbol} {_wrap(right)}"


def _tex(text: str, given: str) -> str:
    return print_latex(parse(text, given))


def _in_denominator(v: str, jacobian: str) -> str:
    """The Jacobian read off in denominator layout, where entry (i, j) is ∂f_j/∂v_i: a diagonal
    matrix is the same there."""
    return (rf"in denominator layout, whose entry $(i, j)$ is $\partial f_j/\partial {v}_i$, "
            rf"$\partial\mathbf{{f}}/\partial\mathbf{{{v}}} = {jacobian}$ (a diagonal matrix "
            r"is its own transpose).")


_VECTOR = Mistake("", "vector_instead_of_diag",
                  "An element-wise operation has a diagonal Jacobian: write the n×n matrix "
                  "diag(...), not the vector of its diagonal.")


def _vector_mistake(derivative: _Derivative) -> Mistake:
    return Mistake(derivative.flat(), _VECTOR.note, _VECTOR.feedback)


def _separate(rng: random.Random, difficulty: int, form: Form) -> Draft:
    """Difficulties 1 and 2: y = f(w) ○ g(x), by w or by x."""
    numeric = form == "numeric"
    if difficulty == 1:
        op = rng.choice(("+", "-", "*") if numeric else _OPERATORS)
        f = _IDENTITY
        k = rng.randint(2, 5)
        g = _Map("{v}", k, k, None, True, False) if op in "+-*" and rng.random() < 0.5 \
            else _IDENTITY
    else:
        op = rng.choice(("+", "-", "*", "/") if numeric else _OPERATORS)
        maps = [m for m in _maps(rng) if m.rational or not numeric]
        f = rng.choice(maps)
        g = rng.choice([m for m in maps if m.nonzero] if op == "/" and numeric else maps)
    wrt = rng.choice(("w", "x"))
    fw, gx = f.of("w"), g.of("x")
    function = _apply(op, fw.text(), gx.text())
    by_w = wrt == "w"
    slope = f.derivative("w") if by_w else g.derivative("x")
    other_slope = g.derivative("x") if by_w else f.derivative("w")
    mistakes: list[Mistake] = []
    if op == "+":
        key = _Derivative(slope)
        rule = rf"$\partial(a + b)/\partial {'a' if by_w else 'b'} = 1$"
    elif op == "-":
        key = _Derivative(slope if by_w else slope.negated())
        rule = rf"$\partial(a - b)/\partial {'a' if by_w else 'b'} = {'1' if by_w else '-1'}$"
        if not by_w:
            mistakes.append(Mistake(_Derivative(slope).jacobian(), "sign",
                                    "y decreases as x grows: the derivative of w - x by x is "
                                    "-I, so the sign is negative."))
    elif op == "*":
        key = _Derivative(slope.times(gx) if by_w else fw.times(slope))
        rule = (r"$\partial(ab)/\partial a = b$" if by_w else r"$\partial(ab)/\partial b = a$")
        wrong = _Derivative(other_slope.times(fw) if by_w else other_slope.times(gx))
        if not (f.factor == f.value and g.factor == g.value):  # exp(w) .* exp(x): the same
            mistakes.append(Mistake(wrong.jacobian(), "wrong_operand",
                                    "That is the derivative by the other operand: by the "
                                    "product rule, differentiating one factor leaves the other "
                                    "one."))
    elif op == "/":
        square = _square(gx.text())
        if by_w:
            key = _Derivative(slope.over(gx.text()))
            rule = r"$\partial(a/b)/\partial a = 1/b$"
            wrong = _Derivative(fw.times(g.derivative("x")).negated().over(square))
            mistakes.append(Mistake(wrong.jacobian(), "wrong_operand",
                                    "That is the derivative by x, the denominator; by w, the "
                                    "numerator, a/b differentiates to 1/b."))
        else:
            key = _Derivative(fw.times(slope).negated().over(square))
            rule = r"$\partial(a/b)/\partial b = -a/b^2$"
            mistakes.append(Mistake(_Derivative(g.derivative("x").over(gx.text())).jacobian()
                                    if g is _IDENTITY else
                                    _Derivative(fw.times(slope).over(square)).jacobian(),
                                    "quotient_rule" if g is _IDENTITY else "sign",
                                    "1/x is the derivative by the numerator w; by the "
                                    "denominator x, w/x differentiates to -w/x^2."
                                    if g is _IDENTITY else
                                    "The quotient rule puts a minus sign on the derivative of "
                                    "the denominator."))
    else:
        mine, theirs = (fw.text(), gx.text()) if by_w else (gx.text(), fw.text())
        key = _Derivative(_Term(1, (f"step({mine} - {_wrap(theirs)})",)).times(slope))
        rule = (r"$\partial \max(a, b)/\partial a = 1$ where $a > b$ and $0$ elsewhere, "
                r"that is $\operatorname{step}(a - b)$")
        wrong = _Derivative(_Term(1, (f"step({theirs} - {_wrap(mine)})",)).times(slope))
        mistakes.append(Mistake(wrong.jacobian(), "max_wrong_side",
                                f"The maximum follows {wrt} only where {wrt}'s side is the "
                                "larger one: step of (that side minus the other)."))
    mistakes.insert(0, _vector_mistake(key))
    variable = rf"\mathbf{{{wrt}}}"
    chain = "" if (f if by_w else g) in (_IDENTITY,) else (
        rf" The chain rule multiplies by the derivative of the inner map {'g' if by_w else 'h'}, "
        rf"${_tex((slope.text()), _GIVEN)}$.")
    steps = (
        rf"Element-wise diagonal condition: $f_i = {_scalar_form(op, 'g(w_i)', 'h(x_i)')}$, "
        rf"with $g(\mathbf{{w}}) = {_tex(fw.text(), _GIVEN)}$ and $h(\mathbf{{x}}) = "
        rf"{_tex(gx.text(), _GIVEN)}$, depends on ${variable}$ only through ${wrt}_i$, so "
        rf"$\partial\mathbf{{f}}/\partial {variable}$ is the diagonal matrix "
        rf"$\operatorname{{diag}}(\partial f_i/\partial {wrt}_i)$.",
        rf"The {_RULES[op]} for scalars: {rule}.{chain}",
    )
    last = rf"So the diagonal is ${_tex(key.flat(), _GIVEN)}$"
    return Draft(_GIVEN, wrt, function, key.jacobian(), "jacobian",
                 (*steps, last + rf" and $\partial\mathbf{{f}}/\partial {variable} = "
                  rf"{_tex(key.jacobian(), _GIVEN)}$."),
                 tuple(mistakes),
                 (*steps, last + "; " + _in_denominator(wrt, _tex(key.jacobian(), _GIVEN))))


def _same_variable(rng: random.Random, form: Form) -> Draft:
    """Difficulty 3: y = f(x) ○ g(x), both operands functions of x."""
    given = "x[n]"
    numeric = form == "numeric"
    op = rng.choice(("+", "-", "*", "/"))
    maps = [m for m in _maps(rng) if m.rational or not numeric]
    if op == "/":  # a denominator that is never 0; any numerator
        g = rng.choice([m for m in maps if m.nonzero])
        f = rng.choice([m for m in maps if (m.slope, m.factor) != (g.slope, g.factor)])
    else:  # at least one non-linear operand; different derivatives (no cancelling)
        f = rng.choice(maps[1:])
        g = rng.choice([m for m in maps if (m.slope, m.factor) != (f.slope, f.factor)])
    if rng.random() < 0.5 and op in "+*":
        f, g = g, f
    fx, gx, df, dg = f.of("x"), g.of("x"), f.derivative("x"), g.derivative("x")
    function = _apply(op, fx.text(), gx.text())
    mistakes: list[Mistake] = []
    if op in "+-":
        subtract = op == "-"
        if df.constant and dg.constant:  # not reached: f is non-linear
            raise AssertionError("two linear maps")
        if df.constant:
            key = _Derivative(vector=f"{df.text()} {op} {_wrap(dg.text())}")
        else:
            key = _Derivative(vector=_sum(df, dg, subtract))
        if subtract:
            mistakes.append(Mistake(f"diag({_sum(df, dg)})", "sign",
                                    "The difference rule subtracts the derivative of the "
                                    "second operand."))
        rule = ("the derivative of a difference is the difference of the derivatives"
                if subtract else "the derivative of a sum is the sum of the derivatives")
    elif op == "*":
        key = _Derivative(vector=_sum(df.times(gx), fx.times(dg)))
        mistakes.append(Mistake(f"diag({df.times(dg).text()})", "product_of_derivatives",
                                "The derivative of a product is not the product of the "
                                "derivatives: use the product rule."))
        mistakes.append(Mistake(f"diag({df.times(gx).text()})", "missing_product_term",
                                "x appears in both factors: the product rule gives two terms."))
        rule = r"$(gh)' = g'h + gh'$"
    else:
        numerator = _sum(df.times(gx), fx.times(dg), subtract=True)
        square = _square(gx.text())
        key = _Derivative(vector=f"({numerator}) ./ {_wrap(square)}")
        mistakes.append(Mistake(f"diag(({_sum(df.times(gx), fx.times(dg))}) ./ "
                                f"{_wrap(square)})", "quotient_rule_sign",
                                "The quotient rule subtracts: (a'b - ab')/b^2."))
        mistakes.append(Mistake(f"diag(({df.text()}) ./ ({dg.text()}))",
                                "quotient_of_derivatives",
                                "The derivative of a quotient is not the quotient of the "
                                "derivatives: use the quotient rule."))
        rule = r"$(g/h)' = (g'h - gh')/h^2$"
    mistakes.insert(0, _vector_mistake(key))
    steps = (
        rf"Element-wise diagonal condition: $f_i = {_scalar_form(op, 'g(x_i)', 'h(x_i)')}$ "
        r"depends on $\mathbf{x}$ only through $x_i$, so the Jacobian is "
        r"$\operatorname{diag}(\partial f_i/\partial x_i)$.",
        rf"With $g(\mathbf{{x}}) = {_tex(fx.text(), given)}$ and $h(\mathbf{{x}}) = "
        rf"{_tex(gx.text(), given)}$, element by element {rule}, with "
        rf"$g' = {_tex(df.text(), given)}$ and $h' = {_tex(dg.text(), given)}$.",
    )
    return Draft(given, "x", function, key.jacobian(), "jacobian",
                 (*steps, rf"So $\partial\mathbf{{f}}/\partial\mathbf{{x}} = "
                  rf"{_tex(key.jacobian(), given)}$."),
                 tuple(mistakes),
                 (*steps, "So " + _in_denominator("x", _tex(key.jacobian(), given))))


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if difficulty == 3:
        return _same_variable(rng, form)
    return _separate(rng, difficulty, form)


FAMILY = Family(
    name="elementwise_binary",
    title="Element-wise binary operators",
    source="Parr & Howard §4.2 (element-wise diagonal condition)",
    difficulties=(1, 2, 3),
    forms=("symbolic", "numeric"),
    draft=draft,
)
