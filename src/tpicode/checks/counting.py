"""Counting checks: named muscles, sides, which code and how many units the count supports."""

from __future__ import annotations

from tpicode.checks.base import Context, Hit, check, fmt_list, performed, tpi_billed
from tpicode.knowledge.schema import Rule


@check("muscle_not_named")
def muscle_not_named(rule: Rule, ctx: Context) -> list[Hit]:
    """Groups/regions used as sites, or a TPI with no site; `countable` picks the none/some variant."""
    if not performed(ctx):
        return []
    countable = bool(ctx.coded.muscles or ctx.coded.dry_muscles)
    want = rule.params.get("countable", "any")
    if (want == "none" and countable) or (want == "some" and not countable):
        return []
    named = {e.muscle_id for e in ctx.coded.muscles + ctx.coded.dry_muscles}
    # "right gluteal muscles" next to the named gluteus medius is a summary, not an unnamed site
    # and a region word ("right low back and buttock") beside named muscles is the area, not a site
    groups = [
        g for g in ctx.facts.groups
        if g.status == "today"
        and (g.explicit or g.additional or not named & set(ctx.knowledge.groups[g.group_id].could_mean))
        and not (named and ctx.knowledge.groups[g.group_id].site_only and not g.additional)
    ]
    if groups:
        terms = [ctx.note[g.spans[0][0] : g.spans[0][1]] for g in groups]
        return [Hit({"sites": fmt_list(list(dict.fromkeys(terms)))}, [g.spans[0] for g in groups])]
    if not countable:
        return [Hit({"sites": "no site"}, ctx.facts.performed_spans[:1])]
    return []


@check("laterality_missing")
def laterality_missing(rule: Rule, ctx: Context) -> list[Hit]:
    out = []
    for e in ctx.coded.muscles + ctx.coded.dry_muscles:
        if e.paired and e.laterality == "unspecified":
            out.append(Hit({"muscle": e.name}, e.spans[:1]))
    return out


@check("count_below")
def count_below(rule: Rule, ctx: Context) -> list[Hit]:
    code = str(rule.params["code"])
    minimum = int(rule.params["min_muscles"])
    family = rule.params.get("family", "tpi")
    count = len(ctx.coded.muscles) if family == "tpi" else len(ctx.coded.dry_muscles)
    if any(b.code == code for b in ctx.billed) and count < minimum:
        return [Hit({"code": code, "count": count, "min": minimum})]
    return []


@check("count_above")
def count_above(rule: Rule, ctx: Context) -> list[Hit]:
    code = str(rule.params["code"])
    maximum = int(rule.params["max_muscles"])
    family = rule.params.get("family", "tpi")
    count = len(ctx.coded.muscles) if family == "tpi" else len(ctx.coded.dry_muscles)
    if any(b.code == code for b in ctx.billed) and count > maximum:
        return [Hit({"code": code, "count": count, "max": maximum})]
    return []


@check("one_code_per_day")
def one_code_per_day(rule: Rule, ctx: Context) -> list[Hit]:
    out = []
    for family in rule.params["families"]:
        codes = [b.code for b in ctx.billed if b.code in family]
        if len(codes) > 1:
            out.append(Hit({"codes": fmt_list(codes)}))
    return out


@check("units_not_one")
def units_not_one(rule: Rule, ctx: Context) -> list[Hit]:
    return [
        Hit({"code": b.code, "units": f"{b.units:g}"})
        for b in ctx.billed
        if b.code in rule.params["codes"] and b.units != 1
    ]


@check("dry_needling_same_muscle")
def dry_needling_same_muscle(rule: Rule, ctx: Context) -> list[Hit]:
    billed = {b.code for b in ctx.billed}
    if not (billed & {"20560", "20561"} and billed & {"20552", "20553"}):
        return []
    needled = {(f.muscle_id, f.laterality) for f in ctx.facts.muscles if f.status == "today" and f.procedure == "dry_needling"}
    injected = {(e.muscle_id, e.laterality) for e in ctx.coded.muscles}
    both = needled & injected
    if both or not ctx.coded.dry_muscles:
        names = sorted({ctx.knowledge.muscles[m].name for m, _ in both}) or ["the same muscles"]
        return [Hit({"muscles": fmt_list(names)})]
    return []


@check("multiple_regions")
def multiple_regions(rule: Rule, ctx: Context) -> list[Hit]:
    entries = ctx.coded.muscles + ctx.coded.dry_muscles
    allowed = [{e.region, *ctx.knowledge.muscles[e.muscle_id].also_regions} for e in entries]
    common = set.intersection(*allowed) if allowed else set()
    regions = list(dict.fromkeys(e.region for e in entries))
    if not common and len(regions) > int(rule.params.get("max_regions", 1)):
        spans = []
        seen = set()
        for e in entries:
            if e.region not in seen:
                seen.add(e.region)
                spans.extend(e.spans[:1])
        return [Hit({"regions": fmt_list([r.replace("_", " ") for r in regions])}, spans)]
    return []


@check("no_tpi")
def no_tpi(rule: Rule, ctx: Context) -> list[Hit]:
    if performed(ctx) or tpi_billed(ctx):
        return []
    return [Hit({})]


@check("coding_rule")
def coding_rule(rule: Rule, ctx: Context) -> list[Hit]:
    """Coding rules are applied by the code stage; they sit in the pack for their id, dates and source."""
    return []
