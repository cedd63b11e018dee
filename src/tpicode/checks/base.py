"""What every check function gets, and the registry that binds a rule's `impl` name to its function."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tpicode.code import Coded
from tpicode.knowledge import Knowledge
from tpicode.knowledge.schema import Rule
from tpicode.model import BilledLine
from tpicode.read.facts import Facts, Span


@dataclass(frozen=True, slots=True)
class PriorSession:
    day: dt.date
    source: str  # "input", "note" or "store:<encounter id>"


@dataclass(slots=True)
class Context:
    note: str
    facts: Facts
    coded: Coded
    knowledge: Knowledge
    date_of_service: dt.date
    payer: str
    billed: list[BilledLine]
    prior_sessions: list[PriorSession]


@dataclass(slots=True)
class Hit:
    """One reason a rule fires: values for its message template and the spans that show it."""

    values: dict[str, Any] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)


CheckFn = Callable[[Rule, Context], list[Hit]]
IMPLEMENTATIONS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        if name in IMPLEMENTATIONS:
            raise ValueError(f"check implementation {name!r} registered twice")
        IMPLEMENTATIONS[name] = fn
        return fn

    return register


def performed(ctx: Context) -> bool:
    """A TPI or dry needling was documented as done today (with or without countable muscles)."""
    return ctx.facts.tpi_performed or bool(ctx.coded.muscles or ctx.coded.dry_muscles)


def tpi_billed(ctx: Context) -> list[BilledLine]:
    return [b for b in ctx.billed if b.code in ("20552", "20553")]


def fmt_list(items: list[str]) -> str:
    return ", ".join(items)
