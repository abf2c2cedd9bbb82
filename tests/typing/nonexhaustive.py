"""A `match` that forgets a variant is reported: each line ending in an
`# error:` comment lists the checkers that must report it (pyright runs in
strict mode, which reports the non-exhaustive `match` itself)."""
# pyright: strict

from __future__ import annotations

import boxkit


def describe(kind: boxkit.PathKindVariant) -> str:  # error: mypy pyright
    match kind:  # error: pyright
        case boxkit.PathKind.File(size=size):
            return f"file of {size} bytes"
        case boxkit.PathKind.Directory():
            return "directory"
        case boxkit.PathKind.Symlink():
            return "link"


def state_name(state: boxkit.BoxState) -> str:  # error: mypy pyright
    match state:  # error: pyright
        case boxkit.BoxState.CREATED:
            return "new"
        case boxkit.BoxState.RUNNING:
            return "up"
