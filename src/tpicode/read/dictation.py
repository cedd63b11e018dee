"""Undoes speech-recognition habits: "period" -> ".", "forty" -> "40", "one percent" -> "1 %".

Dictated notes arrive with spoken punctuation ("... a year period diagnosis ...") and numbers and units
as words ("two cc's of one percent lidocaine"). The reader works on the rewritten text; the map it gets
back turns every span it finds into a span of the note itself.
"""

from __future__ import annotations

import re

import ahocorasick

from tpicode.read.hits import word_spaced
from tpicode.read.offsets import BackMap, Edit, clean, rewrite

_UNITS = {
    0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
    9: "nine", 10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen", 15: "fifteen",
    16: "sixteen", 17: "seventeen", 18: "eighteen", 19: "nineteen",
}
_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety"}
_WORD_VALUE = {w: n for n, w in {**_UNITS, **_TENS}.items()}
_WORD_VALUE["fourty"] = 40
_NUMWORD = r"(?:" + "|".join(sorted(_WORD_VALUE, key=len, reverse=True)) + r")"
_DIGIT = r"(?:zero|one|two|three|four|five|six|seven|eight|nine)"
# "one hundred", "twenty five", "forty-five", "one and a half", "one point five", "a half", "a quarter"
_NUMBER = re.compile(
    r"(?<![a-z])(?P<num>"
    # "half a cc", "one half cc" -> "0.5 cc" (before the plain numbers, so "one half" is not "1 0.5")
    r"(?:one |a )?(?:half|quarter)(?: (?:of a|a|an))?(?= (?:cc|ml|percent|%|milliliter|mil|mg|milligram))|"
    r"(?:" + _DIGIT + r" ){2,}" + _DIGIT + r"(?![ -](?:hundred|point|and|" + _NUMWORD + r")\b)|"  # "nine nine two one four"
    r"(?:" + _NUMWORD + r"(?:[ -]" + _NUMWORD + r")?(?: hundred(?: (?:and )?" + _NUMWORD + r"(?:[ -]" + _NUMWORD + r")?)?)?"
    r"(?: and (?:a |one )?(?:half|quarter))?(?: point " + _NUMWORD + r"(?: " + _NUMWORD + r"){0,3})?)"
    # "point five mils": a spoken decimal without its leading zero, before a unit
    r"|point " + _NUMWORD + r"(?: " + _NUMWORD + r")?(?= (?:of a )?(?:cc|ml|mil|percent|%|milliliter|mg|milligram))"
    r")(?![a-z])"
)
_PUNCT = (
    (re.compile(r"(?<=[a-z0-9)]) (?P<w>period|full stop)(?= [a-z]|\s*$|\s*\n)(?! of)"), "."),
    (re.compile(r"(?<=[a-z0-9)]) (?P<w>comma)(?= |\s*$)"), ","),
    (re.compile(r"(?<=[a-z0-9)]) (?P<w>semicolon)(?= |\s*$)"), ";"),
    (
        re.compile(
            r"\b(?:procedure(?: (?:number )?(?:one|two|three|four|five|[1-5]))?|indications?|impression|assessment|plan|diagnos[ie]s|exam|medications?|findings|history"
            r"|hpi|objective|subjective|technique|sites|muscles(?: injected)?|allerg(?:y|ies)|injectate|medications? given"
            r"|response|complications) (?P<w>colon)(?= )"
        ),
        ":",
    ),
)
_BREAKS = re.compile(
    r"(?<![a-z])(new paragraph|next paragraph|new line|next line"
    r"|number (?:one|two|three|four|five|six|seven|eight|nine|ten)(?= [a-z]+(?: [a-z]+)? colon))(?![a-z])"
)
_UNIT_WORDS = re.compile(
    r"(?P<u>percent|per cent|milligrams?|milliliters?|millilitres?|cc's|ccs|mils|mil|cc|mls)(?![a-z])"
)
_UNIT_TO = {
    "percent": "%", "per cent": "%", "milligram": "mg", "milligrams": "mg", "milliliter": "ml",
    "milliliters": "ml", "millilitre": "ml", "millilitres": "ml", "cc's": "cc", "ccs": "cc", "mils": "ml",
    "cc": "cc", "mls": "ml", "mil": "ml",
}
_ICD_LETTER_BEFORE = re.compile(r"(?<![a-z0-9])[b-tv-z] $")  # (not "a": "is a seventy year old")
_ICD_STEM = re.compile(r"\d\d(?:\.\d{1,4})?")
_TAB = re.compile("\t")
_EXPORT_ROW = re.compile(r'^[ \t]*(?:"[^"\n]*"(?:,"[^"\n]*"){2,}|[^;\n]{1,60}(?:;[^;\n]{0,60}){3,})[ \t]*$', re.MULTILINE)
_QUOTED_SEP = re.compile(r'^[ \t]*"|","|"[ \t]*$')
_SEMI_SEP = re.compile(r"[ \t]*;[ \t]*")
_WRITE_LIFT = re.compile(r"\b(write|lift)[ -]+([a-z]+)")
_SIDE_NEXT = frozenset({"side", "sided", "upper", "lower", "middle", "mid", "anterior", "posterior", "medial", "lateral"})
_BY_LATERAL = re.compile(r"\bby lateral(?=(?:ly)?\b)")
_NUMBER_BEFORE = re.compile(r"(?:\d|\b" + _NUMWORD + r") $")
_OUT_OF = re.compile(r"\b(?:\d{1,2}|" + _NUMWORD + r")\s+(?P<w>out of)\s+(?=(?:10|ten)\b)")
_PUNCT_WORDS = {"period", "full", "comma", "semicolon", "colon"}
_PUNCT_GATES = ({"period", "stop"}, {"comma"}, {"semicolon"}, {"colon"})
_BREAK_GATE = {"new", "next", "number"}
_NUMBER_GATE = set(_WORD_VALUE) | {"half", "quarter", "hundred", "point"}
_UNIT_GATE = {"percent", "cent", "milligram", "milligrams", "milliliter", "milliliters", "millilitre", "millilitres", "ccs", "mils", "mls", "cc", "mil"}


