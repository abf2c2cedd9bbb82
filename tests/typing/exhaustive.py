"""A `match` over every variant of an enum with fields, or every member of a
flat enum, needs no default case: mypy --strict and pyright (strict) accept
these functions, and `assert_never` proves nothing is left over."""
# pyright: strict

from __future__ import annotations

from typing import assert_never

import boxkit


def describe(kind: boxkit.PathKindVariant) -> str:
    match kind:
        case boxkit.PathKind.File(size=size):
            return f"file of {size} bytes"
        case boxkit.PathKind.Directory(entries=entries):
            return f"directory of {entries} entries"
        case boxkit.PathKind.Symlink(target=target):
            return f"link to {target}"
        case boxkit.PathKind.Missing():
            return "missing"


def leftover(kind: boxkit.PathKindVariant) -> None:
    match kind:
        case boxkit.PathKind.File() | boxkit.PathKind.Directory():
            pass
        case boxkit.PathKind.Symlink() | boxkit.PathKind.Missing():
            pass
        case _:
            assert_never(kind)


def state_name(state: boxkit.BoxState) -> str:
    match state:
        case boxkit.BoxState.CREATED:
            return "new"
        case boxkit.BoxState.RUNNING:
            return "up"
        case boxkit.BoxState.STOPPED | boxkit.BoxState.REMOVED:
            return "down"


def what_is(box: boxkit.Sandbox, path: str) -> str:
    return describe(box.stat(path))  # what Rust returns is the union
