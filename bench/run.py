"""Benchmarks of the boxkit bindings, run by `cargo xtask bench`.

Every operation is timed for every binding in the same process, round after
round with the bindings interleaved (each first in turn), so machine noise
hits all of them alike; each time is the median over rounds of the mean
time per call, each ratio the median over rounds of that round's ratio.
Prints a Markdown table with the ratios; writes nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import pathlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

BINDINGS = {"generated": "boxkit", "hand-written": "boxkit_handwritten", "UniFFI": "boxkit_uniffi"}
COMMAND = [f"arg-{i}" for i in range(99)] + ["needs quoting"]


class Starts:
    """A listener implementing only `on_box_started`."""

    def __init__(self) -> None:
        self.count = 0

    def on_box_started(self, box_id: str) -> None:
        self.count += 1


class Nothing:
    """A listener implementing nothing: every event is skipped."""


Operation = tuple[Callable[[], object], int]


def operations(module: Any, root: str) -> dict[str, Operation | None]:
    """Operation name -> (one call, events per call), or None if not bound."""
    runtime = module.Runtime(root)
    box = runtime.create_box("bench", {})
    config = module.BoxConfig(name="bench-config", env={}, max_output_bytes=0)
    # UniFFI nests variant classes in the error class.
    not_found = getattr(module, "NotFoundError", None) or module.BoxkitError.NotFound

    held = module.BoxConfig(name="bench-held", env={"A": "1"}, max_output_bytes=0)

    def record_mutate() -> None:
        held.env["B"] = "2"  # read the dict field, change it in place, pass the record back
        runtime.check_config(held)

    created = module.BoxState.CREATED

    loop = asyncio.new_event_loop()

    async def awaits() -> None:
        for _ in range(100):
            await box.wait_for_state(created)  # the box's state: ready at once


    def typed_error() -> None:
        try:
            runtime.get_box("missing")
        except not_found as exc:
            assert exc.box_id == "missing"

    calls: dict[str, Operation | None] = {
        "int getter `max_output_bytes()`": (box.max_output_bytes, 1),
        "string in/out `host_path(str)`": (lambda: box.host_path("a/b.txt"), 1),
        "record in/out `check_config(BoxConfig)`": (lambda: runtime.check_config(config), 1),
        "record dict field: mutate, pass back `check_config`": (record_mutate, 1),
        "flat enum out `state()`": (box.state, 1),
        "flat enum in `list_boxes_in(BoxState)`": (lambda: runtime.list_boxes_in(created), 1),
        "`shell_join(list of 100 str)`": (lambda: module.shell_join(COMMAND), 1),
        "raise + catch a typed error": (typed_error, 1),
        "await a ready call `wait_for_state(CREATED)`": (lambda: loop.run_until_complete(awaits()), 100),
    }
    listener_rows = [
        "listener event, delivered, 1 thread",
        "listener event, delivered, 1 thread, 10,000 per thread started",
        "listener event, delivered, 1 thread, a Python thread contending",
        "listener event, delivered, 1 thread, a Python thread contending, releasing the GIL",
        "listener event, delivered, 8 threads",
        "listener event, skipped, 1 thread",
        "listener event, skipped, 8 threads",
    ]
    if not hasattr(runtime, "add_listener"):
        return calls | dict.fromkeys(listener_rows)

    delivered = module.Runtime(root + "-delivered")
    delivered.add_listener(Starts())
    skipped = module.Runtime(root + "-skipped")
    if module.__name__ != "boxkit_uniffi":
        skipped.add_listener(Nothing())
    def contended(spin_call: Callable[[], object]) -> Callable[[], None]:
        """400 events while a Python thread keeps calling `spin_call`."""

        def run() -> None:
            stop = threading.Event()

            def spin() -> None:
                while not stop.is_set():
                    spin_call()

            spinner = threading.Thread(target=spin)
            spinner.start()
            delivered.ping_listeners("b", 1, 400)
            stop.set()
            spinner.join()

        return run

    rows: dict[str, Operation | None] = {
        "listener event, delivered, 1 thread": (lambda: delivered.ping_listeners("b", 1, 100), 100),
        # The same, with the cost of starting the core's thread (and of its
        # first visit to Python) spread over 10,000 events instead of 100.
        "listener event, delivered, 1 thread, 10,000 per thread started": (
            lambda: delivered.ping_listeners("b", 1, 10_000),
            10_000,
        ),
        # A cheap native call that keeps the GIL (`[gil] keep`), and one
        # that releases it around the core (UniFFI's calls all release it).
        "listener event, delivered, 1 thread, a Python thread contending": (contended(box.max_output_bytes), 400),
        "listener event, delivered, 1 thread, a Python thread contending, releasing the GIL": (
            contended(lambda: box.host_path("a/b.txt")),
            400,
        ),
        "listener event, delivered, 8 threads": (lambda: delivered.ping_listeners("b", 8, 100), 800),
        "listener event, skipped, 1 thread": (lambda: skipped.ping_listeners("b", 1, 1000), 1000),
        "listener event, skipped, 8 threads": (lambda: skipped.ping_listeners("b", 8, 1000), 8000),
    }
    if module.__name__ == "boxkit_uniffi":
        # UniFFI calls every method of a callback interface: a listener
        # without `on_box_started` would crash a boxkit thread, so it has no
        # skipped path to measure.
        rows["listener event, skipped, 1 thread"] = None
        rows["listener event, skipped, 8 threads"] = None
    return calls | rows


class Timed:
    """Records each `on_exec_output` event's delay from the Rust thread's
    timestamp (in its chunk) to the callback's start."""

    def __init__(self) -> None:
        self.delays: list[int] = []

    def on_exec_output(self, box_id: str, chunk: bytes) -> None:
        self.delays.append(time.time_ns() - int.from_bytes(chunk[8:16], "little"))

    # UniFFI calls every method of the interface it declares.
    def on_box_created(self, box_id: str) -> None: ...
    def on_box_started(self, box_id: str) -> None: ...
    def on_exec_started(self, box_id: str, command: list[str]) -> None: ...
    def on_exec_completed(self, box_id: str, exit_code: int, duration: object) -> None: ...
    def on_file_copied(self, box_id: str, path: str, bytes: int, direction: object) -> None: ...
    def on_box_stopped(self, box_id: str) -> None: ...
    def on_box_removed(self, box_id: str) -> None: ...


