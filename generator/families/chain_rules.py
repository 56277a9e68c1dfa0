"""The chain rules (Parr & Howard §4.5 "The Chain Rules": §4.5.1 single-variable, §4.5.2
single-variable total-derivative, §4.5.3 vector chain rule).

Explicit form (scalars, with respect to x):
1. single-variable chain rule, g(a xᵖ) for g ∈ {sin, cos, exp} and ln(a xᵖ + c):
   sin(x²) → 2x cos(x²);
2. the single-variable total-derivative chain rule, where x reaches f directly and through
   u(x): a x + b xᵖ (x + x² → 1 + 2x), g(a x + b xᵖ) (sin(x + x²) → (1 + 2x) cos(x + x²)),
   a x^q·xᵖ (x·x² → 3x²) and a x^q·sin(kx);
3. a double nesting, ln(g(a xᵖ)²) (ln(sin(x³)²) → 6x² cos(x³)/sin(x³)), or the vector chain rule
   for a vector of functions of one scalar, f(g(x)) with g = [a x²; 3x; …]
   ([ln x², sin 3x] → [2/x; 3 cos 3x], a column).

Symbolic form (x ∈ Rⁿ, element-wise maps; the vector chain rule):
1. g(a x) for a scalar a → a diag(g′(a x));
2. g(x .^ p) → diag(p x^(p−1) ⊙ g′(x^p)), or the total derivative x ⊙ g(x) →
   diag(g(x) + x ⊙ g′(x));
3. g(W x + b) → diag(g′(W x + b)) W (an m×n product whose order matters), or the gradient of
   sum(g(W x + b)), g′(W x + b)ᵀ W.
Denominator-layout solutions are worked in that layout: the chain rule's factors transposed and
in reverse order (Wᵀ diag(g′(W x + b))), a gradient a column, a vector by a scalar a row.
The numeric form keeps the rational draws (g a power).
"""

from __future__ import annotations

import random
from dataclasses import replace

from generator.families.scalar_rules import paren, plus, prod
from generator.families.writing import renamed
from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.language.parser import parse
from grader.language.printing import print_latex
from grader.verdict import Mistake

_MISSING_INNER = ("missing_inner_derivative",
                  "The chain rule multiplies by the derivative of the inside: "
                  "dy/dx = (dy/du)(du/dx).")
_INSIDE = ("derivative_inside", "Differentiate the outside at the inside, then multiply by the "
           "inside's derivative: g'(u(x)) u'(x), not g'(u'(x)).")
_COS_SIGN = ("cos_sign", "d cos(u)/du = -sin(u): the sign is negative.")
_DIRECT = ("dropped_direct_path", "x reaches f directly as well as through u: the total "
           "derivative adds both paths, df/dx = ∂f/∂x + (∂f/∂u)(du/dx).")
_INDIRECT = ("dropped_path_through_u", "x reaches f through u too: add (∂f/∂u)(du/dx).")
_DIAG = ("vector_instead_of_diag", "The Jacobian of an element-wise map is the diagonal "
         "matrix diag(...), not the vector of derivatives (element-wise diagonal condition).")


def _mistake(pair: tuple[str, str], answer: str) -> Mistake:
    return Mistake(answer, pair[0], pair[1])


def pw(v: str, e: int) -> str:
    """vᵉ as text; empty for e = 0."""
    return "" if e == 0 else v if e == 1 else f"{v}^{e}"


def _tex(text: str, given: str) -> str:
    return print_latex(parse(text, given))


#: g: (g(U), g'(U)) for an element-wise or scalar g, U standing for its argument.
_OUTER = {
    "sin": ("sin(U)", "cos(U)"),
    "cos": ("cos(U)", "-sin(U)"),
    "exp": ("exp(U)", "exp(U)"),
    "tanh": ("tanh(U)", "1 - tanh(U) .^ 2"),
}


def _at(template: str, u: str) -> str:
    return template.replace("U", u)


def _times(coef_text: str, derivative: str) -> str:
    """``coef_text`` · g'(u), keeping a leading minus of g' in front."""
    if derivative.startswith("-"):
        return prod(-1, coef_text, derivative[1:])
    return prod(1, coef_text, derivative)


