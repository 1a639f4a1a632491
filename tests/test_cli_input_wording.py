"""One-line refusals of unusable input and the -v option after a command (break-test 12)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from medcite.cli import app, hoist_verbose
from medcite.config import check_length
from medcite.errors import UsageError

runner = CliRunner()


def test_undecodable_bytes_in_a_question_are_named_as_such(tmp_path):
    bad = b"what \xb2 is this".decode("utf-8", "surrogateescape")  # how Python hands over such an argument
    with pytest.raises(UsageError, match="not valid UTF-8"):
        check_length(bad, "question")
    r = runner.invoke(app, ["ask", bad, "--index", str(tmp_path / "missing")])
    assert r.exit_code != 0 and "not valid UTF-8" in r.output and "UnicodeEncodeError" not in r.output


def test_empty_findings_are_worded_in_the_plural():
    with pytest.raises(UsageError, match="^the findings are empty$"):
        check_length("  ", "findings")
    with pytest.raises(UsageError, match="^the question is empty$"):
        check_length("", "question")


def test_verbose_after_the_command_is_the_global_option(tmp_path):
    assert hoist_verbose(["diagnose", "-v", "fever"]) == ["--verbose", "diagnose", "fever"]
    assert hoist_verbose(["-v", "ask", "x"]) == ["-v", "ask", "x"]
    assert hoist_verbose(["ask", "--", "-v"]) == ["ask", "--", "-v"]  # after "--" it is an argument
    r = runner.invoke(app, hoist_verbose(["diagnose", "-v", "  ", "--index", str(tmp_path / "missing")]))
    assert r.exit_code != 0 and "No such option" not in r.output and "findings are empty" in r.output
