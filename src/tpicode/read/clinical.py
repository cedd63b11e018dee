"""The documentation facts payers ask for: guidance, pain scores, response, necessity, history, E/M, ICD."""

from __future__ import annotations

import datetime as dt
import re

import simple_icd_10_cm as icd

from tpicode.knowledge import Knowledge
from tpicode.read.facts import Facts
from tpicode.read.status import ClauseInfo

_GUIDANCE = (
    ("ultrasound", re.compile(r"\b(?:ultrasound|sonograph\w*|us)[- ](?:guid\w+|guidance)|\bunder (?:real[- ]time )?(?:ultrasound|sonograph\w*|us)\b|\bultrasound (?:was )?used\b|\b(?:using|with) (?:real[- ]time )?ultrasound\b")),
    ("fluoroscopy", re.compile(r"\bfluoroscop\w*[- ]?(?:guid\w+|guidance)?|\bunder fluoro\w*\b|\bc-arm\b")),
    ("mri", re.compile(r"\b(?:mri?|magnetic resonance)[- ](?:guid\w+|guidance)|\bunder (?:mri?|magnetic resonance)\b")),
)
_NO_GUIDANCE = re.compile(
    r"\b(?:no|without|not)\s+(?:\w+\s+){0,2}(?:imaging|ultrasound|fluoro\w*|guidance)|\bpalpation[- ]guid|\blandmark[- ]guid"
    r"|\bguid\w* by palpation|\bwas not used\b"
)
_PAIN = re.compile(r"(?<![\d/.])(\d{1,2}(?:\.\d)?)\s*/\s*10\b|\b(?:vas|nrs|pain(?: score| scale| level)?)\s*(?:of|was|is|:|=)?\s*(\d{1,2})(?![\d/%.])")
_PRE = re.compile(r"\b(?:pre|before|prior to|initial(?:ly)?|baseline|presents? with|on arrival|at rest)\b|\bpre[- ]?(?:procedure|injection|tpi)|\bfrom\s*$")
_POST = re.compile(r"\b(?:post|after|following|afterwards?|at discharge|upon completion|immediately after|improved to|decreased to|reduced to|down to|to)\b|\bpost[- ]?(?:procedure|injection|tpi)")
_RESPONSE = re.compile(
    r"\btolerat\w+\b|\btol(?:\.|'d)? (?:well|it well|procedure)|\b(?:reports?|reported|reporting|noted|felt|experienced|with|had|achieved|describes)\s+(?:\w+\s+){0,3}(?:relief|improvement|reduction|decrease)\b"
    r"|\bpain (?:was |is )?(?:improved|decreased|reduced|resolved|better|relieved)\b|\bimmediate (?:relief|improvement|reduction)\b"
    r"|\b(?:good|excellent|significant|partial|moderate|some|complete|no) (?:relief|response|improvement)\b|\bresponse\s*:|\bfeeling relief\b|\bfelt better\b"
)
_COMPLICATIONS = re.compile(
    r"\bcomplications?\s*:?\s*(?:none|no|nil)\b|\b(?:no|without)\s+(?:\w+\s+){0,2}(?:complications?|adverse (?:events?|reactions?|effects?))"
    r"|\bebl\b|\bvasovagal\b|\bhematoma\b|\bpneumothorax\b|\badverse (?:event|reaction)s?\s*:"
)
_CONSERVATIVE_THING = r"(?:pt|physical therapy|therapy|nsaids?|anti-?inflammator\w*|muscle relaxants?|stretch\w*|home exercise\w*|hep|massage|chiropract\w*|heat|ice|medications?|conservative\w*|acupuncture|rest|activity modification|tylenol|acetaminophen|ibuprofen|naproxen|meloxicam|cyclobenzaprine|flexeril|tizanidine|methocarbamol|baclofen|gabapentin|exercises?|yoga|tens|ergonomic\w*|modalities|osteopathic|omt|dry needling|analgesics?|(?:oral |otc )?pain relievers?)"
_THERAPY = re.compile(r"\b" + _CONSERVATIVE_THING + r"\b")
_NEG_OUTCOME = re.compile(
    r"\bfail\w*|\bdespite\b|\brefractory\b|\bpartial\b|\bshort[- ]lived\b|\bminimal\b|\blittle\b|\binadequate\b|\blimited\b"
    r"|\btemporary\b|\btransient\b|\bnot (?:help\w*|work\w*|improv\w*|effective)|\bdid not\b|\bdidn'?t\b|\bw/o\b|\bwithout (?:much |significant |lasting |adequate )?(?:relief|benefit|improvement|change|help)"
    r"|\bno (?:\w+ )?(?:relief|benefit|improvement|change|help)|\bunsuccessful\b|\bineffective\b|\bpersist\w*|\bintoleran\w*|\bstopped\b|\bside effects?\b"
    r"|\bonly (?:a little|mild|slight|modest)|\bunresponsive\b|\bmodest\b|\bnot (?:tolerate|tolerated)"
)
_TRIED = re.compile(r"\b(?:completed|tried|trials? of|underwent|has done|have done|has had|did|took|taken|course of|sessions? of|weeks? of|months? of|visits? of|conservative (?:care|treatment|therapy|management)\s*(?:tried|includ\w*|:))\b")
_NOT_TRIED = re.compile(r"\b(?:continue|resume|start|begin|recommend\w*|will|refer\w*|prescribe\w*|plan)\b")
_INDICATION = re.compile(r"\bindications?\s*:|\bfor (?:the )?(?:treatment of )?(?:chronic |acute |persistent |ongoing )?(?:myofascial|muscle|trigger|tension|myalgia|fibromyalgia)|\bdue to (?:myofascial|trigger)|\bmedical necessity\b|\bindicated (?:for|due)")
_TP_EXAM = re.compile(
    r"\btaut bands?\b|\btwitch\b|\bjump sign\b|\breferred pain\b|\bhyperirritable\b|\bpalpable (?:trigger points?|nodules?|knots?|bands?)\b"
    r"|\btrigger points? (?:were |was |are |is )?(?:identified|palpated|noted|found|present|elicited|confirmed|localized|located)\b"
    r"|\btender (?:nodules?|knots?|points?)\b|\bactive trigger points?\b|\breproduc\w+ (?:of )?(?:the |her |his )?(?:typical |usual |concordant )?pain\b|\bconcordant pain\b"
)
_REPEAT = re.compile(
    r"\b(?:previous|prior|last|earlier|recent|repeat|second|third|fourth|follow-up)\s+(?!to\b)(?:\w+\s+){0,2}(?:tpis?|trigger[- ]point injections?|injections?|sessions?|dry needling)\b"
    r"|\b(?:tpis?|trigger[- ]point injections?)\s+(?:on|in|dated)\s+\d|\b(?:has had|had|received|underwent)\s+(?:\w+\s+){0,2}(?:tpis?|trigger[- ]point injections?)\b"
    r"|\bs/p (?:tpis?|trigger point)"
)
_NO_REPEAT = re.compile(r"\b(?:no|never|denies|not|nor|without|first)\b")
_RELIEF = re.compile(
    r"(?P<pct>\d{1,3})\s*%\s*(?:relief|improvement|reduction|better|decrease|pain relief|pain reduction|reduction in pain)"
    r"|(?:relief|improvement|reduction|decrease)\s+(?:\w+\s+){0,3}?(?:of|by|about|approximately|~)\s*(?P<pct2>\d{1,3})\s*%"
)
_DURATION = re.compile(
    r"(?:for|lasting|lasted|x|over|about|approximately|nearly|almost|through|which lasted)\s*(?:about |approximately |nearly |almost |over |~)?"
    r"(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several)\s*(?:\+\s*)?(?P<u>weeks?|wks?|months?|mos?|days?)\b"
)
_DURNUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3}
_REHAB = re.compile(r"\b(?:home exercise|hep|physical therapy|pt|rehab\w*|stretching program|exercise program|active therapy)\b")
_EM_CODE = re.compile(r"\b(99(?:20[2-5]|21[1-5]))\b")
_EM_SEPARATE = re.compile(
    r"\bseparately identifiable\b|\bsignificant(?:,)? (?:and )?separate\b|\bseparate (?:and distinct |and significant )?(?:e/?m|evaluation|problem|service|issue|complaint|visit|management)\b"
    r"|\bdistinct from the (?:procedure|injection)\b|\bin addition(?: to the (?:procedure|injections?|tpis?))?,? (?:we|i|the patient'?s?) (?:also )?(?:addressed|evaluated|discussed|managed|reviewed|adjusted|treated)\b"
    r"|\b(?:also|additionally|separately) (?:addressed|evaluated|managed|discussed|reviewed|treated|assessed|examined)\b|\bmedication management\b|\bunrelated (?:problem|complaint|issue|condition)\b|\bnew (?:problem|complaint|issue)\b"
    r"|\b(?:refilled|adjusted|titrated|increased|decreased|started|changed) (?:\w+ ){0,2}(?:medications?|dose|dosage|metformin|lisinopril|insulin|amlodipine|gabapentin|duloxetine)\b"
)
_ICD = re.compile(r"(?<![A-Za-z0-9])([A-TV-Z][0-9][0-9A-Z])(?:\.([0-9A-Z]{1,4}))?(?![A-Za-z0-9])")
_DATE = re.compile(
    r"\b(?P<iso>(?:19|20)\d\d-\d\d-\d\d)\b|\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2}|\d{4})\b"
    r"|\b(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? (?P<md>\d{1,2})(?:st|nd|rd|th)?,? (?P<my>(?:19|20)\d\d)\b"
)
_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTHS["sept"] = 9
_TPI_WORD = re.compile(r"\btpis?\b|\btrigger[- ]point|\binjections?\b|\bdry needling\b|\bsessions?\b")


