"""Scalar derivative rules and partial derivatives (Parr & Howard §2 "Review: Scalar derivative
rules" and §3 "Introduction to vector calculus and partial derivatives").

Explicit form (given ``x, y``, with respect to ``x, y``): the gradient row [∂f/∂x, ∂f/∂y].
Difficulty 1: polynomial terms, e.g. ∇(3x²y) = [6xy, 3x²] (the paper's example is one of the
draws).  2: a product of functions of different variables (sin, cos, exp of kx, powers) plus a
single-variable term (ln x² among them): the chain factor k, and y held constant in ∂/∂x.
3: a product of two functions of the same variable: the product rule.

Symbolic form (given ``x`` and parameters ``a, b``, with respect to ``x``): df/dx.
Difficulty 1: a polynomial with parameters.  2: the product rule, (x^p + a)·h(x).  3: the chain
rule, g(a x^p + c) for g ∈ {sin, cos, exp, (·)^k}.  The numeric form keeps only the rational
draws (h and g polynomial).

The derivatives are written by the rules, term by term (:class:`Term` holds c·x^p·y^q·sin(kx)…
and applies the power, chain and product rules to it): no computer algebra.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.language.parser import parse
from grader.language.printing import print_latex
from grader.verdict import Mistake

#: Order of the letters in a printed product: parameters first, then the variables.
ORDER = "abcdxyz"
ELEMENTARY = ("sin", "cos", "exp")


@dataclass(frozen=True)
class Factor:
    """An elementary function of one variable: sin, cos or exp of k·v, or ln of k·v²."""

    name: str
    k: int
    var: str

    def text(self) -> str:
        if self.name == "ln":
            return f"ln({self.var}^2)" if self.k == 1 else f"ln({self.k} {self.var}^2)"
        return f"{self.name}({self.var})" if self.k == 1 else f"{self.name}({self.k} {self.var})"


@dataclass(frozen=True)
class Term:
    """coef · Π vᵉ · Π factors; exponents are non-zero (negative ones print as a quotient)."""

    coef: int
    powers: tuple[tuple[str, int], ...] = ()
    factors: tuple[Factor, ...] = ()

    def key(self) -> tuple[tuple[tuple[str, int], ...], tuple[Factor, ...]]:
        return self.powers, self.factors


def term(coef: int, powers: dict[str, int] | None = None,
         factors: Sequence[Factor] = ()) -> Term:
    """A term with its powers and factors in canonical order."""
    clean = sorted(((v, e) for v, e in (powers or {}).items() if e != 0),
                   key=lambda item: ORDER.index(item[0]))
    return Term(coef, tuple(clean), tuple(sorted(factors, key=lambda f: (
        ORDER.index(f.var), f.name, f.k))))


@dataclass(frozen=True)
class Slip:
    """Which rule to misapply when writing a typical wrong derivative."""

    power_off_by_one: bool = False  # d xᵖ = p xᵖ
    no_chain: bool = False  # d sin(kx) = cos(kx)
    cos_sign: bool = False  # d cos = sin
    first_part_only: bool = False  # product rule: only the first factor differentiated
    last_part_only: bool = False  # product rule: only the last factor differentiated


def derivative(t: Term, v: str, slip: Slip = Slip()) -> list[Term]:
    """∂t/∂v by the power, chain and product rules (other letters are constants)."""
    parts: list[Term] = []
    powers = dict(t.powers)
    e = powers.get(v, 0)
    if e:
        lowered = dict(powers)
        lowered[v] = e if slip.power_off_by_one else e - 1
        parts.append(term(t.coef * e, lowered, t.factors))
    for index, f in enumerate(t.factors):
        if f.var != v:
            continue
        others = t.factors[:index] + t.factors[index + 1:]
        k = 1 if slip.no_chain else f.k
        if f.name == "sin":
            parts.append(term(t.coef * k, powers, (*others, Factor("cos", f.k, v))))
        elif f.name == "cos":
            sign = 1 if slip.cos_sign else -1
            parts.append(term(sign * t.coef * k, powers, (*others, Factor("sin", f.k, v))))
        elif f.name == "exp":
            parts.append(term(t.coef * k, powers, (*others, f)))
        else:  # ln(k v²) → 2/v
            lowered = dict(powers)
            lowered[v] = powers.get(v, 0) - 1
            parts.append(term(2 * t.coef, lowered, others))
    if len(parts) > 1 and slip.first_part_only:
        parts = parts[:1]
    elif len(parts) > 1 and slip.last_part_only:
        parts = parts[-1:]
    return parts


def d_sum(terms: Sequence[Term], v: str, slip: Slip = Slip()) -> list[Term]:
    return collect([part for t in terms for part in derivative(t, v, slip)])


def collect(terms: Sequence[Term]) -> list[Term]:
    """Like terms added, zeros dropped, first-appearance order kept."""
    coefs: dict[tuple[tuple[tuple[str, int], ...], tuple[Factor, ...]], int] = {}
    for t in terms:
        coefs[t.key()] = coefs.get(t.key(), 0) + t.coef
    return [Term(c, p, f) for (p, f), c in coefs.items() if c != 0]


def same(a: Sequence[Term], b: Sequence[Term]) -> bool:
    """Equal as functions (monomials times distinct elementary functions are independent)."""
    return {t.key(): t.coef for t in collect(a)} == {t.key(): t.coef for t in collect(b)}


def _power(v: str, e: int) -> str:
    return v if e == 1 else f"{v}^{e}"


def _product(t: Term, magnitude: int) -> str:
    top = [_power(v, e) for v, e in t.powers if e > 0] + [f.text() for f in t.factors]
    bottom = [_power(v, -e) for v, e in t.powers if e < 0]
    if magnitude != 1 or not top:
        top.insert(0, str(magnitude))
    text = " ".join(top)
    if bottom:
        under = " ".join(bottom)
        text += f" / ({under})" if len(bottom) > 1 else f" / {under}"
    return text


def show(terms: Sequence[Term]) -> str:
    """A sum of terms as a teacher writes it: ``6 x y - 2 sin(3 y)``; ``0`` when empty."""
    out = ""
    for t in collect(terms):
        body = _product(t, abs(t.coef))
        if not out:
            out = f"-{body}" if t.coef < 0 else body
        else:
            out += f" - {body}" if t.coef < 0 else f" + {body}"
    return out or "0"


def nonzero(rng: random.Random, low: int = 1, high: int = 5, signed: bool = True) -> int:
    value = rng.randint(low, high)
    return -value if signed and rng.random() < 0.3 else value


def elementary(rng: random.Random, v: str, names: Sequence[str] = ELEMENTARY) -> Factor:
    return Factor(rng.choice(list(names)), rng.randint(1, 3), v)


# --- the explicit form: gradients of f(x, y) -------------------------------------------------

_VARIABLES = ("x", "y")


def _gradient(terms: Sequence[Term], slip: Slip = Slip()) -> list[list[Term]]:
    return [d_sum(terms, v, slip) for v in _VARIABLES]


def _row(parts: Sequence[Sequence[Term]]) -> str:
    return "[" + ", ".join(show(p) for p in parts) + "]"


def _column(parts: Sequence[Sequence[Term]]) -> str:
    return "[" + "; ".join(show(p) for p in parts) + "]"


def _explicit_terms(rng: random.Random, difficulty: int) -> list[Term]:
    if difficulty == 1:
        terms = [term(nonzero(rng, 1, 5, signed=False),
                      {"x": rng.randint(1, 3), "y": rng.randint(1, 3)})]
        for v in rng.sample(_VARIABLES, rng.randint(0, 2)):
            terms.append(term(nonzero(rng), {v: rng.randint(2, 4)}))
        return terms
    if difficulty == 2:
        # g(x)·h(y), at least one of them elementary, plus a one-variable term.
        x_part = rng.choice(("power", "elementary"))
        y_part = "power" if x_part == "elementary" and rng.random() < 0.5 else "elementary"
        powers: dict[str, int] = {}
        factors: list[Factor] = []
        for v, part in (("x", x_part), ("y", y_part)):
            if part == "power":
                powers[v] = rng.randint(1, 3)
            else:
                factors.append(elementary(rng, v))
        v = rng.choice(_VARIABLES)
        single = elementary(rng, v, (*ELEMENTARY, "ln"))
        return [term(nonzero(rng, 1, 4, signed=False), powers, factors),
                term(nonzero(rng, 1, 4), {}, [single])]
    # a product of a power and an elementary function of the same variable: the product rule.
    v, other = rng.sample(_VARIABLES, 2)
    first = term(nonzero(rng, 1, 4, signed=False),
                 {v: rng.randint(1, 3), other: rng.randint(1, 2)}, [elementary(rng, v)])
    second = term(nonzero(rng), {other: rng.randint(2, 4)})
    return [first, second]


def _explicit(rng: random.Random, difficulty: int) -> Draft:
    terms = _explicit_terms(rng, difficulty)
    gradient = _gradient(terms)
    key = _row(gradient)
    mistakes: list[Mistake] = [
        Mistake(_column(gradient), "layout",
                "That is the gradient laid out the other way: check the layout of this sheet."),
    ]
    fx, fy = gradient
    both = [*fx, *fy]
    candidates: list[tuple[list[list[Term]], Mistake]] = [
        (_gradient(terms, Slip(power_off_by_one=True)),
         Mistake("", "power_rule_off_by_one", "The power rule lowers the exponent by one: "
                 "d(x^p)/dx = p x^(p-1).")),
        ([both, both], Mistake("", "other_variable_not_constant",
                               "In a partial derivative the other variable is a constant: "
                               "its derivative is 0, not 1.")),
        (_gradient(terms, Slip(no_chain=True)),
         Mistake("", "missing_chain_factor", "The chain rule multiplies by the inner "
                 "derivative: d sin(kx)/dx = k cos(kx).")),
        (_gradient(terms, Slip(cos_sign=True)),
         Mistake("", "cos_sign", "d cos(u)/du = -sin(u): the sign is negative.")),
        (_gradient(terms, Slip(first_part_only=True)),
         Mistake("", "missing_product_rule_term",
                 "The product rule has two terms: (uv)' = u'v + uv'.")),
        ([fy, fx], Mistake("", "swapped", "The first entry is the derivative with respect to "
                           "x, the second with respect to y.")),
    ]
    mistakes += _distinct(gradient, candidates, _row)
    steps, denominator = _explicit_steps(terms, gradient, difficulty)
    return Draft("x, y", "x, y", show(terms), key, "gradient", steps, tuple(mistakes),
                 denominator)


def _distinct(key: Sequence[Sequence[Term]],
              candidates: Sequence[tuple[list[list[Term]], Mistake]],
              printer: Callable[[Sequence[Sequence[Term]]], str]) -> list[Mistake]:
    """The candidates that differ from the key and from each other, with their answers."""
    seen: list[Sequence[Sequence[Term]]] = [key]
    out = []
    for parts, mistake in candidates:
        if any(all(same(a, b) for a, b in zip(parts, s, strict=True)) for s in seen):
            continue
        seen.append(parts)
        out.append(Mistake(printer(parts), mistake.note, mistake.feedback))
    return out


def _chain_example(terms: Sequence[Term]) -> str:
    """The rule that differentiates the elementary factors of ``terms``, in words: the chain
    rule shown on a factor with an inner function, or the plain rules when there is none."""
    factors = [f for t in terms for f in t.factors]
    inner = [f for f in factors if f.k != 1 or f.name == "ln"]
    if not inner:
        names = ", ".join(dict.fromkeys(rf"$\{f.name}$" for f in factors))
        return f"Each elementary factor differentiates by the rules for {names}."
    factor = inner[0]
    v, k = factor.var, factor.k
    if factor.name == "ln":
        argument = f"{k if k != 1 else ''}{v}^2"
        return (rf"Chain rule: $\frac{{d}}{{d{v}}}\ln({argument}) = \frac{{1}}{{{argument}}}"
                rf"\cdot {2 * k}{v} = \frac{{2}}{{{v}}}$.")
    outer = {"sin": r"\cos", "cos": r"\sin", "exp": r"\exp"}[factor.name]
    return (rf"Chain rule: the inner function ${k}{v}$ contributes its derivative {k}, as in "
            rf"$\frac{{d}}{{d{v}}}\{factor.name}({k}{v}) = "
            rf"{'-' if factor.name == 'cos' else ''}{k}{outer}({k}{v})$.")


def _explicit_steps(terms: Sequence[Term], gradient: Sequence[Sequence[Term]],
                    difficulty: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The worked solution in numerator and in denominator layout."""
    fx, fy = (_tex(show(part), "x, y") for part in gradient)
    rules = {1: "the power rule and the constant-multiple rule",
             2: "the chain rule and the power rule",
             3: "the product rule $(uv)' = u'v + uv'$ with the chain rule"}[difficulty]
    common = (
        r"A partial derivative treats the other variable as a constant: in "
        r"$\partial f/\partial x$, $y$ behaves like a number, and a term without $x$ gives 0.",
        *((_chain_example(terms),) if difficulty == 2 else ()),
        rf"Term by term, by {rules}: $\partial f/\partial x = {fx}$ and "
        rf"$\partial f/\partial y = {fy}$.",
    )
    return ((*common, r"In numerator layout the gradient is the row of partials, "
             r"$[\partial f/\partial x, \partial f/\partial y]$."),
            (*common, r"In denominator layout the gradient is the column of partials, "
             r"$[\partial f/\partial x; \partial f/\partial y]$."))


