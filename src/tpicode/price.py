"""What each claim line will pay under the Medicare Physician Fee Schedule (and a user's drug fee file).

Pure: lines + date of service + place of service + locality in, amounts out. The CMS files are read once.
Payment = (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor of the year.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Protocol

import yaml

from tpicode.errors import InputError, KnowledgeError
from tpicode.knowledge import data_dir, load_knowledge

CENT = Decimal("0.01")
MEDICARE_SHARE = Decimal("0.80")
PAYABLE_STATUS = frozenset({"A", "R", "T"})
# CMS POS codes paid at the facility rate under the PFS (Medicare Claims Processing Manual ch. 12 §20.4.2).
FACILITY_POS = frozenset(
    {"02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"}
)
# Which lines an error finding would have denied, by the kind of code (codes.yaml `kind`).
# A pack-defined check not listed here puts at risk the lines whose codes its message names, or else
# the procedure and its drugs.
DENIED_KINDS: dict[str, tuple[str, ...]] = {
    "MUSCLE_NOT_NAMED": ("tpi", "drug"),
    "LATERALITY_MISSING": ("tpi",),
    "COUNT_BELOW_20553": ("tpi",),
    "COUNT_ABOVE_20552": (),
    "BOTH_CODES_SAME_DAY": ("tpi", "dry_needling"),
    "UNITS_NOT_ONE": ("tpi", "dry_needling"),
    "MODIFIER_50": ("tpi",),
    "EM_WITHOUT_25": ("em",),
    "EM_NOT_SEPARATE": ("em",),
    "JCODE_MISSING": (),
    "DRUG_NOT_DOCUMENTED": ("drug",),
    "DRUG_DOSE_MISSING": ("drug",),
    "INJECTATE_NOT_COVERED": ("tpi", "drug"),
    "FREQUENCY_LIMIT": ("tpi", "drug", "guidance"),
    "REPEAT_RELIEF_MISSING": ("tpi", "drug", "guidance"),
    "RESPONSE_MISSING": ("tpi", "drug"),
    "NECESSITY_MISSING": ("tpi", "drug", "guidance"),
    "DX_NOT_COVERED": ("tpi", "drug", "guidance"),
    "GUIDANCE_NOT_COVERED": ("guidance",),
    "DRY_NEEDLING_NOT_COVERED": ("dry_needling",),
    "DRY_NEEDLING_SAME_MUSCLE": ("dry_needling",),
    "MULTIPLE_REGIONS": ("tpi",),
}
_CODE_RE = re.compile(r"\b([0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})\b")


class PricedInput(Protocol):
    """A claim line as pricing needs it (tpicode's Line and BilledLine both fit)."""

    @property
    def code(self) -> str: ...
    @property
    def units(self) -> float: ...
    @property
    def modifiers(self) -> list[str]: ...


@dataclass(frozen=True)
class Locality:
    """A Medicare payment locality with its GPCIs; `national` has every GPCI at 1.0."""

    mac: str
    state: str
    number: str
    name: str
    gpci_work: Decimal
    gpci_pe: Decimal
    gpci_mp: Decimal

    @property
    def id(self) -> str:
        return f"{self.state}-{self.number}" if self.state else "national"

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}" if self.state else "national (all GPCIs 1.000)"


NATIONAL = Locality("", "", "", "national", Decimal(1), Decimal(1), Decimal(1))


@dataclass(frozen=True)
class Rvu:
    """One row of the CMS relative value file (per code and modifier)."""

    code: str
    mod: str
    status: str
    work: Decimal
    pe_nonfacility: Decimal
    pe_facility: Decimal
    mp: Decimal
    nonfacility_na: bool
    mult_proc: str
    bilat_surg: str
    pe_opps_nonfacility: Decimal
    pe_opps_facility: Decimal
    mp_opps: Decimal


@dataclass(frozen=True)
class FeeYear:
    """One year's fee schedule: RVUs, GPCIs, localities, conversion factor and the CMS release ids."""

    year: int
    conversion_factor: Decimal
    rvu_release: str
    gpci_release: str
    rvus: Mapping[tuple[str, str], Rvu]
    localities: Mapping[str, Locality]
    counties: Mapping[str, str]

    @property
    def release(self) -> str:
        return f"CMS PFS {self.year} {self.rvu_release}, CF {self.conversion_factor}"


@dataclass(frozen=True)
class DrugFee:
    code: str
    unit_price: Decimal
    effective: dt.date


@dataclass(frozen=True)
class DrugFees:
    """The user's drug fee file: per code, prices by effective date (the latest on or before the date wins)."""

    source: str
    fees: Mapping[str, tuple[DrugFee, ...]]

    def lookup(self, code: str, day: dt.date) -> DrugFee | None:
        best = None
        for fee in self.fees.get(code, ()):
            if fee.effective <= day and (best is None or fee.effective > best.effective):
                best = fee
        return best


