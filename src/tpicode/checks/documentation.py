"""Documentation checks: the note must show response, necessity and the trigger point exam."""

from __future__ import annotations

from tpicode.checks.base import Context, Hit, check, performed
from tpicode.knowledge.schema import Rule


def _is_repeat(ctx: Context) -> bool:
    return bool(ctx.prior_sessions) or ctx.facts.repeat is not None


@check("response_missing")
def response_missing(rule: Rule, ctx: Context) -> list[Hit]:
    f = ctx.facts
    if not performed(ctx):
        return []
    if (f.pain_pre is not None and f.pain_post is not None) or f.response is not None:
        return []
    return [Hit({}, ctx.facts.performed_spans[:1])]


@check("necessity_missing")
def necessity_missing(rule: Rule, ctx: Context) -> list[Hit]:
    f = ctx.facts
    if not performed(ctx):
        return []
    missing = []
    if f.indication is None and not ctx.coded.diagnoses:
        missing.append("an indication")
    if rule.params.get("conservative_care_on_initial", True) and not _is_repeat(ctx) and f.conservative_failed is None:
        missing.append("failed conservative care")
    if not missing:
        return []
    return [Hit({"missing": " and ".join(missing)}, ctx.facts.performed_spans[:1])]


@check("trigger_point_exam_missing")
def trigger_point_exam_missing(rule: Rule, ctx: Context) -> list[Hit]:
    if not performed(ctx) or _is_repeat(ctx) or ctx.facts.tp_exam is not None:
        return []
    return [Hit({}, ctx.facts.performed_spans[:1])]


@check("other_block_same_session")
def other_block_same_session(rule: Rule, ctx: Context) -> list[Hit]:
    if not (ctx.coded.muscles or ctx.coded.dry_muscles) or not ctx.facts.other_procedures:
        return []
    span = ctx.facts.other_procedures[0]
    return [Hit({"what": ctx.note[span[0] : span[1]][:80]}, [span])]