# --- the symbolic form: df/dx with parameters -----------------------------------------------

#: The closing sentence of a denominator-layout solution whose variable and function are scalars.
_SCALAR = (r"Both $f$ and $x$ are scalars, so denominator layout has nothing to arrange: the "
           r"derivative is the scalar")

def _symbolic(rng: random.Random, difficulty: int, rational: bool) -> Draft:
    if difficulty == 1:
        p, r = rng.sample([2, 3, 4, 5], 2)
        terms = [term(1, {"a": 1, "x": p}), term(nonzero(rng), {"x": r}), term(1, {"b": 1})]
        if rng.random() < 0.5:
            terms.insert(2, term(nonzero(rng), {"a": 1, "x": 1}))
        key = d_sum(terms, "x")
        candidates: list[tuple[list[list[Term]], Mistake]] = [
            ([d_sum(terms, "x", Slip(power_off_by_one=True))],
             Mistake("", "power_rule_off_by_one",
                     "The power rule lowers the exponent by one: d(x^p)/dx = p x^(p-1).")),
            ([[*key, *d_sum(terms, "a"), *d_sum(terms, "b")]],
             Mistake("", "parameter_differentiated",
                     "a and b are constants: only x varies, so b differentiates to 0 and a "
                     "stays as a factor.")),
            ([[*key, term(1, {"b": 1})]],
             Mistake("", "constant_kept", "A constant term differentiates to 0.")),
        ]
        return Draft(
            "x, a, b", "x", show(terms), show(key), "derivative",
            (r"The derivative of a sum is the sum of the derivatives; constants ($a$, $b$) "
             r"behave like numbers.",
             r"Power rule $d(x^p)/dx = p x^{p-1}$ with the constant-multiple rule, term by "
             rf"term: $df/dx = {_tex(show(key))}$; the constant $b$ gives 0."),
            tuple(_distinct([key], candidates, lambda parts: show(parts[0]))),
            (r"The derivative of a sum is the sum of the derivatives; constants ($a$, $b$) "
             r"behave like numbers.",
             r"Power rule $d(x^p)/dx = p x^{p-1}$ with the constant-multiple rule, term by "
             rf"term; the constant $b$ gives 0. {_SCALAR} $df/dx = {_tex(show(key))}$."),
        )
    if difficulty == 2:
        return _product_rule(rng, rational)
    return _chain_rule(rng, rational)


