"""The store's commands: history, db upgrade/check, import, export and purge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from store_helpers import FIVE_DATES, tpi

from tpicode.store.cli import main


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_import_history_export_purge(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows: list[dict[str, object]] = [tpi(f"s{i}", d) for i, d in enumerate(FIVE_DATES, start=1)]
    src = _jsonl(tmp_path / "five.jsonl", [*rows, {"id": "bad", "note": ""}])
    assert main(["import", str(src), "--db", db_url]) == 0
    out, err = capsys.readouterr()
    assert "6 read, 5 stored, 0 already stored, 1 invalid" in out and "line 6" in err

    assert main(["history", "P1", "--db", db_url]) == 0
    out, _ = capsys.readouterr()
    assert "5 session(s), 5 billed a TPI code" in out
    assert "2025-10-06" in out and "FREQUENCY_LIMIT" in out and "left trapezius" in out
    assert "medicare: 2026-07-07" in out and "MCR-FREQUENCY" in out

    assert main(["history", "P1", "--format", "json", "--db", db_url]) == 0
    h = json.loads(capsys.readouterr().out)
    assert [s["encounter_id"] for s in h["sessions"]] == ["s1", "s2", "s3", "s4", "s5"]
    assert h["next_allowed"][0]["date"] == "2026-07-07"

    exported = tmp_path / "out.jsonl"
    assert main(["export", "-o", str(exported), "--db", db_url]) == 0
    lines = exported.read_text().splitlines()
    assert len(lines) == 5 and json.loads(lines[3])["result"]["status"] == "hold"

    assert main(["purge", "P1", "--db", db_url]) == 0
    out, _ = capsys.readouterr()
    assert "deleted patient P1:" in out and "5 encounters" in out and "1 patients" in out
    assert main(["purge", "P1", "--db", db_url]) == 1
    assert "nothing deleted" in capsys.readouterr().err


def test_db_upgrade_and_check(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "check", "--db", db_url]) == 1
    assert "tpicode db upgrade" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert "empty -> 0001" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert "already at 0001" in capsys.readouterr().out
    assert main(["db", "check", "--db", db_url]) == 0
    assert capsys.readouterr().out.rstrip().endswith("ok")


def test_default_url_comes_from_the_environment(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0  # TPICODE_DATABASE_URL points at db_url (conftest)
    assert main(["db", "check", "--db", db_url]) == 0


def test_unreachable_database_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    assert main(["history", "P1", "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tpicode: cannot open the database") and err.count("\n") == 1
