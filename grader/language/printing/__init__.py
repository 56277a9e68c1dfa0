"""Printers of typed trees: canonical ASCII, LaTeX, Maxima, and SymPy objects."""

from grader.language.printing.ascii import AsciiPrinter, print_ascii
from grader.language.printing.latex import LatexPrinter, print_latex
from grader.language.printing.maxima import MaximaError, MaximaPrinter, print_maxima

__all__ = [
    "AsciiPrinter", "LatexPrinter", "MaximaError", "MaximaPrinter", "print_ascii", "print_latex",
    "print_maxima",
]
