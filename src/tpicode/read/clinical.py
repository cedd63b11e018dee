"""The documentation facts payers ask for: guidance, pain scores, response, necessity, history, E/M, ICD."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable

import ahocorasick
import simple_icd_10_cm as icd

from tpicode.knowledge import Knowledge
from tpicode.read.facts import Facts
from tpicode.read.hits import Hits
from tpicode.read.status import ClauseInfo
from tpicode.read.text import DATE, NEGATED_JUST_BEFORE, dates_in, parse_date

_GUIDANCE = (
    ("ultrasound", re.compile(r"\bguidance\s*:\s*(?:real[- ]time\s+)?(?:ultrasound|sonograph\w*|us)\b|\bultrasound\s*\([^)]{0,12}\)\s*(?:was\s+)?used\b|\b(?:ultrasound|sonograph\w*|us)[- ](?:guid\w+|guidance)|\bunder (?:real[- ]time )?(?:ultrasound|sonograph\w*|us)\b|\bultrasound (?:was )?used\b|\b(?:using|with) (?:real[- ]time )?ultrasound\b")),
    ("fluoroscopy", re.compile(r"\bguidance\s*:\s*fluoro\w*|\bfluoroscop\w*[- ]?(?:guid\w+|guidance)?|\bunder fluoro\w*\b|\bc-arm\b")),
    ("mri", re.compile(r"\b(?:mri?|magnetic resonance)[- ](?:guid\w+|guidance)|\bunder (?:mri?|magnetic resonance)\b")),
)
_AVAILABLE = re.compile(r"\s*(?:was |is )?(?:available|on standby|in the room)\b")
_BUT_NOT_USED = re.compile(r"[\s,;]*but (?:it )?(?:was |were )?not (?:used|needed|required)\b")
_NOT_USED = {
    modality: re.compile(
        rf"\b(?:no|without|not)\s+(?:\w+\s+){{0,2}}(?:{words})"
        rf"|\b(?:{words})\w*\s+(?:\w+\s+){{0,2}}(?:was|were|is)\s+not\s+(?:used|utilized|employed|performed)\b"
    )
    for modality, words in (("ultrasound", r"ultrasound|sonograph"), ("fluoroscopy", r"fluoro"), ("mri", r"mri?\b|magnetic"))
}


def _denied_today(low: str, modality: str, clause_of: Callable[[int], ClauseInfo | None]) -> bool:
    """The note says this modality was not used today (not in history or the plan)."""
    if modality == "ultrasound" and "ultrasound" not in low and "sonograph" not in low:
        return False
    for m in _NOT_USED[modality].finditer(low):
        info = clause_of(m.start())
        if info is not None and info.status not in ("planned", "history") and info.clause.section != "history":
            return True
    return False


_NOT_JUST_BEFORE = re.compile(r"\b(?:not|n't|never|unable to)\s+$")
_NO_GUIDANCE = re.compile(
    r"\b(?:no|without|not)\s+(?:\w+\s+){0,2}(?:imaging|ultrasound|fluoro\w*|guidance)|\bpalpation[- ]guid|\blandmark[- ]guid"
    r"|\bguid\w* by palpation|\bnot (?:used|utilized|needed)\b"  # ("(C-arm not used)")
)
_FIELD_NO = re.compile(r"[ \t]*(?:guid\w*|used)?[ \t]*[:\-][ \t]*(?:no|n|none|not used|n/a)\b")
# "7/10" is found from its "/" (a literal, which `re` finds fast) and read back; "VAS 7" by its word.
_PAIN_SLASH = re.compile(r"/\s*10\b")  # "8 out of 10" is normalised to "8 /     10" (read/dictation.py)
_PAIN_BEFORE = re.compile(r"(?<![\d/.])(\d{1,2}(?:\.\d)?)\s*$")
_PAIN_WORD = re.compile(r"\b(?:vas|nrs|pain(?: score| scale| level)?)\s*(?:\((?:nrs|vas|0-10)\)\s*)?(?:of|was|is|:|=)?\s*(\d{1,2})(?![\d/%.])")
# "Pain (NRS): 7 before, 2 after": the second score has no pain word of its own
_PAIN_BARE = re.compile(r"(?<![\d/.])(\d{1,2})\s+(?:before|after|pre(?:-procedure)?|post(?:-procedure)?)\b")
_PRE = re.compile(r"\b(?:pre|before|prior to|initial(?:ly)?|baseline|presents? with|on arrival|at rest)\b|\bpre[- ]?(?:procedure|injection|tpi)|\bfrom\s*$")
# (not the next field's label: "Pre-procedure pain: 7/10   Post-procedure pain: 3/10")
_POST_AFTER = re.compile(r"\s*(?:\w+\s+)?(?:after|afterwards?|post(?:[- ]?(?:procedure|injection))?|following|(?:at|on|upon) (?:discharge|departure|the end))\b(?![\w -]{0,20}:)(?!\s*\d)")
_PRE_AFTER = re.compile(r"\s*(?:\w+\s+)?(?:before|beforehand|pre(?:[- ]?(?:procedure|injection))?|prior|at baseline)\b(?![\w -]{0,20}:)(?!\s*\d)")
_POST = re.compile(r"(?:->|→|=>)\s*$|\b(?:post|after|following|afterwards?|at discharge|upon completion|immediately after|improved to|decreased to|reduced to|down to|to)\b|\bpost[- ]?(?:procedure|injection|tpi)")
_RESPONSE = re.compile(
    r"\btolerat\w+\b|\btol(?:\.|'d)? (?:well|it well|procedure)|\b(?:reports?|reported|reporting|noted|felt|experienced|with|had|achieved|describes)\s+(?:\w+\s+){0,3}(?:relief|improvement|reduction|decrease)\b"
    r"|\bpain (?:was |is )?(?:improved|decreased|reduced|resolved|better|relieved)\b|\bimmediate (?:relief|improvement|reduction)\b"
    r"|\b(?:good|excellent|significant|partial|moderate|some|complete|no) (?:relief|response|improvement)\b|\bresponse\s*:|\bfeeling relief\b|\bfelt better\b"
    r"|\btolerance\s*[:\t-]?\s*(?:good|well|fine|excellent|ok)\b|\bpain\b[^\d\n]{0,12}\d{1,2}\s*(?:->|→|=>|to)\s*\d{1,2}\b"
    r"|\bpre\s*/\s*post\b[^\d\n]{0,6}\d{1,2}\s*/\s*\d{1,2}\b"
)
_COMPLICATIONS = re.compile(
    r"\bcomplications?\s*:?\s*(?:none|no|nil)\b|\b(?:no|without)\s+(?:\w+\s+){0,2}(?:complications?|adverse (?:events?|reactions?|effects?))"
    r"|\bebl\b|\bvasovagal\b|\bhematoma\b|\bpneumothorax\b|\badverse (?:event|reaction)s?\s*:"
)
_CONSERVATIVE_THING = r"(?:pt|physical therapy|physiotherapy|physio|therapy|nsaids?|anti-?inflammator\w*|muscle relaxants?|stretch\w*|home exercise\w*|hep|massage|chiropract\w*|heat|ice|medications?|conservative\w*|acupuncture|rest|activity modification|tylenol|acetaminophen|ibuprofen|naproxen|meloxicam|cyclobenzaprine|flexeril|tizanidine|methocarbamol|baclofen|gabapentin|exercises?|yoga|tens|ergonomic\w*|modalities|osteopathic|omt|dry needling|analgesics?|oral pain relievers?|otc pain relievers?|pain relievers?)"
_THERAPY = re.compile(r"\b" + _CONSERVATIVE_THING + r"\b")
_NEG_OUTCOME = re.compile(
    r"\bfail\w*|\bdespite\b|\brefractory\b|\bpartial\b|\bshort[- ]lived\b|\bminimal\b|\blittle\b|\binadequate\b|\blimited\b"
    r"|\btemporary\b|\btransient\b|\bnot (?:help\w*|work\w*|improv\w*|effective|going away|better|resolv\w*|gone|(?:given|provided|brought) (?:\w+ ){0,2}(?:relief|benefit|improvement|help))|\bdid not\b|\bdidn'?t\b|\bw/o\b|\bwithout (?:much |significant |lasting |adequate )?(?:relief|benefit|improvement|change|help)"
    r"|\bno (?:\w+ )?(?:relief|benefit|improvement|change|help)|\bunsuccessful\b|\bineffective\b|\bpersist\w*|\bstill\b|\bunchanged\b|\bno better\b|\bintoleran\w*|\bstopped\b|\bside effects?\b"
    r"|\bonly (?:a little|mild|slight|modest)|\bunresponsive\b|\bmodest\b|\bnot (?:tolerate|tolerated)"
    r"|\bmin(?:imal)? (?:change|benefit|relief|improvement|effect)|\bminor (?:improvement|relief|benefit)\b|\bno (?:real )?change\b|\binsufficient\b"
    r"|\bunhelpful\b|\bnot effective\b|\bno better\b|\bplateau\w*|\bbut not\b|\bnot (?:the |her |his )?pain\b"
    r"|\bstill (?:painful|has pain|symptomatic|hurts)"
)
_TRIED = re.compile(r"\b(?:pt|physical therapy|physio(?:therapy)?)\s*(?:x\s*)?\d+\s*(?:wks?|weeks?|visits?|sessions?|months?|mos?)\b|\b(?:completed|tried|trials? of|underwent|has done|have done|has had|did|took|taken|course of|sessions? of|weeks? of|months? of|visits? of|prior care|previous care|conservative (?:care|treatment|therapy|management)\s*(?:tried|includ\w*|:))\b"
    r"|\bconservative (?:care|treatment|therapy|management)\s*\(?\s*(?:>=?|≥|for|x|of|over)?\s*\d+\+?\s*(?:wks?|weeks?|months?|mos?)\s*\)?\s*:")
_NOT_TRIED = re.compile(r"\b(?:continue|resume|start|begin|recommend\w*|will|refer\w*|prescribe\w*|plan)\b")
_INDICATION = re.compile(r"\bindications?\s*:|\bfor (?:the )?(?:treatment of )?(?:chronic |acute |persistent |ongoing )?(?:myofascial|muscle|trigger|tension|myalgia|fibromyalgia)|\bdue to (?:myofascial|trigger)|\bmedical necessity\b|\bindicated (?:for|due)")
_TP_EXAM = re.compile(
    r"\btaut bands?\b|\btwitch\b|\bjump sign\b|\breferred pain\b|\bhyperirritable\b|\bpalpable (?:trigger points?|nodules?|knots?|bands?)\b"
    r"|\btrigger points? (?:were |was |are |is )?(?:identified|palpated|noted|found|present|elicited|confirmed|localized|located)\b"
    r"|\btender (?:nodules?|knots?|points?)\b|\bactive trigger points?\b|\breproduc\w+ (?:of )?(?:the |her |his )?(?:typical |usual |concordant )?pain\b|\bconcordant pain\b"
)
_REPEAT = re.compile(
    r"\b(?:previous|prior|last|earlier|recent|repeat|second|third|fourth|follow-up)\s+(?!to\b)"
    r"(?:(?!knee|hip|shoulder|joint|epidural|facet|bursa|steroid|cortisone|sacroiliac|spinal|nerve|botox|vaccine|flu)\w+\s+){0,2}"
    r"(?:tpis?|trigger[- ]point injections?|injections?|sessions?|dry needling)\b"
    r"|\b(?:tpis?|trigger[- ]point injections?|injections?)\s+(?:here\s+|(?:in|at) (?:this|our|the) (?:office|clinic|practice)\s+)?(?:(?:on|in|dated)\s+|(?=\d{1,2}/\d{1,2}/\d{2}))(?:\d{1,2}[/-]\d|(?:19|20)\d\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d)|\b(?:has had|had|received|underwent)\s+(?:\w+\s+){0,2}(?:tpis?|trigger[- ]point injections?)\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\s*[-:]\s*(?:tpis?|trigger[- ]point)"
    r"|\bs/p (?:tpis?|trigger point)"
    r"|\b(?:tpis?|trigger[- ]point injections?)\s*\(repeat\)"
    r"|\bafter the (?:\d{1,2}/\d{1,2}/\d{2,4}|last|previous|prior|second|third) (?:tpi |trigger point )?(?:session|injections?|tpis?)\b"
    # "Trigger point injections of the left masseter ... were performed here on 01/14/2025"
    r"|\b(?:tpis?|trigger[- ]point injections?)\b[^.;]{0,80}?\b(?:were|was) (?:performed|done|given|administered)\b[^.;]{0,20}?\bon \d"
    r"|\binjected (?:last (?:week|month|time|visit|session)|previously|\d{1,2} (?:weeks?|months?) ago|on \d)"
)
# Words that say the visit managed a problem (diagnoses.yaml tpi_related_prefixes says which problems are TPI's own)
_MANAGED = re.compile(
    r"\b(?:start(?:ed|s)?|increase[ds]?|decrease[ds]?|adjust(?:ed|s)?|refill(?:ed|s)?|titrat\w+|order(?:ed|s)?|recheck|"
    r"check(?:ed|s)?|referr?(?:al|ed)?|refers|counsel(?:ed|ing|s)?|prescribe[ds]|changed|changes|switched|switches"
    r"|discontinued|discontinues)\b"
)
_MYOFASCIAL_LINE = re.compile(r"myofascial|trigger|\bmuscle|\bneck\b|\bback\b|\bpain\b|\bheadache|\bstretch|\bhep\b|\bpt\b|physical therapy")
_TPI_NAMED = re.compile(r"\btpis?\b|\btrigger[- ]point|\bdry needling\b")
_THERAPY_NEGATED = re.compile(
    r"(?:\bnot|\bnever|n't)\s+(?:had|done|tried|taken|received|attended|started|completed|undergone|been to)\b(?![^.;]{0,40}\bbut\b)[^.;]{0,40} $"
    r"|\bno (?:prior |previous |formal )?$|\bwithout (?:any )?$"
)
_OTHER_TREATMENT = re.compile(
    r"botox|botulinum|onabotulinum|chemodenervation|epidural|nerve block|\bblocks?\b|ablation|facet|infusion|vaccin|acupunct|massage|physical therapy|\bpt\b|chiropract"
)
_ORDERS_HEADING = re.compile(r"\s*(?:orders?|medications? ordered|procedures? ordered)\b[^\n:]{0,30}:?\s*$")
_NOT_ADDRESSED = re.compile(
    r"\b(?:was|were) not (?:addressed|managed|evaluated)\b|\bno other (?:problems?|issues?|complaints?|concerns?) (?:were |was )?(?:addressed|managed|evaluated|raised|discussed)\b"
)
_DATE_ROW = re.compile(r"^\s*(?:[-*•|]\s*|#\s*\d{1,2}\s+|\d{1,2}[.)]\s+|\d{1,2}[ \t]{2,}|(?:session|tpi) ?#?\d{1,2}:?\s+)?(?:\d{1,2}/\d{1,2}/\d{2,4}|(?:19|20)\d\d-\d\d-\d\d)\b")
_HISTORY_WORD = re.compile(r"\b(?:prior(?! to\b)|previous|past|earlier|history)\b")  # (not "prior to each injection")
_EM_CORRECTED = re.compile(r"\bcorrect\w*|\bshould (?:read|be|have been)\b|\bin error\b|\bchanged to\b|\bamended\b|\bincorrect\b")
_AMONG_TODAYS = re.compile(r"\b(?:after|during|before|with|at|following) the\s+$")
_ORDINAL = re.compile(r"(?:second|third|fourth|fifth)\s+(?:injection|needle|site|stick)\b")
_OTHER_INJECTION_BEFORE = re.compile(
    r"\b(?:knee|hip|shoulder|joint|epidural|facet|bursa\w*|cortisone|sacroiliac|si|spinal|nerve|botox|vaccine|flu|covid"
    r"|b12|toradol|ketorolac|im|intramuscular|intra-articular|trochanteric|subacromial|steroid)\s+(?:\w+\s+)?$"
)
_NO_REPEAT = re.compile(r"\b(?:no|never|denies|not|nor|without|first)\b")
# "Prior TPI: None", "Prior TPI: [x] No" (the unticked "[ ] Yes" is blanked before reading)
# ("Prior TPI: [x] None  [ ] Yes, date: ____": the unticked answer's blank date field is left over)
# ("Prior TPI: N/A (first session)": a remark in brackets after the answer)
_NO_REPEAT_AFTER = re.compile(r"[ \t:\-]*(?:none|no|n/a|never|0)\b(?![ \t]*[\w/])\W*(?:dates?\W*)?(?:\([^()\n]*\)\W*)?")
# "The patient received trigger point injections into ...": today's procedure, not an earlier one
_RECEIVED = re.compile(r"(?:has had|had|received|underwent)\b")
_RELIEF_PCT = re.compile(r"%\s*(?:relief|improvement|reduction|better|decrease|less\b|pain relief|pain reduction|reduction in pain)")
_PCT_BEFORE = re.compile(r"(\d{1,3})\s*$")
_PCT_LASTED = re.compile(
    r"(?<![\d.])(\d{1,3})\s*%\s*\)?[\s,;]*(?:and |which |that )?(?:lasted|lasting|sustained|maintained|persisted"
    r"|(?:x|for)\s*~?\d{1,2}\s*(?:wks?|weeks?|mos?|months?)\b"  # "(~60%) x 9wk"
    r"|(?=\d{1,2}\s*(?:wks?|weeks?|mos?|months?)\b))"  # "| 65%, 10 weeks |" under a "Relief, duration" column
)
_VERB_RELIEF = re.compile(r"\b(?:improved|got better|was better|eased|fell|dropped|decreased|went down)\s+(?:by\s+)?(?:about\s+|approximately\s+|roughly\s+|~\s*)?(\d{1,3})\s*%")
_VERB_RELIEF_GATE = ("improved ", " better ", "eased ", "fell ", "dropped ", "decreased ", "went down ")  # its verbs, as literals
_RELIEF_WORD = re.compile(r"\b(?:relief|improvement|reduction|decrease)\s+(?:\w+\s+){0,3}?(?:of|by|about|approximately|~)\s*(\d{1,3})\s*%")
_DURATION = re.compile(
    r"(?:for|lasting|lasted|x|over|about|approximately|nearly|almost|through|which lasted|stayed|held|since|ago"
    r"|sustained|maintained|persisted|duration(?: of)?:?)\s*"
    r"(?:about |approximately |approx\.? |nearly |almost |over |roughly |around |at least |more than |close to |just over |well over |~)?"
    r"(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several)"
    r"(?:\s*(?:-|to)\s*\d{1,2})?\s*(?:\+\s*)?(?P<u>weeks?|wks?|months?|mos?|days?)\b"
    r"|(?P<n2>\d{1,2})\s*(?P<u2>weeks?|wks?|months?|mos?)\s+ago\b"
)
_SCORE_DROP = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*10\s*(?:(?:down\s+)?to|-+>|→|=>)\s*(\d{1,2})\s*/\s*10\b")  # (also "7/10 -> 2/10")
# "after the February injections her pain went from 8/10 down to 3/10": scores after an earlier session
_AFTER_EARLIER = re.compile(
    r"\bafter (?:the|her|his|their|those|these|that|last|previous|prior)\b[^.;]{0,40}?\b(?:injections?|sessions?|tpis?|treatments?)\b"
)
_FIELD_START = re.compile(r"[a-z][a-z /#()>=\d-]{0,50}:")


_FAILED_WORD = re.compile(r"\bfail\w*|\bdespite\b|\brefractory\b|\bwithout (?:relief|benefit|improvement)")


_PLACEHOLDER = re.compile(r"\*{2,}|_{2,}|-{2,}|\?{2,}|n/?a|\[\s*\]|<[^<>]{0,30}>|\{[^{}]{0,30}\}")


def _empty_field(low: str, at: int) -> bool:
    """`at` lies in a field label whose value (the rest of its line after the colon) is blank."""
    eol = low.find("\n", at)
    eol = len(low) if eol < 0 else eol
    colon = low.find(":", at, eol)
    if colon < 0 or "." in low[at:colon]:
        return False
    value = low[colon + 1 : eol].strip()
    if value:
        return _PLACEHOLDER.fullmatch(value) is not None  # "Conservative treatment tried: ***": a template left unfilled
    # (its value may be on the next line: "CONSERVATIVE CARE TRIED (tick):\n[x] Physical therapy ...")
    nxt_end = low.find("\n", eol + 1)
    nxt = low[eol + 1 : len(low) if nxt_end < 0 else nxt_end].strip()
    return not nxt or _FIELD_START.match(nxt) is not None


# "| 65%, 10 weeks |": a duration right after the relief (its own table cell or a comma on)
_DURATION_RIGHT_AFTER = re.compile(r"[\s,;]*(?:x\s*)?(?P<n>\d{1,2})\s*(?P<u>wks?|weeks?|mos?|months?)\b(?P<n2>)?(?P<u2>)?")
_CARRIES_DURATION = re.compile(
    r"\W*(?:and |but )?(?:the |this |that |which |it |her |his )?(?:benefit|relief|improvement|effect|response|result)?\s*"
    r"(?:has |had )?(?:lasted|lasting|persisted|held|stayed|was sustained|was maintained)\b"
)
_DURNUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3}
_REHAB = re.compile(r"\b(?:home exercise|hep|physical therapy|pt|rehab\w*|stretching program|exercise program|active therapy)\b")
_EM_CODE = re.compile(r"\b(99(?:20[2-5]|21[1-5]))\b")
_EM_SEPARATE = re.compile(
    r"\bseparately identifiable\b|\bsignificant(?:,)? (?:and )?separate\b|\bseparate (?:and distinct |and significant )?(?:e/?m|evaluation|problem|service|issue|complaint|visit|management)\b"
    r"|\b(?:distinct|separate) from the (?:procedure|injections?|tpis?)\b|\bin addition(?: to the (?:procedure|injections?|tpis?))?,? (?:we|i|the patient'?s?) (?:also )?(?:addressed|evaluated|discussed|managed|reviewed|adjusted|treated)\b"
    r"|\b(?:also|additionally|separately) (?:addressed|evaluated|managed|discussed|reviewed|treated|assessed|examined)\b"
    r"|\b(?:addressed|evaluated|managed|treated) separately\b|\bmedication management\b|\bunrelated (?:problem|complaint|issue|condition)\b|\bnew (?:problem|complaint|issue)\b(?! visit)"
    r"|\b(?:refilled|adjusted|titrated|increased|decreased|started|changed) (?:\w+ ){0,2}(?:medications?|dose|dosage|metformin|lisinopril|insulin|amlodipine|gabapentin|duloxetine)\b"
)
_HEADER_ROW = re.compile(r"[a-z /#()]+(?:[ \t]{2,}[a-z /#()]+)+")  # "session   date   muscles   relief reported"
_ROW_NAME = re.compile(r"([^:\n]{2,60}?)[ \t]{2,}\S")
_EM_CODE_BEFORE = re.compile(r"\b992\d\d\b")
_ASKED_WHETHER = re.compile(r"\b(?:whether|determine if|decide if)\b[^.;\n]*$")
# (the letter comes before the look-behind so that `re` can skip ahead to capital letters: 2x faster)
_ICD = re.compile(r"([A-TV-Z](?<![A-Za-z0-9][A-TV-Z])[0-9][0-9A-Z])(?:\.([0-9A-Z]{1,4}))?(?![A-Za-z0-9])")
_TPI_WORD = re.compile(r"\btpis?\b|\btrigger[- ]point|\binjections?\b|\bdry needling\b|\bsessions?\b")


# compiled once here: an inline re.search(pattern, ...) pays a cache lookup per call
_POST_WORD = re.compile(r"\bpost|\bafter|\bfollowing")
_NONE_WORD = re.compile(r"\bnone\b|\bno\b")
_PLAN_WORD = re.compile(r"\b(?:will|plan|schedule|next|if)\b")

def cue_categories() -> dict[str, list[str]]:
    """The cue lists this stage reads, by category (scanned together with the status cues)."""
    return {
            "ultrasound": [_GUIDANCE[0][1].pattern],
            "fluoroscopy": [_GUIDANCE[1][1].pattern],
            "mri": [_GUIDANCE[2][1].pattern],
            "no_guidance": [_NO_GUIDANCE.pattern],
            "response": [_RESPONSE.pattern],
            "complications": [_COMPLICATIONS.pattern],
            "therapy": [_THERAPY.pattern],
            "neg_outcome": [_NEG_OUTCOME.pattern],
            "tried": [_TRIED.pattern],
            "not_tried": [_NOT_TRIED.pattern],
            "indication": [_INDICATION.pattern],
            "tp_exam": [_TP_EXAM.pattern],
            "repeat": [_REPEAT.pattern],
            "rehab": [_REHAB.pattern],
            "em_separate": [_EM_SEPARATE.pattern],
            "pain_word": [_PAIN_WORD.pattern],
            "relief_word": [_RELIEF_WORD.pattern],
            "managed": [_MANAGED.pattern],
        }


def read_clinical(
    text: str, low: str, infos: list[ClauseInfo], k: Knowledge, dos: dt.date, facts: Facts, h: dict[str, Hits],
    other_context: set[int],
) -> None:
    pain_spans: list[tuple[int, int, str]] = []
    for m in _PAIN_SLASH.finditer(low):
        b = _PAIN_BEFORE.search(low, max(0, m.start() - 6), m.start())
        if b:
            pain_spans.append((b.start(1), m.end(), b.group(1)))
    for ps, pe in h["pain_word"].spans:
        pm = _PAIN_WORD.match(low, ps)
        if pm:
            pain_spans.append((ps, pe, pm.group(1)))
            le = low.find("\n", pe)
            for bm in _PAIN_BARE.finditer(low, pe, le if le >= 0 else len(low)):
                pain_spans.append((bm.start(1), bm.end(1), bm.group(1)))
    pain_spans = sorted(set(pain_spans))
    pain_hits = Hits([(a, b) for a, b, _v in pain_spans])
    pain_value = {(a, b): v for a, b, v in pain_spans}
    relief_spans: list[tuple[int, int, str]] = []
    if "%" in low:
        for m in _RELIEF_PCT.finditer(low):
            b = _PCT_BEFORE.search(low, max(0, m.start() - 5), m.start())
            if b:
                relief_spans.append((b.start(1), m.end(), b.group(1)))
        for rs, re_ in h["relief_word"].spans:
            rm = _RELIEF_WORD.match(low, rs)
            if rm:
                relief_spans.append((rs, re_, rm.group(1)))
        # "7/10 -> 2/10 (~70%), lasted ~12 wks": a percentage that lasted is a relief
        relief_spans.extend((m.start(1), m.end(), m.group(1)) for m in _PCT_LASTED.finditer(low))
        # "his pain improved about 75% and stayed improved for roughly 3 months": relief said with a verb
        if any(w in low for w in _VERB_RELIEF_GATE):  # (a substring test first: most notes have none)
            relief_spans.extend((m.start(1), m.end(), m.group(1)) for m in _VERB_RELIEF.finditer(low))
        relief_spans = sorted(set(relief_spans))
    reliefs = Hits([(a, b) for a, b, _v in relief_spans])
    relief_value = {(a, b): v for a, b, v in relief_spans}
    em_hits = [(m.start(), m.end()) for m in _EM_CODE.finditer(low)] if "99" in low else []
    starts = [i.clause.start for i in infos]

    def clause_of(pos: int) -> ClauseInfo | None:
        i = bisect.bisect_right(starts, pos) - 1
        return infos[i] if i >= 0 and pos < infos[i].clause.end else None

    def has_cue(info: ClauseInfo, kinds: tuple[str, ...]) -> bool:
        return any(kind in kinds for _a, _b, kind in info.cues)

    # each fact walks the few matches of its own cues, not every clause
    other_starts = {infos[i].clause.start for i in other_context}
    # "The C-arm was moved out of the field and the trigger point injections were done by palpation, without
    # imaging": beside another procedure, the imaging was that procedure's
    tpi_unguided = bool(other_context) and any(
        i.tpi_words and h["no_guidance"].any(i.clause.start, i.clause.end) for i in infos
    )
    for modality in ("ultrasound", "fluoroscopy", "mri"):
        if tpi_unguided or not h[modality].spans or _denied_today(low, modality, clause_of):
            continue  # "Ultrasound was NOT used today": template text saying otherwise does not apply
        for span in h[modality].spans:
            info = clause_of(span[0])
            if (
                info is not None
                and info.clause.section != "medications"
                and info.status not in ("planned", "history", "other")
                and info.clause.start not in other_starts  # ("Procedure 1: medial branch blocks, fluoroscopic guidance")
                and not has_cue(info, ("future", "history"))
                and not h["no_guidance"].any(info.clause.start, info.clause.end)
                # "Ultrasound was available in the room | but was not used"
                and not _AVAILABLE.match(low, span[1], info.clause.end)
                and not _BUT_NOT_USED.match(low, info.clause.end)
                and not _FIELD_NO.match(low, span[1])  # ("Ultrasound guidance:      No")
            ):
                facts.guidance.append((modality, span))
                break
    for ps, pe in pain_hits.spans:
        info = clause_of(ps)
        if info is None:
            # "Pre-procedure NRS: 8": the scale word is in the field label, the score after it
            cs, ce, sec = max(0, ps - 45), min(len(low), pe + 14), "none"
        else:
            cs, ce, sec = info.clause.start, info.clause.end, info.clause.section
        if float(pain_value[(ps, pe)]) > 10:
            continue
        ctx_before = low[max(cs, ps - 45) : ps]
        ctx_after = low[pe : min(ce, pe + 40)]
        span = (ps, pe)
        if _POST_AFTER.match(ctx_after) and sec != "history":
            facts.pain_post = facts.pain_post or span
            continue
        if _PRE_AFTER.match(ctx_after):
            facts.pain_pre = facts.pain_pre or span
            continue
        # (not the history's "pain for 3 months after a heavy-lifting shift, 7/10")
        post = (_POST.search(ctx_before) and sec != "history") or sec == "response"
        if post and (facts.pain_pre is not None or _POST_WORD.search(ctx_before)):
            facts.pain_post = facts.pain_post or span
        elif _PRE.search(ctx_before) or facts.pain_pre is None:
            facts.pain_pre = facts.pain_pre or span
    for span in h["response"].spans:
        info = clause_of(span[0])
        # "will tolerate", "should feel relief" are plans; a future cue further off is another clause's
        if info is not None and not h["future"].any(max(info.clause.start, span[0] - 25), span[0]):
            if info.clause.section == "history" or _NOT_JUST_BEFORE.search(low, max(0, span[0] - 12), span[0]):
                continue  # "could not tolerate naproxen": the history of another treatment
            facts.response = span
            break
    facts.complications = h["complications"].spans[0] if h["complications"].spans else None
    if facts.complications is None:
        for info in infos:
            if info.clause.section == "complications" and _NONE_WORD.search(info.text):
                facts.complications = (info.clause.start, info.clause.end)
                break
    for span in h["therapy"].spans:
        info = clause_of(span[0])
        if info is None:
            continue
        cs, ce = info.clause.start, info.clause.end
        # the outcome may follow in the next clause: "PT 12 visits + HEP + naproxen; no relief lasting"
        nxt = clause_of(ce + 2)
        ne = nxt.clause.end if nxt is not None and nxt.clause.line <= info.clause.line + 1 else ce
        # (a field's label may say it: "Prior treatments failed: [x] Physical therapy")
        ls = max(low.rfind("\n", 0, cs) + 1, cs - len(info.clause.field_label) - 4) if info.clause.field_label else cs
        outcome = h["neg_outcome"].any(ls, ne) or h["tried"].any(ls, ce)
        if _THERAPY_NEGATED.search(low, max(cs, span[0] - 50), span[0]):
            continue  # "has not had physical therapy or done any exercises"
        if h["not_tried"].any(cs, span[0]) and not h["tried"].any(cs, ce) and not _FAILED_WORD.search(low, cs, ce):
            continue  # "Start home stretching, acetaminophen as needed, PT referral if not better": still to come
        if _empty_field(low, span[1]):
            continue  # "Conservative care tried (>= 6 weeks):  [ ] PT  [ ] NSAIDs": a label with nothing ticked
        # (a plan word just before the therapy: "will start PT", "refer to PT"; not "referred to Dr. X for ...")
        if outcome and not h["not_tried"].any(max(cs, span[0] - 30), span[0]):
            facts.conservative_failed = span
            break
    facts.indication = h["indication"].spans[0] if h["indication"].spans else None
    if facts.indication is None:
        for info in infos:
            if info.clause.section == "indication":
                facts.indication = (info.clause.start, info.clause.end)
                break
    facts.tp_exam = h["tp_exam"].spans[0] if h["tp_exam"].spans else None
    seen_clauses: set[int] = set()
    for rep in h["repeat"].spans:
        info = clause_of(rep[0])
        if info is None or info.clause.start in seen_clauses or info.other_procedure:
            continue  # an earlier epidural or joint injection is not an earlier TPI session
        if info.clause.section == "medications":
            continue  # "Kenalog: flushing after a knee injection in 2021" in an allergy list
        seen_clauses.add(info.clause.start)
        cs, ce, s = info.clause.start, info.clause.end, info.text
        if _NO_REPEAT.search(low, max(cs, rep[0] - 25), min(ce, rep[0] + 12)) or _NO_REPEAT_AFTER.match(low, rep[1]):
            continue
        if info.status == "today" and _RECEIVED.match(low, rep[0]):
            continue
        if _AMONG_TODAYS.search(low, max(cs, rep[0] - 16), rep[0]) and _ORDINAL.match(low, rep[0]):
            continue  # "she felt lightheaded after the fourth injection": today's fourth needle, not a fourth session
        dated = DATE.search(low, rep[0], min(len(low), rep[1] + 12))
        if dated is not None and (parse_date(dated) or dt.date.min) >= dos:
            continue  # "drawn up and injected on 05/13/2025": today's date, not an earlier session
        if not _TPI_NAMED.search(low, rep[0], rep[1]) and _OTHER_TREATMENT.search(s):
            continue  # "Botox every 12 weeks (last session 08/26/2025)": that treatment's session
        if not _TPI_NAMED.search(low, rep[0], rep[1]) and _OTHER_INJECTION_BEFORE.search(low, max(cs, rep[0] - 30), rep[0]):
            continue  # "a steroid knee injection in 2023": another kind of injection
        if info.status != "planned" and not _PLAN_WORD.search(s):
            if facts.repeat is None:
                facts.repeat = rep
            if _TPI_WORD.search(s):
                for d, ds, de in dates_in(s, dos):
                    if d < dos and (dos - d).days < 3 * 366:
                        facts.prior_sessions.append((d, (cs + ds, cs + de)))
    # "Prior trigger point injections: 03/18/2024, 09/12/2024" and a lead-in followed by dated rows
    lead_tpi = False
    for info in infos:  # (cheap tests first: this runs on every clause)
        s_ = info.text
        label = info.clause.field_label
        in_history = info.clause.section == "history" or (bool(label) and _HISTORY_WORD.search(label) is not None) or (
            # a flowsheet row named for the history: "TPI History - Session A        09/10/2024: L piriformis ..."
            "  " in s_ and (rn := _ROW_NAME.match(s_)) is not None and _HISTORY_WORD.search(rn.group(1)) is not None
        )
        dm = _DATE_ROW.match(s_)
        dated_row = dm is not None and (
            lead_tpi or (in_history and _TPI_NAMED.search(_block_head(low, info.clause.start)) is not None)
            # ("Procedure History / 01/21/2025 Trigger point injection - R masseter": the row names it)
            or (in_history and _TPI_NAMED.search(s_, dm.end(), dm.end() + 30) is not None)
        )
        colon = s_.find(":")
        tpi_words = in_history and info.status != "planned" and (
            (bool(label) and _TPI_WORD.search(label) is not None)
            or (info.ends_colon and _TPI_WORD.search(s_) is not None)
            # "... Trigger point injection history in this clinic: 10/15/2024, 01/21/2025 and 05/06/2025"
            or (colon > 0 and not info.other_procedure and _TPI_WORD.search(s_, 0, colon) is not None)
        )
        # (the answer starts after the label's colon, or at once when the label was read apart from the text)
        answer_at = colon + 1 if colon >= 0 and (not label or s_.startswith(label)) else 0
        if tpi_words and _NO_REPEAT_AFTER.fullmatch(s_.lower(), answer_at):
            tpi_words = False  # "Prior TPI: None", "Prior TPI: [x] No"
        if dated_row or tpi_words:
            if facts.repeat is None and (in_history or lead_tpi):
                facts.repeat = (info.clause.start, info.clause.end)
            for d, ds, de in dates_in(s_, dos):
                if d < dos and (dos - d).days < 3 * 366:
                    facts.prior_sessions.append((d, (info.clause.start + ds, info.clause.start + de)))
        # (or a short history heading of its own, "Prior TPI Sessions", over a table whose header row is kept)
        if (info.ends_colon or (info.status == "history" and len(s_) <= 40)) and _TPI_WORD.search(s_) and not has_cue(info, ("future",)):
            lead_tpi = True
        elif not dated_row and not (lead_tpi and _HEADER_ROW.fullmatch(s_)):
            lead_tpi = False
    for rs, re_ in reliefs.spans:
        info = clause_of(rs)
        if info is None:
            continue
        pct = float(relief_value[(rs, re_)])
        dm2 = _DURATION.search(info.text) or _DURATION_RIGHT_AFTER.match(low, re_)
        if dm2 is None:
            # "... (about 70% relief) and headache days from 20 to 6 per month; the benefit lasted about 11 weeks"
            nxt = clause_of(info.clause.end + 1) or clause_of(info.clause.end + 2)
            if nxt is not None and nxt.clause.line <= info.clause.line + 1 and _CARRIES_DURATION.match(nxt.text):
                dm2 = _DURATION.search(nxt.text)
        facts.relief.append((pct, _weeks(dm2) if dm2 else None, (rs, re_)))
    if not facts.relief and ("/10" in low or "/ 10" in low):
        # "after that session her pain went from 8/10 to 4/10 and stayed there for six weeks": relief as scores
        for info in infos:
            if info.clause.section != "history" and info.status != "history" and not _AFTER_EARLIER.search(info.text):
                continue
            sm = _SCORE_DROP.search(info.text)
            dm2 = _DURATION.search(info.text, sm.end()) if sm is not None else None
            if sm is None or dm2 is None or int(sm.group(1)) == 0 or int(sm.group(1)) > 10:
                continue
            pct = 100.0 * (int(sm.group(1)) - int(sm.group(2))) / int(sm.group(1))
            span = (info.clause.start + sm.start(), info.clause.start + sm.end())
            facts.relief.append((pct, _weeks(dm2), span))
            break
    facts.rehab = h["rehab"].spans[0] if h["rehab"].spans else None
    facts.em_codes.extend((low[es:ee], (es, ee)) for es, ee in em_hits)
    if len(facts.em_codes) > 1:
        # "addendum: the E/M level should read 99214-25 (not 99213)": the first other code after the correction
        cm = _EM_CORRECTED.search(low, facts.em_codes[0][1][1])
        later = [c for c in facts.em_codes[1:] if cm is not None and c[1][0] > cm.start() and c[0] != facts.em_codes[0][0]]
        if later:
            facts.em_codes.remove(later[0])
            facts.em_codes.insert(0, later[0])
    not_addressed = _NOT_ADDRESSED.search(low) is not None
    # (not a title's question: "IS THIS E/M SEPARATELY IDENTIFIABLE?")
    # (nor an auditor's task: "Determine whether the E/M is supported as separately identifiable.")
    facts.em_separate = next(
        (
            sp for sp in h["em_separate"].spans
            if ((ci := clause_of(sp[0])) is None or not ci.text.rstrip().endswith("?"))
            and not _ASKED_WHETHER.search(low, max(0 if ci is None else ci.clause.start, sp[0] - 80), sp[0])
            # (nor a billing line's description of its code, "99214-25   New problem with procedure", in a note
            # that says no other problem was addressed)
            and not (not_addressed and _EM_CODE_BEFORE.search(low, low.rfind("\n", 0, sp[0]) + 1, sp[0]))
        ),
        None,
    )
    facts.dx_terms.extend(_dx_terms(low, infos, k))
    _icd_codes(text, low, facts, infos)
    if facts.em_separate is None and facts.em_codes:
        # a second, unrelated problem coded and managed at the visit is separately identifiable work
        # (managed on the problem's own line, not "no medication changes"; and not where the note says no
        # other problem was addressed)
        others = [sp for code, sp in facts.icd_codes if not code.startswith(k.tpi_related_prefixes)]
        if others and not not_addressed:
            for ms, _me in h["managed"].spans:
                if NEGATED_JUST_BEFORE.search(low, max(0, ms - 30), ms):
                    continue
                ls, le = low.rfind("\n", 0, ms) + 1, low.find("\n", ms)
                le = len(low) if le < 0 else le
                if _ORDERS_HEADING.match(low, ls, le):
                    continue  # "Orders Placed This Encounter": an EHR heading, not a managed problem
                other = next((sp for sp in others if ls <= sp[0] < le), None)
                info = clause_of(ms)
                # "2. HTN: increase amlodipine to 10 mg": a plan item about something other than the TPI
                if (
                    other is None and info is not None and info.clause.section in ("plan", "assessment")
                    and not _TPI_WORD.search(low, ls, le) and not _MYOFASCIAL_LINE.search(low, ls, le)
                ):
                    other = others[0]
                if other is not None:
                    facts.em_separate = other
                    break
    seen: set[tuple[dt.date, int]] = set()
    uniq = []
    for d, sp in facts.prior_sessions:
        if (d, sp[0]) not in seen:
            seen.add((d, sp[0]))
            uniq.append((d, sp))
    facts.prior_sessions = uniq


def _block_head(low: str, pos: int) -> str:
    """The first line of the block (paragraph or table) holding `pos`: a dated row's heading
    ("PRIOR TPI SESSIONS (this clinic)")."""
    start = low.rfind("\n\n", 0, pos)
    start = 0 if start < 0 else start + 2
    end = low.find("\n", start)
    return low[start : end if end >= 0 else len(low)]


_DX_CACHE: dict[int, ahocorasick.Automaton] = {}
_DX_NEGATED = re.compile(r"\b(?:no|not|denies|without|negative for|rule out|r/o|history of)\s+(?:\w+\s+)?$")


def _dx_terms(low: str, infos: list[ClauseInfo], k: Knowledge) -> list[tuple[str, tuple[int, int]]]:
    """Condition names a coder would code from (longest phrase wins), outside medication lists."""
    ac = _DX_CACHE.get(id(k))
    if ac is None:
        ac = ahocorasick.Automaton()
        for t in k.dx_terms:
            for term in t.terms:
                if term not in ac:
                    ac.add_word(term, (len(term), t.code))
        ac.make_automaton()
        _DX_CACHE[id(k)] = ac
    n = len(low)
    best: dict[int, tuple[int, str]] = {}
    for end, (length, code) in ac.iter(low):
        start = end - length + 1
        if (start and low[start - 1].isalpha()) or (end + 1 < n and low[end + 1].isalpha()):
            continue
        if start not in best or best[start][0] < length:
            best[start] = (length, code)
    if not best:
        return []
    starts = [i.clause.start for i in infos]
    out = []
    last_end = -1
    for start in sorted(best):
        length, code = best[start]
        if start < last_end:
            continue
        idx = bisect.bisect_right(starts, start) - 1
        if idx < 0 or infos[idx].clause.section == "medications":
            continue
        if _DX_NEGATED.search(low, max(infos[idx].clause.start, start - 25), start):
            continue
        out.append((code, (start, start + length)))
        last_end = start + length
    return out


def _weeks(dm: re.Match[str]) -> float:
    """A _DURATION match in weeks ("9 wks", "about three months", "10 days")."""
    n = dm.group("n") or dm.group("n2")
    num = float(_DURNUM.get(n, 0) if not n.isdigit() else int(n))
    u = dm.group("u") or dm.group("u2")
    return num * 4.345 if u.startswith("mo") else (num / 7 if u.startswith("d") else num)


def _icd_codes(text: str, low: str, facts: Facts, infos: list[ClauseInfo]) -> None:
    starts = [i.clause.start for i in infos]
    for m in _ICD.finditer(text):
        if low[m.start()] == " ":
            continue  # blanked by the reader: an unticked box or text copied from an older note
        cat, sub = m.group(1), m.group(2)
        if sub is None:
            # a bare three-character token ("T12", "C56") is more often anatomy than a code, except
            # in a diagnosis list ("Dx: I10 essential hypertension") or bracketed after the condition
            # ("Essential hypertension (I10)")
            idx = bisect.bisect_right(starts, m.start()) - 1
            bracketed = text[m.start() - 1 : m.start()] == "(" and text[m.end() : m.end() + 1] == ")"
            in_list = idx >= 0 and infos[idx].clause.section in ("diagnosis", "assessment", "indication", "plan")
            if not (in_list or bracketed):
                continue
        code = f"{cat}.{sub}" if sub else cat
        try:
            ok = icd.is_valid_item(code)
        except Exception:  # the library raises on malformed input; that is a no
            ok = False
        if ok and all(c != code for c, _ in facts.icd_codes):
            facts.icd_codes.append((code, (m.start(), m.end())))


def icd_description(code: str) -> str | None:
    """The CMS/CDC description of an ICD-10-CM code (public data), or None for an unknown code."""
    try:
        return str(icd.get_description(code)) if icd.is_valid_item(code) else None
    except Exception:  # the library raises on malformed codes; an unknown code has no description
        return None