# --- explicit: scalars --------------------------------------------------------------------

def _single(rng: random.Random) -> Draft:
    outer = rng.choice(("sin", "cos", "exp", "ln"))
    if outer == "ln":
        p, a, c = rng.choice((2, 4)), rng.randint(1, 3), rng.randint(1, 5)
        inner = plus(prod(a, pw("x", p)), str(c))
        du = prod(a * p, pw("x", p - 1))
        return Draft(
            "x", "x", f"ln({inner})", f"{du} / ({inner})", "derivative",
            (rf"Let $u = {_tex(inner, 'x')}$; then $y = \ln u$ and $dy/dx = (dy/du)(du/dx)$.",
             rf"$dy/du = 1/u$ and $du/dx = {_tex(du, 'x')}$."),
            (_mistake(_MISSING_INNER, f"1 / ({inner})"),
             _mistake(_INSIDE, f"1 / ({du})")),
        )
    p = rng.randint(2, 3)
    a = rng.randint(1, 2 if outer == "exp" else 4)
    inner = prod(a, pw("x", p))
    du = prod(a * p, pw("x", p - 1))
    g, dg = _OUTER[outer]
    mistakes = [_mistake(_MISSING_INNER, _at(dg, inner)), _mistake(_INSIDE, _at(dg, du))]
    if outer == "cos":
        mistakes.append(_mistake(_COS_SIGN, prod(1, du, _at(dg, inner)[1:])))
    return Draft(
        "x", "x", _at(g, inner), _times(du, _at(dg, inner)), "derivative",
        (rf"Let $u = {_tex(inner, 'x')}$; then $y = {_tex(_at(g, 'u'), 'u')}$ and "
         r"$dy/dx = (dy/du)(du/dx)$ (single-variable chain rule).",
         rf"$dy/du = {_tex(_at(dg, 'u'), 'u')}$ and $du/dx = {_tex(du, 'x')}$; substitute $u$ "
         r"back."),
        tuple(mistakes),
    )


