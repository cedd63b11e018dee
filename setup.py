"""Compiles the per-note core (reader, coder, checks, pipeline) to C with mypyc; the rest stays Python.

Why mypyc and not hand-written C or Rust: the core is already strictly typed Python, and mypyc turns
exactly that into a C extension (as black and mypy ship themselves), so there is one source of truth
and the same code runs uncompiled. It buys about 15% on the per-note path (benchmarks/bench_code.py).
Set TPICODE_PURE=1 to install without compiling (no C compiler needed); results are the same.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

SRC = Path(__file__).parent / "src"


def native_sources() -> list[str]:
    """The modules every note passes through; pydantic models, storage and shells stay interpreted."""
    core = [*sorted((SRC / "tpicode" / "read").glob("*.py")), *sorted((SRC / "tpicode" / "checks").glob("*.py"))]
    core += [SRC / "tpicode" / "code.py", SRC / "tpicode" / "pipeline.py"]
    return [str(p.relative_to(SRC.parent)) for p in core]


ext_modules = []
if os.environ.get("TPICODE_PURE", "") not in ("1", "true", "yes"):
    from mypyc.build import mypycify

    ext_modules = mypycify(
        ["--config-file", "pyproject.toml", *native_sources()],
        opt_level="3",
        group_name="tpicode_core",
    )

setup(ext_modules=ext_modules)
