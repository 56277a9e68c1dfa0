"""Parse-tree rules to typed nodes, applied by the LALR parser as it reduces each rule.

The nodes built here are *raw*: names are still :class:`Name` and inferred sizes are unknown.
:mod:`grader.language.typecheck` resolves them against the declarations.  Building while parsing
(lark's ``transformer=`` option) keeps no intermediate tree and never recurses, so deeply nested
input cannot exhaust the stack here.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from lark import Token, Transformer

from grader.errors import ParseError
from grader.language import nodes as n
from grader.language import reading
from grader.language.limits import Limits
from grader.language.shapes import Dim

#: Spellings of each function, by canonical name.
FUNCTION_ALIASES = {
    "ln": "log", "sgn": "sign", "sigmoid": "sigma", "ReLU": "relu", "trace": "tr", "Tr": "tr",
}
_UNARY = {
    "sum": n.Sum, "tr": n.Trace, "det": n.Det, "diag": n.Diag, "softmax": n.Softmax,
    "vec": n.Vec, "inv": n.Inverse, "transpose": n.Transpose,
}
_BINARY = {"hadamard": n.Hadamard, "kron": n.Kron, "max": n.Max}
#: Every function spelling the language knows (the grammar's FUNC terminal lists the same).
FUNCTION_NAMES = frozenset(
    {*n.ELEMENTWISE_FUNCTIONS, *_UNARY, *_BINARY, "norm", "eye", "ones", "zeros",
     *FUNCTION_ALIASES}
)
_MULOPS = {"STAR": None, "DIV": n.Div, "HAD": n.Hadamard, "EDIV": n.ElemDiv, "KRON": n.Kron}
_GREEK_VARIANTS = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varrho": "rho"}
_MATRIX_ENVIRONMENTS = ("bmatrix", "pmatrix", "matrix", "Bmatrix", "smallmatrix", "vmatrix")

Item = n.Node | Token


def span_of(*items: Any) -> tuple[int, int] | None:
    """The smallest span covering the given tokens and nodes."""
    starts: list[int] = []
    ends: list[int] = []
    for item in items:
        if isinstance(item, Token) and item.start_pos is not None and item.end_pos is not None:
            starts.append(item.start_pos)
            ends.append(item.end_pos)
        elif isinstance(item, n.Node) and item.span is not None:
            starts.append(item.span[0])
            ends.append(item.span[1])
        elif isinstance(item, (list, tuple)):
            inner = span_of(*item)
            if inner is not None:
                starts.append(inner[0])
                ends.append(inner[1])
    return (min(starts), max(ends)) if starts else None


def error(message: str, *items: Any, code: str = "syntax") -> ParseError:
    where = span_of(*items)
    return ParseError(
        message,
        position=where[0] if where else None,
        end=where[1] if where else None,
        code=code,
    )


def _dim(item: n.Node | Token, what: str) -> Dim:
    """A dimension written as an argument or subscript: a positive integer or a dim symbol."""
    if isinstance(item, Token):
        text = item.value
        if item.type == "NUMBER" and text.isdigit() and int(text) > 0:
            return Dim.of(int(text))
        if item.type == "NAME":
            return Dim.of(text)
    elif isinstance(item, n.Number) and item.value.denominator == 1 and item.value > 0:
        return Dim.of(int(item.value))
    elif isinstance(item, n.Name):
        return Dim.of(item.text)
    elif isinstance(item, n.Mul):  # eye(m*n)
        product = Dim.of(1)
        for factor in item.factors:
            product = product * _dim(factor, what)
        return product
    raise error(f"{what} must be a positive integer or a dimension such as n", item)


class Builder(Transformer[Token, Any]):
    """One callback per grammar rule (lark calls them by rule name or alias)."""

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits

    # --- sums and products ------------------------------------------------------------------

    def sum(self, children: list[Item]) -> n.Node:
        terms: list[n.Node] = [_node(children[0])]
        for op, operand in zip(children[1::2], children[2::2], strict=True):
            term = _node(operand)
            if isinstance(op, Token) and op.type == "MINUS":
                term = n.Neg(term, span=span_of(op, term))
            terms.append(term)
        return n.Add(tuple(terms), span=span_of(terms))

    def neg(self, children: list[Item]) -> n.Node:
        sign, operand = children
        return n.Neg(_node(operand), span=span_of(sign, operand))

    def pos(self, children: list[Item]) -> n.Node:
        return _node(children[1])

    def mulop(self, children: list[Token]) -> Token:
        return children[0]

    def product(self, children: list[Item]) -> n.Node:
        """Left to right; consecutive ``*``/juxtapositions form one n-ary :class:`Mul`."""
        run: list[n.Node] = [_node(children[0])]  # factors of the product being gathered
        index = 1
        while index < len(children):
            item = children[index]
            if isinstance(item, Token):
                operator = _MULOPS[item.type]
                operand = _node(children[index + 1])
                index += 2
            else:
                operator = None
                operand = _node(item)
                index += 1
            if operator is None:
                _after_bare_call(run[-1], operand)
                run.append(operand)
            else:
                left = _product(run)
                run = [operator(left, operand, span=span_of(left, operand))]
        return _product(run)

    # --- powers and postfix operators -------------------------------------------------------

    def pow(self, children: list[Item]) -> n.Node:
        base, operator, exponent = (_node(children[0]), children[1], _node(children[2]))
        where = span_of(base, operator, exponent)
        if isinstance(exponent, n.TransposeMark):
            return n.Transpose(base, span=where)
        if isinstance(exponent, n.Neg) and isinstance(exponent.arg, n.TransposeMark):
            return n.Transpose(n.Inverse(base, span=where), span=where)
        if isinstance(exponent, n.Neg) and exponent.arg == n.Number(Fraction(1)):
            return n.Inverse(base, span=where)
        return n.Pow(base, exponent, span=where)

    def elempow(self, children: list[Item]) -> n.Node:
        base, exponent = _node(children[0]), _node(children[2])
        return n.ElemPow(base, exponent, span=span_of(children))

    def transpose(self, children: list[Item]) -> n.Node:
        return n.Transpose(_node(children[0]), span=span_of(children))

    def inverse(self, children: list[Item]) -> n.Node:
        return n.Inverse(_node(children[0]), span=span_of(children))

    def invtranspose(self, children: list[Item]) -> n.Node:
        where = span_of(children)
        return n.Transpose(n.Inverse(_node(children[0]), span=where), span=where)

    # --- atoms ------------------------------------------------------------------------------

    def number(self, children: list[Token]) -> n.Node:
        (token,) = children
        digits = len(token.value.replace(".", ""))
        if digits > self.limits.max_literal_digits:
            raise error(
                f"number too long ({digits} digits; the limit is "
                f"{self.limits.max_literal_digits})",
                token, code="limit",
            )
        return n.Number(Fraction(token.value), span=span_of(token))

    def scinumber(self, children: list[Token]) -> n.Node:
        (token,) = children
        mantissa, _, exponent = token.value.lower().partition("e")
        raise error(
            f"'{token.value}' is ambiguous: write {mantissa}*10^{exponent.lstrip('+')} for the "
            f"number, or put a space or * around e for the constant e",
            token,
        )

    def name(self, children: list[Token]) -> n.Node:
        (token,) = children
        return n.Name(token.value, span=span_of(token))

    def greek(self, children: list[Token]) -> n.Node:
        (token,) = children
        text = token.value.lstrip("\\")
        return n.Name(_GREEK_VARIANTS.get(text, text), span=span_of(token))

    def top(self, children: list[Token]) -> n.Node:
        return n.TransposeMark(span=span_of(children))

    def group(self, children: list[Item]) -> n.Node:
        return _node(children[1]).with_span(span_of(children))

    def styled(self, children: list[Item]) -> n.Node:
        """``\\mathbf{x}`` is ``x``; ``\\mathbf{1}``/``\\mathbf{0}`` are ones and zeros."""
        inner = _node(children[1])
        where = span_of(children)
        if inner == n.Number(Fraction(1)):
            return n.Ones(None, span=where)
        if inner == n.Number(Fraction(0)):
            return n.Zeros(None, None, span=where)
        if isinstance(inner, n.Name) and inner.text == "I":
            return n.Name("I", span=where)
        return inner

    def subscripted(self, children: list[Item]) -> n.Node:
        """``x_{i}``, ``I_{n}``, ``1_n``, ``\\mathbf{1}_{n}``, ``\\mathbf{0}_{m \\times n}``."""
        base = children[1] if isinstance(children[0], Token) and children[0].type == "STYLE" \
            else children[0]
        subscript = children[-1]
        assert isinstance(subscript, tuple)
        where = span_of(children[0], children[-2], subscript[1])
        if isinstance(base, Token):
            base = self.greek([base]) if base.type == "GREEK" else \
                self.number([base]) if base.type == "NUMBER" else self.name([base])
        if isinstance(base, n.Ones) or base == n.Number(Fraction(1)):
            return n.Ones(_single_dim(subscript), span=where)
        if isinstance(base, n.Zeros) or base == n.Number(Fraction(0)):
            dims = subscript[0]
            return n.Zeros(dims[0], dims[1] if len(dims) > 1 else Dim.of(1), span=where)
        if base == n.Name("I"):
            return n.Identity(_single_dim(subscript), span=where)
        if isinstance(base, n.Name) and len(subscript[0]) == 1:
            dim = subscript[0][0]
            if (dim.coefficient != 1 and dim.symbols) or len(dim.symbols) > 1:
                raise error("a name's subscript is one name or number: x_{i}", *subscript[1])
            return n.Name(f"{base.text}_{dim.as_product()}", span=where)
        raise error("a subscript is only allowed on a name, on 1 or on 0", *children)

    def subscript(self, children: list[Item]) -> tuple[tuple[Dim, ...], list[Item]]:
        """The dims of a subscript (each a positive integer, a name or a product) and its tokens."""
        dims: list[Dim] = []
        tokens: list[Item] = []
        for child in children:
            if isinstance(child, Token) and child.type in ("NAME", "NUMBER"):
                dims.append(_subscript_part(child))
                tokens.append(child)
            elif isinstance(child, list):  # subscript_dim: a product of sizes
                product = Dim.of(1)
                for token in child:
                    product = product * _subscript_part(token)
                dims.append(product)
                tokens.extend(child)
            else:
                tokens.append(child)
        return tuple(dims), tokens

    def subscript_dim(self, children: list[Token]) -> list[Token]:
        return children

    def bracket(self, children: list[Item]) -> n.Node:
        rows = children[1]
        assert isinstance(rows, list)
        where = span_of(children)
        entries = [entry for row in rows for entry in row]
        inner = [e for e in entries if isinstance(e, n.Matrix)]
        if inner and len(rows) == 1 and len(inner) == len(entries) and \
                all(len(e.rows) == 1 for e in inner):
            return _matrix([list(e.rows[0]) for e in inner], where)  # [[a, b], [c, d]]
        if inner and len(entries) > 1:
            raise error(
                "a matrix can't mix nested [ ] rows with plain entries; write [a, b; c, d] "
                "or [[a, b], [c, d]]",
                inner[0], code="ragged",
            )
        return _matrix(rows, where)

    def rows(self, children: list[Item]) -> list[list[n.Node]]:
        return [row for row in children if isinstance(row, list)]

    def row(self, children: list[Item]) -> list[n.Node]:
        return [_node(c) for c in children if not isinstance(c, Token)]

    env_rows = rows
    env_row = row

    def environment(self, children: list[Item]) -> n.Node:
        begin, rows = children[0], children[1]
        assert isinstance(begin, Token) and isinstance(rows, list)
        name = begin.value[begin.value.index("{") + 1 : -1].strip()
        if name not in _MATRIX_ENVIRONMENTS:
            raise error(
                f"unsupported environment '{name}'; use bmatrix, pmatrix or matrix",
                begin,
            )
        matrix = _matrix(rows, span_of(children))
        return n.Det(matrix, span=matrix.span) if name == "vmatrix" else matrix

    def norm(self, children: list[Item]) -> n.Node:
        inner = _node(children[1])
        where = span_of(children)
        p = 2
        if len(children) > 3:
            subscript = children[-1]
            assert isinstance(subscript, tuple)
            tokens = [t for t in subscript[1] if isinstance(t, Token) and t.type not in
                      ("LBRACE", "RBRACE")]
            text = "".join(t.value for t in tokens)
            if text == "1":
                p = 1
            elif text not in ("2", "F"):
                raise error(f"unknown norm subscript '{text}': use 2, F (Frobenius) or 1",
                            *tokens)
            return n.Norm(inner, p, text == "2", span=where)
        return n.Norm(inner, p, span=where)

    def absolute(self, children: list[Item]) -> n.Node:
        where = span_of(children)
        context = reading.current()
        if context is not None and where is not None:
            context.bars.add(where)
        return n.Apply("abs", _node(children[1]), span=where)

    def frac(self, children: list[Item]) -> n.Node:
        return n.Div(_node(children[2]), _node(children[5]), span=span_of(children))

    # --- functions --------------------------------------------------------------------------

    def function(self, children: list[Token]) -> Token:
        (token,) = children
        context = reading.current()
        if context is not None and token.start_pos is not None:
            context.call_starts.add(token.start_pos)
        text = token.value
        if text.startswith("\\"):
            text = text[text.index("{") + 1 : text.rindex("}")] if "{" in text else text[1:]
        text = text.strip()
        return Token.new_borrow_pos("FUNCTION", FUNCTION_ALIASES.get(text, text), token)

    def call(self, children: list[Item]) -> n.Node:
        head = children[0]
        assert isinstance(head, Token)
        args = [c for c in children[1:] if isinstance(c, n.Node)]
        bare = not any(isinstance(c, Token) and c.type in ("LPAR", "LBRACE") for c in children)
        where = span_of(children)
        name = head.value
        if name == "sqrt" and bare and isinstance(args[0], n.Matrix):
            raise error("only square roots have a function: write another root as a power, "
                        "as in b^(1/3)", *children)
        node = self.apply(head, args, bare, where)
        context = reading.current()
        if bare and context is not None and where is not None:
            context.bare_calls[where] = name
            written = " ".join(context.text[where[0]:where[1]].split())
            context.note("bare_function",
                         f"read '{written}' as {name}({_ascii(args[0])}): without parentheses "
                         "a function takes the factor right after it", where)
        return node

    def power_call(self, children: list[Item]) -> n.Node:
        """``\\tanh^2(z)``: the exponent is a whole number from 2 up (``^{-1}`` is refused)."""
        head, power = children[0], children[2]
        assert isinstance(head, Token) and isinstance(power, Token)
        exponent = self.number([power])
        if not isinstance(exponent, n.Number) or exponent.value.denominator != 1 or \
                exponent.value < 1:
            raise error("a power written on a function must be a whole number, as in "
                        "\\sin^2 x", power)
        call = self.call([head, *children[3:]])
        where = span_of(children)
        context = reading.current()
        if context is not None and context.notes and context.notes[-1].kind == "bare_function":
            written = " ".join(context.text[where[0]:where[1]].split()) if where else ""
            context.notes[-1] = reading.Note(
                "bare_function", f"read '{written}' as {_ascii(call)}^{exponent.value}: without "
                "parentheses a function takes the factor right after it", where)
        return n.FunctionPower(call.with_span(where), exponent, span=where)

    def function_power(self, children: list[Token]) -> Token:
        return next(t for t in children if t.type == "NUMBER")

    def inverse_call(self, children: list[Item]) -> n.Node:
        head = children[0]
        assert isinstance(head, Token)
        raise error(f"{head.value}^-1 would be the inverse function, which the language doesn't "
                    f"have; for a reciprocal write {head.value}(x)^-1 or 1 / {head.value}(x)",
                    head, children[1])

    def coefficient(self, children: list[Item]) -> n.Node:
        """``\\cos 2x``: the number and the factor after it are the operand together."""
        number = self.number([children[0]])  # type: ignore[list-item]
        operand = _node(children[1])
        return n.Mul((number, operand), span=span_of(children))

    def apply(self, head: Token, args: list[n.Node], bare: bool,
              where: tuple[int, int] | None) -> n.Node:
        name = head.value
        if name in n.ELEMENTWISE_FUNCTIONS:
            _arity(head, args, 1)
            return n.Apply(name, args[0], span=where)
        if name in _UNARY:
            _arity(head, args, 1)
            return _UNARY[name](args[0], span=where)
        if name in _BINARY:
            if bare:
                raise error(f"{name} needs parentheses: {name}(a, b)", head)
            _arity(head, args, 2)
            return _BINARY[name](args[0], args[1], span=where)
        if name == "norm":
            _arity(head, args, 1, 2)
            p = 2
            if len(args) == 2:
                if args[1] not in (n.Number(Fraction(1)), n.Number(Fraction(2))):
                    raise error("the second argument of norm must be 1 or 2", args[1])
                p = int(args[1].value) if isinstance(args[1], n.Number) else 2
            return n.Norm(args[0], p, len(args) == 2 and p == 2, span=where)
        if bare:
            raise error(f"{name} needs parentheses: {name}(n)", head)
        if name == "eye":
            _arity(head, args, 1)
            return n.Identity(_dim(args[0], "the size of eye"), span=where)
        if name == "ones":
            _arity(head, args, 1)
            return n.Ones(_dim(args[0], "the size of ones"), span=where)
        if name == "zeros":
            _arity(head, args, 1, 2)
            rows = _dim(args[0], "the size of zeros")
            cols = _dim(args[1], "the size of zeros") if len(args) == 2 else Dim.of(1)
            return n.Zeros(rows, cols, span=where)
        raise error(f"unknown function {name}", head)  # pragma: no cover - grammar lists all

    # --- declarations -----------------------------------------------------------------------

    def declarations(self, children: list[Item]) -> list[tuple[Token, list[Token]]]:
        return [c for c in children if isinstance(c, tuple)]

    def declaration(self, children: list[Item]) -> tuple[Token, list[Token]]:
        name = children[0]
        assert isinstance(name, Token)
        dims = [c for c in children[1:] if isinstance(c, Token) and c.type in ("NAME", "NUMBER")]
        return name, dims

    def declared_name(self, children: list[Token]) -> Token:
        return children[0]

    def start(self, children: list[n.Node]) -> n.Node:
        return children[0]


def _after_bare_call(previous: n.Node, following: n.Node) -> None:
    """``\\sin x \\cos x`` is sin(x) cos(x), but ``tr X B`` may be tr(X B) or tr(X) B."""
    context = reading.current()
    if context is None or previous.span not in context.bare_calls:
        return
    if following.span is not None and following.span[0] in context.call_starts:
        return
    assert previous.span is not None
    whole = (previous.span[0], following.span[1] if following.span else previous.span[1])
    written = " ".join(context.text[whole[0]:whole[1]].split())
    name = context.bare_calls[previous.span]
    call = previous.call if isinstance(previous, n.FunctionPower) else previous
    argument = _ascii(next(call.children()))
    rest = _ascii(following)
    raise error(
        f"'{written}' is ambiguous: it can be {name}({argument} {rest}) or "
        f"{name}({argument}) {rest}; write the parentheses",
        previous, following, code="ambiguous",
    )


def _ascii(node: n.Node) -> str:
    """A short text of a raw subtree for a note; deep ones are elided (notes stay linear)."""
    from grader.language.printing.ascii import print_ascii

    if node.depth > 12:
        return "…"

    try:
        return print_ascii(node)
    except Exception:  # a raw node the printer doesn't know: the caret still shows the place
        return "…"


def _node(item: Item | object) -> n.Node:
    if not isinstance(item, n.Node):  # pragma: no cover - the grammar guarantees it
        raise TypeError(f"expected a node, got {item!r}")
    return item


def _product(factors: list[n.Node]) -> n.Node:
    if len(factors) == 1:
        return factors[0]
    return n.Mul(tuple(factors), span=span_of(factors[0], factors[-1]))


def _arity(head: Token, args: Sequence[n.Node], *allowed: int) -> None:
    if len(args) not in allowed:
        expected = " or ".join(str(a) for a in allowed)
        plural = "s" if allowed[-1] != 1 else ""
        raise error(f"{head.value} takes {expected} argument{plural}, not {len(args)}", head,
                    *args)


def _subscript_part(token: Token) -> Dim:
    if token.type == "NUMBER":
        if not token.value.isdigit() or int(token.value) == 0:
            raise error("a size in a subscript must be a positive whole number or a name",
                        token)
        return Dim.of(int(token.value))
    return Dim.of(token.value)


def _single_dim(subscript: tuple[tuple[Dim, ...], list[Item]]) -> Dim:
    dims = subscript[0]
    if len(dims) != 1:
        raise error("give one size here, as in 1_n or I_n", *subscript[1])
    return dims[0]


def _matrix(rows: list[list[n.Node]], where: tuple[int, int] | None) -> n.Matrix:
    width = len(rows[0])
    for index, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise error(
                f"row {index} has {len(row)} entr{'y' if len(row) == 1 else 'ies'} but row 1 has "
                f"{width}: every row of a matrix needs the same number of entries",
                *row, code="ragged",
            )
    return n.Matrix(tuple(tuple(row) for row in rows), span=where)