def read_clinical(text: str, low: str, infos: list[ClauseInfo], k: Knowledge, dos: dt.date, facts: Facts) -> None:
    for info in infos:
        cs, ce = info.clause.start, info.clause.end
        s = info.text
        sec = info.clause.section
        if sec != "medications":
            for modality, pat in _GUIDANCE:
                gm = pat.search(s)
                if gm and not _NO_GUIDANCE.search(s) and info.status not in ("planned", "history", "other"):
                    if not any(g[0] == modality for g in facts.guidance):
                        facts.guidance.append((modality, (cs + gm.start(), cs + gm.end())))
        for pm in _PAIN.finditer(s):
            val = pm.group(1) or pm.group(2)
            if val is None or float(val) > 10:
                continue
            ctx_before = s[max(0, pm.start() - 45) : pm.start()]
            span = (cs + pm.start(), cs + pm.end())
            post = _POST.search(ctx_before) or sec == "response"
            if post and (facts.pain_pre is not None or re.search(r"\bpost|\bafter|\bfollowing", ctx_before)):
                facts.pain_post = facts.pain_post or span
            elif _PRE.search(ctx_before) or facts.pain_pre is None:
                facts.pain_pre = facts.pain_pre or span
        if facts.response is None:
            rm = _RESPONSE.search(s)
            if rm and info.status not in ("planned",):
                facts.response = (cs + rm.start(), cs + rm.end())
        if facts.complications is None:
            cm = _COMPLICATIONS.search(s)
            if cm:
                facts.complications = (cs + cm.start(), cs + cm.end())
            elif sec == "complications" and re.search(r"\bnone\b|\bno\b", s):
                facts.complications = (cs, ce)
        if facts.conservative_failed is None and sec != "plan":
            fm = _THERAPY.search(s)
            if fm and (_NEG_OUTCOME.search(s) or _TRIED.search(s)) and not _NOT_TRIED.search(s[: fm.start()]):
                facts.conservative_failed = (cs + fm.start(), cs + fm.end())
        if facts.indication is None:
            im = _INDICATION.search(s)
            if im:
                facts.indication = (cs + im.start(), cs + im.end())
            elif sec == "indication":
                facts.indication = (cs, ce)
        if facts.tp_exam is None:
            tm = _TP_EXAM.search(s)
            if tm:
                facts.tp_exam = (cs + tm.start(), cs + tm.end())
        rep = _REPEAT.search(s)
        if rep and _NO_REPEAT.search(s[max(0, rep.start() - 25) : rep.start() + 12]):
            rep = None
        if rep and info.status != "planned" and not re.search(r"\b(?:will|plan|schedule|next|if)\b", s):
            if facts.repeat is None:
                facts.repeat = (cs + rep.start(), cs + rep.end())
            if _TPI_WORD.search(s):
                for dm in _DATE.finditer(s):
                    d = _parse_date(dm)
                    if d is not None and d < dos and (dos - d).days < 3 * 366:
                        facts.prior_sessions.append((d, (cs + dm.start(), cs + dm.end())))
        for rl in _RELIEF.finditer(s):
            pct = float(rl.group("pct") or rl.group("pct2"))
            weeks = None
            dm2 = _DURATION.search(s)
            if dm2:
                n = dm2.group("n")
                num = float(_DURNUM.get(n, 0) if not n.isdigit() else int(n))
                u = dm2.group("u")
                weeks = num * 4.345 if u.startswith("mo") else (num / 7 if u.startswith("d") else num)
            facts.relief.append((pct, weeks, (cs + rl.start(), cs + rl.end())))
        if facts.rehab is None:
            hm = _REHAB.search(s)
            if hm:
                facts.rehab = (cs + hm.start(), cs + hm.end())
        for em in _EM_CODE.finditer(s):
            facts.em_codes.append((em.group(1), (cs + em.start(), cs + em.end())))
        if facts.em_separate is None:
            sm = _EM_SEPARATE.search(s)
            if sm:
                facts.em_separate = (cs + sm.start(), cs + sm.end())
        if sec != "medications":
            for term_code, span in _dx_terms(low, cs, ce, k):
                facts.dx_terms.append((term_code, span))
    _icd_codes(text, facts)
    seen: set[tuple[dt.date, int]] = set()
    uniq = []
    for d, sp in facts.prior_sessions:
        if (d, sp[0]) not in seen:
            seen.add((d, sp[0]))
            uniq.append((d, sp))
    facts.prior_sessions = uniq


