/work/main/examples/boxkit-host/target/debug/deps/boxkit_python-81cea694c7fff904.d: /work/main/generated/src/lib.rs /work/main/generated/src/bindery_attach.rs /work/main/generated/src/bindery_queue.rs /work/main/generated/src/bindery_calls.rs /work/main/generated/src/bindery_coroutine.rs /work/main/generated/src/bindery_tokio.rs /work/main/generated/src/bindery_held.rs /work/main/generated/src/bindery_finder.rs /work/main/generated/src/../python/boxkit/__init__.py /work/main/generated/src/../python/boxkit/errors.py /work/main/generated/src/../python/boxkit/listeners.py /work/main/generated/src/../python/boxkit/_enums.py

/work/main/examples/boxkit-host/target/debug/deps/libboxkit_python-81cea694c7fff904.rmeta: /work/main/generated/src/lib.rs /work/main/generated/src/bindery_attach.rs /work/main/generated/src/bindery_queue.rs /work/main/generated/src/bindery_calls.rs /work/main/generated/src/bindery_coroutine.rs /work/main/generated/src/bindery_tokio.rs /work/main/generated/src/bindery_held.rs /work/main/generated/src/bindery_finder.rs /work/main/generated/src/../python/boxkit/__init__.py /work/main/generated/src/../python/boxkit/errors.py /work/main/generated/src/../python/boxkit/listeners.py /work/main/generated/src/../python/boxkit/_enums.py

/work/main/generated/src/lib.rs:
/work/main/generated/src/bindery_attach.rs:
/work/main/generated/src/bindery_queue.rs:
/work/main/generated/src/bindery_calls.rs:
/work/main/generated/src/bindery_coroutine.rs:
/work/main/generated/src/bindery_tokio.rs:
/work/main/generated/src/bindery_held.rs:
/work/main/generated/src/bindery_finder.rs:
/work/main/generated/src/../python/boxkit/__init__.py:
/work/main/generated/src/../python/boxkit/errors.py:
/work/main/generated/src/../python/boxkit/listeners.py:
/work/main/generated/src/../python/boxkit/_enums.py:
