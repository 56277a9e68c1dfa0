"""What surrounds an answer but is not part of it: math delimiters, a left-hand side, end marks.

Students paste ``$(A + A^T) x$`` from their notes, write ``df/dx = 2x`` or
``\\frac{\\partial f}{\\partial \\mathbf{x}} = ...``, and end with a full stop.  Each is removed
and the echo says so; any other ``=`` stays an error, since an answer is an expression.
"""

from __future__ import annotations

import re

from grader.language.normalize import Normalized
from grader.language.reading import Note

_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
_TRAILING = re.compile(r"(\s|\\\\|(?<![.\d])\.(?![*/^T])|,|;)+$")
# Left-hand sides that name a derivative: \frac{\partial f}{\partial x}, \partial f/\partial x,
# ∂f/∂x, df/dx, \frac{df}{dx}, \nabla_x f, f'(x), J_f(x), \mathbf{J}, H.
_DERIVATIVE = re.compile(
    r"""\\partial|\\nabla
      | ^\s*\\[dt]?frac\s*\{\s*d
      | ^\s*(\\mathrm\s*\{\s*d\s*\}|d)\s*[A-Za-z\\{][^/]*/
          \s*(\\mathrm\s*\{\s*d\s*\}|d)\s*[A-Za-z\\{]
      | ^\s*[A-Za-z](_\{?\w+\}?)?\s*'+\s*(\(.*\))?\s*$
      | ^\s*(\\mathbf\s*\{\s*)?[JH](\s*\})?(_\{?[\w\\ {}]+\}?)?\s*(\(.*\))?\s*$
    """,
    re.VERBOSE,
)


def strip_wrappers(text: Normalized) -> tuple[Normalized, list[Note]]:
    """The answer inside its wrappers, and a note for each wrapper removed."""
    notes: list[Note] = []
    for _ in range(3):  # $df/dx = 2x.$ : delimiters, then the sides, then the full stop
        before = text.text
        text = _strip_trailing(text, notes)
        text = _strip_delimiters(text, notes)
        text = _strip_left_side(text, notes)
        if text.text == before:
            break
    return text, notes


def _span(text: Normalized, start: int, end: int) -> tuple[int, int]:
    return text.to_original(start), text.to_original(max(start, end - 1)) + 1


def _strip_trailing(text: Normalized, notes: list[Note]) -> Normalized:
    match = _TRAILING.search(text.text)
    if match is None or not match.group(0).strip():
        return text
    mark = " ".join(match.group(0).split())
    notes.append(Note("stripped", f"ignored the trailing '{mark}'",
                      _span(text, match.start(), match.end())))
    return text.slice(0, match.start())


def _strip_delimiters(text: Normalized, notes: list[Note]) -> Normalized:
    body = text.text
    start = len(body) - len(body.lstrip())
    end = len(body.rstrip())
    for opening, closing in _DELIMITERS:
        inner = body[start + len(opening):end - len(closing)]
        if (end - start >= len(opening) + len(closing) and body.startswith(opening, start)
                and body.endswith(closing, 0, end) and opening not in inner.replace("\\$", "")):
            notes.append(Note("stripped", f"ignored the math delimiters {opening} … {closing}",
                              _span(text, start, end)))
            return text.slice(start + len(opening), end - len(closing))
    return text


def _strip_left_side(text: Normalized, notes: list[Note]) -> Normalized:
    body = text.text
    equals = [i for i, ch in enumerate(body) if ch == "=" and _depth(body, i) == 0]
    if len(equals) != 1:
        return text
    at = equals[0]
    left = body[:at].rstrip().removesuffix("&")
    if not left.strip() or not _DERIVATIVE.search(left):
        return text
    start = len(body[:at]) - len(body[:at].lstrip())
    notes.append(Note("stripped",
                      f"ignored the left-hand side '{' '.join(left.split())} ='",
                      _span(text, start, at + 1)))
    rest = at + 1
    if body.startswith("&", rest):
        rest += 1
    return text.slice(rest, len(body))


def _depth(body: str, index: int) -> int:
    depth = 0
    for ch in body[:index]:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return depth
