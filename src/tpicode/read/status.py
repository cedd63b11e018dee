"""Decides, per clause and per mention, whether something was done today (ConText-style scoping).

A cue governs the mentions nearest to it in its clause: "the left trapezius was injected and the right
levator is planned" keeps the trapezius and plans the levator. Clauses with no cue of their own take
the status of their lead-in ("The following were injected:") or of their section.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from tpicode.read.cues import Cues
from tpicode.read.text import Clause, Frame

_SECTION_DEFAULT = {
    "procedure": "today",
    "exam": "exam",
    "plan": "planned",
    "history": "history",
    "assessment": "other",
    "diagnosis": "other",
    "indication": "other",
    "medications": "other",
    "complications": "other",
    "response": "other",
}
_ANAPHORA = re.compile(
    r"\b(?:these|those|them|which|each|all|both|the above|aforementioned|same (?:muscles|sites|points)|"
    r"above (?:muscles|sites)|listed (?:muscles|sites)|identified (?:muscles|sites|points|trigger points)|"
    r"(?:the|all|both|these) (?:\w+ )?(?:muscles|trigger points|sites|points|areas))\b"
)
_GENERIC_DONE = re.compile(r"\b(?:performed|administered|completed|delivered|given|placed|received|treated|done|made|carried out|undertaken)\b")
_SPECIFIC_DONE = re.compile(
    r"\binject(?:ed|ing)\b|\binfiltrat(?:ed|ing)\b|\bneedled\b|\b(?:used|needle|syringe) to inject\b"
)
_INJECTATE_HINT = re.compile(r"\b(?:\d+(?:\.\d+)?\s*(?:ml|cc)|inject\w*|mixed|mixture|sites?|trigger points?|tpi)\b|\d\s*%")
_DONE_VERB = re.compile(r"\b(?:injected|needled|infiltrated)\b")
_NEG_JUST_BEFORE = re.compile(r"\b(?:not|no|never|nor)\s+(?:be\s+|been\s+|re-?)?$|re-$")


def _positive_done(s: str) -> bool:
    """An injection verb that is not itself negated ("injected with", not "was not injected")."""
    return any(not _NEG_JUST_BEFORE.search(s, max(0, m.start() - 14), m.start()) for m in _DONE_VERB.finditer(s))

_PAST_TENSE_PLAN = re.compile(r"\b(?:was|were) (?:planned|scheduled|recommended)\b")


@dataclass(slots=True)
class ClauseInfo:
    clause: Clause
    text: str
    status: str  # today | exam | planned | history | attempted | other | unclear | nominal
    dry: bool
    cues: list[tuple[int, int, str]]  # absolute spans of cues: done, future, history, attempted, exam
    ends_colon: bool
    anaphora_done: bool


def analyse(fr: Frame, cues: Cues) -> list[ClauseInfo]:
    """One ClauseInfo per clause, with lead-in and section inheritance resolved."""
    low = fr.low
    infos: list[ClauseInfo] = []
    for cl in fr.clauses:
        s = low[cl.start : cl.end]
        if cl.section == "medications" and _INJECTATE_HINT.search(s):
            cl = dataclasses.replace(cl, section="procedure")  # "Meds: 2 cc 1% lidocaine + Kenalog-40 1 cc"
        infos.append(_classify(cl, s, cues))
    performed = any(i.status == "today" for i in infos)
    lead: ClauseInfo | None = None
    prev_section = None
    for info in infos:
        cl = info.clause
        if cl.section != prev_section:
            lead = None
            prev_section = cl.section
        if info.status == "nominal":
            if cl.section in ("procedure", "none", "response", "complications"):
                info.status = "today" if (performed or cl.section == "procedure") else "unclear"
            else:
                info.status = "unclear"
        if info.status == "unclear":
            if lead is not None and (cl.list_item or lead.clause.line == cl.line - 1 or lead.ends_colon):
                info.status = lead.status
                info.dry = info.dry or lead.dry
            else:
                info.status = _SECTION_DEFAULT.get(cl.section, "unclear")
        if info.ends_colon or (cues.site_field.match(info.text) and not info.cues):
            lead = info
        elif not cl.list_item:
            lead = None
    return infos


def _classify(cl: Clause, s: str, cues: Cues) -> ClauseInfo:
    base = cl.start
    found: list[tuple[int, int, str]] = []
    other = bool(cues.other_procedures.search(s) or cues.intramuscular.search(s))
    nominal = bool(cues.nominal.search(s)) or bool(cues.site_field.match(s)) or _is_site_label(cl.field_label, cues)
    for m in _SPECIFIC_DONE.finditer(s):
        found.append((base + m.start(), base + m.end(), "done"))
    if (nominal and cl.section not in ("assessment", "diagnosis", "history")) or cl.section == "procedure":
        for m in _GENERIC_DONE.finditer(s):
            found.append((base + m.start(), base + m.end(), "done"))
    today = cues.today.search(s) is not None
    for m in cues.future.finditer(s):
        if _PAST_TENSE_PLAN.search(s) and any(d[2] == "done" for d in found):
            break
        found.append((base + m.start(), base + m.end(), "future"))
    if not today:
        for m in cues.history.finditer(s):
            found.append((base + m.start(), base + m.end(), "history"))
    for m in cues.attempted.finditer(s):
        found.append((base + m.start(), base + m.end(), "attempted"))
    # a done verb governed by an earlier future cue is part of the plan: "may consider injecting the QL"
    futures = [f for f in found if f[2] == "future"]
    if futures:
        found = [
            f for f in found
            if f[2] != "done" or not any(fs < f[0] and f[0] - fe < 40 for fs, fe, _k in futures)
        ]
    dry = cues.dry_needling.search(s) is not None
    if dry and not any(f[2] == "done" for f in found):
        m = cues.dry_needling.search(s)
        assert m is not None
        found.append((base + m.start(), base + m.end(), "done"))
    has_done = any(f[2] == "done" for f in found)
    exam = [
        (base + m.start(), base + m.end(), "exam")
        for m in cues.exam.finditer(s)
        if not (cl.section == "procedure" and m.group() == "twitch")  # a twitch while needling is not an exam
    ]
    if not has_done:
        found.extend(exam)
    found.sort()
    if other:
        status = "other"
    elif cues.negated_done.search(s) and not _positive_done(s):
        status = "negated"
    elif not found:
        status = "nominal" if nominal else "unclear"
    else:
        kinds = {f[2] for f in found}
        if kinds == {"exam"}:
            status = "exam"
        elif "done" in kinds and not kinds & {"future", "history", "attempted"}:
            status = "today"
        elif "history" in kinds and not kinds & {"future", "attempted"}:
            status = "history"  # "last month we injected the piriformis"
        else:
            status = "mixed"
    anaphora = status in ("today", "mixed", "nominal", "unclear") and _ANAPHORA.search(s) is not None
    return ClauseInfo(cl, s, status, dry, found, s.rstrip().endswith(":"), anaphora)


def _is_site_label(label: str, cues: Cues) -> bool:
    return bool(label) and cues.site_field.match(label + ":") is not None


def mention_status(info: ClauseInfo, start: int, end: int) -> str:
    """The status of one mention: in a clause with mixed cues, the nearest cue decides."""
    if info.status != "mixed":
        return info.status
    best = None
    best_d = 1 << 30
    for cs, ce, kind in info.cues:
        if kind == "exam":
            continue
        d = start - ce if ce <= start else (cs - end if cs >= end else 0)
        if d < best_d:
            best, best_d = kind, d
    return {"done": "today", "future": "planned", "history": "history", "attempted": "attempted"}.get(
        best or "", "unclear"
    )
