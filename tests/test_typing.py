"""The stubs are precise: correct application code type-checks under
`mypy --strict`, and each wrong use is reported on its own line."""

from __future__ import annotations

import pathlib
import re

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
