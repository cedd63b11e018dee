"""Splits a note into sections and clauses with character offsets, the frame every later fact hangs on.

Written by hand rather than with medspaCy's sectionizer and PyRuSH: notes here need only line-level
headers and sentence/clause breaks, and a regex pass costs microseconds where a spaCy Doc costs
milliseconds (our budget is under one millisecond per note; see benchmarks/).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from tpicode.read.cues import Cues

SectionKind = str  # procedure, exam, plan, assessment, history, medications, diagnosis, indication, ...

# Headers of these kinds with text on the same line are one-line fields, not new sections.
_FIELD_KINDS = frozenset({"indication", "diagnosis", "complications", "response", "medications"})
_HEADER = re.compile(
    r"[ \t]*(?:[-*•#>]+[ \t]*|\d{1,2}[.)][ \t]+)?([A-Za-z][A-Za-z0-9 /&'()\-]{0,48}?|[A-Za-z][A-Za-z /&'\-]{0,30}\([^()\n:\d]{0,40}\))[ \t]*:(?!\d)"
)
# "Procedure 1 - R subacromial bursa injection, landmark guided:", "Procedure (consent signed, prone, palpation
# guided):": a procedure heading too long or too punctuated for _HEADER; its description stays the section's text
_PROC_HEADER = re.compile(
    r"[ \t]*(?:[-*•#>]+[ \t]*|\d{1,2}[.)][ \t]+)?(procedures?(?: \d{1,2}| note)?)[ \t]*(?:[-–(,][^:\n]{0,110})?:(?!\d)"
    r"|[ \t]*(?:[-*•#>]+[ \t]*)?(procedures? \d{1,2})[ \t]*[-–][ \t]*[a-z][^:\n.;]{0,60}$",  # ("Procedure 2 - Dry needling (no injectate)")
    re.IGNORECASE,
)
# ("B. DRY NEEDLING (solid filament needle, no injectate)": a lettered or numbered capitals heading too)
_CAPS_LINE = re.compile(r"[ \t]*(?:[A-H1-9][.)][ \t]+)?([A-Z][A-Z /&'\-]{2,48}[A-Z])[ \t]*(?:\([^()\n]{0,80}\)[ \t]*)?:?[ \t]*$")
# A short title line with no sentence punctuation ("TPI - procedure note", "Trigger point injection").
_TITLE_LINE = re.compile(r"[ \t]*([A-Za-z][A-Za-z /&'()\-]{2,38}[A-Za-z)])[ \t]*$")
_PROCEDURE_LINE = re.compile(
    # (after a nurse's timestamp: "0940 TPI by Dr Okafor: ...")
    r"[ \t]*(?:(?:[01]\d|2[0-3]):?[0-5]\d[ \t]+)?(?:tpis?|trigger[- ]point injections?)\b(?![ \t]*(?:hx|history|was|were|is|are|not|declined|deferred|recommended|discussed|considered|planned|offered|candidate|in the past|previously|before|\())",
    re.IGNORECASE,
)
_LEAVES_EXAM = re.compile(
    r"[ \t]*(?:(?:[01]?\d|2[0-3]):[0-5]\d[ \t]+|(?:(?:written|verbal|informed)[ \t]+)?consent(?:[ \t]+(?:was[ \t]+)?(?:signed|obtained|given)|[ \t]*[;,]|[ \t]*:[ \t]*(?:signed|obtained|given|written|verbal|yes)\b))",
    re.IGNORECASE,
)
_CAPS_PROCEDURE = re.compile(r"[ \t]*(?:TRIGGER POINT (?:INJECTIONS?|DRY NEEDLING)|DRY NEEDLING|TRP-?DN)\b(?! (?:HISTORY|HX)\b)")
_SIDE_LABELS = frozenset({"right", "left", "bilateral", "r", "l", "rt", "lt", "b/l", "bilat"})
_SITE_COUNT = re.compile(r"#\s*\d|\bx\s*\d|\(\d{1,2}\)|\b\d{1,2}\s*(?:sites?|injections?|points?)\b")
_CONSENT_HEADING = re.compile(r"\s*(?:informed |patient |written |procedure )?consent\b(?! (?:signed|obtained|given|done))")
_ADDENDUM_LINE = re.compile(r"[ \t]*(?:addendum|late entry|correction)\b")
_BULLET = re.compile(r"[ \t]*(?:[-*•>]+|\d{1,2}[.)])[ \t]+")
# Sentence ends: . ! ? ; followed by space/end, but not after a lone letter ("L. trapezius") or a
# common abbreviation ("Dr.", "approx.").
_SENT_END = re.compile(r"[.!?;](?=\s|$)")
_ABBREV_BEFORE = re.compile(
    r"(?:^|[^a-z])(?:[a-z]|dr|mr|mrs|ms|vs|approx|e\.g|i\.e|pt|st|no|etc|inc|b\.i\.d|t\.i\.d|p\.o)$"
)


class Clause:
    """A sentence or clause: the scope of a side, a negation or a tense cue.

    A plain class, not a dataclass: one is built per clause, and mypyc compiles this __init__ while a
    dataclass's is generated at run time (about 4x the cost). Never mutated.
    """

    __slots__ = ("end", "field_label", "line", "list_item", "section", "start")

    def __init__(
        self, start: int, end: int, section: SectionKind, line: int, list_item: bool, field_label: str
    ) -> None:
        self.start = start
        self.end = end
        self.section = section
        self.line = line
        self.list_item = list_item
        self.field_label = field_label  # the "Sites" in "Sites: left trapezius", lowercased, or ""

    def astuple(self) -> tuple[int, int, SectionKind, int, bool, str]:
        return (self.start, self.end, self.section, self.line, self.list_item, self.field_label)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Clause) and self.astuple() == other.astuple()

    def __hash__(self) -> int:
        return hash(self.astuple())

    def __repr__(self) -> str:
        return f"Clause{self.astuple()!r}"


_ABBREV_WORDS = frozenset({"dr", "mr", "mrs", "ms", "vs", "approx", "pt", "st", "no", "etc", "inc"})
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")


def _may_be_abbreviation(low: str, i: int) -> bool:
    """False when _ABBREV_BEFORE cannot match before the period at i: a cheap test run first.

    Its words are single letters ("L.", "e.g.") or the listed ones, each standing alone.
    """
    if i and low[i - 1] == "\n":
        return True  # (the regex's $ also matches before a final newline: let it decide)
    j = i
    while j > 0 and low[j - 1] in _LOWER:
        j -= 1
    return i - j == 1 or low[j:i] in _ABBREV_WORDS


@dataclass(frozen=True, slots=True)
class Frame:
    text: str
    low: str
    clauses: tuple[Clause, ...]
    headers: tuple[tuple[int, int, SectionKind], ...]  # (start, end, kind) of each recognised header


def blank_line_between(low: str, a: int, b: int) -> bool:
    """A blank line (only spaces or tabs on it) lies between offsets a and b: the end of a block or table."""
    return "\n\n" in low[a:b].replace(" ", "").replace("\t", "")


def is_table_row(text: str) -> bool:
    """A table row: pipes, or columns aligned with runs of spaces or tabs (string tests: this runs often)."""
    return "|" in text or "\t" in text or "  " in text.strip()


# A negation just before a word ("no prior", "not had", "without any"): shared by the readers' local checks
NEGATED_JUST_BEFORE = re.compile(r"\b(?:no|not|without|never|nor)\s+(?:\w+\s+){0,2}$")

# Dates as notes write them: 2025-03-04, 3/4/25, 03/04/2025, March 4, 2025
DATE = re.compile(
    r"\b(?P<iso>(?:19|20)\d\d-\d\d-\d\d)\b|\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2}|\d{4})\b"
    r"|\b(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? (?P<md>\d{1,2})(?:st|nd|rd|th)?,? (?P<my>(?:19|20)\d\d)\b"
)
# A month and day with no year ("on March 4 and June 10"): read only where an earlier session is named
MONTH_DAY = re.compile(
    r"\b(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)\.? (?P<md>\d{1,2})(?:st|nd|rd|th)?\b(?!,? (?:19|20)\d\d)(?![ \t]*(?:[/:%.]\d|mg|ml|cc|sites?|units?))"
)
_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTHS["sept"] = 9


def parse_date(m: re.Match[str]) -> dt.date | None:
    """The date a DATE match names, or None for an impossible one (13/45/2025)."""
    try:
        if m.group("iso"):
            return dt.date.fromisoformat(m.group("iso"))
        if m.group("m"):
            y = int(m.group("y"))
            y = y + 2000 if y < 100 else y
            return dt.date(y, int(m.group("m")), int(m.group("d")))
        if m.group("mon"):
            mon = m.group("mon")
            return dt.date(int(m.group("my")), _MONTHS["sept" if mon.startswith("sept") else mon[:3]], int(m.group("md")))
    except (ValueError, KeyError):
        return None
    return None


def dates_in(text: str, before: dt.date) -> list[tuple[dt.date, int, int]]:
    """Each date in text with its span; a month and day without a year is the latest such day on or before `before`."""
    found: list[tuple[dt.date, int, int]] = []
    for m in DATE.finditer(text):
        d = parse_date(m)
        if d is not None:
            found.append((d, m.start(), m.end()))
    if not any(c.isdigit() for c in text):
        return found
    for m in MONTH_DAY.finditer(text):
        if any(a <= m.start() < b for _d, a, b in found):
            continue
        mon = m.group("mon")
        month = _MONTHS["sept" if mon.startswith("sept") else mon[:3]]
        for year in (before.year, before.year - 1):
            try:
                d = dt.date(year, month, int(m.group("md")))
            except ValueError:
                continue
            if d <= before:
                found.append((d, m.start(), m.end()))
                break
    return found


def lower_same_length(text: str) -> str:
    """Lowercase without changing offsets (a few Unicode letters grow when lowercased)."""
    if text.isascii():
        return text.lower()
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@cache
def _section_of(label: str, cues: Cues) -> SectionKind | None:
    label = " ".join(label.lower().split())
    for kind, pattern in cues.sections:
        if pattern.search(label):
            return kind
    return None


def frame(text: str, cues: Cues, low: str | None = None) -> Frame:
    """`low` may be given already lowercased and normalised (same length as `text`); lines come from it."""
    if low is None:
        low = lower_same_length(text)
    clauses: list[Clause] = []
    headers: list[tuple[int, int, SectionKind]] = []
    section: SectionKind = "none"
    outer: SectionKind | None = None  # the section to return to after a one-line field header
    inline_assessment = False  # an "Impression: ..." header with its text on its line: it ends at a blank line
    pos = 0
    line_no = 0
    n = len(text)
    pending: list[tuple[int, int, bool, str]] = []  # wrapped lines of one block

    def flush() -> None:
        if not pending:
            return
        b_start = pending[0][0]
        b_end = pending[-1][1]
        list_item = pending[0][2]
        label = pending[0][3]
        _split_block(low, b_start, b_end, section, line_no, list_item, label, clauses)
        pending.clear()

    while pos <= n:
        nl = low.find("\n", pos)
        if nl < 0:
            nl = n
        line_start, line_end = pos, nl
        pos = nl + 1
        line_no += 1
        raw = text[line_start:line_end]
        if not raw.strip():
            flush()
            if inline_assessment:
                # "Impression: myofascial pain ... (M79.18)." then a paragraph of its own: the impression has ended
                section, inline_assessment = "none", False
            if nl >= n:
                break
            continue
        if outer is not None:
            flush()
            section, outer = outer, None
        content_start = line_start
        label = ""
        header_label = ""  # a recognised header's words stay with the text after it on its line
        # cheap tests first: a header has a colon, a capitals line no lower-case letter, a title is short
        m = _HEADER.match(raw) if ":" in raw else None
        pm = _PROC_HEADER.match(raw) if m is None and ("rocedure" in raw or "ROCEDURE" in raw) else None
        if pm is not None:
            flush()
            section = "procedure"
            g = 1 if pm.group(1) else 2
            # (a title line's header runs to the line's end: it heads what follows, as a bare heading does)
            headers.append((line_start + pm.start(g), line_start + (pm.end(g) if g == 1 else len(raw.rstrip())), "procedure"))
            content_start = line_start + pm.end(g)
            header_label = pm.group(g).lower()
        # ("PRIOR TPI SESSIONS (this clinic)": a capitals heading with a note in brackets)
        caps = None if m or (raw.upper() != raw and not raw.rstrip().rstrip(":").endswith(")")) else _CAPS_LINE.match(raw)
        if section == "exam" and _LEAVES_EXAM.match(raw):
            # "13:55  Consent signed." after the exam: a procedure log's lines, "Consent: signed. Prep: ...": the
            # procedure has begun
            flush()
            section = "procedure"
        if m:
            kind = _section_of(m.group(1), cues)
            if kind == "medications" and section == "procedure" and raw[m.end() :].strip() and "allerg" not in m.group(1).lower():
                kind = "procedure"  # "Medication: Triamcinolone (Kenalog-40)" among a procedure's fields is its injectate
            if kind is not None and _CONSENT_HEADING.match(m.group(1).lower()) and not raw[m.end() :].strip():
                kind = "consent"  # "INFORMED CONSENT - TRIGGER POINT INJECTIONS:": a form's text of what may be done
            if kind is not None:
                flush()
                if raw[m.end() :].strip() and (kind in _FIELD_KINDS or _BULLET.match(raw)):
                    outer = section
                if kind == "assessment" and raw[m.end() :].strip() and outer is None:
                    inline_assessment = True
                else:
                    inline_assessment = False
                section = kind
                headers.append((line_start + m.start(1), line_start + m.end(1), kind))
                content_start = line_start + m.end()
                header_label = m.group(1).lower()
            else:
                label = m.group(1).lower()
                if label.strip() in _SIDE_LABELS and _SITE_COUNT.search(raw, m.end()):
                    # "Right: vastus lateralis #2, rectus femoris #1": a side's list of sites, whatever the section
                    flush()
                    outer, section = section, "procedure"
        elif pm is not None:
            pass
        elif caps or (len(raw.strip()) <= 40 and _TITLE_LINE.match(raw)):
            caps = caps or _TITLE_LINE.match(raw)
            assert caps is not None
            kind = _section_of(caps.group(1), cues)
            if kind not in ("procedure", "medications") and not _CAPS_LINE.match(raw):
                kind = None  # a short mixed-case line is a header only when it names the procedure or a med list
            if kind is not None and _CONSENT_HEADING.match(caps.group(1).lower()):
                kind = "consent"  # "CONSENT FOR TRIGGER POINT INJECTION (pre-printed form)": what may be done, not what was
            if kind is not None:
                flush()
                section = kind
                headers.append((line_start + caps.start(1), line_start + caps.end(1), kind))
                content_start = line_end
        elif _CAPS_PROCEDURE.match(raw) and section != "procedure":
            # "DRY NEEDLING (TrP-DN, solid filament, no injectate)   Needles: ...": a capitals title that
            # opens the procedure, with the form's fields after it on its line
            flush()
            section = "procedure"
        elif _ADDENDUM_LINE.match(low, line_start, line_end):
            # "LATE ENTRY - entered 10/23/2024 08:12 for date of service 10/22/2024 (same physician): ...":
            # too long for a header, but it opens an amendment of the procedure note
            flush()
            section = "procedure"
            headers.append((line_start, line_start + len(raw) - len(raw.lstrip()) + 10, "procedure"))
        elif section in ("exam", "none") and _PROCEDURE_LINE.match(raw):
            # "Exam: taut bands ... / TPI L upper trap x2, L lev scap x1.": a line that opens with the
            # procedure's name (and no verb of planning) leaves the exam for the procedure
            flush()
            section = "procedure"
        bullet = _BULLET.match(raw)
        is_item = bullet is not None or bool(label)
        continues = raw.lstrip()[:1].islower()  # a hard-wrapped sentence goes on in lower case
        if (
            is_item
            or label
            or (pending and (_ends_block(text, pending[-1][1]) or not continues))
            or content_start != line_start
        ):
            flush()
        if content_start < line_end and text[content_start:line_end].strip():
            pending.append((content_start, line_end, is_item, label or header_label))
            if is_item:
                flush()
        if nl >= n:
            break
    flush()
    return Frame(text=text, low=low, clauses=tuple(clauses), headers=tuple(headers))


def _ends_block(text: str, end: int) -> bool:
    """A line that ends a sentence or a field ends the block; a hard-wrapped line does not."""
    i = end
    while i and text[i - 1].isspace():  # (not text[:end].rstrip(): that copies the note per line)
        i -= 1
    return not i or text[i - 1] in ".:;!?|" or i - text.rfind("\n", 0, i) < 56


def _split_block(
    low: str, start: int, end: int, section: SectionKind, line: int, list_item: bool, label: str,
    out: list[Clause],
) -> None:
    seg_start = start
    block = low[start:end]
    emit = _emit if any(w in block for w in _BREAK_WORDS) else _emit_one
    for m in _SENT_END.finditer(low, start, end):
        i = m.start()
        if low[i] == "." and _may_be_abbreviation(low, i) and _ABBREV_BEFORE.search(low, max(start, i - 8), i):
            continue
        emit(low, seg_start, i + 1, section, line, list_item, label, out)
        seg_start = i + 1
    emit(low, seg_start, end, section, line, list_item, label, out)


_BREAK_WORDS = ("but", "how", "though", "where", "except", "and then,")  # a cheap literal pre-check
_MAY_BREAK = re.compile("|".join(_BREAK_WORDS))
# (", and then, with a new prep ..., trigger point injections": one run-on sentence doing two procedures)
_CLAUSE_BREAK = re.compile(r",?\s+(?=(?:but|however|although|though|whereas|except that)\b)|,\s+(?=and then,)")


def _emit(
    low: str, start: int, end: int, section: SectionKind, line: int, list_item: bool, label: str,
    out: list[Clause],
) -> None:
    """One clause per sentence, split again before "but"/"however" so cues do not leak across them."""
    pos = start
    if _MAY_BREAK.search(low, start, end):
        for m in _CLAUSE_BREAK.finditer(low, start, end):
            _emit_one(low, pos, m.start(), section, line, list_item, label, out)
            pos = m.end()
    _emit_one(low, pos, end, section, line, list_item, label, out)


def _emit_one(
    low: str, start: int, end: int, section: SectionKind, line: int, list_item: bool, label: str,
    out: list[Clause],
) -> None:
    seg = low[start:end]
    stripped = seg.strip()
    if stripped:
        start += len(seg) - len(seg.lstrip())
        out.append(Clause(start, start + len(stripped), section, line, list_item, label))
