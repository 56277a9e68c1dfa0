"""Typeset formulas that copy as the answer language: PDF ActualText around each one.

Copying a formula out of a PDF (or ``pdftotext``) gives its glyphs in drawing order: 4 det(X) X⁻¹
comes out as ``4 det(X)X −1``, which reads as ``4 det(X) X - 1``, a different expression.  A
marked-content span whose ``/ActualText`` is the formula's ASCII form (PDF 32000-1:2008, 14.9.4)
makes copy and paste, screen readers and text extraction give that form instead, which the
parser reads back to the same tree.

The span is written with the engine's own literal primitive (``\\pdfextension literal`` in
LuaTeX, ``\\pdfliteral`` in pdfTeX), in page mode so that it stands outside any text object, and
needs no package.  A span never crosses a line or a page: the formula inside it is one math
group, which TeX does not break.
"""

from __future__ import annotations

import re

#: Defines ``\Copyable{<hex ActualText>}{<math>}``; goes in the preamble.
PREAMBLE = r"""\ifdefined\pdfextension
  \protected\def\MatcalcLiteral#1{\pdfextension literal page{#1}}
\else
  \protected\def\MatcalcLiteral#1{\pdfliteral page{#1}}
\fi
\newcommand{\Copyable}[2]{%
  \MatcalcLiteral{/Span <</ActualText #1>> BDC}{#2}\MatcalcLiteral{EMC}}"""

#: ``of $f = …$`` in a prompt: the function, as the exercise's ``function`` field says.
_FUNCTION = re.compile(r"\$f = ([^$]*)\$")
#: `` Use $x = …, A = …$.`` closing a numeric prompt: the values, as its ``values`` say.
_VALUES = re.compile(r" Use \$([^$]*)\$\.$")


def actual_text(text: str) -> str:
    """``text`` as a PDF hex string in UTF-16BE with its byte-order mark: no character in it
    can end the string or reach TeX."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def copyable(latex: str, ascii: str) -> str:
    """Math-mode ``latex`` that copies as ``ascii`` (inside ``\\[ \\]`` or ``$ $``)."""
    return rf"\Copyable{{{actual_text(ascii)}}}{{{latex}}}"


def copyable_function(prompt: str, function: str) -> str:
    """The prompt with the function in its ``$f = …$`` made to copy as ``function`` (the
    exercise's ASCII form of it), kept on one line; a prompt without one is returned as it is."""
    match = _FUNCTION.search(prompt)
    if match is None:
        return prompt
    formula = f"$f = {copyable(match.group(1), function)}$"
    return prompt[: match.start()] + formula + prompt[match.end():]


def copyable_values(prompt: str, values: tuple[tuple[str, str], ...]) -> str:
    """The prompt with each value in its closing ``Use $x = …, A = …$.`` made to copy as the
    exercise's ASCII form of it; a prompt that does not list exactly those names, in that order,
    is returned as it is."""
    match = _VALUES.search(prompt)
    if match is None or not values:
        return prompt
    parts = [part.split(" = ", 1) for part in match.group(1).split(", ")]
    if [_plain(part[0]) if len(part) == 2 else None for part in parts] != [
            name.replace("_", "") for name, _ in values]:
        return prompt
    shown = [f"{name} = {copyable(value, ascii)}"
             for (name, value), (_, ascii) in zip(parts, values, strict=True)]
    return f"{prompt[: match.start()]} Use ${', '.join(shown)}$."


def _plain(latex_name: str) -> str:
    r"""A typeset name as letters and digits: ``\mathbf{b}_{1}`` → ``b1``, ``\lambda`` →
    ``lambda``."""
    return re.sub(r"[\\{}_ ]", "", re.sub(r"\\(?:mathbf|boldsymbol)\b", "", latex_name))