def _parse_date(m: re.Match[str]) -> dt.date | None:
    try:
        if m.group("iso"):
            return dt.date.fromisoformat(m.group("iso"))
        if m.group("m"):
            y = int(m.group("y"))
            y = y + 2000 if y < 100 else y
            return dt.date(y, int(m.group("m")), int(m.group("d")))
        if m.group("mon"):
            return dt.date(int(m.group("my")), _MONTHS[m.group("mon")[:4] if m.group("mon").startswith("sept") else m.group("mon")[:3]], int(m.group("md")))
    except (ValueError, KeyError):
        return None
    return None


_DX_CACHE: dict[int, tuple[re.Pattern[str], dict[str, str]]] = {}


def _dx_terms(low: str, cs: int, ce: int, k: Knowledge) -> list[tuple[str, tuple[int, int]]]:
    key = id(k)
    if key not in _DX_CACHE:
        table: dict[str, str] = {}
        for t in k.dx_terms:
            for term in t.terms:
                table.setdefault(term, t.code)
        terms = sorted(table, key=len, reverse=True)
        pat = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![a-z])")
        _DX_CACHE[key] = (pat, table)
    pat, table = _DX_CACHE[key]
    out = []
    for m in pat.finditer(low, cs, ce):
        before = low[max(cs, m.start() - 25) : m.start()]
        if re.search(r"\b(?:no|not|denies|without|negative for|rule out|r/o|history of)\s+(?:\w+\s+)?$", before):
            continue
        out.append((table[m.group()], (m.start(), m.end())))
    return out


def _icd_codes(text: str, facts: Facts) -> None:
    for m in _ICD.finditer(text):
        cat, sub = m.group(1), m.group(2)
        if sub is None:
            continue  # a bare three-character token ("T12", "C56") is more often anatomy than a code
        code = f"{cat}.{sub}"
        try:
            ok = icd.is_valid_item(code)
        except Exception:  # the library raises on malformed input; that is a no
            ok = False
        if ok and all(c != code for c, _ in facts.icd_codes):
            facts.icd_codes.append((code, (m.start(), m.end())))
