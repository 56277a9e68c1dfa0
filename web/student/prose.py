"""LaTeX prose (text with ``$…$`` math, as prompts and worked steps are written for the PDFs)
split into text and math for a web page: text is shown as text, math is typeset by KaTeX."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Text-mode escapes the prose uses, as the characters they stand for.
_TEXT_ESCAPES = {r"\&": "&", r"\%": "%", r"\_": "_", r"\#": "#", r"\$": "$", "~": "\u00a0",
                 "---": "\u2014", "--": "\u2013", r"\ldots": "…", r"\,": "\u2009"}
_ESCAPE = re.compile("|".join(re.escape(key) for key in sorted(_TEXT_ESCAPES, key=len,
                                                                 reverse=True)))
#: ``$…$`` (not an escaped ``\$``) or ``\(…\)``.
_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$|\\\((.+?)\\\)", re.DOTALL)


@dataclass(frozen=True)
class Piece:
    kind: str  # "text" or "math"
    content: str


def pieces(prose: str) -> tuple[Piece, ...]:
    """The prose as alternating text and math pieces, in order; an unclosed ``$`` stays text."""
    found: list[Piece] = []
    position = 0
    for match in _MATH.finditer(prose):
        if match.start() > position:
            found.append(Piece("text", _text(prose[position:match.start()])))
        found.append(Piece("math", (match.group(1) or match.group(2) or "").strip()))
        position = match.end()
    if position < len(prose):
        found.append(Piece("text", _text(prose[position:])))
    return tuple(found)


def _text(latex: str) -> str:
    return _ESCAPE.sub(lambda match: _TEXT_ESCAPES[match.group(0)], latex)
