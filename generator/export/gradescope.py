"""A Gradescope autograder: a zip with ``setup.sh`` and ``run_autograder`` at its root, the set,
the grading options, and matcalc itself as a wheel, so the container grades exactly as here.

The wheel is built from the installed packages (any install: from a wheel, or an editable
checkout) with the ``wheel`` project's writer, which records every file's hash in RECORD.  Its
dependencies, and theirs, are pinned in ``constraints.txt`` to the versions installed here (the
ones matcalc was tested with, when the zip is made from a tested install), which ``setup.sh``
installs.
"""

from __future__ import annotations

import calendar
import contextlib
import importlib.metadata
import importlib.resources
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from generator.export.common import Export, ExportError
from grader.autograder import AutograderOptions
from grader.exercise_set import ExerciseSet
from grader.grading_run import check_keys

PACKAGES = ("generator", "grader", "templates")
SCRIPTS = ("setup.sh", "run_autograder")
#: Fixed timestamp for the zip's entries: the same set and options give the same archive.
_EPOCH = (2020, 1, 1, 0, 0, 0)


def gradescope_package(exercise_set: ExerciseSet,
                       options: AutograderOptions | None = None) -> Export:
    """The autograder zip's bytes."""
    options = options or AutograderOptions()
    check_keys(exercise_set)
    wheel_name, wheel = build_wheel()
    files: list[tuple[str, bytes, int]] = [
        (name, _script(name), 0o755) for name in SCRIPTS
    ]
    files += [
        ("constraints.txt", pinned_requirements().encode("utf-8"), 0o644),
        ("set.json", exercise_set.dumps().encode("utf-8"), 0o644),
        ("autograder.json", (json.dumps(options.to_json(), indent=2, sort_keys=True)
                             + "\n").encode("utf-8"), 0o644),
        (wheel_name, wheel, 0o644),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in files:
            info = zipfile.ZipInfo(name, _EPOCH)
            info.external_attr = (0o100000 | mode) << 16  # a regular file with these permissions
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    variants = len(exercise_set.variants)
    notes = [f"{variants} variants: each submission is graded against its student's own, "
             "found from the Gradescope account's e-mail (then its student id)"
             if variants > 1 else "one variant, shared by every student"]
    missing = sum(not v.email for v in exercise_set.variants)
    if variants > 1 and missing:
        notes.append(f"{missing} of the roster's students have no e-mail: their Gradescope "
                     "accounts can only be matched by student id (sid), so give the roster an "
                     "email column if the ids differ from Gradescope's")
    return Export(out.getvalue(), tuple(notes))


def pinned_requirements(project: str = "matcalc") -> str:
    """``name==version`` for every installed dependency of ``project``, transitively (extras
    left out), one per line in name order: a pip constraints file."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    waiting = [project]
    while waiting:
        try:
            requires = importlib.metadata.distribution(waiting.pop()).requires or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in requires:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if requirement.marker is not None and "extra" in str(requirement.marker):
                continue
            name = canonicalize_name(requirement.name)
            if name in pins or name == canonicalize_name(project):
                continue
            try:
                pins[name] = importlib.metadata.version(requirement.name)
            except importlib.metadata.PackageNotFoundError:
                continue  # not needed here (a marker for another platform): not pinned
            waiting.append(requirement.name)
    return "".join(f"{name}=={pins[name]}\n" for name in sorted(pins))


def _script(name: str) -> bytes:
    return (importlib.resources.files("templates") / "gradescope" / name).read_bytes()


def build_wheel() -> tuple[str, bytes]:
    """matcalc as a pure-Python wheel: (file name, bytes), the same bytes for the same code."""
    from wheel.wheelfile import WheelFile

    metadata, version = _metadata()
    name = f"matcalc-{version}-py3-none-any.whl"
    info = f"matcalc-{version}.dist-info"
    files: list[tuple[str, bytes]] = []
    for package in PACKAGES:
        base = Path(str(importlib.resources.files(package)))
        files += [(f"{package}/{file.relative_to(base).as_posix()}", file.read_bytes())
                  for file in sorted(base.rglob("*"))
                  if file.is_file() and _shipped(file.relative_to(base))]
    files += [
        (f"{info}/METADATA", metadata.encode("utf-8")),
        (f"{info}/WHEEL", f"Wheel-Version: 1.0\nGenerator: matcalc {version}\n"
                          "Root-Is-Purelib: true\nTag: py3-none-any\n".encode()),
        (f"{info}/entry_points.txt", b"[console_scripts]\nmatcalc = generator.cli:main\n"),
        (f"{info}/top_level.txt", "".join(f"{p}\n" for p in PACKAGES).encode()),
    ]
    with tempfile.TemporaryDirectory() as folder, _reproducible():
        path = Path(folder) / name
        with WheelFile(path, "w") as wheel:
            for arcname, data in files:
                entry = zipfile.ZipInfo(arcname, _EPOCH)
                entry.external_attr = 0o100644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                wheel.writestr(entry, data)
        return name, path.read_bytes()


def _metadata() -> tuple[str, str]:
    """The installed core metadata (from a .dist-info, which pip writes, before an egg-info,
    which a checkout may hold in an older state) and the version."""
    found = list(importlib.metadata.distributions(name="matcalc"))
    for distribution in sorted(found, key=lambda d: d.read_text("METADATA") is None):
        metadata = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO")
        if metadata:
            return metadata, distribution.version
    raise ExportError("matcalc is not installed (pip install .), so it can't be packed into "
                      "the autograder")


@contextlib.contextmanager
def _reproducible() -> Iterator[None]:
    """The wheel writer dates RECORD from SOURCE_DATE_EPOCH (the reproducible-builds
    convention) and otherwise from the clock."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(calendar.timegm((*_EPOCH, 0, 0, 0))))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def _shipped(relative: Path) -> bool:
    """Sources and data; not caches, compiled files or hidden files."""
    parts = relative.parts
    return not any(p.startswith(".") or p == "__pycache__" for p in parts) \
        and relative.suffix not in (".pyc", ".pyo")
