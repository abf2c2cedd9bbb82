"""boxkit used as an application would: real operations, real failures,
caught as typed exceptions with their fields."""

from __future__ import annotations

import builtins
import pathlib
import pickle
import threading

import pytest

import boxkit
from boxkit import errors


def test_happy_path_runs_real_processes(box: boxkit.Sandbox, tmp_path: pathlib.Path) -> None:
    assert box.exec_checked(["sh", "-c", "echo $GREETING"]) == "hello\n"
    assert box.write_file("data/in.txt", b"\x00payload") == 8
    assert box.read_file("data/in.txt") == b"\x00payload"
    out = tmp_path / "out.bin"
    assert box.copy_out("data/in.txt", str(out)) == 8
    assert out.read_bytes() == b"\x00payload"
    assert boxkit.version() == "0.1.0"


def test_missing_box_is_a_lookup_error(runtime: boxkit.Runtime) -> None:
    with pytest.raises(boxkit.NotFoundError) as caught:
        runtime.get_box("ghost")
    exc = caught.value
    assert isinstance(exc, LookupError)
    assert isinstance(exc, boxkit.BoxkitError)
    assert exc.box_id == "ghost"
    assert exc.variant == "NotFound"
    assert str(exc) == "no box named 'ghost'; list_boxes() shows the existing ones"


def test_uniffi_style_nested_names_still_catch(runtime: boxkit.Runtime) -> None:
    with pytest.raises(boxkit.BoxkitError.NotFound):
        runtime.remove_box("ghost")


def test_an_error_built_with_fields_only_as_uniffi_users_write_it() -> None:
    built = boxkit.BoxkitError.NotFound(box_id="ghost")
    assert type(built) is boxkit.NotFoundError
    assert built.box_id == "ghost"
    # No message given: the fields, described.
    assert str(built) == "box_id='ghost'"
    shared = errors.InvalidArgumentError(variant="InvalidEnv", key="K")
    assert str(shared) == "name=None, reason=None, key='K'"
    assert str(boxkit.NotFoundError("mine", box_id="x")) == "mine"
    again = pickle.loads(pickle.dumps(built))
    assert (type(again), again.box_id, str(again)) == (boxkit.NotFoundError, "ghost", str(built))


def test_failed_command_carries_exit_code_and_stderr(box: boxkit.Sandbox) -> None:
    with pytest.raises(errors.ExecFailedError) as caught:
        box.exec_checked(["sh", "-c", "echo broken >&2; exit 7"])
    exc = caught.value
    assert (exc.exit_code, exc.stderr) == (7, "broken\n")
    assert exc.command == "sh -c echo broken >&2; exit 7"
    assert str(exc) == "'sh -c echo broken >&2; exit 7' exited with code 7: broken"


def test_timeout_is_a_builtin_timeout_error(box: boxkit.Sandbox) -> None:
    with pytest.raises(builtins.TimeoutError) as caught:
        box.exec_checked(["sleep", "5"], timeout_ms=100)
    exc = caught.value
    assert type(exc) is boxkit.TimeoutError
    assert exc.after_ms == 100
    assert exc.args == (str(exc),)
    # OSError machinery must not reinterpret the message or the fields.
    assert exc.errno is None
    clone = pickle.loads(pickle.dumps(exc))
    assert (type(clone), clone.after_ms, str(clone)) == (boxkit.TimeoutError, 100, str(exc))


def test_grouped_variants_share_a_class(runtime: boxkit.Runtime, box: boxkit.Sandbox) -> None:
    with pytest.raises(errors.InvalidArgumentError) as bad_name:
        runtime.create_box("Bad Name", {})
    assert bad_name.value.variant == "InvalidName"
    assert bad_name.value.name == "Bad Name"
    assert bad_name.value.key is None
    assert isinstance(bad_name.value, ValueError)

    with pytest.raises(errors.InvalidArgumentError) as empty:
        box.exec_checked([])
    assert empty.value.variant == "EmptyCommand"
    assert (empty.value.name, empty.value.reason, empty.value.key) == (None, None, None)

    with pytest.raises(ValueError) as bad_env:
        box.set_env("A=B", "x")
    assert isinstance(bad_env.value, errors.InvalidArgumentError)
    assert bad_env.value.variant == "InvalidEnv"
    assert bad_env.value.key == "A=B"


def test_file_errors_map_to_builtin_os_errors(box: boxkit.Sandbox, runtime: boxkit.Runtime) -> None:
    with pytest.raises(FileNotFoundError) as missing:
        box.read_file("nope.txt")
    assert isinstance(missing.value, boxkit.BoxkitError)
    assert missing.value.path == "nope.txt"

    with pytest.raises(errors.PathEscapeError) as escape:
        box.read_file("../../etc/passwd")
    assert escape.value.path == "../../etc/passwd"

    with pytest.raises(FileExistsError):
        runtime.create_box("work", {})


def test_state_errors(runtime: boxkit.Runtime) -> None:
    fresh = runtime.create_box("fresh", {})
    with pytest.raises(errors.InvalidStateError) as caught:
        fresh.exec_checked(["true"])
    assert (caught.value.box_id, caught.value.state, caught.value.operation) == (
        "fresh",
        "created",
        "exec in",
    )


def test_output_limit_and_spawn_failure(box: boxkit.Sandbox) -> None:
    box.set_max_output_bytes(16)
    with pytest.raises(errors.OutputTooLargeError) as caught:
        box.exec_checked(["sh", "-c", "yes | head -c 64"])
    assert (caught.value.limit_bytes, caught.value.actual_bytes) == (16, 64)
    with pytest.raises(errors.SpawnFailedError) as spawn:
        box.exec_checked(["/definitely/not/here"])
    assert spawn.value.program == "/definitely/not/here"


def test_wrong_argument_types_raise_type_error(box: boxkit.Sandbox) -> None:
    with pytest.raises(TypeError):
        box.exec_checked("echo hi")  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        box.set_max_output_bytes(-1)


def test_other_threads_run_while_a_command_blocks(box: boxkit.Sandbox) -> None:
    """The GIL is released around core calls."""
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        box.exec_checked(["sleep", "0.3"])
    finally:
        done.set()
        counter.join()
    assert ticks > 1000
