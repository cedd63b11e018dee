"""Encounters, results and patient history that are never lost: SQLite by default, PostgreSQL in production.

`Store.open(url)` connects (and brings the schema to the newest revision); `code_and_store` codes one
encounter against the patient's stored history and saves it atomically; `import_jsonl` does the same in
batches. Note text and patient identifiers never go to the log; every access goes to the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from pydantic import ValidationError
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError

from tpicode.checks import PriorSession
from tpicode.errors import InputError, TpicodeError
from tpicode.knowledge import load_knowledge
from tpicode.model import Encounter, Result
from tpicode.pipeline import code, describe_validation, invalid_result
from tpicode.store import repository as repo

__all__ = [
    "CheckReport",
    "ImportReport",
    "NextAllowed",
    "PatientHistory",
    "SessionInfo",
    "Store",
    "StoreError",
    "default_url",
    "resolve_url",
]

log = logging.getLogger("tpicode.store")

ENV_URL = "TPICODE_DATABASE_URL"
TPI_CODES = frozenset({"20552", "20553"})
MIN_HISTORY_DAYS = 365  # REPEAT_RELIEF_MISSING looks back at least a year, whatever the payer's window
_PG_WRITE_LOCK = 0x7470_6963  # "tpic": one advisory lock serialises writers across processes
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(TpicodeError):
    """The store cannot be used as asked (unreachable, schema out of date, bad URL)."""


# --------------------------------------------------------------------------------------------------
# URLs


def default_url() -> str:
    """A SQLite file in the user's data directory, so that history survives between runs."""
    import platformdirs

    return "sqlite:///" + str(Path(platformdirs.user_data_dir("tpicode")) / "tpicode.sqlite3")


def resolve_url(url: str | None = None) -> URL:
    """--db, else TPICODE_DATABASE_URL, else the default; a bare path means a SQLite file."""
    raw = url or os.environ.get(ENV_URL) or default_url()
    if "://" not in raw:
        raw = "sqlite:///" + str(Path(raw).expanduser().resolve())
    if raw.startswith(("postgresql://", "postgres://")):
        raw = "postgresql+psycopg://" + raw.split("://", 1)[1]
    try:
        return make_url(raw)
    except Exception as exc:
        raise StoreError(f"not a database URL: {exc}") from None


def _safe(url: URL) -> str:
    """The URL without its password, for messages."""
    return url.render_as_string(hide_password=True)


# --------------------------------------------------------------------------------------------------
# results of store operations


@dataclass(slots=True)
class ImportReport:
    """What an import did, line by line counts; invalid lines carry their line number and reason."""

    read: int = 0
    stored: int = 0
    duplicates: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One stored session of a patient, as `tpicode history` shows it."""

    encounter_id: str
    version: int
    date_of_service: dt.date
    payer: str
    procedure_code: str | None
    muscle_count: int
    muscles: list[str]
    status: str
    counted: bool
    checks: list[str]


@dataclass(frozen=True, slots=True)
class NextAllowed:
    """The first date a new session is allowed under one payer's rules, and the rule that sets it."""

    payer: str
    date: dt.date
    rule: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class PatientHistory:
    """A patient's sessions and, per payer, when the next one is allowed."""

    patient_id: str
    sessions: list[SessionInfo]
    next_allowed: list[NextAllowed]


@dataclass(slots=True)
class CheckReport:
    """`tpicode db check`: the schema revision, row counts and every problem found (none = healthy)."""

    revision: str | None
    head: str
    counts: dict[str, int]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(slots=True, eq=False)
class _Item:
    """An encounter on its way into the store, with the keys that make storing it idempotent."""

    index: int
    enc: Encounter
    note_hash: str
    input_hash: str
    given: Result | None = None  # a result carried by an exported line: stored as is, not re-coded
    result: Result | None = None

    @property
    def eid(self) -> str:
        assert self.enc.id is not None
        return self.enc.id


# --------------------------------------------------------------------------------------------------
# the store


