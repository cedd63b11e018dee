"""Finds every cue of every category in one pass over a note's words.

Python's `re` scans a whole note per pattern (~35 µs for 1.5 KB, whatever the pattern), so thirty
cue lists cost a millisecond. Here each alternative of each cue regex is indexed by the literal word
it starts with; one pass over the note's words looks each word up and runs only the few alternatives
that can start there (`pattern.match` at that offset); a lead the pattern needs to end a word ("in\\b")
is not tried inside a longer one ("injection"). Alternatives with no literal start fall back to a full
scan. The answer: every match of every alternative that starts at a word start, overlapping ones too,
which includes all that `finditer` finds (tests/test_read_scan.py checks both on the whole corpus).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping

import ahocorasick

_LEAD = re.compile(r"(?:\\b)?([a-z0-9]+(?:(?:[/-]| (?=[a-z0-9]))[a-z0-9]+)*)")


class Hits:
    """The spans of one category, sorted, with clause-range queries."""

    __slots__ = ("ends", "spans", "starts")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans.sort()
        self.spans = spans
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def within(self, a: int, b: int) -> list[tuple[int, int]]:
        i = bisect_left(self.starts, a)
        j = bisect_left(self.starts, b, i)
        return [sp for sp in self.spans[i:j] if sp[1] <= b]

    def first(self, a: int, b: int) -> tuple[int, int] | None:
        i = bisect_left(self.starts, a)
        n = len(self.spans)
        while i < n and self.starts[i] < b:
            if self.ends[i] <= b:
                return self.spans[i]
            i += 1
        return None

    def any(self, a: int, b: int) -> bool:
        return self.first(a, b) is not None

    def per_clause(self, bounds: list[tuple[int, int]], starts: list[int]) -> list[list[tuple[int, int]]]:
        """The spans inside each clause (bounds sorted, `starts` their start offsets)."""
        out: list[list[tuple[int, int]]] = [[] for _ in bounds]
        for sp in self.spans:
            i = bisect_right(starts, sp[0]) - 1
            if i >= 0 and sp[1] <= bounds[i][1]:
                out[i].append(sp)
        return out


_ASCII_SPACED = str.maketrans({chr(i): " " for i in range(128) if not chr(i).isalnum()})
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _space_unless_alnum(m: re.Match[str]) -> str:
    return m.group() if m.group().isalnum() else " "


def word_spaced(text: str) -> str:
    """The text with a space for every character that is not a letter or digit, and one at each end.

    Same length plus two, so an offset in it is the text's offset plus one. Aho-Corasick keys that start
    (and end) with a space then find words only where they start (and end): no mid-word hits to skip.
    """
    spaced = text.translate(_ASCII_SPACED)
    if not spaced.isascii():
        spaced = _NON_ASCII.sub(_space_unless_alnum, spaced)
    return " " + spaced + " "


_NONE = Hits([])  # shared by every category with no match in a note; never mutated
Entry = tuple[str, re.Pattern[str]]


def _syntax(pattern: str) -> list[tuple[int, str, int]]:
    """(index, character, group depth before it) of each character of a regex that is neither escaped nor
    inside a character class: the walk both the top-level split and the group matching need."""
    out: list[tuple[int, str, int]] = []
    depth, cls, i = 0, False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if cls:
            cls = c != "]"
        elif c == "[":
            cls = True
        else:
            out.append((i, c, depth))
            depth += 1 if c == "(" else -1 if c == ")" else 0
        i += 1
    return out


def split_top(pattern: str) -> list[str]:
    """Split a regex on its top-level `|` (not inside groups or classes)."""
    cuts = [i for i, c, depth in _syntax(pattern) if c == "|" and depth == 0]
    return [pattern[a + 1 if a >= 0 else 0 : b] for a, b in zip([-1, *cuts], [*cuts, len(pattern)], strict=True)]


def _group_end(body: str) -> int:
    """Index of the `)` closing the group that `body` starts with, or -1."""
    return next((i for i, c, depth in _syntax(body) if c == ")" and depth == 1), -1)


def _leads(alt: str) -> list[tuple[str, bool]] | None:
    """The literal words an alternative can start with, or None when it has no literal start.

    Each comes with whether the pattern needs a word boundary right after it ("in\\b", "in the"),
    so a lead found inside a longer word ("in" of "injection") need not be tried.
    """
    body = alt
    while body.startswith(("(?<!", "(?<=")):
        # a lookbehind tests what comes before the lead, which match(low, start) still sees: skip it
        close = _group_end(body)
        if close < 0:
            return None
        body = body[close + 1 :]
    body = body[2:] if body.startswith("\\b") else body
    if body.startswith("(?:"):
        return _group_leads("", body)
    if body.startswith("\\d") and body[2:3] not in ("?", "*") and not body[2:].startswith("{0"):
        return [(d, False) for d in "0123456789"]  # "12 weeks ago", "3/4/2025 - TPI"
    m = _LEAD.match(body)
    if not m:
        return None
    word = m.group(1)
    after = body[m.end() :]
    sep = 1 if after[:1] == " " else 2 if after.startswith(("\\b", "\\s", "\\W")) else 0
    whole = sep > 0 and after[sep : sep + 1] not in ("?", "*", "{")  # not "x ?\\d"
    if after[:1] in ("?", "*", "{"):
        word, whole = word[:-1], False  # the last letter is optional: "injections?" starts with "injection"
    elif after.startswith(("(?:", " (?:")):
        # "pain (?:improved|better)" leads with "pain improved" and "pain better": fewer tries
        got = _group_leads(body[: m.end()] + after[: after.index("(")], after[after.index("(") :])
        if got is not None:
            return got
    word = word.rstrip(" ")
    return [(word, whole)] if word else None


def _group_leads(prefix: str, body: str) -> list[tuple[str, bool]] | None:
    """Leads of `prefix` + a pattern that starts with a non-capturing group, one per alternative."""
    j = _group_end(body)
    if j < 0:
        return None
    inner, rest = body[3:j], body[j + 1 :]
    if rest[:1] in ("?", "*", "{", "+"):
        return None
    out: list[tuple[str, bool]] = []
    for sub in split_top(inner):
        got = _leads(prefix + sub + rest)
        if got is None:
            return None
        out.extend(got)
    return out


class CueMatcher:
    """All cue categories compiled for one Aho-Corasick pass over the note."""

    def __init__(self, categories: Mapping[str, Iterable[str]]) -> None:
        # per lead word: the alternatives to try anywhere, and those to try only at a word's end
        by_lead: dict[str, tuple[list[Entry], list[Entry]]] = {}
        self._fallback: list[tuple[str, re.Pattern[str]]] = []
        self.categories = tuple(categories)
        self.source = {cat: list(patterns) for cat, patterns in categories.items()}
        for cat, patterns in categories.items():
            for pattern in patterns:
                for alt in split_top(pattern):
                    compiled = re.compile(alt)
                    leads = _leads(alt)
                    if leads is None:
                        self._fallback.append((cat, compiled))
                        continue
                    for word, whole in set(leads):
                        anywhere, at_end = by_lead.setdefault(word, ([], []))
                        (at_end if whole else anywhere).append((cat, compiled))
        # Keys are searched in `word_spaced(low)`, where every character that is not a letter or digit is
        # a space: " lead" can only be found where a word starts, " lead " where it also ends.
        keyed: dict[str, list[Entry]] = {}
        for word, (anywhere, at_end) in by_lead.items():
            key = " " + word_spaced(word)[1:-1]
            if anywhere:
                keyed.setdefault(key, []).extend(anywhere)
            if at_end:
                keyed.setdefault(key + " ", []).extend(at_end)
        self._ac = ahocorasick.Automaton()
        for key, entries in keyed.items():
            self._ac.add_word(key, (len(key) - 1, tuple(entries)))
        self._ac.make_automaton()

    def scan(self, low: str) -> dict[str, Hits]:
        found: dict[str, set[tuple[int, int]]] = {}
        for end, (back, entries) in self._ac.iter(word_spaced(low)):
            start = end - back  # (the spaced text is one longer at the front)
            for cat, pat in entries:
                m = pat.match(low, start)
                if m is not None and m.end() > start:
                    spans = found.get(cat)
                    if spans is None:
                        found[cat] = {(start, m.end())}
                    else:
                        spans.add((start, m.end()))
        for cat, pat in self._fallback:
            for m in pat.finditer(low):
                if m.end() > m.start():
                    found.setdefault(cat, set()).add((m.start(), m.end()))
        return {c: Hits(list(found[c])) if c in found else _NONE for c in self.categories}
