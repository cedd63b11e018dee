"""The contract's types (see shared/contract.md): what callers send and what every shell returns."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_NOTE_BYTES = 1_000_000

Laterality = Literal["left", "right", "unspecified"]
ProcedureKind = Literal["injection", "dry_needling"]
Status = Literal["ready", "review", "hold", "invalid"]
SeverityName = Literal["error", "warning", "info"]

_ICD_RE = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


class Evidence(BaseModel):
    """A span of the note (character offsets into `note`) that supports an item."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    text: str


class BilledLine(BaseModel):
    """A claim line as billed (input for the audit checks)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=10)
    units: float = 1
    modifiers: list[str] = []
    diagnosis_pointers: list[int] = []

    @field_validator("code")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip().upper()

    @field_validator("modifiers")
    @classmethod
    def _mods(cls, v: list[str]) -> list[str]:
        return [m.strip().upper() for m in v if m.strip()]


class Encounter(BaseModel):
    """One date of service for one patient, as the caller sends it."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    note: str
    date_of_service: dt.date = Field(default_factory=dt.date.today)
    payer: str = "medicare"
    place_of_service: str = "11"
    patient_id: str | None = None
    diagnoses: list[str] = []
    prior_sessions: list[dt.date] = []
    billed_lines: list[BilledLine] = []

    @field_validator("note")
    @classmethod
    def _note_usable(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the note is empty")
        if len(v.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
            raise ValueError(f"the note is larger than {MAX_NOTE_BYTES // 1_000_000} MB")
        return v

    @field_validator("payer")
    @classmethod
    def _payer_lower(cls, v: str) -> str:
        return v.strip().lower()

    @field_validator("place_of_service")
    @classmethod
    def _pos(cls, v: str) -> str:
        v = v.strip()
        if not re.fullmatch(r"\d{2}", v):
            raise ValueError(f"place_of_service {v!r} is not a two-digit CMS POS code")
        return v

    @field_validator("diagnoses")
    @classmethod
    def _icd(cls, v: list[str]) -> list[str]:
        out = []
        for code in v:
            c = code.strip().upper()
            if "." not in c and len(c) > 3:
                c = c[:3] + "." + c[3:]
            if not _ICD_RE.match(c):
                raise ValueError(f"diagnosis {code!r} is not an ICD-10-CM code")
            out.append(c)
        return out


class Procedure(BaseModel):
    code: str | None
    muscle_count: int


class MuscleResult(BaseModel):
    muscle: str
    laterality: Laterality
    procedure: ProcedureKind
    injections: int | None = None
    part: str | None = None
    region: str | None = None
    evidence: list[Evidence] = []


class MedicationResult(BaseModel):
    drug: str
    dose_mg: float | None = None
    dose_units: float | None = None
    volume_ml: float | None = None
    concentration: str | None = None
    hcpcs: str | None = None
    units: int | None = None
    billed: bool = True
    evidence: list[Evidence] = []


class Line(BaseModel):
    code: str
    units: int = 1
    modifiers: list[str] = []
    diagnosis_pointers: list[int] = []
    description: str | None = None
    rule: str | None = None
    evidence: list[Evidence] = []


class Diagnosis(BaseModel):
    code: str
    source: Literal["input", "note"]
    description: str | None = None
    evidence: list[Evidence] = []


class Finding(BaseModel):
    check: str
    severity: SeverityName
    message: str
    rule: str
    source: str
    evidence: list[Evidence] = []


class SessionRef(BaseModel):
    """An earlier TPI session the history checks counted, and where it came from."""

    date: dt.date
    source: str  # "input" (prior_sessions), "note" (stated in the note) or "store:<encounter id>"


class Result(BaseModel):
    """What tpicode says about one encounter: the contract's result object."""

    id: str | None = None
    status: Status
    procedure: Procedure | None = None
    muscles: list[MuscleResult] = []
    medications: list[MedicationResult] = []
    lines: list[Line] = []
    diagnoses: list[Diagnosis] = []
    findings: list[Finding] = []
    payer: str | None = None
    date_of_service: dt.date | None = None
    rule_pack: str | None = None
    prior_sessions: list[SessionRef] = []
    error: str | None = None
