"""Finds muscle, group and drug names in a note: Aho-Corasick for exact terms, bounded fuzzy for typos.

Aho-Corasick (pyahocorasick, C) matches thousands of terms in one pass over the text; rapidfuzz only
sees words no lexicon or cue knows, only against lexicon words with the same first letter and
nearly the same length, and its answers are cached, so a misspelling costs once per process.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import ahocorasick
from rapidfuzz import fuzz, process

from tpicode.knowledge import Knowledge
from tpicode.read.cues import Cues
from tpicode.read.hits import word_spaced
from tpicode.read.offsets import BackMap, rewrite

_WORD = re.compile(r"[a-z]{5,}")  # the words a typo is looked for in
_FUZZY_CACHE_MAX = 200_000
_FUZZY_MIN = 6  # shorter words are too easily another real word


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # "muscle" | "group" | "drug"
    id: str
    part: str | None
    term: str


class Mention:
    """A lexicon term found in the note. A plain class: see text.Clause for why. Never mutated."""

    __slots__ = ("end", "fuzzy", "id", "kind", "part", "start")

    def __init__(self, kind: str, id: str, part: str | None, start: int, end: int, fuzzy: bool) -> None:
        self.kind = kind
        self.id = id
        self.part = part
        self.start = start
        self.end = end
        self.fuzzy = fuzzy

    def __repr__(self) -> str:
        return f"Mention({self.kind!r}, {self.id!r}, {self.part!r}, {self.start}, {self.end}, {self.fuzzy})"


class Lexicon:
    """Every name the knowledge files give, compiled for matching."""

    def __init__(self, k: Knowledge, cues: Cues) -> None:
        self._low = ahocorasick.Automaton()
        terms: dict[str, Entry] = {}
        cased: dict[str, Entry] = {}

        def add(term: str, entry: Entry, plural: bool) -> None:
            variants = [term]
            if plural and term[-1].isalpha() and not term.endswith("s"):
                variants.append(term + "s")
            for v in variants:
                if v in terms and terms[v].id != entry.id:
                    continue  # ambiguous terms name nothing; the schema test reports them
                terms.setdefault(v, Entry(entry.kind, entry.id, entry.part, v))

        misspelled = {t for m in k.muscles.values() for t in m.misspellings}
        misspelled |= {t + "s" for t in misspelled if t[-1].isalpha() and not t.endswith("s")}
        for m in k.muscles.values():
            for t in (m.name, *m.synonyms, *m.abbreviations, *m.misspellings):
                add(t, Entry("muscle", m.id, None, t), plural=True)
            for part, pterms in m.parts.items():
                for t in pterms:
                    add(t, Entry("muscle", m.id, part, t), plural=True)
            for t in m.abbreviations_cased:
                cased[t] = Entry("muscle", m.id, None, t)
        for g in k.groups.values():
            for t in g.terms:
                add(t, Entry("group", g.id, None, t), plural=False)
        for d in k.drugs.values():
            for t in d.names:
                add(t, Entry("drug", d.id, None, t), plural=False)
            for t in d.names_cased:
                cased[t] = Entry("drug", d.id, None, t)

        # Searched in `word_spaced` text (read/hits.py): " term " is found only as a whole word. Terms
        # that differ only in punctuation share a key; `_whole_words` keeps the one the text spells.
        keyed: dict[str, list[Entry]] = {}
        for t, e in terms.items():
            keyed.setdefault(" " + word_spaced(t)[1:-1] + " ", []).append(e)
        for key, es in keyed.items():
            self._low.add_word(key, (len(key) - 2, tuple(es)))
        # the few case-sensitive abbreviations ("NS", "TrA") are found with str.find: cheaper than a pass
        self._cased = sorted(cased.items())
        self._low.make_automaton()

        words: set[str] = set()
        for t in terms:
            words.update(re.findall(r"[a-z]+", t))
        self._known = frozenset(words) | cues.not_misspellings
        # Typos are corrected only towards the correct spelling of a muscle or drug word (never towards a
        # listed misspelling or a region word), and only between words sharing their first two letters.
        canonical: set[str] = set()
        for m in k.muscles.values():
            for t in (m.name, *m.synonyms):
                canonical.update(re.findall(r"[a-z]+", t))
        for d in k.drugs.values():
            for t in d.names:
                canonical.update(re.findall(r"[a-z]+", t))
        by_prefix: dict[str, list[str]] = {}
        for w in canonical:
            if len(w) >= _FUZZY_MIN:
                by_prefix.setdefault(w[:2], []).append(w)
        self._by_prefix = {c: tuple(sorted(ws)) for c, ws in by_prefix.items()}
        self._fuzzy_cache: dict[str, str | None] = {}
        self._unfixable: set[str] = set()  # words of the cache with no correction: dropped in one C op
        # A word known only from a listed misspelling ("lumborem" of "iliocostalis lumborem") is still
        # corrected where it can be: "quadratus lumborem" must read as quadratus lumborum.
        spelled_right: set[str] = set()
        for t, e in terms.items():
            # (a one-word misspelling, "rhomboides", is a whole term of its own: keep it)
            if e.kind != "muscle" or t not in misspelled or " " not in t:
                spelled_right.update(re.findall(r"[a-z]+", t))
        only_misspelled = {w for w in words - spelled_right - cues.not_misspellings if self._correct(w) is not None}
        self._known = self._known - only_misspelled
        self._fuzzy_cache.clear()
        self._unfixable.clear()
        # Speech recognition splits a name into sound-alike words ("mass eater", "infra spin atus", "lido
        # cane"): in dictated notes, runs of 2-4 words are compared, spaces removed and spelled by sound,
        # with the names' sound keys (muscles' names, synonyms and parts; drugs' names).
        self._joined: dict[str, Entry] = {}
        for t, e in terms.items():
            if e.kind == "group" or len(t) < 7 or (e.kind == "muscle" and t in misspelled):
                continue
            self._joined.setdefault(sound_key(t), e)
        by_first: dict[str, list[str]] = {}
        for key in self._joined:
            by_first.setdefault(key[0], []).append(key)
        self._joined_by_first = {c: tuple(ks) for c, ks in by_first.items()}
        self._joined_cache: dict[str, str | None] = {}
        heads = {t.split()[0] for t, e in terms.items() if e.kind == "muscle" and len(t) > 2}
        self.heads = frozenset(heads | {"~" + h[:4] for h in heads if len(h) >= 6})  # ("~infr": a name's opening)

    def _correct(self, word: str) -> str | None:
        hit = self._fuzzy_cache.get(word, "")
        if hit != "":
            return hit
        best: str | None = None
        best_score = 0.0
        n = len(word)
        cutoff = 84.0 if n >= 8 else 88.0
        for cand in self._by_prefix.get(word[:2], ()) if n >= _FUZZY_MIN else ():
            if abs(len(cand) - n) > 2:
                continue
            score = fuzz.ratio(word, cand, score_cutoff=cutoff)
            if score > best_score:
                best, best_score = cand, score
        if len(self._fuzzy_cache) >= _FUZZY_CACHE_MAX:
            self._fuzzy_cache.clear()
            self._unfixable.clear()
        self._fuzzy_cache[word] = best
        if best is None:
            self._unfixable.add(word)
        return best

    def _joined_match(self, key: str) -> str | None:
        hit = self._joined_cache.get(key, "")
        if hit != "":
            return hit
        best: str | None = key if key in self._joined else None
        if best is None:
            cutoff = 85.0 if len(key) >= 10 else 88.0
            got = process.extractOne(
                key, [c for c in self._joined_by_first.get(key[0], ()) if abs(len(c) - len(key)) <= 2],
                scorer=fuzz.ratio, score_cutoff=cutoff,
            )
            best = got[0] if got else None
        if len(self._joined_cache) >= _FUZZY_CACHE_MAX:
            self._joined_cache.clear()
        self._joined_cache[key] = best
        return best

    def _split_names(self, low: str, taken: list[Mention]) -> list[Mention]:
        """Names a dictation split into words ("mass eater" = masseter), outside the names already found."""
        words = [(m.start(), m.end(), m.group()) for m in _ANY_WORD.finditer(low)]
        busy = [(m.start, m.end, m.id) for m in taken]
        out: list[Mention] = []
        i = 0
        n = len(words)
        while i < n:
            a, _b, first = words[i]
            hit = None
            if first not in _NOT_NAME_START:
                for j in range(min(n - 1, i + 3), i, -1):  # the longest run first
                    if words[j][2] in _NOT_NAME_END or any(low[words[x][1] : words[x + 1][0]] != " " for x in range(i, j)):
                        continue
                    end = words[j][1]
                    inside = [x for x in busy if x[0] < end and a < x[1]]
                    if any(x[0] <= a or x[1] > end for x in inside):
                        continue  # (a run that starts on a name already found adds nothing to it)
                    key = sound_key("".join(w for _s, _e, w in words[i : j + 1]))
                    if len(key) < 7:
                        continue
                    found = self._joined_match(key)
                    # ("Sell A Stone Soluspan": a run may take in a name of the same drug)
                    if found is not None and all(x[2] == self._joined[found].id for x in inside):
                        hit = (j, self._joined[found])
                        break
            if hit is None:
                i += 1
                continue
            j, entry = hit
            out.append(Mention(entry.kind, entry.id, entry.part, a, words[j][1], True))
            i = j + 1
        return out

    def find(self, text: str, low: str, dictated: bool = False) -> list[Mention]:
        """Longest non-overlapping whole-word matches, in text order, with offsets into `text`."""
        fixes: list[tuple[int, int, str]] = []
        spaced = word_spaced(low)
        unknown = set(_WORD.findall(low)) - self._known - self._unfixable  # (faster than splitting `spaced`)
        wanted = {w: f for w in unknown if (f := self._correct(w)) is not None}
        if wanted:
            for m in _WORD.finditer(low):
                fixed = wanted.get(m.group())
                if fixed is not None:
                    fixes.append((m.start(), m.end(), fixed))
        if fixes:
            target, back_map = rewrite(low, fixes)
            back: BackMap | None = back_map
        else:
            target, back = low, None
        found: list[Mention] = []
        for start, end, e in _whole_words(self._low, target, spaced if back is None else None):
            if back is None:
                found.append(Mention(e.kind, e.id, e.part, start, end, False))
            else:
                s, e_, fuzzy = back(start, end)
                found.append(Mention(e.kind, e.id, e.part, s, e_, fuzzy))
        tn = len(text)
        for term, e in self._cased:
            i = text.find(term)
            while i >= 0:
                j = i + len(term)
                if (i == 0 or not text[i - 1].isalnum()) and (j >= tn or not text[j].isalnum()):
                    found.append(Mention(e.kind, e.id, e.part, i, j, False))
                i = text.find(term, i + 1)
        if dictated:
            found.extend(self._split_names(low, found))
        if "(" in text and found:
            found.extend(_defined_abbreviations(text, found))
        if not found:
            return found
        found.sort(key=lambda x: (x.start, -(x.end - x.start)))
        out: list[Mention] = []
        last_end = -1
        for mt in found:
            if mt.start >= last_end:
                out.append(mt)
                last_end = mt.end
        return out


# "R levator scapulae (LS)": an abbreviation the note defines for a muscle it has just named
_DEFINED = re.compile(r"\(([A-Z][A-Z0-9]{1,4})\)")
_NOT_DEFINED = frozenset({"PT", "OT", "MD", "DO", "NP", "PA", "ROM", "TP", "TPI", "TPS", "TPIS", "LTR", "HEP", "MPS", "BL", "LT", "RT", "DN", "US"})


def _defined_abbreviations(text: str, found: list[Mention]) -> list[Mention]:
    """Every later use of an abbreviation the note defines right after a muscle's name, as that muscle."""
    defined = list(_DEFINED.finditer(text))
    if not defined:
        return []
    ends = {m.end: m for m in found if m.kind == "muscle"}
    added: list[Mention] = []
    tn = len(text)
    for dm in defined:
        named = ends.get(dm.start()) or ends.get(dm.start() - 1)
        term = dm.group(1)
        if named is None or term in _NOT_DEFINED:
            continue
        i = text.find(term, dm.end())
        while i >= 0:
            j = i + len(term)
            if (i == 0 or not text[i - 1].isalnum()) and (j >= tn or not text[j].isalnum()):
                added.append(Mention(named.kind, named.id, named.part, i, j, False))
            i = text.find(term, j)
    return added


