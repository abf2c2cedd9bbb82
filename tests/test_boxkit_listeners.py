"""Listeners and the exec policy of boxkit, registered from Python and
called from boxkit's own threads."""

from __future__ import annotations

import datetime
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import boxkit
from boxkit import errors


@pytest.fixture
def unraisable(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    seen: list[Any] = []
    lock = threading.Lock()

    def hook(info: Any) -> None:
        with lock:
            seen.append(info)

    monkeypatch.setattr(sys, "unraisablehook", hook)
    yield seen


class Recorder(boxkit.EventListener):
    """Records every lifecycle event, with the thread that delivered exec events."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.threads: set[int] = set()

    def on_box_created(self, box_id: str) -> None:
        self.events.append(("created", box_id))

    def on_box_started(self, box_id: str) -> None:
        self.events.append(("started", box_id))

    def on_box_stopped(self, box_id: str) -> None:
        self.events.append(("stopped", box_id))

    def on_exec_started(self, box_id: str, command: list[str]) -> None:
        self.threads.add(threading.get_ident())
        self.events.append(("exec", box_id, command))

    def on_exec_completed(self, box_id: str, exit_code: int, duration: datetime.timedelta) -> None:
        assert isinstance(duration, datetime.timedelta) and duration.total_seconds() > 0
        self.events.append(("done", box_id, exit_code))

    def on_file_copied(
        self, box_id: str, path: str, bytes: int, direction: boxkit.CopyDirection
    ) -> None:
        self.events.append(("copy", box_id, path, bytes, direction))

    def on_box_removed(self, box_id: str) -> None:
        self.events.append(("removed", box_id))


def test_lifecycle_events_reach_python(runtime: boxkit.Runtime, tmp_path: Any) -> None:
    recorder = Recorder()
    handle = runtime.add_listener(recorder)
    box = runtime.create_box("events", {})
    box.start()
    box.exec_checked(["sh", "-c", "exit 0"])
    host = tmp_path / "in.txt"
    host.write_bytes(b"abc")
    box.copy_in(str(host), "in.txt")
    box.copy_out("in.txt", str(tmp_path / "out.txt"))
    box.stop()
    runtime.remove_box("events")
    assert recorder.events == [
        ("created", "events"),
        ("started", "events"),
        ("exec", "events", ["sh", "-c", "exit 0"]),
        ("done", "events", 0),
        ("copy", "events", "in.txt", 3, boxkit.CopyDirection.IN),
        ("copy", "events", "in.txt", 3, boxkit.CopyDirection.OUT),
        ("stopped", "events"),
        ("removed", "events"),
    ]
    assert threading.get_ident() not in recorder.threads, "exec events come from a worker thread"
    assert runtime.remove_listener(handle)
    runtime.create_box("after", {})
    assert recorder.events[-1] == ("removed", "events"), "no events after removal"


def test_any_object_with_some_methods_is_a_listener(runtime: boxkit.Runtime) -> None:
    seen: list[str] = []

    class Duck:
        def on_box_started(self, box_id: str) -> None:
            seen.append(box_id)

    runtime.add_listener(Duck())  # type: ignore[arg-type]
    box = runtime.create_box("duck", {})
    box.start()
    assert seen == ["duck"]


def test_errors_inside_callbacks_go_to_the_unraisable_hook(
    runtime: boxkit.Runtime, unraisable: list[Any]
) -> None:
    class Broken(boxkit.EventListener):
        def on_box_created(self, box_id: str) -> None:
            raise AttributeError("a bug inside the callback, not a missing method")

    listener = Broken()
    runtime.add_listener(listener)
    runtime.create_box("broken", {})
    assert len(unraisable) == 1
    assert unraisable[0].exc_type is AttributeError
    assert unraisable[0].object is listener


def test_a_non_callable_attribute_is_rejected_at_registration(runtime: boxkit.Runtime) -> None:
    class Odd:
        on_box_created = 42

    with pytest.raises(TypeError, match="on_box_created"):
        runtime.add_listener(Odd())  # type: ignore[arg-type]


class Policy:
    """A policy in Python: any object with `allow_exec` (`boxkit.ExecPolicyProtocol`)."""

    def allow_exec(self, box_id: str, command: list[str]) -> bool:
        if command[0] == "rm":
            raise errors.PolicyRejectedError(
                "no rm here", command=" ".join(command), reason="rm is not allowed"
            )
        if command[0] == "shred":
            # UniFFI's spelling: fields only.
            raise errors.BoxkitError.PolicyRejected(command=command[0], reason="no shredding")
        if command[0] == "crash":
            raise ValueError("policy bug")
        if command[0] == "weird":
            return "yes"  # type: ignore[return-value]
        return command[0] != "curl"


def test_the_exec_policy_decides(box: boxkit.Sandbox, runtime: boxkit.Runtime) -> None:
    runtime.set_policy(Policy())
    assert box.exec_checked(["echo", "ok"]) == "ok\n"
    with pytest.raises(errors.PolicyRejectedError) as refused:
        box.exec_checked(["curl", "example"])
    assert refused.value.reason == "the policy returned false"
    with pytest.raises(errors.PolicyRejectedError) as raised:
        box.exec_checked(["rm", "-rf", "x"])
    assert (raised.value.command, raised.value.reason) == ("rm -rf x", "rm is not allowed")
    with pytest.raises(errors.PolicyRejectedError) as fields_only:
        box.exec_checked(["shred", "x"])
    assert (fields_only.value.command, fields_only.value.reason) == ("shred", "no shredding")
    runtime.set_policy(None)
    assert box.exec_checked(["echo", "free"]) == "free\n"


def test_a_failing_policy_fails_the_exec_and_is_reported(
    box: boxkit.Sandbox, runtime: boxkit.Runtime, unraisable: list[Any]
) -> None:
    runtime.set_policy(Policy())
    with pytest.raises(errors.InternalError) as crashed:
        box.exec_checked(["crash"])
    assert "ValueError: policy bug" in crashed.value.message
    with pytest.raises(errors.InternalError) as weird:
        box.exec_checked(["weird"])
    assert "TypeError" in weird.value.message
    assert [u.exc_type for u in unraisable] == [ValueError, TypeError]


def test_a_rust_policy_and_a_python_policy_come_back_as_themselves(
    box: boxkit.Sandbox, runtime: boxkit.Runtime
) -> None:
    assert runtime.policy() is None
    python_policy = Policy()
    runtime.set_policy(python_policy)
    assert runtime.policy() is python_policy
    rust_policy = boxkit.allow_programs(["echo"])
    assert isinstance(rust_policy, boxkit.ExecPolicy)
    assert rust_policy.allow_exec(box.id(), ["echo", "hi"]) is True
    runtime.set_policy(rust_policy)
    assert runtime.policy() == rust_policy
    assert box.exec_checked(["echo", "ok"]) == "ok\n"
    with pytest.raises(errors.PolicyRejectedError):
        box.exec_checked(["true"])
    runtime.set_policy(None)


def test_a_policy_must_define_its_method(runtime: boxkit.Runtime) -> None:
    with pytest.raises(TypeError, match="allow_exec"):
        runtime.set_policy(object())  # type: ignore[arg-type]


def test_ping_reaches_listeners_from_many_threads(runtime: boxkit.Runtime) -> None:
    class Starts(boxkit.EventListener):
        def __init__(self) -> None:
            self.count = 0
            self.lock = threading.Lock()

        def on_box_started(self, box_id: str) -> None:
            with self.lock:
                self.count += 1

    starts = Starts()
    runtime.add_listener(starts)
    runtime.add_listener(boxkit.EventListener())  # implements nothing: skipped
    runtime.ping_listeners("probe", 4, 250)
    assert starts.count == 1000
