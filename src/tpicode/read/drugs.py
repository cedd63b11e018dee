"""Finds each injectate given today with its concentration, volume and dose, as notes write them.

Handles "2 mL of 1% lidocaine", "Kenalog 40 mg", "Kenalog-40 0.5 mL", "40 mg/mL 1 mL", "1:1
lidocaine/bupivacaine 10 mL", and "0.5 mL at each of 4 sites". No library parses these dosage forms
out of procedure prose (medspaCy's targets find the drug name only), so the grammar lives here.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from tpicode.knowledge import Knowledge
from tpicode.read.cues import Cues
from tpicode.read.facts import DrugFact, MuscleFact
from tpicode.read.lexicon import Mention, corrected_later
from tpicode.read.status import ClauseInfo, mention_status
from tpicode.read.text import is_table_row

_NUM = r"(\d+(?:\.\d+)?|\.\d+|one|two|three|four|five|six|seven|eight|nine|ten|half an?|a half|1/2)"
_WORDS = {
    "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0, "seven": 7.0,
    "eight": 8.0, "nine": 9.0, "ten": 10.0, "half a": 0.5, "half an": 0.5, "a half": 0.5, "1/2": 0.5,
}
_AMOUNT = re.compile(
    r"(?=[\d.otfsenha])(?:"  # every amount starts with a digit, a point or a number word: fail fast elsewhere
    r"(?P<pct>(?<![\d.])(?:\d+(?:\.\d+)?|\.\d+))\s*%"
    r"|(?P<mgml>\d+(?:\.\d+)?)\s*(?:mg|milligrams?)\s*(?:/|per)\s*(?:1\s*)?(?:ml|cc)\b"
    r"|(?P<uml>\d+(?:\.\d+)?\s*(?:units?|u)\s*(?:/|per)\s*(?:\d*\.?\d+\s*)?(?:ml|cc))\b"
    r"|(?P<vol>" + _NUM + r")\s*(?:ml|cc|ccs|cc's|milliliters?|millilitres?)(?![a-z])"
    r"|(?P<mg>\d+(?:\.\d+)?)\s*(?:mg|milligrams?)(?![a-z/])"
    r"|(?P<units>\d+(?:\.\d+)?)(?:\s*|-)(?:units?|iu|u)(?![a-z/])(?!\s*of\s+j\d)(?!\s*(?:per|/))"
    r")"
)
_RECONSTITUTED = re.compile(r"\b(?:reconstitut\w*|reconst\.?|diluted|mixed)\s+(?:\w+\s+)?(?:with|in)\s+(\d+(?:\.\d+)?)\s*(?:ml|cc)\b")
_VIAL_ONLY = re.compile(r"\s*(?:single|multi(?:ple)?)[- ]?(?:dose|use)\s+vials?\b")  # "Single-dose vial; entire vial used"
_CONTAINER_BEFORE = re.compile(r"(?:vials?|syringes?|ampoules?|ampules?)\s*(?:\(\s*|(?:of\s+)?)$")  # "single-dose vial (1 mL)", "multi-dose vial 5 mL"
_PER_ONE_ML = re.compile(r"\d+(?:\.\d+)?\s*(?:mg|milligrams?)\s*/\s*1\s*(?:ml|cc)\b")
_BRAND_NUMBER = re.compile(r"[\s\-]?(\d{2,3})\b(?!\s*(?:mg|ml|cc|%|units?|/|\.\d))")
_EQUIVALENT = re.compile(r"(?:ml|cc|mg|%|units?)\s*(?:total)?\s*[(=]\s*$")
_MIXED = re.compile(r"\bmix(?:ed|ture)?\b|\bcombined\b|\bsolution\b|\bcocktail\b|\binjectate\b")
_AFTER_NAME_GAP = re.compile(
    r"[\s:(\-]*(?:\((?:preservative[- ]free|pf|mpf|plain|hcl|[\d.]+\s*%)\)[\s,]*)?(?:\d+(?:\.\d+)?\s*%[\s,]*|hcl\s*|plain\s*)?"
    r"(?:\((?:preservative[- ]free|pf|mpf|plain|hcl)\)[\s,]*)?"  # ("ropivacaine 0.5% (preservative-free) 6 mL")
)
_PER_WHAT = re.compile(r"\s*(?:per|each|apiece|/)\b")


# compiled once here: an inline re.search(pattern, ...) pays a cache lookup per call
_NOT_GIVEN_BEFORE = re.compile(
    r"\b(?:no|not|without|declined|held|deferred|avoid(?:s|ed|ing)?|instead of|rather than|in place of)\s+(?:\w+\s+){0,2}$"
)
_ERROR_WORDS = re.compile(r"\bin error\b|\bincorrect\b|\bwrong\b|\berroneous")
_DRAWN_NOT_GIVEN = re.compile(r"[-–,;(]\s*(?:drawn up|prepared)[,;]?\s+(?:but\s+)?not (?:given|used|injected|administered)\b")
# "Injection #2", "Site 3": the head of a form's block for one site
_BLOCK_HEAD = re.compile(r"(?:site|injection|location|trigger point|tp|muscle)\s*#?\s*(?:\d{1,2}|[a-h])\b")
_WAS_NOT_GIVEN = re.compile(r"\s+(?:was|were)\s+(?:not|never)\s+(?:given|used|injected|administered|drawn up)\b")
_FIELD_SAYS_NOT = re.compile(
    r"\s*(?:\([^)]{0,30}\)\s*)?:\s*(?:held|deferred|declined|refused|omitted|skipped|not (?:given|used|done|injected|administered))\b"
)
_INTOLERANCE_AFTER = re.compile(r"\s*(?:\([^)]{0,30}\)\s*)?(?:(?:and|or|/|,)\s*[a-z-]+\s+)?(?:intolerances?|allerg(?:y|ies)|sensitivit(?:y|ies)|reactions?)\b")
_POINTS_FORWARD = re.compile(r"[\d.\s]*(?:%|mg|ml|cc|units?)?\s*[^a-z\s]{0,3}\s*(?:of|with)\b")
_AMOUNT_GAP = re.compile(r"[\s,]*(?:of\s+)?[a-z%.\d\s-]{0,25}")

def _vol_end(low: str, pos: int) -> int:
    m = _AMOUNT.match(low, pos)
    return m.end() if m else pos


_EQ_MIX_TOTAL = re.compile(r"\s*=\s*(\d+(?:\.\d+)?)\s*(?:ml|cc)\b")
_MIXED_WITH = re.compile(r"\b(?:mixed|combined|drawn up) with\b")
_OF_GAP = re.compile(r"[\s\-]*(?:of\s+(?:the\s+|a\s+)?)?")
_RATIO = re.compile(r"\b(\d+)\s*:\s*(\d+)\b")
_EQUAL_PARTS = re.compile(r"\bequal (?:parts|volumes|amounts)\b|\b50/50\b|\bhalf and half\b")
_EACH_OF = re.compile(
    r"\b(?:each|ea\.?) of (?:the |these |those )?(?P<n>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\b"
)
_PER_SITE = re.compile(  # (not "aspiration before each injection": that is when, not how much)
    r"\b(?:per|at each|@ ?(?:each|ea\.?)|into each|in each|to each|for each|(?<!before )(?<!after )(?<!prior to )(?<!following )each)\s+(?:of the\s+)?(?:injection\s+)?"
    r"(?P<what>sites?|trigger points?|points?|muscles?|locations?|injections?|tps?|areas?|sides?)\b"
    r"|\b(?:were|was|are) each\b|\beach (?P<verb>received|was injected|were injected)\b"
    r"|\b(?:ml|cc) (?:to |into |in )?each\b|\b(?:ml|cc) apiece\b|\beach\s*(?:[.,;)]|$)"
)
_SITES_TOTAL = re.compile(r"\d+\s+(?:sites|points|trigger points|injections)\s+total\b|\btotal (?:of )?\d+\s+(?:sites|points|trigger points|injections)\b")
_EACH_RECEIVED = re.compile(r"each (?:received|got|was injected with|were injected with)\b")
_K_SITES = re.compile(r"\b(?P<k>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+(?:separate\s+|different\s+|total\s+)?(?:sites|trigger points|points|locations|injections)\b")
# "The 2 quadratus lumborum sites also each received ...": a count of one muscle's sites
_K_NAMED_SITES = re.compile(
    r"\b(?P<k>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+(?:(?!ml\b|cc\b|mg\b|units?\b|of\b|to\b|in\b|into\b)[a-z]+\s+){1,3}?(?:sites|trigger points|points)\b"
)
# ("1 mL vial", not "Volume: 1 mL      Vial: multi-dose", a field of its own)
_CONTAINER = re.compile(r"(?:[ \t]?-?[ \t]?)(?:single[- ]dose |multi[- ]dose |glass |plastic )?(?:vials?|syringes?|bottles?|ampoules?|ampules?|amps?|cartridges?)\b(?![ \t]*:[ \t]*\S)")
_DISCARDED = re.compile(r"\s*(?:\([^)]{0,15}\)\s*)?(?:was |were |is |are )?(?:discarded|wasted|left over|remaining)\b")
_UNITS_PER = re.compile(r"(\d+(?:\.\d+)?)\s*(?:units?|u)\s*(?:/|per)\s*(\d*\.?\d+)?")
_TOTAL = re.compile(r"\btotals?\b")
_SUM_EQUALS = re.compile(r"\+[^=;]*=\s*$")
_TOTAL_AFTER = re.compile(r"\s*(?:\([^)]{0,15}\)\s*)?(?:in )?total\b|\s*=(?!\s*\d+(?:\.\d+)?\s*(?:mg|units?)\b)|\s*(?:in all|altogether)\b")
_TOTAL_BEFORE = re.compile(r"\btotal(?: of)?(?: (?:volume|injectate|injected|amount|dose|solution))?\s*(?:of\s+)?$")
_INTO_SITE = re.compile(r"\s*(?:of [^,;]{0,30}?)?(?:was |were )?(?:injected )?(?:into|to|in|at)\s+(?:the\s+)?(?:left|right|l|r|lt|rt|bilateral|each)?\b")
_WASTED = re.compile(
    r"(?<![\d.])(?P<a>\d+/\d+|\d+(?:\.\d+)?|\.\d+)\s*(?P<u>mg|units?|ml|cc)\s*(?:\([^)]{0,15}\)\s*|,\s*\d+(?:\.\d+)?\s*(?:mg|units?)\s*,\s*)?\s(?:of\s+(?:the\s+)?[a-z-]+\s+)?(?:(?:in|from) the vial\s+)?(?:was |were |is |are )?(?:wasted|discarded)(?!\s*:)"  # (not "Given: 1 mL (10 mg)   Wasted: none")
    r"|(?:wasted|discarded|waste of)\s*:?\s*(?P<b>\d+(?:\.\d+)?)\s*(?P<v>mg|units?|ml|cc)"
)
_NO_WASTE = re.compile(
    r"\bno (?:drug |medication )?(?:waste|wastage|discard)|\b(?:none|nothing|no drug|no medication)(?: of (?:the |it )?\w*)? "
    r"(?:was |were |is |are )?(?:wasted|discarded)|\bzero waste|\b0 (?:mg|units?|ml) (?:wasted|discarded)"
    r"|\b(?:entire|whole) (?:single[- ]dose |single[- ]use )?(?:vial|contents?) (?:was |were |is |are )?(?:used|administered|injected|given)"
    r"|\b(?:waste|wastage|wasted|discarded)\s*:\s*(?:none|nothing|zero|0(?![.\d])|no)\b"
)
_SINGLE = re.compile(r"\bsingle[- ]?(?:dose|use)\b|\bsdv\b")
_MULTI = re.compile(r"\bmulti[- ]?(?:dose|use)\b|\bmdv\b")


@dataclass(slots=True)
class _Amounts:
    total_vol: list[tuple[int, float]]
    pct: list[tuple[int, float]]
    mgml: list[tuple[int, float]]
    uml: list[tuple[int, float]]
    vol: list[tuple[int, float]]
    mg: list[tuple[int, float]]
    units: list[tuple[int, float]]
    container: list[tuple[int, float]]  # "a 1 mL single-dose vial": the vial's size, not a dose
    unit_vials: list[tuple[int, float]]  # "a 100-unit single-dose vial"


def _num(s: str) -> float:
    s = s.strip()
    return _WORDS[s] if s in _WORDS else float(s)


def read_drugs(
    low: str, mentions: list[Mention], infos: list[ClauseInfo], k: Knowledge, muscles: list[MuscleFact],
    tpi_document: bool, cues: Cues, corrects: bool, other_context: set[int],
) -> list[DrugFact]:
    starts = [i.clause.start for i in infos]
    per_clause: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.kind != "drug":
            continue
        idx = bisect.bisect_right(starts, m.start) - 1
        if idx >= 0 and m.start < infos[idx].clause.end:
            per_clause.setdefault(idx, []).append(m)
    today_muscles = [f for f in muscles if f.status == "today"]
    performed = tpi_document and (bool(today_muscles) or any(i.status == "today" for i in infos))
    found: list[tuple[DrugFact, int, bool]] = []
    totals: set[int] = set()
    for idx, ms in per_clause.items():
        info = infos[idx]
        cs, ce = info.clause.start, info.clause.end
        s = low[cs:ce]
        amounts = _find_amounts(low, cs, ce)
        if corrects:
            _drop_corrected(low, amounts, cues.correction)
        if amounts.vol and _slash_mix_row(low, s, ms):
            amounts.vol, amounts.total_vol = [], []  # a table row's "2.0 mL | lido/TAC mix": the mixture's, neither drug's
        # template fields on the next lines ("Dose: 40 mg") belong to a drug named alone on its line
        mixture = len({m.id for m in ms}) == 2 and (_RATIO.search(s) is not None or _EQUAL_PARTS.search(s) is not None)
        if (len({m.id for m in ms}) == 1 or mixture) and not any((amounts.mg, amounts.vol, amounts.units, amounts.total_vol)):
            for j in range(idx + 1, min(idx + 4, len(infos))):
                if j in per_clause or infos[j].clause.section != info.clause.section:
                    break
                js, je = infos[j].clause.start, infos[j].clause.end
                if infos[j].clause.line == info.clause.line and any(js <= f.spans[0][0] < je for f in today_muscles):
                    break  # "50 units into the right piriformis and 50 units into ...": read site by site below
                extra = _find_amounts(low, infos[j].clause.start, infos[j].clause.end)
                for name in ("pct", "mgml", "uml", "vol", "mg", "units", "total_vol", "container"):
                    if not getattr(amounts, name):
                        getattr(amounts, name).extend(getattr(extra, name))
        clause_has_muscle = any(cs <= f.spans[0][0] < ce for f in today_muscles)
        positions: dict[int, set[int]] = {}
        facts = _assign(low, s, cs, ms, amounts, k, positions)
        mult, marker = _multiplier(s, today_muscles, amounts)
        per_site_amount = _amount_near(low, cs + marker[0], cs + marker[1], cs, ce) if marker else None
        for j, (m, fact) in enumerate(zip(ms, facts, strict=True)):
            status = mention_status(info, m.start, m.end) if tpi_document else "other"
            if info.clause.section == "medications":
                status = "other"
            elif status == "unclear" and performed and info.clause.section in ("none", "procedure", "response"):
                status = "today"  # "5 mL of 1% lidocaine was used." in a note whose TPI was done today
            if status == "today" and (
                _NOT_GIVEN_BEFORE.search(low[max(cs, m.start - 30) : m.start]) or _FIELD_SAYS_NOT.match(low, m.end)
                or _WAS_NOT_GIVEN.match(low, m.end)
            ):
                status = "negated"  # ("- Kenalog: held because of the A1c")
            elif _DRAWN_NOT_GIVEN.search(s, m.end - cs):
                status = "negated"  # "1% lidocaine 1.5 mL + Kenalog 0.25 mL - drawn up, not given"
            elif idx in other_context and not clause_has_muscle:
                status = "other"  # "1. R knee injection: ...; Kenalog 40 mg + 1% lidocaine 3 mL": that procedure's
            elif _ORDER_LABEL.match(info.clause.field_label):
                status = "other"  # "Order: Triamcinolone acetonide injection, per 10 mg (J3301) - qty 2": what was asked for
            elif _BILLING_WORDS.search(s) and not _GIVEN_WORD.search(s):
                status = "other"  # "Claim billed: 20553; J1010 x 2 (the biller counted two 40-mg units of Depo-Medrol)"
            elif m.start > 0 and low[m.start - 1] in "\"“'" and _ERROR_WORDS.search(s):
                status = "other"  # '"Kenalog 40 mg" in the procedure paragraph was dictated in error': quoted, not given
            elif corrects and corrected_later(low, ms, j, cues.correction):
                status = "other"  # "dexamethasone 8 mg, correction, dexamethasone 4 mg"
            elif _ALLERGY.search(low, max(cs, m.start - 40), m.start) or _INTOLERANCE_AFTER.match(low, m.end):
                status = "other"  # "reaction to lidocaine", "allergic to Marcaine"
            elif _NOT_INJECTED_FORM.match(low, m.end) or _NOT_INJECTED_BEFORE.search(low, max(cs, m.start - 30), m.start):
                status = "other"  # "lidocaine patches", "oral Toradol", "topical diclofenac"
            fact.status = status
            mine = positions.get(id(fact), set())
            owned = {p for ps in positions.values() for p in ps}
            # the amount next to "each" is this drug's, or the drugs were mixed and given site by site
            own = per_site_amount is not None and (
                per_site_amount in mine
                or (_MIXED.search(s) is not None and per_site_amount in owned and bool(mine) and max(mine) <= per_site_amount)
            )
            if not own and marker and mine and _EACH_RECEIVED.match(s, marker[0]) and min(mine) > cs + marker[0]:
                own = True  # "each received 1.5 cc of 1% lidocaine and 0.5 cc of Celestone": both amounts are per site
            if own and per_site_amount is not None and _ROUGHLY.search(low, max(cs, per_site_amount - 16), per_site_amount):
                own = False  # "about 1.1 mL per site" describes how a total was shared
            stated = (
                _stated_total(amounts, fact.volume_ml, owned)
                if own and mult and fact.volume_ml and not amounts.total_vol
                else None
            )
            if stated is not None:
                fact.volume_ml = stated  # "0.5 mL per injection ... (4.5 mL)": the total is stated too
                if fact.conc_mg_per_ml:
                    fact.dose_mg = round(stated * fact.conc_mg_per_ml, 4)
                own = False
            # "Each side received 2 mL of bupivacaine and 20 mg of Kenalog, for 4 mL and 40 mg in total":
            # a stated total that is exactly the multiple confirms it, for each drug it matches
            # (not after "a total of 6 mL", which the per-drug amounts were already taken from)
            confirmed = bool(
                mult and mult > 1 and not amounts.total_vol and _TOTAL.search(s) and _total_confirms(amounts, fact, mult)
            )
            # (a "total" that closes another drug's amount, "plus 2 mg of dexamethasone in total", is not this one's)
            totals_here = [
                t for t in _TOTAL.finditer(s)
                if not any(o is not m and o.id != m.id and 0 <= t.start() - (o.end - cs) <= 30 for o in ms)
                and not _SITES_TOTAL.search(s, max(0, t.start() - 16), min(len(s), t.end() + 16))  # ("8 sites total")
            ]
            if mult and mult > 1 and ((own and not amounts.total_vol and not totals_here) or confirmed):
                if fact.volume_ml is not None:
                    fact.volume_ml *= mult
                if fact.dose_mg is not None:
                    fact.dose_mg *= mult
                if fact.dose_units is not None:
                    fact.dose_units *= mult
            _vial_facts(s, fact)
            if (
                fact.no_waste and fact.volume_ml is None and fact.dose_mg is None and fact.dose_units is None
                # ("Depo-Medrol (methylprednisolone acetate) 40 mg/mL, ... 2 mL total": its other name has the amount)
                and not any(g is not fact and g.drug_id == fact.drug_id and (g.volume_ml or g.dose_mg) for g in facts)
            ):
                # "4 mg/mL, 1 mL single-dose vial - entire vial used": the vial's content is the dose
                size = next((v for p, v in amounts.container if p > m.start), None)
                if size is not None:
                    fact.volume_ml = size
                    if fact.conc_mg_per_ml is not None:
                        fact.dose_mg = round(size * fact.conc_mg_per_ml, 4)
            found.append((fact, idx, clause_has_muscle))
            if info.clause.field_label.startswith("total") or _TOTAL_LINE.match(s):
                totals.add(id(fact))  # "Totals: 1% lidocaine 7 mL; Kenalog-40 0.5 mL" after a per-site log
    # "returns for his scheduled botulinum toxin treatment" when the toxin is given in another procedure's part
    # of the note: a bare mention outside the procedure is that procedure's drug too
    # (or given with a dose in a clause about something else: "Ketorolac 60 mg IM by RN, R ventrogluteal site")
    other_ids = {
        f.drug_id for f, idx, _m in found
        if f.status == "other" and (idx in other_context or (infos[idx].status == "other" and f.dose_mg is not None))
    }
    for f, idx, has_muscle in found:
        if (
            f.status == "today" and f.drug_id in other_ids
            # ("no NSAIDs x 5 days after ketorolac" under "P/Proc:": no site, no amount)
            and (infos[idx].clause.section != "procedure" or not (has_muscle or _GIVEN_WORD.search(infos[idx].text)))
            and f.dose_mg is None and f.volume_ml is None and f.dose_units is None and f.conc_label is None
        ):
            f.status = "other"
    if corrects:
        _superseded(low, found, infos, cues)
    # (the blocks are looked for only when a drug has amounts in more than one clause)
    multi = len({(f.drug_id, idx) for f, idx, _m in found if f.status == "today"}) > len({f.drug_id for f, _i, _m in found if f.status == "today"})
    merged = _merge(found, k, totals, _site_blocks(infos) if multi else None)
    _volumes_by_row(low, infos, merged, today_muscles)
    if any(d.status == "today" and d.dose_mg is None and d.dose_units is None and d.volume_ml is None for d in merged):
        _drug_columns(low, merged)
    _withdrawn_later(low, merged, cues)
    _waste_elsewhere(low, infos, per_clause, merged, k)
    if "  " in low and ("wast" in low or "discard" in low):
        _waste_column(low, merged)
    _totals_elsewhere(low, infos, per_clause, merged, k)
    return merged


_ORDER_LABEL = re.compile(r"(?:orders?|ordered|order placed|orders placed)$")
_BILLING_WORDS = re.compile(r"\b(?:billed|biller|billing|claim|charges?|charged|hcpcs|reported per|per \d+(?:\.\d+)? ?(?:mg|units?)\b)")
_TOTAL_LINE = re.compile(r"^\s*(?:totals?|total dose|total injected|total amount)\b[^:]{0,20}:?\s*")
_UNITS_TOTAL = re.compile(r"(\d+(?:\.\d+)?)\s*(?:units?|u)\s+(?:in\s+)?total\b|\btotal(?:\s+of)?\s+(\d+(?:\.\d+)?)\s*(?:units?|u)\b")
_UNITS_GIVEN = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:units?|u)\s+(?:were |was )?(?:injected|given|administered)\b(?! (?:into|in|at|to)\b)")
_GIVEN_WORD = re.compile(r"\binject(?:ed|ion|s)\b|\bgiven\b|\badministered\b|\bdelivered\b")


def _totals_elsewhere(low: str, infos: list[ClauseInfo], per_clause: dict[int, list[Mention]], drugs: list[DrugFact], k: Knowledge) -> None:
    """ "Total injected: 80 units" on a line of its own is the dose of the one drug that is dosed so."""
    today = [d for d in drugs if d.status == "today" and k.drugs[d.drug_id].drug_class not in ("saline", "local_anesthetic")]
    if len(today) != 1:
        return
    d = today[0]
    first = d.spans[0][0]
    for idx, info in enumerate(infos):
        if idx in per_clause or info.clause.start < first:
            continue
        gm = _UNITS_GIVEN.search(info.text)
        if gm is not None and (d.dose_units is None or float(gm.group(1)) > d.dose_units):
            d.dose_units = float(gm.group(1))  # "... left semispinalis capitis 20 units: 80 units injected."
            continue
        total = _TOTAL_LINE.match(info.text) is not None
        # "50 units injected; the remaining 50 units discarded" right after the drug is named
        given = d.dose_units is None and d.dose_mg is None and _GIVEN_WORD.search(info.text) is not None
        if not (total or given):
            continue
        a = _find_amounts(low, info.clause.start, info.clause.end)
        tu = _UNITS_TOTAL.search(low, info.clause.start, info.clause.end)
        if tu is not None and (d.dose_units is None or total):
            d.dose_units = float(tu.group(1) or tu.group(2))  # "... 15 units each, for 100 units in total"
        elif a.units and (d.dose_units is None or (total and d.dose_units < a.units[0][1])):
            d.dose_units = _site_sum(low, a.units)
            em = _EACH_OF.search(info.text)
            if given and em is not None and len(a.units) == 1:
                d.dose_units *= _num(em.group("n"))  # "20 units (0.4 mL) were injected at each of 4 trigger points"
        elif a.mg and d.dose_mg is None:
            d.dose_mg = _site_sum(low, a.mg)
        elif given and len(a.vol) == 1 and (d.conc_units_per_ml or d.conc_mg_per_ml):
            # "0.2 mL injected per site at 8 sites" after "Botox 100-unit vial, reconstituted with 2 mL"
            km = _K_SITES.search(info.text) or _EACH_OF.search(info.text)
            times = int(_num(km.group(km.lastgroup or "k"))) if km is not None and _PER_WHAT.search(info.text) else 1
            d.volume_ml = a.vol[0][1] * times
            if d.conc_units_per_ml:
                d.dose_units = round(d.volume_ml * d.conc_units_per_ml, 4)
            elif d.conc_mg_per_ml:
                d.dose_mg = round(d.volume_ml * d.conc_mg_per_ml, 4)




def _volumes_by_row(low: str, infos: list[ClauseInfo], drugs: list[DrugFact], today_muscles: list[MuscleFact]) -> None:
    """ "Volumes per muscle (1% lidocaine):" over rows "R rectus femoris - 3 mL" / "R vastus medialis - 2 mL": the
    drug's volume is the rows' sum."""
    starts = [i.clause.start for i in infos]
    for d in drugs:
        if d.status != "today":
            continue
        idx = bisect.bisect_right(starts, d.spans[0][0]) - 1
        if idx < 0 or not infos[idx].ends_colon or d.spans[0][0] >= infos[idx].clause.end:
            continue
        total, rows, j = 0.0, 0, idx + 1
        while j < len(infos) and infos[j].clause.line == infos[j - 1].clause.line + 1:
            cs, ce = infos[j].clause.start, infos[j].clause.end
            a = _find_amounts(low, cs, ce)
            if not a.vol or not any(cs <= f.spans[0][0] < ce for f in today_muscles):
                break
            total += min(a.vol)[1]  # (the row's first volume: "2 mL (1 site), plus dexamethasone ... 0.4 mL")
            rows += 1
            j += 1
        if rows >= 2:
            d.volume_ml = total
            if d.conc_mg_per_ml is not None:
                d.dose_mg = round(total * d.conc_mg_per_ml, 4)


_CELL_SPLIT = re.compile(r"\s*\|\s*|\s{2,}")
_UNIT_HEAD = re.compile(r"\((ml|cc|mg|units?)\)|\b(ml|cc|mg|units?)\s*$")
_CELL_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)")


def _cells(low: str, a: int, b: int) -> list[tuple[int, int]]:
    """The cells of a table row (pipes, or runs of spaces), as spans of `low`."""
    out, pos = [], a
    for m in _CELL_SPLIT.finditer(low, a, b):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < b:
        out.append((pos, b))
    return out


def _drug_columns(low: str, drugs: list[DrugFact]) -> None:
    """A site table with a column per drug ("| Site | Muscle | Side | Lidocaine 1% (mL) | Kenalog-40 (mL) |") and
    a TOTAL row: each drug's amount is its column's total (or the sum of its rows)."""
    open_facts = [d for d in drugs if d.status == "today" and d.dose_mg is None and d.dose_units is None and d.volume_ml is None]
    pos = 0
    while pos < len(low):
        end = low.find("\n", pos)
        end = len(low) if end < 0 else end
        cells = _cells(low, pos, end)
        cols: dict[int, tuple[DrugFact, str]] = {}
        for i, (a, b) in enumerate(cells):
            um = _UNIT_HEAD.search(low, a, b)
            owner = next((d for d in open_facts if any(a <= sp[0] < b for sp in d.spans)), None)
            if um is not None and owner is not None:
                cols[i] = (owner, um.group(1) or um.group(2))
        if cols and len(cells) >= 3:
            sums: dict[int, float] = {}
            total: dict[int, float] = {}
            rpos = end + 1
            while rpos < len(low):
                rend = low.find("\n", rpos)
                rend = len(low) if rend < 0 else rend
                row = _cells(low, rpos, rend)
                if len(row) != len(cells):
                    if set(low[rpos:rend].strip()) <= set("|-=+: "):
                        rpos = rend + 1
                        continue  # ("|-----|-----|": the header's rule)
                    break
                is_total = any(low.startswith("total", c[0]) for c in row)
                for i in cols:
                    nm = _CELL_NUMBER.match(low[row[i][0] : row[i][1]])
                    if nm is not None:
                        (total if is_total else sums)[i] = (total if is_total else sums).get(i, 0.0) + float(nm.group(1))
                rpos = rend + 1
                if is_total:
                    break
            for i, (d, unit) in cols.items():
                value = total.get(i, sums.get(i))
                if value is None or d.volume_ml is not None or d.dose_mg is not None:
                    continue
                if unit == "mg":
                    d.dose_mg = value
                elif unit.startswith("unit"):
                    d.dose_units = value
                else:
                    d.volume_ml = value
                    if d.conc_mg_per_ml is not None:
                        d.dose_mg = round(value * d.conc_mg_per_ml, 4)
                    elif d.conc_units_per_ml is not None:
                        d.dose_units = round(value * d.conc_units_per_ml, 4)
        pos = end + 1


_SENTENCE_END = re.compile(r"(?<![\s(]\w)[.;](?:\s|$)")  # (not an initial: "N. Haddad")
_MORE_GIVEN = re.compile(r"\b(?:additional|another|more|also|further|extra|second|repeat(?:ed)?)\b")


_WASTE_HEAD = re.compile(r"wast(?:ed|e|age)?\b|discarded\b")
_NO_WASTE_CELL = re.compile(r"(?:none|no|0|zero|nil)\b(?![.,]\d)")  # (not the "0" of "0.5 mL")
_WASTE_CELL = re.compile(r"(\d+(?:\.\d+)?)\s*(mg|units?|ml|cc)\b")


def _waste_column(low: str, drugs: list[DrugFact]) -> None:
    """A drug table with a waste column ("medication  ...  vial  wasted" over "dexamethasone ... single-dose 1 mL
    none"): each row's cell under it is that drug's waste."""
    today = [d for d in drugs if d.status == "today"]
    pos = 0
    col = col_index = width = -1
    while pos < len(low):
        end = low.find("\n", pos)
        end = len(low) if end < 0 else end
        cells = _cells(low, pos, end)
        heads = [i for i, (a, _b) in enumerate(cells) if _WASTE_HEAD.match(low, a)]
        if len(cells) >= 3 and heads:
            col_index, col, width = heads[0], cells[heads[0]][0] - pos, len(cells)
        elif not cells:
            col = -1
        elif col >= 0:
            row = [d for d in today if pos <= d.spans[0][0] < end]
            if len(row) == 1 and len(cells) >= 3:
                # (the same number of cells: by index, as a tab-separated export's columns do not line up)
                a, b = cells[col_index] if len(cells) == width else min(cells, key=lambda c: abs(c[0] - pos - col))
                if _NO_WASTE_CELL.match(low, a, b):
                    row[0].no_waste = True
                elif wm := _WASTE_CELL.match(low, a, b):
                    _set_waste(row[0], float(wm.group(1)), wm.group(2))
        pos = end + 1


def _superseded(low: str, found: list[tuple[DrugFact, int, bool]], infos: list[ClauseInfo], cues: Cues) -> None:
    """ "Kenalog 40, 0.5 cc ... ADDENDUM: correction ... only 0.25 cc of Kenalog 40 was injected": an amount
    stated after a correction replaces the earlier amount of that drug (unless it says more was given)."""
    dosed: dict[str, list[tuple[DrugFact, int]]] = {}
    for f, idx, _has in found:
        if f.status == "today" and (f.dose_mg is not None or f.volume_ml is not None or f.dose_units is not None):
            dosed.setdefault(f.drug_id, []).append((f, idx))
    for items in dosed.values():
        for i, (later, idx) in enumerate(items[1:], 1):
            if _MORE_GIVEN.search(infos[idx].text):
                continue
            for earlier, _j in items[:i]:
                cue = cues.correction.search(low, earlier.spans[-1][1], later.spans[0][0])
                if cue is None:
                    continue
                # (the correction is about this drug: named again after the cue, or in the cue's sentence)
                sentence = max(low.rfind(".", 0, cue.start()), low.rfind("\n", 0, cue.start())) + 1
                named = [sp for f, _i, _h in found if f.drug_id == later.drug_id for sp in f.spans if sentence <= sp[0] < later.spans[0][0]]
                # (or the sentence after the cue: "Correction. Only 0.25 cc of Kenalog 40 was injected.")
                soon = len(_SENTENCE_END.findall(low, cue.end(), later.spans[0][0])) <= 1
                if earlier.status == "today" and (named or soon):
                    earlier.status = "other"
                    if later.conc_mg_per_ml is None and later.conc_units_per_ml is None:
                        later.conc_mg_per_ml, later.conc_units_per_ml = earlier.conc_mg_per_ml, earlier.conc_units_per_ml
                        later.conc_label = earlier.conc_label
                        if later.dose_mg is None and later.volume_ml is not None and later.conc_mg_per_ml is not None:
                            later.dose_mg = round(later.volume_ml * later.conc_mg_per_ml, 4)


def _withdrawn_later(low: str, drugs: list[DrugFact], cues: Cues) -> None:
    """ "Steroid: Kenalog 40 mg ... ADDENDUM: the steroid was entered in error ... No Kenalog was given.":
    a drug denied after a correction was not given."""
    denied = [d for d in drugs if d.status == "negated"]
    for d in drugs:
        if d.status != "today":
            continue
        first = d.spans[0][0]
        for n in denied:
            at = n.spans[0][0]
            if n.drug_id == d.drug_id and at > first and cues.correction.search(low, first, at):
                d.status = "other"
                break


def _site_sum(low: str, amounts: list[tuple[int, float]]) -> float:
    """ "50 units were injected into the right piriformis and 50 units into the right obturator internus":
    amounts given site by site add up; otherwise the first amount is the dose."""
    if len(amounts) > 1 and _site_by_site(low, amounts):
        return sum(v for _p, v in amounts)
    return amounts[0][1]


def _site_by_site(low: str, amounts: list[tuple[int, float]]) -> bool:
    """Every amount is followed by its site: "3 mL into the infraspinatus, 2 mL into the teres major"."""
    return all(_INTO_SITE.match(low, _vol_end(low, p)) for p, _v in amounts)


_ALLERGY = re.compile(
    r"(?:allerg\w*|reaction|sensitivity|intoleran\w*|rash|hives|anaphyla\w*)\s+(?:\w+\s+){0,2}(?:to|with|from|of)\s+(?:\w+\s+)?$"
    r"|\ballerg(?:y|ies)\s*:[^.;:\n]{0,40}$"  # ("Allergy: lidocaine and bupivacaine (hives)")
)
_NOT_INJECTED_FORM = re.compile(r"\s*(?:\([^)]{0,30}\)\s*)?(?:\d+(?:\.\d+)?\s*(?:%|mg|mcg)\s*)?(?:dose ?pa(?:c)?k|program|regimen|maintenance|patch(?:es)?|cream|gel|ointment|jelly|spray|rinses?|irrigations?|nasal|drops|inhal\w*|nebuli\w*|lozenges?|tablets?|tabs?|caps(?:ules)?|po|p\.o\.|by mouth|oral(?:ly)?|topical(?:ly)?|viscous)\b")
# ("no oral NSAIDs for 24 h after the ketorolac": a time after a drug, not a drug given)
_NOT_INJECTED_BEFORE = re.compile(
    r"\b(?:topical|oral|po|transdermal|nasal|nebulized|inhaled|outside|stable on(?: the| her| his)?|(?:for|within) \d+ ?h(?:ours?|rs?)? after the)\s+$"
)
_DILUENTS = frozenset({"sodium_chloride"})


def _waste_elsewhere(
    low: str, infos: list[ClauseInfo], per_clause: dict[int, list[Mention]], drugs: list[DrugFact], k: Knowledge
) -> None:
    """ "The remaining 20 units were wasted." in a sentence of its own belongs to the drug named before."""
    today = [d for d in drugs if d.status == "today" and d.drug_id not in _DILUENTS]
    if not today or not ("wast" in low or "discard" in low or "entire" in low or "vial" in low):
        return
    for idx, info in enumerate(infos):
        if idx in per_clause:
            continue
        s = info.text
        # (also a template's own "Vial: 100 units, single-dose" field)
        vial_field = "vial" in info.clause.field_label or s.startswith("vial") or _VIAL_ONLY.match(s) is not None
        if not (_WASTED.search(s) or _NO_WASTE.search(s) or vial_field):
            continue
        before = [d for d in today if d.spans[0][0] < info.clause.start]
        # (a vial's waste is billed only for a drug with a line of its own: "Kenalog-40 ... drawn up with the
        # lidocaine. The remaining 0.5 mL in the vial was discarded." is the Kenalog's)
        billable = [d for d in before if k.drugs[d.drug_id].drug_class != "local_anesthetic"]
        target = max(billable or before, key=lambda d: d.spans[-1][0], default=today[0])
        _vial_facts(s, target)
        if target.dose_mg is None and target.dose_units is None and _NO_WASTE.search(s):
            # "...; the entire vial (40 mg) was used and none was wasted"
            a = _find_amounts(low, info.clause.start, info.clause.end)
            if len(a.mg) == 1:
                target.dose_mg = a.mg[0][1]
            elif len(a.units) == 1:
                target.dose_units = a.units[0][1]
            elif target.conc_mg_per_ml or target.conc_units_per_ml:
                # "Depo-Medrol 40 mg/mL from a 1 mL single-dose vial; the entire vial was used": the vial's content
                own = next((i for i in infos if i.clause.start <= target.spans[0][0] < i.clause.end), None)
                size = _find_amounts(low, own.clause.start, own.clause.end).container if own is not None else []
                if len(size) == 1:
                    target.volume_ml = size[0][1]
                    if target.conc_mg_per_ml:
                        target.dose_mg = round(size[0][1] * target.conc_mg_per_ml, 4)
                    elif target.conc_units_per_ml:
                        target.dose_units = round(size[0][1] * target.conc_units_per_ml, 4)


_NOT_A_STRENGTH = re.compile(r"(?:spo2|o2 sat\w*|sats?|saturation|pulse ox\w*|fio2|relief|improv\w*|better|reduction)\s*:?\s*(?:of\s+)?~?$")


def _slash_mix_row(low: str, s: str, ms: list[Mention]) -> bool:
    """A table row whose drug cell is two drugs joined by a slash ("lido/TAC mix") with no ratio."""
    if not is_table_row(s) or _RATIO.search(s) or _EQUAL_PARTS.search(s):
        return False
    return any(
        a.id != b.id and b.start - a.end <= 3 and low[a.end : b.start].strip() == "/" for a, b in itertools.pairwise(ms)
    )


def _in_units(k: Knowledge, drug_id: str) -> bool:
    """A drug billed by units (a toxin), whose amounts are written in units."""
    bu = k.drugs[drug_id].billing_unit
    return bu is not None and bu.unit.startswith("unit")


def _drop_corrected(low: str, a: _Amounts, correction: re.Pattern[str]) -> None:
    """ "four cc's, scratch that, five cc's of 1% lidocaine": an amount corrected by the next one of its kind goes."""
    for kinds in (("vol", "total_vol"), ("mg",), ("units",)):
        found = sorted((pos, kind) for kind in kinds for pos, _v in getattr(a, kind))
        for (p1, k1), (p2, _k2) in itertools.pairwise(found):
            if correction.search(low, p1, p2):
                kept: list[tuple[int, float]] = getattr(a, k1)
                kept[:] = [(p, v) for p, v in kept if p != p1]


def _find_amounts(low: str, cs: int, ce: int) -> _Amounts:
    a = _Amounts([], [], [], [], [], [], [], [], [])
    skip_at = -1  # a mixture's "= 6 mL total" already read with the part before it
    for m in _AMOUNT.finditer(low, cs, ce):
        kind = m.lastgroup
        if kind is None:
            continue
        val = m.group(kind)
        if kind == "pct" and _NOT_A_STRENGTH.search(low, max(cs, m.start() - 14), m.start()):
            continue  # "SpO2 98%", "~60% relief": not a concentration
        if kind == "uml" and val is not None:
            um = _UNITS_PER.match(val)
            if um:
                per = float(um.group(2)) if um.group(2) else 1.0
                a.uml.append((m.start(), float(um.group(1)) / per if per else float(um.group(1))))
            continue
        if kind in ("vol", "units") and (_CONTAINER.match(low, m.end()) or _CONTAINER_BEFORE.search(low, max(cs, m.start() - 14), m.start())):
            if kind == "vol" and val is not None:
                a.container.append((m.start(), _num(val)))
            elif kind == "units" and val is not None:
                a.unit_vials.append((m.start(), float(val)))
            continue  # "a 10 cc vial", "a 100-unit vial", "a 10 mL syringe": the container, not the dose
        if kind == "vol" and val is not None and _DISCARDED.match(low, m.end()):
            continue  # "2 mL discarded": waste, read by the vial facts
        if kind == "vol" and val is not None:
            em = _EQ_MIX_TOTAL.match(low, m.end()) if "=" in low[cs:ce] else None
            if em is not None and _MIXED_WITH.search(low, cs, m.start()) and float(em.group(1)) > _num(val):
                # "1% lidocaine 5 mL mixed with Kenalog-40 1 mL = 6 mL total": the last part, then the syringe's sum
                a.vol.append((m.start(), _num(val)))
                skip_at = em.start(1)
                continue
            if m.start() == skip_at:
                continue
            if "+" in low[cs : m.start()] and "=" in low[cs:ce]:
                # "1% lidocaine 4.5 mL + Kenalog-40 0.5 mL = 5.0 mL": the sum after "=" adds nothing to the
                # parts (and is neither the last drug's volume nor a total to share out)
                if not _SUM_EQUALS.search(low, cs, m.start()):
                    a.vol.append((m.start(), _num(val)))
            elif _TOTAL_AFTER.match(low, m.end()) or _TOTAL_BEFORE.search(low, max(cs, m.start() - 26), m.start()):
                a.total_vol.append((m.start(), _num(val)))
            else:
                a.vol.append((m.start(), _num(val)))
        elif val is not None:
            getattr(a, kind).append((m.start(), float(val)))
    return a


def _assign(
    low: str, s: str, cs: int, ms: list[Mention], a: _Amounts, k: Knowledge, positions: dict[int, set[int]]
) -> list[DrugFact]:
    """Give each amount in the clause to the drug it belongs to (nearest; "X of DRUG" looks forward)."""
    facts = [DrugFact(drug_id=m.id, status="unclear", spans=[(m.start, m.end)]) for m in ms]
    if not ms:
        return facts

    def owner(pos: int) -> int:
        # "8 mL total (40 mg) with triamcinolone": a bracketed equivalent belongs to the drug before it
        if _EQUIVALENT.search(low, max(cs, pos - 30), pos):
            before = [i for i, m in enumerate(ms) if m.end <= pos]
            if before:
                return before[-1]
        # "0.5% bupivacaine", "40 mg Kenalog": an amount written right before a drug name is its own
        tail = _AMOUNT.match(low, pos)
        if tail is not None:
            for i, m in enumerate(ms):
                gap = low[tail.end() : m.start] if m.start >= tail.end() else "x"
                # "40 mg Kenalog", "40 mg of Kenalog" (dictation pads with spaces)
                if len(gap) <= 16 and _OF_GAP.fullmatch(gap):
                    return i
        # "lidocaine 3 mL with ...", "Lidocaine 1% 5 mL": an amount right after a drug name is its own
        for i, m in enumerate(ms):
            if 0 <= pos - m.end <= 32 and _AFTER_NAME_GAP.fullmatch(low, m.end, pos):
                return i
        best, best_d = 0, 1 << 30
        for i, m in enumerate(ms):
            if pos >= m.end:
                d = pos - m.end
            elif pos < m.start:
                d = m.start - pos
                # "2 mL of 1% lidocaine": an amount followed by "of" points forward
                if _POINTS_FORWARD.match(low[pos : m.start][:30]):
                    d = max(0, d - 25)
            else:
                d = 0
            if d < best_d:
                best, best_d = i, d
        return best

    split_vols: dict[int, list[tuple[int, float]]] = {}
    one_ml: list[DrugFact] = []  # "Kenalog 40mg/1mL": with no other amount, 1 mL of it was given
    dosed_in_units = [i for i, m in enumerate(ms) if _in_units(k, m.id)]
    for kind in ("pct", "mgml", "uml", "vol", "mg", "units"):
        for pos, val in getattr(a, kind):
            i = owner(pos)
            if kind in ("units", "uml") and dosed_in_units and i not in dosed_in_units:
                # "Botox ... reconstituted with 2 mL of saline, and 50 units were injected": units are the toxin's
                i = min(dosed_in_units, key=lambda j: abs(ms[j].start - pos))
            f = facts[i]
            if (kind == "vol" and f.volume_ml is None) or (kind == "mg" and f.dose_mg is None) or (
                kind == "units" and f.dose_units is None
            ):
                positions.setdefault(id(f), set()).add(pos)
            if kind == "pct" and f.conc_mg_per_ml is None:
                f.conc_mg_per_ml, f.conc_label = val * 10.0, f"{val:g}%"
            elif kind == "mgml" and f.conc_mg_per_ml is None:
                f.conc_mg_per_ml, f.conc_label = val, f"{val:g} mg/mL"
                if _PER_ONE_ML.match(low, pos):
                    one_ml.append(f)
            elif kind == "uml" and f.conc_units_per_ml is None:
                f.conc_units_per_ml, f.conc_label = val, f"{val:g} units/mL"
            elif kind == "vol":
                f.volume_ml = val if f.volume_ml is None else f.volume_ml
                split_vols.setdefault(id(f), []).append((pos, val))
            elif kind == "mg" and f.dose_mg is None:
                f.dose_mg = val
            elif kind == "units" and f.dose_units is None:
                f.dose_units = val

    for m, f in zip(ms, facts, strict=True):
        drug = k.drugs[m.id]
        term = low[m.start : m.end]
        if f.conc_mg_per_ml is None:
            brand = drug.brand_concentrations.get(term)
            if brand is not None:
                f.conc_mg_per_ml, f.conc_label = brand, f"{brand:g} mg/mL"
            else:
                bm = _BRAND_NUMBER.match(low, m.end)
                if bm and float(bm.group(1)) in drug.concentrations_mg_per_ml:
                    val = float(bm.group(1))
                    if f.volume_ml is None and f.dose_mg is None:
                        f.dose_mg = val  # "Depo-Medrol 80" with no volume is read as an 80 mg dose
                    else:
                        f.conc_mg_per_ml, f.conc_label = val, f"{val:g} mg/mL"

    # "3 mL into the infraspinatus, 2 mL into the teres major": volumes given site by site add up
    for f in facts:
        vols = split_vols.get(id(f), [])
        if len(vols) > 1 and _site_by_site(low, vols):
            f.volume_ml = sum(v for _p, v in vols)
    # "1:1 lidocaine/bupivacaine, 10 mL total": split the one volume by the ratio
    rm = _RATIO.search(s)
    ratio = (float(rm.group(1)), float(rm.group(2))) if rm else ((1.0, 1.0) if _EQUAL_PARTS.search(s) else None)
    totals = a.total_vol or (a.vol if len(a.vol) == 1 else [])
    pair = list({m.id: f for m, f in zip(ms, facts, strict=True)}.values())  # "lido/bupi (1% lidocaine / ...)"
    if ratio and len(pair) > 2 and rm is not None:
        # "1:1 mixture of lidocaine and bupivacaine, 12 mL total, plus Kenalog": the two named after the ratio
        after: dict[str, DrugFact] = {}
        for m, f in zip(ms, facts, strict=True):
            if m.start >= cs + rm.end() and (m.id in after or len(after) < 2):
                after[m.id] = f
        if len(after) < 2:
            # "lido 1% / bupi 0.5% 1:1, 10 mL total + Kenalog-10 2 mL": the two named just before it
            before: dict[str, DrugFact] = {}
            for m, f in reversed(list(zip(ms, facts, strict=True))):
                if m.end <= cs + rm.start() and (m.id in before or len(before) < 2):
                    before[m.id] = f
            after = dict(reversed(list(before.items())))
        pair = list(after.values())
        # ("8 mL of a 1:1 mixture of lidocaine and bupivacaine, with Kenalog-40 0.5 mL": the 8 mL, not Kenalog's)
        totals = [t for t in (a.total_vol or a.vol) if not any(t[0] in positions.get(id(f), ()) for f in facts if f not in pair)]
        if not a.total_vol and len(totals) != 1:
            totals = []
    if ratio and len(pair) == 2 and totals and ratio[0] > 0 and ratio[1] > 0:
        total = totals[-1][1]
        pair[0].volume_ml = total * ratio[0] / sum(ratio)
        pair[1].volume_ml = total * ratio[1] / sum(ratio)
        for f in pair:
            f.dose_mg = None  # recomputed from each share and its concentration
    elif a.total_vol:
        for pos, val in a.total_vol:  # "(6 mL total)" beats the per-site amount
            f = facts[owner(pos)] if len(ms) > 1 else facts[0]
            if len(ms) > 1 and (f.dose_mg is not None or f.dose_units is not None or split_vols.get(id(f))):
                # "2cc 1% lido each site (6cc total) + Kenalog 10 mg": the total is the per-site drug's
                # (not "Lido 2 cc into each muscle, then 0.25% bupivacaine 4 mL total": bupivacaine needs it)
                for g in facts:
                    if any(_is_per_site(low, p, pos) and _whole_multiple(val, v) for p, v in split_vols.get(id(g), [])):
                        f = g
                        break
            own_vols = [
                p for p, _v in split_vols.get(id(f), [])
                if not _PER_WHAT.match(low, _vol_end(low, p)) and not _is_per_site(low, p, pos)
            ]
            if len(ms) > 1 and own_vols:
                continue  # a mixture's total: each drug already has its own volume ("2 mL per side" is not one)
            if len(ms) == 1 and own_vols and _MIXED_WITH.search(s):
                continue  # "...; mixed with 1% lidocaine 4 mL (total 5 mL)": the syringe's total, with the drug before
            f.volume_ml = val
            if f.conc_mg_per_ml is not None:
                f.dose_mg = None

    for f in one_ml:
        if f.volume_ml is None and f.dose_mg is None:
            f.volume_ml = 1.0
    # "Botox 100-unit vial, reconstituted with 2 mL": 50 units per mL
    if a.unit_vials:
        rc = _RECONSTITUTED.search(s)
        if rc is not None and float(rc.group(1)) > 0:
            for m, f in zip(ms, facts, strict=True):
                if f.conc_units_per_ml is None and _in_units(k, m.id):
                    f.conc_units_per_ml = a.unit_vials[0][1] / float(rc.group(1))
                    f.conc_label = f"{f.conc_units_per_ml:g} units/mL"
                    if f.volume_ml is not None and abs(f.volume_ml - float(rc.group(1))) < 1e-9:
                        f.volume_ml = None  # the diluent's volume, not an injected one
    for f in facts:
        if f.dose_mg is None and f.volume_ml is not None and f.conc_mg_per_ml is not None:
            f.dose_mg = round(f.volume_ml * f.conc_mg_per_ml, 4)
        if f.dose_units is None and f.volume_ml is not None and f.conc_units_per_ml is not None:
            f.dose_units = round(f.volume_ml * f.conc_units_per_ml, 4)
    return facts


_PER_SITE_SOON = re.compile(
    r"[^,;()]{0,30}?(?:\b(?:each|apiece)\b|\bper (?:site|side|point|muscle|injection|trigger point|tp|location|spot)s?\b)"
)


_EACH_RECEIVES_BEFORE = re.compile(
    r"\beach\s+(?:of the (?:\d{1,2}\s+)?)?(?:muscles?|sites?|sides?|points?|trigger points?|locations?)\s+(?:receives?|received|got|gets|was given|were given)\s+$"
)


def _is_per_site(low: str, vol_pos: int, total_pos: int) -> bool:
    """The volume at `vol_pos` is given per site ("2cc 1% lido each site", "3 cc of 1% lidocaine on each
    side") and the total at `total_pos` comes after it."""
    end = _vol_end(low, vol_pos)
    if end <= total_pos and _EACH_RECEIVES_BEFORE.search(low, max(0, vol_pos - 40), vol_pos):
        return True  # "Each muscle receives 3 mL of 0.5% ropivacaine ... (6 mL total)"
    return end <= total_pos and _PER_SITE_SOON.match(low[end:total_pos]) is not None


def _whole_multiple(total: float, each: float) -> bool:
    k = total / each if each else 0.0
    return k >= 1.5 and abs(k - round(k)) < 0.05


def _multiplier(
    s: str, today_muscles: list[MuscleFact], a: _Amounts
) -> tuple[int | None, tuple[int, int] | None]:
    """How many times a per-site amount was given ("1 mL at each of 4 sites", "each received 2 mL"),
    and where the per-site words are (only the amount next to them is multiplied)."""
    # "injects each of the four trigger points ..., 1.5 mL at each of 4 sites": the phrase next to an amount
    ems = list(_EACH_OF.finditer(s))
    em = next((e for e in ems if _amount_near(s, e.start(), e.end(), 0, len(s)) is not None), ems[0] if ems else None)
    if em:
        return int(_num(em.group("n"))), em.span()
    pm = _PER_SITE.search(s)
    if pm and pm.group().startswith("each") and not pm.group("what") and not pm.group("verb"):
        # a bare trailing "each" qualifies an amount just before it ("1.5 mL each"), not a count
        # ("2 sites each")
        near = [m for m in _AMOUNT.finditer(s, max(0, pm.start() - 30), pm.start()) if m.lastgroup in ("vol", "mg", "units")]
        if not near or (s[near[-1].end() : pm.start()].strip(" ,;:-") and not _AMOUNT_GAP.fullmatch(s[near[-1].end() : pm.start()])):
            pm = None
    if not pm:
        return None, None
    km = _K_SITES.search(s) or _K_NAMED_SITES.search(s)
    if km:
        return int(_num(km.group("k"))), pm.span()
    what = pm.group("what") or ""
    if what.startswith("side"):  # "Each side received 2 mL ...": once per side injected today
        sides_today = {f.laterality for f in today_muscles if f.laterality in ("left", "right")}
        return (len(sides_today) or None), pm.span()
    if (what.startswith("muscle") or not what) and today_muscles:
        return len({(f.muscle_id, f.laterality) for f in today_muscles}), pm.span()
    counts = [f.injections for f in today_muscles]
    if counts and all(c is not None for c in counts):
        return sum(c for c in counts if c is not None), pm.span()
    sides = {(f.muscle_id, f.laterality) for f in today_muscles}
    return (len(sides) or None), pm.span()  # at least one site per muscle and side


_ROUGHLY = re.compile(r"\b(?:about|approximately|approx\.?|roughly|~)\s*$")


def _total_confirms(a: _Amounts, fact: DrugFact, mult: int) -> bool:
    """The clause also states this drug's amount times `mult` (its total), in the same unit."""

    def stated(values: list[tuple[int, float]], each: float | None) -> bool:
        return each is not None and any(abs(v - each * mult) < 1e-6 for _p, v in values)

    return stated(a.vol, fact.volume_ml) or stated(a.mg, fact.dose_mg)


def _stated_total(a: _Amounts, per_site: float, owned: set[int]) -> float | None:
    """A volume in the same clause, no drug's own, that is a whole multiple of the per-site amount."""
    best = None
    for p, v in (*a.vol, *a.total_vol):
        if p in owned:
            continue
        k = v / per_site
        if k >= 1.5 and abs(k - round(k)) < 0.05 and (best is None or v > best):
            best = v
    return best


def _amount_near(low: str, ms: int, me: int, cs: int, ce: int) -> int | None:
    """The amount the per-site words qualify: the nearest one just before them, else just after."""
    kinds = ("vol", "mg", "units")
    before = [m.start() for m in _AMOUNT.finditer(low, max(cs, ms - 70), ms) if m.lastgroup in kinds]
    if before:
        return before[-1]
    after = [m.start() for m in _AMOUNT.finditer(low, me, min(ce, me + 45)) if m.lastgroup in kinds]
    return after[0] if after else None


def _set_waste(f: DrugFact, val: float, unit: str) -> None:
    """A discarded amount in its unit: mg and units as they are, a volume through the drug's strength."""
    if unit == "mg":
        f.wasted_mg = val
    elif unit.startswith("unit"):
        f.wasted_units = val
    elif f.conc_mg_per_ml:
        f.wasted_mg = val * f.conc_mg_per_ml
    elif f.conc_units_per_ml:
        f.wasted_units = val * f.conc_units_per_ml  # "0.4 mL (20 units) ... discarded" of a 50 units/mL dilution
    else:
        f.wasted_ml = val  # (the strength may be stated at another mention of the drug)


def _vial_facts(s: str, f: DrugFact) -> None:
    if _SINGLE.search(s):
        f.single_dose_vial = True
    elif _MULTI.search(s):
        f.single_dose_vial = False
    wm = _WASTED.search(s)
    if wm:
        raw = wm.group("a") or wm.group("b")
        num, _slash, den = raw.partition("/")
        val = float(num) / float(den) if den and float(den) else float(num)  # "1/2 cc wasted"
        _set_waste(f, val, (wm.group("u") or wm.group("v") or "").lower())
    if _NO_WASTE.search(s):
        f.no_waste = True


def _site_blocks(infos: list[ClauseInfo]) -> dict[int, int]:
    """Clause index -> index of the block head ("Injection #2") it sits under, for a form's per-site blocks."""
    out: dict[int, int] = {}
    head = -1
    for idx, info in enumerate(infos):
        text = info.text
        label = info.clause.field_label
        # ("Site 2", "Injection #3", or a block's own "Muscle:" field when the block's title was read as a heading)
        if (len(text) < 24 and _BLOCK_HEAD.fullmatch(text.strip())) or (
            label and (label in ("muscle", "site", "location") or _BLOCK_HEAD.fullmatch(label))
        ):
            head = idx
        elif head >= 0 and (idx - head > 8 or infos[head].clause.section != info.clause.section):
            head = -1
        if head >= 0:
            out[idx] = head
    return out


def _merge(
    found: list[tuple[DrugFact, int, bool]], k: Knowledge, totals: set[int], blocks: dict[int, int] | None = None
) -> list[DrugFact]:
    """One fact per drug given today; other mentions are kept with their status for the record."""
    by_drug: dict[str, list[tuple[DrugFact, int, bool]]] = {}
    out: list[DrugFact] = []
    for item in found:
        if item[0].status == "today":
            by_drug.setdefault(item[0].drug_id, []).append(item)
        else:
            out.append(item[0])
    for items in by_drug.values():
        with_amount = [it for it in items if it[0].dose_mg is not None or it[0].volume_ml is not None or it[0].dose_units is not None]
        base = (with_amount or items)[0][0]
        spans = [sp for it in items for sp in it[0].spans]
        stated_total = next((it[0] for it in with_amount if id(it[0]) in totals), None)
        if stated_total is not None:
            base = stated_total
        elif len(with_amount) > 1 and (
            (all(it[2] for it in with_amount) and len({it[1] for it in with_amount}) > 1)
            # (one amount in each of a form's site blocks: "Injection #1 ... Medication: ... 10 mg")
            or (blocks is not None and all(it[1] in blocks for it in with_amount)
                and len({blocks[it[1]] for it in with_amount}) == len(with_amount))
        ):
            base.dose_mg = _sum(it[0].dose_mg for it in with_amount)
            base.volume_ml = _sum(it[0].volume_ml for it in with_amount)
            base.dose_units = _sum(it[0].dose_units for it in with_amount)
        base_clause = next(it[1] for it in items if it[0] is base)
        for it in items:
            f = it[0]
            if f is base:
                continue
            if it[1] == base_clause and not (base.dose_mg is not None and f.volume_ml is not None):
                # "Celestone Soluspan 1 mL (betamethasone 6 mg)": one drug named twice in a clause, an amount each
                if base.dose_mg is None and f.dose_mg is not None and (
                    f.volume_ml is None
                    # (its own volume beside it, "about 2 mL per site", is the mixture's: the dose fits base's volume)
                    or (base.volume_ml is not None and any(
                        abs(base.volume_ml * c - f.dose_mg) < 1e-6 for c in k.drugs[base.drug_id].concentrations_mg_per_ml
                    ))
                ):
                    base.dose_mg = f.dose_mg
                elif base.volume_ml is None and f.volume_ml is not None and f.dose_mg is None and base.dose_mg is not None:
                    base.volume_ml = f.volume_ml
            base.conc_mg_per_ml = base.conc_mg_per_ml or f.conc_mg_per_ml
            base.conc_units_per_ml = base.conc_units_per_ml or f.conc_units_per_ml
            base.conc_label = base.conc_label or f.conc_label
            if base.single_dose_vial is None:
                base.single_dose_vial = f.single_dose_vial
            base.no_waste = base.no_waste or f.no_waste
            base.wasted_mg = base.wasted_mg or f.wasted_mg
            base.wasted_units = base.wasted_units or f.wasted_units
            base.wasted_ml = base.wasted_ml or f.wasted_ml
        if base.dose_mg is None and base.volume_ml is not None and base.conc_mg_per_ml is not None:
            base.dose_mg = round(base.volume_ml * base.conc_mg_per_ml, 4)
        if base.wasted_ml and not (base.wasted_mg or base.wasted_units):
            if base.conc_mg_per_ml:
                base.wasted_mg = round(base.wasted_ml * base.conc_mg_per_ml, 4)
            elif base.conc_units_per_ml:
                base.wasted_units = round(base.wasted_ml * base.conc_units_per_ml, 4)
        base.spans = sorted(set(spans))
        out.append(base)
    out.sort(key=lambda f: f.spans[0])
    return out


def _sum(values: object) -> float | None:
    vals = [v for v in values if v is not None]  # type: ignore[attr-defined]
    return sum(vals) if vals else None