def _spoken_value(words: str) -> str | None:
    parts = words.replace("-", " ").split()
    if len(parts) >= 2 and parts[0] in ("one", "a") and parts[1] in ("half", "quarter"):
        return "0.5" if parts[1] == "half" else "0.25"  # "one half cc", "a quarter of a cc"
    if len(parts) >= 3 and all(_WORD_VALUE.get(w, 10) < 10 for w in parts):
        return "".join(str(_WORD_VALUE[w]) for w in parts)  # a code read digit by digit: "nine nine two one four"
    if len(parts) >= 2 and parts[0] == "zero" and _WORD_VALUE.get(parts[1], 10) < 10:
        # "R zero seven point eight nine": an ICD-10 code's leading zero is kept (R07.89)
        head, _point, tail = " ".join(parts).partition(" point ")
        digits = "".join(str(_WORD_VALUE.get(w, "")) for w in head.split())
        frac = "".join(str(_WORD_VALUE.get(w, "")) for w in tail.split())
        return f"{digits}.{frac}" if frac else digits
    total = 0.0
    current = 0.0
    frac = ""
    i = 0
    seen = False
    while i < len(parts):
        w = parts[i]
        if w in _WORD_VALUE:
            current += _WORD_VALUE[w]
            seen = True
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in ("half", "quarter") and not seen:
            return "0.5" if w == "half" else "0.25"
        elif w == "and" and i + 1 < len(parts) and parts[-1] in ("half", "quarter"):
            total += current + (0.5 if parts[-1] == "half" else 0.25)
            return f"{total:g}"
        elif w == "point":
            frac = "".join(str(_WORD_VALUE.get(x, "")) for x in parts[i + 1 :])
            break
        elif w in ("and", "a", "one"):
            pass
        else:
            return None
        i += 1
    value = total + current
    text = f"{value:g}"
    return f"{text}.{frac}" if frac else text


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
_ORDINAL_DAY = {
    w: i
    for i, w in enumerate(
        [
            "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
            "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
            "twentieth",
        ],
        1,
    )
}
_ORDINAL_DAY.update({f"twenty {w}": 20 + i for w, i in _ORDINAL_DAY.items() if i < 10})
_ORDINAL_DAY.update({"thirtieth": 30, "thirty first": 31})
_YEAR_TAIL = {w: n for n, w in _UNITS.items() if n} | {w: n for n, w in _TENS.items() if n < 40}
# A spoken date: "march fourth", "september twenty third of twenty twenty four", "october seventh twenty
# twenty five", "june first two thousand twenty five" (the day an ordinal, the year optional)
_SPOKEN_DATE = re.compile(
    r"(?P<mon>" + "|".join(_MONTH_NAMES) + r") (?P<day>"
    + "|".join(sorted((k.replace(" ", "[ -]") for k in _ORDINAL_DAY), key=len, reverse=True))
    + r")(?![a-z])(?:,? (?:of )?(?P<year>(?:twenty|two thousand(?: and)?) (?:"
    + "|".join(sorted((k for k in _YEAR_TAIL), key=len, reverse=True))
    + r")(?:[ -](?:one|two|three|four|five|six|seven|eight|nine))?)(?![a-z]))?"
)