class Store:
    """A connection to one tpicode database; safe for several processes at once, not for threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.actor = _actor()
        self._windows: dict[str, int] = {}

    # ---- lifecycle

    @classmethod
    def open(cls, url: str | None = None, *, upgrade: bool = True) -> Store:
        """Connect to `url` (see resolve_url); with upgrade, create or migrate the schema first."""
        u = resolve_url(url)
        store = cls(_engine(u))
        try:
            with store.engine.connect():
                pass
        except OperationalError as exc:
            store.close()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StoreError(f"cannot open the database {_safe(u)}: {reason}") from None
        if upgrade and store.revision() != store.head():
            store.upgrade()
        log.debug("store opened (%s)", store.dialect)
        return store

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- schema

    def _alembic_config(self) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        return cfg

    def head(self) -> str:
        """The newest schema revision this code knows."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        assert head is not None
        return head

    def revision(self) -> str | None:
        """The database's schema revision; None for an empty database."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect().execution_options(tpicode_read=True) as conn:
            rev = MigrationContext.configure(conn).get_current_revision()
            conn.rollback()
        return rev

    def upgrade(self) -> str:
        """Migrate the schema in place to the newest revision, under a lock so concurrent openers wait."""
        from alembic import command

        cfg = self._alembic_config()
        with self._write() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        log.info("store schema at revision %s", self.head())
        return self.head()

    def check(self) -> CheckReport:
        """Schema revision and drift, SQLite integrity, and the store's own invariants."""
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        from tpicode.store.models import Base

        head = self.head()
        problems: list[str] = []
        with self._read() as conn:
            rev = MigrationContext.configure(conn).get_current_revision()
            if rev != head:
                problems.append(
                    f"schema is at revision {rev or 'none (empty database)'}, this tpicode expects {head}: "
                    "run `tpicode db upgrade`"
                )
                return CheckReport(rev, head, {}, problems)
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            if diff:
                problems.append(f"schema differs from the models in {len(diff)} place(s): {diff[:3]!r}")
            if self.dialect == "sqlite":
                integrity = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
                if integrity != ["ok"]:
                    problems.append("SQLite integrity check: " + "; ".join(map(str, integrity[:5])))
                if list(conn.exec_driver_sql("PRAGMA foreign_key_check")):
                    problems.append("rows point at missing parents (PRAGMA foreign_key_check)")
            for sql, what in (
                (
                    "SELECT count(*) FROM (SELECT encounter_id FROM encounters GROUP BY encounter_id "
                    "HAVING sum(CASE WHEN is_current THEN 1 ELSE 0 END) <> 1) x",
                    "encounter ids without exactly one current version",
                ),
                (
                    "SELECT count(*) FROM encounters e WHERE NOT EXISTS (SELECT 1 FROM results r "
                    "WHERE r.encounter_pk = e.pk AND r.is_current)",
                    "encounters without a current result",
                ),
                (
                    "SELECT count(*) FROM (SELECT encounter_pk FROM results WHERE is_current "
                    "GROUP BY encounter_pk HAVING count(*) > 1) x",
                    "encounters with more than one current result",
                ),
            ):
                n = int(conn.exec_driver_sql(sql).scalar_one())
                if n:
                    problems.append(f"{n} {what}")
            counts = repo.table_counts(conn)
        return CheckReport(rev, head, counts, problems)

    # ---- transactions

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read transaction (on SQLite a plain deferred BEGIN, so it does not block writers)."""
        with self.engine.connect().execution_options(tpicode_read=True) as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction holding the store's write lock: BEGIN IMMEDIATE / an advisory lock."""
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_WRITE_LOCK})
            yield conn

    # ---- coding and storing

    def code_and_store(self, encounter: Encounter | Mapping[str, Any]) -> Result:
        """Code one encounter against the patient's stored history and save it; idempotent per (id, note)."""
        enc = encounter if isinstance(encounter, Encounter) else _to_encounter(encounter)
        item = self._prepare(0, enc, None)
        self._store_batch([item], strict=True)
        assert item.result is not None
        return item.result

    def store_many(
        self, encounters: Iterable[Encounter | Mapping[str, Any]], batch: int = 1000
    ) -> list[Result]:
        """Code and store many encounters, one transaction per batch; bad ones come back `invalid`."""
        out: list[Result] = []
        pending: list[_Item] = []
        for i, e in enumerate(encounters):
            try:
                enc = e if isinstance(e, Encounter) else _to_encounter(e)
                pending.append(self._prepare(i, enc, None))
            except InputError as exc:
                ident = e.id if isinstance(e, Encounter) else e.get("id")
                out.append(invalid_result(str(ident) if ident is not None else None, str(exc)))
                continue
            if len(pending) >= batch:
                self._store_batch(pending, strict=False)
                out.extend(p.result for p in pending if p.result is not None)
                pending = []
        if pending:
            self._store_batch(pending, strict=False)
            out.extend(p.result for p in pending if p.result is not None)
        return out

    def import_jsonl(self, path: str | os.PathLike[str], batch: int = 1000) -> ImportReport:
        """Store every encounter of a JSONL file (plain encounters, or `tpicode export` lines) in batches."""
        report = ImportReport()
        pending: list[_Item] = []
        batches = 0

        def flush() -> None:
            nonlocal pending, batches
            batches += 1
            new, dup, bad = self._store_batch(pending, strict=False, batch_no=batches)
            report.stored += new
            report.duplicates += dup
            report.invalid.extend(bad)
            pending = []

        with open(path, "rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                report.read += 1
                try:
                    enc, given = _parse_line(raw)
                    pending.append(self._prepare(lineno, enc, given))
                except InputError as exc:
                    report.invalid.append((lineno, str(exc)))
                    continue
                if len(pending) >= batch:
                    flush()
        if pending:
            flush()
        log.info(
            "import finished: %d read, %d stored, %d already stored, %d invalid",
            report.read,
            report.stored,
            report.duplicates,
            len(report.invalid),
        )
        return report

    def _prepare(self, index: int, enc: Encounter, given: Result | None) -> _Item:
        """Give the encounter an id (from its note when it has none) and its idempotency hashes."""
        note_hash = hashlib.sha256(enc.note.encode("utf-8", "surrogatepass")).hexdigest()
        if enc.id is None or not enc.id.strip():
            enc = enc.model_copy(update={"id": f"note-{note_hash[:20]}"})
        input_hash = hashlib.sha256(
            orjson.dumps(enc.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
        ).hexdigest()
        return _Item(index, enc, note_hash, input_hash, given)

    def _window(self, payer: str) -> int:
        """How far back the payer's history rules look (days), at least a year for the relief rule."""
        if payer not in self._windows:
            days = MIN_HISTORY_DAYS
            try:
                pack = load_knowledge().pack(payer)
            except Exception:
                pack = None
            for rule in pack.rules if pack else ():
                for key in ("window_days", "days"):
                    if rule.impl in ("sessions_in_window", "min_interval") and key in rule.params:
                        days = max(days, int(rule.params[key]))
            self._windows[payer] = days
        return self._windows[payer]

    def _store_batch(
        self, items: list[_Item], *, strict: bool, batch_no: int = 1
    ) -> tuple[int, int, list[tuple[int, str]]]:
        """Code what is new against stored history (read phase), then write it all in one transaction."""
        bad: list[tuple[int, str]] = []
        # Read phase: what is stored already, and the history of the batch's patients.
        with self._read() as conn:
            stored = repo.versions(conn, [it.eid for it in items])
            known = {(v.encounter_id, v.input_hash): v.pk for vs in stored.values() for v in vs}
            dup_pks = [known[(it.eid, it.input_hash)] for it in items if (it.eid, it.input_hash) in known]
            dup_results = repo.current_result_json(conn, dup_pks) if dup_pks else {}
            fresh = [it for it in items if (it.eid, it.input_hash) not in known]
            with_patient = [it for it in fresh if it.enc.patient_id]
            sessions: list[repo.StoredSession] = []
            if with_patient:
                since = min(
                    it.enc.date_of_service - dt.timedelta(days=self._window(it.enc.payer))
                    for it in with_patient
                )
                until = max(it.enc.date_of_service for it in with_patient)
                sessions = repo.tpi_sessions(
                    conn, [it.enc.patient_id or "" for it in with_patient], since, until
                )
        for it in items:
            pk = known.get((it.eid, it.input_hash))
            if pk is not None and pk in dup_results:
                it.result = Result.model_validate(dup_results[pk])

        # Code the new ones in date order, so that a batch's earlier sessions count for its later ones.
        history: dict[tuple[str, str], dict[str, dt.date]] = {}
        where: dict[str, tuple[str, str]] = {}
        for s in sessions:
            history.setdefault((s.patient_id, s.payer), {})[s.encounter_id] = s.date_of_service
            where[s.encounter_id] = (s.patient_id, s.payer)
        seen: dict[tuple[str, str], _Item] = {}
        to_write: list[_Item] = []
        for it in sorted(fresh, key=lambda x: (x.enc.date_of_service, x.index)):
            first = seen.get((it.eid, it.input_hash))
            if first is not None:  # the same encounter twice in one batch: stored once
                it.result = first.result
                continue
            enc = it.enc
            prior: list[PriorSession] = []
            if enc.patient_id:
                start = enc.date_of_service - dt.timedelta(days=self._window(enc.payer))
                for eid, day in history.get((enc.patient_id, enc.payer), {}).items():
                    if eid != it.eid and start <= day < enc.date_of_service:
                        prior.append(PriorSession(day, f"store:{eid}"))
                prior.sort(key=lambda p: (p.day, p.source))
            if it.given is not None:
                it.result = it.given
            else:
                try:
                    it.result = code(enc, history=prior)
                except InputError as exc:
                    if strict:
                        raise
                    it.result = invalid_result(it.eid, str(exc))
                    bad.append((it.index, str(exc)))
                    continue
            seen[(it.eid, it.input_hash)] = it
            to_write.append(it)
            # This version replaces any earlier version of the same id in the history.
            old = where.pop(it.eid, None)
            if old is not None:
                history.get(old, {}).pop(it.eid, None)
            if enc.patient_id and _tpi_code(enc, it.result) is not None:
                history.setdefault((enc.patient_id, enc.payer), {})[it.eid] = enc.date_of_service
                where[it.eid] = (enc.patient_id, enc.payer)

        written = {id(it) for it in to_write}
        dups = [
            it
            for it in items
            if id(it) not in written and it.result is not None and it.result.status != "invalid"
        ]
        to_write.sort(key=lambda x: x.index)  # rows (and versions) in the order they were submitted
        new = self._write_batch(to_write, dups, batch_no)
        dup_count = len(items) - new - len(bad)
        log.info("stored batch %d: %d new, %d already stored, %d invalid", batch_no, new, dup_count, len(bad))
        return new, dup_count, bad

    def _write_batch(self, items: list[_Item], dups: list[_Item], batch_no: int) -> int:
        """Insert the batch in one transaction; a version stored meanwhile by another process is reused."""
        for attempt in range(5):
            try:
                return self._write_batch_once(items, dups, batch_no)
            except IntegrityError:
                # Another writer stored some of these first (possible only without the write lock).
                if attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _write_batch_once(self, items: list[_Item], dups: list[_Item], batch_no: int) -> int:
        from tpicode.store.models import utcnow

        now = utcnow()
        audit: list[dict[str, Any]] = [
            {
                "actor": self.actor,
                "action": "resubmit",
                "encounter_id": it.eid,
                "patient_ref": _patient_ref(it.enc.patient_id),
                "detail": None,
            }
            for it in dups
        ]
        with self._write() as conn:
            stored = repo.versions(conn, [it.eid for it in items])
            known = {(v.encounter_id, v.input_hash): v.pk for vs in stored.values() for v in vs}
            raced = [it for it in items if (it.eid, it.input_hash) in known]
            if raced:  # stored by another process since the read phase: return theirs
                res = repo.current_result_json(conn, [known[(it.eid, it.input_hash)] for it in raced])
                for it in raced:
                    theirs = res.get(known[(it.eid, it.input_hash)])
                    if theirs is not None:
                        it.result = Result.model_validate(theirs)
            items = [it for it in items if (it.eid, it.input_hash) not in known]
            if not items:
                repo.audit(conn, audit)
                return 0
            next_version = {eid: max(v.version for v in vs) for eid, vs in stored.items()}
            last_of: dict[str, _Item] = {}
            for it in items:
                last_of[it.eid] = it
            repo.retire_current(conn, [eid for eid in last_of if eid in stored])
            patients = repo.patient_pks(
                conn, [it.enc.patient_id for it in items if it.enc.patient_id], create=True
            )
            enc_rows: list[dict[str, Any]] = []
            for it in items:
                version = next_version.get(it.eid, 0) + 1
                next_version[it.eid] = version
                e = it.enc
                enc_rows.append(
                    {
                        "encounter_id": it.eid,
                        "version": version,
                        "is_current": last_of[it.eid] is it,
                        "patient_pk": patients[e.patient_id] if e.patient_id else None,
                        "note": e.note,
                        "note_hash": it.note_hash,
                        "input_hash": it.input_hash,
                        "date_of_service": e.date_of_service,
                        "payer": e.payer,
                        "place_of_service": e.place_of_service,
                        "details": _details(e),
                        "created_at": now,
                    }
                )
                audit.append(
                    {
                        "actor": self.actor,
                        "action": "store" if version == 1 else "store-version",
                        "encounter_id": it.eid,
                        "patient_ref": _patient_ref(e.patient_id),
                        "detail": f"version {version}",
                    }
                )
            enc_pks = repo.insert_returning_pks(conn, repo.E, enc_rows)
            _pause_point("encounters-written", batch_no)
            res_rows = []
            for it, epk in zip(items, enc_pks, strict=True):
                r = it.result
                assert r is not None
                res_rows.append(
                    {
                        "encounter_pk": epk,
                        "is_current": True,
                        "result": r.model_dump(mode="json"),
                        "procedure_code": r.procedure.code if r.procedure else None,
                        "muscle_count": r.procedure.muscle_count if r.procedure else 0,
                        "status": r.status,
                        "tpi_code": _tpi_code(it.enc, r),
                        "rule_pack": r.rule_pack,
                        "created_at": now,
                    }
                )
            res_pks = repo.insert_returning_pks(conn, repo.R, res_rows)
            line_rows: list[dict[str, Any]] = []
            finding_rows: list[dict[str, Any]] = []
            for it, rpk in zip(items, res_pks, strict=True):
                r = it.result
                assert r is not None
                for n, ln in enumerate(r.lines):
                    line_rows.append(
                        {
                            "result_pk": rpk,
                            "kind": "proposed",
                            "position": n,
                            "code": ln.code,
                            "units": float(ln.units),
                            "modifiers": ",".join(ln.modifiers),
                        }
                    )
                for n, b in enumerate(it.enc.billed_lines):
                    line_rows.append(
                        {
                            "result_pk": rpk,
                            "kind": "billed",
                            "position": n,
                            "code": b.code,
                            "units": float(b.units),
                            "modifiers": ",".join(b.modifiers),
                        }
                    )
                for f in r.findings:
                    finding_rows.append(
                        {
                            "result_pk": rpk,
                            "check": f.check,
                            "severity": f.severity,
                            "rule": f.rule,
                            "message": f.message,
                        }
                    )
            repo.insert_many(conn, repo.L, line_rows)
            repo.insert_many(conn, repo.F, finding_rows)
            repo.audit(conn, audit)
        return len(items)

    # ---- reading

    def history(self, patient_id: str) -> PatientHistory:
        """A patient's stored sessions and, per payer, the first date a new session is allowed."""
        with self._write() as conn:
            rows = repo.patient_sessions(conn, patient_id)
            repo.audit(
                conn,
                [
                    {
                        "actor": self.actor,
                        "action": "read-history",
                        "encounter_id": None,
                        "patient_ref": _patient_ref(patient_id),
                        "detail": f"{len(rows)} sessions",
                    }
                ],
            )
        sessions = [
            SessionInfo(
                encounter_id=r["encounter_id"],
                version=int(r["version"]),
                date_of_service=_as_date(r["date_of_service"]),
                payer=r["payer"],
                procedure_code=r["procedure_code"],
                muscle_count=int(r["muscle_count"]),
                muscles=[_muscle_label(m) for m in (r["result"] or {}).get("muscles", [])],
                status=r["status"],
                counted=r["tpi_code"] is not None,
                checks=sorted({f["check"] for f in (r["result"] or {}).get("findings", [])}),
            )
            for r in rows
        ]
        by_payer: dict[str, list[dt.date]] = {}
        for s in sessions:
            if s.counted:
                by_payer.setdefault(s.payer, []).append(s.date_of_service)
        nexts = [_next_allowed(payer, sorted(days)) for payer, days in sorted(by_payer.items())]
        return PatientHistory(patient_id, sessions, nexts)

    def export_jsonl(self, fh: IO[str], patient_id: str | None = None) -> int:
        """Write one line per encounter (current version) with its current result; returns the count."""
        n = 0
        eids: list[tuple[str, str | None]] = []
        with self._read() as conn:
            for r in repo.export_rows(conn, patient_id):
                enc = _encounter_json(r)
                line = {"encounter": enc, "result": r["result"]}
                fh.write(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE).decode("utf-8"))
                eids.append((r["encounter_id"], r["external_id"]))
                n += 1
        with self._write() as conn:
            repo.audit(
                conn,
                [
                    {
                        "actor": self.actor,
                        "action": "export",
                        "encounter_id": eid,
                        "patient_ref": _patient_ref(pid),
                        "detail": None,
                    }
                    for eid, pid in eids
                ],
            )
        log.info("exported %d encounters", n)
        return n

    def purge(self, patient_id: str) -> dict[str, int] | None:
        """Delete a patient and everything of theirs (the audit log keeps only that it happened)."""
        with self._write() as conn:
            counts = repo.purge_patient(conn, patient_id)
            if counts is not None:
                repo.audit(
                    conn,
                    [
                        {
                            "actor": self.actor,
                            "action": "purge",
                            "encounter_id": None,
                            "patient_ref": _patient_ref(patient_id),
                            "detail": json.dumps(counts, sort_keys=True),
                        }
                    ],
                )
        if counts is not None:
            log.info("purged a patient: %s", ", ".join(f"{v} {k}" for k, v in counts.items()))
        return counts

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        with self._read() as conn:
            return repo.table_counts(conn)

    def audit_rows(self) -> list[dict[str, Any]]:
        """The whole audit log, oldest first (for tests and inspection)."""
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(repo.A).order_by(repo.A.c.pk))]


