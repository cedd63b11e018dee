"""Stage 1 of the pipeline: a note's text in, facts with evidence spans out. Knows nothing of codes."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re

from tpicode.knowledge import Knowledge
from tpicode.read.clinical import cue_categories as clinical_categories
from tpicode.read.clinical import read_clinical
from tpicode.read.cues import Cues
from tpicode.read.dictation import normalize
from tpicode.read.drugs import read_drugs
from tpicode.read.facts import Facts, Span
from tpicode.read.hits import CueMatcher
from tpicode.read.lexicon import corrects_anything, lexicon_for
from tpicode.read.offsets import BackMap
from tpicode.read.sites import manual_patterns, read_sites
from tpicode.read.status import RISK_WORD, ClauseInfo, analyse, cue_categories, other_procedure_context
from tpicode.read.text import NEGATED_JUST_BEFORE, Frame, blank_line_between, frame, lower_same_length

__all__ = ["Facts", "read_note"]


_THERAPY_CODE_ITEM = re.compile(r"\s*(?:[-*•]\s*)?9[5-9]\d{3}\b")
# "The claim below was built as a trigger point injection": talk about a claim names the procedure, it does not report it
_CLAIM_TALK = re.compile(r"\b(?:claims?|billed|coded|submitted|superbill)\b")
_INJECTION_HEADER = re.compile(r"inject|\btpis?\b|trigger point|needl")


@functools.cache
def _matcher(cues: Cues) -> CueMatcher:
    return CueMatcher({**cue_categories(cues), **clinical_categories()})




_NOT_PERFORMED_FIELD = re.compile(r"\s*(?:procedure |tpis? |injections? )?performed\s*[:\-]\s*(?:no|none|not performed|deferred)\b")


def _blocks_answered_not_performed(low: str, infos: list[ClauseInfo]) -> set[int]:
    """The clauses of a form block (up to a blank line) whose "Performed: No" field says it was not done."""
    out: set[int] = set()
    for idx, info in enumerate(infos):
        label = info.clause.field_label
        text = f"{label}: {info.text}" if label and not info.text.startswith(label) else info.text
        if not _NOT_PERFORMED_FIELD.match(text):
            continue
        out.add(idx)
        back = idx - 1
        while back >= 0 and not blank_line_between(low, infos[back].clause.end, infos[back + 1].clause.start):
            out.add(back)
            back -= 1
    return out


def _headed_by_other(fr: Frame, cues: Cues) -> bool:
    """The note's procedure headings name another procedure and never a TPI ("PROCEDURE PERFORMED:
    Chemodenervation ... for cervical dystonia"): trigger points on its exam do not make it a TPI note."""
    named_other = False
    # (a toxin given into trigger points is a TPI with a toxin: "injected onabotulinumtoxinA into trigger points")
    toxin_tpi = ("botox" in fr.low or "botulinum" in fr.low) and _TOXIN_INTO_TP.search(fr.low) is not None
    for hs, _he, kind in fr.headers:
        if kind != "procedure":
            continue
        end = fr.low.find("\n", hs)
        line = fr.low[hs : end if end >= 0 else len(fr.low)]
        if cues.tpi_document.search(line):
            return False
        if line.rstrip().endswith(":") and end >= 0:
            # a bare heading ("PROCEDURES:") names its procedures in the list under it, up to a blank line
            block_end = fr.low.find("\n\n", end)
            if cues.tpi_document.search(fr.low, end, block_end if block_end >= 0 else len(fr.low)):
                return False
        # (not a risk named in the consent: "Risks including phrenic nerve and brachial plexus block ...")
        if any(not RISK_WORD.search(line, max(0, x.start() - 60), x.start()) for x in cues.other_procedures.finditer(line)) or (
            (om := _OTHER_HEADING.search(line)) and not (toxin_tpi and "bot" in om.group())
        ) or cues.intramuscular.search(line):  # ("PROCEDURE: Intramuscular injection #1")
            named_other = True
    return named_other


_TOXIN_INTO_TP = re.compile(
    r"(?:botox|botulinum|onabotulinum\w*)[^.\n]{0,60}\binto (?:the )?(?:\w+ )?trigger points?\b"
    r"|\btrigger points?\b[^.\n]{0,40}\b(?:with|using) (?:\w+ )?(?:botox|botulinum|onabotulinum\w*)"
)
_OTHER_HEADING = re.compile(r"\bbotox|botulinum|\binjection of the (?:\w+ )?(?:knee|hip|shoulder|joint|bursa)|\bintra-?articular")


