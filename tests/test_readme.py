"""The README's Python example runs as written."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).parent.parent / "README.md"


def run(block: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", block], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_readme_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert len(blocks) == 4, "the README has its four Python examples"
    lines = run(blocks[0])
    assert lines[0] == "hello"
    assert lines[1].startswith("3 ExecFailed ")
    assert lines[2] == "file of 5 bytes"
    assert run(blocks[1]) == [
        "['DEBUG', 'MODE']",
        "['CREATED', 'RUNNING', 'STOPPED', 'REMOVED']",
        "file of 2 bytes",
        "stopped",
    ]
    assert run(blocks[2]) == ["jobs: exit 0", "jobs: exit 0", "b'hi\\n'", "the policy returned false"]
    assert run(blocks[3]) == ["['0', '1', '2']", "gave up", "True"]
