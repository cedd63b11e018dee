"""The store's tables as typed SQLAlchemy 2 models; the Alembic migrations are the source of truth."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    """Timestamps are stored in UTC so that rows written from different machines compare."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base whose metadata the migrations are checked against."""


class Patient(Base):
    """A patient, known only by the caller's identifier; everything of theirs hangs off this row."""

    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("external_id", name="uq_patients_external_id"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EncounterRow(Base):
    """One version of one encounter as submitted; a changed note adds a version, never overwrites."""

    __tablename__ = "encounters"
    __table_args__ = (
        UniqueConstraint("encounter_id", "input_hash", name="uq_encounters_id_hash"),
        UniqueConstraint("encounter_id", "version", name="uq_encounters_id_version"),
        Index("ix_encounters_patient_payer_dos", "patient_pk", "payer", "date_of_service"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    encounter_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    patient_pk: Mapped[int | None] = mapped_column(
        ForeignKey("patients.pk", ondelete="CASCADE"), nullable=True
    )
    note: Mapped[str] = mapped_column(Text)
    note_hash: Mapped[str] = mapped_column(String(64))
    input_hash: Mapped[str] = mapped_column(String(64))
    date_of_service: Mapped[dt.date] = mapped_column(Date)
    payer: Mapped[str] = mapped_column(String(64))
    place_of_service: Mapped[str] = mapped_column(String(2))
    details: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ResultRow(Base):
    """A coding result of one encounter version: the contract's JSON plus the columns queries need."""

    __tablename__ = "results"
    __table_args__ = (Index("ix_results_encounter", "encounter_pk"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    encounter_pk: Mapped[int] = mapped_column(ForeignKey("encounters.pk", ondelete="CASCADE"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    procedure_code: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    muscle_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), index=True)
    tpi_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    rule_pack: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BilledLineRow(Base):
    """A claim line of a result: `proposed` by tpicode or `billed` as the caller sent it."""

    __tablename__ = "billed_lines"
    __table_args__ = (Index("ix_billed_lines_result", "result_pk"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    result_pk: Mapped[int] = mapped_column(ForeignKey("results.pk", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(10), index=True)
    units: Mapped[float] = mapped_column(Float)
    modifiers: Mapped[str] = mapped_column(String(64), default="")


class FindingRow(Base):
    """One finding of a result, so that denial risks can be counted without parsing JSON."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_result", "result_pk"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    result_pk: Mapped[int] = mapped_column(ForeignKey("results.pk", ondelete="CASCADE"))
    check: Mapped[str] = mapped_column(String(40), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    rule: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    """Append-only record of who did what to which encounter, when (triggers refuse UPDATE/DELETE)."""

    __tablename__ = "audit_log"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    encounter_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    patient_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
