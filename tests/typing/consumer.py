"""Type-checked with `mypy --strict` by `cargo xtask test`: application code
using the generated package must need no casts and no ignores."""

from __future__ import annotations

import boxkit
from boxkit import errors


def run(root: str) -> str:
    runtime = boxkit.Runtime(root)
    box: boxkit.Sandbox = runtime.create_box("typed", {"KEY": "value"})
    box.start()
    names: list[str] = runtime.list_boxes()
    size: int = box.write_file("a.txt", b"data")
    data: bytes = box.read_file("a.txt")
    try:
        out: str = box.exec_checked(["cat", "a.txt"], timeout_ms=1000)
    except errors.ExecFailedError as exc:
        code: int = exc.exit_code
        return f"{exc.command} failed with {code}: {exc.stderr}"
    except boxkit.BoxkitError.Timeout as exc:
        waited: int = exc.after_ms
        return f"timed out after {waited}"
    except errors.InvalidArgumentError as exc:
        key: str | None = exc.key
        return f"{exc.variant}: {key}"
    return f"{out} {len(names)} {size} {data!r} {boxkit.version()}"