_ANY_WORD = re.compile(r"[a-z]+")
_NOT_NAME_START = frozenset(
    ["the", "a", "an", "of", "and", "or", "with", "in", "at", "to", "on", "for", "by", "is", "was", "were", "left", "right", "l", "r", "lt", "rt", "bilateral", "both", "side", "sided", "then"]
)
_NOT_NAME_END = frozenset(["the", "a", "an", "of", "and", "or", "with", "in", "at", "to", "on", "for", "by", "then"])
_SOUNDS = (
    (re.compile(r"^wr"), "r"),  # ("wrecked us femoris": a silent w)
    (re.compile(r"ph"), "f"), (re.compile(r"rh"), "r"), (re.compile(r"c(?=[eiy])"), "s"), (re.compile(r"ck|c|q"), "k"),
    (re.compile(r"y"), "i"), (re.compile(r"z"), "s"), (re.compile(r"ae"), "e"), (re.compile(r"(.)\1+"), r"\1"),
)


def sound_key(term: str) -> str:
    """A name as it sounds, without spaces: "Rhomboid major" and "rom boyd major" share "romboidmajor"."""
    s = re.sub(r"[^a-z]", "", term.lower())
    for pat, rep in _SOUNDS:
        s = pat.sub(rep, s)
    return s


def _whole_words(ac: ahocorasick.Automaton, text: str, spaced: str | None = None) -> list[tuple[int, int, Entry]]:
    """(start, end, entry) of every term standing as a whole word in `text`, overlapping ones too."""
    out = []
    for end, (n, entries) in ac.iter(spaced if spaced is not None else word_spaced(text)):
        start = end - n - 1  # the key's trailing space, less the term, less the spaced text's lead space
        for e in entries:
            if text.startswith(e.term, start):  # "upper-trap" is not the term "upper trap"
                out.append((start, start + n, e))
                break
    return out


