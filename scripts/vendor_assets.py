"""Copy the browser libraries the web app uses from npm into ``web/static/vendor/``.

Each package is fetched with ``npm pack`` at a pinned version, its tarball checked against the
pinned npm integrity, and only the files the pages need are copied, with the package's licence.
``web/static/vendor/VERSIONS.json`` records what was copied.  The copies are committed: a pip
install serves them, and no page loads anything from a CDN.

    python scripts/vendor_assets.py          # (re)copy every package
    python scripts/vendor_assets.py --check  # exit 1 if the committed copies differ from npm

axe-core is used by the browser tests only (they inject it into pages); no page loads it.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "web" / "static" / "vendor"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    #: npm's ``dist.integrity`` of the tarball: a re-copy refuses any other bytes.
    integrity: str
    #: ``(pattern inside the tarball's package/ folder, folder under vendor/<name>/)``.
    files: tuple[tuple[str, str], ...]
    licences: tuple[str, ...]


PACKAGES = (
    Package(
        "katex", "0.19.1",
        "sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr56"
        "14uRrEfA==",
        (("dist/katex.min.js", ""), ("dist/katex.min.css", ""), ("dist/fonts/*.woff2", "fonts")),
        ("LICENSE",),
    ),
    Package(
        "mathlive", "0.111.1",
        "sha512-RVaC7NO02Lmx3ZNUxOHR2xCRpcvTfBb2BtdgV60cTanAMufaUkWcPPB2VxChcsNeL+0rTQKqOPDYxXLP"
        "OXJI+A==",
        (("mathlive.min.mjs", ""), ("fonts/*.woff2", "fonts")),
        ("LICENSE.txt",),
    ),
    Package(
        "axe-core", "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37"
        "OgudVGtQ==",
        (("axe.min.js", ""),),
        ("LICENSE", "LICENSE-3RD-PARTY.txt"),
    ),
)


class VendorError(Exception):
    """npm failed, or a tarball is not what was pinned."""


def pack(package: Package, folder: Path) -> tuple[Path, dict[str, str]]:
    """The package's tarball, fetched by ``npm pack``, and npm's record of it."""
    spec = f"{package.name}@{package.version}"
    try:
        done = subprocess.run(
            ["npm", "pack", spec, "--json", "--pack-destination", str(folder)],
            capture_output=True, text=True, check=True, timeout=600)
    except FileNotFoundError:
        raise VendorError("npm is not installed (Debian: apt-get install npm)") from None
    except subprocess.CalledProcessError as failure:
        raise VendorError(f"npm pack {spec} failed: {failure.stderr.strip()}") from None
    record = json.loads(done.stdout)[0]
    if record["integrity"] != package.integrity:
        raise VendorError(f"{spec}: npm's integrity {record['integrity']} is not the pinned "
                          f"{package.integrity}")
    return folder / record["filename"], {"name": package.name, "version": package.version,
                                         "integrity": record["integrity"],
                                         "shasum": record["shasum"]}


def wanted(package: Package, tarball: Path) -> dict[str, bytes]:
    """``{path under vendor/<name>/: bytes}`` for the files the pages need and the licences."""
    chosen: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        members = {m.name.removeprefix("package/"): m for m in archive.getmembers() if m.isfile()}
        for pattern, target in package.files + tuple((name, "") for name in package.licences):
            matched = sorted(name for name in members if fnmatch.fnmatchcase(name, pattern))
            if not matched:
                raise VendorError(f"{package.name}: nothing in the tarball matches {pattern}")
            for name in matched:
                handle = archive.extractfile(members[name])
                assert handle is not None  # a regular file
                destination = "/".join(part for part in (target, Path(name).name) if part)
                chosen[destination] = handle.read()
    return chosen


def on_disk(package: Package) -> dict[str, bytes]:
    folder = VENDOR / package.name
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="compare the committed copies with npm; change nothing")
    arguments = parser.parse_args(argv)
    versions = []
    differences = []
    with tempfile.TemporaryDirectory() as scratch:
        for package in PACKAGES:
            try:
                tarball, record = pack(package, Path(scratch))
                files = wanted(package, tarball)
            except VendorError as problem:
                print(f"error: {problem}", file=sys.stderr)
                return 2
            versions.append(record)
            if arguments.check:
                if on_disk(package) != files:
                    differences.append(package.name)
                continue
            folder = VENDOR / package.name
            shutil.rmtree(folder, ignore_errors=True)
            for relative, data in files.items():
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                (folder / relative).write_bytes(data)
            size = sum(len(data) for data in files.values())
            print(f"{package.name} {package.version}: {len(files)} files, {size // 1024} KiB")
    listing = json.dumps(versions, indent=2) + "\n"
    if arguments.check:
        manifest = VENDOR / "VERSIONS.json"
        if not manifest.exists() or manifest.read_text(encoding="utf-8") != listing:
            differences.append("VERSIONS.json")
        if differences:
            print(f"differ from npm: {', '.join(differences)}", file=sys.stderr)
            return 1
        print("vendored files match npm")
        return 0
    (VENDOR / "VERSIONS.json").write_text(listing, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
