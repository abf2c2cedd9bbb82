"""Type-checked with `mypy --strict` by `cargo xtask test`: application code
using the generated package must need no casts and no ignores."""

from __future__ import annotations

import asyncio
import datetime

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


def managed(runtime: boxkit.Runtime) -> boxkit.BoxState:
    with runtime.create_box("m", {}) as box:
        box.start()
    return box.state()


def inspect(box: boxkit.Sandbox) -> str:
    result: boxkit.ExecResult = box.exec(["ls"], timeout_ms=None)
    seconds: float = result.duration.total_seconds()
    config = boxkit.BoxConfig(name="n", max_output_bytes=10)
    config.env = {"A": "b"}
    state: boxkit.BoxState = box.state()
    running: bool = state == boxkit.BoxState.RUNNING
    match box.stat("x"):
        case boxkit.PathKind.File(size):
            described = f"file of {size} bytes"
        case boxkit.PathKind.Directory(entries=entries):
            described = f"directory of {entries}"
        case boxkit.PathKind.Symlink() as link:
            described = link.target
        case _:
            described = "missing"
    return f"{result.exit_code} {seconds} {config.name} {running} {described}"


class Progress(boxkit.EventListener):
    """A partial listener: subclasses the base class, overrides one method."""

    def on_exec_completed(self, box_id: str, exit_code: int, duration: datetime.timedelta) -> None:
        print(box_id, exit_code, duration.total_seconds())


class FullListener:
    """Implements every method, so it satisfies the Protocol without the base class."""

    def on_box_created(self, box_id: str) -> None: ...
    def on_box_started(self, box_id: str) -> None: ...
    def on_exec_started(self, box_id: str, command: list[str]) -> None: ...
    def on_exec_completed(self, box_id: str, exit_code: int, duration: datetime.timedelta) -> None: ...
    def on_file_copied(self, box_id: str, path: str, bytes: int, direction: boxkit.CopyDirection) -> None: ...
    def on_box_stopped(self, box_id: str) -> None: ...
    def on_box_removed(self, box_id: str) -> None: ...

    def on_exec_output(self, box_id: str, chunk: bytes) -> None: ...


class OnlyEcho:
    def allow_exec(self, box_id: str, command: list[str]) -> bool:
        return command[:1] == ["echo"]


def register(runtime: boxkit.Runtime) -> bool:
    first: int = runtime.add_listener(Progress())
    runtime.add_listener(FullListener())
    delivered: bool = boxkit.flush_events(timeout=0.5)
    assert delivered in (True, False)
    runtime.set_policy(OnlyEcho())
    policy: boxkit.ExecPolicyProtocol | None = runtime.policy()
    runtime.set_policy(boxkit.allow_programs(["echo"]))
    runtime.set_policy(policy)
    runtime.set_policy(None)
    return runtime.remove_listener(first)


async def run_concurrently(root: str) -> list[str]:
    """The async calls: awaited, gathered, and a named async constructor."""
    runtime = await boxkit.Runtime.open(root)
    box = runtime.create_box("async-box", {})
    box.start()
    reached: bool = await box.wait_for_state(boxkit.BoxState.RUNNING, timeout_ms=10)
    assert reached
    results = await asyncio.gather(box.exec_async(["echo", "a"]), box.exec_async(["echo", "b"]))
    task: asyncio.Task[boxkit.ExecResult] = asyncio.create_task(box.exec_async(["true"]))
    code: int = (await task).exit_code
    return [r.stdout for r in results] + [str(code)]
