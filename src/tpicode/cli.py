"""The `tpicode` command line (see shared/contract.md, "Command line").

    tpicode code FILE [--format json|text] [--payer NAME] [--date YYYY-MM-DD] [--pretty]

Exit status: 0 when the input was usable (every encounter coded; a bad `.jsonl` line yields an
`invalid` result), 2 for unusable input (one line on standard error naming the file and the problem),
1 for an internal error, 130 when interrupted. Note text is never logged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import stat
import sys
import textwrap
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

import tpicode
from tpicode.errors import InputError, KnowledgeError, TpicodeError
from tpicode.export.cli import register as register_export
from tpicode.export.fhir import maybe_encounter_from_fhir
from tpicode.model import MAX_NOTE_BYTES, Encounter, Result
from tpicode.pipeline import code as code_encounter
from tpicode.pipeline import describe_validation, invalid_result
from tpicode.store import cli as store_cli

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None  # type: ignore[assignment]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

ACCEPTED = ".txt (a note), .json (an encounter), .jsonl (one encounter per line) or - (standard input)"
STDIN = "-"
# A .json encounter carries its note JSON-escaped (a newline becomes two bytes), so the file may be
# somewhat larger than the note it holds; the note itself is held to MAX_NOTE_BYTES by Encounter.
MAX_JSON_BYTES = 2 * MAX_NOTE_BYTES
MAX_JSONL_LINE_BYTES = 2 * MAX_NOTE_BYTES
TEXT_WIDTH = 100

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FILLABLE = ("payer", "date_of_service")


# `tpicode code` codes through this: the pure pipeline, or a store that also saves (--store / --db)
_coder: Callable[[Encounter], Result] = code_encounter


class UsageError(Exception):
    """Unusable input: the message is printed as `tpicode: <message>` and the exit status is 2."""


# --------------------------------------------------------------------------------------------------
# entry point


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (never raises for user errors)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except UsageError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KnowledgeError as exc:
        _err(f"knowledge error: {exc}")
        return EXIT_INTERNAL
    except TpicodeError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except OSError as exc:
        _err(_os_message(exc))
        return EXIT_USAGE
    except Exception as exc:
        _err(f"internal error: {exc!r}")
        return EXIT_INTERNAL


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or an argparse usage error
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tpicode",
        description="Trigger point injection notes in, defensible claim lines and findings out.",
    )
    parser.add_argument("--version", action="version", version=f"tpicode {tpicode.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser(
        "code",
        help="code a note, an encounter or a file of encounters",
        description="Code a note (.txt), an encounter (.json) or encounters (.jsonl, one per line).",
    )
    p.add_argument("file", metavar="FILE", help=f"the input: {ACCEPTED}")
    p.add_argument("--format", choices=("json", "text"), default="json", help="output format (default: json)")
    p.add_argument(
        "--payer",
        metavar="NAME",
        help="rule pack to apply where the input names none (default: medicare)",
    )
    p.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="date of service where the input gives none (default: today)",
    )
    p.add_argument(
        "--pretty",
        action="store_true",
        help="indent JSON output (single encounters; .jsonl output stays one result per line)",
    )
    p.set_defaults(handler=_cmd_code)
    store_cli.add_store_options(p)  # --store, --db URL
    store_cli.register(sub)  # history, db, import, export, purge
    register_export(sub)
    return parser


# --------------------------------------------------------------------------------------------------
# tpicode code


def _cmd_code(args: argparse.Namespace) -> int:
    fill: dict[str, str] = {}
    if args.payer is not None:
        fill["payer"] = _check_payer_flag(args.payer)
    if args.date is not None:
        fill["date_of_service"] = _check_date_flag(args.date)
    emit = _Emitter(args.format, args.pretty)
    global _coder
    _coder = store_cli.store_coder(args) or code_encounter

    name: str = args.file
    if name == STDIN:
        return _code_stdin(fill, emit)
    path = Path(name)
    ext = path.suffix.lower()
    if ext not in (".txt", ".json", ".jsonl"):
        what = f"unsupported file type {path.suffix!r}" if path.suffix else "no file extension"
        raise UsageError(f"{name}: {what}; accepted: {ACCEPTED}")
    _check_regular_file(path, name)
    if ext == ".txt":
        data = _read_bounded(path, name, MAX_NOTE_BYTES)
        text = _decode(data, name)
        _check_note_text(text, name)
        emit.single(_code_one({"id": path.stem, "note": text}, fill, name))
        return EXIT_OK
    if ext == ".json":
        data = _read_bounded(path, name, MAX_JSON_BYTES)
        obj = _parse_json_document(_decode(data, name), name)
        fhir_encounter = maybe_encounter_from_fhir(obj)  # a FHIR DocumentReference (+ Patient) bundle
        if fhir_encounter is not None:
            obj = fhir_encounter.model_dump(mode="json", exclude_none=True)
        obj.setdefault("id", path.stem)
        emit.single(_code_one(obj, fill, name))
        return EXIT_OK
    with path.open("rb") as fh:
        return _code_jsonl(_lines_of(fh), fill, emit, name)


def _code_stdin(fill: Mapping[str, str], emit: _Emitter) -> int:
    name = "<stdin>"
    data = sys.stdin.buffer.read()
    text = _decode(data, name)
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        if len(data) > MAX_NOTE_BYTES:
            raise UsageError(
                f"{name}: the note is larger than {_mb(MAX_NOTE_BYTES)} (it is {len(data):,} bytes)"
            )
        _check_note_text(text, name)
        emit.single(_code_one({"id": None, "note": text}, fill, name))
        return EXIT_OK
    try:
        whole = _loads(text)
    except ValueError:
        whole = None
    if isinstance(whole, dict):
        if len(data) > MAX_JSON_BYTES:
            raise UsageError(f"{name}: the input is larger than {_mb(MAX_JSON_BYTES)} ({len(data):,} bytes)")
        emit.single(_code_one(whole, fill, name))
        return EXIT_OK
    non_blank = [ln for ln in text.splitlines() if ln.strip()]
    if len(non_blank) > 1 and isinstance(_try_loads(non_blank[0]), dict):
        return _code_jsonl(_lines_of_bytes(data), fill, emit, name)
    # Starts like JSON but is neither one object nor JSON Lines: say what is wrong with it.
    _parse_json_document(text, name)
    raise UsageError(f"{name}: the JSON input is not an encounter object")  # pragma: no cover


def _code_one(obj: Mapping[str, Any], fill: Mapping[str, str], name: str) -> Result:
    try:
        return _coder(_encounter(obj, fill))
    except InputError as exc:
        raise UsageError(f"{name}: invalid encounter: {exc}") from None


def _code_jsonl(
    lines: Iterator[tuple[int, int, bytes]], fill: Mapping[str, str], emit: _Emitter, name: str
) -> int:
    status = EXIT_OK
    seen = 0
    for lineno, offset, raw in lines:
        if not raw.strip():
            continue
        seen += 1
        ident: str | None = None
        try:
            obj = _jsonl_object(raw, offset)
            ident = _ident(obj.get("id"))
            if ident is None:
                raise InputError('missing "id" (required on every line of a .jsonl file)')
            result = _coder(_encounter(obj, fill))
        except InputError as exc:
            result = invalid_result(ident, f"line {lineno}: {exc}")
        except (KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as exc:
            # One line must not sink the batch or shift the output against the input.
            _err(f"{name}: line {lineno}: internal error: {exc!r}")
            result = invalid_result(ident, f"line {lineno}: internal error: {exc!r}")
            status = EXIT_INTERNAL
        emit.line(result)
    if seen == 0:
        raise UsageError(f"{name}: no encounters (the file has no non-blank lines)")
    return status


def _jsonl_object(raw: bytes, offset: int) -> dict[str, Any]:
    if len(raw) > MAX_JSONL_LINE_BYTES:
        raise InputError(f"the line is larger than {_mb(MAX_JSONL_LINE_BYTES)}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at byte offset {offset + exc.start})"
        ) from None
    try:
        obj = _loads(text.rstrip("\r\n"))
    except ValueError as exc:
        raise InputError(f"not valid JSON: {_json_error(exc, one_line=True)}") from None
    if not isinstance(obj, dict):
        raise InputError(f"not a JSON object (found {_json_type(obj)})")
    return obj


def _ident(value: Any) -> str | None:
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _encounter(obj: Mapping[str, Any], fill: Mapping[str, str]) -> Encounter:
    """Build an Encounter: values in the input win; --payer / --date fill in what it lacks."""
    data = dict(obj)
    if "note" not in data or data["note"] is None:
        raise InputError('missing "note"')
    for key in _FILLABLE:
        if data.get(key) is None:
            if key in fill:
                data[key] = fill[key]
            else:
                data.pop(key, None)
    if "id" in data and data["id"] is not None and not isinstance(data["id"], str):
        data["id"] = _ident(data["id"])
    try:
        enc = Encounter(**data)
    except ValidationError as exc:
        raise InputError(describe_validation(exc)) from None
    packs = tpicode.load_knowledge().packs
    if enc.payer not in packs:
        raise InputError(f"payer {enc.payer!r} is unknown; rule packs are {', '.join(sorted(packs))}")
    return enc


# --------------------------------------------------------------------------------------------------
# flags


def _check_date_flag(value: str) -> str:
    if not _DATE_RE.match(value):
        raise UsageError(f"--date {value!r}: not a date in the form YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--date {value!r}: not a real date ({exc})") from None
    return value


def _check_payer_flag(value: str) -> str:
    payer = value.strip().lower()
    packs = tpicode.load_knowledge().packs
    if payer not in packs:
        raise UsageError(f"--payer {value!r}: unknown payer; rule packs are {', '.join(sorted(packs))}")
    return payer


# --------------------------------------------------------------------------------------------------
# reading


def _check_regular_file(path: Path, name: str) -> None:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file") from None
    except OSError as exc:
        raise UsageError(_os_message(exc, name)) from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{name}: is a directory, not a file")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{name}: cannot read the file (permission denied)")


def _read_bounded(path: Path, name: str, limit: int) -> bytes:
    size = path.stat().st_size
    if size > limit:
        raise UsageError(f"{name}: the file is larger than {_mb(limit)} ({size:,} bytes)")
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UsageError(_os_message(exc, name)) from None
    if len(data) > limit:  # a special file, or one that grew since stat
        raise UsageError(f"{name}: the file is larger than {_mb(limit)}")
    return data


def _decode(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UsageError(
            f"{name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte offset {exc.start}, "
            f"line {line}); save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")


def _check_note_text(text: str, name: str) -> None:
    if not text.strip():
        raise UsageError(f"{name}: the note is empty")
    if "\x00" in text:
        raise UsageError(f"{name}: contains NUL bytes; not a text note")


def _lines_of(fh: IO[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, bytes) per physical line; an over-long line is returned truncated."""
    offset = 0
    lineno = 0
    while True:
        raw = fh.readline(MAX_JSONL_LINE_BYTES + 1)
        if not raw:
            return
        lineno += 1
        start = offset
        offset += len(raw)
        if len(raw) > MAX_JSONL_LINE_BYTES and not raw.endswith(b"\n"):
            while True:  # skip the rest of the over-long line without holding it in memory
                rest = fh.readline(1 << 20)
                offset += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
        yield lineno, start, raw


