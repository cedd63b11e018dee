"""`tpicode claim` / `tpicode price` through register(), and bad input: a clear error naming the missing
field, and no output file."""

from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE_SETTINGS, hand_built, pyx12_errors

from tpicode.errors import InputError
from tpicode.export.claim import build_claim, claim_input
from tpicode.export.cli import register
from tpicode.export.settings import settings_from_dict


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tpicode")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    a, b = hand_built(), hand_built()
    b.update(id="HB-0002", date_of_service="2025-08-20")
    f = tmp_path / "batch.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in (a, b)) + "\n")
    return f


@pytest.mark.parametrize("fmt", ["837p", "cms1500", "fhir"])
def test_claim_command_writes_each_format(batch: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    assert (
        run(["claim", str(batch), "--format", fmt, "-o", str(out), "--settings", str(EXAMPLE_SETTINGS)]) == 0
    )
    data = out.read_bytes()
    if fmt == "837p":
        assert pyx12_errors(data.decode()) == [] and data.decode().count("CLM*") == 2
    elif fmt == "fhir":
        assert sum(e["resource"]["resourceType"] == "Claim" for e in json.loads(data)["entry"]) == 2
    else:
        assert data.startswith(b"%PDF")


def test_claim_from_one_json(tmp_path: Path) -> None:
    f = tmp_path / "enc.json"
    f.write_text(json.dumps(hand_built()))
    out = tmp_path / "c.837"
    assert run(["claim", str(f), "-o", str(out), "--settings", str(EXAMPLE_SETTINGS)]) == 0
    assert pyx12_errors(out.read_text()) == []


def test_price_command(batch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["price", str(batch), "--locality", "NY-01", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["locality"] == {"id": "NY-01", "name": "MANHATTAN"}
    assert out[0]["lines"][0]["allowed"] == "67.08" and out[0]["lines"][0]["medicare_pays"] == "53.66"
    assert out[0]["lines"][0]["patient_pays"] == "13.42"
    assert run(["price", str(batch), "--locality", "CA-18"]) == 0
    text = capsys.readouterr().out
    assert "CA-18 LOS ANGELES" in text and "$64.91" in text and "RVU25D" in text


def _doc() -> dict[str, Any]:
    with EXAMPLE_SETTINGS.open("rb") as fh:
        return tomllib.load(fh)


def _expect(doc: dict[str, Any], match: str, obj: dict[str, Any] | None = None) -> None:
    with pytest.raises(InputError, match=match):
        s = settings_from_dict(doc)
        ci = claim_input(obj or hand_built())
        build_claim(ci.encounter, s, ci.patient)


def test_missing_npi_is_named() -> None:
    doc = _doc()
    del doc["billing_provider"]["npi"]
    _expect(doc, r"\[billing_provider\] has no npi")


def test_bad_npi_check_digit_is_named() -> None:
    doc = _doc()
    doc["rendering_provider"]["npi"] = "1555555551"
    _expect(doc, r"\[rendering_provider\] npi '1555555551' is not a valid NPI")


def test_missing_payer_id_is_named() -> None:
    doc = _doc()
    del doc["payers"]["medicare"]["id"]
    _expect(doc, r"\[payers.medicare\] has no id")


def test_unknown_payer_section_is_named() -> None:
    doc = _doc()
    del doc["payers"]["medicare"]
    _expect(doc, r"no \[payers.medicare\] section")


def test_line_without_diagnosis_is_named() -> None:
    obj = hand_built()
    obj["billed_lines"][0]["diagnosis_pointers"] = []
    _expect(_doc(), r"line 1 \(20553\): no diagnosis for the line", obj)


def test_pointer_past_the_diagnoses_is_named() -> None:
    obj = hand_built()
    obj["billed_lines"][0]["diagnosis_pointers"] = [3]
    _expect(_doc(), r"pointer 3 points past the 2 diagnoses", obj)


def test_missing_ndc_charge_and_patient_are_named() -> None:
    doc = _doc()
    del doc["drugs"]["J3301"]
    _expect(doc, r"no NDC for J3301 .*\[drugs.J3301\]")
    doc = _doc()
    del doc["charges"]["20553"]
    _expect(doc, r"no charge for 20553 in \[charges\]")
    obj = hand_built()
    del obj["patient"]
    _expect(_doc(), r"no patient", obj)
    obj = hand_built()
    del obj["patient"]["member_id"]
    _expect(_doc(), r"patient.* has no member_id", obj)


def test_billing_zip_must_have_nine_digits_for_837p(tmp_path: Path) -> None:
    from tpicode.export.x12_837p import write_837p

    doc = _doc()
    doc["billing_provider"]["address"]["zip"] = "10001"
    s = settings_from_dict(doc)
    ci = claim_input(hand_built())
    with pytest.raises(InputError, match="9-digit ZIP"):
        write_837p([build_claim(ci.encounter, s, ci.patient)], s)


def test_bad_batch_line_writes_no_file(batch: Path, tmp_path: Path) -> None:
    bad = hand_built()
    bad["id"] = "HB-BAD"
    bad["billed_lines"][1]["diagnosis_pointers"] = []
    with batch.open("a") as fh:
        fh.write(json.dumps(bad) + "\n")
    out = tmp_path / "never.837"
    with pytest.raises(InputError, match=r"line 2 \(J3301\): no diagnosis"):
        run(["claim", str(batch), "-o", str(out), "--settings", str(EXAMPLE_SETTINGS)])
    assert not out.exists()
    assert list(tmp_path.glob(".tpicode-*")) == []