@dataclass(frozen=True)
class PricedLine:
    """What one line is allowed, split 80/20; `allowed` is None when the line could not be priced."""

    code: str
    modifiers: tuple[str, ...]
    units: float
    allowed: Decimal | None
    medicare: Decimal | None
    patient: Decimal | None
    basis: str
    fee: Decimal | None = None
    percent: int = 100


@dataclass(frozen=True)
class PricedClaim:
    """A claim's lines priced for one locality and year, with totals of the priced lines."""

    lines: tuple[PricedLine, ...]
    locality: Locality
    year: int
    release: str
    facility: bool
    place_of_service: str
    date_of_service: dt.date
    allowed: Decimal = field(default=Decimal("0.00"))
    medicare: Decimal = field(default=Decimal("0.00"))
    patient: Decimal = field(default=Decimal("0.00"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (amounts as strings with two decimals, so no float ever rounds a cent)."""
        return {
            "date_of_service": self.date_of_service.isoformat(),
            "place_of_service": self.place_of_service,
            "setting": "facility" if self.facility else "non-facility",
            "locality": {"id": self.locality.id, "name": self.locality.name},
            "fee_schedule": self.release,
            "lines": [
                {
                    "code": ln.code,
                    "modifiers": list(ln.modifiers),
                    "units": ln.units,
                    "fee": _s(ln.fee),
                    "percent": ln.percent,
                    "allowed": _s(ln.allowed),
                    "medicare_pays": _s(ln.medicare),
                    "patient_pays": _s(ln.patient),
                    "basis": ln.basis,
                }
                for ln in self.lines
            ],
            "allowed": _s(self.allowed),
            "medicare_pays": _s(self.medicare),
            "patient_pays": _s(self.patient),
        }


def _s(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


# --------------------------------------------------------------------------------------------------
# data


def fee_dir() -> Path:
    return data_dir() / "fees"


@functools.cache
def _releases() -> dict[int, dict[str, Any]]:
    with (fee_dir() / "releases.yaml").open("rb") as fh:
        doc = yaml.safe_load(fh)
    return {int(k): v for k, v in doc["years"].items()}


def fee_years() -> list[int]:
    """The years whose CMS files are shipped."""
    return sorted(_releases())


@functools.cache
def fee_year(year: int) -> FeeYear:
    """Load one year's files (once); a year CMS has not published, or we have not shipped, is refused."""
    rel = _releases().get(year)
    if rel is None:
        have = ", ".join(str(y) for y in fee_years())
        raise InputError(
            f"no Medicare fee schedule for {year} is shipped (have {have}); "
            f"price with --fee-year {fee_years()[-1]} to use that year's schedule"
        )
    d = fee_dir()
    try:
        rvus: dict[tuple[str, str], Rvu] = {}
        with (d / rel["rvu"]["file"]).open(newline="") as fh:
            for r in csv.DictReader(fh):
                rvus[(r["hcpcs"], r["mod"])] = Rvu(
                    code=r["hcpcs"],
                    mod=r["mod"],
                    status=r["status"],
                    work=Decimal(r["work_rvu"]),
                    pe_nonfacility=Decimal(r["pe_rvu_nonfacility"]),
                    pe_facility=Decimal(r["pe_rvu_facility"]),
                    mp=Decimal(r["mp_rvu"]),
                    nonfacility_na=r["nonfacility_na"].strip() == "NA",
                    mult_proc=r["mult_proc"],
                    bilat_surg=r["bilat_surg"],
                    pe_opps_nonfacility=Decimal(r["pe_opps_nonfacility"] or "0"),
                    pe_opps_facility=Decimal(r["pe_opps_facility"] or "0"),
                    mp_opps=Decimal(r["mp_opps"] or "0"),
                )
        locs: dict[str, Locality] = {}
        with (d / rel["gpci"]["file"]).open(newline="") as fh:
            for r in csv.DictReader(fh):
                loc = Locality(
                    mac=r["mac"],
                    state=r["state"],
                    number=r["locality"],
                    name=r["name"].rstrip("*"),
                    gpci_work=Decimal(r["gpci_work"]),
                    gpci_pe=Decimal(r["gpci_pe"]),
                    gpci_mp=Decimal(r["gpci_mp"]),
                )
                locs[loc.id] = loc
        counties: dict[str, str] = {}
        with (d / rel["localities"]["file"]).open(newline="") as fh:
            for r in csv.DictReader(fh):
                key = next(
                    (k for k, v in locs.items() if v.mac == r["mac"] and v.number == r["locality"]), None
                )
                if key:
                    counties[key] = (counties.get(key, "") + "; " + r["counties"]).strip("; ")
    except (OSError, KeyError, ArithmeticError) as exc:
        raise KnowledgeError(f"fee schedule {year}: {exc}") from None
    return FeeYear(
        year=year,
        conversion_factor=Decimal(rel["conversion_factor"]),
        rvu_release=str(rel["rvu"]["release"]),
        gpci_release=str(rel["gpci"]["release"]),
        rvus=rvus,
        localities=locs,
        counties=counties,
    )


def find_locality(key: str | None, year: int) -> Locality:
    """Resolve `national`, `NY-01`, a MAC+locality number (`1320201`) or a unique part of a name."""
    if key is None or key.strip().lower() in ("", "national"):
        return NATIONAL
    fy = fee_year(year)
    k = key.strip().upper()
    if k in fy.localities:
        return fy.localities[k]
    for loc in fy.localities.values():
        if k == loc.mac + loc.number:
            return loc
    hits = [loc for loc in fy.localities.values() if k in loc.name.upper()]
    if len(hits) == 1:
        return hits[0]
    if hits:
        names = ", ".join(h.label for h in hits[:6])
        raise InputError(f"locality {key!r} matches more than one Medicare locality: {names}")
    raise InputError(f"locality {key!r} is not a {year} Medicare locality (use e.g. NY-01, or national)")


def load_drug_fees(path: str | Path) -> DrugFees:
    """Read the user's drug fee CSV (columns code, unit_price, effective_date); errors name the row."""
    p = Path(path)
    fees: dict[str, list[DrugFee]] = {}
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            need = {"code", "unit_price", "effective_date"}
            missing = need - set(reader.fieldnames or ())
            if missing:
                raise InputError(f"{p}: drug fee file lacks column(s) {', '.join(sorted(missing))}")
            for n, r in enumerate(reader, start=2):
                try:
                    fee = DrugFee(
                        code=r["code"].strip().upper(),
                        unit_price=Decimal(r["unit_price"].strip().lstrip("$")),
                        effective=dt.date.fromisoformat(r["effective_date"].strip()),
                    )
                except (ArithmeticError, ValueError, AttributeError):
                    raise InputError(
                        f"{p}, line {n}: expected code, unit price and YYYY-MM-DD date"
                    ) from None
                if not fee.unit_price.is_finite() or fee.unit_price < 0:
                    raise InputError(f"{p}, line {n}: unit price must be a non-negative amount")
                fees.setdefault(fee.code, []).append(fee)
    except OSError as exc:
        raise InputError(f"{p}: cannot read drug fee file ({exc.strerror})") from None
    return DrugFees(source=p.name, fees={k: tuple(v) for k, v in fees.items()})


# --------------------------------------------------------------------------------------------------
# pricing


def is_facility(place_of_service: str) -> bool:
    return place_of_service in FACILITY_POS


def fee_amount(rvu: Rvu, loc: Locality, cf: Decimal, facility: bool) -> Decimal:
    """The locality's fee for one unit, rounded to the cent (with the OPPS cap where CMS sets one)."""
    pe = rvu.pe_facility if facility or rvu.nonfacility_na else rvu.pe_nonfacility
    amount = (rvu.work * loc.gpci_work + pe * loc.gpci_pe + rvu.mp * loc.gpci_mp) * cf
    pe_opps = rvu.pe_opps_facility if facility else rvu.pe_opps_nonfacility
    if pe_opps or rvu.mp_opps:
        capped = (rvu.work * loc.gpci_work + pe_opps * loc.gpci_pe + rvu.mp_opps * loc.gpci_mp) * cf
        amount = min(amount, capped)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def split(allowed: Decimal) -> tuple[Decimal, Decimal]:
    """Medicare's 80% and the patient's 20% coinsurance (before any deductible)."""
    medicare = (allowed * MEDICARE_SHARE).quantize(CENT, rounding=ROUND_HALF_UP)
    return medicare, allowed - medicare


def price_lines(
    lines: Sequence[PricedInput],
    date_of_service: dt.date,
    place_of_service: str = "11",
    locality: str | Locality | None = None,
    drug_fees: DrugFees | None = None,
    fee_year_override: int | None = None,
) -> PricedClaim:
    """Price each line with the fee schedule of the date's year (or `fee_year_override`)."""
    year = fee_year_override or date_of_service.year
    fy = fee_year(year)
    loc = locality if isinstance(locality, Locality) else find_locality(locality, year)
    facility = is_facility(place_of_service)
    setting = "facility" if facility else "non-facility"
    # first pass: the full fee of each line, and which take part in the multiple-procedure rule
    fees: list[tuple[Decimal | None, str, Rvu | None]] = []
    for ln in lines:
        fees.append(_line_fee(ln, fy, loc, facility, setting, drug_fees, date_of_service))
    ranked = sorted(
        (
            i
            for i, (fee, _b, r) in enumerate(fees)
            if fee is not None and r is not None and r.mult_proc in "23"
        ),
        key=lambda i: -(fees[i][0] or Decimal(0)),
    )
    percent = {i: (100 if n == 0 else 50) for n, i in enumerate(ranked)}
    out: list[PricedLine] = []
    for i, ln in enumerate(lines):
        fee, basis, rvu = fees[i]
        pct = percent.get(i, 100)
        if fee is None:
            out.append(PricedLine(ln.code, tuple(ln.modifiers), ln.units, None, None, None, basis))
            continue
        units = Decimal(str(ln.units))
        if rvu is not None and "50" in ln.modifiers and rvu.bilat_surg == "1":
            fee = (fee * Decimal("1.5")).quantize(CENT, rounding=ROUND_HALF_UP)
            basis += "; bilateral 150%"
        allowed = (fee * units * pct / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if pct != 100:
            basis += f"; multiple-procedure rule {pct}%"
        medicare, patient = split(allowed)
        out.append(
            PricedLine(ln.code, tuple(ln.modifiers), ln.units, allowed, medicare, patient, basis, fee, pct)
        )
    priced = [p for p in out if p.allowed is not None]
    return PricedClaim(
        lines=tuple(out),
        locality=loc,
        year=year,
        release=fy.release,
        facility=facility,
        place_of_service=place_of_service,
        date_of_service=date_of_service,
        allowed=sum((p.allowed or Decimal(0) for p in priced), Decimal("0.00")),
        medicare=sum((p.medicare or Decimal(0) for p in priced), Decimal("0.00")),
        patient=sum((p.patient or Decimal(0) for p in priced), Decimal("0.00")),
    )


def _line_fee(
    ln: PricedInput,
    fy: FeeYear,
    loc: Locality,
    facility: bool,
    setting: str,
    drug_fees: DrugFees | None,
    day: dt.date,
) -> tuple[Decimal | None, str, Rvu | None]:
    pc_tc = next((m for m in ln.modifiers if m in ("26", "TC")), "")
    rvu = fy.rvus.get((ln.code, pc_tc)) or fy.rvus.get((ln.code, ""))
    if rvu is not None and rvu.status in PAYABLE_STATUS:
        fee = fee_amount(rvu, loc, fy.conversion_factor, facility)
        na = "; non-facility NA, facility PE used" if rvu.nonfacility_na and not facility else ""
        return fee, f"PFS {fy.year} {fy.rvu_release} {setting}, {loc.label}{na}", rvu
    if drug_fees is not None:
        df = drug_fees.lookup(ln.code, day)
        if df is not None:
            return df.unit_price, f"drug fee file {drug_fees.source}, effective {df.effective}", None
        if ln.code in drug_fees.fees:
            return None, f"not priced: {drug_fees.source} has no price for {ln.code} in effect on {day}", None
    if rvu is None:
        return None, f"not priced: {ln.code} is not in the shipped {fy.year} fee schedule extract", None
    if rvu.status == "E" or ln.code[:1] == "J":
        return None, f"not priced: {ln.code} is paid outside the PFS; add it to a drug fee file", None
    return None, f"not priced: PFS status {rvu.status} (not separately paid)", None


# --------------------------------------------------------------------------------------------------
# money at risk


@dataclass(frozen=True)
class Risk:
    """The amount an error finding would deny: the allowed amounts of the lines it hits."""

    check: str
    message: str
    lines: tuple[int, ...]
    allowed: Decimal


class _FindingLike(Protocol):
    @property
    def check(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...


def money_at_risk(findings: Iterable[_FindingLike], priced: PricedClaim) -> list[Risk]:
    """For each error finding, the lines it would deny and their allowed total."""
    kinds = {c.code: c.kind for c in load_knowledge().codes.values()}
    out = []
    for f in findings:
        if f.severity != "error":
            continue
        named = {m.group(1) for m in _CODE_RE.finditer(f.message)}
        if f.check in DENIED_KINDS:
            want = DENIED_KINDS[f.check]
            hit = [i for i, p in enumerate(priced.lines) if kinds.get(p.code, "other") in want]
            if f.check in ("BOTH_CODES_SAME_DAY", "UNITS_NOT_ONE", "MODIFIER_50", "COUNT_BELOW_20553"):
                narrowed = [i for i in hit if priced.lines[i].code in named]
                hit = narrowed or hit
        else:
            hit = [i for i, p in enumerate(priced.lines) if p.code in named]
            if not hit:
                hit = [i for i, p in enumerate(priced.lines) if kinds.get(p.code, "other") in ("tpi", "drug")]
        total = sum((priced.lines[i].allowed or Decimal(0) for i in hit), Decimal("0.00"))
        out.append(Risk(f.check, f.message, tuple(hit), total))
    return out
