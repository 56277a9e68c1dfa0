"""Unicode input to the ASCII/LaTeX text the grammar reads, keeping a map back to the original.

Students paste from PDFs and word processors: U+2212 minus, ×, ·, ᵀ, ⁻¹, Greek letters, fullwidth
forms.  Each is replaced by what it means (``−`` → ``-``, ``ᵀ`` → ``^T``, ``λ`` → ``\\lambda``).
Control characters and look-alikes that could be mistaken for a letter they are not (Cyrillic
``х``) are refused, naming the character.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from grader.errors import ParseError
from grader.language.limits import Limits

_SYMBOLS = {
    "\u2212": "-", "\u2013": "-", "\u2010": "-", "\u2011": "-", "\ufe63": "-",
    "\u00d7": "\\times ", "\u00b7": "\\cdot ", "\u22c5": "\\cdot ", "\u2219": "\\cdot ",
    "\u2299": "\\odot ", "\u2218": "\\circ ", "\u2298": "\\oslash ", "\u2297": "\\otimes ",
    "\u22a4": "\\top ", "\u221a": "\\sqrt ", "\u2016": "\\|", "\u2223": "|",
    "\u2032": "'", "\u2019": "'", "\u00b4": "'",
    "\u2217": "*", "\u2215": "/",
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
    return Normalized("".join(out), tuple(origin))


def _refusal(ch: str) -> str:
    name = unicodedata.name(ch, f"U+{ord(ch):04X}")
    if unicodedata.category(ch).startswith("C"):
        return f"control character U+{ord(ch):04X} ({name}) is not allowed"
    if not ch.isprintable():
        return f"character U+{ord(ch):04X} ({name}) is not allowed"
    hint = f"; did you mean '{_LOOKALIKES[ch]}'?" if ch in _LOOKALIKES else ""
    return f"character '{ch}' ({name}) is not allowed{hint}"
