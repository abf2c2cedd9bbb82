"""The async calls of the generated boxkit package: coroutines driving the
core's tokio futures (`[async] runtime = "tokio"`)."""

from __future__ import annotations

import asyncio
import gc
import os
import pathlib
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import boxkit

# A command that writes its pid to `pid` in the box, then sleeps: the
# process the tests expect to be killed.
SLEEPER = ["sh", "-c", "echo $$ > pid; exec sleep 30"]


def alive(pid: int) -> bool:
    """Whether process `pid` exists and has not exited (a zombie has)."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):  # gone, or reaped while read
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until_dead(pid: int) -> bool:
    for _ in range(500):
        if not alive(pid):
            return True
        time.sleep(0.01)
    return False


async def pid_of_sleeper(box: boxkit.Sandbox) -> int:
    """Waits until the sleeper wrote its pid (polling the box's file)."""
    for _ in range(500):
        try:
            text = box.read_file("pid").decode().strip()
        except boxkit.FileNotFoundError:
            text = ""
        if text:
            return int(text)
        await asyncio.sleep(0.01)
    raise AssertionError("the sleeper never started")


def test_each_kind_of_call_is_awaitable(tmp_path: pathlib.Path) -> None:
    async def main() -> tuple[str, bool, boxkit.ExecResult]:
        runtime = await boxkit.Runtime.open(str(tmp_path / "root"))  # named constructor
        box = runtime.create_box("a", {"WHO": "async"})
        box.start()
        reached = await box.wait_for_state(boxkit.BoxState.RUNNING)  # method
        result = await box.exec_async(["sh", "-c", "echo $WHO"])
        return runtime.root_dir(), reached, result

    root, reached, result = asyncio.run(main())
    assert root == str((tmp_path / "root").resolve())
    assert reached is True
    assert isinstance(result, boxkit.ExecResult)
    assert (result.exit_code, result.stdout) == (0, "async\n")


def test_calls_are_coroutines_with_names(box: boxkit.Sandbox) -> None:
    call = box.wait_for_state(boxkit.BoxState.RUNNING)
    assert asyncio.iscoroutine(call)
    assert (call.__name__, call.__qualname__) == ("wait_for_state", "Sandbox.wait_for_state")
    assert asyncio.run(call) is True
    with pytest.raises(RuntimeError, match="cannot reuse already awaited coroutine"):
        call.send(None)


def test_errors_raise_the_typed_exceptions(box: boxkit.Sandbox, tmp_path: pathlib.Path) -> None:
    async def main() -> None:
        with pytest.raises(boxkit.InvalidArgumentError) as empty:
            await box.exec_async([])
        assert empty.value.variant == "EmptyCommand"
        with pytest.raises(boxkit.TimeoutError) as late:
            await box.exec_async(["sleep", "5"], timeout_ms=50)
        assert late.value.after_ms == 50
        box.stop()
        with pytest.raises(boxkit.InvalidStateError):
            await box.exec_async(["true"])
        with pytest.raises(boxkit.RootUnavailableError):
            await boxkit.Runtime.open(str(tmp_path / "a-file" / "below"))

    (tmp_path / "a-file").write_text("")
    asyncio.run(main())


def test_a_timeout_kills_the_process(box: boxkit.Sandbox) -> None:
    async def main() -> int:
        call = asyncio.ensure_future(box.exec_async(SLEEPER, timeout_ms=300))
        pid = await pid_of_sleeper(box)
        with pytest.raises(boxkit.TimeoutError):
            await call
        return pid

    assert wait_until_dead(asyncio.run(main()))


@pytest.mark.parametrize("how", ["cancel", "wait_for", "timeout"])
def test_cancelling_drops_the_future_and_kills_the_child(box: boxkit.Sandbox, how: str) -> None:
    async def main() -> int:
        task = asyncio.create_task(box.exec_async(SLEEPER))
        pid = await pid_of_sleeper(box)
        assert alive(pid)
        if how == "cancel":
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        elif how == "wait_for":
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(task, 0.05)
        else:
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.05):
                    await task
        # Dropping the future killed the child before the task finished.
        return pid

    assert wait_until_dead(asyncio.run(main()))


def test_concurrent_calls_progress_together(box: boxkit.Sandbox) -> None:
    # The first command waits for a file that only the second creates: run
    # one after the other, the first would time out.
    waiter = ["sh", "-c", "while [ ! -f flag ]; do sleep 0.01; done; echo done"]

    async def main() -> list[boxkit.ExecResult]:
        first = asyncio.create_task(box.exec_async(waiter, timeout_ms=10_000))
        await asyncio.sleep(0.05)
        return await asyncio.gather(first, box.exec_async(["touch", "flag"]))

    first, second = asyncio.run(main())
    assert (first.stdout, second.exit_code) == ("done\n", 0)


def test_many_waiters_complete_on_one_state_change(box: boxkit.Sandbox) -> None:
    async def main() -> list[bool]:
        waiters = [asyncio.create_task(box.wait_for_state(boxkit.BoxState.STOPPED)) for _ in range(50)]
        await asyncio.sleep(0.05)
        assert not any(w.done() for w in waiters)
        box.stop()
        return await asyncio.gather(*waiters)

    assert asyncio.run(main()) == [True] * 50


