"""`tpicode claim` and `tpicode price`: the claim writers and the fee schedule on the command line.

Wired into tpicode.cli by `register(subparsers)`. Bad input raises InputError (exit 2, file and line
named); no output file is written unless every claim in it was built.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from tpicode.errors import InputError
from tpicode.export.claim import ClaimInput, build_claims, claim_input
from tpicode.export.settings import Settings, load_settings
from tpicode.model import Encounter, Result
from tpicode.pipeline import code, to_encounter
from tpicode.price import PricedClaim, load_drug_fees, money_at_risk, price_lines

SETTINGS_ENV = "TPICODE_SETTINGS"


def register(subparsers: Any) -> None:
    """Add the `claim` and `price` subcommands to tpicode's argparse subparsers."""
    p = subparsers.add_parser(
        "claim",
        help="write a claim (837P, CMS-1500 PDF or FHIR R4) for an encounter or a .jsonl batch",
        description="Code each encounter and write its claim. FILE: .json (an encounter, optionally with a "
        "`patient` object, or a FHIR R4 DocumentReference/Bundle), .jsonl (one per line) or .txt.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("837p", "cms1500", "fhir"), default="837p")
    p.add_argument(
        "-o", "--output", metavar="OUT", required=True, help="file to write (- for standard output)"
    )
    p.add_argument("--settings", metavar="TOML", help=f"claim settings (default: ${SETTINGS_ENV})")
    p.add_argument(
        "--patient-id", metavar="ID", help="patient_id for a .txt note (looked up in the settings)"
    )
    p.add_argument("--control-number", type=int, default=1, metavar="N", help="ISA/GS control number (837P)")
    p.set_defaults(handler=cmd_claim)

    q = subparsers.add_parser(
        "price",
        help="what each line and claim pays under the Medicare fee schedule (allowed, 80%%, 20%%)",
        description="Code each encounter and price its lines (the billed lines when given, else the "
        "proposed ones) for a Medicare locality; error findings show the money they put at risk.",
    )
    q.add_argument("file", metavar="FILE")
    q.add_argument("--locality", metavar="ID", help="Medicare locality: national (default), NY-01, a name")
    q.add_argument("--drug-fees", metavar="CSV", help="drug fee file: code,unit_price,effective_date")
    q.add_argument("--fee-year", type=int, metavar="YEAR", help="price with this year's fee schedule")
    q.add_argument("--settings", metavar="TOML", help="settings for the default locality and drug fee file")
    q.add_argument("--format", choices=("text", "json"), default="text")
    q.set_defaults(handler=cmd_price)


# --------------------------------------------------------------------------------------------------
# input


def _settings(path: str | None, required: bool) -> Settings | None:
    p = path or os.environ.get(SETTINGS_ENV)
    if not p:
        if required:
            raise InputError(
                f"no settings: pass --settings FILE or set {SETTINGS_ENV} (see docs/settings.example.toml)"
            )
        return None
    return load_settings(p)


def _item(obj: Any, where: str) -> ClaimInput:
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object")
    try:
        if "resourceType" in obj:
            from tpicode.export.fhir import fhir_claim_input

            return fhir_claim_input(obj)
        return claim_input(obj)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def read_inputs(path: str, patient_id: str | None = None) -> list[ClaimInput]:
    """Encounters (with any patient data) from a .json, .jsonl or .txt file; errors name file and line."""
    p = Path(path)
    try:
        text = sys.stdin.read() if path == "-" else p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    ext = p.suffix.lower()
    if ext == ".txt":
        enc: dict[str, Any] = {"note": text}
        if patient_id:
            enc["patient_id"] = patient_id
        return [ClaimInput(to_encounter(enc))]
    if ext == ".jsonl":
        out = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}, line {n}: not JSON ({exc.msg})") from None
            out.append(_item(obj, f"{path}, line {n}"))
        if not out:
            raise InputError(f"{path}: no encounters")
        return out
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    return [_item(obj, path)]


# --------------------------------------------------------------------------------------------------
# claim


