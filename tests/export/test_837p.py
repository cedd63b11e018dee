"""837P: every claim passes pyx12 with zero errors, parses back (x12sdk) to the encounter's values, and a
hand-built encounter matches the implementation guide segment by segment."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import NOTE_SARAPIN, PATIENT, ROOT, hand_built, pyx12_errors

from tpicode.errors import InputError
from tpicode.export.claim import Claim, build_claim, build_claims, claim_input
from tpicode.export.settings import Settings
from tpicode.export.x12_837p import write_837p

CREATED = dt.datetime(2025, 5, 15, 8, 5)
EXAMPLES = ROOT / "src" / "tpicode" / "examples" / "examples.jsonl"


def _examples() -> list[dict[str, Any]]:
    out = []
    for line in EXAMPLES.read_text().splitlines():
        d = json.loads(line)
        if d["id"] == "region_only":  # no claim line: refused (tested below)
            continue
        out.append({**d, "patient": PATIENT, "payer": "medicare"})
    return out


def _sarapin() -> dict[str, Any]:
    return {"id": "SAR-1", "note": NOTE_SARAPIN, "date_of_service": "2025-03-10", "patient": PATIENT}


def _facility() -> dict[str, Any]:
    d = hand_built()
    d.update(id="FAC-1", place_of_service="22", diagnoses=["M79.18", "M62.838", "G44.209", "M54.2", "M79.12"])
    d["billed_lines"] = [
        {"code": "99214", "units": 1, "modifiers": ["25"], "diagnosis_pointers": [3, 4, 5, 1]},
        {"code": "20553", "units": 1, "modifiers": [], "diagnosis_pointers": [1, 2, 5]},
        {"code": "J3301", "units": 4, "modifiers": ["JZ"], "diagnosis_pointers": [1]},
    ]
    return d


def _claims(settings: Settings, objs: list[dict[str, Any]]) -> list[Claim]:
    return build_claims([claim_input(o) for o in objs], settings)


SAMPLES = {
    "hand_built": lambda: [hand_built()],
    "examples": _examples,
    "unclassified_drug": lambda: [_sarapin()],
    "facility_4_pointers": lambda: [_facility()],
    "batch": lambda: [hand_built(), *_examples(), _sarapin(), _facility()],
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_passes_pyx12(settings: Settings, name: str) -> None:
    claims = _claims(settings, SAMPLES[name]())
    text = write_837p(claims, settings, control_number=7, created=CREATED)
    assert pyx12_errors(text) == []


def test_pyx12_catches_a_broken_file(settings: Settings) -> None:
    text = write_837p(_claims(settings, [hand_built()]), settings, created=CREATED)
    assert pyx12_errors(text.replace("DMG*D8*19481102*M", "DMG*D8*1948*M")) != []


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def test_hand_built_segment_by_segment(settings: Settings) -> None:
    """Each segment as 005010X222A1 lays it out (loop, element by element) for the hand-built encounter."""
    claim = build_claim(claim_input(hand_built()).encounter, settings, claim_input(hand_built()).patient)
    got = _segments(write_837p([claim], settings, control_number=42, created=CREATED))
    want = [
        # ISA: auth/security info empty, ZZ sender/receiver padded to 15, YYMMDD, HHMM, ^ repetition,
        # 00501, 9-digit control number, no ack requested, T(est) usage, : component separator
        "ISA*00*          *00*          *ZZ*SUNRISE01      *ZZ*CLEARHOUSE01   *250515*0805*^*00501*000000042*0*T*:",
        "GS*HC*SUNRISE01*CLEARHOUSE01*20250515*0805*42*X*005010X222A1",  # HC = health care claim
        "ST*837*0042*005010X222A1",
        "BHT*0019*00*HB-0001-1*20250515*0805*CH",  # 0019 hierarchy, 00 original, CH chargeable
        "NM1*41*2*SUNRISE PAIN CLINIC*****46*SUNRISE01",  # 1000A submitter (46 = ETIN)
        "PER*IC*BILLING OFFICE*TE*5555550100",
        "NM1*40*2*EXAMPLE CLEARINGHOUSE*****46*CLEARHOUSE01",  # 1000B receiver
        "HL*1**20*1",  # 2000A billing provider, has children
        "PRV*BI*PXC*208VP0014X",
        "NM1*85*2*SUNRISE PAIN CLINIC PLLC*****XX*1987654328",  # 2010AA, XX = NPI
        "N3*100 MAIN ST",
        "N4*NEW YORK*NY*100011234",  # 9-digit ZIP required for the billing provider
        "REF*EI*123456789",  # tax id (EIN)
        "HL*2*1*22*0",  # 2000B subscriber, parent 1, no children (patient = subscriber)
        "SBR*P*18*******MB",  # primary, 18 = self, MB = Medicare Part B
        "NM1*IL*1*ROE*RICHARD*Q***MI*2AB3CD4EF56",  # 2010BA subscriber, MI = member id
        "N3*45 OAK AVE*APT 3",
        "N4*BROOKLYN*NY*11201",
        "DMG*D8*19481102*M",
        "NM1*PR*2*MEDICARE PART B*****PI*MCRPB01",  # 2010BB payer, PI = payer id
        "N3*PO BOX 1000",
        "N4*NEW YORK*NY*10001",
        # 2300: patient control number, total charge, POS 11 : B (professional) : 1 (original),
        # provider signature Y, assignment A, benefits assigned Y, release of information Y
        "CLM*HB-0001*212***11:B:1*Y*A*Y*Y",
        "HI*ABK:M7918*ABF:M62838",  # ABK principal, ABF other; ICD-10-CM without the dot
        "NM1*82*1*RIVERA*ALEX****XX*1555555550",  # 2310B rendering provider
        "PRV*PE*PXC*208VP0014X",
        "LX*1",  # 2400
        "SV1*HC:20553*180*UN*1***1:2",  # HC:code, charge, UN units, count, pointers 1:2
        "DTP*472*D8*20250514",  # 472 = date of service
        "LX*2",
        "SV1*HC:J3301:JZ*32*UN*4***1",
        "DTP*472*D8*20250514",
        "LIN**N4*99999030101",  # 2410: N4 = NDC in 5-4-2 (11 digits)
        "CTP****1*ML",  # quantity 1 mL
        "SE*33*0042",  # 33 segments from ST to SE inclusive
        "GE*1*42",
        "IEA*1*000000042",
    ]
    assert got == want


def test_control_numbers_and_counts_in_a_batch(settings: Settings) -> None:
    claims = _claims(settings, SAMPLES["batch"]())
    segs = _segments(write_837p(claims, settings, control_number=123456789, created=CREATED))
    st, se = segs.index(next(s for s in segs if s.startswith("ST*"))), len(segs) - 3
    assert segs[se].startswith("SE*")
    assert segs[se] == f"SE*{se - st + 1}*6789"
    assert segs[st] == "ST*837*6789*005010X222A1"
    assert sum(s.startswith("ST*") for s in segs) == 1  # one transaction for the batch
    assert segs[-2:] == ["GE*1*123456789", "IEA*1*123456789"]
    assert segs[0].split("*")[13] == "123456789"
    hls = [s.split("*") for s in segs if s.startswith("HL*")]
    assert [h[1] for h in hls] == [str(i) for i in range(1, len(claims) + 2)]
    assert all(h[2] == "1" and h[3] == "22" for h in hls[1:])
    assert sum(s.startswith("CLM*") for s in segs) == len(claims)


def test_unclassified_drug_has_nte_and_ndc(settings: Settings) -> None:
    claims = _claims(settings, [_sarapin()])
    segs = _segments(write_837p(claims, settings, created=CREATED))
    sv1 = next(s for s in segs if s.startswith("SV1*HC:J3490"))
    i = segs.index(sv1)
    assert sv1.split("*")[1] == "HC:J3490:::::SARAPIN 4 ML"
    assert segs[i + 2] == "NTE*ADD*SARAPIN 4 ML NDC 99999349001"
    assert segs[i + 3] == "LIN**N4*99999349001"
    assert segs[i + 4] == "CTP****4*ML"


def test_parse_back_compares_every_value(settings: Settings) -> None:
    """x12sdk reads the batch back; every value equals what the encounter and settings said."""
    from x12sdk.io import X12ModelReader

    objs = SAMPLES["batch"]()
    claims = _claims(settings, objs)
    text = write_837p(claims, settings, control_number=9, created=CREATED)
    with X12ModelReader(text) as reader:
        models = list(reader.models())
    assert len(models) == 1
    model = models[0]
    assert model.header.bht_segment.transaction_set_creation_date == CREATED.date()
    parsed = list(model.claims())
    assert len(parsed) == len(claims)
    b = settings.billing
    for got, claim, obj in zip(parsed, claims, objs, strict=True):
        assert got.billing_provider_npi == b.npi
        assert got.billing_provider_name == b.organization
        bp = got.billing_provider
        assert b.address is not None
        assert bp.n4_segment.postal_code == b.address.zip
        assert bp.n3_segment.address_information_1 == b.address.line1
        assert bp.ref_segment[0].reference_identification == b.tax_id
        assert got.payer_name == settings.payers["medicare"].name
        assert got.payer.nm1_segment.identification_code == settings.payers["medicare"].id
        p = obj["patient"]
        assert got.patient_name == (p["last_name"].upper(), p["first_name"].upper())
        assert got.member_id == p["member_id"]
        dmg = got.subscriber.dmg_segment
        assert dmg.date_time_period == dt.date.fromisoformat(p["birth_date"])
        assert dmg.gender_code == p["sex"]
        assert got.subscriber.n4_segment.postal_code == p["address"]["zip"]
        assert (
            got.patient_control_number
            == claim.control_number
            == re.sub(r"[^A-Za-z0-9-]", "", obj["id"]).upper()
        )
        c = got.claim
        assert c.clm_segment.health_care_service_location_information.split(":")[0] == obj.get(
            "place_of_service", "11"
        )
        hi = c.hi_segment[0]
        codes = [getattr(hi, f"health_care_code_{i}") for i in range(1, 13)]
        codes = [x for x in codes if x]
        assert [x[1] for x in codes] == [d.replace(".", "") for d in claim.diagnoses]
        assert [x[0] for x in codes] == ["ABK"] + ["ABF"] * (len(codes) - 1)
        for d in obj.get("diagnoses", []):
            assert d.replace(".", "") in [x[1] for x in codes]
        rend = c.loop_2310b
        assert settings.rendering is not None
        assert rend.nm1_segment.identification_code == settings.rendering.npi
        lines = got.service_lines
        expect_lines = obj.get("billed_lines") or [ln.model_dump() for ln in claim.result.lines]
        assert len(lines) == len(expect_lines)
        total = Decimal(0)
        for n, (sl, want) in enumerate(zip(lines, expect_lines, strict=True), start=1):
            assert int(sl.lx_segment.assigned_number) == n
            sv1 = sl.sv1_segment
            parts = sv1.product_service_id_qualifier.split(":")
            assert parts[0] == "HC" and parts[1] == want["code"]
            assert [m for m in parts[2:6] if m] == want["modifiers"]
            assert sv1.service_unit_count == Decimal(str(want["units"]))
            charge = settings.charges[want["code"]] * Decimal(str(want["units"]))
            assert sv1.line_item_charge_amount == charge
            total += charge
            assert [int(x) for x in sv1.composite_diagnosis_code_pointer.split(":")] == want[
                "diagnosis_pointers"
            ]
            assert sl.dtp_segment[0].date_time_period == dt.date.fromisoformat(obj["date_of_service"])
            if want["code"].startswith("J"):
                drug = settings.drugs[want["code"]]
                assert sl.loop_2410.lin_segment.product_service_id_qualifier == "N4"
                assert sl.loop_2410.lin_segment.national_drug_code_universal_product_number == drug.ndc
                assert sl.loop_2410.ctp_segment.composite_unit_of_measure == drug.unit
                assert sl.loop_2410.ctp_segment.quantity > 0
            else:
                assert sl.loop_2410 is None
        assert got.charge == total == claim.total_charge
    assert model.footer.se_segment.transaction_segment_count == len(_segments(text)) - 4


def test_no_file_for_bad_input(settings: Settings, tmp_path: Path) -> None:
    """A claim the clearinghouse would reject is never written: the error names the missing field."""
    d = hand_built()
    d["billed_lines"][1]["diagnosis_pointers"] = []
    with pytest.raises(InputError, match=r"line 2 \(J3301\): no diagnosis for the line"):
        _claims(settings, [d])
