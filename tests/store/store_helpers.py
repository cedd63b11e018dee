"""Notes and data sets shared by the store tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

TPI_NOTE = (
    "Chronic myofascial pain of the neck, failed physical therapy and NSAIDs. Trigger points palpated. "
    "Injected left upper trapezius and right upper trapezius with 2 mL 1% lidocaine each. "
    "Tolerated well, pain 7/10 before and 3/10 after. Diagnosis M79.18 myalgia. Marker-{tag}."
)
PLAN_ONLY_NOTE = (
    "Neck pain follow-up. Exam: taut bands in the left upper trapezius. Plan: trigger point injections "
    "at the next visit. Continue home exercise. Marker-{tag}."
)

FIVE_DATES = ["2025-01-06", "2025-04-07", "2025-07-07", "2025-10-06", "2025-12-08"]


def tpi(eid: str, day: str, patient: str = "P1", payer: str = "medicare", tag: str = "x") -> dict[str, Any]:
    """A TPI encounter (20552, two muscles) of a patient on a day."""
    return {
        "id": eid,
        "note": TPI_NOTE.format(tag=tag),
        "date_of_service": day,
        "patient_id": patient,
        "payer": payer,
    }


def dataset(path: Path, start: int, stop: int, patients: int = 40) -> list[dict[str, Any]]:
    """Encounters start..stop-1 of one fixed synthetic set (short notes, so coding is quick)."""
    import notegen

    encs = notegen.generate(stop, seed=11, min_bytes=300, max_bytes=900)[start:stop]
    out = []
    for n, e in enumerate(encs, start=start):
        out.append({**e, "patient_id": f"pt{n % patients:03d}"})
    with path.open("w", encoding="utf-8") as fh:
        for e in out:
            fh.write(json.dumps(e) + "\n")
    return out


def store_cli(*args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen[str]:
    """Start `python -m tpicode.store.cli ARGS` in a subprocess that finds this checkout's code."""
    e = dict(os.environ if env is None else env)
    e["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), e.get("PYTHONPATH", "")])
    return subprocess.Popen(
        [sys.executable, "-m", "tpicode.store.cli", *args],
        env=e,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,
    )
