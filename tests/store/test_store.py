"""The store on both engines: idempotency, versions, history-aware checks, export/import, purge, audit."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from store_helpers import FIVE_DATES, PLAN_ONLY_NOTE, TPI_NOTE, dataset, tpi

from tpicode.store import Store


def _current_versions(store: Store, eid: str) -> list[tuple[int, bool]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT version, is_current FROM encounters WHERE encounter_id = :e ORDER BY version"),
            {"e": eid},
        )
        return [(int(v), bool(c)) for v, c in rows]


def test_same_encounter_twice_is_stored_once(db_url: str) -> None:
    with Store.open(db_url) as store:
        first = store.code_and_store(tpi("e1", "2025-03-03"))
        again = store.code_and_store(tpi("e1", "2025-03-03"))
        assert again == first
        counts = store.counts()
        assert counts["encounters"] == 1 and counts["results"] == 1
        actions = [a["action"] for a in store.audit_rows()]
        assert actions.count("store") == 1 and actions.count("resubmit") == 1


def test_changed_note_is_a_new_version_and_keeps_the_old(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.code_and_store(tpi("e1", "2025-03-03", tag="first"))
        store.code_and_store(tpi("e1", "2025-03-03", tag="second"))
        store.code_and_store(tpi("e1", "2025-03-03", tag="second"))  # a resubmission of v2
        assert _current_versions(store, "e1") == [(1, False), (2, True)]
        out = io.StringIO()
        assert store.export_jsonl(out) == 1
        assert "Marker-second" in json.loads(out.getvalue())["encounter"]["note"]
        assert store.check().ok


def test_five_sessions_fourth_and_fifth_flagged_naming_earlier_encounters(db_url: str) -> None:
    with Store.open(db_url) as store:
        results = [store.code_and_store(tpi(f"s{i}", d)) for i, d in enumerate(FIVE_DATES, start=1)]
    flagged = [any(f.check == "FREQUENCY_LIMIT" for f in r.findings) for r in results]
    assert flagged == [False, False, False, True, True]
    fourth = next(f for f in results[3].findings if f.check == "FREQUENCY_LIMIT")
    for n in (1, 2, 3):
        assert f"store:s{n}" in fourth.message
    assert [p.source for p in results[4].prior_sessions] == ["store:s1", "store:s2", "store:s3", "store:s4"]
    assert [p.date.isoformat() for p in results[3].prior_sessions] == FIVE_DATES[:3]
    assert results[1].prior_sessions[0].source == "store:s1"
    assert any(f.check == "REPEAT_RELIEF_MISSING" for f in results[1].findings)


def test_recoding_an_old_encounter_uses_history_as_of_its_date(db_url: str) -> None:
    with Store.open(db_url) as store:
        for i, d in enumerate(FIVE_DATES, start=1):
            store.code_and_store(tpi(f"s{i}", d))
        redone = store.code_and_store(tpi("s2", FIVE_DATES[1], tag="amended"))
        assert [p.source for p in redone.prior_sessions] == ["store:s1"]
        assert not any(f.check == "FREQUENCY_LIMIT" for f in redone.findings)
        # s2's new version replaces the old in everyone's history: still one session on that date.
        late = store.code_and_store(tpi("s6", "2025-12-20"))
        assert [p.source for p in late.prior_sessions] == [f"store:s{n}" for n in (1, 2, 3, 4, 5)]


def test_only_tpi_sessions_of_the_payer_in_its_window_count(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.code_and_store(tpi("old", "2023-06-01"))  # outside Medicare's 365 days
        store.code_and_store(
            {
                "id": "plan",
                "note": PLAN_ONLY_NOTE.format(tag="p"),
                "date_of_service": "2025-02-01",
                "patient_id": "P1",
            }
        )  # no TPI billed
        store.code_and_store(tpi("cig", "2025-02-03", payer="cigna"))  # another payer
        store.code_and_store(tpi("other", "2025-02-04", patient="P2"))  # another patient
        store.code_and_store(tpi("later", "2025-09-01"))  # after the date of service
        r = store.code_and_store(tpi("now", "2025-03-01", tag="n"))
        assert r.prior_sessions == []
        given = store.code_and_store(
            {**tpi("given", "2025-03-02", tag="g"), "prior_sessions": ["2025-01-15"]}
        )
        assert {p.source for p in given.prior_sessions} == {"input", "store:now"}


def test_next_allowed_date_under_each_payer(db_url: str) -> None:
    with Store.open(db_url) as store:
        for i, d in enumerate(FIVE_DATES, start=1):
            store.code_and_store(tpi(f"m{i}", d))
        store.code_and_store(tpi("c1", "2025-05-01", payer="cigna"))
        for i, d in enumerate(["2025-05-01", "2025-05-20", "2025-06-10"], start=1):
            store.code_and_store(tpi(f"e{i}", d, payer="emblemhealth"))
        h = store.history("P1")
    assert len(h.sessions) == 9 and all(s.counted for s in h.sessions)
    nxt = {n.payer: n for n in h.next_allowed}
    # Medicare: 3 in a rolling 365 days; the last three are 2025-07-07, 2025-10-06, 2025-12-08.
    assert nxt["medicare"].date == dt.date(2026, 7, 7) and nxt["medicare"].rule == "MCR-FREQUENCY"
    assert nxt["cigna"].date == dt.date(2025, 5, 22) and nxt["cigna"].rule == "CIGNA-INTERVAL"
    assert nxt["emblemhealth"].date == dt.date(2025, 7, 30) and nxt["emblemhealth"].rule == "EMBLEM-FREQUENCY"
    fourth = h.sessions[[s.encounter_id for s in h.sessions].index("m4")]
    assert "FREQUENCY_LIMIT" in fourth.checks and fourth.muscles == ["left trapezius", "right trapezius"]


def test_export_import_round_trip_is_lossless(make_db: Callable[[], str], tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    dataset(src, 0, 120, patients=10)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    with Store.open(make_db()) as a:
        report = a.import_jsonl(src, batch=50)
        assert (report.read, report.stored, report.invalid) == (120, 120, [])
        a.code_and_store(
            {
                **tpi("v", "2025-01-01", patient="pt001"),
                "billed_lines": [{"code": "20553"}],
                "diagnoses": ["M79.18"],
                "prior_sessions": ["2024-12-01"],
                "place_of_service": "22",
            }
        )
        a.code_and_store(
            {**tpi("v", "2025-01-01", patient="pt001", tag="v2"), "billed_lines": [{"code": "20552"}]}
        )
        a.code_and_store({"note": TPI_NOTE.format(tag="no-id"), "date_of_service": "2025-02-02"})
        with first.open("w") as fh:
            assert a.export_jsonl(fh) == 122
    with Store.open(make_db()) as b:
        report = b.import_jsonl(first)
        assert (report.stored, report.duplicates, report.invalid) == (122, 0, [])
        assert b.import_jsonl(first).duplicates == 122  # and again: nothing new
        with second.open("w") as fh:
            b.export_jsonl(fh)
    assert first.read_text() == second.read_text()


def test_purge_deletes_everything_of_the_patient_and_says_what(db_url: str) -> None:
    with Store.open(db_url) as store:
        for i, d in enumerate(FIVE_DATES[:3], start=1):
            store.code_and_store(tpi(f"s{i}", d))
        store.code_and_store(tpi("s1", FIVE_DATES[0], tag="v2"))
        store.code_and_store(tpi("keep", "2025-03-03", patient="P2"))
        counts = store.purge("P1")
        assert counts is not None
        assert counts == {
            "findings": counts["findings"],
            "billed_lines": 4,
            "results": 4,
            "encounters": 4,
            "patients": 1,
        }
        assert store.purge("P1") is None
        assert store.history("P1").sessions == []
        assert [s.encounter_id for s in store.history("P2").sessions] == ["keep"]
        left = store.counts()
        assert left["encounters"] == 1 and left["patients"] == 1
        audit = store.audit_rows()
        assert audit[-3]["action"] == "purge" and "P1" not in json.dumps(audit, default=str)
        assert store.check().ok


def test_audit_log_records_access_and_is_append_only(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.code_and_store(tpi("e1", "2025-03-03"))
        store.code_and_store(tpi("e1", "2025-03-03", tag="v2"))
        store.history("P1")
        store.export_jsonl(io.StringIO())
        rows = store.audit_rows()
        assert [(r["action"], r["encounter_id"]) for r in rows] == [
            ("store", "e1"),
            ("store-version", "e1"),
            ("read-history", None),
            ("export", "e1"),
        ]
        assert {r["actor"] for r in rows} == {"pytest"}
        assert all(r["at"] is not None and r["patient_ref"] and r["patient_ref"] != "P1" for r in rows)
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'mallory'"))
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
        assert len(store.audit_rows()) == 4


def test_no_note_text_or_patient_id_in_logs(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # SQL is logged; its parameters must not be
    src = tmp_path / "in.jsonl"
    secret_patient = "MRN-SECRET-4711"
    with src.open("w") as fh:
        for i, d in enumerate(FIVE_DATES):
            fh.write(json.dumps(tpi(f"s{i}", d, patient=secret_patient, tag="SECRETNOTE")) + "\n")
        fh.write('{"id": "bad", "note": "", "patient_id": "MRN-SECRET-4711"}\n')
    with Store.open(db_url) as store:
        store.import_jsonl(src, batch=2)
        store.code_and_store(tpi("x", "2025-12-30", patient=secret_patient, tag="SECRETNOTE"))
        store.history(secret_patient)
        store.export_jsonl(io.StringIO())
        store.purge(secret_patient)
    assert caplog.records, "expected the store to log something at INFO"
    assert "SECRETNOTE" not in caplog.text and "Trigger points palpated" not in caplog.text
    assert secret_patient not in caplog.text


def test_open_creates_then_check_and_upgrade_in_place(db_url: str) -> None:
    store = Store.open(db_url, upgrade=False)
    assert store.revision() is None and not store.check().ok
    assert store.upgrade() == store.head()
    store.code_and_store(tpi("e1", "2025-03-03"))
    assert store.upgrade() == store.head()  # already current: data untouched
    report = store.check()
    assert report.ok, report.problems
    assert report.counts["encounters"] == 1
    store.close()
