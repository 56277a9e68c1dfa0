"""Typed, immutable expression trees of the answer language.

Nodes compare by structure only: ``shape`` (filled in by type checking), ``span`` (where in the text
the node came from) and ``depth`` are carried along but ignored by ``==`` and ``hash``.  A resolved
tree (what :func:`grader.parse` returns) has a shape on every node and no :class:`Name` or
:class:`TransposeMark` left in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from typing import ClassVar, TypeVar

from grader.language.shapes import Dim, Shape

#: Element-wise scalar functions, applied entry by entry (``Apply.func``).
ELEMENTWISE_FUNCTIONS = (
    "exp", "log", "sin", "cos", "tan", "tanh", "sqrt", "abs", "sign", "sigma", "relu", "step",
)

N = TypeVar("N", bound="Node")


@dataclass(frozen=True)
class Node:
    shape: Shape | None = field(default=None, compare=False, repr=False, kw_only=True)
    span: tuple[int, int] | None = field(default=None, compare=False, repr=False, kw_only=True)
    depth: int = field(default=1, compare=False, repr=False, init=False)

    #: Names of the fields holding child nodes (a node, a tuple of nodes, or a tuple of rows).
    child_fields: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        deepest = max((child.depth for child in self.children()), default=0)
        object.__setattr__(self, "depth", deepest + 1)

    def children(self) -> Iterator[Node]:
        for name in self.child_fields:
            value = getattr(self, name)
            if isinstance(value, Node):
                yield value
            else:
                for item in value:
                    if isinstance(item, Node):
                        yield item
                    else:
                        yield from item

    def map_children(self: N, function: Callable[[Node], Node]) -> N:
        """A copy with ``function`` applied to every child (shape and span kept)."""
        changes: dict[str, object] = {}
        for name in self.child_fields:
            value = getattr(self, name)
            if isinstance(value, Node):
                changes[name] = function(value)
            elif value and isinstance(value[0], tuple):
                changes[name] = tuple(tuple(function(item) for item in row) for row in value)
            else:
                changes[name] = tuple(function(item) for item in value)
        return replace(self, **changes)  # type: ignore[arg-type]

    def with_field(self: N, name: str, value: object) -> N:
        """A copy with one field (a child, or a tuple of children) replaced."""
        return replace(self, **{name: value})  # type: ignore[arg-type]

    def with_shape(self: N, shape: Shape) -> N:
        """A copy with ``shape`` set (cheaper than ``replace``: nothing is recomputed)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        object.__setattr__(clone, "shape", shape)
        return clone

    def with_span(self: N, span: tuple[int, int] | None) -> N:
        """A copy that covers ``span`` (a group's parentheses, say)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        object.__setattr__(clone, "span", span)
        return clone

    @property
    def typed_shape(self) -> Shape:
        """The shape of a type-checked node (an error to ask before checking)."""
        if self.shape is None:
            raise ValueError(f"{type(self).__name__} has not been type-checked")
        return self.shape

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.compare)


def walk(*trees: Node) -> Iterator[Node]:
    """Every node of the trees, depth first, without recursion (trees can be deep)."""
    stack = list(trees)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children())


# --- leaves -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number(Node):
    """A non-negative decimal literal, kept exact (``0.5`` is ``Fraction(1, 2)``)."""

    value: Fraction


@dataclass(frozen=True)
class Symbol(Node):
    """A declared name."""

    name: str


@dataclass(frozen=True)
class Constant(Node):
    """``e`` or ``pi``."""

    name: str


@dataclass(frozen=True)
class Identity(Node):
    """``I`` (size inferred), ``I_n``, ``eye(n)``: after type checking ``size`` is always set."""

    size: Dim | None = None


@dataclass(frozen=True)
class Ones(Node):
    """A column of ones: ``ones(n)``, ``1_n``, ``\\mathbf{1}`` (size inferred)."""

    size: Dim | None = None


@dataclass(frozen=True)
class Zeros(Node):
    """A zero matrix: ``zeros(m, n)``, ``zeros(n)`` (a column), ``\\mathbf{0}`` (size inferred)."""

    rows: Dim | None = None
    cols: Dim | None = None


@dataclass(frozen=True)
class Matrix(Node):
    """An explicit matrix of scalar entries, row by row."""

    rows: tuple[tuple[Node, ...], ...]
    child_fields: ClassVar[tuple[str, ...]] = ("rows",)


# --- operators ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unary(Node):
    arg: Node
    child_fields: ClassVar[tuple[str, ...]] = ("arg",)


@dataclass(frozen=True)
class Binary(Node):
    left: Node
    right: Node
    child_fields: ClassVar[tuple[str, ...]] = ("left", "right")


@dataclass(frozen=True)
class Neg(Unary):
    pass


@dataclass(frozen=True)
class Add(Node):
    """A sum of two or more terms; ``a - b`` is ``Add((a, Neg(b)))``."""

    terms: tuple[Node, ...]
    child_fields: ClassVar[tuple[str, ...]] = ("terms",)


@dataclass(frozen=True)
class Mul(Node):
    """A product of two or more factors: matrix product, or scaling where a factor is 1×1."""

    factors: tuple[Node, ...]
    child_fields: ClassVar[tuple[str, ...]] = ("factors",)


@dataclass(frozen=True)
class Div(Binary):
    """Division by a scalar."""


@dataclass(frozen=True)
class Hadamard(Binary):
    """Element-wise product ``.*``, ⊙."""


@dataclass(frozen=True)
class ElemDiv(Binary):
    """Element-wise division ``./``, ⊘."""


@dataclass(frozen=True)
class Kron(Binary):
    """Kronecker product ⊗."""


@dataclass(frozen=True)
class Max(Binary):
    """Element-wise maximum, ``max(0, z)``."""


@dataclass(frozen=True)
class Pow(Node):
    """``base^exponent``: a scalar power, or an integer power of a square matrix."""

    base: Node
    exponent: Node
    child_fields: ClassVar[tuple[str, ...]] = ("base", "exponent")


@dataclass(frozen=True)
class ElemPow(Node):
    """Element-wise power ``x .^ 2``."""

    base: Node
    exponent: Node
    child_fields: ClassVar[tuple[str, ...]] = ("base", "exponent")


@dataclass(frozen=True)
class Transpose(Unary):
    pass


@dataclass(frozen=True)
class Inverse(Unary):
    pass


@dataclass(frozen=True)
class Apply(Node):
    """An element-wise function (one of :data:`ELEMENTWISE_FUNCTIONS`)."""

    func: str
    arg: Node
    child_fields: ClassVar[tuple[str, ...]] = ("arg",)


# --- reductions and matrix functions -----------------------------------------------------------


@dataclass(frozen=True)
class Sum(Unary):
    """Sum of all entries."""


@dataclass(frozen=True)
class Trace(Unary):
    pass


@dataclass(frozen=True)
class Det(Unary):
    pass


@dataclass(frozen=True)
class Norm(Node):
    """``p = 2``: Euclidean norm (Frobenius for matrices); ``p = 1``: sum of absolute values."""

    arg: Node
    p: int = 2
    #: Written with an explicit 2 (``\\|A\\|_2``, ``norm(A, 2)``): for a matrix that is the
    #: spectral norm, which the language does not have.  Not part of the tree's identity.
    written_two: bool = field(default=False, compare=False, repr=False)
    child_fields: ClassVar[tuple[str, ...]] = ("arg",)


@dataclass(frozen=True)
class Diag(Unary):
    """Vector → diagonal matrix; square matrix → the column of its diagonal."""


@dataclass(frozen=True)
class Softmax(Unary):
    pass


@dataclass(frozen=True)
class Vec(Unary):
    """Column-major stacking of the columns."""


# --- only before resolution ---------------------------------------------------------------------


@dataclass(frozen=True)
class Name(Node):
    """A name as written, before it is looked up in the declarations."""

    text: str


@dataclass(frozen=True)
class FunctionPower(Node):
    """``\\tanh^2(z)``: a power of a function's value, element-wise unless the value is a
    scalar (the type checker decides, knowing the shape)."""

    call: Node
    exponent: Node
    child_fields: ClassVar[tuple[str, ...]] = ("call", "exponent")


@dataclass(frozen=True)
class TransposeMark(Node):
    """``T``/``\\top`` in an exponent position; turned into :class:`Transpose` by ``^``."""
