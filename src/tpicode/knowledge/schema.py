"""Typed schemas of the knowledge files: a file that does not fit them fails loudly at load time."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Region = Literal["cervicothoracic", "lumbopelvic", "chest_abdominal", "upper_limb", "lower_limb"]
Area = Literal[
    "head_jaw", "neck", "shoulder_girdle", "back", "chest", "abdominal_wall",
    "hip_pelvis", "thigh", "leg", "foot", "arm", "forearm", "hand",
]
DrugClass = Literal["local_anesthetic", "corticosteroid", "nsaid", "neurotoxin", "saline", "other"]
Severity = Literal["error", "warning", "info"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _lower_terms(values: list[str]) -> list[str]:
    out = []
    for v in values:
        v = " ".join(v.split())
        if not v:
            raise ValueError("empty term")
        out.append(v.lower())
    return out


class Muscle(_Strict):
    """One countable muscle; `name` is the contract's lowercase Terminologia Anatomica English name."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    region: Region
    # Other regions a long muscle also lies in (multifidus: neck to sacrum), for the one-region rule.
    also_regions: list[Region] = []
    area: Area
    paired: bool = True
    synonyms: list[str] = []
    abbreviations: list[str] = []
    # Abbreviations matched only with the exact case written here ("IS", "TA"), because in lower case
    # they are ordinary words.
    abbreviations_cased: list[str] = []
    parts: dict[str, list[str]] = {}
    misspellings: list[str] = []
    source: str

    @field_validator("synonyms", "abbreviations", "misspellings")
    @classmethod
    def _terms_lower(cls, v: list[str]) -> list[str]:
        return _lower_terms(v)

    @field_validator("name")
    @classmethod
    def _name_is_lower(cls, v: str) -> str:
        if v != v.lower() or v.endswith(" muscle"):
            raise ValueError(f"muscle name {v!r} must be lowercase and without the word 'muscle'")
        return v

    @field_validator("parts")
    @classmethod
    def _parts_lower(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        return {k: _lower_terms(terms) for k, terms in v.items()}


class Group(_Strict):
    """A word that names a region or a group of muscles: an injection there cannot be counted."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["group", "region"]
    terms: list[str]
    could_mean: list[str] = []
    # Region words ("neck", "back") are everyday words: they count as an injection site only where the
    # sentence uses them as one (not "neck pain").
    site_only: bool = False
    source: str = "tpi-rules.md: groups and regions are not muscles"

    @field_validator("terms")
    @classmethod
    def _terms_lower(cls, v: list[str]) -> list[str]:
        return _lower_terms(v)


class BillingUnit(_Strict):
    amount: float = Field(gt=0)
    unit: Literal["mg", "units", "ml", "each"]


class HcpcsVersion(_Strict):
    code: str
    # The billing unit of this code when it differs from the drug's (J1030 was per 40 mg before J1010).
    billing_unit: BillingUnit | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None


class Drug(_Strict):
    """An injectate: how notes name it, how it is sold and how it is billed."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    drug_class: DrugClass
    names: list[str]
    # Names matched only in the exact case written here (short abbreviations like "TAC", "NS").
    names_cased: list[str] = []
    hcpcs: list[HcpcsVersion] = []
    billing_unit: BillingUnit | None = None
    concentrations_mg_per_ml: list[float] = []
    # A concentration implied by a brand name itself ("Kenalog-40"), keyed by the lowercase name.
    brand_concentrations: dict[str, float] = {}
    # Amount per mL when the concentration is given in units (botulinum toxins after reconstitution).
    units_per_ml: list[float] = []
    vial: Literal["single_dose", "multi_dose", "both", "unknown"] = "unknown"
    source: str

    @field_validator("names")
    @classmethod
    def _terms_lower(cls, v: list[str]) -> list[str]:
        return _lower_terms(v)

    def hcpcs_on(self, day: dt.date) -> str | None:
        for version in self.hcpcs:
            if (version.effective_from is None or version.effective_from <= day) and (
                version.effective_to is None or day <= version.effective_to
            ):
                return version.code
        return None


class Code(_Strict):
    """A CPT or HCPCS code we emit, described in our own words (never the AMA descriptor)."""

    code: str
    system: Literal["CPT", "HCPCS"]
    kind: Literal["tpi", "dry_needling", "guidance", "drug", "em", "other"]
    description: str
    muscles_min: int | None = None
    muscles_max: int | None = None
    guidance: Literal["ultrasound", "fluoroscopy", "mri"] | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    source: str


class Rule(_Strict):
    """One coding or compliance rule of a payer pack, bound by `impl` to one small check function."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")
    check: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    impl: str
    severity: Severity
    effective_from: dt.date
    effective_to: dt.date | None = None
    params: dict[str, Any] = {}
    message: str
    source: str
    status: Literal["confirmed", "unconfirmed"] = "confirmed"

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class CodingPolicy(_Strict):
    """Payer-level facts the coding stage needs (what is bundled into the procedure)."""

    bundled_drug_classes: list[DrugClass] = []
    source: str


class Pack(_Strict):
    """A payer's rule pack; `includes` pulls in shared packs (CPT/NCCI rules every payer applies)."""

    payer: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str
    version: str
    includes: list[str] = []
    coding: CodingPolicy | None = None
    rules: list[Rule]

    @model_validator(mode="after")
    def _ids_unique_per_period(self) -> Pack:
        seen: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for other in seen.get(rule.id, []):
                a_end = rule.effective_to or dt.date.max
                b_end = other.effective_to or dt.date.max
                if rule.effective_from <= b_end and other.effective_from <= a_end:
                    raise ValueError(f"rule {rule.id} has overlapping effective periods")
            seen.setdefault(rule.id, []).append(rule)
        return self


class DiagnosisTerm(_Strict):
    """A phrase a note uses for a condition, and the ICD-10-CM code a coder would assign from it."""

    code: str
    terms: list[str]
    source: str = "ICD-10-CM alphabetic index (CMS/CDC)"

    @field_validator("terms")
    @classmethod
    def _terms_lower(cls, v: list[str]) -> list[str]:
        return _lower_terms(v)
