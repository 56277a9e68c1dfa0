"""Take the README's screenshot of the answer page in a real browser (Debian's chromium, driven
by Playwright): a practice exercise, a transposed answer submitted and diagnosed, and the live
reading of the answer with its shape beside the expected one.

    python scripts/screenshot.py                      # writes docs/images/answer-page.png
    python scripts/screenshot.py --out page.png --chromium /usr/bin/chromium

The server is `matcalc serve` on a free loopback port with a throw-away data folder.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
#: A quadratic form at difficulty 1, its names and numbers fixed by the seed.
EXERCISE = "/practice/quadratic?difficulty=1&form=symbolic&layout=numerator&seed=7&expected=1"
ARGUMENTS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--font-render-hinting=none"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "answer-page.png")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    arguments = parser.parse_args(argv)
    if not arguments.chromium.exists():
        print(f"error: no browser at {arguments.chromium} (apt-get install chromium)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        # `matcalc serve` in its own process: its grading workers are forked from it, not from
        # this one, which holds the browser driver's pipes.
        server = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "serve", "--port", str(port)],
            env={**os.environ, "MATCALC_DATA": folder}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(url + "/healthz")
            shoot(url, arguments.chromium, arguments.out)
        finally:
            server.terminate()
            server.wait(10)
    print(f"wrote {arguments.out}")
    return 0


def wait_for(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def shoot(url: str, chromium: Path, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGUMENTS)
        context = browser.new_context(viewport={"width": 900, "height": 800},
                                      device_scale_factor=1)
        page = context.new_page()
        page.goto(url + EXERCISE)
        given = page.locator(".mc-answer-box").get_attribute("data-given") or ""
        vector, matrix = (part.split("[")[0] for part in given.split(", "))
        # A student answers in the other layout: the column instead of the row ...
        field = page.get_by_label("Your answer")
        field.fill(f"2 ({matrix} + {matrix}^T) {vector}")
        page.get_by_role("button", name="Check my answer").click()
        expect(page.locator(".mc-verdict")).to_be_visible()
        # ... and starts typing the fix, read as it is typed.
        field = page.get_by_label("Your answer")
        field.fill("")
        field.type(f"2 {vector}^T({matrix} + {matrix}^T)", delay=30)
        expect(page.locator(".mc-shape-value")).to_have_text("1×n (row vector)")
        page.locator(".mc-input").blur()
        page.evaluate("() => document.fonts.ready.then(() => true)")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.locator("main").screenshot(path=str(out))
        context.close()
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
