"""Single-core throughput and latency benchmark of tpicode.code on synthetic TPI notes.

Usage: python benchmarks/bench_code.py [--notes 10000] [--quick]. Prints a report; always exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import os
import platform
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
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

CODES: tuple[str | None, ...] = ("20552", "20553", "20560", "20561", None)
TARGET_RATE = 1000.0  # notes/s on 1-2 KB notes, single core
TARGET_P99_MS = 10.0
TARGET_RSS_MB = 300.0
MANY_BATCH = 1000


def pin_to_one_core() -> tuple[int, int]:
    """Pin the process to the first allowed CPU so results are single-core; returns (cpu, cpus allowed)."""
    allowed = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {allowed[0]})
    return allowed[0], len(allowed)


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo, or the platform's processor string elsewhere."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(sorted_ns: Sequence[int], q: float) -> float:
    """Nearest-rank percentile of sorted nanosecond timings, in milliseconds."""
    if not sorted_ns:
        return float("nan")
    idx = min(len(sorted_ns) - 1, max(0, math.ceil(q / 100 * len(sorted_ns)) - 1))
    return sorted_ns[idx] / 1e6


def procedure_code(result: Any) -> str | None:
    """The procedure code of a result, tolerating a missing procedure object."""
    proc = getattr(result, "procedure", None)
    return getattr(proc, "code", None) if proc is not None else None


def to_encounters(dicts: list[dict[str, str]]) -> list[Any]:
    """Build tpicode.Encounter objects up front so the timed loop measures coding only."""
    return [tpicode.Encounter(**d) for d in dicts]


def time_set(encs: list[Any], code: Callable[[Any], Any]) -> tuple[list[int], Counter[str | None], list[str]]:
    """Code every encounter, timing each call; returns timings, code distribution and error samples."""
    times: list[int] = []
    dist: Counter[str | None] = Counter()
    errors: list[str] = []
    clock = time.perf_counter_ns
    for enc in encs:
        t0 = clock()
        try:
            res = code(enc)
        except Exception as exc:  # a benchmark reports failures, it does not stop on them
            times.append(clock() - t0)
            dist["error"] += 1
            if len(errors) < 3:
                errors.append(f"{getattr(enc, 'id', '?')}: {type(exc).__name__}: {exc}")
            continue
        times.append(clock() - t0)
        dist[procedure_code(res)] += 1
    return times, dist, errors


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--notes", type=int, default=10_000, help="notes per set (default 10000)")
    ap.add_argument("--quick", action="store_true", help="1,000 notes per set")
    ap.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    args = ap.parse_args(argv)
    n = 1000 if args.quick else args.notes

    cpu, n_allowed = pin_to_one_core()
    print("tpicode benchmark: tpicode.code, single core")
    print(f"machine : {platform.platform()}")
    print(f"cpu     : {cpu_model()}; nproc {os.cpu_count()} ({n_allowed} allowed), pinned to cpu {cpu}")
    print(f"python  : {platform.python_implementation()} {platform.python_version()}")
    print(f"tpicode : {getattr(tpicode, '__version__', 'unknown')}")
    try:
        from tpicode.native import core_state
    except ImportError:  # an older build without the compiled core
        pass
    else:
        print(f"core    : {core_state().summary}")
    print(f"date    : {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print()

    t0 = time.perf_counter()
    knowledge = tpicode.load_knowledge()
    load_s = time.perf_counter() - t0
    rss_after_load = peak_rss_mb()
    print(f"knowledge load: {load_s * 1000:.1f} ms (peak RSS after load {rss_after_load:.1f} MB)")

    t0 = time.perf_counter()
    sets = [
        ("0.5-4 KB", notegen.generate(n, seed=args.seed, min_bytes=500, max_bytes=4000)),
        ("1-2 KB", notegen.generate_sized(n, seed=args.seed + 1, lo=1000, hi=2000)),
    ]
    warm = notegen.generate(200, seed=args.seed + 99)
    known = set(getattr(knowledge, "packs", None) or ())
    if known:  # the generator mixes payers; fall back to medicare for any pack this build lacks
        every = [d for _, ds in sets for d in ds] + warm
        missing = {d["payer"] for d in every} - known
        for d in every:
            if d["payer"] in missing:
                d["payer"] = "medicare"
        if missing:
            print(f"payers without a pack, coded as medicare: {', '.join(sorted(missing))}")
    print(f"generated {2 * n} notes + 200 warm-up in {time.perf_counter() - t0:.1f} s")

    warm_errors = 0
    for enc in to_encounters(warm):
        try:
            tpicode.code(enc)
        except Exception:  # samples are reported by the timed run
            warm_errors += 1
    if warm_errors:
        print(f"warm-up: {warm_errors} of {len(warm)} notes raised")
    print()

    header = (f"{'set':<10} {'notes':>6} {'mean B':>7} {'notes/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'max ms':>8}")
    rows: list[str] = []
    dists: list[tuple[str, Counter[str | None]]] = []
    rates: dict[str, float] = {}
    p99s: dict[str, float] = {}
    all_errors: list[str] = []
    many: list[str] = []
    for label, dicts in sets:
        encs = to_encounters(dicts)
        mean_b = sum(len(d["note"].encode()) for d in dicts) / len(dicts)
        gc.collect()
        times, dist, errors = time_set(encs, tpicode.code)
        all_errors += errors
        total_s = sum(times) / 1e9
        rate = len(times) / total_s if total_s else float("inf")
        st = sorted(times)
        rates[label], p99s[label] = rate, percentile(st, 99)
        rows.append(f"{label:<10} {len(times):>6} {mean_b:>7.0f} {rate:>9.0f} {percentile(st, 50):>8.3f} "
                    f"{percentile(st, 95):>8.3f} {p99s[label]:>8.3f} {st[-1] / 1e6:>8.3f}")
        dists.append((label, dist))
        code_many = getattr(tpicode, "code_many", None)
        if code_many is None:  # optional batch API
            continue
        gc.collect()
        t0 = time.perf_counter()
        try:
            # in batches of 1,000, as a batch caller would (holding 10,000 results is the caller's memory)
            for i in range(0, len(encs), MANY_BATCH):
                code_many(encs[i : i + MANY_BATCH])
        except Exception as exc:
            many.append(f"code_many  {label:<10} failed: {type(exc).__name__}: {exc}")
            continue
        elapsed = time.perf_counter() - t0
        many.append(f"code_many  {label:<10} {len(encs)} notes in batches of {MANY_BATCH:,} in {elapsed:.2f} s = "
                    f"{len(encs) / elapsed:.0f} notes/s")

    print(header)
    print("-" * len(header))
    for row in rows:
        print(row)
    for line in many:
        print(line)
    rss = peak_rss_mb()
    print()
    print(f"peak RSS: {rss:.1f} MB (after knowledge load: {rss_after_load:.1f} MB; includes the generated notes)")
    print()
    print("procedure codes:")
    keys: list[str | None] = list(CODES)
    if any("error" in d for _, d in dists):
        keys.append("error")
    print(f"  {'set':<10} " + " ".join(f"{k!s:>7}" for k in keys))
    for label, dist in dists:
        print(f"  {label:<10} " + " ".join(f"{dist.get(k, 0):>7}" for k in keys))
    for err in all_errors:
        print(f"  error sample: {err}")
    print()

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    rate_12 = rates["1-2 KB"]
    worst_p99 = max(p99s.values())
    print("targets: >= 1000 notes/s on 1-2 KB notes, p99 < 10 ms, peak RSS < 300 MB")
    print(f"  throughput 1-2 KB : {rate_12:8.0f} notes/s  {verdict(rate_12 >= TARGET_RATE)}")
    print(f"  p99 (worst set)   : {worst_p99:8.3f} ms       {verdict(worst_p99 < TARGET_P99_MS)}")
    print(f"  peak RSS          : {rss:8.1f} MB       {verdict(rss < TARGET_RSS_MB)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
