"""The stubs are precise: correct application code type-checks under
`mypy --strict`, and each wrong use is reported on its own line."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys

from mypy import api

HERE = pathlib.Path(__file__).parent / "typing"


def mypy_errors(path: pathlib.Path) -> tuple[set[int], str]:
    stdout, _, _ = api.run(["--strict", "--no-incremental", "--show-error-codes", str(path)])
    lines = {int(m.group(1)) for m in re.finditer(rf"{re.escape(path.name)}:(\d+): error", stdout)}
    return lines, stdout


def test_correct_consumer_type_checks() -> None:
    lines, report = mypy_errors(HERE / "consumer.py")
    assert lines == set(), report


def test_wrong_calls_are_reported() -> None:
    source = (HERE / "wrong.py").read_text().splitlines()
    expected = {n for n, line in enumerate(source, start=1) if line.endswith("# expect-error")}
    lines, report = mypy_errors(HERE / "wrong.py")
    assert lines == expected, report


def expected_by(path: pathlib.Path, checker: str) -> set[int]:
    """Lines whose `# error:` comment names `checker`."""
    source = path.read_text().splitlines()
    return {n for n, line in enumerate(source, start=1) if re.search(rf"# error:[a-z ]*\b{checker}\b[a-z ]*$", line)}


def pyright_errors(path: pathlib.Path) -> tuple[set[int], str]:
    """Lines pyright reports errors on (the pinned pyright of the test venv)."""
    pyright = shutil.which("pyright", path=str(pathlib.Path(sys.executable).parent))
    assert pyright is not None, "pyright is one of the pinned test tools"
    done = subprocess.run(
        [pyright, "--outputjson", "--pythonpath", sys.executable, str(path)],
        capture_output=True, text=True, check=False,
    )
    report = json.loads(done.stdout)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    return {d["range"]["start"]["line"] + 1 for d in errors}, done.stdout


def test_a_match_over_every_variant_is_exhaustive() -> None:
    lines, report = mypy_errors(HERE / "exhaustive.py")
    assert lines == set(), report
    lines, report = pyright_errors(HERE / "exhaustive.py")
    assert lines == set(), report


def test_a_match_missing_a_variant_is_reported() -> None:
    path = HERE / "nonexhaustive.py"
    lines, report = mypy_errors(path)
    assert lines == expected_by(path, "mypy"), report
    lines, report = pyright_errors(path)
    assert lines == expected_by(path, "pyright"), report
