"""Deliberately wrong uses of the generated package; `tests/test_typing.py`
checks that mypy reports each line marked with the expect-error comment."""

from __future__ import annotations

import boxkit
from boxkit import errors

runtime = boxkit.Runtime("/tmp/root")
box = runtime.create_box("x", {"KEY": 1})  # expect-error
box.exec_checked("echo hi")  # expect-error
box.set_max_output_bytes("10")  # expect-error
size: str = box.write_file("a", b"")  # expect-error
errors.NotFoundError("gone", box="b")  # expect-error
missing: int = errors.ExecFailedError("x", command="c", exit_code=1, stderr="").exit_codes  # expect-error
boxkit.BoxConfig(name="x", max_output_bytes="big")  # expect-error
boxkit.BoxConfig("positional")  # expect-error
flag: int = box.state()  # expect-error
boxkit.PathKind.File(size="1")  # expect-error
box.exec(["ls"]).stdout.decode()  # expect-error


async def forgot_await() -> list[object]:
    result: boxkit.ExecResult = box.exec_async(["ls"])  # expect-error
    print(box.exec_async(["ls"]).stdout)  # expect-error
    opened: boxkit.Runtime = boxkit.Runtime.open("/tmp/root")  # expect-error
    return [result, opened]


class WrongSignature(boxkit.EventListener):
    def on_box_created(self, box_id: int) -> None: ...  # expect-error


class NotAListener:
    def on_box_created(self, box_id: str) -> None: ...


runtime.add_listener(NotAListener())  # expect-error
