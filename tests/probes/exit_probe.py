"""Exit probe: a pending `[Async]` call must be dropped when the interpreter
exits, wherever in the call's first poll the exit comes.

Each run starts an interpreter that awaits `box.exec_async(sleeper)` in a
daemon thread while a CPU-bound thread competes for the GIL (run it beside
other load too), and exits at a random point: a random time after the thread started, or a random time after
the sleeper wrote its pid. The exit hook must drop the future, whose drop
kills the sleeper; a sleeper alive after its interpreter exited is a failure.

    python tests/probes/exit_probe.py [--runs N] [--seed S]

Exit code 1 if any sleeper survived (each is killed), with the runs that
failed and their seeds.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import textwrap
import time

SLEEPER = ["sh", "-c", "echo $$ > pid; exec sleep 30"]

# One run: argv[1] the root, argv[2] the seed.
RUN = textwrap.dedent(
    f"""
    import asyncio, pathlib, random, sys, threading, time
    import boxkit

    rng = random.Random(int(sys.argv[2]))
    box = boxkit.Runtime(sys.argv[1]).create_box("probe", {{}})
    box.start()
    print(box.workdir(), flush=True)


    spinning = True


    def spin() -> None:
        # Competes for the GIL until the main thread is done; not a daemon
        # (CPython's own daemon threads crash at exit now and then).
        while spinning:
            pass


    threading.Thread(target=spin).start()
    started = time.perf_counter()
    call = box.exec_async({SLEEPER!r})
    threading.Thread(target=asyncio.run, args=(call,), daemon=True).start()
    if rng.random() < 0.5:
        # Anywhere from before the first poll to just after the spawn.
        until = started + rng.uniform(0, 0.02)
    else:
        pid = pathlib.Path(box.workdir()) / "pid"
        deadline = started + 5
        while not (pid.exists() and pid.read_text().strip()) and time.perf_counter() < deadline:
            time.sleep(0.0005)
        until = time.perf_counter() + rng.uniform(0, 0.002)
    while time.perf_counter() < until:
        pass
    spinning = False
    """
)


def alive(pid: int) -> bool:
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state follows the command's closing parenthesis; Z is a zombie.
    return stat[stat.rindex(")") + 2] != "Z"


def sleeper_of(workdir: pathlib.Path) -> int | None:
    """The sleeper's pid, if it was spawned: it writes the file at once,
    unless it was killed first."""
    pid = workdir / "pid"
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        if pid.exists() and pid.read_text().strip():
            return int(pid.read_text())
        time.sleep(0.01)
    return None


def run(root: pathlib.Path, seed: int) -> str | None:
    """One run; what went wrong, or None."""
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", RUN, str(root), str(seed)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Silent: a call awaited on a daemon thread after the exit hook ran
    # stays pending (docs/uniffi-compat.md, "Exit").
    if done.returncode != 0 or done.stderr:
        return f"exit {done.returncode}: {done.stderr.strip()}"
    pid = sleeper_of(pathlib.Path(done.stdout.strip()))
    if pid is not None and alive(pid):
        time.sleep(0.2)  # a kill on drop may still be on its way
        if alive(pid):
            os.kill(pid, 9)
            return f"the sleeper {pid} survived the interpreter"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    failures = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        for i in range(args.runs):
            seed = args.seed + i
            problem = run(pathlib.Path(scratch) / str(i), seed)
            if problem is not None:
                failures.append(seed)
                print(f"run {i} (seed {seed}): {problem}", file=sys.stderr)
    elapsed = time.monotonic() - started
    print(f"exit probe: {args.runs - len(failures)} of {args.runs} runs clean ({elapsed:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
