"""``matcalc serve``'s options for framing, rate limits and connections: taught by --help,
and a frame origin that could break out of the policy is refused before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from web.cli import serve_command


def test_help_teaches_the_security_options() -> None:
    shown = CliRunner().invoke(serve_command, ["--help"]).output
    for option in ("--frame-ancestor", "--parse-rate", "--connections", "--processes"):
        assert option in shown


@pytest.mark.parametrize("origin", [
    "https://lms.example.edu; script-src *", "lms.example.edu", "javascript:alert(1)",
    "https://lms.example.edu/path 'unsafe-inline'", "*",
])
def test_a_frame_origin_must_be_an_origin(origin: str) -> None:
    result = CliRunner().invoke(serve_command, ["--frame-ancestor", origin, "--port", "1"])
    assert result.exit_code == 2
    assert "is not an origin" in result.output


@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_database_that_cant_be_reached_is_a_clear_message_before_serving(
        processes: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "matcalc.sqlite3"
    result = CliRunner().invoke(serve_command, [
        "--db", f"sqlite:///{missing}", "--port", "1", "--processes", processes],
        env={"MATCALC_DATA": str(tmp_path / "data")})
    assert result.exit_code == 1, result.output
    assert "can't bring the database" in result.output
    assert "serving on" not in result.output and "Traceback" not in result.output
