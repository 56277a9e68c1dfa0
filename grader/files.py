"""Files that are never seen half-written, and student ids that are safe as file names."""

from __future__ import annotations

import contextlib
import hashlib
import re
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write via a temporary file in the same folder, then rename it over ``path``: a reader (or
    a run resumed after the writer was killed) sees the old file or the new one, never half.

    No fsync: it would cost more than grading an answer, and only guards against the machine
    losing power, after which a resumed run treats a report it can't read as not written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}{TEMPORARY_SUFFIX}")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with temporary.open("wb") as handle:
            handle.write(payload)
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def remove_leftovers(directory: Path) -> list[Path]:
    """Delete the temporary files a killed writer left in ``directory`` (not below it)."""
    removed = []
    if directory.is_dir():
        for leftover in directory.glob(f".*{TEMPORARY_SUFFIX}"):
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed.append(leftover)
    return removed


#: What :func:`file_name` appends to an id it had to change: never the end of a name it kept.
_HASHED = re.compile(r".*-[0-9a-f]{8}")


def file_name(student_id: str) -> str:
    """A student id as a file or folder name, distinct for distinct ids even on file systems
    that ignore case: the id itself when it is safe (ASCII letters, digits, ``_.@+-``; no
    capitals), else a cleaned form with a short hash of the id ("ann lee" and "ann_lee",
    "S001" and "s001" get different names)."""
    cleaned = re.sub(r"[^\w.@+-]", "_", student_id, flags=re.ASCII)[:80]
    if (cleaned == student_id and cleaned == cleaned.lower() and not cleaned.startswith(".")
            and not _HASHED.fullmatch(cleaned)):
        return cleaned
    digest = hashlib.sha256(student_id.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned.strip('.') or 'student'}-{digest}"