# (row, producing threads, events per thread per burst, bursts per round)
EVENT_LOADS = [
    ("1 thread, bursts of 1,000", 1, 1000, 20),
    ("8 threads, bursts of 1,000 each", 8, 1000, 5),
    ("8 threads × 100,000: saturated", 8, 100_000, 1),
]


def listener_alone() -> float:
    """ns per call of `Timed.on_exec_output` called from Python with the
    arguments an event brings: the listener's own work, without delivery."""
    listener = Timed()
    chunk = (0).to_bytes(8, "little") + time.time_ns().to_bytes(8, "little")
    start = time.perf_counter_ns()
    for _ in range(20_000):
        listener.on_exec_output("b-0", chunk)
    return (time.perf_counter_ns() - start) / 20_000


def event_rows(modules: dict[str, Any], root: str, rounds: int) -> list[str]:
    """`on_exec_output` events sent by `ping_output`: end to end (until
    flushed), on the producing thread, the end-to-end time over the
    listener's own work (timed in each round just before), and the delay to
    the callback."""
    rows = []
    alone_times: list[float] = []
    for binding, module in modules.items():
        runtime = module.Runtime(f"{root}/{binding}-events")
        if not hasattr(runtime, "ping_output"):
            continue
        listener = Timed()
        runtime.add_listener(listener)
        flush = getattr(module, "flush_events", lambda: True)
        delivery = "queued" if hasattr(module, "flush_events") else "synchronous"
        for name, threads, count, bursts in EVENT_LOADS:
            if binding == "UniFFI" and count > 1000:
                continue  # synchronous delivery has no saturation to show
            totals, ratios, spent, events = [], [], 0, 0
            listener.delays.clear()
            for _ in range(rounds):
                alone = listener_alone()
                alone_times.append(alone)
                start = time.perf_counter_ns()
                for _ in range(bursts):
                    spent += runtime.ping_output("b", threads, count)
                    assert flush()
                totals.append((time.perf_counter_ns() - start) / (bursts * threads * count))
                ratios.append(totals[-1] / alone)
                events += bursts * threads * count
            delays = sorted(listener.delays)
            assert len(delays) == events
            p50, p99 = delays[len(delays) // 2], delays[len(delays) * 99 // 100]
            rows.append(
                f"| {binding}, {delivery} | {name} | {statistics.median(totals):,.0f} | "
                f"{spent / events:,.0f} | {statistics.median(ratios):.2f} | {p50 / 1000:,.1f} | {p99 / 1000:,.1f} |"
            )
    alone = statistics.median(alone_times)
    return [f"| the listener alone, called from Python | | {alone:,.0f} | | 1.00 | | |", *rows]


def concurrent_waits(module: Any, root: str, count: int, ms: int) -> float:
    """Seconds for `count` concurrent `ms`-millisecond waits in the core."""
    box = module.Runtime(root).create_box("waits", {})

    async def waits() -> None:
        await asyncio.gather(*[box.wait_for_state(module.BoxState.REMOVED, ms) for _ in range(count)])

    start = time.perf_counter()
    asyncio.run(waits())
    return time.perf_counter() - start


def time_call(call: Callable[[], object], calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        call()
    return (time.perf_counter_ns() - start) / calls


def generation_times(bindery: str, sizes: list[int]) -> dict[int, float]:
    """Seconds `bindery generate` takes for synthetic schemas of `sizes` definitions."""
    out = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            udl = pathlib.Path(tmp) / "synthetic.udl"
            functions = "".join(f"  u32 f{i}(u32 a, string b);\n" for i in range(size // 2))
            records = "".join(f"dictionary R{i} {{ u32 x; string? y; }};\n" for i in range(size - size // 2))
            udl.write_text(f"namespace synthetic {{\n{functions}}};\n{records}")
            start = time.perf_counter()
            subprocess.run([bindery, "generate", "--udl", str(udl), "--out", str(pathlib.Path(tmp) / "out")], check=True, capture_output=True)
            out[size] = time.perf_counter() - start
    return out


def ratio(samples: dict[tuple[str, str], list[float]], name: str, a: str, b: str) -> str:
    """The median over rounds of `a`'s time over `b`'s in the same round:
    the two were timed one right after the other, so a slower or faster
    spell of the machine cancels out."""
    x, y = samples[(a, name)], samples[(b, name)]
    if not x or not y:
        return "n/a"
    return f"{statistics.median(p / q for p, q in zip(x, y)):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=12_000)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--bindery", help="path of the bindery binary, for the generation rows")
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--uniffi-dir", help="folder of UniFFI's boxkit_uniffi.py and its library")
    args = parser.parse_args()

    bindings = dict(BINDINGS)
    if args.uniffi_dir:
        sys.path.insert(0, args.uniffi_dir)
    else:
        del bindings["UniFFI"]
    modules = {name: importlib.import_module(module) for name, module in bindings.items()}
    with tempfile.TemporaryDirectory() as tmp:
        ops = {name: operations(module, f"{tmp}/{name}") for name, module in modules.items()}
        names = list(next(iter(ops.values())))
        samples: dict[tuple[str, str], list[float]] = {(b, n): [] for b in ops for n in names}
        order = list(ops)
        for index in range(args.rounds):
            for name in names:
                # Interleaved: every binding in every round, in turn first.
                for binding in order[index % len(order) :] + order[: index % len(order)]:
                    operation = ops[binding][name]
                    if operation is None:
                        continue
                    call, events = operation
                    # At least 10 calls: a call of thousands of events is one sample of
                    # thread scheduling, not of the binding.
                    calls = max(10, args.calls // events)
                    samples[(binding, name)].append(time_call(call, calls) / events)

    columns = list(bindings)
    ratios = ["generated / hand-written"] + (["UniFFI / generated"] if "UniFFI" in columns else [])
    print(f"| operation | {' | '.join(f'{c} (ns)' for c in columns)} | {' | '.join(ratios)} |")
    print("|---|" + "---|" * (len(columns) + len(ratios)))
    for name in names:
        medians = {b: statistics.median(samples[(b, name)]) if samples[(b, name)] else None for b in columns}
        cells = " | ".join("n/a" if m is None else f"{m:,.0f}" for m in medians.values())

        row = [ratio(samples, name, "generated", "hand-written")]
        if "UniFFI" in columns:
            row.append(ratio(samples, name, "UniFFI", "generated"))
        print(f"| {name} | {cells} | {' | '.join(row)} |")
    # UniFFI's scaffolding polls outside any tokio runtime: a core timer panics there.
    with tempfile.TemporaryDirectory() as tmp:
        walls = {
            b: statistics.median(concurrent_waits(modules[b], f"{tmp}/{b}-{i}", 1000, 100) for i in range(3))
            for b in columns
            if b != "UniFFI"
        }
    with tempfile.TemporaryDirectory() as tmp:
        event_table = event_rows(modules, tmp, args.rounds)
    print()
    print(
        "| `on_exec_output` events | producers | end to end (ns/event) | on the producing thread (ns/event) "
        "| end to end / the listener alone | delay p50 (µs) | delay p99 (µs) |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(event_table))
    print()
    print("| 1,000 concurrent 100 ms core waits | wall time (ms) |")
    print("|---|---|")
    for binding, seconds in walls.items():
        print(f"| {binding} | {seconds * 1000:,.0f} |")
    if args.bindery:
        sizes = [int(s) for s in args.sizes.split(",")]
        times = generation_times(args.bindery, sizes)
        print()
        print("| definitions | `bindery generate` (s) | per definition (µs) |")
        print("|---|---|---|")
        for size, seconds in times.items():
            print(f"| {size:,} | {seconds:.3f} | {seconds / size * 1e6:.1f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
