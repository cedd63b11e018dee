"""Modifier checks on the billed claim: 50 on a TPI, and 25 on a same-day E/M."""

from __future__ import annotations

from tpicode.checks.base import Context, Hit, check, performed
from tpicode.knowledge.schema import Rule

_EM_PREFIX = ("992",)


def _em_lines(ctx: Context) -> list[tuple[str, list[str]]]:
    return [(b.code, b.modifiers) for b in ctx.billed if b.code.startswith(_EM_PREFIX) and len(b.code) == 5]


@check("modifier_50")
def modifier_50(rule: Rule, ctx: Context) -> list[Hit]:
    codes = set(rule.params["codes"])
    out = []
    for b in ctx.billed:
        if b.code in codes and "50" in b.modifiers:
            out.append(Hit({"code": b.code, "how": "modifier 50"}))
    for code in codes:
        mods = [m for b in ctx.billed if b.code == code for m in b.modifiers]
        if "RT" in mods and "LT" in mods:
            out.append(Hit({"code": code, "how": "RT and LT lines"}))
    return out


@check("em_without_25")
def em_without_25(rule: Rule, ctx: Context) -> list[Hit]:
    procedure_billed = any(b.code in rule.params["procedures"] for b in ctx.billed)
    if not procedure_billed:
        return []
    return [Hit({"code": code}) for code, mods in _em_lines(ctx) if "25" not in mods]


@check("em_not_separate")
def em_not_separate(rule: Rule, ctx: Context) -> list[Hit]:
    if ctx.facts.em_separate is not None:
        return []
    return [Hit({"code": code}) for code, mods in _em_lines(ctx) if "25" in mods]


@check("em_stated_not_separate")
def em_stated_not_separate(rule: Rule, ctx: Context) -> list[Hit]:
    """The note states an E/M code but shows no separately identifiable service (nothing billed yet)."""
    if ctx.billed or not performed(ctx) or ctx.facts.em_separate is not None or not ctx.facts.em_codes:
        return []
    code, span = ctx.facts.em_codes[0]
    return [Hit({"code": code}, [span])]