def test_the_loop_and_other_threads_run_while_a_call_is_pending(box: boxkit.Sandbox) -> None:
    counted = [0]
    stop = threading.Event()

    def count() -> None:  # needs the GIL for every step
        while not stop.is_set():
            counted[0] += 1

    async def main() -> int:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        ticker = asyncio.create_task(tick())
        await box.exec_async(["sleep", "0.3"])
        ticker.cancel()
        return ticks

    thread = threading.Thread(target=count)
    thread.start()
    before = counted[0]
    try:
        ticks = asyncio.run(main())
    finally:
        stop.set()
        thread.join()
    assert ticks >= 10  # a blocked loop would tick at most once
    assert counted[0] - before > 1000


def test_each_thread_can_run_its_own_loop(runtime: boxkit.Runtime) -> None:
    box = runtime.create_box("threads", {})
    box.start()
    results: dict[int, str] = {}

    def run(i: int) -> None:
        results[i] = asyncio.run(box.exec_async(["echo", str(i)])).stdout

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: f"{i}\n" for i in range(4)}


def test_a_coroutine_never_awaited_runs_nothing(box: boxkit.Sandbox, tmp_path: pathlib.Path) -> None:
    call = box.exec_async(["touch", "never"])
    del call
    gc.collect()
    call = box.exec_async(["touch", "closed"])
    call.close()
    assert asyncio.run(box.exec_async(["ls"])).stdout == ""


def test_sequential_awaits_do_not_leak(box: boxkit.Sandbox) -> None:
    async def many(n: int) -> None:
        for _ in range(n):
            assert await box.wait_for_state(boxkit.BoxState.RUNNING)
            assert not await box.wait_for_state(boxkit.BoxState.REMOVED, timeout_ms=0)
        # Cancelled while pending: the coroutine, its task and the loop's
        # future it waited on must not keep each other alive.
        for _ in range(n // 10):
            task = asyncio.create_task(box.wait_for_state(boxkit.BoxState.REMOVED))
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(many(2000))  # warm every cache, with the same counts
    gc.collect()
    before = sys.getallocatedblocks()
    asyncio.run(many(2000))
    gc.collect()
    # A new event loop's allocations vary by up to ~250 blocks between runs;
    # a leak of one block per await (4,000 here), or of the several objects
    # of a cancelled task (200), would exceed the bound.
    assert sys.getallocatedblocks() - before < 500


def test_exit_with_a_call_pending_is_clean_and_kills_the_child(tmp_path: pathlib.Path) -> None:
    # A loop in a daemon thread is still awaiting the sleeper when the
    # interpreter exits: the exit hook drops the future, which kills it.
    script = textwrap.dedent(
        f"""
        import asyncio, pathlib, threading, time
        import boxkit

        box = boxkit.Runtime({str(tmp_path / "root")!r}).create_box("exit", {{}})
        box.start()
        threading.Thread(target=asyncio.run, args=(box.exec_async({SLEEPER!r}),), daemon=True).start()
        pid = pathlib.Path(box.workdir()) / "pid"
        while not pid.exists() or not pid.read_text().strip():
            time.sleep(0.01)
        print(pid.read_text().strip())
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert wait_until_dead(int(done.stdout))


def test_a_call_awaited_on_the_main_thread_after_the_exit_hook_raises(tmp_path: pathlib.Path) -> None:
    # An atexit hook registered before the import runs after bindery's: its
    # call cannot run any more, and says so instead of hanging.
    script = textwrap.dedent(
        f"""
        import asyncio, atexit

        def late() -> None:
            try:
                asyncio.run(box.wait_for_state(boxkit.BoxState.REMOVED))
            except RuntimeError as exc:
                print(exc)

        atexit.register(late)
        import boxkit

        box = boxkit.Runtime({str(tmp_path / "root")!r}).create_box("late", {{}})
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "the interpreter is exiting; the call was dropped\n", "")


def test_exit_while_a_runtime_thread_wakes_a_call_is_silent(tmp_path: pathlib.Path) -> None:
    # Timers keep firing on tokio's threads while the interpreter finalizes.
    script = textwrap.dedent(
        """
        import asyncio, sys, threading
        import boxkit

        box = boxkit.Runtime(sys.argv[1]).create_box("wake", {})
        box.start()

        async def waits():
            await asyncio.gather(*[box.wait_for_state(boxkit.BoxState.REMOVED, timeout_ms=5 * i) for i in range(200)])

        threading.Thread(target=asyncio.run, args=(waits(),), daemon=True).start()
        """
    )
    for i in range(3):
        command = [sys.executable, "-c", script, str(tmp_path / str(i))]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_async_calls_work_in_a_forked_child(tmp_path: pathlib.Path) -> None:
    # The parent's tokio runtime has no worker threads in a child made by
    # `os.fork()` (multiprocessing's default start method on Linux before
    # 3.14): the child starts its own, and its timers and processes work.
    script = textwrap.dedent(
        """
        import asyncio, os, signal, sys, warnings
        import boxkit

        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
        box = boxkit.Runtime(sys.argv[1]).create_box("fork", {})
        box.start()

        async def calls() -> str:
            waited = await box.wait_for_state(boxkit.BoxState.REMOVED, timeout_ms=20)
            result = await box.exec_async(["sh", "-c", "echo $$"], timeout_ms=10_000)
            return f"{waited} {result.exit_code}"

        print("parent", asyncio.run(calls()), flush=True)
        pid = os.fork()
        if pid == 0:
            signal.alarm(20)  # a hanging child dies: exit -14
            print("child", asyncio.run(calls()), flush=True)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        print("exit", os.waitstatus_to_exitcode(status), flush=True)
        """
    )
    command = [sys.executable, "-c", script, str(tmp_path / "root")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["parent False 0", "child False 0", "exit 0"]
