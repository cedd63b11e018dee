"""Whether the per-note core runs compiled by mypyc (setup.py) or as plain Python, and if it is current.

An editable install keeps the compiled modules beside their sources, and Python prefers them: after an
edit, the old compiled code would run until `make install` rebuilds it. This says so instead of hiding it.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path

CORE_PACKAGES = ("tpicode.read", "tpicode.checks")
CORE_MODULES = ("tpicode.code", "tpicode.pipeline")


@dataclass(frozen=True)
class CoreState:
    compiled: list[str] = field(default_factory=list)
    interpreted: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # compiled, but the source was changed afterwards

    @property
    def summary(self) -> str:
        if self.stale:
            return f"STALE compiled core (run `make install`): {', '.join(self.stale)}"
        if not self.compiled:
            return "interpreted (pure Python)"
        if self.interpreted:
            return f"partly compiled: {', '.join(self.interpreted)} not compiled"
        return f"compiled by mypyc ({len(self.compiled)} modules)"


def core_module_names() -> list[str]:
    names = list(CORE_MODULES)
    for pkg_name in CORE_PACKAGES:
        pkg = importlib.import_module(pkg_name)
        names.append(pkg_name)
        names += sorted({f"{pkg_name}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)})
    return names


def core_state() -> CoreState:
    state = CoreState()
    for name in core_module_names():
        path = Path(importlib.import_module(name).__file__ or "")
        if path.suffix == ".py":
            state.interpreted.append(name)
            continue
        state.compiled.append(name)
        stem = "__init__" if path.name.startswith("__init__.") else name.rsplit(".", 1)[1]
        source = path.with_name(stem + ".py")
        if source.exists() and source.stat().st_mtime > path.stat().st_mtime:
            state.stale.append(name)
    return state