# --------------------------------------------------------------------------------------------------
# helpers


def _json_dumps(obj: Any) -> str:
    return orjson.dumps(obj).decode("utf-8")


def _engine(url: URL) -> Engine:
    """An engine with the store's settings: WAL, foreign keys, BEGIN IMMEDIATE for SQLite writes."""
    # hide_parameters: note text and patient ids never reach a log line or an exception message.
    common: dict[str, Any] = {
        "hide_parameters": True,
        "json_serializer": _json_dumps,
        "json_deserializer": orjson.loads,
    }
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 120}, **common)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout = 120000")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # Writers take the lock up front, so two processes never deadlock upgrading a read lock.
            read = conn.get_execution_options().get("tpicode_read", False)
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

        return engine
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, **common)
    return create_engine(url, **common)


def _actor() -> str:
    """Who is acting, for the audit log: TPICODE_ACTOR, else the login name."""
    actor = os.environ.get("TPICODE_ACTOR")
    if actor:
        return actor[:200]
    try:
        return getpass.getuser()[:200]
    except Exception:
        return f"uid:{os.getuid()}"


def _patient_ref(patient_id: str | None) -> str | None:
    """A stable pseudonym of a patient for the audit log, which outlives a purge."""
    if not patient_id:
        return None
    return hashlib.sha256(("tpicode-patient:" + patient_id).encode("utf-8")).hexdigest()[:32]