def _spoken_date(m: re.Match[str]) -> str:
    """ "september twenty third of twenty twenty four" -> "september 23, 2024"; no year -> "september 23"."""
    day = _ORDINAL_DAY[m.group("day").replace("-", " ")]
    out = f"{m.group('mon')} {day}"
    if m.group("year"):
        head, *rest = m.group("year").replace("-", " ").replace(" and", "").split()
        words = rest[1:] if head == "two" else rest  # ("two thousand ...": drop "thousand")
        tail = sum(_YEAR_TAIL.get(w, 0) for w in words)
        out += f", {2000 + tail}"
    return out


_UNCHECKED = re.compile(r"(?:\[\s\]|\(\s\)|☐)[ \t]*(?P<item>(?:(?! {2,}|#|\t|\( \))[^\[\]☐☑☒\n|,;])*)")
_ANY_BOX = re.compile(r"\[[ x✓✔*]?\]|\([ x✓✔*]\)|[☐☑☒]")
_CHECKED = re.compile(r"\[[x✓✔*]\]|\([x✓✔*]\)|[☑☒]")
_PREVIOUS_NOTE = re.compile(r"(?:previous|prior|last) (?:procedure|visit|tpi) note")
# ("PREVIOUS PROCEDURE NOTE (10/22/2024) - imported for reference: ... END OF PREVIOUS PROCEDURE NOTE")
_COPIED = re.compile(
    r"^[ \t\-=*#\[(]*(?:(?:copied|carried forward|copy forward|pasted|imported|attached for reference|attached (?:prior|previous|old|earlier))(?: (?:from|of)?|\]|:)|(?:from (?:the )?[\d/]+ (?:visit|note|session)|prior note|previous note|last time)[ \t]*:[ \t]*$|(?:previous|prior|last) (?:procedure|visit|tpi) note\b)"
    r"[^\n]*$\n?(?P<body>(?:^(?![ \t\-=*#\[(]*end (?:of )?(?:cop|carried|previous|prior|last|imported|attached)).*\n?)*?)"
    r"(?:^[ \t\-=*#\[(]*end (?:of )?(?:cop|carried|previous|prior|last|imported|attached)[^\n]*$|\Z|(?=^\s*$))",
    re.MULTILINE,
)


_QUOTED_RUN = re.compile(r"(?:^[ \t]*>[ \t][^\n]*(?:\n|$)){2,}", re.MULTILINE)
_ANY_FORM = re.compile(r"[\[(☐☑☒]|\.\.\.|___|cop(?:ied|y)|carried")
_LEADERS = re.compile(r"\.{3,}|_{3,}")


_TRIGGERS = frozenset(_NUMBER_GATE | _UNIT_GATE | _PUNCT_WORDS | _BREAK_GATE | {"out"} | set(_MONTH_NAMES))


_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _trigger_automaton(spaced: bool) -> ahocorasick.Automaton:
    ac = ahocorasick.Automaton()
    for w in _TRIGGERS:
        ac.add_word(f" {w} " if spaced else w, w)
    ac.make_automaton()
    return ac


_TRIGGER_AC = _trigger_automaton(spaced=False)
_TRIGGER_AC_SPACED = _trigger_automaton(spaced=True)  # whole words only, in `word_spaced` text


