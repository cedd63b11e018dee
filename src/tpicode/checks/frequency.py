"""History checks: sessions per rolling window, the interval between sessions, and relief from the last."""

from __future__ import annotations

import datetime as dt

from tpicode.checks.base import Context, Hit, check, fmt_list, performed
from tpicode.knowledge.schema import Rule


def _before(ctx: Context) -> list[dt.date]:
    return sorted({p.day for p in ctx.prior_sessions if p.day < ctx.date_of_service})


@check("sessions_in_window")
def sessions_in_window(rule: Rule, ctx: Context) -> list[Hit]:
    if not performed(ctx):
        return []
    limit = int(rule.params["sessions"])
    window = int(rule.params["window_days"])
    start = ctx.date_of_service - dt.timedelta(days=window)
    inside = [d for d in _before(ctx) if d > start]
    if len(inside) < limit:
        return []
    sources = [p for p in ctx.prior_sessions if p.day in inside]
    named = fmt_list([f"{p.day.isoformat()} ({p.source})" for p in sorted(sources, key=lambda p: p.day)])
    return [Hit({"count": len(inside) + 1, "limit": limit, "window": window, "earlier": named})]


@check("min_interval")
def min_interval(rule: Rule, ctx: Context) -> list[Hit]:
    if not performed(ctx):
        return []
    days = int(rule.params["days"])
    before = _before(ctx)
    if before and (ctx.date_of_service - before[-1]).days < days:
        return [Hit({"last": before[-1].isoformat(), "days": (ctx.date_of_service - before[-1]).days, "min": days})]
    return []


@check("repeat_relief")
def repeat_relief(rule: Rule, ctx: Context) -> list[Hit]:
    if not performed(ctx):
        return []
    if not ctx.prior_sessions and ctx.facts.repeat is None:
        return []
    pct = float(rule.params["min_relief_pct"])
    weeks = float(rule.params["min_weeks"])
    for rp, rw, _span in ctx.facts.relief:
        if rp >= pct and rw is not None and rw >= weeks:
            return []
    spans = [ctx.facts.repeat] if ctx.facts.repeat else []
    return [Hit({"pct": f"{pct:g}", "weeks": f"{weeks:g}"}, spans)]
