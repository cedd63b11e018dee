"""SQL of the store, on a Core connection: batched reads and inserts so that a batch costs few round trips."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Table, and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from tpicode.store.models import AuditRow, BilledLineRow, EncounterRow, FindingRow, Patient, ResultRow, utcnow

E = cast(Table, EncounterRow.__table__)
R = cast(Table, ResultRow.__table__)
P = cast(Table, Patient.__table__)
L = cast(Table, BilledLineRow.__table__)
F = cast(Table, FindingRow.__table__)
A = cast(Table, AuditRow.__table__)

CHUNK = 500  # bound parameters per IN list: well under SQLite's and PostgreSQL's limits

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Split long IN lists so that no statement exceeds a driver's parameter limit."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """One stored version of an encounter id: enough to decide duplicate / new version."""

    pk: int
    encounter_id: str
    input_hash: str
    version: int
    is_current: bool


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A stored encounter that billed a TPI code: what the history checks count."""

    patient_id: str
    payer: str
    encounter_id: str
    date_of_service: dt.date


def versions(conn: Connection, encounter_ids: Sequence[str]) -> dict[str, list[StoredVersion]]:
    """Every stored version of the given encounter ids, oldest first."""
    out: dict[str, list[StoredVersion]] = {}
    for part in chunks(sorted(set(encounter_ids))):
        rows = conn.execute(
            select(E.c.pk, E.c.encounter_id, E.c.input_hash, E.c.version, E.c.is_current)
            .where(E.c.encounter_id.in_(part))
            .order_by(E.c.encounter_id, E.c.version)
        )
        for pk, eid, h, v, cur in rows:
            out.setdefault(eid, []).append(StoredVersion(pk, eid, h, v, bool(cur)))
    return out


def current_result_json(conn: Connection, encounter_pks: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The current result of each given encounter version, as the contract's JSON."""
    out: dict[int, dict[str, Any]] = {}
    for part in chunks(sorted(set(encounter_pks))):
        rows = conn.execute(
            select(R.c.encounter_pk, R.c.result).where(R.c.encounter_pk.in_(part), R.c.is_current)
        )
        for epk, res in rows:
            out[epk] = res
    return out


def tpi_sessions(
    conn: Connection, patient_ids: Sequence[str], since: dt.date, until: dt.date
) -> list[StoredSession]:
    """Current encounters of these patients that billed a TPI code, with since <= date < until."""
    out: list[StoredSession] = []
    for part in chunks(sorted(set(patient_ids))):
        q = (
            select(P.c.external_id, E.c.payer, E.c.encounter_id, E.c.date_of_service)
            .select_from(P.join(E, E.c.patient_pk == P.c.pk).join(R, R.c.encounter_pk == E.c.pk))
            .where(
                P.c.external_id.in_(part),
                E.c.is_current,
                R.c.is_current,
                R.c.tpi_code.is_not(None),
                E.c.date_of_service >= since,
                E.c.date_of_service < until,
            )
        )
        out.extend(StoredSession(p, pay, eid, d) for p, pay, eid, d in conn.execute(q))
    return out


def patient_pks(conn: Connection, external_ids: Sequence[str], *, create: bool) -> dict[str, int]:
    """Map patient identifiers to row keys, creating the missing ones when asked (caller holds the lock)."""
    wanted = sorted(set(external_ids))
    out: dict[str, int] = {}
    for part in chunks(wanted):
        for ext, pk in conn.execute(select(P.c.external_id, P.c.pk).where(P.c.external_id.in_(part))):
            out[ext] = pk
    missing = [x for x in wanted if x not in out]
    if create and missing:
        now = utcnow()
        rows = conn.execute(
            insert(P).returning(P.c.external_id, P.c.pk, sort_by_parameter_order=True),
            [{"external_id": x, "created_at": now} for x in missing],
        )
        for ext, pk in rows:
            out[ext] = pk
    return out


def retire_current(conn: Connection, encounter_ids: Sequence[str]) -> None:
    """Mark the current versions of these ids as superseded (a new version is about to be inserted)."""
    for part in chunks(sorted(set(encounter_ids))):
        conn.execute(update(E).where(E.c.encounter_id.in_(part), E.c.is_current).values(is_current=False))


def insert_returning_pks(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows in one round trip per driver batch; returns their keys in input order."""
    if not rows:
        return []
    res = conn.execute(insert(table).returning(table.c.pk, sort_by_parameter_order=True), rows)
    return [int(r[0]) for r in res]


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany insert, no keys needed."""
    if rows:
        conn.execute(insert(table), rows)


def audit(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Append audit rows (actor, action, encounter_id, patient_ref, detail); `at` is filled in here."""
    now = utcnow()
    batch = [{"at": now, **r} for r in rows]
    insert_many(conn, A, batch)


def patient_sessions(conn: Connection, patient_id: str) -> list[dict[str, Any]]:
    """A patient's current encounters with their current result's summary columns, by date."""
    q = (
        select(
            E.c.encounter_id,
            E.c.version,
            E.c.date_of_service,
            E.c.payer,
            R.c.procedure_code,
            R.c.muscle_count,
            R.c.status,
            R.c.tpi_code,
            R.c.result,
        )
        .select_from(P.join(E, E.c.patient_pk == P.c.pk).join(R, R.c.encounter_pk == E.c.pk))
        .where(P.c.external_id == patient_id, E.c.is_current, R.c.is_current)
        .order_by(E.c.date_of_service, E.c.encounter_id)
    )
    return [dict(r._mapping) for r in conn.execute(q)]


def export_rows(conn: Connection, patient_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Current version of every encounter with its current result, in insertion order."""
    q = (
        select(
            E.c.pk,
            E.c.encounter_id,
            E.c.note,
            E.c.date_of_service,
            E.c.payer,
            E.c.place_of_service,
            E.c.details,
            P.c.external_id,
            R.c.result,
        )
        .select_from(
            E.outerjoin(P, E.c.patient_pk == P.c.pk).join(R, and_(R.c.encounter_pk == E.c.pk, R.c.is_current))
        )
        .where(E.c.is_current)
        .order_by(E.c.pk)
    )
    if patient_id is not None:
        q = q.where(P.c.external_id == patient_id)
    for r in conn.execute(q.execution_options(yield_per=1000)):
        yield dict(r._mapping)


def purge_patient(conn: Connection, patient_id: str) -> dict[str, int] | None:
    """Delete a patient and everything of theirs; returns the count of rows per table, None if unknown."""
    pk = conn.execute(select(P.c.pk).where(P.c.external_id == patient_id)).scalar_one_or_none()
    if pk is None:
        return None
    enc_pks = select(E.c.pk).where(E.c.patient_pk == pk).scalar_subquery()
    res_pks = select(R.c.pk).where(R.c.encounter_pk.in_(enc_pks)).scalar_subquery()
    counts: dict[str, int] = {}
    for name, table, cond in (
        ("findings", F, F.c.result_pk.in_(res_pks)),
        ("billed_lines", L, L.c.result_pk.in_(res_pks)),
        ("results", R, R.c.encounter_pk.in_(enc_pks)),
        ("encounters", E, E.c.patient_pk == pk),
        ("patients", P, P.c.pk == pk),
    ):
        counts[name] = int(conn.execute(select(func.count()).select_from(table).where(cond)).scalar_one())
        conn.execute(delete(table).where(cond))
    return counts


def table_counts(conn: Connection) -> dict[str, int]:
    """Row count of every table (for `db check`, the tests and the benchmark)."""
    return {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
        for t in (P, E, R, L, F, A)
    }
