"""Unicode input to the ASCII/LaTeX text the grammar reads, keeping a map back to the original.

Students paste from PDFs and word processors: U+2212 minus, ×, ·, ᵀ, ⁻¹, Greek letters, fullwidth
forms.  Each is replaced by what it means (``−`` → ``-``, ``ᵀ`` → ``^T``, ``λ`` → ``\\lambda``).
Control characters and look-alikes that could be mistaken for a letter they are not (Cyrillic
``х``) are refused, naming the character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from grader.errors import ParseError
from grader.language.limits import Limits

_SYMBOLS = {
    "\u2212": "-", "\u2013": "-", "\u2010": "-", "\u2011": "-", "\ufe63": "-",
    "\u00d7": "\\times ", "\u00b7": "\\cdot ", "\u22c5": "\\cdot ", "\u2219": "\\cdot ",
    "\u2299": "\\odot ", "\u2218": "\\circ ", "\u2298": "\\oslash ", "\u2297": "\\otimes ",
"\u221a": "\\sqrt ", "\u2016": "\\|", "\u2223": "|",
    "\u2032": "'", "\u2019": "'", "\u00b4": "'",
    "\u2217": "*", "\u2215": "/", "\u2202": "\\partial ", "\u2207": "\\nabla ",
}
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "µ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma",
    "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
    "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
_SUPERSCRIPTS = {
    "ᵀ": "T", "⁻": "-", "⁺": "+", "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4",
    "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁽": "(", "⁾": ")",
}
_SPACES = {"\u00a0", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
           "\u2007", "\u2008", "\u2009", "\u200a", "\u202f", "\u205f", "\u3000"}
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
# Letters of other scripts drawn like Latin ones: refused with a hint, never silently mapped.
_LOOKALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I",
    "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o",
}


@dataclass(frozen=True)
class Normalized:
    """``text`` for the grammar; ``origin[i]`` is the index in the original of ``text[i]``."""

    text: str
    origin: tuple[int, ...]

    def to_original(self, position: int) -> int:
        if position < len(self.origin):
            return self.origin[position]
        return self.origin[-1] + 1 if self.origin else 0

    def slice(self, start: int, end: int) -> Normalized:
        return Normalized(self.text[start:end], self.origin[start:end])

    def sub(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
            ) -> Normalized:
        """``re.sub`` that keeps the map: replacement text points at the start of its match."""
        pieces: list[str] = []
        origin: list[int] = []
        last = 0
        for match in pattern.finditer(self.text):
            pieces.append(self.text[last:match.start()])
            origin.extend(self.origin[last:match.start()])
            replacement = replace(match)
            if replacement == match.group(0):
                pieces.append(replacement)
                origin.extend(self.origin[match.start():match.end()])
            else:
                pieces.append(replacement)
                at = self.origin[match.start()] if match.start() < len(self.origin) else 0
                origin.extend([at] * len(replacement))
            last = match.end()
        if not pieces:
            return self
        pieces.append(self.text[last:])
        origin.extend(self.origin[last:])
        return Normalized("".join(pieces), tuple(origin))


def normalize(text: str, limits: Limits) -> Normalized:
    if len(text) > limits.max_length:
        raise ParseError(
            f"the answer is too long ({len(text):,} characters; the limit is "
            f"{limits.max_length:,})",
            text=text, position=limits.max_length, code="limit",
        )
    out: list[str] = []
    origin: list[int] = []

    def emit(replacement: str, index: int) -> None:
        out.append(replacement)
        origin.extend([index] * len(replacement))

    index = 0
    while index < len(text):
        ch = text[index]
        code = ord(ch)
        if 32 <= code < 127 or ch in "\t\n\r":
            emit(ch, index)
        elif ch in _SUPERSCRIPTS:
            stop = index
            while stop < len(text) and text[stop] in _SUPERSCRIPTS:
                stop += 1
            run = "".join(_SUPERSCRIPTS[c] for c in text[index:stop])
            emit("^" + (run if len(run) == 1 else f"({run})"), index)
            index = stop
            continue
        elif ch == "\u22a4":  # ⊤: a transpose sign, also right after a name (x⊤)
            tail = "".join(out[-3:]).rstrip()
            emit("\\top " if tail.endswith(("^", "^{", "-")) else "^{\\top}", index)
        elif ch in _SYMBOLS:
            emit(_SYMBOLS[ch], index)
        elif ch in _GREEK:
            emit(f"\\{_GREEK[ch]} ", index)
        elif ch in _SPACES:
            emit(" ", index)
        elif ch in _INVISIBLE:
            pass
        elif 0xFF01 <= code <= 0xFF5E:  # fullwidth ASCII forms
            emit(chr(code - 0xFEE0), index)
        else:
            folded = unicodedata.normalize("NFKC", ch)
            if ch not in _LOOKALIKES and len(folded) == 1 and folded.isascii() and folded.isalnum():
                emit(folded, index)  # mathematical italic 𝑥 and the like
            else:
                raise ParseError(_refusal(ch), text=text, position=index, code="character")
        index += 1
    return latex_forms(Normalized("".join(out), tuple(origin)))


# LaTeX spellings the grammar's terminals don't list, rewritten to ones they do.  Spacing first:
# `^{\,T}` must meet the transpose pattern as `^{T}`.
_SPACING = re.compile(r"(\\\\)|\\[,;:! ]|\\q?quad(?![A-Za-z])|~")
_PRIME = re.compile(r"\^\s*\{\s*\\prime\s*\}|\^\s*\\prime(?![A-Za-z])|\\prime(?![A-Za-z])")
# `\mathbf x`, `\vec x`, `\boldsymbol\mu`: a style command's argument is one letter or command.
_BARE_STYLE = re.compile(
    r"\\(mathbf|boldsymbol|bm|vec|mathrm|mathit|mathsf|mathnormal|textbf|textit|textrm)"
    r"(?![A-Za-z])\s*(\\[A-Za-z]+|[A-Za-z0-9])")
# `{\bf x}`, `{\rm d}`: old font switches, which change nothing here.
_FONT_SWITCH = re.compile(r"\\(bf|it|sf|rm|boldmath)(?![A-Za-z])(?!\s*\{)")


def latex_forms(text: Normalized) -> Normalized:
    if "\\" not in text.text and "~" not in text.text:
        return text
    text = text.sub(_SPACING, lambda m: m.group(1) or " ")
    text = text.sub(_PRIME, lambda m: "'")
    text = text.sub(_BARE_STYLE, lambda m: f"\\{m.group(1)}{{{m.group(2)}}}")
    return text.sub(_FONT_SWITCH, lambda m: " ")


def _refusal(ch: str) -> str:
    name = unicodedata.name(ch, f"U+{ord(ch):04X}")
    if unicodedata.category(ch).startswith("C"):
        return f"control character U+{ord(ch):04X} ({name}) is not allowed"
    if not ch.isprintable():
        return f"character U+{ord(ch):04X} ({name}) is not allowed"
    hint = f"; did you mean '{_LOOKALIKES[ch]}'?" if ch in _LOOKALIKES else ""
    return f"character '{ch}' ({name}) is not allowed{hint}"
