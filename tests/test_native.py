"""The installed per-note core is the compiled one (setup.py), and it was built from the current sources."""

from __future__ import annotations

import os

from tpicode.native import core_module_names, core_state


def test_core_modules_cover_the_per_note_path() -> None:
    names = core_module_names()
    for needed in ("tpicode.pipeline", "tpicode.code", "tpicode.read.sites", "tpicode.checks.counting"):
        assert needed in names


def test_compiled_core_is_current() -> None:
    state = core_state()
    assert not state.stale, state.summary  # an edit since the last `make install` would not be running


def test_core_is_compiled_unless_asked_not_to() -> None:
    state = core_state()
    if os.environ.get("TPICODE_PURE") in ("1", "true", "yes"):
        assert not state.compiled, state.summary
    else:
        assert state.compiled and not state.interpreted, state.summary