def paren(text: str) -> str:
    """``text`` in parentheses when it is a sum or difference."""
    return f"({text})" if " + " in text or " - " in text else text


def prod(coef: int, *factors: str) -> str:
    """c·f₁·f₂… as text; a coefficient ±1 is written as a sign only."""
    body = " ".join(f for f in factors if f)
    if not body:
        return str(coef)
    if coef == 1:
        return body
    if coef == -1:
        return f"-{body}"
    return f"{coef} {body}"


def plus(*terms: str) -> str:
    """A sum of signed terms: ``a + -b`` is written ``a - b``."""
    out = terms[0]
    for t in terms[1:]:
        out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
    return out


def _product_rule(rng: random.Random, rational: bool) -> Draft:
    p = rng.randint(2, 3)
    g, dg = f"x^{p} + a", _power("x", p - 1)  # g' = p x^(p-1)
    choice = "poly" if rational else rng.choice(("poly", "sin", "cos", "exp"))
    q = rng.randint(1, 3)
    if choice == "poly":
        c = rng.randint(2, 5)
        h = f"{_power('x', q)} + {c} b"
        h_coef, h_body = q, _power("x", q - 1) if q > 1 else ""
    else:
        k = rng.randint(2, 4)
        h = f"{choice}({k} x)"
        h_coef, h_body = {"sin": (k, f"cos({k} x)"), "cos": (-k, f"sin({k} x)"),
                          "exp": (k, f"exp({k} x)")}[choice]
    dh = prod(h_coef, h_body)
    first = prod(p, dg, paren(h))
    second = prod(h_coef, h_body, f"({g})")
    mistakes = [
        Mistake(prod(p * q, _power("x", p + q - 2)) if choice == "poly" else
                prod(p * h_coef, dg, h_body), "product_of_derivatives",
                "The derivative of a product is not the product of the derivatives: "
                "(uv)' = u'v + uv'."),
        Mistake(first, "missing_product_rule_term",
                "The product rule has two terms: the second factor must be differentiated too."),
        Mistake(second, "missing_product_rule_term",
                "The product rule has two terms: the first factor must be differentiated too."),
    ]
    if choice == "cos":
        mistakes.append(Mistake(plus(first, prod(-h_coef, h_body, f"({g})")), "cos_sign",
                                "d cos(u)/du = -sin(u): the sign is negative."))
    given = "x, a, b" if choice == "poly" else "x, a"
    steps = (r"Product rule: $(uv)' = u'v + uv'$ with $u = " + _tex(g) + r"$ and $v = " + _tex(h)
             + r"$.",
             r"$u' = " + _tex(prod(p, dg)) + r"$ (the constant $a$ gives 0) and $v' = " + _tex(dh)
             + r"$.")
    key = plus(first, second)
    return Draft(given, "x", f"({g}) {paren(h)}", key, "derivative", steps, tuple(mistakes),
                 (*steps, rf"{_SCALAR} $df/dx = u'v + uv' = {_tex(key, given)}$."))


