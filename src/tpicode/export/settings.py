"""Practice, provider, payer and charge details for claims, read from a TOML file (docs/settings.example.toml).

Everything a claim needs that a note does not say lives here; a missing value is named in the error.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tpicode.errors import InputError


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str
    zip: str
    line2: str = ""


@dataclass(frozen=True)
class Party:
    """A submitter, receiver or payer: a name and an id."""

    name: str
    id: str
    contact: str = ""
    phone: str = ""
    email: str = ""
    address: Address | None = None
    claim_filing: str = "MB"


@dataclass(frozen=True)
class Provider:
    """A billing (organization) or rendering (person) provider."""

    npi: str
    taxonomy: str
    organization: str = ""
    last_name: str = ""
    first_name: str = ""
    tax_id: str = ""
    tax_id_type: str = "EI"
    address: Address | None = None
    phone: str = ""

    @property
    def display_name(self) -> str:
        return self.organization or f"{self.last_name}, {self.first_name}".strip(", ")


@dataclass(frozen=True)
class Patient:
    """The patient, who is also the subscriber (relationship 'self': the Medicare case)."""

    last_name: str
    first_name: str
    birth_date: dt.date
    sex: str
    member_id: str
    address: Address
    middle_name: str = ""
    phone: str = ""
    account: str = ""


@dataclass(frozen=True)
class DrugProduct:
    """The NDC billed for a HCPCS drug code, and how much of the package one HCPCS unit is."""

    ndc: str
    unit: str
    per_hcpcs_unit: Decimal
    name: str = ""


@dataclass(frozen=True)
class Settings:
    """All claim settings; `path` is where they were read from (relative file names resolve there)."""

    submitter: Party
    receiver: Party
    billing: Provider
    rendering: Provider | None
    payers: dict[str, Party]
    charges: dict[str, Decimal]
    drugs: dict[str, DrugProduct]
    patients: dict[str, Patient] = field(default_factory=dict)
    usage: str = "T"
    locality: str | None = None
    drug_fees: Path | None = None
    path: Path | None = None

    def payer(self, name: str) -> Party:
        try:
            return self.payers[name]
        except KeyError:
            raise InputError(f"settings: no [payers.{name}] section (payer name and payer id)") from None

    def charge(self, code: str) -> Decimal:
        try:
            return self.charges[code]
        except KeyError:
            raise InputError(f"settings: no charge for {code} in [charges]") from None


def npi_valid(npi: str) -> bool:
    """The NPI check digit (Luhn over '80840' + the first nine digits)."""
    if not re.fullmatch(r"\d{10}", npi):
        return False
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def _req(tbl: dict[str, Any], key: str, where: str) -> str:
    v = tbl.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        raise InputError(f"{where} has no {key}" if ":" in where else f"settings: [{where}] has no {key}")
    return str(v).strip()


def _npi(tbl: dict[str, Any], where: str) -> str:
    npi = _req(tbl, "npi", where)
    if not npi_valid(npi):
        raise InputError(f"settings: [{where}] npi {npi!r} is not a valid NPI (10 digits, check digit)")
    return npi


def parse_address(tbl: dict[str, Any] | None, where: str) -> Address:
    """An address with a ZIP code (5 or 9 digits)."""
    if not isinstance(tbl, dict):
        raise InputError(f"{where} has no address")
    zipc = _req(tbl, "zip", where).replace("-", "")
    if not re.fullmatch(r"\d{5}(\d{4})?", zipc):
        raise InputError(f"{where}: zip {zipc!r} is not a 5- or 9-digit ZIP code")
    state = _req(tbl, "state", where).upper()
    if not re.fullmatch(r"[A-Z]{2}", state):
        raise InputError(f"{where}: state {state!r} is not a two-letter code")
    return Address(
        line1=_req(tbl, "line1", where),
        line2=str(tbl.get("line2", "")).strip(),
        city=_req(tbl, "city", where),
        state=state,
        zip=zipc,
    )


def parse_patient(tbl: dict[str, Any], where: str = "patient") -> Patient:
    """A patient from a settings table or an encounter's `patient` object."""
    try:
        born = dt.date.fromisoformat(_req(tbl, "birth_date", where))
    except ValueError:
        raise InputError(f"{where}: birth_date must be YYYY-MM-DD") from None
    sex = _req(tbl, "sex", where).upper()[:1]
    if sex not in ("M", "F", "U"):
        raise InputError(f"{where}: sex must be M, F or U")
    addr = tbl.get("address")
    return Patient(
        last_name=_req(tbl, "last_name", where),
        first_name=_req(tbl, "first_name", where),
        middle_name=str(tbl.get("middle_name", "")).strip(),
        birth_date=born,
        sex=sex,
        member_id=_req(tbl, "member_id", where),
        address=parse_address(addr if isinstance(addr, dict) else None, f"{where}.address"),
        phone=str(tbl.get("phone", "")).strip(),
        account=str(tbl.get("account", "")).strip(),
    )


