"""The project's single exception hierarchy.

Every error matcalc reports on purpose derives from :class:`MatcalcError`; the CLI turns any of them
into a message and an exit code.  Anything else escaping is a bug.
"""

from __future__ import annotations


class MatcalcError(Exception):
    """Base of every error matcalc raises for bad input or a resource limit."""


class ParseError(MatcalcError):
    """Text in the answer language (or a declaration list) could not be read.

    ``position``/``end`` index into ``text`` (the text as the user gave it); ``code`` is a stable
    machine-readable reason (``syntax``, ``unknown_name``, ``unbalanced``, ``ragged``, ``shape``,
    ``limit``, ``character``, ``declaration``, ``ambiguous``: two readings, both named).
    """

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        position: int | None = None,
        end: int | None = None,
        code: str = "syntax",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position
        self.end = end if end is not None else (position + 1 if position is not None else None)
        self.code = code

    @property
    def line_and_column(self) -> tuple[int, int] | None:
        """1-based line and column of ``position``."""
        if self.position is None:
            return None
        before = self.text[: self.position]
        line = before.count("\n") + 1
        column = self.position - (before.rfind("\n") + 1) + 1
        return line, column

    @property
    def caret(self) -> str:
        """The offending line of the text with a caret line under the error, or ``""``."""
        if self.position is None or not self.text:
            return ""
        start = self.text.rfind("\n", 0, self.position) + 1
        stop = self.text.find("\n", self.position)
        if stop == -1:
            stop = len(self.text)
        line = self.text[start:stop]
        column = self.position - start
        width = max(1, min(self.end or self.position + 1, stop) - self.position)
        # Long lines (a 1 MB answer) are cut to a window around the error.
        window = 60
        if len(line) > 2 * window:
            lo = max(0, column - window)
            prefix = "…" if lo > 0 else ""
            suffix = "…" if column + window < len(line) else ""
            line = prefix + line[lo : column + window] + suffix
            column = column - lo + len(prefix)
            width = min(width, window)
        line = "".join(ch if ch.isprintable() or ch == "\t" else "?" for ch in line)
        return f"{line}\n{' ' * column}{'^' * width}"

    def __str__(self) -> str:
        where = self.line_and_column
        if where is None:
            return self.message
        line, column = where
        place = f"column {column}" if "\n" not in self.text else f"line {line}, column {column}"
        caret = self.caret
        return f"{self.message} (at {place})" + (f"\n{caret}" if caret else "")
