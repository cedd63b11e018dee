"""Initial schema: patients, encounters, results, billed lines, findings and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table, index and the audit log's append-only triggers."""
    op.create_table(
        "patients",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("external_id", name="uq_patients_external_id"),
    )
    op.create_table(
        "encounters",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("encounter_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column(
            "patient_pk",
            sa.Integer(),
            sa.ForeignKey("patients.pk", ondelete="CASCADE", name="fk_encounters_patient"),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("note_hash", sa.String(64), nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("date_of_service", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(64), nullable=False),
        sa.Column("place_of_service", sa.String(2), nullable=False),
        sa.Column("details", _JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("encounter_id", "input_hash", name="uq_encounters_id_hash"),
        sa.UniqueConstraint("encounter_id", "version", name="uq_encounters_id_version"),
    )
    op.create_index(
        "ix_encounters_patient_payer_dos", "encounters", ["patient_pk", "payer", "date_of_service"]
    )
    op.create_table(
        "results",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "encounter_pk",
            sa.Integer(),
            sa.ForeignKey("encounters.pk", ondelete="CASCADE", name="fk_results_encounter"),
            nullable=False,
        ),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("result", _JSON, nullable=False),
        sa.Column("procedure_code", sa.String(10), nullable=True),
        sa.Column("muscle_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("tpi_code", sa.String(10), nullable=True),
        sa.Column("rule_pack", sa.String(64), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_results_encounter", "results", ["encounter_pk"])
    op.create_index("ix_results_procedure_code", "results", ["procedure_code"])
    op.create_index("ix_results_status", "results", ["status"])
    op.create_table(
        "billed_lines",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "result_pk",
            sa.Integer(),
            sa.ForeignKey("results.pk", ondelete="CASCADE", name="fk_billed_lines_result"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.Column("modifiers", sa.String(64), nullable=False),
    )
    op.create_index("ix_billed_lines_result", "billed_lines", ["result_pk"])
    op.create_index("ix_billed_lines_code", "billed_lines", ["code"])
    op.create_table(
        "findings",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "result_pk",
            sa.Integer(),
            sa.ForeignKey("results.pk", ondelete="CASCADE", name="fk_findings_result"),
            nullable=False,
        ),
        sa.Column("check", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index("ix_findings_result", "findings", ["result_pk"])
    op.create_index("ix_findings_check", "findings", ["check"])
    op.create_table(
        "audit_log",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("encounter_id", sa.String(200), nullable=True),
        sa.Column("patient_ref", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_audit_log_encounter_id", "audit_log", ["encounter_id"])
    op.create_index("ix_audit_log_patient_ref", "audit_log", ["patient_ref"])
    _append_only_audit()


def _append_only_audit() -> None:
    """The audit log refuses UPDATE and DELETE in the database itself, not only in our code."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION tpicode_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION tpicode_audit_append_only()"
        )


def downgrade() -> None:
    """Drop everything this revision created."""
    dialect = op.get_bind().dialect.name
    for table in ("audit_log", "findings", "billed_lines", "results", "encounters", "patients"):
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS tpicode_audit_append_only()")