def _tpi_code(enc: Encounter, result: Result | None) -> str | None:
    """The TPI code this session bills: the billed lines when given, else the code tpicode proposes."""
    if result is None or result.status == "invalid":
        return None
    if enc.billed_lines:
        return next((b.code for b in enc.billed_lines if b.code in TPI_CODES), None)
    code_ = result.procedure.code if result.procedure else None
    return code_ if code_ in TPI_CODES else None


def _details(enc: Encounter) -> dict[str, Any]:
    """The encounter fields without columns of their own, so that export rebuilds it exactly."""
    return enc.model_dump(
        mode="json", exclude={"id", "note", "date_of_service", "payer", "place_of_service", "patient_id"}
    )


def _encounter_json(row: Mapping[str, Any]) -> dict[str, Any]:
    enc = Encounter(
        id=row["encounter_id"],
        note=row["note"],
        date_of_service=_as_date(row["date_of_service"]),
        payer=row["payer"],
        place_of_service=row["place_of_service"],
        patient_id=row["external_id"],
        **row["details"],
    )
    return enc.model_dump(mode="json")


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _to_encounter(data: Mapping[str, Any]) -> Encounter:
    try:
        return Encounter(**data)
    except ValidationError as exc:
        raise InputError(describe_validation(exc)) from None
    except TypeError as exc:
        raise InputError(str(exc)) from None


