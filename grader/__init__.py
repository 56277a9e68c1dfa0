"""matcalc's grader: the answer language, equivalence, shape checks and feedback.

``grader`` never imports ``generator``; it reads exercise sets as data.
"""

from grader.checker import check
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
    read,
)
from grader.verdict import CheckOptions, Interpretation, Mistake, Verdict

__all__ = [
    "DEFAULT_LIMITS",
    "CheckOptions",
    "Declarations",
    "Interpretation",
    "Limits",
    "MatcalcError",
    "Mistake",
    "ParseError",
    "Shape",
    "Verdict",
    "check",
    "parse",
    "parse_declarations",
    "print_ascii",
    "print_latex",
    "read",
]
