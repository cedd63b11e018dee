"""Prices to the cent from the CMS 2025 files (RVU25D, Addendum E GPCIs, CF 32.3465), worked by hand here."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tpicode.errors import InputError
from tpicode.model import BilledLine, Finding, Line
from tpicode.price import (
    fee_dir,
    fee_year,
    find_locality,
    load_drug_fees,
    money_at_risk,
    price_lines,
)

DOS = dt.date(2025, 6, 2)
CF = Decimal("32.3465")
# RVU25D rows (work, PE non-facility, PE facility, MP), as printed in the CMS file.
RVU = {"20552": ("0.66", "0.84", "0.36", "0.07"), "20553": ("0.75", "0.98", "0.41", "0.08")}
# Addendum E 2025 (work with 1.0 floor, PE, MP).
GPCI = {
    "national": ("1", "1", "1"),
    "NY-01": ("1.065", "1.166", "1.656"),  # MANHATTAN
    "CA-18": ("1.042", "1.194", "0.69"),  # LOS ANGELES-LONG BEACH-ANAHEIM
}
# The same, multiplied out by hand (non-facility, facility).
BY_HAND = {
    ("20552", "national"): ("50.78", "35.26"),
    ("20553", "national"): ("58.55", "40.11"),
    ("20552", "NY-01"): ("58.17", "40.06"),
    ("20553", "NY-01"): ("67.08", "45.59"),
    ("20552", "CA-18"): ("56.25", "37.71"),
    ("20553", "CA-18"): ("64.91", "42.90"),
}
SHARED = Path("/work/shared/data/cms")


def _hand(code: str, loc: str, facility: bool) -> Decimal:
    w, pn, pf, mp = (Decimal(x) for x in RVU[code])
    gw, gpe, gmp = (Decimal(x) for x in GPCI[loc])
    pe = pf if facility else pn
    return ((w * gw + pe * gpe + mp * gmp) * CF).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("loc", sorted(GPCI))
@pytest.mark.parametrize("code", sorted(RVU))
@pytest.mark.parametrize(("pos", "facility"), [("11", False), ("22", True)])
def test_tpi_prices_to_the_cent(code: str, loc: str, pos: str, facility: bool) -> None:
    priced = price_lines([Line(code=code)], DOS, pos, loc)
    want = Decimal(BY_HAND[(code, loc)][1 if facility else 0])
    assert _hand(code, loc, facility) == want
    ln = priced.lines[0]
    assert ln.allowed == want
    assert ln.medicare == (want * Decimal("0.8")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert ln.medicare is not None and ln.patient == want - ln.medicare
    assert priced.facility is facility
    assert priced.allowed == want
    assert priced.locality.id == loc
    assert "RVU25D" in priced.release and "32.3465" in priced.release


def test_shipped_extract_matches_the_cms_files() -> None:
    """The shipped rows are the CMS rows (only when the shared CMS files are present)."""
    if not SHARED.exists():
        pytest.skip("shared CMS files not present")
    fy = fee_year(2025)
    with (SHARED / "pfs_rvu_2025_oct.csv").open() as fh:
        full = {(r["hcpcs"], r["mod"]): r for r in csv.DictReader(fh)}
    for key, rvu in fy.rvus.items():
        row = full[key]
        assert (rvu.work, rvu.pe_nonfacility, rvu.pe_facility, rvu.mp) == tuple(
            Decimal(row[c]) for c in ("work_rvu", "pe_rvu_nonfacility", "pe_rvu_facility", "mp_rvu")
        )
        assert Decimal(row["conv_factor"]) == fy.conversion_factor
    with (SHARED / "gpci_2025.csv").open() as fh:
        rows = [r for r in csv.reader(fh) if len(r) >= 7 and r[0].strip().isdigit()]
    assert len(rows) == len(fy.localities) == 109
    for r in rows:
        loc = fy.localities[f"{r[1]}-{r[2]}"]
        assert (loc.gpci_work, loc.gpci_pe, loc.gpci_mp) == (Decimal(r[4]), Decimal(r[5]), Decimal(r[6]))


def test_every_locality_prices() -> None:
    fy = fee_year(2025)
    for loc in fy.localities.values():
        assert price_lines([Line(code="20553")], DOS, "11", loc).allowed > 0


def test_locality_lookup() -> None:
    assert find_locality("manhattan", 2025).id == "NY-01"
    assert find_locality("1320201", 2025).id == "NY-01"
    assert find_locality(None, 2025).id == "national"
    with pytest.raises(InputError, match="more than one"):
        find_locality("san francisco", 2025)
    with pytest.raises(InputError, match="not a 2025 Medicare locality"):
        find_locality("ZZ-99", 2025)


def test_multiple_procedure_rule_and_em() -> None:
    lines = [Line(code="20552"), Line(code="20553"), Line(code="99213", modifiers=["25"])]
    priced = price_lines(lines, DOS, "11", "national")
    by = {p.code: p for p in priced.lines}
    assert by["20553"].allowed == Decimal("58.55") and by["20553"].percent == 100
    assert by["20552"].allowed == Decimal("25.39") and by["20552"].percent == 50  # 50.78 x 50%
    assert by["99213"].allowed == (Decimal("2.75") * CF).quantize(Decimal("0.01"))  # indicator 0: no cut
    assert priced.allowed == Decimal("58.55") + Decimal("25.39") + by["99213"].allowed


def test_drug_fee_file(tmp_path: Path) -> None:
    f = tmp_path / "fees.csv"
    f.write_text(
        "code,unit_price,effective_date\nJ3301,1.50,2025-01-01\nJ3301,1.62,2025-04-01\nJ3301,9,2025-07-01\n"
    )
    fees = load_drug_fees(f)
    priced = price_lines([BilledLine(code="J3301", units=4)], DOS, "11", "NY-01", fees)
    assert priced.lines[0].allowed == Decimal("6.48")  # the April price, 4 units
    assert "effective 2025-04-01" in priced.lines[0].basis
    unpriced = price_lines([BilledLine(code="J3301", units=4)], DOS, "11", "NY-01")
    assert unpriced.lines[0].allowed is None and "drug fee file" in unpriced.lines[0].basis
    bad = tmp_path / "bad.csv"
    bad.write_text("code,unit_price,effective_date\nJ3301,abc,2025-01-01\n")
    with pytest.raises(InputError, match="line 2"):
        load_drug_fees(bad)


def test_year_is_a_dimension_and_2026_is_not_invented() -> None:
    assert (fee_dir() / "releases.yaml").exists()
    with pytest.raises(InputError, match="no Medicare fee schedule for 2026"):
        price_lines([Line(code="20553")], dt.date(2026, 2, 1), "11", "national")
    priced = price_lines([Line(code="20553")], dt.date(2026, 2, 1), "11", "national", fee_year_override=2025)
    assert priced.year == 2025 and priced.lines[0].allowed == Decimal("58.55")


def test_money_at_risk_is_the_denied_lines() -> None:
    lines = [Line(code="99213", modifiers=["25"]), Line(code="20553"), Line(code="76942")]
    priced = price_lines(lines, DOS, "11", "national")
    findings = [
        Finding(
            check="GUIDANCE_NOT_COVERED", severity="error", message="76942 not covered", rule="r", source="s"
        ),
        Finding(check="FREQUENCY_LIMIT", severity="error", message="4th session", rule="r", source="s"),
        Finding(check="RESPONSE_MISSING", severity="warning", message="no scores", rule="r", source="s"),
    ]
    risks = money_at_risk(findings, priced)
    assert [r.check for r in risks] == ["GUIDANCE_NOT_COVERED", "FREQUENCY_LIMIT"]
    assert risks[0].lines == (2,) and risks[0].allowed == priced.lines[2].allowed
    assert risks[1].lines == (1, 2)
    assert risks[1].allowed == (priced.lines[1].allowed or 0) + (priced.lines[2].allowed or 0)
