"""The whole boxkit API from Python: records, enums, interface objects,
keyword arguments and defaults, conversions in both directions."""

from __future__ import annotations

import datetime
import pathlib
import threading

import pytest

import boxkit


def test_exec_returns_a_record(box: boxkit.Sandbox) -> None:
    result = box.exec(["sh", "-c", "echo out; echo err >&2; exit 4"])
    assert isinstance(result, boxkit.ExecResult)
    assert (result.exit_code, result.stdout, result.stderr) == (4, "out\n", "err\n")
    assert isinstance(result.duration, datetime.timedelta)
    assert datetime.timedelta(0) < result.duration < datetime.timedelta(seconds=10)
    assert repr(result).startswith("ExecResult(exit_code=4, stdout='out\\n', stderr='err\\n', ")


def test_records_have_keyword_constructors_defaults_and_equality() -> None:
    config = boxkit.BoxConfig(name="web")
    assert config.env == {}
    assert config.max_output_bytes == 16 * 1024 * 1024
    assert config == boxkit.BoxConfig(name="web", env={}, max_output_bytes=16777216)
    assert config != boxkit.BoxConfig(name="web", max_output_bytes=1)
    config.max_output_bytes = 5
    config.env = {"A": "1"}
    assert (config.max_output_bytes, config.env) == (5, {"A": "1"})
    assert repr(config) == "BoxConfig(name='web', env={'A': '1'}, max_output_bytes=5)"
    with pytest.raises(TypeError):
        boxkit.BoxConfig("web")  # type: ignore[misc]
    with pytest.raises(TypeError):
        boxkit.BoxConfig()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        hash(config)


def test_record_arguments_reach_the_core(runtime: boxkit.Runtime) -> None:
    box = runtime.create_box_with(boxkit.BoxConfig(name="capped", env={"X": "y"}, max_output_bytes=8))
    box.start()
    assert box.exec_checked(["sh", "-c", "printf $X"]) == "y"
    with pytest.raises(boxkit.OutputTooLargeError) as caught:
        box.exec(["echo", "more than eight bytes"])
    assert caught.value.limit_bytes == 8


def test_enums_compare_hash_and_match(runtime: boxkit.Runtime) -> None:
    box = runtime.create_box("states", {})
    assert box.state() == boxkit.BoxState.CREATED
    box.start()
    state = box.state()
    assert state == boxkit.BoxState.RUNNING and state != boxkit.BoxState.STOPPED
    assert {state: "up"}[boxkit.BoxState.RUNNING] == "up"
    assert repr(state) == "<BoxState.RUNNING: 1>"
    match state:
        case boxkit.BoxState.RUNNING:
            matched = True
        case _:
            matched = False
    assert matched
    box.stop()
    assert box.state() is not None and box.state() == boxkit.BoxState.STOPPED
    assert boxkit.CopyDirection.IN != boxkit.CopyDirection.OUT


def test_flat_enums_are_python_enums(runtime: boxkit.Runtime) -> None:
    import enum

    assert issubclass(boxkit.BoxState, enum.Enum)
    assert list(boxkit.BoxState) == [
        boxkit.BoxState.CREATED,
        boxkit.BoxState.RUNNING,
        boxkit.BoxState.STOPPED,
        boxkit.BoxState.REMOVED,
    ]  # declaration order
    assert len(boxkit.BoxState) == 4 and len(boxkit.CopyDirection) == 2
    running = boxkit.BoxState.RUNNING
    assert (running.name, running.value) == ("RUNNING", 1)  # the Rust discriminant
    assert boxkit.BoxState["RUNNING"] is running and boxkit.BoxState(1) is running
    assert boxkit.BoxState.__module__ == "boxkit"
    with pytest.raises(ValueError):
        boxkit.BoxState(9)
    # Members cross the boundary as the same objects, in both directions.
    box = runtime.create_box("enum-identity", {})
    box.start()
    assert box.state() is running
    assert {s: s.name.lower() for s in boxkit.BoxState}[box.state()] == "running"


