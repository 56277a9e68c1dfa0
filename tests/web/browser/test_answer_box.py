"""The answer box in a real browser: a student types, the page echoes how the server reads it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.browser.conftest import axe_violations, describe
from tests.web.servers import LiveServer

#: quadratic, difficulty 1: f = c x^T A x for some names; the page names them.
PRACTICE = "/practice/quadratic?difficulty=1&form=symbolic&layout=numerator&seed=7"


def open_box(page: Page, server: LiveServer, address: str = PRACTICE) -> tuple[str, str]:
    """Open a practice page; its declared vector and matrix names."""
    page.goto(server.url + address)
    given = page.locator(".mc-answer-box").get_attribute("data-given") or ""
    names = [part.split("[")[0].strip() for part in given.split(", ")]
    vector = next(n for n, part in zip(names, given.split(", "), strict=True) if "," not in part)
    matrix = next(n for n, part in zip(names, given.split(", "), strict=True) if "," in part)
    return vector, matrix


def test_typing_key_by_key_echoes_the_reading_and_its_shape(page: Page,
                                                          server: LiveServer) -> None:
    x, a = open_box(page, server)
    box = page.locator(".mc-answer-box")
    page.get_by_label("Your answer").focus()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.url.endswith("/api/parse") else None)
    page.keyboard.type(f"{x}^T({a}+{a}^T)", delay=40)
    expect(box.locator(".mc-shape-value")).to_have_text("1×n (row vector)")
    expect(box).to_have_attribute("data-state", "read")
    reading = box.locator(".mc-echo-math")
    # Typeset by KaTeX, with MathML for screen readers: the bold vector, the transposes.
    expect(reading.locator(".katex-html")).to_be_visible()
    mathml = reading.locator("math annotation").text_content() or ""
    assert mathml == f"\\mathbf{{{x}}}^{{\\top}} \\left({a} + {a}^{{\\top}}\\right)"
    assert box.locator(".mc-echo").get_attribute("aria-live") == "polite"
    # Debounced: far fewer readings than keystrokes.
    assert 1 <= len(requests) < len(f"{x}^T({a}+{a}^T)") // 2


def test_an_unreadable_answer_shows_the_caret_message(page: Page, server: LiveServer) -> None:
    x, _ = open_box(page, server)
    box = page.locator(".mc-answer-box")
    page.get_by_label("Your answer").fill(f"{x} + {x}^T")
    expect(box).to_have_attribute("data-state", "unreadable")
    expect(box.locator(".mc-echo-message")).to_contain_text("needs a transpose")
    expect(box.locator(".mc-echo-caret")).to_have_text(f"{x} + {x}^T\n^^^^^^^")
    expect(box.locator(".mc-echo-reading")).to_be_hidden()
    # Never a verdict while typing.
    expect(box).not_to_contain_text("orrect")


def test_an_explicit_matrix_shows_as_a_grid(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/practice/explicit_jacobian?difficulty=1&form=explicit"
              "&layout=numerator&seed=3")
    box = page.locator(".mc-answer-box")
    page.get_by_label("Your answer").fill("[x, 2; y, 3 x]")
    expect(box.locator(".mc-shape-value")).to_have_text("2×2 (matrix)")
    grid = box.locator(".mc-echo-math.mc-grid")
    expect(grid.locator("math mtable mtr")).to_have_count(2)


def test_the_keypad_works_from_the_keyboard_alone(page: Page, server: LiveServer) -> None:
    x, a = open_box(page, server)
    box = page.locator(".mc-answer-box")
    field = page.get_by_label("Your answer")
    field.focus()
    page.keyboard.type(x)
    page.keyboard.press("Tab")  # the first key: transpose
    expect(box.locator(".mc-key").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(field).to_be_focused()  # back in the box, caret after the insertion
    page.keyboard.type(f" {a}")
    for _ in range(2):  # past ᵀ to ⁻¹
        page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("data-insert", "^-1")
    page.keyboard.press("Space")
    page.keyboard.type(f" {x}")
    expect(field).to_have_value(f"{x}^T {a}^-1 {x}")
    expect(box.locator(".mc-shape-value")).to_have_text("1×1 (scalar)")
    focused = page.evaluate("getComputedStyle(document.querySelector('.mc-key')).outlineStyle")
    assert focused == "none"  # not focused now; a focused key shows an outline (below)
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_pages_have_no_serious_accessibility_violations(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/practice")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    x, _ = open_box(page, server)
    page.get_by_label("Your answer").fill(f"{x} + {x}^T")
    expect(page.locator(".mc-answer-box")).to_have_attribute("data-state", "unreadable")
    violations = axe_violations(page)
    assert not violations, describe(violations)
