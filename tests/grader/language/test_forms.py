"""Every construct of the answer language, in each of its spellings, reads to one tree."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grader import ParseError, parse
from grader.language import nodes as n
from grader.language.shapes import Dim

GIVEN = (
    "x[n], y[n], z[n], w[1,n], A[n,n], B[n,n], C[m,n], X[n,n], a, b, c, d, t, "
    "W1[n,n], x_i[n], lambda, mu[n], Sigma[n,n]"
)

x, y, z, w = (n.Symbol(s) for s in "xyzw")
A, B, C, X = (n.Symbol(s) for s in "ABCX")
a, b, c, d = (n.Symbol(s) for s in "abcd")
nsym = Dim.of("n")


def num(value: str) -> n.Number:
    return n.Number(Fraction(value))


# (expected tree, spellings: ASCII forms first, then LaTeX forms)
FORMS: list[tuple[n.Node, list[str]]] = [
    # products: *, @, juxtaposition, \cdot, \times
    (n.Mul((A, x)), ["A*x", "A@x", "A x", "Ax", r"A \cdot x", r"A \times x", r"A\mathbf{x}",
                     "A·x", "A×x"]),
    (n.Mul((num("2"), x)), ["2x", "2*x", "2 x", r"2\mathbf{x}", r"2 \cdot \vec{x}"]),
    (n.Mul((num("2"), n.Add((A, B)))), ["2(A+B)", "2*(A + B)", r"2\left(A+B\right)",
                                         r"2 \bigl( A + B \bigr)"]),
    (n.Mul((n.Transpose(x), A, x)), ["x^T A x", "x' A x", "x.T A x", "transpose(x) A x",
                                     "x^TAx", r"\mathbf{x}^\top A \mathbf{x}",
                                     r"\mathbf{x}^{T} A \mathbf{x}", r"x^{\top}Ax",
                                     r"\boldsymbol{x}^\intercal A x", "xᵀAx"]),
    # powers
    (n.Pow(a, num("2")), ["a^2", "a**2", "a^{2}", "a²"]),
    (n.Pow(a, n.Neg(num("2"))), ["a^-2", "a^(-2)", "a^{-2}", "a**-2"]),
    (n.Pow(n.Constant("e"), n.Neg(a)), ["e^-a", "e^(-a)", "e^{-a}", r"\mathrm{e}^{-a}"]),
    # transpose, inverse, inverse transpose
    (n.Transpose(A), ["A^T", "A'", "A.T", "transpose(A)", "A^{T}", r"A^\top", r"A^{\top}",
                      r"A^{\mathsf{T}}", "Aᵀ"]),
    (n.Inverse(A), ["A^-1", "A^(-1)", "inv(A)", "A**-1", "A^{-1}", "A⁻¹"]),
    (n.Transpose(n.Inverse(A)), ["A^-T", "inv(A)^T", "A^-1^T", "A^(-T)", "A^{-T}",
                                 r"A^{-\top}", "A⁻ᵀ"]),
    (n.Inverse(n.Transpose(A)), ["(A^T)^-1", "inv(A')", r"\left(A^{\top}\right)^{-1}"]),
    # element-wise binary operators
    (n.Hadamard(x, y), ["x .* y", "hadamard(x, y)", "x ⊙ y", r"x \odot y", r"x \circ y"]),
    (n.ElemDiv(x, y), ["x ./ y", "x ⊘ y", r"\mathbf{x} \oslash \mathbf{y}"]),
    (n.ElemPow(x, num("2")), ["x .^ 2", "x.^2", r"x^{\circ 2}", r"\mathbf{x}^{\odot 2}"]),
    (n.Kron(A, B), ["kron(A, B)", "A ⊗ B", r"A \otimes B"]),
    # division
    (n.Div(x, a), ["x / a", "x/a", r"\frac{x}{a}", r"\dfrac{\mathbf{x}}{a}"]),
    (n.Mul((n.Div(num("1"), num("2")), x)), ["1/2 x", "(1/2) x", r"\frac{1}{2} x",
                                            r"\tfrac{1}{2}\mathbf{x}"]),
    # element-wise functions
    (n.Apply("exp", x), ["exp(x)", r"\exp(x)", r"\exp\left(\mathbf{x}\right)", r"\exp x"]),
    (n.Apply("log", x), ["log(x)", "ln(x)", r"\log x", r"\ln(x)", r"\operatorname{log}(x)"]),
    (n.Apply("sin", a), ["sin(a)", r"\sin a", r"\sin(a)", r"\sin{a}"]),
    (n.Apply("cos", a), ["cos(a)", r"\cos a"]),
    (n.Apply("tan", a), ["tan(a)", r"\tan(a)"]),
    (n.Apply("tanh", x), ["tanh(x)", r"\tanh(x)", r"\operatorname{tanh}(x)"]),
    (n.Apply("sqrt", a), ["sqrt(a)", r"\sqrt{a}", r"\sqrt a", "√a", "√(a)"]),
    (n.Apply("abs", x), ["abs(x)", "|x|", r"\left| x \right|", r"\lvert x \rvert",
                         r"\operatorname{abs}(x)"]),
    (n.Apply("sign", x), ["sign(x)", "sgn(x)", r"\operatorname{sign}(x)", r"\mathrm{sgn}(x)"]),
    (n.Apply("sigma", z), ["sigma(z)", "sigmoid(z)", r"\sigma(z)", r"\sigma\left(z\right)",
                           "σ(z)"]),
    (n.Apply("relu", z), ["relu(z)", "ReLU(z)", r"\operatorname{ReLU}(z)",
                          r"\text{relu}(z)"]),
    (n.Apply("step", z), ["step(z)", r"\operatorname{step}(z)"]),
    (n.Max(num("0"), z), ["max(0, z)", r"\max(0, z)", r"\max\{0, z\}",
                          r"\max\left(0, \mathbf{z}\right)"]),
    # reductions and matrix functions
    (n.Sum(x), ["sum(x)", r"\operatorname{sum}(x)", r"\mathrm{sum}(\mathbf{x})"]),
    (n.Trace(X), ["tr(X)", "trace(X)", "Tr(X)", r"\operatorname{tr}(X)", r"\mathrm{tr}\,X",
                  r"\text{tr}(X)", r"\operatorname{Tr} X"]),
    (n.Det(X), ["det(X)", r"\det X", r"\det(X)", r"\det\left(X\right)"]),
    (n.Norm(x, 2), ["norm(x)", "norm(x, 2)", "||x||", r"\|x\|", r"\|x\|_2", r"\lVert x \rVert",
                    r"\left\| \mathbf{x} \right\|", r"\left\lVert x \right\rVert_{2}", "‖x‖"]),
    (n.Norm(X, 2), ["norm(X)", r"\|X\|_F", r"\lVert X \rVert_{F}"]),
    (n.Norm(x, 1), ["norm(x, 1)", r"\|x\|_1", r"\lVert x \rVert_{1}"]),
    (n.Diag(x), ["diag(x)", r"\operatorname{diag}(x)", r"\mathrm{diag}(\mathbf{x})",
                 r"\text{diag}(x)"]),
    (n.Softmax(z), ["softmax(z)", r"\operatorname{softmax}(z)", r"\mathrm{softmax}(z)"]),
    (n.Vec(X), ["vec(X)", r"\operatorname{vec}(X)"]),
    # constants
    (n.Add((A, n.Identity(nsym))), ["A + I", "A + I_n", "A + eye(n)", r"A + I_{n}",
                                     r"A + \mathbf{I}", r"A + \mathbf{I}_n"]),
    (n.Add((x, n.Ones(nsym))), ["x + ones(n)", "x + 1_n", r"x + \mathbf{1}",
                                r"\mathbf{x} + \mathbf{1}_{n}"]),
    (n.Add((x, n.Zeros(nsym, Dim.of(1)))), ["x + zeros(n)", "x + zeros(n, 1)",
                                            r"x + \mathbf{0}", r"x + \mathbf{0}_{n}"]),
    (n.Add((A, n.Zeros(nsym, nsym))), ["A + zeros(n, n)", r"A + \mathbf{0}",
                                       r"A + \mathbf{0}_{n \times n}"]),
    (n.Mul((n.Constant("pi"), a)), ["pi a", "pi*a", r"\pi a", "πa"]),
    # explicit matrices
    (n.Matrix(((a, b), (c, d))), ["[a, b; c, d]", "[[a, b], [c, d]]",
                                  r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}",
                                  r"\begin{pmatrix} a & b \\ c & d \\ \end{pmatrix}",
                                  r"\begin{matrix} a & b \\ c & d \end{matrix}",
                                  r"\left[ a, b; c, d \right]"]),
    (n.Matrix(((a, b, c),)), ["[a, b, c]", "[[a, b, c]]",
                              r"\begin{bmatrix} a & b & c \end{bmatrix}"]),
    (n.Matrix(((a,), (b,), (c,))), ["[a; b; c]", "[[a], [b], [c]]",
                                    r"\begin{bmatrix} a \\ b \\ c \end{bmatrix}"]),
    (n.Matrix(((n.Mul((num("6"), a, b)), n.Mul((num("3"), n.Pow(a, num("2"))))),
               (num("2"), n.Mul((num("8"), n.Pow(b, num("7"))))))),
     ["[6ab, 3a^2; 2, 8b^7]", "[6 a b, 3 a^2; 2, 8 b^7]",
      r"\begin{bmatrix} 6ab & 3a^{2} \\ 2 & 8b^{7} \end{bmatrix}"]),
    # sums and signs
    (n.Add((x, n.Neg(y))), ["x - y", "x + -y", "x − y", "x – y", "+x - y"]),
    (n.Neg(n.Mul((num("2"), x))), ["-2x", "-(2 x)", r"-2\mathbf{x}"]),
    (n.Mul((a, n.Neg(b))), ["a * -b", "a (-b)", r"a \cdot -b"]),
    # names: Greek, subscripts, digits
    (n.Mul((n.Symbol("lambda"), x)), ["lambda x", r"\lambda x", "λx", "λ x"]),
    (n.Mul((n.Symbol("W1"), x)), ["W1 x", "W_1 x", r"W_{1} \mathbf{x}", r"W_1 x"]),
    (n.Add((n.Symbol("x_i"), x)), ["x_i + x", r"x_{i} + x", r"\mathbf{x}_i + \mathbf{x}"]),
    (n.Mul((n.Transpose(n.Symbol("mu")), n.Inverse(n.Symbol("Sigma")), n.Symbol("mu"))),
     ["mu^T Sigma^-1 mu", r"\boldsymbol{\mu}^\top \Sigma^{-1} \boldsymbol{\mu}", "μᵀΣ⁻¹μ"]),
    # numbers
    (n.Mul((num("0.5"), x)), ["0.5 x", "0.5*x", r"0.5\mathbf{x}"]),
]


@pytest.mark.parametrize(
    ("expected", "text"),
    [(tree, text) for tree, texts in FORMS for text in texts],
    ids=[text for _, texts in FORMS for text in texts],
)
def test_each_spelling_reads_to_the_same_tree(expected: n.Node, text: str) -> None:
    assert parse(text, GIVEN) == expected


def test_every_node_type_is_covered() -> None:
    """Adding a node type without a spelling in FORMS fails here."""
    covered: set[type] = set()

    def walk(node: n.Node) -> None:
        covered.add(type(node))
        for child in node.children():
            walk(child)

    for tree, _ in FORMS:
        walk(tree)
    public = {cls for cls in vars(n).values() if isinstance(cls, type)
              and issubclass(cls, n.Node) and cls.__module__ == n.__name__}
    internal = {n.Node, n.Unary, n.Binary, n.Name, n.TransposeMark, n.FunctionPower}
    assert public - internal - covered == set()


def test_juxtaposition_binds_like_times() -> None:
    assert parse("1/2x", GIVEN) == parse("(1/2) x", GIVEN)
    assert parse("a b / c d", GIVEN) == n.Mul((n.Div(n.Mul((a, b)), c), d))


def test_functions_without_parentheses_take_one_factor() -> None:
    assert parse(r"\sin a^2", GIVEN) == n.Apply("sin", n.Pow(a, num("2")))
    assert parse("sin(a)^2", GIVEN) == n.Pow(n.Apply("sin", a), num("2"))
    assert parse(r"\log \det X", GIVEN) == n.Apply("log", n.Det(X))
    with pytest.raises(ParseError, match=r"tr\(X B\) or tr\(X\) B"):
        parse("tr X B", GIVEN)  # two readings: refused, naming both
    assert parse(r"\sin a \cos a", GIVEN) == n.Mul((n.Apply("sin", a), n.Apply("cos", a)))


def test_powers_are_right_associative() -> None:
    assert parse("a^b^c", GIVEN) == n.Pow(a, n.Pow(b, c))


def test_parentheses_keep_grouping() -> None:
    assert parse("(a + b) + c", GIVEN) == n.Add((n.Add((a, b)), c))
    assert parse("a + b + c", GIVEN) == n.Add((a, b, c))
    assert parse("(a b) c", GIVEN) == n.Mul((n.Mul((a, b)), c))


def test_a_name_made_of_declared_names_is_their_product() -> None:
    assert parse("6ab", GIVEN) == n.Mul((num("6"), a, b))
    assert parse("x^TAx", GIVEN) == parse("x^T A x", GIVEN)


def test_grammar_lists_exactly_the_known_functions() -> None:
    import re
    from importlib import resources

    from grader.language.builder import FUNCTION_NAMES

    grammar = resources.files("grader.language").joinpath("grammar.lark").read_text("utf-8")
    match = re.search(r"^FUNC\.\d+: /\(([^)]*)\)", grammar, re.M)
    assert match is not None
    assert set(match.group(1).split("|")) == set(FUNCTION_NAMES)
