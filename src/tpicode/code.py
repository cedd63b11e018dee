"""Stage 2: facts to claim lines. Knows CPT/HCPCS and units from codes.yaml; nothing of payers' coverage.

The one payer fact it takes is which drug classes are bundled into the procedure (NCCI), handed in as
plain data from the pack.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from tpicode.knowledge import Knowledge
from tpicode.knowledge.schema import Code
from tpicode.read.facts import DrugFact, Facts, MuscleFact, Span

GUIDANCE_CODES = {"ultrasound": "76942", "fluoroscopy": "77002", "mri": "77021"}
RULE_TPI = "CORE-CODE-TPI-COUNT"
RULE_DRY = "CORE-CODE-DRY-NEEDLING"
RULE_GUIDANCE = "CORE-CODE-GUIDANCE"
RULE_DRUG = "CORE-CODE-DRUG-UNITS"
RULE_WASTE = "CORE-CODE-JW-JZ"
RULE_EM = "CORE-CODE-EM-25"


@dataclass(slots=True)
class MuscleEntry:
    muscle_id: str
    name: str
    laterality: str
    procedure: str
    region: str
    paired: bool
    part: str | None
    injections: int | None
    spans: list[Span]


@dataclass(slots=True)
class MedEntry:
    drug_id: str
    name: str
    drug_class: str
    fact: DrugFact
    hcpcs: str | None
    units: int | None
    billed: bool  # False when bundled into the procedure
    spans: list[Span]


@dataclass(slots=True)
class LineEntry:
    code: str
    units: int
    modifiers: list[str]
    rule: str
    spans: list[Span]
    pointers: list[int] = field(default_factory=list)
    kind: str = ""
    drug_id: str | None = None


@dataclass(slots=True)
class DxEntry:
    code: str
    source: str  # input | note
    spans: list[Span]


@dataclass(slots=True)
class Coded:
    procedure_code: str | None
    muscle_count: int
    muscles: list[MuscleEntry]
    dry_muscles: list[MuscleEntry]
    meds: list[MedEntry]
    lines: list[LineEntry]
    diagnoses: list[DxEntry]
    em_code: str | None
    em_code_span: Span | None


def code_for_count(k: Knowledge, kind: str, count: int, day: dt.date) -> Code | None:
    """The TPI or dry-needling code whose muscle range (codes.yaml) holds `count` on `day`."""
    for c in k.codes.values():
        if c.kind != kind or count < (c.muscles_min or 0):
            continue
        if c.muscles_max is not None and count > c.muscles_max:
            continue
        if (c.effective_from and day < c.effective_from) or (c.effective_to and day > c.effective_to):
            continue
        return c
    return None


def distinct_muscles(k: Knowledge, facts: list[MuscleFact]) -> list[MuscleEntry]:
    """One entry per muscle and side; an unsided mention merges into a sided one of the same muscle."""
    by_key: dict[tuple[str, str], MuscleEntry] = {}
    for f in facts:
        key = (f.muscle_id, f.laterality)
        e = by_key.get(key)
        if e is None:
            m = k.muscles[f.muscle_id]
            by_key[key] = MuscleEntry(
                f.muscle_id, m.name, f.laterality, f.procedure, m.region, m.paired, f.part, f.injections, list(f.spans)
            )
            continue
        e.spans.extend(s for s in f.spans if s not in e.spans)
        if f.procedure == "injection":
            e.procedure = "injection"
        if f.injections is not None:
            e.injections = (e.injections or 0) + f.injections if f.spans[0] not in e.spans[:1] else f.injections
        if e.part is None:
            e.part = f.part
    sided = {mid for (mid, lat) in by_key if lat != "unspecified"}
    out = []
    for (mid, lat), e in by_key.items():
        if lat == "unspecified" and mid in sided:
            for (mid2, lat2), e2 in by_key.items():
                if mid2 == mid and lat2 != "unspecified":
                    e2.spans.extend(s for s in e.spans if s not in e2.spans)
            continue
        out.append(e)
    return out


def code_facts(
    facts: Facts, k: Knowledge, day: dt.date, bundled_classes: frozenset[str], input_dx: list[str]
) -> Coded:
    today = [f for f in facts.muscles if f.status == "today"]
    entries = distinct_muscles(k, today)
    injected = [e for e in entries if e.procedure == "injection"]
    injected_ids = {(e.muscle_id, e.laterality) for e in injected}
    dry = [e for e in entries if e.procedure == "dry_needling" and (e.muscle_id, e.laterality) not in injected_ids]
    diagnoses = _diagnoses(facts, input_dx)
    pointers = list(range(1, min(4, len(diagnoses)) + 1))
    lines: list[LineEntry] = []
    procedure_code: str | None = None
    muscle_count = 0
    if injected:
        c = code_for_count(k, "tpi", len(injected), day)
        if c is not None:
            procedure_code, muscle_count = c.code, len(injected)
            lines.append(LineEntry(c.code, 1, [], RULE_TPI, [s for e in injected for s in e.spans[:1]], list(pointers), "tpi"))
    if dry:
        c = code_for_count(k, "dry_needling", len(dry), day)
        if c is not None:
            if procedure_code is None:
                procedure_code, muscle_count = c.code, len(dry)
            lines.append(LineEntry(c.code, 1, [], RULE_DRY, [s for e in dry for s in e.spans[:1]], list(pointers), "dry_needling"))
    performed = bool(lines)
    injection_session = bool(injected) or (facts.tpi_performed and not dry and not facts.dry_needling_spans)
    if performed:
        for modality, span in facts.guidance:
            lines.append(LineEntry(GUIDANCE_CODES[modality], 1, [], RULE_GUIDANCE, [span], list(pointers), "guidance"))
    meds: list[MedEntry] = []
    for f in facts.drugs:
        if f.status != "today":
            continue
        drug = k.drugs[f.drug_id]
        hcpcs = drug.hcpcs_on(day)
        unit = drug.billing_unit
        for version in drug.hcpcs:
            if version.code == hcpcs and version.billing_unit is not None:
                unit = version.billing_unit
        units = _units(f, unit.amount if unit else None, unit.unit if unit else None)
        billed = drug.drug_class not in bundled_classes and hcpcs is not None
        meds.append(MedEntry(f.drug_id, drug.name, drug.drug_class, f, hcpcs, units, billed, list(f.spans)))
        if injection_session and billed and hcpcs is not None and drug.drug_class != "saline":
            mods: list[str] = []
            single = f.single_dose_vial is True or (f.single_dose_vial is None and drug.vial == "single_dose")
            if single and (f.wasted_mg or f.wasted_units):
                waste = DrugFact(f.drug_id, "today", [], dose_mg=f.wasted_mg, dose_units=f.wasted_units)
                waste_units = _units(waste, unit.amount if unit else None, unit.unit if unit else None)
                if waste_units:
                    lines.append(
                        LineEntry(hcpcs, waste_units, ["JW"], RULE_WASTE, list(f.spans), list(pointers), "drug_waste", f.drug_id)
                    )
            elif single and f.no_waste:
                mods = ["JZ"]  # a single-dose container and the note says none was discarded
            lines.append(LineEntry(hcpcs, units or 1, mods, RULE_DRUG, list(f.spans), list(pointers), "drug", f.drug_id))
    em_code = facts.em_codes[0][0] if facts.em_codes else None
    em_span = facts.em_codes[0][1] if facts.em_codes else None
    if performed and em_code and facts.em_separate is not None and em_span is not None:
        lines.insert(0, LineEntry(em_code, 1, ["25"], RULE_EM, [em_span, facts.em_separate], list(pointers), "em"))
    return Coded(procedure_code, muscle_count, injected, dry, meds, lines, diagnoses, em_code, em_span)


def _units(f: DrugFact, amount: float | None, unit: str | None) -> int | None:
    if amount is None or unit is None:
        return None
    if unit == "mg":
        qty = f.dose_mg
    elif unit == "units":
        qty = f.dose_units
    elif unit == "ml":
        qty = f.volume_ml
    else:
        return 1
    if qty is None or qty <= 0:
        return None
    return max(1, math.ceil(round(qty / amount, 6)))


def _diagnoses(facts: Facts, input_dx: list[str]) -> list[DxEntry]:
    if input_dx:
        return [DxEntry(c, "input", []) for c in dict.fromkeys(input_dx)]
    out: dict[str, DxEntry] = {}
    for code, span in facts.icd_codes:
        out.setdefault(code, DxEntry(code, "note", [span]))
    stated = set(out)  # (not the codes inferred from words: "fibromyalgia" does not hide "myofascial pain")
    for code, span in facts.dx_terms:
        if code in out:
            if span not in out[code].spans:
                out[code].spans.append(span)
            continue
        # a stated code of the same category is more specific than a code inferred from words
        if any(c.split(".")[0] == code.split(".")[0] for c in stated):
            continue
        out[code] = DxEntry(code, "note", [span])
    return list(out.values())
