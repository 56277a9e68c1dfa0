"""Printed answers as students type them: without the spaces that don't change the reading.

Written independently of the lexer, from the language's rules, so that tests comparing the
compact text's reading with the spaced one can fail:

* LaTeX ignores spaces except the one ending a control word before a letter (``\\otimes A``);
* in ASCII a space between two runs of letters can go when the joined run splits into declared
  names (and ``I``, ``e``, ``pi``) in exactly one way, the same as the two runs did; it stays
  before a digit (``x 2`` is not ``x2``), around names with ``_`` and around function words,
  except a function word right before ``(`` (``y exp(x)`` becomes ``yexp(x)``).
"""

from __future__ import annotations

import re

from grader.language.declarations import Declarations

_FUNCTION_WORDS = {
    "exp", "log", "ln", "sin", "cos", "tan", "tanh", "sqrt", "abs", "sign", "sgn", "sigma",
    "sigmoid", "relu", "ReLU", "step", "sum", "tr", "Tr", "trace", "det", "norm", "diag",
    "softmax", "vec", "inv", "transpose", "hadamard", "kron", "max", "eye", "ones", "zeros",
}
_CONTROL_WORD = re.compile(r"\\[A-Za-z]+$")


def compact_latex(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        ch = text[index]
        if ch.isspace():
            stop = index
            while stop < len(text) and text[stop].isspace():
                stop += 1
            following = text[stop] if stop < len(text) else ""
            if _CONTROL_WORD.search("".join(out[-40:])) and following.isalpha():
                out.append(" ")
            index = stop
            continue
        out.append(ch)
        index += 1
    return "".join(out)


def compact_ascii(text: str, declarations: Declarations) -> str:
    words = {name.replace("_", "") for name in declarations.names} | {"I", "e", "pi"}
    out = ""
    index = 0
    while index < len(text):
        ch = text[index]
        if ch != " ":
            out += ch
            index += 1
            continue
        stop = index
        while stop < len(text) and text[stop] == " ":
            stop += 1
        right = re.match(r"[A-Za-z0-9_.]*", text[stop:])
        right_run = right.group(0) if right else ""
        after = text[stop + len(right_run):stop + len(right_run) + 1]
        left_run = re.search(r"[A-Za-z0-9_.]*$", out)
        left = left_run.group(0) if left_run else ""
        if _joinable(left, right_run, after, words):
            index = stop
        else:
            out += " "
            index = stop
    return out


def _joinable(left: str, right: str, after: str, words: set[str]) -> bool:
    if not left or not right:
        return True  # an operator or bracket on one side
    if right[0].isdigit() or right[0] == ".":
        return False  # x 2 is not x2; 2 3 is not 23
    name = re.sub(r"^[0-9.]+", "", left)  # 2x: the number lexes apart from the name
    if not name:
        return not re.match(r"[eE][0-9+-]", right)  # 2 e5 is not 2e5
    if "_" in name or "_" in right or "." in name or "." in right:
        return False
    if right in _FUNCTION_WORDS and after == "(":
        return _readings(name, words) == 1 and not name.startswith(tuple(_FUNCTION_WORDS))
    if name in _FUNCTION_WORDS or right in _FUNCTION_WORDS:
        return False
    if name.startswith(tuple(_FUNCTION_WORDS)):
        return False
    joined = name + right
    return _readings(joined, words) == 1 and _readings(name, words) == 1 and \
        _readings(right, words) == 1 and joined not in words


def _readings(text: str, words: set[str]) -> int:
    """How many ways (0, 1 or 2 meaning 'several') ``text`` splits into ``words``."""
    count = [0] * len(text) + [1]
    for start in range(len(text) - 1, -1, -1):
        count[start] = min(2, sum(count[start + len(w)] for w in words
                                  if text.startswith(w, start)))
    return count[0]
