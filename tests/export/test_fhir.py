"""FHIR R4: the claim Bundle validates in fhir.resources' R4 models and carries each line's values;
a DocumentReference (with or without its Patient in a Bundle) becomes an Encounter."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from conftest import NOTE_20553, hand_built

from tpicode.errors import InputError
from tpicode.export.claim import build_claim, claim_input
from tpicode.export.fhir import (
    LATERALITY,
    claim_bundle,
    encounter_from_fhir,
    fhir_claim_input,
    maybe_encounter_from_fhir,
)
from tpicode.export.settings import Settings


def _by_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_claim_bundle_validates_and_carries_every_line(settings: Settings) -> None:
    from fhir.resources.R4B.bundle import Bundle

    ci = claim_input(hand_built())
    claim = build_claim(ci.encounter, settings, ci.patient)
    bundle = claim_bundle([claim], dt.date(2025, 5, 15))
    Bundle.model_validate(bundle)  # R4 shapes, nested resources included
    (fc,) = _by_type(bundle, "Claim")
    assert fc["type"]["coding"][0]["code"] == "professional"
    assert [d["diagnosisCodeableConcept"]["coding"][0]["code"] for d in fc["diagnosis"]] == [
        "M79.18",
        "M62.838",
    ]
    tpi, drug = fc["item"]
    assert tpi["productOrService"]["coding"][0] == {
        "system": "http://www.ama-assn.org/go/cpt",
        "code": "20553",
    }
    assert tpi["diagnosisSequence"] == [1, 2] and tpi["quantity"]["value"] == 1
    assert drug["modifier"][0]["coding"][0]["code"] == "JZ" and drug["quantity"]["value"] == 4
    assert drug["detail"][0]["productOrService"]["coding"][0]["code"] == "99999030101"
    sites = {(s["coding"][0]["code"], s["text"]) for s in tpi["subSite"]}
    assert sites == {
        ("trapezius", "left trapezius"),
        ("levator scapulae", "left levator scapulae"),
        ("rhomboid major", "right rhomboid major"),
    }
    assert "left trapezius" in tpi["bodySite"]["text"]
    structures = _by_type(bundle, "BodyStructure")
    assert len(structures) == 3
    for bs in structures:
        side = bs["description"].split()[0]
        assert bs["locationQualifier"][0]["coding"][0]["code"] == LATERALITY[side][0]
    (proc,) = _by_type(bundle, "Procedure")  # one per session
    assert proc["status"] == "completed" and proc["performedDateTime"] == "2025-05-14"
    assert len(proc["bodySite"]) == 3
    assert fc["procedure"][0]["procedureReference"]["reference"].endswith(proc["id"])


def test_bundle_of_several_claims_validates(settings: Settings) -> None:
    a, b = hand_built(), hand_built()
    b["id"] = "HB-0002"
    claims = [build_claim(claim_input(x).encounter, settings, claim_input(x).patient) for x in (a, b)]
    bundle = claim_bundle(claims)
    assert len(_by_type(bundle, "Claim")) == 2


def _doc(**extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": "doc-1",
        "status": "current",
        "subject": {"reference": "Patient/pt-1"},
        "context": {"period": {"start": "2025-05-14"}},
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(NOTE_20553.encode()).decode(),
                }
            }
        ],
        **extra,
    }


PATIENT_RES = {
    "resourceType": "Patient",
    "id": "pt-1",
    "identifier": [{"system": "urn:example:mbi", "value": "2AB3CD4EF56"}],
    "name": [{"family": "Roe", "given": ["Richard"]}],
    "gender": "male",
    "birthDate": "1948-11-02",
    "address": [{"line": ["45 Oak Ave"], "city": "Brooklyn", "state": "NY", "postalCode": "11201"}],
}


def test_document_reference_with_patient_in_a_bundle() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": PATIENT_RES}, {"resource": _doc()}],
    }
    enc = encounter_from_fhir(bundle)
    assert enc.note == NOTE_20553 and enc.id == "doc-1"
    assert enc.date_of_service == dt.date(2025, 5, 14) and enc.patient_id == "pt-1"
    ci = fhir_claim_input(bundle)
    assert ci.patient is not None and ci.patient.member_id == "2AB3CD4EF56" and ci.patient.sex == "M"


def test_document_reference_alone_and_detection() -> None:
    enc = maybe_encounter_from_fhir(_doc())
    assert enc is not None and enc.note == NOTE_20553
    assert maybe_encounter_from_fhir({"note": "x"}) is None
    assert maybe_encounter_from_fhir([1]) is None


def test_bad_fhir_input_is_named() -> None:
    with pytest.raises(InputError, match="DocumentReference"):
        encounter_from_fhir(
            {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": PATIENT_RES}]}
        )
    with pytest.raises(InputError, match="status"):
        encounter_from_fhir({k: v for k, v in _doc().items() if k != "status"})
    with pytest.raises(InputError, match="no text/plain"):
        encounter_from_fhir(
            _doc(content=[{"attachment": {"contentType": "application/pdf", "data": "AAAA"}}])
        )
