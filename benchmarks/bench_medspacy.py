"""The baseline the issue measures us against: a medspaCy pipeline over the same generated notes.

Run by `make bench-baseline`, in its own virtual environment (`.venv-baseline`: medspaCy pins spaCy
and numpy versions that the project itself does not need). The pipeline is the one the issue names:
a blank English model, spaCy's sentencizer, a target matcher loaded with our muscle and drug terms,
ConText and the sectionizer. It only finds and scopes mentions; tpicode's per-note path also codes,
checks and prices, so the comparison flatters the baseline.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

import medspacy  # type: ignore[import-not-found]
import spacy  # type: ignore[import-not-found]
import yaml
from medspacy.target_matcher import TargetRule  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notegen  # (sibling module, found through sys.path above)

DATA = Path(__file__).resolve().parents[1] / "src" / "tpicode" / "knowledge" / "data"


def _rules() -> list[TargetRule]:
    """Every muscle and drug term tpicode knows, as medspaCy target rules."""
    rules = []
    muscles = yaml.safe_load((DATA / "muscles.yaml").read_text(encoding="utf-8"))["muscles"]
    for m in muscles:
        for term in [m["name"], *m.get("synonyms", []), *m.get("abbreviations", []), *m.get("misspellings", [])]:
            rules.append(TargetRule(str(term), "MUSCLE"))
    drugs = yaml.safe_load((DATA / "drugs.yaml").read_text(encoding="utf-8"))["drugs"]
    for d in drugs:
        for term in {d["name"], *d.get("names", [])}:
            rules.append(TargetRule(str(term), "DRUG"))
    return rules


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--notes", type=int, default=2000, help="1-2 KB notes to time (default 2000)")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    matcher = nlp.add_pipe("medspacy_target_matcher")
    rules = _rules()
    matcher.add(rules)
    nlp.add_pipe("medspacy_context")
    nlp.add_pipe("medspacy_sectionizer")

    notes = [e["note"] for e in notegen.generate_sized(args.notes, seed=1, lo=1000, hi=2000)]
    for text in notes[:100]:  # warm-up
        nlp(text)
    t0 = time.perf_counter()
    found = 0
    for text in notes:
        found += len(nlp(text).ents)
    secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print("baseline benchmark: medspaCy pipeline, single core")
    print(f"machine : {platform.platform()}")
    print(f"python  : {platform.python_version()}; spaCy {spacy.__version__}; medspaCy {medspacy.__version__}")
    print("pipeline: blank en + sentencizer + target matcher "
          f"({len(rules)} muscle and drug terms) + ConText + sectionizer")
    print(f"1-2 KB  : {len(notes)} notes in {secs:.2f} s = {len(notes) / secs:.0f} notes/s "
          f"({found / len(notes):.1f} entities per note); peak RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
