"""The one-pass cue scan (read/hits.py) must find exactly what each cue regex finds on its own.

Its promise: every match of every alternative that starts where a word starts (overlapping ones
too: "physical therapy" and "therapy"), which includes all that `finditer` finds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tpicode.read import _matcher, lower_same_length, normalize
from tpicode.read.cues import load_cues
from tpicode.read.hits import CueMatcher, split_top
from tpicode.read.text import frame

CORPUS = Path(__file__).parent / "corpus"


def _notes() -> list[str]:
    notes = [yaml.safe_load(p.read_text(encoding="utf-8"))["note"] for p in sorted((CORPUS / "gold").glob("*.yaml"))]
    for f in sorted((CORPUS / "real").glob("*.jsonl")):
        notes += [json.loads(line)["text"] for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return notes


def _reference(patterns: list[str], low: str) -> list[tuple[int, int]]:
    """Brute force: each alternative tried with `match` at every word start of the note."""
    alts = [re.compile(alt) for pattern in patterns for alt in split_top(pattern)]
    spans = set()
    for start in range(len(low)):
        if start and low[start - 1].isalnum():
            continue
        for alt in alts:
            m = alt.match(low, start)
            if m is not None and m.end() > start:
                spans.add((start, m.end()))
    return sorted(spans)


def _finditer(patterns: list[str], low: str) -> set[tuple[int, int]]:
    return {(m.start(), m.end()) for p in patterns for m in re.finditer(p, low) if m.end() > m.start()}


@pytest.fixture(scope="module")
def lows() -> list[str]:
    cues = load_cues()
    out = []
    for note in _notes():
        text, low, _back = normalize(note, lower_same_length(note))
        out.append(frame(text, cues, low).low)
    return out


def test_scan_equals_each_cue_regex_on_the_whole_corpus(lows: list[str]) -> None:
    matcher = _matcher(load_cues())
    categories = matcher.source
    assert len(lows) > 300 and len(categories) > 30
    for low in lows:
        found = matcher.scan(low)
        for cat, patterns in categories.items():
            assert found[cat].spans == _reference(patterns, low), (cat, low[:80])
            assert _finditer(patterns, low) <= set(found[cat].spans), (cat, low[:80])


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        # a lead that must end a word is not tried inside a longer one, and is found where it does
        (r"\bin the past\b", "injected in the past", [(9, 20)]),
        # an optional space after the lead: "x3" and "x 3" both count
        (r"\bx ?\d+\b", "x3 and x 4 but not ox3", [(0, 2), (7, 10)]),
        # a group after the lead: each alternative becomes its own lead
        (r"\bpain (?:better|improved)\b", "pain better, pain worse, pain improved", [(0, 11), (25, 38)]),
        # a pattern that starts with a digit
        (r"\b\d+ (?:weeks?|months?) ago\b", "3 weeks ago and 12 months ago", [(0, 11), (16, 29)]),
        # an optional group after the lead: the lead alone is tried
        (r"\btender(?:ness)?\b", "tenderness and tender", [(0, 10), (15, 21)]),
    ],
)
def test_scan_edge_cases(pattern: str, text: str, expected: list[tuple[int, int]]) -> None:
    assert CueMatcher({"cat": [pattern]}).scan(text)["cat"].spans == expected
    assert _reference([pattern], text) == expected == sorted(_finditer([pattern], text))


def test_every_cue_has_a_literal_lead_so_none_is_searched_over_the_whole_note() -> None:
    # a fallback pattern is run over every note in full (the two there were cost about a third of the scan)
    assert _matcher(load_cues())._fallback == []


def test_a_leading_lookbehind_is_still_tested_where_its_lead_is_found() -> None:
    m = CueMatcher({"im": [r"(?<!route: )(?<!trigger point \()\bim\b"]})
    assert m.scan("toradol 60 mg im today")["im"].spans == [(14, 16)]
    assert m.scan("route: im")["im"].spans == []
    assert m.scan("lidocaine (trigger point (im))")["im"].spans == []