def _lines_of_bytes(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    offset = 0
    for lineno, raw in enumerate(data.splitlines(keepends=True), start=1):
        yield lineno, offset, raw
        offset += len(raw)


def _parse_json_document(text: str, name: str) -> dict[str, Any]:
    try:
        obj = _loads(text)
    except ValueError as exc:
        raise UsageError(f"{name}: not valid JSON: {_json_error(exc)}") from None
    if not isinstance(obj, dict):
        hint = "; put several encounters in a .jsonl file, one per line" if isinstance(obj, list) else ""
        raise UsageError(f"{name}: an encounter must be a JSON object, found {_json_type(obj)}{hint}")
    return obj


def _loads(text: str) -> Any:
    if orjson is not None:
        return orjson.loads(text)
    return json.loads(text)


def _try_loads(text: str) -> Any:
    try:
        return _loads(text)
    except ValueError:
        return None


def _json_error(exc: ValueError, one_line: bool = False) -> str:
    if isinstance(exc, json.JSONDecodeError):
        if one_line:
            return f"{exc.msg} at column {exc.colno}"
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    return str(exc)


def _json_type(obj: Any) -> str:
    if isinstance(obj, list):
        return "an array"
    if isinstance(obj, str):
        return "a string"
    if isinstance(obj, bool):
        return "a boolean"
    if isinstance(obj, int | float):
        return "a number"
    if obj is None:
        return "null"
    return type(obj).__name__


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g} MB"


