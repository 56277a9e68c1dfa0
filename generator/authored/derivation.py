"""The derivative of an authored function whose file gives no answer: the calculus engine's.

The engine is imported when first needed, so a matcalc without it still reads, checks and
generates every exercise that states its answer.
"""

from __future__ import annotations

import importlib

from generator.authored.errors import AuthoringError
from generator.layout import transposed
from grader.errors import MatcalcError
from grader.language import nodes as n
from grader.language.declarations import Declarations

ENGINE = "generator.calculus.derivative"


def derive(function: n.Node, wrt: str, declarations: Declarations, *,
           hessian: bool = False) -> n.Node:
    """∂function/∂wrt in numerator layout (the Hessian: the Jacobian of the gradient column)."""
    try:
        engine = importlib.import_module(ENGINE)
    except ModuleNotFoundError as missing:
        if missing.name is None or not ENGINE.startswith(missing.name):
            raise
        raise AuthoringError("give an answer: this matcalc cannot derive it") from None
    try:
        result: n.Node = engine.derivative(function, wrt, declarations, "numerator")
        if hessian:
            result = engine.derivative(transposed(result), wrt, declarations, "numerator")
    except MatcalcError as problem:
        raise AuthoringError(f"give an answer: the derivative can't be derived ({problem})") \
            from None
    return result