def _total(rng: random.Random) -> Draft:
    choice = rng.choice(("sum", "outer", "product", "product_sin"))
    steps_intro = (r"The total-derivative chain rule: when $x$ reaches $f$ directly and through "
                   r"an intermediate $u(x)$, $\frac{df}{dx} = \frac{\partial f}{\partial x} + "
                   r"\frac{\partial f}{\partial u}\frac{du}{dx}$.")
    if choice in ("sum", "outer"):
        a, b, p = rng.randint(1, 4), rng.choice((1, 2, 3, -1, -2)), rng.randint(2, 3)
        inside = plus(prod(a, "x"), prod(b, pw("x", p)))
        via_u = prod(b * p, pw("x", p - 1))
        both = plus(str(a), via_u)
        if choice == "sum":
            return Draft(
                "x", "x", inside, both, "derivative",
                (steps_intro,
                 rf"With $u = {_tex(pw('x', p), 'x')}$: $\partial f/\partial x = {a}$ and "
                 rf"$(\partial f/\partial u)(du/dx) = {_tex(via_u, 'x')}$."),
                (_mistake(_DIRECT, via_u), _mistake(_INDIRECT, str(a))),
            )
        outer = rng.choice(("sin", "cos", "exp"))
        g, dg = _OUTER[outer]
        mistakes = [_mistake(_DIRECT, _times(via_u, _at(dg, inside))),
                    _mistake(_MISSING_INNER, _at(dg, inside))]
        if outer == "cos":
            mistakes.append(_mistake(_COS_SIGN, prod(1, f"({both})", _at(dg, inside)[1:])))
        return Draft(
            "x", "x", _at(g, inside), _times(f"({both})", _at(dg, inside)), "derivative",
            (rf"Let $v = {_tex(inside, 'x')}$; by the single-variable chain rule "
             rf"$df/dx = {_tex(_at(dg, 'v'), 'v')}\, dv/dx$.",
             rf"$x$ reaches $v$ directly and through $u = {_tex(pw('x', p), 'x')}$, so by the "
             r"total-derivative chain rule $\frac{dv}{dx} = \frac{\partial v}{\partial x} + "
             rf"\frac{{\partial v}}{{\partial u}}\frac{{du}}{{dx}} = {_tex(both, 'x')}$."),
            tuple(mistakes),
        )
    a, q = rng.randint(1, 3), rng.randint(1, 3)
    if choice == "product":
        p = rng.randint(2, 3)
        direct = prod(a * q, pw("x", q + p - 1))
        indirect = prod(a * p, pw("x", q + p - 1))
        mistakes = [_mistake(_DIRECT, indirect)]
        if q != p:
            mistakes.append(_mistake(_INDIRECT, direct))
        mistakes.append(Mistake(prod(a * q * p, pw("x", q + p - 2)), "product_of_derivatives",
                                "The derivative of a product is not the product of the "
                                "derivatives."))
        return Draft(
            "x", "x", prod(a, pw("x", q), pw("x", p)), prod(a * (q + p), pw("x", q + p - 1)),
            "derivative",
            (steps_intro,
             rf"With $u = {_tex(pw('x', p), 'x')}$ and $f = {_tex(prod(a, pw('x', q)), 'x')} u$: "
             rf"$\partial f/\partial x = {_tex(prod(a * q, pw('x', q - 1), 'u'), 'x, u')}$ and "
             rf"$(\partial f/\partial u)(du/dx) = {_tex(prod(a, pw('x', q)), 'x')} \cdot "
             rf"{_tex(prod(p, pw('x', p - 1)), 'x')}$; substitute $u$ and add."),
            tuple(mistakes),
        )
    k = rng.randint(2, 4)
    direct = prod(a * q, pw("x", q - 1), f"sin({k} x)")
    indirect = prod(a * k, pw("x", q), f"cos({k} x)")
    return Draft(
        "x", "x", prod(a, pw("x", q), f"sin({k} x)"), plus(direct, indirect), "derivative",
        (steps_intro,
         rf"With $u = \sin({k}x)$: $\partial f/\partial x = {_tex(direct, 'x')}$ and "
         rf"$(\partial f/\partial u)(du/dx) = {_tex(indirect, 'x')}$."),
        (_mistake(_DIRECT, indirect), _mistake(_INDIRECT, direct)),
    )


def _nested(rng: random.Random) -> Draft:
    p, a = rng.randint(2, 3), rng.randint(1, 3)
    inner = prod(a, pw("x", p))
    outer = rng.choice(("sin", "cos"))
    other = "cos" if outer == "sin" else "sin"
    sign = 1 if outer == "sin" else -1
    ratio = f"{other}({inner}) / {outer}({inner})"
    key = prod(sign * 2 * a * p, pw("x", p - 1), ratio)
    return Draft(
        "x", "x", f"ln({outer}({inner})^2)", key, "derivative",
        (rf"Three nested functions: $u_1 = {_tex(inner, 'x')}$, $u_2 = \{outer}(u_1)$, "
         r"$u_3 = u_2^2$, $y = \ln u_3$; multiply the derivatives along the chain.",
         r"$dy/du_3 = 1/u_3$, $du_3/du_2 = 2u_2$, $du_2/du_1 = "
         + (r"\cos u_1" if outer == "sin" else r"-\sin u_1")
         + rf"$, $du_1/dx = {_tex(prod(a * p, pw('x', p - 1)), 'x')}$; "
         rf"$\frac{{2 u_2}}{{u_2^2}} = \frac{{2}}{{u_2}}$ simplifies the product."),
        (Mistake(prod(sign * a * p, pw("x", p - 1), ratio), "missing_factor_2",
                 "The square contributes a factor 2: d(u^2)/du = 2u."),
         _mistake(_MISSING_INNER, prod(sign * 2, ratio)),
         Mistake(f"1 / {outer}({inner})^2", "outer_only",
                 "That is only d(ln v)/dv: the chain rule multiplies by the derivative of every "
                 "inner function.")),
    )