def _os_message(exc: OSError, name: str | None = None) -> str:
    where = name if name is not None else (exc.filename if exc.filename is not None else "")
    reason = exc.strerror or exc.__class__.__name__
    if isinstance(exc, PermissionError):
        reason = "cannot read the file (permission denied)"
    elif isinstance(exc, IsADirectoryError):
        reason = "is a directory, not a file"
    elif isinstance(exc, FileNotFoundError):
        reason = "no such file"
    return f"{where}: {reason}" if where else reason


# --------------------------------------------------------------------------------------------------
# output


class _Emitter:
    def __init__(self, fmt: str, pretty: bool) -> None:
        self.fmt = fmt
        self.pretty = pretty
        self.count = 0

    def single(self, result: Result) -> None:
        if self.fmt == "text":
            _write_text(format_text(result))
        else:
            _write_bytes(_dumps(result.model_dump(mode="json"), self.pretty))

    def line(self, result: Result) -> None:
        if self.fmt == "text":
            _write_text(("\n" if self.count else "") + format_text(result))
        else:
            _write_bytes(_dumps(result.model_dump(mode="json"), False))
        self.count += 1


def _dumps(obj: Any, pretty: bool) -> bytes:
    if orjson is not None:
        opts = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0)
        return orjson.dumps(obj, option=opts)
    if pretty:
        text = json.dumps(obj, ensure_ascii=False, indent=2)
    else:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _write_bytes(data: bytes) -> None:
    out = sys.stdout
    buf = getattr(out, "buffer", None)
    if buf is not None:
        out.flush()
        buf.write(data)
        buf.flush()
    else:  # a text-only stream (some embedders)
        out.write(data.decode("utf-8"))
        out.flush()


