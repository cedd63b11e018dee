"""Decides, per clause and per mention, whether something was done today (ConText-style scoping).

A cue governs the mentions nearest to it in its clause: "the left trapezius was injected and the right
levator is planned" keeps the trapezius and plans the levator. Clauses with no cue of their own take
the status of their lead-in ("The following were injected:") or of their section.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re

from tpicode.read.cues import Cues
from tpicode.read.hits import CueMatcher, Hits
from tpicode.read.text import DATE, Clause, Frame, blank_line_between, is_table_row, parse_date

_SECTION_DEFAULT = {
    "procedure": "today",
    "exam": "exam",
    "plan": "planned",
    "history": "history",
    "assessment": "other",
    "diagnosis": "other",
    "indication": "other",
    "medications": "other",
    "complications": "other",
    "response": "other",
    "consent": "other",
}
# "these were injected", "each of the three muscles", "all three muscles were needled" (not "which")
_ANAPHORA = re.compile(
    r"\b(?:these|those|them|the above|aforementioned|both|all|each)\b(?:\s+\w+){0,2}?\s*"
    r"(?:muscles|sites|points|trigger points|areas|locations|was|were|of these|of them|of the|have been)\b"
    r"|\b(?:the|these|all|both) (?:\w+ )?(?:muscles|trigger points)\b"
)
# (present tense too: published coding scenarios say "The physician injects ...", "performs TPI of ...")
_GENERIC_DONE = re.compile(
    r"\b(?:performed|performs|administered|administers|completed|delivered|given|placed|received|treated|done"
    r"|made|carried out|undertaken)\b"
)
_SPECIFIC_DONE = re.compile(
    r"\binject(?:ed|ing|s)\b|\binj(?:'?d)?\b(?!\s*:)|\binfiltrat(?:ed|ing|es)\b|\bneedled\b"
    r"|\b(?:used|needle|syringe) to inject\b"
    # "under real-time ultrasound a 22-gauge spinal needle is advanced in plane into the left gluteus minimus"
    r"|\bneedle is (?:then )?advanced (?:\w+ ){0,2}?into\b"  # (present tense: "was advanced" may have been aborted)
    r"|\b(?:given|administered|delivered|deposited) (?:\w+ ){0,2}?into\b"  # "Kenalog ... given into the trap"
    # "I used a 25-gauge 2-inch needle for three trigger points in the left gluteus medius"
    r"|\bused an? \d{2}[- ]?(?:gauge|g)\b[^.;]{0,40}\bneedle (?:for|at|into|in)\b"
)
_INJECTATE_HINT = re.compile(r"\b(?:\d+(?:\.\d+)?\s*(?:ml|cc)|inject\w*|mixed|mixture|sites?|trigger points?|tpi)\b|\d\s*%")
_DONE_VERB = re.compile(r"\b(?:injected|injects|needled|infiltrated|infiltrates)\b")
_NEG_JUST_BEFORE = re.compile(r"\b(?:not|no|never|nor)\s+(?:be\s+|been\s+|re-?)?$|re-$")


def _positive_done(low: str, verbs: list[tuple[int, int]]) -> bool:
    """An injection verb that is not itself negated ("injected with", not "was not injected")."""
    return any(not _NEG_JUST_BEFORE.search(low, max(0, x - 14), x) for x, _y in verbs)

_WORDS_ONLY = re.compile(r"[a-z' ]*")
_REPORTED = re.compile(r"\bthe (?:note|record|chart|claim) (?:says|states|documents|lists|reports) that\b")
_DISCUSSED_LABEL = re.compile(r"\b(?:discussed|discussion|options?|offered|proposed|planned)\b")
_GIVEN_LABEL = re.compile(r"(?:medications? |drugs? )?(?:given|administered|injected|used)$")
_NAMES_INJECTION = re.compile(r"\binject(?:ion|ions|ed)\b|\btpis?\b")
def _names_injection(info: ClauseInfo) -> bool:
    """The clause or its field label names an injection ("2) TPI after needling: R upper trapezius x2")."""
    return _NAMES_INJECTION.search(info.text) is not None or _NAMES_INJECTION.search(info.clause.field_label) is not None


_DRY_HEADING = re.compile(r"dry[- ]?needl|\bneedling\b|intramuscular stimulation|\bims\b|\btdn\b|\bfdn\b")
_MED_LIST_LABEL = re.compile(r"current|home|list|outpatient|active|prior to|reconcil")
_TAKEN_FORM = re.compile(r"\b(?:daily|bid|tid|qid|qhs|prn|po|tabs?|tablets?|caps(?:ules)?|patch(?:es)?|cream|gel|drops|inhaler)\b")
_SITE_AMOUNT = re.compile(r"\b\d+\s*(?:sites?|points?|injections?|tps?)\b|\bx\s?\d\b|\b\d+(?:\.\d+)?\s*(?:ml|cc)\b")
_BRACKETED = re.compile(r"\([^)]*\)")
_INJECTION_HEADING = re.compile(r"\binjections?\b|\binjected\b|\btpis?\b")
_SITE_TABLE = re.compile(r"inject|\btr?ps?\b|trigger points?|\bsites?\b.*\||^\s*sites?[ \t]{2,}muscles?\b")
_PROCEDURE_DETAIL = re.compile(
    r"\bconsent(?:ed)?\b|\bprepp?(?:ed)?\b|\bchlorhexidine\b|\bbetadine\b|\b\d+(?:\.\d+)?\s*-?\s*(?:g|ga|gauge)\b"
    r"|\bnegative aspiration\b|\baspiration negative\b|\bneg(?:ative)? asp\b|\bband-?aids?\b|\btolerated\b"
)
_AS_PLANNED = re.compile(r"\bas (?:previously )?(?:planned|scheduled)\b")
_PAST_TENSE_PLAN = re.compile(r"\b(?:was|were) (?:planned|scheduled|recommended)\b|\bas (?:previously )?(?:planned|scheduled)\b")


class ClauseInfo:
    """What one clause says about the procedure. A plain class: see text.Clause for why."""

    __slots__ = (
        "anaphora_done", "clause", "cues", "dry", "dry_at", "ends_colon", "nominal", "other_procedure",
        "site_field", "status", "text", "today", "tpi_words",
    )

    def __init__(
        self, clause: Clause, text: str, status: str, dry: bool, cues: list[tuple[int, int, str]],
        ends_colon: bool, anaphora_done: bool, site_field: bool, *, nominal: bool = False,
        today: bool = False, tpi_words: bool = False, other_procedure: bool = False, dry_at: int = -1,
    ) -> None:
        self.clause = clause
        self.text = text
        self.status = status  # today | exam | planned | history | attempted | other | unclear | nominal
        self.dry = dry
        self.cues = cues  # absolute spans of cues: done, future, history, attempted, exam
        self.ends_colon = ends_colon
        self.anaphora_done = anaphora_done
        self.site_field = site_field
        self.nominal = nominal
        self.today = today
        self.tpi_words = tpi_words
        self.other_procedure = other_procedure
        self.dry_at = dry_at  # where the clause's first dry-needling cue starts, or -1

    def __repr__(self) -> str:
        return f"ClauseInfo({self.clause!r}, {self.status!r}, {self.text!r})"


def cue_categories(cues: Cues) -> dict[str, list[str]]:
    """The cue lists this stage reads, by category (scanned together with the clinical ones)."""
    return {
            "other": [cues.other_procedures.pattern, cues.intramuscular.pattern],
            "nominal": [cues.nominal.pattern],
            "specific": [_SPECIFIC_DONE.pattern],
            "generic": [_GENERIC_DONE.pattern],
            "today": [cues.today.pattern],
            "future": [cues.future.pattern],
            "past_plan": [_PAST_TENSE_PLAN.pattern],
            "history": [cues.history.pattern],
            "attempted": [cues.attempted.pattern],
            "dry": [cues.dry_needling.pattern],
            "exam": [cues.exam.pattern],
            "negated_done": [cues.negated_done.pattern],
            "done_verb": [_DONE_VERB.pattern],
            "anaphora": [_ANAPHORA.pattern],
            "tpi_doc": [cues.tpi_document.pattern],
            "not_tpi_doc": [cues.non_tpi_document.pattern],
            "other_only": [cues.other_procedures.pattern],
        }


@functools.cache
def _matcher(cues: Cues) -> CueMatcher:
    return CueMatcher(cue_categories(cues))


class CueIndex:
    """Every cue's matches over the whole note, found in one pass (see read/hits.py), per clause.

    Each clause gets a dict of only the categories it has: most clauses have one or two.
    """

    def __init__(self, low: str, cues: Cues, clauses: tuple[Clause, ...], hits: dict[str, Hits] | None = None) -> None:
        h = hits if hits is not None else _matcher(cues).scan(low)
        starts = [c.start for c in clauses]
        self.per: list[dict[str, list[tuple[int, int]]]] = [{} for _ in clauses]
        for cat in _STATUS_CATEGORIES:
            for sp in h[cat].spans:
                i = bisect.bisect_right(starts, sp[0]) - 1
                if i >= 0 and sp[1] <= clauses[i].end:
                    self.per[i].setdefault(cat, []).append(sp)


_NO_SPANS: list[tuple[int, int]] = []  # shared, never mutated
_STATUS_CATEGORIES = (
    "other", "nominal", "specific", "generic", "today", "future", "past_plan", "history", "attempted",
    "dry", "exam", "negated_done", "done_verb", "anaphora", "tpi_doc", "other_only",
)


_ANY_DIGIT = re.compile(r"\d")


def _earlier_label(label: str, dos: dt.date) -> bool:
    """A field label dated before the date of service ("Procedure 04/29/2025:") heads that day's text."""
    if not label or _ANY_DIGIT.search(label) is None:
        return False
    return any(d is not None and d < dos for d in map(parse_date, DATE.finditer(label)))


