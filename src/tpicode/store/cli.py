"""The store's commands (`history`, `db`, `import`, `export`, `purge`) and the `code --store` hooks.

`tpicode.cli` calls `register(sub)` to add the commands and `add_store_options` / `store_coder` for
`code --store`. Run on its own as `python -m tpicode.store.cli` (the tests do, for the crash test).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

from tpicode.model import Encounter, Result

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DB_HELP = (
    "database URL (SQLAlchemy form, e.g. postgresql+psycopg://user@host/db) or a SQLite file path; "
    "default: $TPICODE_DATABASE_URL, else tpicode.sqlite3 in the user's data directory"
)


def _err(message: str) -> None:
    print(f"tpicode: {message}", file=sys.stderr)


def _open(args: argparse.Namespace, *, upgrade: bool = True) -> Any:
    from tpicode.store import Store

    return Store.open(getattr(args, "db", None), upgrade=upgrade)


def _guarded(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn store errors (unreachable database, schema too old) into one line and exit status 2."""

    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from tpicode.store import StoreError

        try:
            return fn(args)
        except StoreError as exc:
            _err(str(exc))
            return EXIT_USAGE
        except SQLAlchemyError as exc:
            # hide_parameters keeps note text out of the message; the first line is enough.
            _err(f"database error: {str(exc).splitlines()[0]}")
            return EXIT_FAILED

    return run


# --------------------------------------------------------------------------------------------------
# `tpicode code --store`


def add_store_options(code_parser: argparse.ArgumentParser) -> None:
    """Add --store and --db to `tpicode code`."""
    code_parser.add_argument(
        "--store",
        action="store_true",
        help="save each encounter and its result, and check it against the patient's stored history",
    )
    code_parser.add_argument("--db", metavar="URL", help=DB_HELP + " (implies --store)")


def store_coder(args: argparse.Namespace) -> Callable[[Encounter], Result] | None:
    """A drop-in for `tpicode.pipeline.code` that stores as it codes; None when --store/--db are off."""
    if not getattr(args, "store", False) and not getattr(args, "db", None):
        return None
    store = _open(args)
    return store.code_and_store  # type: ignore[no-any-return]


def handle_code_with_store(args: argparse.Namespace, encounters: Iterable[Encounter]) -> list[Result] | None:
    """Code and store a list of encounters (one transaction per 1,000); None when --store/--db are off."""
    if not getattr(args, "store", False) and not getattr(args, "db", None):
        return None
    store = _open(args)
    try:
        return store.store_many(encounters)  # type: ignore[no-any-return]
    finally:
        store.close()


