"""matcalc's grader: the answer language and (later) equivalence, shape checks and feedback.

``grader`` never imports ``generator``; it reads exercise sets as data.
"""

from grader.errors import MatcalcError, ParseError
from grader.language import (
    DEFAULT_LIMITS,
    Declarations,
    Limits,
    Shape,
    parse,
    parse_declarations,
    print_ascii,
    print_latex,
)

__all__ = [
    "DEFAULT_LIMITS",
    "Declarations",
    "Limits",
    "MatcalcError",
    "ParseError",
    "Shape",
    "parse",
    "parse_declarations",
    "print_ascii",
    "print_latex",
]
