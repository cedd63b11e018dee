"""The reader's speed shortcuts never change an answer: each is checked against the plain form it replaces."""

from __future__ import annotations

import random
import re

from tpicode.read.clinical import _ICD
from tpicode.read.drugs import _AMOUNT
from tpicode.read.hits import word_spaced
from tpicode.read.text import _ABBREV_BEFORE, _may_be_abbreviation


def _strings(alphabet: str, n: int, longest: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(n)]


def test_abbreviation_precheck_never_rejects_what_the_regex_accepts() -> None:
    accepted = 0
    for s in _strings("abdegiloprstvmnxc. 1\n", 60_000, 14, seed=1):
        s += "."
        i = len(s) - 1
        for start in (0, max(0, i - 3), i):
            if _ABBREV_BEFORE.search(s, max(start, i - 8), i):
                accepted += 1
                assert _may_be_abbreviation(s, i), (s, start)
    assert accepted > 1000  # the property was exercised
    assert not _may_be_abbreviation("the left trapezius.", 18)


def test_icd_pattern_finds_what_the_lookbehind_first_form_finds() -> None:
    plain = re.compile(r"(?<![A-Za-z0-9])([A-TV-Z][0-9][0-9A-Z])(?:\.([0-9A-Z]{1,4}))?(?![A-Za-z0-9])")
    found = 0
    for s in _strings("AM5 .0x1Z9G_\nU", 60_000, 14, seed=2):
        expected = [(m.span(), m.groups()) for m in plain.finditer(s)]
        assert [(m.span(), m.groups()) for m in _ICD.finditer(s)] == expected, s
        found += len(expected)
    assert found > 1000


def test_amount_pattern_lookahead_changes_nothing() -> None:
    body = _AMOUNT.pattern
    prefix = r"(?=[\d.otfsenha])(?:"
    assert body.startswith(prefix) and body.endswith(")")
    plain = re.compile(body[len(prefix) : -1])
    found = 0
    for s in _strings("0123.5 mgl/cunitsper%onetwohalf a", 40_000, 24, seed=3):
        expected = [(m.span(), m.lastgroup) for m in plain.finditer(s)]
        assert [(m.span(), m.lastgroup) for m in _AMOUNT.finditer(s)] == expected, s
        found += len(expected)
    assert found > 1000


def test_word_spaced_keeps_offsets_and_blanks_everything_but_letters_and_digits() -> None:
    text = "L. trap—x3 • é2_ok"
    spaced = word_spaced(text)
    assert len(spaced) == len(text) + 2 and spaced[0] == spaced[-1] == " "
    for i, c in enumerate(text):
        assert spaced[i + 1] == (c if c.isalnum() else " ")