_CORRECTION_WORDS = ("correct", "mean", "scratch", "strike", "make ", "sorry", "addend", "error", "erroneous")


def corrects_anything(low: str, correction: re.Pattern[str]) -> bool:
    """Whether the note has any correction cue (a substring test first: most notes have none). Asked once
    per note by read_note, which hands the answer to the readers."""
    return any(w in low for w in _CORRECTION_WORDS) and correction.search(low) is not None


def corrected_later(low: str, ms: list[Mention], i: int, correction: re.Pattern[str]) -> bool:
    """ "the right piriformis, correction, that was the left piriformis": mention i is replaced by a later
    mention of the same name (one of the next two) after a correction word."""
    m = ms[i]
    if any(o.id == m.id and correction.search(low, m.end, o.start) for o in ms[i + 1 : i + 3]):
        return True
    # "the right vastus medialis, correction, the right vastus lateralis": the next name, right after it
    if i + 1 < len(ms) and ms[i + 1].kind == m.kind:
        gap = low[m.end : ms[i + 1].start]
        return len(gap) <= 40 and not _GAP_BREAK.search(gap) and correction.search(gap) is not None
    return False


_GAP_BREAK = re.compile(r"[.;:\n]|\b(?:also|additional|and|plus|addendum)\b")


@functools.cache
def lexicon_for(k: Knowledge, cues: Cues) -> Lexicon:
    return Lexicon(k, cues)
