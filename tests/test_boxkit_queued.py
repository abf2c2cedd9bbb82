"""Queued listener delivery: `on_exec_output` goes through the package's
event queue (idl/boxkit.toml). Each guarantee of docs/uniffi-compat.md
("Queued delivery") has a test here; each deadlock probe runs in a
subprocess with a timeout, so that it fails instead of hanging."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import typing

import pytest

import boxkit
from boxkit._native import _bindery_stress_listener  # type: ignore[attr-defined]

# boxkit's capacity: events that wait at most before a producer waits for room.
CAPACITY = 65536


class Chunks(boxkit.EventListener):
    """Records each producer's events: `ping_output` numbers them."""

    def __init__(self) -> None:
        self.seen: dict[str, list[int]] = {}
        self.data: list[bytes] = []

    def on_exec_output(self, box_id: str, chunk: bytes) -> None:
        self.data.append(chunk)
        self.seen.setdefault(box_id, []).append(int.from_bytes(chunk[:8], "little"))


class Gated(Chunks):
    """Blocks in its first event until the gate opens."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()

    def on_exec_output(self, box_id: str, chunk: bytes) -> None:
        self.entered.set()
        assert self.gate.wait(timeout=60)
        super().on_exec_output(box_id, chunk)


def test_command_output_arrives_in_order(runtime: boxkit.Runtime, box: boxkit.Sandbox) -> None:
    listener = Chunks()
    runtime.add_listener(listener)
    script = "i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done"
    result = box.exec(["sh", "-c", script])
    assert boxkit.flush_events() is True
    assert b"".join(listener.data).decode() == result.stdout
    assert result.stdout.count("\n") == 2000


def test_eight_producers_each_in_order_exact_counts(runtime: boxkit.Runtime) -> None:
    listener = Chunks()
    runtime.add_listener(listener)
    runtime.ping_output("p", 8, 100_000)
    assert boxkit.flush_events() is True
    assert sorted(listener.seen) == [f"p-{t}" for t in range(8)]
    for numbers in listener.seen.values():
        assert numbers == list(range(100_000))


def test_the_producer_does_not_wait_for_the_listener(runtime: boxkit.Runtime) -> None:
    listener = Gated()
    runtime.add_listener(listener)
    # Synchronous delivery would block here until the gate opens.
    runtime.ping_output("p", 2, 50)
    assert listener.entered.wait(timeout=60)
    assert not listener.gate.is_set()
    assert boxkit.flush_events(timeout=0.05) is False
    listener.gate.set()
    assert boxkit.flush_events() is True
    assert {k: len(v) for k, v in listener.seen.items()} == {"p-0": 50, "p-1": 50}


def test_a_removed_listener_still_gets_what_was_queued(runtime: boxkit.Runtime) -> None:
    listener = Gated()
    handle = runtime.add_listener(listener)
    runtime.ping_output("p", 1, 100)
    assert runtime.remove_listener(handle) is True
    runtime.ping_output("after", 1, 100)
    listener.gate.set()
    assert boxkit.flush_events() is True
    assert list(listener.seen) == ["p-0"]
    assert listener.seen["p-0"] == list(range(100))


def test_an_exception_goes_to_the_unraisable_hook_with_the_listener(
    runtime: boxkit.Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[typing.Any] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)

    class Failing(boxkit.EventListener):
        def __init__(self) -> None:
            self.calls = 0

        def on_exec_output(self, box_id: str, chunk: bytes) -> None:
            self.calls += 1
            raise ValueError(f"event {self.calls}")

    listener = Failing()
    runtime.add_listener(listener)
    runtime.ping_output("p", 1, 3)
    assert boxkit.flush_events() is True
    assert listener.calls == 3
    assert [str(r.exc_value) for r in reported] == ["event 1", "event 2", "event 3"]
    assert all(r.object is listener for r in reported)


def test_a_full_queue_holds_back_a_producer_that_holds_the_gil(runtime: boxkit.Runtime) -> None:
    listener = Chunks()
    # Two Rust threads send more than the queue holds while this thread
    # keeps the GIL: each waits for room with the GIL released.
    _bindery_stress_listener("EventListener", "on_exec_output", listener, 2, CAPACITY, True)
    assert boxkit.flush_events() is True
    assert len(listener.data) == 2 * CAPACITY


def test_flush_checks_its_timeout() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        boxkit.flush_events(timeout=-1)
    assert boxkit.flush_events(timeout=0) is True


def run(
    code: str, timeout: float = 60, first: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs `first`, then `code` with boxkit imported and a runtime, in a
    fresh interpreter (with `env` added to the environment); a hang fails
    the test."""
    prelude = textwrap.dedent(first) + "import boxkit, sys, os, threading, tempfile, time\n"
    prelude += "runtime = boxkit.Runtime(tempfile.mkdtemp())\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_probe_without_an_event_thread_the_producer_delivers_and_flush_returns() -> None:
    # The test hooks refuse the event thread, as a process out of threads
    # would: the producing thread delivers in order, and a listener's
    # `flush_events()` returns instead of waiting for a thread that is not there.
    result = run(
        """
        import signal
        signal.alarm(20)  # a hang dies instead of waiting for the timeout
        seen, flushes = [], []
        class Flushing(boxkit.EventListener):
            def on_exec_output(self, box_id, chunk):
                seen.append(int.from_bytes(chunk[:8], "little"))
                if len(seen) % 10 == 1:
                    flushes.append(boxkit.flush_events())
        runtime.add_listener(Flushing())
        runtime.ping_output("p", 2, 100)
        assert boxkit.flush_events(timeout=10)
        print(len(seen), sorted(seen) == sorted(list(range(100)) * 2), flushes.count(True))
        """,
        env={"BINDERY_TEST_REFUSE_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "True", "20"]


def test_probe_a_listener_that_calls_back_into_the_sdk() -> None:
    result = run(
        """
        seen = []
        class Calling(boxkit.EventListener):
            def on_exec_output(self, box_id, chunk):
                # A synchronous call and a queued event, from the event thread.
                seen.append(len(runtime.list_boxes()))
                if box_id.startswith("p"):
                    runtime.ping_output("nested", 1, 2)
        runtime.add_listener(Calling())
        runtime.ping_output("p", 4, 1000)
        assert boxkit.flush_events()
        assert boxkit.flush_events()
        print(len(seen))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(4 * 1000 * 3)]


def test_probe_a_python_thread_holds_the_gil_while_producers_wait_for_room() -> None:
    result = run(
        f"""
        count = 0
        class Slow(boxkit.EventListener):
            def on_exec_output(self, box_id, chunk):
                global count
                count += 1
        runtime.add_listener(Slow())
        stop = time.monotonic() + 2
        def spin():
            # Pure Python: holds the GIL but for the interpreter's switches.
            n = 0
            while time.monotonic() < stop:
                n += 1
        spinner = threading.Thread(target=spin)
        spinner.start()
        runtime.ping_output("p", 4, {CAPACITY})
        spinner.join()
        assert boxkit.flush_events()
        print(count)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(4 * CAPACITY)]


def test_probe_removing_a_listener_from_its_own_callback() -> None:
    result = run(
        """
        class Once(boxkit.EventListener):
            calls = 0
            def on_exec_output(self, box_id, chunk):
                Once.calls += 1
                runtime.remove_listener(handle)
        handle = runtime.add_listener(Once())
        runtime.ping_output("p", 1, 10)
        assert boxkit.flush_events()
        runtime.ping_output("q", 1, 10)
        assert boxkit.flush_events()
        print(Once.calls)
        """
    )
    assert result.returncode == 0, result.stderr
    # Removing it stops new events; the ten already queued are delivered.
    assert result.stdout.split() == ["10"]


def test_probe_flush_from_a_listener_callback() -> None:
    result = run(
        """
        order = []
        queued = threading.Event()
        class Flushing(boxkit.EventListener):
            def on_exec_output(self, box_id, chunk):
                n = int.from_bytes(chunk[:8], "little")
                order.append((box_id, n))
                if box_id == "p-0" and n == 0:
                    assert queued.wait(timeout=30)  # all of `p` is queued
                    runtime.ping_output("inner", 1, 3)
                    assert boxkit.flush_events(timeout=5) is True
                    order.append(("flushed", 0))
        runtime.add_listener(Flushing())
        runtime.ping_output("p", 1, 5)
        queued.set()
        assert boxkit.flush_events()
        print(order)
        """
    )
    assert result.returncode == 0, result.stderr
    order = eval(result.stdout)  # a list of tuples printed by the probe
    # The flush inside the first event delivered, in order, what was queued
    # before it: the rest of `p-0`, then the inner events.
    assert order == [("p-0", 0)] + [("p-0", n) for n in range(1, 5)] + [
        ("inner-0", n) for n in range(3)
    ] + [("flushed", 0)]


def test_probe_exit_while_producers_run() -> None:
    result = run(
        """
        import atexit
        class Slow(boxkit.EventListener):
            def on_exec_output(self, box_id, chunk):
                time.sleep(0.001)
        runtime.add_listener(Slow())
        # More than it can send before the process is gone: it never returns.
        producer = threading.Thread(target=runtime.ping_output, args=("p", 2, 100_000_000), daemon=True)
        producer.start()
        time.sleep(0.5)
        print("exiting", flush=True)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["exiting"]
    # The exit drained for a bounded time, then said what it left.
    lines = [line for line in result.stderr.splitlines() if "were not delivered" in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("boxkit: ")
    assert int(lines[0].split()[1]) > 0


def test_probe_exit_delivers_what_is_queued() -> None:
    # Registered before boxkit's own exit hook, so it runs after it.
    first = """
        import atexit
        seen = []
        atexit.register(lambda: print(len(seen)))
    """
    result = run(
        """
        class Recording(boxkit.EventListener):
            def on_exec_output(self, box_id, chunk):
                seen.append(chunk)
        runtime.add_listener(Recording())
        runtime.ping_output("p", 2, 5000)
        """,
        first=first,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10000"]
    assert "were not delivered" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_probe_an_at_fork_hook_that_emits_events() -> None:
    # A hook registered before boxkit's runs after boxkit's hooks would run:
    # no lock of the queue is held across the fork, so its events (emitted
    # from exec's threads, which the hook waits for) are delivered, and the
    # child has a queue of its own.
    first = """
        import os, signal
        boxes = []
        def before():
            if boxes:
                boxes[0].exec(["echo", "from the hook"])
                flushed.append(boxkit.flush_events(timeout=1))
        os.register_at_fork(before=before)
        signal.alarm(20)  # a hang dies instead of waiting for the timeout
    """
    result = run(
        """
        import warnings
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
        seen, flushed = [], []
        class Recording(boxkit.EventListener):
            def on_exec_output(self, box_id, chunk):
                seen.append(chunk)
        runtime.add_listener(Recording())
        box = runtime.create_box("hook", {})
        box.start()
        boxes.append(box)
        pid = os.fork()
        if pid == 0:
            boxes.clear()
            box.exec(["echo", "in the child"])
            ok = boxkit.flush_events(timeout=10) and seen[-1] == b"in the child\\n"
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        assert boxkit.flush_events(timeout=10)
        print(os.waitstatus_to_exitcode(status), flushed, b"".join(seen).decode().strip())
        """,
        first=first,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 [True] from the hook"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_probe_fork_while_the_event_thread_runs() -> None:
    result = run(
        """
        import warnings
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
        seen = []
        class Recording(boxkit.EventListener):
            def on_exec_output(self, box_id, chunk):
                seen.append(box_id)
        runtime.add_listener(Recording())
        producer = threading.Thread(target=runtime.ping_output, args=("parent", 2, 50_000))
        producer.start()
        time.sleep(0.05)
        pid = os.fork()
        if pid == 0:
            # The child: a queue of its own, and an event thread of its own.
            seen.clear()
            runtime.ping_output("child", 1, 1000)
            ok = boxkit.flush_events(timeout=30)
            os._exit(0 if ok and seen.count("child-0") == 1000 else 3)
        producer.join()
        assert boxkit.flush_events()
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), seen.count("parent-0"), seen.count("parent-1"))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "50000", "50000"]