#: vector chain pieces: kind -> (f_i(x), df_i/dx, the derivative without the inner factor)
def _piece(kind: str, rng: random.Random) -> tuple[str, str, str]:
    if kind == "ln":
        a = rng.randint(1, 3)
        u = prod(a, "x^2")
        return f"ln({u})", "2 / x", f"1 / ({u})" if a > 1 else "1 / x^2"
    if kind == "exp":
        c = rng.randint(1, 2)
        u = prod(c, "x^2")
        return f"exp({u})", prod(2 * c, "x", f"exp({u})"), f"exp({u})"
    c = rng.randint(2, 4)
    g, dg = _OUTER[kind]
    return _at(g, f"{c} x"), _times(str(c), _at(dg, f"{c} x")), _at(dg, f"{c} x")


def _vector(rng: random.Random) -> Draft:
    m = rng.choice((2, 3))
    kinds = rng.sample(["ln", "sin", "cos", "exp"], m)
    pieces = [_piece(kind, rng) for kind in kinds]
    column = "[" + "; ".join(d for _, d, _ in pieces) + "]"
    row = "[" + ", ".join(d for _, d, _ in pieces) + "]"
    denominator = (
        r"Vector chain rule: $\mathbf{y} = \mathbf{f}(\mathbf{g}(x))$ with $g_i$ the inner "
        r"function of component $i$; denominator layout multiplies the derivatives inner first, "
        r"$\partial\mathbf{y}/\partial x = "
        r"(\partial\mathbf{g}/\partial x)(\partial\mathbf{f}/\partial\mathbf{g})$.",
        r"$\partial\mathbf{f}/\partial\mathbf{g}$ is diagonal (each $f_i$ uses only $g_i$), so "
        r"entry $i$ is $g_i'(x)\, f_i'(g_i)$; in denominator layout a vector by a scalar is a row "
        rf"($1 \times {m}$): $\partial\mathbf{{y}}/\partial x = {_tex(row, 'x')}$.")
    return Draft(
        "x", "x", "[" + "; ".join(f for f, _, _ in pieces) + "]", column, "derivative",
        (r"Vector chain rule: $\mathbf{y} = \mathbf{f}(\mathbf{g}(x))$ with $g_i$ the inner "
         r"function of component $i$; $\partial\mathbf{y}/\partial x = "
         r"(\partial\mathbf{f}/\partial\mathbf{g})(\partial\mathbf{g}/\partial x)$.",
         r"$\partial\mathbf{f}/\partial\mathbf{g}$ is diagonal (each $f_i$ uses only $g_i$), so "
         r"row $i$ is $f_i'(g_i)\, g_i'(x)$; a vector by a scalar is a column "
         rf"(${m} \times 1$) in numerator layout."),
        (Mistake(row, "layout",
                 "That is the derivative laid out as a row: check the layout of this sheet."),
         _mistake(_MISSING_INNER, "[" + "; ".join(d for _, _, d in pieces) + "]")),
        denominator,
    )


def _scalar(made: Draft) -> Draft:
    """A scalar's derivative by a scalar, closed in denominator layout (where it is the same)."""
    return replace(made, denominator_steps=(
        *made.steps, r"The derivative of a scalar by a scalar is a single entry, written the same "
        rf"way in denominator layout: ${_tex(made.answer, 'x')}$."))


def _explicit(rng: random.Random, difficulty: int) -> Draft:
    if difficulty == 1:
        return _scalar(_single(rng))
    if difficulty == 2:
        return _scalar(_total(rng))
    return _scalar(_nested(rng)) if rng.random() < 0.5 else _vector(rng)


# --- symbolic: vectors, element-wise maps, matrices ---------------------------------------

_DIAGONAL_DENOMINATOR = (r"denominator layout, whose entry $(i, j)$ is $\partial y_j/\partial "
                         r"x_i$, gives the same diagonal matrix")


def _power_derivative(k: int, u: str) -> str:
    """d(u^k)/du for an element-wise power, as text: ``k u .^ (k-1)``."""
    return f"{k} {paren(u) if ' ' in u else u}" if k == 2 else f"{k} ({u}) .^ {k - 1}"