def analyse(
    fr: Frame, cues: Cues, hits: dict[str, Hits] | None = None, dos: dt.date | None = None
) -> list[ClauseInfo]:
    """One ClauseInfo per clause, with lead-in and section inheritance resolved."""
    low = fr.low
    ix = CueIndex(low, cues, fr.clauses, hits)
    per = ix.per
    if dos is not None:
        _drop_today_dates(low, per, dos)
    infos: list[ClauseInfo] = []
    # "Medications: lidocaine 5 mL; Kenalog 40 mg": one injectate hint makes the whole line the injectate
    # (on the field's own line, not an item of a medication or allergy list below a heading: "- lidocaine 5% patch")
    med_headers = [hs for hs, he, kind in fr.headers if kind == "medications" and "allerg" not in low[hs:he]]
    # (nor the items under an ALLERGIES heading: "Triamcinolone (Kenalog) - hives after a knee injection")
    head_starts = [hs for hs, _he, _k in fr.headers]
    allergy_heads = {hs for hs, he, kind in fr.headers if "allerg" in low[hs:he]}
    hinted_lines = {
        cl.line for cl in fr.clauses
        if cl.section == "medications"
        and "allerg" not in cl.field_label
        and not (head_starts and _last_before(head_starts, cl.start) in allergy_heads)
        and (not cl.list_item or any(hs < cl.start and "\n" not in low[hs : cl.start] for hs in med_headers))
        and _INJECTATE_HINT.search(low, cl.start, cl.end)
        # (not a medication list: "Current Medications: omeprazole 20 mg daily; lidocaine 5% patch PRN; ...")
        and not _MED_LIST_LABEL.search(cl.field_label)
        and not _TAKEN_FORM.search(low, cl.start, cl.end)
    }
    for i, cl in enumerate(fr.clauses):
        if cl.section == "medications" and (cl.line in hinted_lines or _GIVEN_LABEL.match(cl.field_label)):
            # ("MEDICATIONS / Given: methylprednisolone acetate 40 mg/mL ...": a field of what was given)
            # "Meds: 2 cc 1% lidocaine + Kenalog-40 1 cc"
            cl = Clause(cl.start, cl.end, "procedure", cl.line, cl.list_item, cl.field_label)
        info = _classify(cl, low, per[i], cues)
        if (
            dos is not None and low[cl.start : cl.start + 1] in _ROW_OPENERS and info.status in ("today", "nominal", "unclear")
            and (opener := _ROW_LEAD.match(low, cl.start, cl.end)) is not None
            and (dm := DATE.match(low, opener.end(), cl.end)) is not None
            and _COLUMN_GAP.match(low, dm.end(), cl.end) is not None
        ):
            day = parse_date(dm)
            if day is not None and day < dos:
                info.status = "history"  # "10/21/2025   L QL, L iliocostalis   0.5% bupivacaine + Kenalog-40": a log's earlier row
        elif dos is not None and info.status in ("today", "nominal", "unclear") and _earlier_label(cl.field_label, dos):
            info.status = "history"  # "Procedure 04/29/2025 (carried forward): TPI R rhomboid major ...": that day's
        t = info.text
        if ("?" in t and t.rstrip().endswith("?")) or (" that" in t and _REPORTED.search(t)):
            info.status = "other"  # "Question: The note says that the gluteus medius was injected. Should ...?"
        infos.append(info)
    performed = any(i.status == "today" for i in infos)
    # a plan ("P: TPI. Consent. Alcohol prep. 25 g needle ...") that goes on to the procedure's details
    detailed: set[int] = set()
    for i, info in enumerate(infos):
        if info.clause.section == "plan" and _PROCEDURE_DETAIL.search(info.text):
            j = i
            while j >= 0 and infos[j].clause.section == "plan":
                detailed.add(j)
                j -= 1
            j = i + 1
            while j < len(infos) and infos[j].clause.section == "plan":
                detailed.add(j)
                j += 1
    # a bulleted list under an exam heading that carries the procedure's details ("- L lats x2",
    # "- 25g 1.5 in, neg asp each site", "- 1% lido 3 mL"): the list is the procedure
    listed: set[int] = set()
    for i, info in enumerate(infos):
        cl = info.clause
        if cl.section == "exam" and cl.list_item and i not in listed and _PROCEDURE_DETAIL.search(info.text):
            j = i
            while j >= 0 and infos[j].clause.section == "exam" and infos[j].clause.list_item:
                listed.add(j)
                j -= 1
            j = i + 1
            while j < len(infos) and infos[j].clause.section == "exam" and infos[j].clause.list_item:
                listed.add(j)
                j += 1
    lead: ClauseInfo | None = None
    lead_line = -1  # the line of the lead-in or of the last plain line it leads
    plain_run = False  # the lead-in leads plain lines (not list items): the first other line ends it
    prev_section = None
    section_done = False  # a plan ("P: TPI today ...") that reports the procedure done today
    for info in infos:
        label = info.clause.field_label
        if label and not info.dry and _DRY_HEADING.search(label) and not _INJECTION_HEADING.search(label):
            info.dry, info.dry_at = True, info.clause.start  # "1) Dry needling: ... into the right soleus"
    dry_lines = {info.clause.line for info in infos if info.dry}
    # a heading that names dry needling ("DRY NEEDLING (no injectate):") makes the plain items below it needled
    # (headings with nothing after them on their line, not field labels like "Needle: 25 g")
    head_starts = [
        hs for hs, he, _k in fr.headers
        if not _BRACKETED.sub("", _rest_of_line(low, he)).strip(" :\t")
    ]
    dry_heads = set()
    for hs, _he, _k in fr.headers:
        head = _rest_of_line(low, hs)
        if _DRY_HEADING.search(head) and not _INJECTION_HEADING.search(head):
            dry_heads.add(hs)  # (not "TRIGGER POINT INJECTIONS / DRY NEEDLING": that heads both)
    last_capitals = -1  # where the last capitals line that is a clause (no known heading) began
    items_dry = False  # the list items below are under a dry-needling lead-in
    items_line = -1
    exam_done = False  # an unlabelled line under the exam that says the injection was done today
    plan_done = False  # ... at any point (a later future cue does not undo the procedure's details)
    done_line = -1  # the line (paragraph) of the last clause saying the injection was done today
    done_dry = False  # ... and whether it was dry needling
    for idx, info in enumerate(infos):
        cl = info.clause
        if cl.section != prev_section:
            lead = None
            prev_section = cl.section
            section_done = False
        if info.site_field and info.status in ("nominal", "unclear", "exam") and _SITE_TABLE.search(info.text):
            info.status = "today"  # "Site | Side | # injections": a table of today's sites
        if info.status == "nominal":
            if cl.section in ("procedure", "none", "response", "complications"):
                info.status = "today" if (performed or cl.section in ("procedure", "none")) else "unclear"
            elif cl.section == "plan" and (info.today or idx in detailed):
                info.status = "today"  # "P: TPI today - four injections in the left gastrocnemius ..."
            elif idx in listed:
                info.status = "today"
            elif cl.section != "history" and info.today and _PROCEDURE_DETAIL.search(info.text):
                # under an exam heading: "TPI today, after consent and alcohol prep, 27 g needle: ..."
                info.status = "today"
            else:
                info.status = "unclear"
        if lead is not None and lead.status == "today" and not info.cues and info.status != "today" and _is_row_of(lead, info):
            info.status = "today"  # a row of today's site table, whatever section the template left open
        if exam_done and cl.section == "exam" and not cl.field_label and not cl.list_item and not info.cues and info.status in ("exam", "unclear"):
            info.status = "today"  # "Exam: ... / Trapezius and levator injected. / 1% lido 3 mL + dex 4 mg": the procedure's lines
        if info.status == "unclear":
            table_row = lead is not None and _is_row_of(lead, info)
            if cl.line == done_line:
                # the rest of a paragraph or item that says the procedure was done today is the procedure's:
                # "... I injected the right infraspinatus. A total of 1.5 cc of 2% lidocaine was used."
                # "- Dry needling, 0.30 mm needles, injectate: none. L upper trapezius, L levator scapulae."
                info.status = "today"
                info.dry = info.dry or (done_dry and not _names_injection(info))
            elif lead is not None and (cl.list_item or lead.clause.line == cl.line - 1 or lead.ends_colon or table_row):
                info.status = lead.status
                # ("2. Then trigger point injections into the same three muscles" after "1. Dry needling first")
                info.dry = info.dry or (lead.dry and not _names_injection(info))
            elif section_done or idx in listed or (plan_done and idx in detailed):
                # ("P: TPI x4: R upper trap x2 ... R anterior scalene deferred - will do next time.
                # 27g 1.25", neg asp. Kenalog-10 1 mL ...": the plan's details after a deferred muscle)
                info.status = "today"
            else:
                info.status = _SECTION_DEFAULT.get(cl.section, "unclear")
        if info.status == "today" and (info.nominal or any(k == "done" for _a, _b, k in info.cues)):
            done_line, done_dry = cl.line, info.dry
        elif info.status != "today":
            done_line = -1
        # "DRY NEEDLING (no injectate; 0.25 x 40 mm needles):" then "- Left supraspinatus": its items are needled
        if not cl.list_item and info.ends_colon:
            items_dry = cl.line in dry_lines
        elif not cl.list_item and cl.line != items_line:
            items_dry = False
        elif cl.list_item and items_dry and info.status == "today" and not info.cues and not _names_injection(info):
            info.dry = True
        capitals = bool(dry_heads) and fr.text[cl.start : cl.end].isupper()
        if (
            dry_heads and info.status == "today" and not info.cues and not info.dry and not capitals
            and not _names_injection(info)
        ):
            h = bisect.bisect_right(head_starts, cl.start) - 1
            while h > 0 and "  " in _rest_of_line(low, head_starts[h]).strip():
                h -= 1  # a table's column row ("Muscle     Side     Technique") is under the heading above it
            # (until a capitals line of another kind: "MANUAL / MODALITIES")
            if h >= 0 and head_starts[h] in dry_heads and last_capitals < head_starts[h]:
                info.dry = True
        if capitals:
            last_capitals = cl.start
        if not cl.list_item:
            items_line = cl.line
        if cl.section == "plan" and info.status == "today":
            section_done = plan_done = True
        if cl.section == "exam" and not cl.field_label and info.status == "today" and any(k == "done" for _a, _b, k in info.cues):
            exam_done = True
        elif cl.section != "exam" or cl.field_label:
            exam_done = False
        elif cl.section == "plan" and any(k == "future" for _a, _b, k in info.cues):
            section_done = False
        if info.ends_colon or (info.site_field and (not info.cues or is_table_row(info.text))):
            lead = info  # (a table's header row leads its rows even when it has a cue: "# injected")
            lead_line, plain_run = cl.line, False
        elif (
            lead is not None and lead.ends_colon and cl.line == lead_line + 1 and len(info.text) <= 60 and not info.cues
            and not cl.field_label and not cl.list_item
        ):
            lead_line, plain_run = cl.line, True  # "Tender, not injected today:" over plain lines "Piriformis" / "QL"
        elif plain_run or (not cl.list_item and not (lead is not None and _is_row_of(lead, info))):
            lead, plain_run = None, False  # table rows keep their header as lead-in
    for info in infos:
        if info.clause.section == "consent":
            info.status = "other"  # a consent form's list of what may be injected, with what
    _status_not_performed(low, infos)
    return infos


