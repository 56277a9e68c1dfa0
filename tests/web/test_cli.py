"""``matcalc serve``'s options for framing, rate limits and connections: taught by --help,
and a frame origin that could break out of the policy is refused before anything starts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from web.cli import serve_command


def test_help_teaches_the_security_options() -> None:
    shown = CliRunner().invoke(serve_command, ["--help"]).output
    for option in ("--frame-ancestor", "--parse-rate", "--connections"):
        assert option in shown


@pytest.mark.parametrize("origin", [
    "https://lms.example.edu; script-src *", "lms.example.edu", "javascript:alert(1)",
    "https://lms.example.edu/path 'unsafe-inline'", "*",
])
def test_a_frame_origin_must_be_an_origin(origin: str) -> None:
    result = CliRunner().invoke(serve_command, ["--frame-ancestor", origin, "--port", "1"])
    assert result.exit_code == 2
    assert "is not an origin" in result.output
