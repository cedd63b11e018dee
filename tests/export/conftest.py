"""Shared fixtures for the claim and price tests: the example settings and hand-built encounters."""

from __future__ import annotations

import copy
import io
import logging
from pathlib import Path
from typing import Any

import pytest

from tpicode.export.claim import ClaimInput, claim_input
from tpicode.export.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_SETTINGS = ROOT / "docs" / "settings.example.toml"

PATIENT: dict[str, Any] = {
    "last_name": "Roe",
    "first_name": "Richard",
    "middle_name": "Q",
    "birth_date": "1948-11-02",
    "sex": "M",
    "member_id": "2AB3CD4EF56",
    "address": {"line1": "45 Oak Ave", "line2": "Apt 3", "city": "Brooklyn", "state": "NY", "zip": "11201"},
}

NOTE_20553 = (
    "PROCEDURE: Trigger point injections. INDICATION: myofascial pain syndrome (M79.18) for 6 months despite "
    "8 weeks of physical therapy and NSAIDs.\nEXAM: taut bands with twitch responses in the left upper "
    "trapezius, left levator scapulae and right rhomboid major.\nPROCEDURE: injected the left upper trapezius, "
    "left levator scapulae and right rhomboid major, each with 1 mL of a mixture of 1% lidocaine and "
    "Kenalog-40 (triamcinolone 40 mg/mL), 1 mL of Kenalog total (40 mg).\nPain 8/10 before and 2/10 after. "
    "No complications. Plan: stretching; follow up in 6 weeks."
)
NOTE_SARAPIN = (
    "Trigger point injections for myofascial pain (M79.18) after 8 weeks of failed PT and NSAIDs.\n"
    "Injected: left upper trapezius and right levator scapulae with sarapin 2 mL each (4 mL total) plus "
    "1% lidocaine 2 mL.\nPain 7/10 before, 3/10 after. No complications. Plan: home stretching."
)


def hand_built() -> dict[str, Any]:
    """The encounter whose 837P is checked segment by segment: billed lines given, so nothing is guessed."""
    return {
        "id": "HB-0001",
        "note": NOTE_20553,
        "date_of_service": "2025-05-14",
        "payer": "medicare",
        "place_of_service": "11",
        "diagnoses": ["M79.18", "M62.838"],
        "billed_lines": [
            {"code": "20553", "units": 1, "modifiers": [], "diagnosis_pointers": [1, 2]},
            {"code": "J3301", "units": 4, "modifiers": ["JZ"], "diagnosis_pointers": [1]},
        ],
        "patient": copy.deepcopy(PATIENT),
    }


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(EXAMPLE_SETTINGS)


@pytest.fixture()
def hb_input() -> ClaimInput:
    return claim_input(hand_built())


def pyx12_errors(text: str) -> list[str]:
    """Validate with pyx12's Python API: the 999's error segments plus pyx12's logged errors."""
    import pyx12.params
    import pyx12.x12n_document

    records: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                records.append(record.getMessage())

    log = logging.getLogger("pyx12")
    handler = _Keep()
    log.addHandler(handler)
    try:
        fd999 = io.StringIO()
        ok = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), fd999, None)
    finally:
        log.removeHandler(handler)
    ack = fd999.getvalue()
    bad = [
        s
        for s in ack.replace("\n", "").split("~")
        if s.startswith(("IK3", "IK4", "IK5*R", "IK5*E", "AK9*R", "AK9*E"))
    ]
    if not ok and not bad and not records:
        records.append("pyx12 reported the file invalid")
    if "IK5*A" not in ack or "AK9*A" not in ack:
        bad.append("999 does not accept the transaction")
    return records + bad