_NOT_PERFORMED = re.compile(r"\bnot (?:performed|done|completed)\b|\bcancell?ed\b|\bdeclined\b|\baborted\b|\bdeferred\b")


_PERFORMED_LABEL = re.compile(r"(?:procedure|tpis?|trigger point injections?|injections?)\s+(?:performed|done|completed)\??$")
_ANSWER_NO = re.compile(r"\s*(?:no|not performed|not done|none)\b")


def _status_not_performed(low: str, infos: list[ClauseInfo]) -> None:
    """A template's "Status: Not performed" field: the sites of its block were not injected. A form's
    "Procedure performed: [ ] Yes [x] No": nothing in the note was."""
    for info in infos:
        label = info.clause.field_label
        if label and ("perform" in label or "done" in label or "complet" in label) and _PERFORMED_LABEL.match(label) and _ANSWER_NO.match(info.text):
            for other in infos:
                if other.status in ("today", "nominal", "unclear"):
                    other.status = "negated"
            return
    for idx, info in enumerate(infos):
        if info.clause.field_label not in ("status", "procedure status") or not _NOT_PERFORMED.search(info.text):
            continue
        for step in (-1, 1):
            j = idx
            while 0 <= j + step < len(infos):
                a, b = (infos[j + step], infos[j]) if step < 0 else (infos[j], infos[j + step])
                if blank_line_between(low, a.clause.end, b.clause.start):
                    break
                j += step
                other = infos[j]
                if other.clause.section != info.clause.section:
                    break
                if other.status in ("today", "nominal", "unclear") and not any(k == "done" for _a, _b, k in other.cues):
                    other.status = "negated"