def _trigger_words(low: str) -> list[tuple[int, str]]:
    """(start, word) of each trigger standing as a whole word, in text order: one C pass for all."""
    if low.isascii():  # then "not a letter or digit" is exactly "not [a-z0-9]"
        return [(end - len(w) - 1, w) for end, w in _TRIGGER_AC_SPACED.iter(word_spaced(low))]
    n = len(low)
    found = []
    for end, w in _TRIGGER_AC.iter(low):
        a = end - len(w) + 1
        if (a and low[a - 1] in _ASCII_ALNUM) or (end + 1 < n and low[end + 1] in _ASCII_ALNUM):
            continue
        found.append((a, w))
    found.sort()
    return found


def _drop_repeated_lines(low: str) -> str:
    """A long line pasted twice word for word ("PROCEDURE: ... injected with 8 mL ..." again): the copy is blanked,
    so that nothing in it is counted twice."""
    seen: set[str] = set()
    dup: list[tuple[int, int]] = []
    pos = 0
    for line in low.split("\n"):
        key = line.strip()
        if len(key) >= 80:
            if key in seen:
                dup.append((pos, pos + len(line)))
            seen.add(key)
        pos += len(line) + 1
    if not dup:
        return low
    buf = list(low)
    for a, b in dup:
        buf[a:b] = " " * (b - a)
    return "".join(buf)


def unchecked_and_quoted(low: str) -> str:
    """Blank what a form leaves unticked ("[ ] Right") and text copied forward from an older note.

    Both are in the note but are not today's documentation; blanking keeps every offset.
    """
    low = _drop_repeated_lines(low)
    boxes = "[" in low or "( )" in low or "☐" in low or "☑" in low or "☒" in low
    leaders = "..." in low or "___" in low
    quoted = "> " in low and _QUOTED_RUN.search(low) is not None
    copied = (
        quoted or "copied" in low or "copy forward" in low or "attached" in low or "last time:" in low
        or ("from " in low and " visit:" in low) or "carried" in low or "pasted" in low or "imported" in low
        or ("note" in low and ("prior note:" in low or "previous note:" in low or _PREVIOUS_NOTE.search(low) is not None))
    )
    if not (boxes or leaders or copied):
        return low
    buf = list(low)
    if boxes:
        for m in _UNCHECKED.finditer(low):
            end = m.end()
            bol = low.rfind("\n", 0, m.start()) + 1
            eol = low.find("\n", end)
            eol = len(low) if eol < 0 else eol
            if not low[bol : m.start()].strip() and not _ANY_BOX.search(low, end, eol):
                end = eol  # one box to a line ("[ ] M79.18   Myofascial pain syndrome"): the whole line is its item
            buf[m.start() : end] = " " * (end - m.start())
        for m in _CHECKED.finditer(low):
            buf[m.start() : m.end()] = " " * (m.end() - m.start())
    if leaders:
        for m in _LEADERS.finditer(low):
            buf[m.start() : m.end()] = " " * (m.end() - m.start())  # "Upper trapezius ........ [x] Left"
    if quoted:
        for m in _QUOTED_RUN.finditer(low):  # "> PROCEDURE: ..." lines quoted from another note
            a, b = m.start(), m.end()
            buf[a:b] = ["\n" if c == "\n" else " " for c in low[a:b]]
    if copied:
        for m in _COPIED.finditer(low):
            a, b = m.start(), m.end()
            buf[a:b] = ["\n" if c == "\n" else " " for c in low[a:b]]
    return "".join(buf)