# --------------------------------------------------------------------------------------------------
# the commands


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add history, db, import, export and purge to the `tpicode` parser."""
    p = subparsers.add_parser(
        "history",
        help="a patient's stored sessions and when the next one is allowed",
        description="Show a patient's stored TPI sessions (date, code, muscles) and, for each payer, "
        "the first date a new session is allowed under its frequency rules.",
    )
    p.add_argument("patient", metavar="PATIENT", help="the patient_id used in the encounters")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    p.set_defaults(handler=_guarded(cmd_history))

    p = subparsers.add_parser("db", help="create or upgrade the store's schema, or check it")
    p.add_argument("action", choices=("upgrade", "check"), help="upgrade: migrate in place; check: verify")
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    p.set_defaults(handler=_guarded(cmd_db))

    p = subparsers.add_parser(
        "import",
        help="code and store every encounter of a .jsonl file (re-running completes an interrupted import)",
    )
    p.add_argument("file", metavar="FILE.jsonl", help="encounters, one per line, or `tpicode export` output")
    p.add_argument("--batch", type=int, default=1000, help="encounters per transaction (default 1000)")
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    p.set_defaults(handler=_guarded(cmd_import))

    p = subparsers.add_parser(
        "export", help="write every stored encounter with its latest result as JSON Lines"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    p.add_argument("--patient", metavar="PATIENT", help="only this patient's encounters")
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    p.set_defaults(handler=_guarded(cmd_export))

    p = subparsers.add_parser("purge", help="delete a patient and everything stored about them")
    p.add_argument("patient", metavar="PATIENT")
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    p.set_defaults(handler=_guarded(cmd_purge))


def cmd_history(args: argparse.Namespace) -> int:
    """`tpicode history PATIENT`."""
    with _open(args) as store:
        h = store.history(args.patient)
    if args.format == "json":
        out = {
            "patient_id": h.patient_id,
            "sessions": [
                {
                    "encounter_id": s.encounter_id,
                    "version": s.version,
                    "date_of_service": s.date_of_service.isoformat(),
                    "payer": s.payer,
                    "procedure_code": s.procedure_code,
                    "muscle_count": s.muscle_count,
                    "muscles": s.muscles,
                    "status": s.status,
                    "counted": s.counted,
                    "checks": s.checks,
                }
                for s in h.sessions
            ],
            "next_allowed": [
                {"payer": n.payer, "date": n.date.isoformat(), "rule": n.rule, "reason": n.reason}
                for n in h.next_allowed
            ],
        }
        print(json.dumps(out, indent=2))
        return EXIT_OK
    if not h.sessions:
        print(f"Patient {h.patient_id}: no stored sessions")
        return EXIT_OK
    counted = sum(s.counted for s in h.sessions)
    print(f"Patient {h.patient_id}: {len(h.sessions)} session(s), {counted} billed a TPI code")
    rows = [["date", "payer", "encounter", "v", "code", "n", "status", "muscles / findings"]]
    for s in h.sessions:
        detail = ", ".join(s.muscles) or "-"
        flags = [c for c in s.checks if c in ("FREQUENCY_LIMIT", "REPEAT_RELIEF_MISSING")]
        if flags:
            detail += "  [" + ", ".join(flags) + "]"
        rows.append(
            [
                s.date_of_service.isoformat(),
                s.payer,
                s.encounter_id,
                str(s.version),
                s.procedure_code or "-",
                str(s.muscle_count),
                s.status + ("" if s.counted else " (not counted)"),
                detail,
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1])
    print("Next session allowed:")
    today = dt.date.today()
    for n in h.next_allowed:
        when = n.date.isoformat() + (" (already past)" if n.date <= today else "")
        print(f"  {n.payer}: {when} - {n.rule + ': ' if n.rule else ''}{n.reason}")
    return EXIT_OK


def cmd_db(args: argparse.Namespace) -> int:
    """`tpicode db upgrade` / `tpicode db check`."""
    with _open(args, upgrade=False) as store:
        if args.action == "upgrade":
            before = store.revision()
            after = store.upgrade()
            print(
                f"schema: {before or 'empty'} -> {after}" if before != after else f"schema already at {after}"
            )
            return EXIT_OK
        report = store.check()
    print(f"schema revision: {report.revision or 'none'} (this tpicode: {report.head})")
    for table, n in report.counts.items():
        print(f"  {table}: {n} rows")
    for p in report.problems:
        print(f"PROBLEM: {p}")
    print("ok" if report.ok else f"{len(report.problems)} problem(s)")
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_import(args: argparse.Namespace) -> int:
    """`tpicode import FILE.jsonl`."""
    if args.batch < 1:
        _err("--batch must be at least 1")
        return EXIT_USAGE
    try:
        with _open(args) as store:
            report = store.import_jsonl(args.file, batch=args.batch)
    except OSError as exc:
        _err(f"{args.file}: {exc.strerror or exc}")
        return EXIT_USAGE
    for lineno, message in report.invalid:
        _err(f"{args.file}: line {lineno}: {message}")
    print(
        f"{args.file}: {report.read} read, {report.stored} stored, {report.duplicates} already stored, "
        f"{len(report.invalid)} invalid"
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """`tpicode export`."""
    with _open(args) as store:
        if args.output:
            with open(args.output, "w", encoding="utf-8") as fh:
                n = store.export_jsonl(fh, args.patient)
            print(f"{args.output}: {n} encounters", file=sys.stderr)
        else:
            store.export_jsonl(sys.stdout, args.patient)
            sys.stdout.flush()
    return EXIT_OK


def cmd_purge(args: argparse.Namespace) -> int:
    """`tpicode purge PATIENT`."""
    with _open(args) as store:
        counts = store.purge(args.patient)
    if counts is None:
        _err(f"no stored patient {args.patient!r}; nothing deleted")
        return EXIT_FAILED
    print(f"deleted patient {args.patient}: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """The store commands alone (what `python -m tpicode.store.cli` runs)."""
    parser = argparse.ArgumentParser(prog="tpicode")
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