def _drop_today_dates(low: str, per: list[dict[str, list[tuple[int, int]]]], dos: dt.date) -> None:
    """ "injected on 05/13/2025" on the date of service is today, not history: drop that history cue."""
    for c in per:
        spans = c.get("history")
        if not spans:
            continue
        kept = []
        for a, b in spans:
            m = DATE.match(low, a + 3, b) if low.startswith("on ", a) else None  # (the "on <date>" cue)
            day = parse_date(m) if m is not None else None
            if day is None or day < dos:
                kept.append((a, b))
        if kept:
            c["history"] = kept
        else:
            del c["history"]


def _rest_of_line(low: str, pos: int) -> str:
    end = low.find("\n", pos)
    return low[pos : end if end >= 0 else len(low)]


def _is_row_of(lead: ClauseInfo, info: ClauseInfo) -> bool:
    """A row of the table whose header (or an earlier row) is `lead`: both are rows, on lines not far apart."""
    return (
        0 < info.clause.line - lead.clause.line <= 40
        and is_table_row(lead.text)
        and is_table_row(info.text)
    )


def _bracketed(low: str, a: int, b: int, x: int) -> bool:
    """`x` lies inside a bracketed remark of the clause `low[a:b]`."""
    opened = low.rfind("(", a, x)
    return opened >= 0 and low.rfind(")", a, x) < opened and low.find(")", x, b) >= 0


