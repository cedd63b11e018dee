"""Drug checks: an injectate named with its amount, billed on the same claim, and covered for a TPI."""

from __future__ import annotations

from tpicode.checks.base import Context, Hit, check, performed
from tpicode.knowledge.schema import Rule

_TPI_FAMILY = ("20552", "20553", "20560", "20561")


def _injection_done(ctx: Context) -> bool:
    if ctx.coded.muscles:
        return True
    return performed(ctx) and not ctx.coded.dry_muscles and not ctx.facts.dry_needling_spans


@check("drug_not_documented")
def drug_not_documented(rule: Rule, ctx: Context) -> list[Hit]:
    if not _injection_done(ctx) or ctx.coded.meds:
        return []
    return [Hit({}, ctx.facts.performed_spans[:1])]


@check("drug_dose_missing")
def drug_dose_missing(rule: Rule, ctx: Context) -> list[Hit]:
    if not _injection_done(ctx):
        return []
    out = []
    for m in ctx.coded.meds:
        f = m.fact
        has_amount = f.dose_mg is not None or f.dose_units is not None
        # a volume is the amount for products billed per vial or with no strength (saline, Sarapin)
        if not has_amount and f.volume_ml is not None and (
            m.drug_class in ("saline", "other") or f.conc_mg_per_ml or f.conc_units_per_ml
        ):
            has_amount = True
        if not has_amount:
            out.append(Hit({"drug": m.name}, m.spans[:1]))
    return out


@check("jcode_missing")
def jcode_missing(rule: Rule, ctx: Context) -> list[Hit]:
    if not ctx.billed or not ctx.coded.muscles:
        return []
    billed = {b.code for b in ctx.billed}
    return [
        Hit({"drug": m.name, "code": m.hcpcs}, m.spans[:1])
        for m in ctx.coded.meds
        if m.billed and m.hcpcs and m.hcpcs not in billed and m.drug_class != "saline"
    ]


@check("injectate_coverage")
def injectate_coverage(rule: Rule, ctx: Context) -> list[Hit]:
    if not (ctx.coded.muscles or performed(ctx)):
        return []
    covered = set(rule.params.get("covered_classes", []))
    not_covered = set(rule.params.get("not_covered_classes", []))
    saline_alone = bool(rule.params.get("saline_alone_not_covered", True))
    classes = {m.drug_class for m in ctx.coded.meds}
    out = []
    for m in ctx.coded.meds:
        if m.drug_class == "saline":
            if saline_alone and classes == {"saline"}:
                out.append(Hit({"drug": "saline alone"}, m.spans[:1]))
            continue
        if (covered and m.drug_class not in covered) or m.drug_class in not_covered:
            out.append(Hit({"drug": m.name}, m.spans[:1]))
    return out


@check("code_mismatch")
def code_mismatch(rule: Rule, ctx: Context) -> list[Hit]:
    """Billed TPI, drug or guidance codes the note does not support, other than the count cases."""
    if not ctx.billed:
        return []
    out: list[Hit] = []
    supported = {ln.code: ln for ln in ctx.coded.lines}
    counts = {"tpi": len(ctx.coded.muscles), "dry_needling": len(ctx.coded.dry_muscles)}
    for b in ctx.billed:
        if b.code in _TPI_FAMILY:
            if b.code in supported:
                continue
            code = ctx.knowledge.codes.get(b.code)
            if code is not None and code.kind in counts:
                n = counts[code.kind]
                below = bool(code.muscles_min and code.muscles_min >= 3 and n < code.muscles_min)
                above = bool(code.kind == "tpi" and code.muscles_max and n > code.muscles_max)
                if below or above:
                    continue  # the count rules (COUNT_BELOW_20553 / COUNT_ABOVE_20552) say it
            want = ctx.coded.procedure_code or "no TPI code"
            out.append(Hit({"what": f"{b.code} billed; the note supports {want}"}))
            continue
        med = next((m for m in ctx.coded.meds if m.hcpcs == b.code), None)
        if med is not None:
            if not med.billed:
                out.append(Hit({"what": f"{b.code} ({med.name}) is part of the procedure and is not billed separately"}, med.spans[:1]))
            elif "JW" not in b.modifiers and med.units is not None and b.units != med.units:
                out.append(Hit({"what": f"{b.code} billed with {b.units:g} units; the documented dose is {med.units} units"}, med.spans[:1]))
            continue
        code = ctx.knowledge.codes.get(b.code)
        if code is not None and code.kind == "guidance" and any(ln.code == b.code for ln in ctx.coded.lines):
            continue  # documented guidance: whether the payer covers it is GUIDANCE_NOT_COVERED's finding
        if code is not None and code.kind in ("drug", "guidance"):
            out.append(Hit({"what": f"{b.code} billed but the note documents no {code.kind} for it"}))
    return out


