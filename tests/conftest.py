"""Shared fixtures for the end-to-end tests of the generated boxkit package."""

from __future__ import annotations

import pathlib

import pytest

import boxkit


@pytest.fixture
def runtime(tmp_path: pathlib.Path) -> boxkit.Runtime:
    return boxkit.Runtime(str(tmp_path / "root"))


@pytest.fixture
def box(runtime: boxkit.Runtime) -> boxkit.Sandbox:
    sandbox = runtime.create_box("work", {"GREETING": "hello"})
    sandbox.start()
    return sandbox