def _classify(cl: Clause, low: str, c: dict[str, list[tuple[int, int]]], cues: Cues) -> ClauseInfo:
    a, b = cl.start, cl.end
    s = low[a:b]
    found: list[tuple[int, int, str]] = []
    g = c.get  # a clause's dict holds only the categories it has (most clauses have none or one)
    other = "other" in c
    if other and (tpi := g("tpi_doc")) and all(_bracketed(low, a, b, x) and x > tpi[0][0] for x, _y in c["other"]):
        # "Trigger point injections, palpation guided (the ultrasound was used for the bursa only): ...":
        # the other procedure is named in a remark about this one
        other = False
        c = {kk: v for kk, v in c.items() if kk != "other_only"}
    site_field = cues.site_field.match(s) is not None  # its ^ anchors at the clause start
    nominal = "nominal" in c or site_field or _is_site_label(cl.field_label, cues)
    if spans := g("specific"):
        found += [(x, y, "done") for x, y in spans]
    if (spans := g("generic")) and (
        (nominal and cl.section not in ("assessment", "diagnosis", "history")) or cl.section == "procedure"
    ):
        found += [(x, y, "done") for x, y in spans]
    today = "today" in c
    # ("TPI today as planned": today's procedure; not "she was scheduled for TPI today, but declined")
    if (spans := g("future")) and not ("past_plan" in c and (found or (today and _AS_PLANNED.search(s) is not None))):
        found += [(x, y, "future") for x, y in spans]
    if (spans := g("history")) and not today:
        found += [(x, y, "history") for x, y in spans]
    if spans := g("attempted"):
        found += [(x, y, "attempted") for x, y in spans]
    # a done verb governed by an earlier future cue is part of the plan: "may consider injecting the QL"
    futures = [f for f in found if f[2] == "future"]
    if futures:
        found = [
            f for f in found
            if f[2] != "done" or not any(fs < f[0] and f[0] - fe < 40 for fs, fe, _k in futures)
        ]
    dry_hits = g("dry")
    dry = dry_hits is not None
    # (the name of dry needling says it was done, unless the clause plans, offers or recalls it: "we discussed
    # adding dry needling to the R SCM", "dry needling offered for the R SCM")
    if (
        dry_hits is not None and not any(f[2] in ("done", "future", "history", "attempted") for f in found)
        and not _DISCUSSED_LABEL.search(cl.field_label)  # ("Plan discussed: ... needling without injectate of ...")
    ):
        found.append((dry_hits[0][0], dry_hits[0][1], "done"))
    # "TPI L trap x2, 25 g, palpation, neg asp": in the procedure, palpation is the technique, not an exam
    # ("- Left medial pterygoid: 1 site, 1.5 mL (... at the palpated trigger point)": a site row, not an exam)
    site_row = cl.section == "procedure" and (cl.list_item or bool(cl.field_label)) and _SITE_AMOUNT.search(s) is not None
    if (spans := g("exam")) and not any(f[2] == "done" for f in found) and not (nominal and cl.section == "procedure") and not site_row:
        found += [(x, y, "exam") for x, y in spans]
    found.sort()
    if s.rstrip().endswith("?") and _QUESTION.match(s) and not _ANSWERED.match(low, b):
        # a quiz or scenario's question ("What procedure was performed?") reports nothing done
        found, nominal = [], False
    if other:
        status = "other"
    elif "negated_done" in c and not _positive_done(
        # (a verb inside the negation is not a positive one: "no medication was injected into the L rhomboid";
        # past a comma or bracket it is: "with no injectate, I dry needled", "(..., none wasted) was injected")
        low, [v for v in g("done_verb") or _NO_SPANS if not any(x <= v[0] < y and _WORDS_ONLY.fullmatch(low, x, v[0]) for x, y in c["negated_done"])]
    ):
        status = "negated"
    elif not found:
        status = "nominal" if nominal else "unclear"
    else:
        kinds = {f[2] for f in found}
        if kinds == {"exam"}:
            status = "exam"
        elif "done" in kinds and not kinds & {"future", "history", "attempted"}:
            status = "today"
        elif "done" in kinds and today and "attempted" not in kinds:
            status = "today"  # "a series of injections, which were performed today"
        elif "done" in kinds and b - a > 240:
            status = "mixed"  # a run-on note in one clause ("..., no prior TPI, exam ..., TPI b/l upper traps x2, ..."): each cue governs its part
        elif "history" in kinds and not kinds & {"future", "attempted"}:
            status = "history"  # "last month we injected the piriformis"
        else:
            status = "mixed"
    anaphora = status in ("today", "mixed", "nominal", "unclear") and "anaphora" in c
    return ClauseInfo(
        cl, s, status, dry, found, s.rstrip().endswith(":"), anaphora, site_field,
        nominal="nominal" in c, today=today, tpi_words="tpi_doc" in c,
        # (or under a heading that names one: "1. R knee intra-articular injection: ...; Kenalog 40 mg")
        other_procedure="other_only" in c or (bool(cl.field_label) and cues.other_procedures.search(cl.field_label) is not None),
        dry_at=dry_hits[0][0] if dry_hits is not None else -1,
    )


