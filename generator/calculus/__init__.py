"""The calculus engine: derivatives of the answer language's typed trees.

Differentials (Magnus–Neudecker) of a typed tree, identification of the derivative from them in
either layout, a display simplifier, worked steps, and the ``matcalc diff`` command.
"""

from __future__ import annotations

from grader.errors import MatcalcError


class UnsupportedOperation(MatcalcError):  # noqa: N818 - the name other code imports
    """The engine cannot differentiate this operation; the message names it."""


class DerivativeCheckError(MatcalcError):
    """A derived result disagreed with finite differences: it is refused, never printed."""
