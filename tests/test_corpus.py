"""Runs every gold case (ours and the real mtsamples notes) and asserts every expected field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import tpicode

HERE = Path(__file__).parent / "corpus"
# Public, de-identified mtsamples transcriptions, copied from shared/corpus/real so the suite is self-contained.
REAL = HERE / "real"
DEFAULT_DOS = "2025-06-02"


def _gold_cases() -> list[Any]:
    cases = []
    for path in sorted((HERE / "gold").glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        cases.append(pytest.param(case, id=path.stem))
    return cases


def _real_cases() -> list[Any]:
    expected_path = HERE / "real_expected.yaml"
    if not expected_path.exists():
        return []
    expected = yaml.safe_load(expected_path.read_text(encoding="utf-8"))
    notes: dict[str, str] = {}
    for f in sorted(REAL.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                notes[d["id"]] = d["text"]
    out = []
    for ident, spec in expected.items():
        case = {"id": ident, "note": notes.get(ident), **spec}
        out.append(pytest.param(case, id=ident))
    return out


def encounter_of(case: dict[str, Any]) -> dict[str, Any]:
    enc: dict[str, Any] = {
        "id": case["id"],
        "note": case["note"],
        "date_of_service": str(case.get("date_of_service") or DEFAULT_DOS),
        "payer": case.get("payer", "medicare"),
    }
    for key in ("prior_sessions", "diagnoses", "billed_lines", "place_of_service"):
        if case.get(key):
            enc[key] = case[key]
    if enc.get("prior_sessions"):
        enc["prior_sessions"] = [str(d) for d in enc["prior_sessions"]]
    return enc


def compare(case: dict[str, Any], result: tpicode.Result) -> list[str]:
    """Every difference between a case's `expect` and the result, as readable lines."""
    exp = case["expect"]
    problems: list[str] = []
    proc = result.procedure
    got_code = proc.code if proc else None
    want_code = exp.get("procedure")
    if want_code is not None:
        want_code = str(want_code)
    if got_code != want_code:
        problems.append(f"procedure: got {got_code}, want {want_code}")
    if "muscle_count" in exp and (proc.muscle_count if proc else 0) != exp["muscle_count"]:
        problems.append(f"muscle_count: got {proc.muscle_count if proc else 0}, want {exp['muscle_count']}")
    if "muscles" in exp:
        want = set()
        with_proc = any(len(m) > 2 for m in exp["muscles"])
        for m in exp["muscles"]:
            want.add(tuple(m) if with_proc and len(m) > 2 else (m[0], m[1]))
        got = set()
        for m in result.muscles:
            got.add((m.muscle, m.laterality, m.procedure) if with_proc else (m.muscle, m.laterality))
        if with_proc:
            want = {w if len(w) > 2 else (*w, "injection") for w in want}
        if got != want:
            problems.append(f"muscles: missing {sorted(want - got)}, extra {sorted(got - want)}")
    if "lines" in exp:
        want_lines = sorted(
            (str(ln["code"]), int(ln.get("units", 1)), tuple(sorted(ln.get("modifiers") or []))) for ln in exp["lines"]
        )
        got_lines = sorted((ln.code, ln.units, tuple(sorted(ln.modifiers))) for ln in result.lines)
        if got_lines != want_lines:
            problems.append(f"lines: got {got_lines}, want {want_lines}")
    for med in exp.get("medications") or []:
        cands = [m for m in result.medications if m.drug == med["drug"]]
        if not cands:
            problems.append(f"medication {med['drug']}: not found (got {[m.drug for m in result.medications]})")
            continue
        m = cands[0]
        for key in ("hcpcs", "units", "dose_mg", "volume_ml"):
            if key in med and med[key] is not None:
                got_v = getattr(m, key)
                want_v = med[key]
                if isinstance(want_v, (int, float)) and got_v is not None:
                    ok = abs(float(got_v) - float(want_v)) < 1e-6
                else:
                    ok = got_v == want_v
                if not ok:
                    problems.append(f"medication {med['drug']}.{key}: got {got_v}, want {want_v}")
    checks = {f.check for f in result.findings}
    for c in exp.get("checks_required") or []:
        if c not in checks:
            problems.append(f"check {c}: required, not raised")
    for c in exp.get("checks_forbidden") or []:
        if c in checks:
            problems.append(f"check {c}: forbidden, raised")
    if exp.get("status") and result.status != exp["status"]:
        problems.append(f"status: got {result.status}, want {exp['status']}")
    return problems


@pytest.mark.parametrize("case", _gold_cases())
def test_gold_case(case: dict[str, Any]) -> None:
    result = tpicode.code(encounter_of(case))
    assert compare(case, result) == []


@pytest.mark.parametrize("case", _real_cases())
def test_real_note(case: dict[str, Any]) -> None:
    assert case["note"], f"{case['id']} is not in tests/corpus/real"
    result = tpicode.code(encounter_of(case))
    assert compare(case, result) == []


def test_corpus_is_large_enough() -> None:
    assert len(_gold_cases()) >= 80