def _parse_line(raw: bytes) -> tuple[Encounter, Result | None]:
    """A JSONL line: a contract encounter, or an exported {"encounter", "result"} pair."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise InputError("not a JSON object")
    if "encounter" in obj and "result" in obj and "note" not in obj:
        enc_obj, res_obj = obj["encounter"], obj["result"]
        if not isinstance(enc_obj, dict) or not isinstance(res_obj, dict):
            raise InputError('"encounter" and "result" must be objects')
        enc = _to_encounter(enc_obj)
        try:
            res = Result.model_validate(res_obj)
        except ValidationError as exc:
            raise InputError("result: " + describe_validation(exc)) from None
        return enc, res
    if "id" in obj and isinstance(obj["id"], int | float) and not isinstance(obj["id"], bool):
        obj["id"] = str(obj["id"])
    return _to_encounter(obj), None


def _muscle_label(m: Mapping[str, Any]) -> str:
    side = m.get("laterality")
    name = str(m.get("muscle", "?"))
    return name if side in (None, "unspecified") else f"{side} {name}"


def _next_allowed(payer: str, days: Sequence[dt.date]) -> NextAllowed:
    """First date after the last session on which a new one raises no frequency finding for this payer."""
    last = days[-1]
    best = NextAllowed(payer, last + dt.timedelta(days=1), None, "one session per day")
    try:
        pack = load_knowledge().pack(payer)
    except Exception:
        return NextAllowed(payer, best.date, None, "no rule pack for this payer any more")
    for rule in pack.rules:
        if not rule.in_force(best.date) and not rule.in_force(last):
            continue
        if rule.impl == "sessions_in_window":
            limit, window = int(rule.params["sessions"]), int(rule.params["window_days"])
            if len(days) >= limit:
                day = days[-limit] + dt.timedelta(days=window)
                why = f"at most {limit} sessions in {window} days; the last {limit}: " + ", ".join(
                    d.isoformat() for d in days[-limit:]
                )
                if day > best.date:
                    best = NextAllowed(payer, day, rule.id, why)
        elif rule.impl == "min_interval":
            gap = int(rule.params["days"])
            day = last + dt.timedelta(days=gap)
            if day > best.date:
                best = NextAllowed(
                    payer, day, rule.id, f"at least {gap} days after the last session ({last})"
                )
    return best


def _pause_point(name: str, batch_no: int) -> None:
    """Test hook for the crash test: stop inside a write transaction so a kill -9 lands mid-write."""
    if os.environ.get("TPICODE_TEST_PAUSE_AT") != name or batch_no < 2:
        return
    marker = os.environ.get("TPICODE_TEST_PAUSE_FILE")
    if marker:
        Path(marker).write_text("paused\n")
    time.sleep(float(os.environ.get("TPICODE_TEST_PAUSE_SECONDS", "60")))