#: outer function g: (text of g(u), text of g'(u)), with U standing for u.
_OUTER = {
    "sin": ("sin(U)", "cos(U)"),
    "cos": ("cos(U)", "-sin(U)"),
    "exp": ("exp(U)", "exp(U)"),
}


def _chain_rule(rng: random.Random, rational: bool) -> Draft:
    p = rng.randint(2, 3)
    c = rng.randint(1, 5)
    inner = f"a x^{p} + {c}"
    du = f"{p} a {_power('x', p - 1)}"
    choice = "pow" if rational else rng.choice(("pow", "sin", "cos", "exp"))
    if choice == "pow":
        k = rng.randint(2, 4)
        function = f"({inner})^{k}"
        outer_prime = f"({inner})" if k == 2 else f"({inner})^{k - 1}"
        key = f"{k * p} a {_power('x', p - 1)} {outer_prime}"
        mistakes = [
            Mistake(f"{k} {outer_prime}", "missing_inner_derivative",
                    "The chain rule multiplies by the derivative of the inside, "
                    f"d({inner})/dx = {du}."),
            Mistake(f"{k} ({du})" + (f"^{k - 1}" if k > 2 else ""), "derivative_inside",
                    "Differentiate the outside at the inside, then multiply by the inside's "
                    "derivative: g'(u(x)) u'(x), not g'(u'(x))."),
        ]
        gprime_tex = rf"{k} u" if k == 2 else rf"{k} u^{{{k - 1}}}"
    else:
        outer, outer_d = _OUTER[choice]
        function = outer.replace("U", inner)
        at_u = outer_d.replace("U", inner)
        sign, body = ("-", at_u[1:]) if at_u.startswith("-") else ("", at_u)
        key = f"{sign}{p} a {_power('x', p - 1)} {body}"
        mistakes = [
            Mistake(at_u, "missing_inner_derivative",
                    "The chain rule multiplies by the derivative of the inside, "
                    f"d({inner})/dx = {du}."),
            Mistake(outer_d.replace("U", du), "derivative_inside",
                    "Differentiate the outside at the inside, then multiply by the inside's "
                    "derivative: g'(u(x)) u'(x), not g'(u'(x))."),
        ]
        if choice == "cos":
            mistakes.append(Mistake(f"{p} a {_power('x', p - 1)} {body}", "cos_sign",
                                    "d cos(u)/du = -sin(u): the sign is negative."))
        gprime_tex = _tex(outer_d.replace("U", "u"), "u")
    return Draft(
        "x, a", "x", function, key, "derivative",
        (rf"Chain rule: with $u = {_tex(inner)}$, $df/dx = (df/du)(du/dx)$.",
         rf"$df/du = {gprime_tex}$ and $du/dx = {_tex(du)}$; substitute $u$ back."),
        tuple(mistakes),
        (rf"Chain rule: with $u = {_tex(inner)}$, $df/dx = (df/du)(du/dx)$; for scalars the "
         r"order of the factors does not matter.",
         rf"$df/du = {gprime_tex}$ and $du/dx = {_tex(du)}$; substitute $u$ back. "
         rf"{_SCALAR} $df/dx = {_tex(key, 'x, a')}$."),
    )


def _tex(text: str, given: str = "x, a, b") -> str:
    return print_latex(parse(text, given))


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if form == "explicit":
        return _explicit(rng, difficulty)
    return _symbolic(rng, difficulty, rational=form == "numeric")


FAMILY = Family(
    name="scalar_rules",
    title="Scalar derivative rules and partial derivatives",
    source="Parr & Howard §2 (scalar derivative rules), §3 (partial derivatives, "
           "∇(3x²y) = [6yx, 3x²])",
    difficulties=(1, 2, 3),
    forms=("explicit", "symbolic", "numeric"),
    draft=draft,
)