def test_enums_with_fields_are_classes_per_variant(box: boxkit.Sandbox) -> None:
    assert box.stat("missing") == boxkit.PathKind.Missing()
    box.write_file("dir/file.txt", b"12345")
    kind = box.stat("dir/file.txt")
    assert isinstance(kind, boxkit.PathKind.File) and isinstance(kind, boxkit.PathKind)
    assert kind.size == 5
    assert kind == boxkit.PathKind.File(size=5)
    match box.stat("dir"):
        case boxkit.PathKind.Directory(entries):
            assert entries == 1
        case other:
            pytest.fail(f"not a directory: {other!r}")
    (pathlib.Path(box.workdir()) / "dir" / "link").symlink_to("file.txt")
    assert box.stat("dir/link") == boxkit.PathKind.Symlink(target="file.txt")


def test_objects_round_trip_as_the_same_rust_object(runtime: boxkit.Runtime) -> None:
    created = runtime.create_box("same", {})
    fetched = runtime.get_box("same")
    assert fetched == created and hash(fetched) == hash(created)
    assert fetched is not created
    assert repr(fetched) == repr(created)
    assert repr(created).startswith("<boxkit.Sandbox at 0x")
    assert len({created, fetched}) == 1
    assert runtime.list_boxes() == ["same"]


def test_keyword_arguments_and_defaults(box: boxkit.Sandbox) -> None:
    assert box.exec_checked(command=["echo", "kw"]) == "kw\n"
    assert box.exec_checked(["echo", "t"], timeout_ms=5000) == "t\n"
    with pytest.raises(TypeError, match="timeout_ms"):
        box.exec_checked(["true"], timeout_ms="soon")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="command"):
        box.exec(None)  # type: ignore[arg-type]


def test_integer_ranges_are_checked_not_wrapped(box: boxkit.Sandbox) -> None:
    with pytest.raises(OverflowError):
        box.exec_checked(["true"], timeout_ms=2**64)
    with pytest.raises(OverflowError):
        boxkit.BoxConfig(name="x", max_output_bytes=-1)


def test_calls_release_the_gil_for_other_threads(box: boxkit.Sandbox) -> None:
    """A command waits for a file that only this thread can create while the
    command is running; that works only if the call released the GIL."""
    results: list[str] = []

    def wait_for_go() -> None:
        script = "while [ ! -f go ]; do sleep 0.01; done; echo released"
        results.append(box.exec_checked(["sh", "-c", script], timeout_ms=20_000))

    waiter = threading.Thread(target=wait_for_go)
    waiter.start()
    box.write_file("go", b"")
    waiter.join(timeout=30)
    assert results == ["released\n"]


def test_small_queries(runtime: boxkit.Runtime, box: boxkit.Sandbox) -> None:
    assert box.max_output_bytes() == 16 * 1024 * 1024
    assert box.host_path("a/b.txt") == str(pathlib.Path(box.workdir()) / "a" / "b.txt")
    with pytest.raises(boxkit.PathEscapeError):
        box.host_path("../outside")
    normalized = runtime.check_config(boxkit.BoxConfig(name="ok", max_output_bytes=0))
    assert normalized == boxkit.BoxConfig(name="ok", max_output_bytes=16 * 1024 * 1024)
    with pytest.raises(boxkit.InvalidArgumentError):
        runtime.check_config(boxkit.BoxConfig(name="Not OK"))
    assert boxkit.shell_join(["echo", "a b", "it's"]) == "echo 'a b' 'it'\\''s'"


def test_handles_of_one_box_are_equal_hashable_and_printable(runtime: boxkit.Runtime) -> None:
    box = runtime.create_box("same", {})
    again = runtime.get_box("same")
    other = runtime.create_box("other", {})
    assert box == again and box != other  # `[Traits=(Eq, Hash)]`: by the box, not the handle
    assert {box: 1}[again] == 1
    assert len({box, again, other}) == 2
    assert str(box) == "box same"  # `Display`
    assert str(boxkit.BoxState.RUNNING) == "running"


def test_host_paths_cross_as_str(runtime: boxkit.Runtime, tmp_path: pathlib.Path) -> None:
    assert boxkit.HostPath is str  # a `[Custom]` type over `string`
    box = runtime.create_box("paths", {})
    assert isinstance(box.workdir(), str)
    assert pathlib.Path(box.workdir()).is_dir()
    assert pathlib.Path(runtime.root_dir()) in pathlib.Path(box.workdir()).parents
    source = tmp_path / "in.txt"
    source.write_text("data")
    assert box.copy_in(str(source), "copied.txt") == 4
    assert box.copy_out("copied.txt", str(tmp_path / "out.txt")) == 4
    assert (tmp_path / "out.txt").read_text() == "data"