_QUESTION = re.compile(r"\s*(?:what|which|how|why|who|is|are|was|were|should|would|does|do|did|can|could|may)\b")
_ANSWERED = re.compile(r"[\s:]*(?:yes|no|y|n|\[x\]|☒|☑|✓|x)\b", re.IGNORECASE)


_ROW_OPENERS = frozenset("0123456789-*•| \t")
_ROW_LEAD = re.compile(r"[ \t]*(?:[-*•|]\s*)?")  # (a table row's date opens the row: text.DATE reads it)
_COLUMN_GAP = re.compile(r"[ \t]{2,}|[ \t]*\|")


def _last_before(starts: list[int], pos: int) -> int:
    i = bisect.bisect_right(starts, pos) - 1
    return starts[i] if i >= 0 else -1


def _is_site_label(label: str, cues: Cues) -> bool:
    return bool(label) and cues.site_field.match(label + ":") is not None


def mention_status(info: ClauseInfo, start: int, end: int) -> str:
    """The status of one mention: in a clause with mixed cues, the nearest cue decides."""
    if info.status != "mixed":
        return info.status
    best = None
    best_d = 1 << 30
    for cs, ce, kind in info.cues:
        if kind == "exam":
            continue
        d = start - ce if ce <= start else (cs - end if cs >= end else 0)
        if d < best_d:
            best, best_d = kind, d
    return {"done": "today", "future": "planned", "history": "history", "attempted": "attempted"}.get(
        best or "", "unclear"
    )


