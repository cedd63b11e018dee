"""The whole core, one encounter at a time: read -> code -> check -> result. Pure: no I/O after load."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from tpicode.checks import Context, PriorSession, run_checks
from tpicode.code import Coded, code_facts
from tpicode.errors import InputError, KnowledgeError
from tpicode.knowledge import Knowledge, load_knowledge
from tpicode.model import (
    Diagnosis,
    Encounter,
    Evidence,
    Line,
    MedicationResult,
    MuscleResult,
    Procedure,
    Result,
    SessionRef,
)
from tpicode.read import read_note
from tpicode.read.clinical import icd_description
from tpicode.read.cues import Cues, load_cues
from tpicode.read.facts import Facts, Span


def to_encounter(data: Encounter | Mapping[str, Any] | str) -> Encounter:
    """Accept an Encounter, a dict in the contract's shape, or bare note text."""
    if isinstance(data, Encounter):
        return data
    try:
        if isinstance(data, str):
            return Encounter(note=data)
        return Encounter(**data)
    except ValidationError as exc:
        raise InputError(describe_validation(exc)) from None
    except TypeError as exc:
        raise InputError(str(exc)) from None


def describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "encounter"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "is not a field of an encounter"
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def code(
    encounter: Encounter | Mapping[str, Any] | str,
    *,
    history: Iterable[PriorSession] = (),
    knowledge: Knowledge | None = None,
) -> Result:
    """Code one encounter. `history` adds earlier sessions a store knows of (see issue 3)."""
    enc = to_encounter(encounter)
    k = knowledge or load_knowledge()
    cues = load_cues()
    try:
        pack = k.pack(enc.payer)
    except KnowledgeError as exc:
        raise InputError(f"payer: {exc}") from None
    facts = read_note(enc.note, enc.date_of_service, k, cues)
    coded = code_facts(facts, k, enc.date_of_service, pack.bundled_drug_classes, enc.diagnoses)
    prior = _prior_sessions(enc, facts, history)
    ctx = Context(enc.note, facts, coded, k, enc.date_of_service, enc.payer, enc.billed_lines, prior)
    findings = run_checks(pack, ctx)
    if any(f.severity == "error" for f in findings):
        status = "hold"
    elif any(f.severity == "warning" for f in findings):
        status = "review"
    else:
        status = "ready"
    res = _result(enc, facts, coded, findings, status, f"{pack.payer}@{pack.version}", cues)
    res.prior_sessions = [SessionRef(date=p.day, source=p.source) for p in prior]
    return res


def code_many(encounters: Iterable[Encounter | Mapping[str, Any] | str]) -> list[Result]:
    """Code a batch in order; an unusable encounter yields an `invalid` result instead of stopping.

    The cycle collector is paused for the batch (its young generation collected after): the results
    it holds are all alive, so each collection would walk them and the knowledge for nothing (about
    10% of a batch's time).
    """
    out = []
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        for item in encounters:
            try:
                out.append(code(item))
            except InputError as exc:
                ident = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
                out.append(invalid_result(str(ident) if ident is not None else None, str(exc)))
    finally:
        if paused:
            gc.enable()
            gc.collect(0)
    return out


def invalid_result(ident: str | None, message: str) -> Result:
    return Result(id=ident, status="invalid", procedure=None, error=message)


def _prior_sessions(enc: Encounter, facts: Facts, history: Iterable[PriorSession]) -> list[PriorSession]:
    seen: dict[dt.date, PriorSession] = {}
    for d in enc.prior_sessions:
        seen.setdefault(d, PriorSession(d, "input"))
    for p in history:
        seen.setdefault(p.day, p)
    for d, _span in facts.prior_sessions:
        seen.setdefault(d, PriorSession(d, "note"))
    return [p for p in sorted(seen.values(), key=lambda p: p.day) if p.day < enc.date_of_service]


def _ev(note: str, spans: list[Span]) -> list[Evidence]:
    return [Evidence(start=s, end=e, text=note[s:e]) for s, e in spans]


def _result(
    enc: Encounter, facts: Facts, coded: Coded, findings: list[Any], status: str, pack_id: str, cues: Cues
) -> Result:
    note = enc.note
    muscles = [
        MuscleResult(
            muscle=e.name,
            laterality=e.laterality,
            procedure=e.procedure,
            injections=e.injections,
            part=e.part,
            region=e.region,
            evidence=_ev(note, e.spans),
        )
        for e in coded.muscles + coded.dry_muscles
    ]
    meds = [
        MedicationResult(
            drug=m.name,
            dose_mg=m.fact.dose_mg,
            dose_units=m.fact.dose_units,
            volume_ml=m.fact.volume_ml,
            concentration=m.fact.conc_label,
            hcpcs=m.hcpcs,
            units=m.units,
            billed=m.billed,
            evidence=_ev(note, m.spans),
        )
        for m in coded.meds
    ]
    lines = [
        Line(
            code=ln.code,
            units=ln.units,
            modifiers=ln.modifiers,
            diagnosis_pointers=ln.pointers,
            rule=ln.rule,
            evidence=_ev(note, ln.spans),
        )
        for ln in coded.lines
    ]
    diagnoses = [
        Diagnosis(code=d.code, source=d.source, description=icd_description(d.code), evidence=_ev(note, d.spans))
        for d in coded.diagnoses
    ]
    return Result(
        id=enc.id,
        status=status,
        procedure=Procedure(code=coded.procedure_code, muscle_count=coded.muscle_count),
        muscles=muscles,
        medications=meds,
        lines=lines,
        diagnoses=diagnoses,
        findings=findings,
        payer=enc.payer,
        date_of_service=enc.date_of_service,
        rule_pack=pack_id,
    )