def _write_text(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _err(message: str) -> None:
    print(f"tpicode: {message}", file=sys.stderr)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# --------------------------------------------------------------------------------------------------
# --format text

_ASCII_MAP = str.maketrans(
    {
        "≥": ">=", "≤": "<=", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
        "×": "x", "µ": "u", "μ": "u", "→": "->", "…": "...", "±": "+/-", "°": " deg", "\u00a0": " ",
    }
)


def _ascii(text: str) -> str:
    text = text.translate(_ASCII_MAP)
    text = unicodedata.normalize("NFKD", text)
    return text.encode("ascii", "ignore").decode("ascii") if not text.isascii() else text


def _clean(text: str) -> str:
    """One line of plain ASCII: whitespace runs collapsed."""
    return " ".join(_ascii(text).split())


def _num(x: float | int | None) -> str:
    return "-" if x is None else f"{x:g}"


def _clip(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: max(width - 3, 0)] + "..."


def _table(
    headers: list[str], rows: list[list[str]], indent: str = "  ", last_flexible: bool = True
) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    if last_flexible:
        used = len(indent) + sum(w + 2 for w in widths[:-1])
        room = max(TEXT_WIDTH - used, 20)
        widths[-1] = min(widths[-1], room)
        rows = [[*r[:-1], _clip(r[-1], room)] for r in rows]
    out = []
    for r in [headers, *rows]:
        cells = [c.ljust(w) for c, w in zip(r, widths, strict=True)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def format_text(result: Result) -> str:
    """A human summary of one result: header, procedure, muscles, lines, drugs, diagnoses, findings."""
    r = result
    head = [
        f"id {_clean(r.id) if r.id is not None else '-'}",
        f"payer {r.payer or '-'}",
        f"date {r.date_of_service.isoformat() if r.date_of_service else '-'}",
        f"status {r.status.upper()}",
    ]
    out = ["== " + "  |  ".join(head) + " =="]
    if r.status == "invalid":
        message = _clean(f"error: {r.error or 'invalid input'}")
        out.extend(textwrap.wrap(message, TEXT_WIDTH, initial_indent="  ", subsequent_indent="    "))
        return "\n".join(out) + "\n"

    proc = r.procedure
    code = proc.code if proc and proc.code else "none"
    count = proc.muscle_count if proc else 0
    out.append(f"Procedure: {code}  ({count} muscle{'s' if count != 1 else ''})")

    out.append("")
    out.append(f"Muscles ({len(r.muscles)})")
    if r.muscles:
        rows = [
            [
                _clean(m.muscle + (f" ({m.part})" if m.part else "")),
                m.laterality,
                m.procedure.replace("_", " "),
                _num(m.injections),
                ", ".join(f'"{_clean(e.text)}"' for e in m.evidence) or "-",
            ]
            for m in r.muscles
        ]
        out.extend(_table(["muscle", "side", "procedure", "inj", "evidence"], rows))
    else:
        out.append("  (none)")

    out.append("")
    out.append(f"Claim lines ({len(r.lines)})")
    if r.lines:
        rows = [
            [
                ln.code,
                str(ln.units),
                ",".join(ln.modifiers) or "-",
                ",".join(map(str, ln.diagnosis_pointers)) or "-",
            ]
            for ln in r.lines
        ]
        out.extend(_table(["code", "units", "modifiers", "pointers"], rows, last_flexible=False))
    else:
        out.append("  (none)")

    out.append("")
    out.append(f"Medications ({len(r.medications)})")
    if r.medications:
        rows = []
        for m in r.medications:
            dose = []
            if m.dose_mg is not None:
                dose.append(f"{_num(m.dose_mg)} mg")
            if m.dose_units is not None:
                dose.append(f"{_num(m.dose_units)} units")
            volume = f"{_num(m.volume_ml)} mL" if m.volume_ml is not None else ""
            vol_parts = [volume, _clean(m.concentration or "")]
            vol = " ".join(p for p in vol_parts if p)
            if vol:
                dose.append(f"({vol})" if dose else vol)
            rows.append([
                _clean(m.drug),
                " ".join(dose) or "-",
                _num(m.units),
                m.hcpcs or "-",
                "billed" if m.billed else "bundled",
            ])
        out.extend(_table(["drug", "dose", "units", "hcpcs", "billing"], rows, last_flexible=False))
    else:
        out.append("  (none)")

    out.append("")
    out.append(f"Diagnoses ({len(r.diagnoses)})")
    if r.diagnoses:
        rows = [[d.code, d.source, _clean(d.description or "")] for d in r.diagnoses]
        out.extend(_table(["code", "source", "description"], rows))
    else:
        out.append("  (none)")

    out.append("")
    out.append(f"Findings ({len(r.findings)})")
    if r.findings:
        sev_w = max(len(f.severity) for f in r.findings)
        chk_w = max(len(f.check) for f in r.findings)
        for f in r.findings:
            out.append(f"  {f.severity.upper().ljust(sev_w)}  {f.check.ljust(chk_w)}  [{_clean(f.rule)}]")
            pad = "      "
            wrapped = textwrap.wrap(_clean(f.message), TEXT_WIDTH, initial_indent=pad, subsequent_indent=pad)
            out.extend(wrapped)
    else:
        out.append("  (none)")
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