def _symbolic1(rng: random.Random, rational: bool) -> Draft:
    outer = "pow" if rational else rng.choice(("pow", "sin", "cos", "exp"))
    given = "x[n], a"
    if outer == "pow":
        k, c = rng.randint(2, 3), rng.randint(1, 5)
        base = f"a x + {c}"
        function = f"({base}) .^ {k}"
        in_diag, as_vector = (base, f"({base})") if k == 2 else (f"({base}) .^ {k - 1}",) * 2
        key = f"{k} a diag({in_diag})"
        mistakes = [_mistake(_DIAG, f"{k} a {as_vector}"),
                    _mistake(_MISSING_INNER, f"{k} diag({in_diag})")]
    else:
        g, dg = _OUTER[outer]
        function = _at(g, "a x")
        at = _at(dg, "a x")
        sign, body = ("-", at[1:]) if at.startswith("-") else ("", at)
        key = f"{sign}a diag({body})"
        mistakes = [_mistake(_DIAG, f"{sign}a {body}"),
                    _mistake(_MISSING_INNER, f"{sign}diag({body})")]
        if outer == "cos":
            mistakes.append(_mistake(_COS_SIGN, f"a diag({body})"))
    opening = (r"Element-wise map: $y_i$ depends only on $x_i$ (element-wise diagonal "
               r"condition), so the Jacobian is diagonal.")
    chain = r"Chain rule on each entry with $u_i = a x_i$, $du_i/d x_i = a$"
    return Draft(
        given, "x", function, key, "jacobian",
        (opening, rf"{chain}: $\partial\mathbf{{y}}/\partial\mathbf{{x}} = {_tex(key, given)}$."),
        tuple(mistakes),
        (opening, rf"{chain}; {_DIAGONAL_DENOMINATOR}: "
         rf"$\partial\mathbf{{y}}/\partial\mathbf{{x}} = {_tex(key, given)}$."),
    )


def _symbolic2(rng: random.Random, rational: bool) -> Draft:
    given = "x[n]"
    if rng.random() < 0.5:  # nested g(x .^ p)
        if rational:
            k, c = rng.randint(2, 3), rng.randint(1, 5)
            base = f"x .^ 2 + {c}"
            function = f"({base}) .^ {k}"
            in_diag, as_factor = (base, f"({base})") if k == 2 else \
                (f"({base}) .^ {k - 1}",) * 2
            key = f"{2 * k} diag(x .* {as_factor})"
            mistakes = [_mistake(_DIAG, f"{2 * k} x .* {as_factor}"),
                        _mistake(_MISSING_INNER, f"{k} diag({in_diag})"),
                        _mistake(_INSIDE, f"{k} diag(2 x)" if k == 2
                                 else f"{k} diag((2 x) .^ {k - 1})")]
        else:
            p = rng.randint(2, 3)
            outer = rng.choice(("sin", "cos", "exp"))
            g, dg = _OUTER[outer]
            u = f"x .^ {p}"
            inner_d = "x" if p == 2 else f"x .^ {p - 1}"
            function = _at(g, u)
            at = _at(dg, u)
            sign, body = ("-", at[1:]) if at.startswith("-") else ("", at)
            key = f"{sign}{p} diag({inner_d} .* {body})"
            mistakes = [_mistake(_DIAG, f"{sign}{p} {inner_d} .* {body}"),
                        _mistake(_MISSING_INNER, f"{sign}diag({body})"),
                        _mistake(_INSIDE, f"{sign}diag({_at(dg.lstrip('-'), f'{p} {inner_d}')})")]
        opening = (r"Element-wise: $y_i = g(u_i)$ with $u_i$ a function of $x_i$ alone, so the "
                   r"Jacobian is diagonal (element-wise diagonal condition).")
        return Draft(
            given, "x", function, key, "jacobian",
            (opening,
             r"Vector chain rule: $\partial\mathbf{y}/\partial\mathbf{x} = "
             r"\operatorname{diag}(g'(\mathbf{u}))\operatorname{diag}(\mathbf{u}') = "
             r"\operatorname{diag}(g'(\mathbf{u}) \odot \mathbf{u}')$."),
            tuple(mistakes),
            (opening,
             r"Vector chain rule in denominator layout, inner Jacobian first: "
             r"$\partial\mathbf{y}/\partial\mathbf{x} = "
             r"\operatorname{diag}(\mathbf{u}')\operatorname{diag}(g'(\mathbf{u})) = "
             rf"{_tex(key, given)}$ (diagonal matrices commute and are their own transposes)."),
        )
    # total derivative, element-wise: x .* g(x)
    if rational:
        k, c = rng.randint(2, 3), rng.randint(1, 5)
        g_text = f"(x + {c}) .^ {k}"
        dg_text = f"{k} x .* (x + {c})" if k == 2 else f"{k} x .* (x + {c}) .^ {k - 1}"
    else:
        outer = rng.choice(("sin", "cos", "exp"))
        k = rng.randint(2, 4)
        g_text = f"{outer}({k} x)"
        dg_text = {"sin": f"{k} x .* cos({k} x)", "cos": f"-{k} x .* sin({k} x)",
                   "exp": f"{k} x .* exp({k} x)"}[outer]
    both = plus(g_text, dg_text)
    opening = (r"Each $y_i = x_i\, g(x_i)$ uses $x_i$ directly and through $u_i = g(x_i)$: the "
               r"total-derivative rule (here the product rule) gives "
               r"$dy_i/d x_i = g(x_i) + x_i g'(x_i)$.")
    return Draft(
        given, "x", f"x .* {g_text}", f"diag({both})", "jacobian",
        (opening,
         r"The map is element-wise, so the Jacobian is the diagonal matrix of these."),
        (_mistake(_DIRECT, f"diag({dg_text})" if not dg_text.startswith("-")
                  else f"-diag({dg_text[1:]})"),
         _mistake(_INDIRECT, f"diag({g_text})"),
         _mistake(_DIAG, both)),
        (opening,
         rf"The map is element-wise, so the Jacobian is the diagonal matrix of these, and "
         rf"{_DIAGONAL_DENOMINATOR}: $\partial\mathbf{{y}}/\partial\mathbf{{x}} = "
         rf"{_tex(f'diag({both})', given)}$."),
    )


