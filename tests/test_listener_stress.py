"""Listeners under load: 8 Rust threads x 10,000 events into Python while
another Python thread keeps calling into boxkit, with 10% of callbacks
raising. Uses the generated crate's test hook, which fires a callback
method from Rust threads."""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

import pytest

import boxkit
from boxkit._native import _bindery_stress_listener  # type: ignore[attr-defined]

THREADS = 8
EVENTS = 10_000


class Counting(boxkit.EventListener):
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def on_box_created(self, box_id: str) -> None:
        with self.lock:
            self.count += 1
            n = self.count
        if n % 10 == 0:
            raise RuntimeError(f"event {n} fails on purpose")


def test_every_event_is_delivered_once_and_every_error_reported(
    monkeypatch: pytest.MonkeyPatch, box: boxkit.Sandbox
) -> None:
    reported: list[Any] = []
    hook_lock = threading.Lock()

    def hook(info: Any) -> None:
        with hook_lock:
            reported.append(info.exc_type)

    monkeypatch.setattr(sys, "unraisablehook", hook)
    listener = Counting()
    stop = threading.Event()
    core_calls = 0

    def keep_calling_into_the_core() -> None:
        nonlocal core_calls
        while not stop.is_set():
            box.write_file("busy.txt", b"x")
            assert box.state() == boxkit.BoxState.RUNNING
            core_calls += 1

    busy = threading.Thread(target=keep_calling_into_the_core)
    firing = threading.Thread(
        target=_bindery_stress_listener,
        args=("EventListener", "on_box_created", listener, THREADS, EVENTS),
    )
    busy.start()
    firing.start()
    firing.join(timeout=300)
    stop.set()
    busy.join(timeout=60)
    assert not firing.is_alive() and not busy.is_alive(), "deadlock"
    assert listener.count == THREADS * EVENTS
    assert reported == [RuntimeError] * (THREADS * EVENTS // 10)
    assert core_calls > 0


def test_skipped_methods_never_take_the_gil() -> None:
    """The hook keeps the GIL while Rust threads fire an event the listener
    does not implement: if the bridge took the GIL for it, this would hang."""
    probe = (
        "import boxkit\n"
        "from boxkit._native import _bindery_stress_listener\n"
        "class OnlyStarted(boxkit.EventListener):\n"
        "    def on_box_started(self, box_id): pass\n"
        "for listener in (object(), OnlyStarted()):\n"
        "    _bindery_stress_listener('EventListener', 'on_box_created', listener, 8, 10000, True)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_callbacks_from_rust_threads_while_the_interpreter_exits_never_crash() -> None:
    """Rust threads keep calling a listener while the interpreter exits:
    once the package's exit hook ran, they no longer ask for the GIL, so
    the process neither aborts nor crashes (attaching while or after the
    interpreter finalizes did, on CPython 3.13, about 3 runs in 100 under
    load). Several runs, since each exit is a race."""
    probe = (
        "import threading, time\n"
        "import boxkit\n"
        "from boxkit._native import _bindery_stress_listener\n"
        "class Counting(boxkit.EventListener):\n"
        "    def on_box_created(self, box_id): pass\n"
        "args = ('EventListener', 'on_box_created', Counting(), 4, 10**9)\n"
        "threading.Thread(target=_bindery_stress_listener, args=args, daemon=True).start()\n"
        "time.sleep(0.1)\n"
        "print('exiting')\n"
    )
    for _ in range(15):
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
        )
        assert (result.returncode, result.stdout, result.stderr) == (0, "exiting\n", "")