# a risk named in a consent ("Risks including ... brachial plexus block"), not a procedure done
RISK_WORD = re.compile(r"\b(?:risks?|complications?|side effects?)\b")
_NEGATION_WORD = re.compile(r"\b(?:no|not|never|without|declined|deferred)\b")
_LABEL_ACT = re.compile(r"\binjections?\b|\bblocks?\b|\baspiration\b")  # (not "Procedure details")
_PROCEDURE_ACT = re.compile(
    r"\binject|\bblock|\binfiltrat|\baspirat|\bchemodenervation|\bradiofrequency|\bablation|\bpreempt|\bbotox"
    r"|\barthrocentesis|\bepidural|\bprocedure|\bkenalog|\bdepo|\bsteroid|\bneurolysis|\binterlaminar|\btransforaminal|\btuohy|\bprolotherapy|\bprp\b|\bplatelet|\bfenestrat|\btenotomy"
)


# a field inside one item ("Injected: Depo-Medrol 80 mg ..."), not a new item's heading
_FIELD_OF_ITEM = re.compile(
    r"(?:injected|injectate|medications?|drugs?|dose|volume|needle|prep|position|guidance|technique|consent|time-?out|aspiration"
    r"|(?:skin )?local|anesthesia|(?:local )?anesthetic|codes?|cpt|levels?|approach|contrast|targets?|images?)$"  # ("Skin local:", "Codes:")
)