def _symbolic3(rng: random.Random, rational: bool) -> Draft:
    square = rng.random() < 0.4
    given = "x[n], W[n,n], b[n]" if square else "x[n], W[m,n], b[m]"
    u = "W x + b"
    if rational:
        g_text = f"({u}) .^ 2"
        d_vec, prefix, diag, d_row = f"2 ({u})", "2 ", f"diag({u})", f"2 ({u})^T"
    else:
        outer = rng.choice(("sin", "cos", "exp", "tanh"))
        g, dg = _OUTER[outer]
        g_text = _at(g, u)
        d_vec = _at(dg, u)
        prefix, diag = ("-", f"diag({d_vec[1:]})") if outer == "cos" else \
            ("", f"diag({d_vec})")
        d_row = {"cos": f"-{d_vec[1:]}^T", "tanh": f"({d_vec})^T"}.get(outer, f"{d_vec}^T")
    if rng.random() < 0.5:  # the Jacobian of g(Wx + b)
        jacobian = f"{prefix}{diag} W"
        mistakes = [_mistake(_DIAG, d_vec)]
        mistakes.append(Mistake(
            f"{prefix}W {diag}" if square else f"{prefix}W^T {diag}", "product_order",
            "The order matters: (∂y/∂u)(∂u/∂x) = diag(g'(u)) W, not W diag(g'(u))."
            if square else "The order matters: (∂y/∂u)(∂u/∂x) = diag(g'(u)) W, an m×n "
            "matrix."))
        mistakes.append(Mistake(f"{prefix}{diag}", "missing_inner_jacobian",
                                "The chain rule multiplies by ∂u/∂x = W."))
        return Draft(
            given, "x", g_text, jacobian, "jacobian",
            (r"Let $\mathbf{u} = W\mathbf{x} + \mathbf{b}$: $\partial\mathbf{u}/\partial"
             r"\mathbf{x} = W$, and $g$ acts element-wise, so $\partial g(\mathbf{u})/"
             r"\partial\mathbf{u} = \operatorname{diag}(g'(\mathbf{u}))$.",
             r"Vector chain rule: $\frac{\partial\mathbf{y}}{\partial\mathbf{x}} = "
             r"\frac{\partial\mathbf{y}}{\partial\mathbf{u}}\frac{\partial\mathbf{u}}"
             rf"{{\partial\mathbf{{x}}}} = {_tex(jacobian, given)}$; "
             r"the order matters."),
            tuple(mistakes),
            (r"Let $\mathbf{u} = W\mathbf{x} + \mathbf{b}$: in denominator layout "
             r"$\partial\mathbf{u}/\partial\mathbf{x} = W^{\top}$, one row per entry of "
             r"$\mathbf{x}$, and $g$ acts element-wise, so $\partial g(\mathbf{u})/"
             r"\partial\mathbf{u} = \operatorname{diag}(g'(\mathbf{u}))$, a diagonal matrix "
             r"(its own transpose).",
             r"Vector chain rule in denominator layout, inner Jacobian first: "
             r"$\frac{\partial\mathbf{y}}{\partial\mathbf{x}} = "
             r"\frac{\partial\mathbf{u}}{\partial\mathbf{x}}\frac{\partial\mathbf{y}}"
             rf"{{\partial\mathbf{{u}}}} = {_tex(print_column(jacobian, given), given)}$; "
             r"the order matters."),
        )
    key = f"{d_row} W"
    mistakes = [Mistake(print_column(key, given), "layout",
                        "That is the gradient laid out as a column: check the layout of this "
                        "sheet."),
                Mistake(d_row, "missing_inner_jacobian",
                        "The chain rule multiplies by ∂u/∂x = W.")]
    return Draft(
        given, "x", f"sum({g_text})", key, "gradient",
        (r"Let $\mathbf{u} = W\mathbf{x} + \mathbf{b}$; sum reduction gives "
         r"$\partial\,\operatorname{sum}(g(\mathbf{u}))/\partial\mathbf{u} = "
         r"\mathbf{1}^{\top}\operatorname{diag}(g'(\mathbf{u})) = g'(\mathbf{u})^{\top}$.",
         rf"Vector chain rule: multiply by $\partial\mathbf{{u}}/\partial\mathbf{{x}} = W$: "
         rf"${_tex(key, given)}$."),
        tuple(mistakes),
        (r"Let $\mathbf{u} = W\mathbf{x} + \mathbf{b}$; sum reduction gives, in denominator "
         r"layout, the column $\partial\,\operatorname{sum}(g(\mathbf{u}))/\partial\mathbf{u} = "
         r"\operatorname{diag}(g'(\mathbf{u}))\mathbf{1} = g'(\mathbf{u})$.",
         r"Vector chain rule in denominator layout, inner Jacobian first: multiply on the left "
         r"by $\partial\mathbf{u}/\partial\mathbf{x} = W^{\top}$: "
         rf"$\partial f/\partial\mathbf{{x}} = {_tex(print_column(key, given), given)}$, a "
         r"column like $\mathbf{x}$."),
    )


def print_column(row: str, given: str) -> str:
    """The transpose of a numerator-layout row, written out."""
    from generator.layout import transposed
    from grader.language.printing import print_ascii

    return print_ascii(transposed(parse(row, given)))


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if form == "explicit":
        return _explicit(rng, difficulty)
    rational = form == "numeric"
    if difficulty == 1:
        made = _symbolic1(rng, rational)
    elif difficulty == 2:
        made = _symbolic2(rng, rational)
    else:
        made = _symbolic3(rng, rational)
    # Names from the family's set: the vector x, v or h; the weights W or M.
    return renamed(made, {"x": rng.choice(("x", "v", "h")), "W": rng.choice(("W", "M"))})


FAMILY = Family(
    name="chain_rules",
    title="The chain rules",
    source="Parr & Howard §4.5.1–4.5.3 (single-variable, total-derivative and vector chain "
           "rules)",
    difficulties=(1, 2, 3),
    forms=("explicit", "symbolic", "numeric"),
    draft=draft,
)