def _write(output: str, data: bytes) -> None:
    """Write all at once (to a temporary file, then renamed), so a failed run leaves no partial file."""
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    out = Path(output)
    fd, tmp = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", prefix=".tpicode-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_claim(args: argparse.Namespace) -> int:
    """Build every claim first; write the file only when all are good."""
    settings = _settings(args.settings, required=True)
    assert settings is not None
    claims = build_claims(read_inputs(args.file, args.patient_id), settings)
    for c in claims:
        if c.result.status == "hold":
            errors = ", ".join(f.check for f in c.result.findings if f.severity == "error")
            print(
                f"tpicode: warning: claim {c.control_number} has error findings ({errors})", file=sys.stderr
            )
    data: bytes
    if args.format == "837p":
        from tpicode.export.x12_837p import write_837p

        data = write_837p(claims, settings, control_number=args.control_number).encode("ascii")
    elif args.format == "fhir":
        from tpicode.export.fhir import claim_bundle

        data = (json.dumps(claim_bundle(claims), indent=2) + "\n").encode("utf-8")
    else:
        from tpicode.export.cms1500 import cms1500_bytes

        data = cms1500_bytes(claims)
    _write(args.output, data)
    return 0


# --------------------------------------------------------------------------------------------------
# price


def price_encounter(
    enc: Encounter,
    result: Result,
    locality: str | None,
    drug_fees: Any = None,
    fee_year: int | None = None,
) -> PricedClaim:
    """Price what will be billed: the encounter's billed lines when it has them, else the proposed lines."""
    lines: Any = enc.billed_lines or result.lines
    return price_lines(lines, enc.date_of_service, enc.place_of_service, locality, drug_fees, fee_year)


def _money(v: Decimal | None) -> str:
    return "-" if v is None else f"${v:,.2f}"


def _text(enc: Encounter, priced: PricedClaim, risks: list[Any], emit: Callable[[str], None]) -> None:
    emit(
        f"{enc.id or 'encounter'}  {priced.date_of_service}  POS {priced.place_of_service} "
        f"({'facility' if priced.facility else 'non-facility'})  locality {priced.locality.label}"
    )
    emit(f"  fee schedule: {priced.release}")
    emit(f"  {'code':<7}{'mods':<9}{'units':>6}{'allowed':>12}{'Medicare 80%':>14}{'patient 20%':>13}  basis")
    for ln in priced.lines:
        emit(
            f"  {ln.code:<7}{','.join(ln.modifiers):<9}{ln.units:>6g}{_money(ln.allowed):>12}"
            f"{_money(ln.medicare):>14}{_money(ln.patient):>13}  {ln.basis}"
        )
    emit(
        f"  {'claim':<22}{_money(priced.allowed):>12}{_money(priced.medicare):>14}{_money(priced.patient):>13}"
    )
    for r in risks:
        codes = ", ".join(priced.lines[i].code for i in r.lines) or "no line"
        emit(f"  at risk {_money(r.allowed)} ({codes}): {r.check}: {r.message}")


def cmd_price(args: argparse.Namespace) -> int:
    settings = _settings(args.settings, required=False)
    locality = args.locality or (settings.locality if settings else None)
    fee_file = args.drug_fees or (str(settings.drug_fees) if settings and settings.drug_fees else None)
    drug_fees = load_drug_fees(fee_file) if fee_file else None
    out: list[dict[str, Any]] = []
    for item in read_inputs(args.file):
        enc = item.encounter
        res = code(enc)
        priced = price_encounter(enc, res, locality, drug_fees, args.fee_year)
        risks = money_at_risk(res.findings, priced)
        if args.format == "json":
            d = priced.to_dict()
            d["id"] = enc.id
            d["money_at_risk"] = [
                {"check": r.check, "lines": list(r.lines), "allowed": str(r.allowed), "message": r.message}
                for r in risks
            ]
            out.append(d)
        else:
            _text(enc, priced, risks, print)
    if args.format == "json":
        print(json.dumps(out[0] if len(out) == 1 and not args.file.endswith(".jsonl") else out, indent=2))
    return 0