def normalize(text: str, low: str, heads: frozenset[str] | None = None) -> tuple[str, str, BackMap | None]:
    """The note (and its lowercase) with unticked boxes and copied text blanked and dictation undone.

    Returns the rewritten text, its lowercase, and the map from its offsets back to the note's
    (None when nothing was rewritten, so offsets are the note's own).
    """
    low = unchecked_and_quoted(low)
    # Only the words that can start a spoken form are looked at, each with one anchored match: a
    # full-text scan per pattern would cost more than all the rest of the reader.
    edits: list[Edit] = []
    if "\t" in low:  # a tab-separated export: a tab is a column gap, as a run of spaces is in aligned text
        edits += [(t.start(), t.end(), "   ") for t in _TAB.finditer(low)]
    if '","' in low or low.count(";") >= 6:  # (two rows of three separators at least)
        # a CSV or semicolon export ("\"gluteus medius\",\"r\",\"1\"", "upper trapezius;left;2;2.0"): its
        # separators become column gaps, as in a table aligned with spaces
        # (only a table: two or more rows in a row with as many separators, not a line of prose with semicolons)
        rows = [(x, x.group().count('","') if x.group().lstrip().startswith('"') else x.group().count(";")) for x in _EXPORT_ROW.finditer(low)]
        for i, (x, n) in enumerate(rows):
            near = [r for r in rows[max(0, i - 1) : i + 2] if r[0] is not x]
            if not any(r[1] == n and (r[0].end() + 1 == x.start() or x.end() + 1 == r[0].start()) for r in near):
                continue
            row = x.group()
            quoted = row.lstrip().startswith('"')
            for sm in (_QUOTED_SEP if quoted else _SEMI_SEP).finditer(row):
                edits.append((x.start() + sm.start(), x.start() + sm.end(), "   "))
    if "by lat" in low:  # speech recognition's "by lateral" for "bilateral"
        edits += [(m.start(), m.end(), "bilateral") for m in _BY_LATERAL.finditer(low)]
    if heads is not None and ("write" in low or "lift" in low):
        # a dictation's "write upper trapezius", "lift piriformis": a side before a muscle's name
        for wm in _WRITE_LIFT.finditer(low):
            nxt = wm.group(2)
            # (or the first sounds of one split by the dictation: "write infra spin atus")
            if nxt in heads or nxt in _SIDE_NEXT or (len(nxt) >= 4 and "~" + nxt[:4] in heads):
                edits.append((wm.start(1), wm.end(1), "right" if wm.group(1) == "write" else "left"))
    covered = -1
    starts = _trigger_words(low)
    if not starts and not edits:
        return text, low, None
    for a, w in starts:
        if a < covered:
            continue
        if w in _MONTH_NAMES:
            dm = _SPOKEN_DATE.match(low, a)
            if dm is not None:
                edits.append((dm.start(), dm.end(), _spoken_date(dm)))
                covered = dm.end()
        elif w in _NUMBER_GATE:
            m = _NUMBER.match(low, a)
            if m is not None:
                value = _spoken_value(m.group("num"))
                if value is not None:
                    start = m.start("num")
                    if _ICD_LETTER_BEFORE.search(low, max(0, start - 3), start) and _ICD_STEM.fullmatch(value):
                        start -= 1  # "R zero seven point eight nine" -> "R07.89": the code's letter and digits join
                    edits.append((start, m.end("num"), value))
                    covered = m.end("num")
            if w in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"):
                om = _OUT_OF.match(low, a)
                if om is not None:
                    edits.append((om.start("w"), om.end("w"), "/"))
        elif w in _UNIT_GATE:
            um = _UNIT_WORDS.match(low, a)
            if w == "mil" and not (low.endswith("per ", 0, a) or _NUMBER_BEFORE.search(low, max(0, a - 24), a)):
                continue  # "per mil", "two mil": a millilitre; not any other "mil"
            if um is not None and a and (low[a - 1].isdigit() or low[a - 1] == " "):
                edits.append((um.start("u"), um.end("u"), _UNIT_TO[um.group("u")]))
        elif w in _PUNCT_WORDS and a:
            for pat, mark in _PUNCT:
                # anchored just before the word; the colon pattern needs the header word before it
                pm = pat.match(low, a - 1) if mark != ":" else pat.search(low, max(0, a - 40), min(len(low), a + 12))
                if pm is not None and pm.start("w") == a:
                    edits.append((pm.start("w"), pm.end("w"), mark))
                    break
        elif w in _BREAK_GATE:
            bm = _BREAKS.match(low, a)
            if bm is not None:
                edits.append((bm.start(1), bm.end(1), "\n"))
        elif w == "out":
            om = _OUT_OF.search(low, max(0, a - 6), a + 12)
            if om is not None and om.start("w") == a:
                edits.append((om.start("w"), om.end("w"), "/"))
    edits = clean([e for e in edits if low[e[0] : e[1]] != e[2]])
    if not edits:
        return text, low, None
    new_low, back = rewrite(low, edits)
    new_text, _ = rewrite(text, edits)
    return new_text, new_low, back