def _party(tbl: dict[str, Any] | None, where: str) -> Party:
    if not isinstance(tbl, dict):
        raise InputError(f"settings: no [{where}] section")
    addr = tbl.get("address")
    return Party(
        name=_req(tbl, "name", where),
        id=_req(tbl, "id", where),
        contact=str(tbl.get("contact", "")).strip(),
        phone=re.sub(r"\D", "", str(tbl.get("phone", ""))),
        email=str(tbl.get("email", "")).strip(),
        address=parse_address(addr, f"settings: [{where}.address]") if isinstance(addr, dict) else None,
        claim_filing=str(tbl.get("claim_filing", "MB")).strip().upper(),
    )


def _provider(tbl: dict[str, Any] | None, where: str, billing: bool) -> Provider:
    if not isinstance(tbl, dict):
        raise InputError(f"settings: no [{where}] section")
    taxonomy = _req(tbl, "taxonomy", where)
    if not re.fullmatch(r"[0-9A-Z]{9}X", taxonomy):
        raise InputError(f"settings: [{where}] taxonomy {taxonomy!r} is not a 10-character NUCC code")
    tax_id = re.sub(r"\D", "", str(tbl.get("tax_id", "")))
    if billing and len(tax_id) != 9:
        raise InputError(f"settings: [{where}] has no tax_id (9-digit EIN or SSN)")
    addr = tbl.get("address")
    return Provider(
        npi=_npi(tbl, where),
        taxonomy=taxonomy,
        organization=str(tbl.get("organization", "")).strip(),
        last_name=str(tbl.get("last_name", "")).strip(),
        first_name=str(tbl.get("first_name", "")).strip(),
        tax_id=tax_id,
        tax_id_type=str(tbl.get("tax_id_type", "EI")).upper(),
        address=parse_address(addr, f"settings: [{where}.address]") if billing else None,
        phone=re.sub(r"\D", "", str(tbl.get("phone", ""))),
    )


def _decimal(v: Any, where: str) -> Decimal:
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        raise InputError(f"settings: {where} must be a number") from None
    if not d.is_finite() or d < 0:
        raise InputError(f"settings: {where} must be a non-negative number")
    return d


def settings_from_dict(doc: dict[str, Any], path: Path | None = None) -> Settings:
    """Build Settings from a parsed TOML document; each missing value is named."""
    billing = _provider(doc.get("billing_provider"), "billing_provider", billing=True)
    if not billing.organization and not billing.last_name:
        raise InputError("settings: [billing_provider] has no organization (or last_name)")
    rend_tbl = doc.get("rendering_provider")
    rendering = _provider(rend_tbl, "rendering_provider", billing=False) if rend_tbl else None
    if rendering is not None and not (rendering.last_name and rendering.first_name):
        raise InputError("settings: [rendering_provider] needs last_name and first_name")
    payers_tbl = doc.get("payers") or {}
    payers = {str(k).lower(): _party(v, f"payers.{k}") for k, v in payers_tbl.items()}
    charges = {str(k).upper(): _decimal(v, f"[charges] {k}") for k, v in (doc.get("charges") or {}).items()}
    drugs: dict[str, DrugProduct] = {}
    for code, tbl in (doc.get("drugs") or {}).items():
        where = f"drugs.{code}"
        ndc = re.sub(r"\D", "", _req(tbl, "ndc", where))
        if len(ndc) != 11:
            raise InputError(f"settings: [{where}] ndc must have 11 digits (5-4-2, zero-padded)")
        unit = _req(tbl, "unit", where).upper()
        if unit not in ("F2", "GR", "ME", "ML", "UN"):
            raise InputError(f"settings: [{where}] unit must be one of F2, GR, ME, ML, UN")
        drugs[str(code).upper()] = DrugProduct(
            ndc=ndc,
            unit=unit,
            per_hcpcs_unit=_decimal(tbl.get("per_hcpcs_unit", 1), f"[{where}] per_hcpcs_unit"),
            name=str(tbl.get("name", "")).strip(),
        )
    patients = {
        str(k): parse_patient(v, f"settings: [patients.{k}]") for k, v in (doc.get("patients") or {}).items()
    }
    pricing = doc.get("pricing") or {}
    fees = pricing.get("drug_fees")
    fee_path = None
    if fees:
        fee_path = Path(str(fees))
        if path is not None and not fee_path.is_absolute():
            fee_path = path.parent / fee_path
    usage = str(doc.get("usage", "T")).upper()
    if usage not in ("T", "P"):
        raise InputError("settings: usage must be T (test) or P (production)")
    return Settings(
        submitter=_party(doc.get("submitter"), "submitter"),
        receiver=_party(doc.get("receiver"), "receiver"),
        billing=billing,
        rendering=rendering,
        payers=payers,
        charges=charges,
        drugs=drugs,
        patients=patients,
        usage=usage,
        locality=str(pricing["locality"]) if pricing.get("locality") else None,
        drug_fees=fee_path,
        path=path,
    )


def load_settings(path: str | Path) -> Settings:
    """Read a settings TOML file."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            doc = tomllib.load(fh)
    except OSError as exc:
        raise InputError(f"{p}: cannot read settings ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: not valid TOML ({exc})") from None
    try:
        return settings_from_dict(doc, p)
    except InputError as exc:
        raise InputError(f"{p}: {exc}") from None
