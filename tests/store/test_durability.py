"""kill -9 in the middle of an import, and two importers at once: nothing half-written, nothing twice."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from store_helpers import dataset, store_cli

from tpicode.store import Store


def _assert_whole(store: Store) -> None:
    """Every stored encounter has exactly one current result whose lines and findings are all there."""
    report = store.check()
    assert report.ok, report.problems
    with store.engine.connect() as conn:
        dup = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT encounter_id FROM encounters GROUP BY encounter_id "
                "HAVING count(*) > 1) x"
            )
        ).scalar_one()
        assert dup == 0
        counts = {"lines": 0, "findings": 0}
        for (res,) in conn.execute(text("SELECT result FROM results")):
            obj = res if isinstance(res, dict) else __import__("json").loads(res)
            counts["lines"] += len(obj["lines"])
            counts["findings"] += len(obj["findings"])
        assert conn.execute(text("SELECT count(*) FROM billed_lines")).scalar_one() == counts["lines"]
        assert conn.execute(text("SELECT count(*) FROM findings")).scalar_one() == counts["findings"]


def test_kill_9_during_import_leaves_no_partial_encounter_and_rerun_completes(
    make_db: Callable[[], str], tmp_path: Path
) -> None:
    url = make_db()
    src = tmp_path / "big.jsonl"
    encs = dataset(src, 0, 600)
    with Store.open(url):
        pass  # schema first, so the child's time goes to importing
    marker = tmp_path / "paused"
    env = dict(os.environ, TPICODE_TEST_PAUSE_AT="encounters-written", TPICODE_TEST_PAUSE_FILE=str(marker))
    child = store_cli("import", str(src), "--batch", "100", "--db", url, env=env)
    deadline = time.monotonic() + 90
    while not marker.exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the import never reached its second batch"
        time.sleep(0.05)
    # The child is inside its second write transaction, encounters inserted, results not yet.
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with Store.open(url) as store:
        assert store.counts()["encounters"] == 100  # the first batch only; the second rolled back
        _assert_whole(store)
    rerun = store_cli("import", str(src), "--batch", "100", "--db", url)
    out, err = rerun.communicate(timeout=150)
    assert rerun.returncode == 0, err
    assert "500 stored, 100 already stored, 0 invalid" in out
    with Store.open(url) as store:
        counts = store.counts()
        assert counts["encounters"] == counts["results"] == len(encs)
        _assert_whole(store)


def test_two_processes_importing_overlapping_files_store_every_row_once(
    make_db: Callable[[], str], tmp_path: Path
) -> None:
    url = make_db()
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    dataset(a, 0, 500)
    dataset(b, 250, 750)
    with Store.open(url):
        pass
    procs = [store_cli("import", str(f), "--batch", "100", "--db", url) for f in (a, b)]
    outs = [p.communicate(timeout=150) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    stored = sum(int(out.split(" stored,")[0].rsplit(" ", 1)[1]) for out, _ in outs)
    assert stored == 750
    with Store.open(url) as store:
        counts = store.counts()
        assert counts["encounters"] == counts["results"] == 750
        _assert_whole(store)
        with store.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT count(DISTINCT encounter_id) FROM encounters")).scalar_one() == 750
            )
            assert conn.execute(text("SELECT max(version) FROM encounters")).scalar_one() == 1


def test_two_processes_opening_a_fresh_database_at_once_both_migrate_safely(
    make_db: Callable[[], str], tmp_path: Path
) -> None:
    url = make_db()
    src = tmp_path / "s.jsonl"
    dataset(src, 0, 20)
    procs = [store_cli("import", str(src), "--db", url) for _ in range(2)]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with Store.open(url) as store:
        assert store.counts()["encounters"] == 20
        _assert_whole(store)
