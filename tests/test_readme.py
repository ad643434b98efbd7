"""The README's two commands are the ones that work: CI runs the second one verbatim."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from journeyhub.cli.main import app

ROOT = Path(__file__).parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, re.S)[:2]]


def test_readme_starts_with_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    head = text.split("\n\n", 3)
    assert head[0] == "# journeyhub"
    setup_and_run, test = readme_commands()
    assert "\n" not in setup_and_run and "\n" not in test
    assert setup_and_run.endswith("journeyhub demo run")
    assert test.endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == readme_commands()[1]


def test_readme_cli_examples_name_real_commands() -> None:
    text = (ROOT / "README.md").read_text()
    runner = CliRunner()
    for line in re.findall(r"^\.venv/bin/journeyhub ([a-z]+ [a-z]+)", text, re.M):
        result = runner.invoke(app, [*line.split(), "--help"])
        assert result.exit_code == 0, f"README mentions `journeyhub {line}`: {result.output}"
