"""What the reader found in a note: facts with the spans that support them, and nothing about codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

Span = tuple[int, int]

# Why a mention does or does not count: only "today" does.
MentionStatus = str  # today | exam | planned | history | negated | attempted | other | unclear


@dataclass(slots=True)
class MuscleFact:
    muscle_id: str
    laterality: str  # left | right | unspecified
    procedure: str  # injection | dry_needling
    status: MentionStatus
    part: str | None
    injections: int | None
    spans: list[Span]
    fuzzy: bool = False
    explicit: bool = False  # its own clause says it was injected or needled (not a section default)


@dataclass(slots=True)
class GroupFact:
    group_id: str
    status: MentionStatus
    spans: list[Span]
    explicit: bool = False  # its own clause says it was injected ("the lumbar paraspinals were injected")
    additional: bool = False  # sites beyond the named muscles ("plus two additional sites in the upper back")


@dataclass(slots=True)
class DrugFact:
    drug_id: str
    status: MentionStatus
    spans: list[Span]
    dose_mg: float | None = None
    dose_units: float | None = None
    volume_ml: float | None = None
    conc_mg_per_ml: float | None = None
    conc_units_per_ml: float | None = None
    conc_label: str | None = None
    single_dose_vial: bool | None = None
    wasted_mg: float | None = None
    wasted_units: float | None = None
    wasted_ml: float | None = None  # a volume discarded where this mention gave no strength ("0.5 mL of ketorolac")
    no_waste: bool = False


@dataclass(slots=True)
class Facts:
    tpi_documented: bool = False
    tpi_performed: bool = False
    performed_spans: list[Span] = field(default_factory=list)
    dry_needling_spans: list[Span] = field(default_factory=list)
    muscles: list[MuscleFact] = field(default_factory=list)
    groups: list[GroupFact] = field(default_factory=list)
    drugs: list[DrugFact] = field(default_factory=list)
    guidance: list[tuple[str, Span]] = field(default_factory=list)
    pain_pre: Span | None = None
    pain_post: Span | None = None
    response: Span | None = None
    complications: Span | None = None
    conservative_failed: Span | None = None
    indication: Span | None = None
    tp_exam: Span | None = None
    prior_sessions: list[tuple[dt.date, Span]] = field(default_factory=list)
    repeat: Span | None = None
    relief: list[tuple[float, float | None, Span]] = field(default_factory=list)  # percent, weeks, span
    rehab: Span | None = None
    em_codes: list[tuple[str, Span]] = field(default_factory=list)
    em_separate: Span | None = None
    icd_codes: list[tuple[str, Span]] = field(default_factory=list)
    dx_terms: list[tuple[str, Span]] = field(default_factory=list)
    other_procedures: list[Span] = field(default_factory=list)