def test_arguments_accept_any_mapping_sequence_and_buffer(runtime: boxkit.Runtime) -> None:
    import types

    box = runtime.create_box("conversions", types.MappingProxyType({"K": "v"}))  # any Mapping
    box.start()
    assert box.exec_checked(("sh", "-c", "printf $K")) == "v"  # any sequence
    for data in (b"abc", bytearray(b"abc"), memoryview(b"xabc")[1:]):  # any buffer
        assert box.write_file("data.bin", data) == 3
        assert box.read_file("data.bin") == b"abc"
    assert type(box.read_file("data.bin")) is bytes
    with pytest.raises(TypeError, match=r"^\['K'\]: ") as raised:
        runtime.create_box("bad-env", {"K": 1})  # type: ignore[dict-item]
    assert "while processing 'env'" in raised.value.__notes__[0]
    with pytest.raises(OverflowError) as overflow:
        box.set_max_output_bytes(-1)
    assert "while processing 'limit'" in overflow.value.__notes__[0]  # names the parameter


def test_a_sandbox_is_a_context_manager_closed_on_exit(runtime: boxkit.Runtime) -> None:
    with runtime.create_box("managed", {}) as box:  # `[interfaces.Sandbox] context-manager`
        assert isinstance(box, boxkit.Sandbox)
        box.start()
        assert box.state() is boxkit.BoxState.RUNNING
    assert box.state() is boxkit.BoxState.STOPPED
    with pytest.raises(KeyError, match="inside"), runtime.create_box("failing", {}) as other:
        other.start()
        raise KeyError("inside")  # closed, and the exception is not swallowed
    assert other.state() is boxkit.BoxState.STOPPED
    with runtime.create_box("never-started", {}) as idle:
        pass
    assert idle.state() is boxkit.BoxState.CREATED  # `close` leaves it alone


def test_objects_support_weak_references_and_refuse_pickling(runtime: boxkit.Runtime) -> None:
    import pickle
    import weakref

    box = runtime.create_box("weak", {})
    ref = weakref.ref(box)
    assert ref() is box
    with pytest.raises(TypeError, match="cannot pickle 'boxkit.Sandbox': it wraps a Rust object"):
        pickle.dumps(box)
    del box
    assert ref() is None


def test_records_pickle_copy_and_replace() -> None:
    import copy
    import pickle

    config = boxkit.BoxConfig(name="web", env={"A": "1"}, max_output_bytes=5)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        clone = pickle.loads(pickle.dumps(config, protocol=protocol))
        assert clone == config and type(clone) is boxkit.BoxConfig
    shallow = copy.copy(config)
    assert shallow == config and shallow is not config
    deep = copy.deepcopy(config)
    assert deep == config and deep.env is not config.env
    changed = config.__replace__(name="api")
    assert (changed.name, changed.env, changed.max_output_bytes) == ("api", {"A": "1"}, 5)
    with pytest.raises(TypeError):
        config.__replace__(nmae="typo")
    replace = getattr(copy, "replace", None)  # Python 3.13
    if replace is not None:
        assert replace(config, max_output_bytes=9).max_output_bytes == 9


def test_enums_pickle_and_copy() -> None:
    import copy
    import pickle

    state = boxkit.BoxState.RUNNING
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(state, protocol=protocol)) is state
        kind = boxkit.PathKind.File(size=3)
        clone = pickle.loads(pickle.dumps(kind, protocol=protocol))
        assert clone == kind and type(clone) is boxkit.PathKind.File
    assert copy.copy(state) is state and copy.deepcopy(state) is state
    link = boxkit.PathKind.Symlink(target="a")
    assert copy.deepcopy(link) == link
    assert isinstance(copy.copy(boxkit.PathKind.Missing()), boxkit.PathKind.Missing)


def test_variants_repr_as_they_are_built() -> None:
    assert repr(boxkit.PathKind.File(size=3)) == "PathKind.File(size=3)"
    assert repr(boxkit.PathKind.Symlink(target="a")) == "PathKind.Symlink(target='a')"
    assert repr(boxkit.PathKind.Missing()) == "PathKind.Missing()"
