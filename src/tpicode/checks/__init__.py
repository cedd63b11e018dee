"""Stage 3: run the payer pack in force on the date of service over facts, lines and history."""

from __future__ import annotations

from tpicode.checks import counting, coverage, documentation, drugs, frequency, modifiers
from tpicode.checks.base import IMPLEMENTATIONS, Context, Hit, PriorSession
from tpicode.knowledge import ResolvedPack
from tpicode.model import Evidence, Finding

__all__ = ["IMPLEMENTATIONS", "Context", "Hit", "PriorSession", "run_checks"]
_MODULES = (counting, coverage, documentation, drugs, frequency, modifiers)  # imported for registration


class _Values(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def run_checks(pack: ResolvedPack, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    note = ctx.note
    for rule in pack.rules:
        if not rule.in_force(ctx.date_of_service):
            continue
        for hit in IMPLEMENTATIONS[rule.impl](rule, ctx):
            findings.append(
                Finding(
                    check=rule.check,
                    severity=rule.severity,
                    message=rule.message.format_map(_Values(hit.values)),
                    rule=rule.id,
                    source=rule.source,
                    evidence=[Evidence(start=s, end=e, text=note[s:e]) for s, e in hit.spans],
                )
            )
    return findings
