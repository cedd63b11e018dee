"""One claim, format-neutral: an encounter coded, joined with the settings, checked for what a payer needs.

Every writer (837P, CMS-1500, FHIR) reads this object, so a missing NPI, payer id, patient, charge, NDC
or diagnosis is refused once, here, with the field named, and never reaches a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tpicode.errors import InputError
from tpicode.export.settings import Party, Patient, Settings, parse_patient
from tpicode.knowledge import load_knowledge
from tpicode.model import Encounter, MedicationResult, MuscleResult, Result
from tpicode.pipeline import code, to_encounter

MAX_LINES = 50  # 837P 2400 loop repeat
MAX_DIAGNOSES = 12  # HI segment / CMS-1500 box 21 A-L
UNCLASSIFIED = frozenset({"J3490", "J3590", "J9999", "C9399"})


@dataclass(frozen=True)
class DrugDetail:
    """The NDC side of a drug line (837P LIN/CTP, CMS-1500 24 shaded area)."""

    ndc: str
    unit: str
    quantity: Decimal
    name: str
    dose: str
    unclassified: bool

    @property
    def remark(self) -> str:
        """Item 19 / 2400 NTE text: drug name, dose and NDC (required for unclassified drugs)."""
        return f"{self.name} {self.dose} NDC {self.ndc}".strip()


@dataclass(frozen=True)
class ClaimLine:
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal
    pointers: tuple[int, ...]
    description: str
    kind: str
    drug: DrugDetail | None = None
    muscles: tuple[MuscleResult, ...] = ()


@dataclass(frozen=True)
class Claim:
    """Everything one claim says; built by `build_claim`, already checked."""

    control_number: str
    encounter: Encounter
    result: Result
    patient: Patient
    payer: Party
    settings: Settings
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]

    @property
    def date_of_service(self) -> dt.date:
        return self.encounter.date_of_service

    @property
    def place_of_service(self) -> str:
        return self.encounter.place_of_service

    @property
    def total_charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class ClaimInput:
    """An encounter plus the patient demographics that came with it (if any)."""

    encounter: Encounter
    patient: Patient | None = None


def claim_input(data: Mapping[str, Any]) -> ClaimInput:
    """Split a claim input object: an encounter with an optional `patient` object beside its fields."""
    d = dict(data)
    pat = d.pop("patient", None)
    enc = to_encounter(d)
    where = f"encounter {enc.id}: patient" if enc.id else "encounter: patient"
    if pat is not None and not isinstance(pat, dict):
        raise InputError(f"{where} must be an object")
    return ClaimInput(enc, parse_patient(pat, where) if pat else None)


def fmt_qty(v: Decimal) -> str:
    """A quantity without needless zeros (4 not 4.000)."""
    s = format(v.normalize(), "f")
    return s


def _control_number(enc: Encounter) -> str:
    base = re.sub(r"[^A-Za-z0-9-]", "", enc.id or "")
    if base and len(base) <= 20:
        return base.upper()
    digest = hashlib.sha1((enc.id or enc.note).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"TPI{enc.date_of_service:%Y%m%d}{digest}".upper()[:20]


def _dose(med: MedicationResult) -> str:
    if med.dose_mg is not None:
        return f"{fmt_qty(Decimal(str(med.dose_mg)))} MG"
    if med.dose_units is not None:
        return f"{fmt_qty(Decimal(str(med.dose_units)))} UNITS"
    if med.volume_ml is not None:
        return f"{fmt_qty(Decimal(str(med.volume_ml)))} ML"
    return ""


def build_claim(
    enc: Encounter,
    settings: Settings,
    patient: Patient | None = None,
    result: Result | None = None,
) -> Claim:
    """Code the encounter (unless `result` is given) and assemble its claim; bad input raises InputError.

    The lines are those billed (`billed_lines`) when the encounter has them, else tpicode's proposed lines.
    """
    who = f"encounter {enc.id}" if enc.id else "encounter"
    res = result if result is not None else code(enc)
    if patient is None:
        if enc.patient_id and enc.patient_id in settings.patients:
            patient = settings.patients[enc.patient_id]
        else:
            hint = f"[patients.{enc.patient_id}]" if enc.patient_id else "[patients.<patient_id>]"
            raise InputError(f"{who}: no patient (give a `patient` object or {hint} in the settings)")
    payer = settings.payer(enc.payer)
    diagnoses = tuple(d.code for d in res.diagnoses)
    if not diagnoses:
        raise InputError(f"{who}: no diagnosis (give `diagnoses` or state an ICD-10-CM code in the note)")
    if len(diagnoses) > MAX_DIAGNOSES:
        raise InputError(f"{who}: {len(diagnoses)} diagnoses; a claim holds at most {MAX_DIAGNOSES}")
    raw: Sequence[Any] = enc.billed_lines or res.lines
    if not raw:
        raise InputError(f"{who}: nothing to bill (the note supports no claim line)")
    if len(raw) > MAX_LINES:
        raise InputError(f"{who}: {len(raw)} lines; an 837P claim holds at most {MAX_LINES}")
    k = load_knowledge()
    lines = []
    for n, ln in enumerate(raw, start=1):
        where = f"{who}, line {n} ({ln.code})"
        pointers = tuple(int(p) for p in ln.diagnosis_pointers)
        if not pointers:
            raise InputError(f"{where}: no diagnosis for the line (diagnosis_pointers is empty)")
        if len(pointers) > 4:
            pointers = pointers[:4]
        bad = [p for p in pointers if not 1 <= p <= len(diagnoses)]
        if bad:
            raise InputError(
                f"{where}: diagnosis pointer {bad[0]} points past the {len(diagnoses)} diagnoses"
            )
        mods = tuple(ln.modifiers)
        if len(mods) > 4:
            raise InputError(f"{where}: {len(mods)} modifiers; a line holds at most 4")
        units = Decimal(str(ln.units))
        if units <= 0:
            raise InputError(f"{where}: units must be positive")
        known = k.codes.get(ln.code)
        kind = known.kind if known else "other"
        charge = (settings.charge(ln.code) * units).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        drug = _drug(ln.code, units, res, settings, where) if kind == "drug" or ln.code[:1] == "J" else None
        muscles: tuple[MuscleResult, ...] = ()
        if kind in ("tpi", "dry_needling"):
            want = "injection" if kind == "tpi" else "dry_needling"
            muscles = tuple(m for m in res.muscles if m.procedure == want)
        lines.append(
            ClaimLine(
                code=ln.code,
                modifiers=mods,
                units=units,
                charge=charge,
                pointers=pointers,
                description=known.description if known else ln.code,
                kind=kind,
                drug=drug,
                muscles=muscles,
            )
        )
    return Claim(
        control_number=_control_number(enc),
        encounter=enc,
        result=res,
        patient=patient,
        payer=payer,
        settings=settings,
        diagnoses=diagnoses,
        lines=tuple(lines),
    )


def _drug(code_: str, units: Decimal, res: Result, settings: Settings, where: str) -> DrugDetail:
    product = settings.drugs.get(code_)
    if product is None:
        raise InputError(
            f"{where}: no NDC for {code_} (add [drugs.{code_}] with ndc and unit to the settings)"
        )
    med = next((m for m in res.medications if m.hcpcs == code_), None)
    if product.unit == "ML" and med is not None and med.volume_ml:
        qty = Decimal(str(med.volume_ml))
    else:
        qty = units * product.per_hcpcs_unit
    qty = qty.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    name = (med.drug if med else product.name or code_).upper()
    dose = _dose(med) if med else ""
    unclassified = code_ in UNCLASSIFIED
    if unclassified and not dose:
        raise InputError(f"{where}: unclassified drug {code_} needs its dose documented for item 19")
    return DrugDetail(product.ndc, product.unit, qty, name, dose, unclassified)


def build_claims(items: Sequence[ClaimInput], settings: Settings) -> list[Claim]:
    """Build each claim; the first bad one stops the batch (a clearinghouse rejects a whole bad file)."""
    claims = [build_claim(i.encounter, settings, i.patient) for i in items]
    seen: set[str] = set()
    for c in claims:
        if c.control_number in seen:
            raise InputError(f"two encounters give the same claim number {c.control_number}: ids must differ")
        seen.add(c.control_number)
    return claims
