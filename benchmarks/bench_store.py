"""Encounters stored per second, single process, batches of 1,000, history checks on: SQLite and PostgreSQL.

Usage: python benchmarks/bench_store.py [--notes 5000] [--patients 500] [--pg URL]. Prints a report; exits 0.
Reports the end-to-end rate (coding included) and the store's own rate (history lookups and writes, the
time spent in the coding engine taken out), since coding alone runs at a few hundred notes/s per core.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import tpicode
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(HERE.parent / "src"))
    import tpicode

import notegen  # noqa: E402  (sibling module, found through sys.path above)
import tpicode.store as store_mod  # noqa: E402
from tpicode.model import Result  # noqa: E402
from tpicode.store import Store  # noqa: E402

TARGET_RATE = 2000.0  # encounters stored per second on SQLite, history checks on
BATCH = 1000


class CodingTimer:
    """Wraps the coding engine as the store calls it, to separate coding time from storing time."""

    def __init__(self, fn: Callable[..., Result]) -> None:
        self.fn = fn
        self.seconds = 0.0
        self.calls = 0
        self.with_history = 0

    def __call__(self, enc: Any, *, history: Any = ()) -> Result:
        hist = list(history)
        t = time.perf_counter()
        try:
            return self.fn(enc, history=hist)
        finally:
            self.seconds += time.perf_counter() - t
            self.calls += 1
            self.with_history += bool(hist)


def encounters(n: int, patients: int) -> list[dict[str, Any]]:
    """Synthetic 1-2 KB notes spread over `patients` patients and two years, so history matters."""
    out = []
    for i, e in enumerate(notegen.generate_sized(n, seed=5)):
        out.append({**e, "patient_id": f"bench-{i % patients:05d}"})
    return out


def run(url: str, label: str, encs: list[dict[str, Any]]) -> dict[str, float]:
    """Store `encs` in batches of BATCH into a fresh database; returns the timings."""
    namespace = vars(store_mod)  # the store calls `code` through its module globals
    timer = CodingTimer(namespace["code"])
    namespace["code"] = timer
    try:
        with Store.open(url) as store:
            t0 = time.perf_counter()
            results = store.store_many(encs, batch=BATCH)
            total = time.perf_counter() - t0
            counts = store.counts()
    finally:
        namespace["code"] = timer.fn
    n = len(encs)
    flagged = sum(any(f.check == "FREQUENCY_LIMIT" for f in r.findings) for r in results)
    store_s = total - timer.seconds
    print(f"\n{label}: {n} encounters in batches of {BATCH}, {counts['encounters']} stored")
    print(
        f"  history-aware: {timer.with_history} of {timer.calls} coded with stored sessions; "
        f"{flagged} flagged FREQUENCY_LIMIT"
    )
    print(f"  end to end (coding + history + writes): {total:7.2f} s  {n / total:8.0f} encounters/s")
    print(
        f"  coding engine alone:                    {timer.seconds:7.2f} s  {n / timer.seconds:8.0f} notes/s"
    )
    print(f"  store (history lookups + writes):       {store_s:7.2f} s  {n / store_s:8.0f} encounters/s")
    return {"total": total, "coding": timer.seconds, "store": store_s, "n": float(n)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--notes", type=int, default=5000)
    ap.add_argument("--patients", type=int, default=500)
    ap.add_argument(
        "--pg",
        default=os.environ.get("TPICODE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = ap.parse_args(argv)
    print(
        f"tpicode {tpicode.__version__} store benchmark: {args.notes} notes (1-2 KB), "
        f"{args.patients} patients, single process"
    )
    encs = encounters(args.notes, args.patients)
    tpicode.code(encs[0])  # load the knowledge before timing
    rates: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        rates["sqlite"] = run(
            "sqlite:///" + str(Path(tmp) / "bench.sqlite3"), "SQLite (WAL, synchronous=FULL)", encs
        )
    try:
        import psycopg

        name = f"tpicode_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            base = args.pg.split("://", 1)[1].rsplit("/", 1)[0]
            rates["postgres"] = run(f"postgresql+psycopg://{base}/{name}", "PostgreSQL", encs)
        finally:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exc:
        print(f"\nPostgreSQL: skipped ({type(exc).__name__}: {str(exc).strip().splitlines()[0]})")
    s = rates["sqlite"]
    store_rate = s["n"] / s["store"]
    verdict = "meets" if store_rate >= TARGET_RATE else "misses"
    print(
        f"\nSQLite store rate {store_rate:.0f}/s {verdict} the goal of {TARGET_RATE:.0f}/s "
        f"(end to end {s['n'] / s['total']:.0f}/s, bounded by the coding engine)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