def read_note(text: str, dos: dt.date, k: Knowledge, cues: Cues) -> Facts:
    note = text
    low0 = lower_same_length(text)
    # (spoken punctuation marks a dictation: speech recognition's sound-alike words are looked for)
    dictated = low0.count(" period") + low0.count(" comma ") >= 2
    lexicon = lexicon_for(k, cues)
    text, low, back = normalize(text, low0, lexicon.heads if dictated else None)
    fr = frame(text, cues, low)
    hits = _matcher(cues).scan(fr.low)
    infos = analyse(fr, cues, hits, dos)
    facts = Facts()
    # a note that names no TPI may still document one ("The left trapezius was injected with
    # lidocaine"), unless it is about another procedure
    other_in_note = bool(hits["not_tpi_doc"].spans)  # (both cue lists were found by the one scan)
    # ("No trigger point injections were performed" in a Botox note does not make it a TPI note)
    tpi_words = any(not NEGATED_JUST_BEFORE.search(fr.low, max(0, a - 20), a) for a, _b in hits["tpi_doc"].spans)
    facts.tpi_documented = (tpi_words or not other_in_note) and not _headed_by_other(fr, cues)
    mentions = lexicon.find(text, fr.low, dictated)
    corrects = corrects_anything(fr.low, cues.correction)  # (most notes correct nothing: asked once here)
    other_ctx = other_procedure_context(infos)  # (asked once: both readers leave another procedure's things alone)
    facts.muscles, facts.groups = read_sites(
        text, fr.low, mentions, infos, k, cues, facts.tpi_documented, corrects, other_ctx
    )
    facts.drugs = read_drugs(fr.low, mentions, infos, k, facts.muscles, facts.tpi_documented, cues, corrects, other_ctx)
    if facts.tpi_documented:
        # a bare "injection" counts as the TPI only in a note about nothing else
        starts = [i.clause.start for i in infos]
        sited = {
            bisect.bisect_right(starts, sp[0][0]) - 1
            for sp, st in [(f.spans, f.status) for f in facts.muscles] + [(g.spans, g.status) for g in facts.groups]
            if st == "today"
        }
        sited_by_muscle = {
            bisect.bisect_right(starts, f.spans[0][0]) - 1 for f in facts.muscles if f.status == "today"
        }
        not_done = _blocks_answered_not_performed(fr.low, infos) if "performed" in fr.low else set()
        for idx, info in enumerate(infos):
            if idx in not_done:
                continue  # "PROCEDURE 2 - TRIGGER POINT INJECTIONS / ... / Performed: No"
            tpi_clause = idx in sited or info.tpi_words or (not other_in_note and info.nominal)
            if idx == 0 and not info.cues and not info.tpi_words and idx not in sited_by_muscle:
                tpi_clause = False  # a title, "Coding Scenario 14 - Head and neck injections": a region's, not a site

            if (
                info.status == "today" and (info.cues or info.nominal) and not info.other_procedure and tpi_clause
                and not (manual_patterns(cues)[0].match(info.text) and not info.cues)  # ("- 97140 x1: STM R TFL": hands, not a needle)
                and not _THERAPY_CODE_ITEM.match(info.text)  # ("- 97110 x2 (25 min): hip abduction ...": another service)
                and not (info.nominal and not info.cues and _CLAIM_TALK.search(info.text))
            ):
                facts.performed_spans.append((info.clause.start, info.clause.end))
            if info.dry and info.status == "today":
                facts.dry_needling_spans.append((info.clause.start, info.clause.end))
        facts.tpi_performed = bool(facts.performed_spans) or any(f.status == "today" for f in facts.muscles)
        headed = any(
            kind == "procedure" and _INJECTION_HEADER.search(fr.low, hs, he) for hs, he, kind in fr.headers
        )
        if not headed and not any(d.status == "today" for d in facts.drugs) and not any(
            info.status == "today" and (info.nominal or info.dry or any(k == "done" for _a, _b, k in info.cues))
            for info in infos
        ):
            # no clause says anything was injected or needled: muscles under a procedure-like heading
            # ("Treatment today: ... to the R upper trapezius") are not a TPI
            for mf in facts.muscles:
                if mf.status == "today" and not mf.explicit:
                    mf.status = "unclear"
            facts.tpi_performed = any(f.status == "today" for f in facts.muscles) or bool(facts.performed_spans)
    if facts.dry_needling_spans:
        given = any(d.status == "today" for d in facts.drugs)
        for f in facts.muscles:
            if f.status == "today" and not given:
                f.procedure = "dry_needling"  # a dry-needling session with no injectate at all
    for info in infos:
        if info.status in ("today", "other") and info.other_procedure:
            facts.other_procedures.append((info.clause.start, info.clause.end))
    read_clinical(text, fr.low, infos, k, dos, facts, hits, other_ctx)
    if back is not None:
        _remap(facts, back, len(note))
    return facts


def _remap(facts: Facts, back: BackMap, n: int) -> None:
    """Turn every span found in the rewritten text into a span of the note as written."""

    def m(sp: Span) -> Span:
        s, e, _ = back(sp[0], sp[1])
        return (max(0, min(s, n)), max(0, min(e, n)))

    def opt(sp: Span | None) -> Span | None:
        return None if sp is None else m(sp)

    facts.performed_spans = [m(s) for s in facts.performed_spans]
    facts.dry_needling_spans = [m(s) for s in facts.dry_needling_spans]
    facts.other_procedures = [m(s) for s in facts.other_procedures]
    for mf in facts.muscles:
        mf.spans = [m(s) for s in mf.spans]
    for gf in facts.groups:
        gf.spans = [m(s) for s in gf.spans]
    for df in facts.drugs:
        df.spans = [m(s) for s in df.spans]
    facts.guidance = [(g, m(s)) for g, s in facts.guidance]
    facts.prior_sessions = [(d, m(s)) for d, s in facts.prior_sessions]
    facts.relief = [(p, w, m(s)) for p, w, s in facts.relief]
    facts.em_codes = [(c, m(s)) for c, s in facts.em_codes]
    facts.icd_codes = [(c, m(s)) for c, s in facts.icd_codes]
    facts.dx_terms = [(c, m(s)) for c, s in facts.dx_terms]
    facts.pain_pre, facts.pain_post = opt(facts.pain_pre), opt(facts.pain_post)
    facts.response, facts.complications = opt(facts.response), opt(facts.complications)
    facts.conservative_failed, facts.indication = opt(facts.conservative_failed), opt(facts.indication)
    facts.tp_exam, facts.repeat = opt(facts.tp_exam), opt(facts.repeat)
    facts.rehab, facts.em_separate = opt(facts.rehab), opt(facts.em_separate)
