"""Coverage checks: diagnoses, imaging guidance, dry needling and injectates the payer pays for."""

from __future__ import annotations

from tpicode.checks.base import Context, Hit, check, fmt_list, performed
from tpicode.knowledge.schema import Rule


@check("dx_not_covered")
def dx_not_covered(rule: Rule, ctx: Context) -> list[Hit]:
    if not (ctx.coded.muscles or ctx.coded.dry_muscles or performed(ctx)):
        return []
    covered = set(rule.params["covered"])
    investigational = set(rule.params.get("investigational", []))
    codes = [d.code for d in ctx.coded.diagnoses]
    if any(c in covered for c in codes):
        return []
    spans = [s for d in ctx.coded.diagnoses for s in d.spans[:1]]
    if not codes:
        return [Hit({"diagnoses": "none documented", "extra": ""})]
    extra = ""
    inv = [c for c in codes if c in investigational]
    if inv:
        extra = f" ({fmt_list(inv)} is investigational for TPI)"
    return [Hit({"diagnoses": fmt_list(codes), "extra": extra}, spans)]


@check("guidance_not_covered")
def guidance_not_covered(rule: Rule, ctx: Context) -> list[Hit]:
    codes = set(rule.params["codes"])
    proposed = [ln for ln in ctx.coded.lines if ln.code in codes]
    billed = [b.code for b in ctx.billed if b.code in codes and b.code not in {ln.code for ln in proposed}]
    hits = [Hit({"code": ln.code}, ln.spans[:1]) for ln in proposed]
    hits += [Hit({"code": c}) for c in billed]
    return hits


@check("dry_needling_not_covered")
def dry_needling_not_covered(rule: Rule, ctx: Context) -> list[Hit]:
    codes = set(rule.params["codes"])
    lines = [ln for ln in ctx.coded.lines if ln.code in codes]
    billed = [b.code for b in ctx.billed if b.code in codes]
    if lines:
        return [Hit({"code": lines[0].code}, lines[0].spans[:1])]
    if billed:
        return [Hit({"code": billed[0]})]
    return []
