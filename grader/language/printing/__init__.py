"""Printers of typed trees: canonical ASCII, LaTeX, and SymPy objects."""

from grader.language.printing.ascii import AsciiPrinter, print_ascii
from grader.language.printing.latex import LatexPrinter, print_latex

__all__ = ["AsciiPrinter", "LatexPrinter", "print_ascii", "print_latex"]
