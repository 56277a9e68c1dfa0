"""The answer language: grammar, typed trees, shapes and printers."""

from grader.language.declarations import Declarations
from grader.language.limits import DEFAULT_LIMITS, Limits
from grader.language.parser import parse, parse_declarations, read
from grader.language.printing import print_ascii, print_latex
from grader.language.reading import Note, Reading
from grader.language.shapes import Dim, Shape

__all__ = [
    "DEFAULT_LIMITS",
    "Declarations",
    "Dim",
    "Limits",
    "Note",
    "Reading",
    "Shape",
    "parse",
    "parse_declarations",
    "print_ascii",
    "print_latex",
    "read",
]
