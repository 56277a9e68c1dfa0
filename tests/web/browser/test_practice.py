"""A practice loop in a real browser: pick, answer right, see the solution, try another, answer
wrong with a transpose and see the diagnosis; wrong entries of a matrix boxed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from generator.families import get
from generator.family import build
from grader.language import nodes as n
from grader.language.parser import parse
from grader.language.printing import print_ascii
from tests.web.browser.conftest import axe_violations, describe
from tests.web.servers import LiveServer


def shown_exercise(page: Page, family: str) -> tuple[str, str]:
    """The key of the exercise the page shows, rebuilt from its address; and its seed."""
    query = parse_qs(urlparse(page.url).query)
    seed = int(query["seed"][0])
    made = build(get(family), seed, int(query["difficulty"][0]), query["form"][0],  # type: ignore[arg-type]
                 query["layout"][0], "p1")  # type: ignore[arg-type]
    return made.answer, str(seed)


def check(page: Page, answer: str) -> None:
    page.get_by_label("Your answer").fill(answer)
    page.get_by_role("button", name="Check my answer").click()


def test_a_practice_loop(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/practice")
    page.get_by_label("Family").select_option("quadratic")
    page.get_by_label("Difficulty").select_option("1")
    page.get_by_label("numerator").check()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quadratic forms and Hessians")
    solution = page.locator("details.mc-solution")
    expect(solution).not_to_have_attribute("open", "")
    key, first_seed = shown_exercise(page, "quadratic")

    check(page, key)
    verdict = page.locator(".mc-verdict")
    expect(verdict.get_by_role("heading")).to_have_text("✓ Correct")
    expect(verdict).to_be_focused()  # announced: focus moves to the verdict
    expect(solution).to_have_attribute("open", "")
    expect(solution.locator("li").first).to_be_visible()
    expect(solution.locator("li .katex math").first).to_be_attached()  # typeset, with MathML
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_role("link", name="Try another like this one").click()
    expect(page.locator(".mc-verdict")).to_have_count(0)
    key, seed = shown_exercise(page, "quadratic")
    assert seed != first_seed
    solution.locator("summary").click()  # the worked solution on request
    expect(solution.locator("li").first).to_be_visible()
    solution.locator("summary").click()

    check(page, f"({key})^T")
    verdict = page.locator(".mc-verdict")
    expect(verdict.get_by_role("heading")).to_have_text("✗ Wrong shape")
    expect(verdict.locator(".mc-diagnosis")).to_contain_text("transposed")
    expect(verdict.locator(".mc-feedback")).to_contain_text(
        "Your answer is n×1 but the answer is 1×n")
    expect(page.get_by_label("Your answer")).to_have_value(f"({key})^T")  # kept, to fix
    expect(page.locator(".mc-answer-box")).to_have_attribute("data-state", "read")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_wrong_entries_of_a_matrix_are_boxed(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/practice/explicit_jacobian?difficulty=1&form=explicit"
              "&layout=numerator&seed=11")
    key, _ = shown_exercise(page, "explicit_jacobian")
    given = page.locator(".mc-answer-box").get_attribute("data-given") or ""
    matrix = parse(key, given)
    assert isinstance(matrix, n.Matrix)
    rows = [[print_ascii(entry) for entry in row] for row in matrix.rows]
    rows[0][1] = f"{rows[0][1]} + 1"  # entry (1, 2) wrong
    check(page, "[" + "; ".join(", ".join(row) for row in rows) + "]")
    verdict = page.locator(".mc-verdict")
    expect(verdict.get_by_role("heading")).to_have_text("✗ Not correct")
    grid = verdict.locator(".mc-grid")
    expect(grid.locator("figcaption")).to_contain_text("row 1, column 2")
    expect(grid.locator("math menclose")).to_have_count(1)  # \boxed: one entry framed
    expect(grid.locator(".katex-html .boxed, .katex-html .fbox")).to_have_count(1)