_PROCEDURE_NUMBER = re.compile(r"(?:procedure|proc|part)\s*#?\s*(\d{1,2})")
_ITEM_NUMBER = re.compile(r"(\d{1,2})[.)](?:\s|$)")


def _numbered_others(infos: list[ClauseInfo]) -> set[str]:
    """The numbers of a procedure list's items that name another procedure and not the TPI
    ("1. Chemodenervation of the left upper extremity ... 2. Trigger point injections ...")."""
    out: set[str] = set()
    for idx, info in enumerate(infos):
        m = _ITEM_NUMBER.match(info.text)
        if m is None or info.clause.section != "procedure":
            continue
        item = info
        if m.end() >= len(info.text.rstrip()) and idx + 1 < len(infos) and infos[idx + 1].clause.line == info.clause.line:
            item = infos[idx + 1]  # ("1." read as a clause of its own)
        if item.other_procedure and not item.tpi_words:
            out.add(m.group(1))
    return out


def other_procedure_context(infos: list[ClauseInfo]) -> set[int]:
    """Clauses that go on about another procedure done today (a knee injection, a nerve block), from the
    clause naming it until one names the TPI or the section changes: its sites and drugs are that procedure's."""
    out: set[int] = set()
    if not any(i.other_procedure for i in infos):
        return out
    active = False
    section = None
    label = ""
    numbered = _numbered_others(infos)
    for idx, info in enumerate(infos):
        cl = info.clause
        if cl.section != section or (cl.field_label != label and cl.field_label and not _FIELD_OF_ITEM.match(cl.field_label)):
            active = False  # a new section or a new item heading ("2. Trigger point injections: ...")
            if numbered and (nm := _PROCEDURE_NUMBER.fullmatch(cl.field_label)) and nm.group(1) in numbered:
                # "PROCEDURE 1: Consent on file. ..." under "PROCEDURES: 1. Chemodenervation ... 2. Trigger point ..."
                active = True
        section, label = cl.section, cl.field_label or label
        if info.tpi_words or info.dry:
            active = False
        elif (
            info.other_procedure and info.status in ("other", "today") and cl.section in ("procedure", "plan", "none", "exam")
            and not _NEGATION_WORD.search(info.text)  # "no bursa or joint injection was performed"
            and not RISK_WORD.search(info.text)  # "Risks including phrenic nerve and brachial plexus block were discussed"
            # (a procedure, not a landmark: "the margin of the left sacroiliac joint ... was identified")
            # (or its item heading does: "1. R first dorsal compartment injection (20550): ... into the tendon sheath")
            and (_PROCEDURE_ACT.search(info.text) is not None or _LABEL_ACT.search(cl.field_label) is not None)
        ):
            active = True
        if active:
            out.add(idx)
    return out
