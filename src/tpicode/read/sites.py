"""Turns muscle and group mentions into sided, dated facts: which muscle, which side, done today or not.

Sides follow the conventions in docs/coding-conventions.md: a side before a list distributes over it,
a side after a list applies back to it, and neither crosses a clause or a phrase with its own verb.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re

from tpicode.knowledge import Knowledge
from tpicode.read.cues import Cues
from tpicode.read.facts import GroupFact, MuscleFact
from tpicode.read.lexicon import Mention, corrected_later
from tpicode.read.status import ClauseInfo, mention_status
from tpicode.read.text import blank_line_between, is_table_row

_SIDE = (
    r"(?:(?:left|right|lt|rt|l|r)\.?\s*(?:and|&|/|\+|,)\s*(?:(?:on|to) the\s+)?(?:left|right|lt|rt|l|r)\b"  # ("on the right and on the left")
    r"|bilateral(?:ly)?|bilat|bil|b/l|both sides|both|left|right|lt|rt|l|r)"
)
_PREFIX = re.compile(
    r"(?<![a-z0-9/])(?P<side>" + _SIDE + r")\.?(?:[\s\-]*sided?)?(?:[\s|:,()\-\[\]]|\s/\s)*(?:(?:in|of|at|into|to)\s+)?(?:the\s+)?(?:mm?\.\s*)?"  # ("right m. trapezius")
    r"(?:(?:upper|middle|mid|lower|superior|inferior|deep|superficial|post(?:erior)?|ant(?:erior)?|lateral|medial|sternal|clavicular)\.?(?:\s*(?:and|&|/|,)\s*|\s+))*$"
)
_POSTFIX = re.compile(
    r"[\s,.:|()\-\[\]]*(?:(?:muscles?|musculature|m)\b\.?)?[\s,.:|()\-\[\]]*"
    r"(?:\((?![^()\n]*\b(?:left|right|l|r|lt|rt)\b)[^()\n]{3,60}\)[\s,]*)?"  # ("masseter (superficial part, 2 sites) on the left")
    # ("| Gastrocnemius, medial head | L |": a named part between the muscle and its side)
    r"(?:(?:medial|lateral|long|short|sternal|clavicular|superficial|deep|upper|middle|lower)\s+(?:heads?|fibers|part|portion|belly)\b[\s,.:|()\-\[\]]*"
    r"|\(?(?:medial|lateral|long|short|sternal|clavicular|superficial|deep|upper|middle|lower|anterior|posterior|ant|post)"
    r"(?: (?:heads?|fibers|part))?(?:\)|(?=[ \t]{2,}|\s*\|))[\s,.:|()\-\[\]]*)?"  # "Trapezius (upper)   Bilateral", "Deltoid, posterior   L"
    r"(?:(?:was|were|is|are)\s+(?:then\s+)?(?:injected|needled|treated)\s+|(?:injected|needled|treated)\s+(?=bilat|on\s|both\s))?"
    r"(?:(?:on|to|at|of)\s+(?:the\s+)?|side\s*:?\s*|laterality\s*:?\s*)?"
    r"(?P<side>" + _SIDE + r"|b(?=\s*\|))(?![a-z0-9])(?:[\s\-]*(?:sided?|sides)\b)?"  # ("| Masseter | B |": a side column)
)
_LANDMARK = re.compile(
    r"\b(?:deep|superficial|adjacent|next|lateral|medial|posterior|anterior|inferior|superior|proximal|distal)"
    r"\s+to\s+(?:the\s+)?(?:(?:left|right|l|r)\s+)?$|\b(?:beneath|underneath|below|under|away from|overlying)\s+(?:the\s+)?$"
)
_RELATIVE_SIDE = re.compile(r"\b(ipsi|contra)lateral\s+(?:\w+\s+)?$")
_LABEL_SIDE = re.compile(r"\b(left|right|bilateral|both|lt|rt|l|r|b/l)\b")


# compiled once here: an inline re.search(pattern, ...) pays a cache lookup per call
_BOTH_SIDES = re.compile(
    r"(?:left|lt|\bl)\W+(?:and|&|/|\+|,)?\W*(?:(?:on|to) the\s+)?(?:right|rt|r)\b"
    r"|(?:right|rt|\br)\W+(?:and|&|/|\+|,)?\W*(?:(?:on|to) the\s+)?(?:left|lt|l)\b"
)
@functools.cache
def manual_patterns(cues: Cues) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a therapy item that opens with a manual treatment or modality, a manual treatment named just before a
    site), from cues.yaml's manual_therapy and therapy_modalities lists."""
    terms = f"{cues.manual_therapy.pattern}|{cues.therapy_modalities.pattern}"
    item = re.compile(r"\s*(?:[-*•]\s*)?(?:97\d{3}\b[^:\n]{0,30}:?\s*)?(?:" + terms + r")\b")  # ("- 97140 x1 (9 min): STM ...")
    before = re.compile(
        r"\b(?:" + cues.manual_therapy.pattern + r")"
        r"(?:(?:\s+[\w,-]+){0,4}?\s+(?:to|on|over|of|along)|\s*,(?:\s*[a-z]+,)?)\s+(?:the\s+)?(?:(?:left|right|bilateral|l|r|lt|rt)\s+)?$"
    )
    return item, before


_NEEDLE_WORD = re.compile(r"inject|needl|\btpi|\bdn\b")
_MORE_SITES_BEFORE = re.compile(r"\b(?:additional|further|extra|separate|other|more)\s+(?:[\w-]+\s+){0,4}$")
_PREP_AFTER = re.compile(r"\b(?:prepped|prepared|cleaned|cleansed|draped|positioned|numbed)\b")

def _side_of_label(label: str) -> tuple[str, ...]:
    m = _LABEL_SIDE.search(label) if label else None
    return _side_of(m.group(1)) if m else ()


_SECOND_SIDE = re.compile(
    r"(?:\s*(?:x\s?\d+|\(\d+\)|\d+\s*(?:sites?|points?|injections?)))?\s*(?:,|and|&|/)\s*(?P<side>left|right|lt|rt|l|r)\b"
)
_PATHOLOGY_AFTER = re.compile(
    r"\s+(?:muscle\s+)?(?:tendon\w*|tendin\w*|tear|tears|torn|strain|atrophy|impingement|insertion|enthes\w*|calcific\w*|rupture\w*|fatty)\b"
)
_BILLING_LABEL = re.compile(r"\s*(?:charges?|billed|billing|claims?|superbill|codes? billed)\b")
_ANAPHORA_NEGATED = re.compile(r"\b(?:no|not|without|none|nothing)\b")
_HEAD_OF_MUSCLE = re.compile(r"\b(?:medial|lateral|long|short|sternal|clavicular|oblique|transverse)\s+$")
_TIGHT_POSTFIX = re.compile(r"\s*(?:muscles?\s*)?[(\[]\s*(?P<side>" + _SIDE + r")\.?\s*[)\]]")
_COUNT_AFTER = re.compile(
    r"[\s,:\-]*(?:muscles?\b)?[\s,:\-(]*(?:(?:left|right|bilateral(?:ly)?|bilat|l|r|lt|rt)\b[\s,:\-(]*)?"
    r"(?:x\s?(?P<a>\d{1,2})\b"
    r"|(?:\|\s*[a-z/]{0,10}\s*){0,2}\|\s*(?P<t>\d{1,2})\s*(?:\||$)"  # (past a side cell and an "Injected" box cell)
    r"|(?P<b>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s*"
    r"(?:separate\s+)?(?:injections?|sites?|tps?|trigger points?|points?|needles?|insertions?)\b)"
)
_COUNT_COLUMN = re.compile(
    r"[ \t]{2,}(?:(?:left|right|bilateral|bilat|both|b/l|l|r|lt|rt)[ \t]{2,})?(?P<c>\d{1,2})(?:[ \t]+(?:each(?: side)?|per side|x))?(?:[ \t]*(?:\n|$|\()|[ \t]{2,})"
)
# a form's count field further along the row: "Upper trapezius ... [x] Left   # injections: 2"
_COUNT_FIELD = re.compile(r"#?\s*(?:of\s+)?(?:injections?|inj\.?|sites?|points?)\s*[:=]\s*(?P<c>\d{1,2})\b")
_COUNT_NOUNS = ("inj", "trigger", "tp", "site", "needle")  # one of which _COUNT_BEFORE needs
_COUNT_BEFORE = re.compile(
    r"(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:separate\s+)?"
    r"(?:injections?|trigger points?|tps?|sites?|needle insertions?)\s+(?:were\s+\w+\s+)?"
    r"(?:in(?:to)?|at|of|to)\s+(?:the\s+)?(?:[a-z/]+\s+){0,2}$"
)
_WORDNUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_GAP_TOKEN = re.compile(r"[a-z]+|\d+|\S")
_CONNECTORS = frozenset(
    ["and", "or", "&", "/", "+", ",", ".", ":", "|", "(", ")", "#", "[", "]", "-", "as", "well", "plus", "also", "the", "muscle", "muscles", "musculature", "m", "x", "of", "each", "both", "left", "right", "l", "r", "lt", "rt", "bilateral", "bilaterally", "bilat", "b", "side", "sides", "sided", "upper", "middle", "mid", "lower", "injection", "injections", "site", "sites", "point", "points", "tp", "tps", "trigger"]
)
_SITE_CONTEXT = re.compile(
    r"(?:\b(?:and|&)\s+(?:the\s+)?(?:(?:left|right|bilateral|both|upper|lower|mid|l|r)\s+)?$)|(?:,\s*$)|"
    r"(?:\b(?:in|into|to|at|of|over|within|along|across)\s+(?:the\s+)?(?:(?:left|right|bilateral|both|"
    r"upper|lower|mid|l|r)\s+)?(?:[a-z]+\s+)?$)|(?:^\s*$)|(?:[:\-]\s*$)"
)
_NOT_SITE_AFTER = re.compile(r"\s*(?:pain|ache|aches|stiffness|spasms?|tightness|complaints?|symptoms?|strain|sprain|range|rom|motion|exam|injury|radicul|surgery|fusion|mri|x-?ray|stretch|exercis|strengthen)")


def _side_of(word: str) -> tuple[str, ...]:
    w = word.replace(".", "").strip()
    if w.startswith(("bilat", "both", "b/l")) or w in ("b", "bil"):
        return ("left", "right")
    if _BOTH_SIDES.search(w):
        return ("left", "right")
    if w in ("left", "lt", "l"):
        return ("left",)
    if w in ("right", "rt", "r"):
        return ("right",)
    return ()


def _gap_is_list(gap: str) -> bool:
    if "\n" in gap:
        return False
    if "(" in gap:
        gap = _BRACKETED_NOTE.sub(" ", gap)  # "temporalis (anterior and middle fibers, 2 sites) and masseter"
    return all(t in _CONNECTORS or t.isdigit() for t in _GAP_TOKEN.findall(gap))


_BRACKETED_NOTE = re.compile(r"\([^()\n]{0,60}\)")


def read_sites(
    text: str, low: str, mentions: list[Mention], infos: list[ClauseInfo], k: Knowledge, cues: Cues,
    tpi_document: bool, corrects: bool, other_ctx: set[int],
) -> tuple[list[MuscleFact], list[GroupFact]]:
    manual_item, manual_before = manual_patterns(cues)
    starts = [i.clause.start for i in infos]
    by_clause: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.kind == "drug":
            continue
        if m.kind == "group" and m.id == "head" and _HEAD_OF_MUSCLE.search(low, max(0, m.start - 12), m.start):
            continue  # "gastrocnemius, medial head": a head of a muscle, not the region
        idx = bisect.bisect_right(starts, m.start) - 1
        if idx < 0 or m.start >= infos[idx].clause.end:
            continue
        by_clause.setdefault(idx, []).append(m)

    # a clause like "these were injected" upgrades the sites of the clause before it
    performed = tpi_document and any(i.status == "today" for i in infos)
    upgraded: set[int] = set()
    injected_again: set[int] = set()  # "each of these was then injected" after dry needling
    with_muscles = {idx for idx, ms in by_clause.items() if any(m.kind == "muscle" for m in ms)}
    for idx, info in enumerate(infos):
        # (not "These two muscles received no medication")
        if info.anaphora_done and info.status == "today" and idx not in with_muscles and not _ANAPHORA_NEGATED.search(info.text):
            found_any = False
            for back in range(idx - 1, max(-1, idx - 8), -1):
                has_muscles = back in with_muscles
                if has_muscles and infos[back].status in ("exam", "unclear", "today"):
                    upgraded.add(back)
                    if not info.dry:
                        injected_again.add(back)
                    found_any = True
                elif found_any or has_muscles:
                    break

    muscles: list[MuscleFact] = []
    groups: list[GroupFact] = []
    for idx, ms in by_clause.items():
        info = infos[idx]
        cs, ce = info.clause.start, info.clause.end
        n = len(ms)
        prefix: list[tuple[str, ...]] = [()] * n
        prefix_spans: set[int] = set()
        starts_at = [m.start for m in ms]  # evidence starts at the mention's own side word
        # "Trapezius (L), Levator scapulae (L)": a side in brackets right after a muscle is that muscle's
        tight: list[tuple[str, ...]] = [()] * n
        tight_end = [-1] * n
        for i, m in enumerate(ms):
            tm = _TIGHT_POSTFIX.match(low, m.end, ce)
            if tm and m.kind == "muscle":
                tight[i] = _side_of(tm.group("side"))
                tight_end[i] = tm.end()
        for i, m in enumerate(ms):
            lo = max(cs, ms[i - 1].end if i else cs, m.start - 40)
            if i and tight_end[i - 1] > lo:
                lo = tight_end[i - 1]
            pm = _PREFIX.search(low, lo, m.start)
            if pm and m.kind == "muscle":
                prefix[i] = _side_of(pm.group("side"))
                prefix_spans.add(pm.start("side"))
                starts_at[i] = pm.start("side")
        postfix: list[tuple[str, ...]] = list(tight)
        for i, m in enumerate(ms):
            if tight[i]:
                continue
            hi = ms[i + 1].start if i + 1 < n else ce
            pm = _POSTFIX.match(low, m.end, hi)
            if pm and pm.start("side") not in prefix_spans and m.kind == "muscle":
                postfix[i] = _side_of(pm.group("side"))
                more = _SECOND_SIDE.match(low, pm.end(), hi)
                if more and len(postfix[i]) == 1 and _side_of(more.group("side")) != postfix[i]:
                    postfix[i] = ("left", "right")  # "right x2, left x2"
        # runs of mentions joined only by list connectors share sides
        runs: list[list[int]] = [[0]]
        for i in range(1, n):
            if _gap_is_list(low[ms[i - 1].end : ms[i].start]):
                runs[-1].append(i)
            else:
                runs.append([i])
        label_side = _side_of_label(info.clause.field_label)  # "Left side injected: QL x2, glute med x2"
        if label_side and n and not prefix[0]:
            prefix[0] = label_side
        sides: list[tuple[str, ...]] = [()] * n
        for run in runs:
            current: tuple[str, ...] = ()
            any_prefix = any(prefix[i] for i in run)
            for i in run:
                if prefix[i]:
                    current = prefix[i]
                sides[i] = prefix[i] or postfix[i] or current
            last = run[-1]
            # ("splenius capitis, semispinalis capitis, levator scapulae (right only)": the last one's own)
            own_only = _OWN_SIDE_NOTE.match(low, ms[last].end) is not None
            if not any_prefix and postfix[last] and not own_only:
                for i in run:
                    if not sides[i]:
                        sides[i] = postfix[last]

        for i, m in enumerate(ms):
            if not sides[i] and m.kind == "muscle":
                rel = _RELATIVE_SIDE.search(low, max(cs, m.start - 20), m.start)
                earlier = [sides[j] for j in range(i) if len(sides[j]) == 1]
                if rel and earlier:
                    same = earlier[-1]
                    sides[i] = same if rel.group(1) == "ipsi" else (("right",) if same == ("left",) else ("left",))
        for i, m in enumerate(ms):
            status = mention_status(info, m.start, m.end) if tpi_document else "other"
            if m.kind == "muscle" and corrects and corrected_later(low, ms, i, cues.correction):
                status = "other"
            if status in ("exam", "unclear") and idx in upgraded and m.kind == "muscle":
                status = "today"
            elif status == "unclear" and performed and _site_item(low, cs, ce, ms):
                status = "today"  # "- L upper trap x2" in a TPI note's list of sites
            if status == "today" and _negated(low, cs, ce, m, cues):
                status = "negated"
            elif status in ("exam", "unclear") and m.kind == "muscle" and ce - m.end < 40 and _BUT_NOT_INJECTED.match(low, ce):
                status = "negated"  # "The left rhomboid minor was examined | but NOT injected" (in an addendum)
            if status == "negated" and _ONLY_REFERRED.search(low, max(cs, m.start - 20), m.start):
                status = "other"  # "(patient asked to stop after the teres minor)": named, not what was refused
            if status == "today" and (_BILLING_LABEL.search(info.clause.field_label) or _BILLING_LABEL.match(info.text)):
                status = "other"  # "Charges entered by front desk: 20553 (pec major, pec minor, serratus anterior)"
            if status == "today" and idx in other_ctx and not info.tpi_words:
                status = "other"  # "Procedure 1, chemodenervation ...: ... the left SCM received 60 units": that procedure's
            if status == "today" and m.kind == "muscle" and _row_ends_zero(low, m.end):
                status = "negated"  # "----   Upper trapezius   L   --   --   --   0": a log row with nothing given
            if status == "today" and m.kind == "muscle" and _NO_CELL.match(low, m.end):
                status = "negated"  # "Extensor carpi ulnaris        N      0": the Injected (Y/N) column says no
            if status == "today" and m.kind == "muscle" and _PATHOLOGY_AFTER.match(low, m.end):
                status = "other"  # "MRI: mild supraspinatus tendinosis": a finding about the muscle, not a site
            if status == "today" and m.kind == "muscle" and _TOXIN_ONLY_AFTER.match(low, m.end):
                status = "other"  # "The left pectoralis major received toxin only": the chemodenervation's muscle
            if status == "today" and _LANDMARK.search(low, max(cs, m.start - 24), m.start):
                status = "other"  # "the piriformis deep to the gluteus maximus": a landmark, not a target
            if status == "today" and (
                manual_item.match(info.text)
                # ("2. Manual therapy (97140), 12 min: ischemic compression ...; suboccipital release;": its items too)
                or (info.clause.field_label and manual_item.match(info.clause.field_label))
                or _manual_line(low, cs, manual_item)
            ) and not _NEEDLE_WORD.search(info.text):
                status = "other"  # "- STM suboccipitals and cervical paraspinals, 8 min": hands, not a needle
            if status == "today" and manual_before.search(low, max(cs, m.start - 40), m.start):
                status = "other"  # "IASTM to the lumbar paraspinals", "cupping to the glutes": no needle
            if status == "today" and _PASSED_THROUGH.search(low, max(cs, m.start - 90), m.start) and not _INJECTED_VERB.search(low, cs, ce):
                status = "other"  # "a spinal needle was advanced through the splenius capitis ... to the pillar"
            injections = _count(low, cs, ce, m) if m.kind == "muscle" else None
            if status == "today" and injections == 0:
                status = "negated"  # a template row with "# injections: 0"
            if m.kind == "group":
                g = k.groups[m.id]
                if status == "today" and _NOT_SITE_BEFORE.search(low, max(cs, m.start - 40), m.start):
                    status = "other"  # "(extraoral, above the zygomatic arch)": a landmark
                if status == "today" and _NOT_SITE_AFTER.match(low, m.end):
                    status = "other"  # "HEP (piriformis/glute stretches)", "neck pain": not a site
                listed = not g.site_only and (any(o.kind == "muscle" for o in ms) or _site_item(low, cs, ce, ms))
                if status == "today" and not (listed or _group_is_site(low, cs, ce, m, g.site_only)):
                    status = "other"
                groups.append(
                    GroupFact(
                        m.id, status, [(m.start, m.end)],
                        # its own verb close by ("the lumbar paraspinals were injected"), or listed beside a
                        # named muscle ("the left splenius capitis and the left cervical paraspinals")
                        explicit=any(k == "done" and a < m.end + 30 and b > m.start - 30 for a, b, k in info.cues)
                        or any(ms[j].kind == "muscle" for run in runs if i in run for j in run),
                        # "plus two additional sites in the left upper back": more sites, not a summary
                        additional=_MORE_SITES_BEFORE.search(low, max(cs, m.start - 45), m.start) is not None
                        # or given its own count of sites ("..., and the right lumbar paraspinals at L4-L5 at 2 sites")
                        or _GROUP_OWN_SITES.match(low, m.end, ce) is not None
                        # or a site item of its own with its count ("- Lumbar paraspinals bilaterally at L3-L5 (6 sites)")
                        or (
                            (_item_or_row(info) or _plain_line(low, info))
                            and not any(o.kind == "muscle" for o in ms)
                            and _OWN_COUNT.search(low, m.end, ce) is not None
                        ),
                    )
                )
                continue
            muscle = k.muscles[m.id]
            lat: tuple[str, ...] = sides[i] if muscle.paired else ()
            for side in lat or ("unspecified",):
                muscles.append(
                    MuscleFact(
                        muscle_id=m.id,
                        laterality=side,
                        procedure="dry_needling"
                        if info.dry and idx not in injected_again and not _injected_after_needling(low, info, m.start)
                        else "injection",
                        status=status,
                        part=m.part,
                        injections=injections,
                        spans=[(starts_at[i], m.end)],
                        fuzzy=m.fuzzy,
                        explicit=idx in upgraded or any(kind == "done" for _a, _b, kind in info.cues),
                    )
                )
    muscles = _side_fields(low, infos, muscles, k)
    _zero_count_fields(low, infos, muscles)
    muscles = _side_columns(text, low, infos, muscles, k)
    if "[" in text or "☐" in text or "☒" in text or "☑" in text or "( )" in text or "(x)" in text or "(X)" in text:
        muscles = _ticked_sides(text, low, infos, muscles, k)
        if "needl" in low:
            muscles = _procedure_columns(text, low, muscles)
    _aborted_after(infos, with_muscles, starts, muscles)
    _later_negation(muscles, low, cues.correction)
    _side_corrected(muscles, low)
    if corrects:  # (a side switch is a dictated correction: asked once in read_note)
        muscles = _side_switched(muscles, infos)
    _entered_in_error(low, infos, muscles)
    muscles.sort(key=lambda f: f.spans[0])
    groups.sort(key=lambda f: f.spans[0])
    return muscles, groups


def _aborted_after(infos: list[ClauseInfo], with_muscles: set[int], starts: list[int], muscles: list[MuscleFact]) -> None:
    """ "The needle was then placed in the right piriformis. ... the injection was aborted before any
    medication was given.": a needle placed in a muscle, then an abort, is an attempt, not an injection."""
    for idx, info in enumerate(infos):
        if not any(kind == "attempted" for _a, _b, kind in info.cues):
            continue
        if idx in with_muscles and any(
            f.status == "today" and bisect.bisect_right(starts, f.spans[-1][0]) - 1 == idx for f in muscles
        ):
            continue  # (the abort names what was injected: "aborted after the left QL was injected")
        # ("the needle was placed ... over the L rhomboid major; before it was advanced ...; the needle was
        # withdrawn at once. The procedure was aborted: no medication was injected into the L rhomboid major")
        for back in (idx - 1, idx - 2, idx - 3, idx - 4):
            if back < 0 or infos[back].clause.line != info.clause.line:
                break
            if back in with_muscles:
                if not _INJECTED_VERB.search(infos[back].text):
                    for f in muscles:
                        if f.status == "today" and bisect.bisect_right(starts, f.spans[-1][0]) - 1 == back:
                            f.status = "attempted"
                break


_TOXIN_ONLY_AFTER = re.compile(
    r"\s+(?:received|got|was given|was treated with)\s+(?:the\s+)?(?:toxin|botox|botulinum\w*|onabotulinum\w*|dysport|xeomin)"
    r"(?:\s+\w+)?\s+only\b"
)
_PASSED_THROUGH = re.compile(r"\b(?:advanced|passed|inserted|directed|walked|traversed)\b[^.;]{0,60}\bthrough\b[^.;]{0,60}$")
_INJECTED_VERB = re.compile(r"\binject|\binfiltrat|\bneedled\b")


_NOT_INJECTED_ONLY = re.compile(r"[^.;\n]{0,20}?\b(?:was|were)\s+not\s+(?:then\s+)?injected\b")


def _later_negation(muscles: list[MuscleFact], low: str, correction: re.Pattern[str]) -> None:
    """ "Left piriformis: needle advanced ... the piriformis was not injected": a muscle listed under the
    procedure without a verb of its own, and said elsewhere not to be injected, was not injected. So was
    one said to be injected and then corrected ("... and the right teres major. Correction, that was the
    teres minor. The teres major was not injected.")."""
    refused = [f for f in muscles if f.status in ("negated", "attempted")]
    if not refused:
        return
    for f in muscles:
        if f.status != "today":
            continue
        for r in refused:
            if r.muscle_id != f.muscle_id or (r.laterality not in (f.laterality, "unspecified") and f.laterality != "unspecified"):
                continue  # ("the needle was advanced toward the piriformis" after "the right piriformis was NOT injected")
            if _RELATIVE_JUST_BEFORE.search(low, max(0, r.spans[0][0] - 16), r.spans[0][0]):
                continue  # "contralateral splenius capitis: not injected" is the other side's
            if f.procedure == "dry_needling" and _NOT_INJECTED_ONLY.match(low, r.spans[0][1]):
                continue  # "1) Dry needling ... into the right QL ... 2) ... The right QL was not injected": needled still
            later = r.spans[0][0] > f.spans[0][0]
            if not f.explicit or (
                later
                and (
                    correction.search(low, f.spans[0][1], r.spans[0][0]) or _WRONG_SIDE.search(low, f.spans[0][1], r.spans[0][0])
                    # (its own list item ends saying so: "- Right rhomboid major: the needle was placed, but ...
                    # the rhomboid major was not injected.")
                    or (
                        r.status == "negated" and f.procedure == "injection" and low.startswith(":", f.spans[0][1])
                        and "\n" not in low[f.spans[0][1] : r.spans[0][0]]
                    )
                )
            ):
                f.status = "negated"
                break


_NUMBERED = re.compile(r"[ \t]*\d{1,2}[.)][ \t]+")


def _manual_line(low: str, cs: int, manual_item: re.Pattern[str]) -> bool:
    """The clause continues a line that opens with a manual-therapy item ("2. Manual therapy (97140): ...; suboccipital release;")."""
    ls = low.rfind("\n", 0, cs) + 1
    if ls == cs:
        return False
    nm = _NUMBERED.match(low, ls)
    return manual_item.match(low, nm.end() if nm else ls) is not None


_ROW_ENDS_ZERO = re.compile(r"[^\n]*?[ \t]{2,}--?[ \t]{2,}[^\n]*[ \t]{2,}0[ \t]*$", re.MULTILINE)


def _row_ends_zero(low: str, at: int) -> bool:
    """An aligned row after the muscle with empty ("--") cells and a count of 0 at its end."""
    nl = low.find("\n", at)
    end = nl if nl >= 0 else len(low)
    return low.find("--", at, end) >= 0 and _ROW_ENDS_ZERO.match(low, at) is not None


_NO_CELL = re.compile(
    r"(?:\s*\([^)\n]{0,20}\)|,\s*\w+)?"  # ("Deltoid (posterior)   R   N   0")
    r"(?:(?:[ \t]{2,}|[ \t]*\|[ \t]*)(?:left|right|lt|rt|l|r|b|b/l|bilat|bilateral)\b)?"  # (after a side column)
    r"(?:[ \t]{2,}|[ \t]*[|;,][ \t]*)(?:n|no|not injected|not needled|not done|none|-|–)(?=[ \t]{2,}|[ \t]*[|;,\n]|[ \t]*$)"
)
_OWN_COUNT = re.compile(r"\bx\s*\d|\b\d{1,2}\s*(?:sites?|injections?|points?|trigger points?)\b|\blevels?\b|\bat [lct]\d|\|\s*[1-9]\d?\s*(?:\||$)|#\s*(?:of\s+)?(?:injections?|sites?|tps?)\s*:\s*[1-9]")  # ("# of injections: 1")
_ONLY_REFERRED = re.compile(r"\b(?:stop|stopped|after|following|besides|than|like|as with)\s+(?:the\s+)?(?:(?:left|right|l|r)\s+)?$")
_OWN_SIDE_NOTE = re.compile(r"\s*\(\s*(?:left|right|l|r|lt|rt)(?:\s+(?:only|side))?\s*\)")
_RELATIVE_JUST_BEFORE = re.compile(r"\b(?:contralateral|opposite|other)\s+(?:side\s+)?$")
_WRONG_SIDE = re.compile(
    r"\b(?:wrong|incorrect\w*|in error|correction|corrected|should (?:read|have read|be)|mis-?(?:dictated|stated|documented|typed)"
    r"|(?:template|clinic|macro) default|default (?:text|macro|template))\b"
)


# "... and the right tensor fasciae latae at 1 site. Scratch that, it was the left side.": the sentence before
_SIDE_SWITCH = re.compile(
    r"\s*(?:(?:scratch|strike) that|correction|i mean)\W+(?:it was|it's|make (?:it|that)|those were|that was)?\s*(?:the\s+)?(?P<side>left|right)(?: side)?\b"
)


def _side_switched(muscles: list[MuscleFact], infos: list[ClauseInfo]) -> list[MuscleFact]:
    """A dictated side correction with no muscle named moves the sentence before it to that side."""
    out = muscles
    for idx, info in enumerate(infos):
        sm = _SIDE_SWITCH.match(info.text)
        if sm is None or idx == 0 or any(info.clause.start <= f.spans[0][0] < info.clause.end for f in out):
            continue
        side = sm.group("side")
        other = "right" if side == "left" else "left"
        nxt = infos[idx + 1].clause if idx + 1 < len(infos) else None
        if nxt is not None and any(nxt.start <= f.spans[0][0] < nxt.end for f in out):
            continue  # "correction, that was the right side, the right QL and the right gluteus medius": restated
        prev = infos[idx - 1].clause
        out = [
            dataclasses.replace(f, laterality=side)
            if f.status == "today" and f.laterality == other and prev.start <= f.spans[0][0] < prev.end
            else f
            for f in out
        ]
    return out


def _side_corrected(muscles: list[MuscleFact], low: str) -> None:
    """ "Injected: right gluteus medius ... ADDENDUM: the line above states the wrong side; the injections were
    performed on the LEFT gluteus medius": a later mention on the other side, after a correction, replaces it."""
    today = [f for f in muscles if f.status == "today"]
    sided: dict[str, set[str]] = {}
    for f in today:
        if f.laterality != "unspecified":
            sided.setdefault(f.muscle_id, set()).add(f.laterality)
    if not any(len(v) > 1 for v in sided.values()):
        return  # (no muscle named on both sides today: nothing a side correction could change)
    if not any(w in low for w in ("wrong", "correct", "error", "should", "mis", "default")) or not _WRONG_SIDE.search(low):
        return
    for f in today:
        if f.laterality == "unspecified":
            continue
        for r in today:
            if (
                r.muscle_id == f.muscle_id
                and r.laterality not in (f.laterality, "unspecified")
                and r.spans[0][0] > f.spans[0][1]
                and _WRONG_SIDE.search(low, f.spans[0][1], r.spans[0][0])
                and not any(o.muscle_id == f.muscle_id and o.laterality == f.laterality and o.spans[0][0] > r.spans[0][0] for o in today)
            ):
                f.status = "other"
                break


_ENTERED_IN_ERROR = re.compile(r"\b(?:entered|documented|dictated|recorded|written|charted|listed|typed)\s+in error\b|\b(?:was|is) (?:incorrect|wrong|an error)\b")


def _entered_in_error(low: str, infos: list[ClauseInfo], muscles: list[MuscleFact]) -> None:
    """An addendum: '"Left levator scapulae" was entered in error': that muscle and side, named earlier as
    injected, was not."""
    if "error" not in low and "incorrect" not in low and "wrong" not in low:
        return
    for info in infos:
        cs, ce = info.clause.start, info.clause.end
        if not _ENTERED_IN_ERROR.search(low, cs, ce):
            continue
        wrong = {(f.muscle_id, f.laterality) for f in muscles if cs <= f.spans[0][0] < ce}
        for f in muscles:
            earlier = f.spans[0][0] < cs and (f.muscle_id, f.laterality) in wrong and f.status == "today"
            if earlier or cs <= f.spans[0][0] < ce:
                f.status = "other"


# ("Side: Right", and a flowsheet's "TPI Site 1 Laterality      Left")
# the words before a form field's own name: "TPI Site 1 Laterality", "DN Site 4 Needled", "- Injections"
_FIELD_LEAD = r"^\s*(?:[-*•]\s*)?(?:(?:tpi|dn|trp|site|muscle|injection|#?\d{1,2})\s+){0,3}"
_SIDE_FIELD = re.compile(
    _FIELD_LEAD + r"(?:side|sides|laterality)(?:\s*[:\-]\s*|[ \t]{2,})(?P<side>" + _SIDE + r")\.?\s*$"
)


def _side_columns(text: str, low: str, infos: list[ClauseInfo], muscles: list[MuscleFact], k: Knowledge) -> list[MuscleFact]:
    """A table with Left and Right columns ("| Upper trapezius | [x] x2 | [x] x2 |"): a muscle's sides are the
    columns whose cell is filled (unticked boxes are blanked before reading); none filled, not injected."""
    if "|" not in low:
        return _aligned_side_columns(text, low, infos, muscles, k) if "  " in low else muscles
    out = _pipe_side_columns(text, low, infos, muscles, k)
    # (a pipe in a title line, "athenaOne | Procedure Documentation", does not make every table a piped one)
    return _aligned_side_columns(text, low, infos, out, k) if "  " in low else out


def _pipe_side_columns(text: str, low: str, infos: list[ClauseInfo], muscles: list[MuscleFact], k: Knowledge) -> list[MuscleFact]:
    out = muscles
    cols: dict[int, str] = {}
    for info in infos:
        t = info.text
        if "|" not in t:
            cols = {}
            continue
        cells = [c.strip() for c in t.split("|")]
        named = {i: _SIDE_COLUMN[c] for i, c in enumerate(cells) if c in _SIDE_COLUMN}
        if len(set(named.values())) == 2:
            cols = named  # the header row
            continue
        if not cols:
            continue
        cs, ce = info.clause.start, info.clause.end
        # (a row whose one cell says "not needled" was read as negated: its other cells decide here)
        row = [f for f in out if cs <= f.spans[0][0] < ce and f.laterality == "unspecified" and f.status in ("today", "negated")
               and k.muscles[f.muscle_id].paired]
        if not row:
            continue
        # (a ticked box is blanked in `low`: "| Quadratus lumborum | [x] | [x] |" is read from the note)
        ticked = [_CHECKED_BOX.search(c) is not None for c in text[cs:ce].split("|")]
        sides = [
            side for i, side in sorted(cols.items())
            if i < len(cells) and not _CELL_NOT_DONE.search(cells[i])
            and ((cells[i] and not _EMPTY_CELL.match(cells[i])) or (i < len(ticked) and ticked[i]))
        ]
        out = _resided(out, row, sides)
    return out


def _resided(out: list[MuscleFact], row: list[MuscleFact], sides: list[str]) -> list[MuscleFact]:
    """`out` with each muscle of a table row replaced by one entry per side its cells give, or by a
    not-injected entry when they give none."""
    kept = [f for f in out if not any(f is r for r in row)]
    for f in row:
        if not sides:
            kept.append(dataclasses.replace(f, status="negated", spans=list(f.spans)))
        for side in sides:
            kept.append(dataclasses.replace(f, laterality=side, status="today", spans=list(f.spans)))
    return kept


_BOX_SIDE = re.compile(
    r"(?P<box>\[[ x✓✔*]\]|\([ x✓✔*]\)|[☐☑☒])[ \t]*(?P<side>left|right|lt|rt|l|r|bilateral|bilat|b/l|both)(?![a-z])",
    re.IGNORECASE,
)
_BOX_SIDE_WORD = {"left": "left", "lt": "left", "l": "left", "right": "right", "rt": "right", "r": "right"}


def _ticked_sides(text: str, low: str, infos: list[ClauseInfo], muscles: list[MuscleFact], k: Knowledge) -> list[MuscleFact]:
    """A form row with a box per side ("Infraspinatus  [x] L x2  [x] R x2", "Teres minor  [ ] L  [ ] R"): the
    muscle's sides are the ticked boxes; with none ticked it was not injected."""
    out = muscles
    for info in infos:
        cs, ce = info.clause.start, info.clause.end
        row = [f for f in out if cs <= f.spans[0][0] < ce and f.status == "today" and k.muscles[f.muscle_id].paired]
        if not row:
            continue
        name_end = max(f.spans[0][1] for f in row)
        line_end = text.find("\n", name_end)
        line_end = len(text) if line_end < 0 else line_end
        boxes = list(_BOX_SIDE.finditer(text, name_end, line_end))
        if len(boxes) < 2:
            continue  # one box is a tick for the muscle, not a side column
        sides: list[str] = []
        for m in boxes:
            if m.group("box") in ("[ ]", "( )", "☐"):
                continue
            word = m.group("side").lower()
            for side in (["left", "right"] if word not in _BOX_SIDE_WORD else [_BOX_SIDE_WORD[word]]):
                if side not in sides:
                    sides.append(side)
        ids = {f.muscle_id for f in row}
        if len(ids) > 1:
            continue  # (the boxes after the last muscle are its own)
        line_start = text.rfind("\n", 0, cs) + 1
        if not sides and _CHECKED_BOX.search(text, line_start, line_end):
            # "[x] Sternocleidomastoid   Side: [ ] L  [ ] R", "Infraspinatus  Side: ( ) Left ( ) Right ... Injected:
            # (x) Yes": ticked as injected, its side left blank
            continue
        # (one entry for the muscle, however many times the row names it)
        out = [f for f in out if not any(f is r for r in row[1:])]
        out = _resided(out, row[:1], sides)
    return out


_PROC_HEAD = re.compile(
    r"(?P<inj>\binj(?:ected|ection)?\b)|(?P<dry>\bdry[- ]?needled\b|\bdry[- ]?needling\b|\bneedled\b|\bdn\b)"
    r"|(?P<man>\bmanual\b|\bstm\b|\bsoft tissue\b)"
)


def _procedure_columns(text: str, low: str, muscles: list[MuscleFact]) -> list[MuscleFact]:
    """A grid with an Injected and a Dry-needled column of boxes: a row's ticked boxes say what was done to
    that muscle (both: an injection); none ticked, nothing was."""
    out = list(muscles)
    pos = 0
    cols: list[tuple[int, str]] = []
    while pos < len(low):
        end = low.find("\n", pos)
        end = len(low) if end < 0 else end
        heads = [(m.start() - pos, m.lastgroup or "") for m in _PROC_HEAD.finditer(low, pos, end)]
        kinds = {h for _c, h in heads}
        if "dry" in kinds and kinds & {"inj", "man"} and "[" not in text[pos:end] and "☐" not in text[pos:end]:
            cols = heads
        elif not low[pos:end].strip():
            cols = []
        elif cols:
            row = [i for i, f in enumerate(out) if pos <= f.spans[0][0] < end and f.status in ("today", "negated")]
            boxes = [(m.start() - pos, _CHECKED_BOX.match(m.group()) is not None) for m in _ANY_BOX.finditer(text, pos, end)]
            if row and len(boxes) >= 2:
                done = {_nearest_column(cols, at) for at, ticked in boxes if ticked}
                for i in row:
                    f = out[i]
                    if not done & {"inj", "dry"}:  # (nothing ticked, or only the manual-therapy column)
                        out[i] = dataclasses.replace(f, status="negated", spans=list(f.spans))
                    else:
                        out[i] = dataclasses.replace(
                            f, status="today", procedure="injection" if "inj" in done else "dry_needling", spans=list(f.spans)
                        )
        pos = end + 1
    return out


def _nearest_column(cols: list[tuple[int, str]], at: int) -> str:
    return min(cols, key=lambda c: abs(c[0] - at))[1]


_ANY_BOX = re.compile(r"\[[ x✓✔*]\]|\([ x✓✔*]\)|[☐☑☒]", re.IGNORECASE)
_SPACED_CELL = re.compile(r"\S+(?: \S+)*")
_SIDE_HEADER_ROW = re.compile(
    r"^(?:(?:muscles?|sites?|locations?|trigger points?|targets?|areas?)(?:\s*/\s*\w+| injected| treated| needled)? {2,})?"
    # ("L (# insertions)    R (# insertions)": a side column with what it counts in brackets)
    r"(?:left|right|lt|rt|l|r)(?: ?\([^()\n]{1,20}\)| (?:inj|injections?|sites?|tps?|#))?"
    r"(?: {2,}(?:left|right|lt|rt|l|r)(?: ?\([^()\n]{1,20}\)| (?:inj|injections?|sites?|tps?|#))?)+"  # ("R inj   L inj")
    # (and count columns after them: "# TPs (L / R)", "# inj (L / R)")
    r"(?: {2,}(?:#\s*)?(?:sites?|injections?|inj|count|points?|tps?|volume|ml|notes?)\b(?:\s*\([^()\n]{0,12}\))?[^ ]*)*\s*$"
)
_UNTICKED_BOX = re.compile(r"\[ \]|\( \)|☐")
_CELL_NOT_DONE = re.compile(r"\bnot (?:needled|injected|done|treated)\b|\bonly\b|\bheld\b|\bdeferred\b|\bdeclined\b")
_CHECKED_BOX = re.compile(r"\[[x✓✔*]\]|\([x✓✔*]\)|[☑☒✓✔]", re.IGNORECASE)
_EMPTY_CELL = re.compile(r"^(?:0+(?:\.0+)?(?: ?(?:sites?|ml|cc|injections?|x))?|x ?0|no|n|none|-+|_+|n/a)$")


def _aligned_side_columns(
    text: str, low: str, infos: list[ClauseInfo], muscles: list[MuscleFact], k: Knowledge
) -> list[MuscleFact]:
    """The same table aligned with spaces ("                 LEFT        RIGHT" over "Levator scapulae   [x] 2 sites
    [x] 1 site"): a row's cell belongs to the side column it starts nearest to."""
    out = muscles
    cols: list[tuple[int, str]] = []  # (column where the header word starts on its line, its side or "")
    counts_injections = False
    last_line = -1
    for info in infos:
        cl = info.clause
        line_start = low.rfind("\n", 0, cl.start) + 1
        if cols and cl.line != last_line + 1:
            cols = []
        if _SIDE_HEADER_ROW.match(info.text):
            cols = _header_columns(info.text, cl.start - line_start)
            if len({side for _c, side in cols if side}) < 2:
                cols = []
            last_line = cl.line
            # ("REGION 1 (number of injections)" over "Muscle   R   L": its count rows are today's, under any heading)
            counts_injections = "inject" in low[max(0, line_start - 160) : line_start]
            continue
        if not cols and line_start > 0:
            # (a heading line read as the section's title: "MUSCLES INJECTED      LEFT    RIGHT")
            prev_start = low.rfind("\n", 0, line_start - 1) + 1
            prev = low[prev_start : line_start - 1]
            if _SIDE_HEADER_ROW.match(prev.strip()):
                cols = _header_columns(low[prev_start : line_start - 1], 0)
                if len({side for _c, side in cols if side}) < 2:
                    cols = []
                last_line = cl.line - 1
        if not cols:
            continue
        last_line = cl.line
        cs, ce = cl.start, cl.end
        # (a "0" in the first count column read the row as not injected: the columns decide here)
        row = [f for f in out if cs <= f.spans[0][0] < ce and f.laterality == "unspecified"
               and (f.status == "today" or (f.status == "negated" and f.injections == 0)
                    or (counts_injections and f.status in ("exam", "unclear")))
               and k.muscles[f.muscle_id].paired]
        if not row:
            continue
        name_end = max(f.spans[0][1] for f in row)
        line_end = low.find("\n", cs)
        line_end = len(low) if line_end < 0 else line_end
        sides: list[str] = []
        for m in _SPACED_CELL.finditer(text, name_end, line_end):  # (the note's own cells: boxes are blanked in `low`)
            cell = m.group().lower()
            if cell.startswith("(") and cell.endswith(")") and not _CHECKED_BOX.match(cell):
                continue  # "Trapezius (middle)   [ ]   [x]": the muscle's part, not a side's cell
            if not any(ch.isalnum() for ch in cell) and not _CHECKED_BOX.match(cell) and not _UNTICKED_BOX.match(cell):
                continue  # the "." of "Serratus posterior sup.": no cell
            if _UNTICKED_BOX.match(cell) or (not _CHECKED_BOX.match(cell) and _EMPTY_CELL.match(cell)):
                continue  # ("0" in a count column, an unticked box: not injected on that side)
            col = m.start() - line_start
            side = min(cols, key=lambda c: abs(c[0] - col))[1]
            if side and side not in sides:
                sides.append(side)  # (a cell under "Sites" or "# injections" is no side)
        out = _resided(out, row, sides)
    return out


_BRACKET_TAIL = re.compile(r" ?\([^()]*\)$| (?:inj|injections?|sites?|tps?|#)$")


def _header_columns(row: str, offset: int) -> list[tuple[int, str]]:
    """(position on the line, side or "") of each column of a header row after its first (the muscle's)."""
    cells = list(_SPACED_CELL.finditer(row))
    first_is_label = bool(cells) and cells[0].group() not in _SIDE_COLUMN
    return [(offset + m.start(), _SIDE_COLUMN.get(_BRACKET_TAIL.sub("", m.group()), "")) for m in cells[1 if first_is_label else 0 :]]


_SIDE_COLUMN = {"left": "left", "right": "right", "l": "left", "r": "right", "lt": "left", "rt": "right"}


def _item_or_row(info: ClauseInfo) -> bool:
    """A list item or a table row (pipes, or columns aligned with runs of spaces)."""
    return info.clause.list_item or is_table_row(info.text)


def _plain_line(low: str, info: ClauseInfo) -> bool:
    """A short line of its own with nothing but a name and its count: "  Gluteus medius (2 sites)"."""
    cs, ce = info.clause.start, info.clause.end
    ls = low.rfind("\n", 0, cs) + 1
    le = low.find("\n", ce)
    le = len(low) if le < 0 else le
    return (
        ce - cs <= 60 and not info.cues and not info.clause.field_label and not info.ends_colon
        and not low[ls:cs].strip() and not low[ce:le].strip()
    )


_ZERO_FIELD = re.compile(
    _FIELD_LEAD + r"(?:#\s*(?:of\s+)?|number of\s+)?(?:injections?|inj\.?|injected|sites?(?: injected)?|needled|performed|done|given)"
    r"(?:\s*[:=]\s*|[ \t]{2,})(?:0|none|no|n)(?:\s*$|\s*[-–,;(:]|\s+(?:not|patient|pt|declined|deferred)\b)"  # ("Performed: No - patient asked to stop")
)


_MUSCLE_FIELD = re.compile(r"\b(?:muscle|site)\b")


_ZERO_GATE = re.compile(r"inj|perform|done|given|needl|site")
_ZERO_START = re.compile(r"\s*(?:[-*•]\s*)?(?:tpi|dn|trp|site|muscle|#|number|inj|performed|done|given|needled|\d)")


def _zero_count_fields(low: str, infos: list[ClauseInfo], muscles: list[MuscleFact]) -> None:
    """A site block's "Injections: 0" (or "Injected: No") field: the muscle named in that block was not injected."""
    if not (": 0" in low or ": no" in low or ":0" in low or "  0" in low or "  no" in low or ": n\n" in low):
        return  # (substring tests first: most notes have no such field)
    for idx, info in enumerate(infos):
        label = info.clause.field_label  # ("Injections: 0" may be read as a header "injections" over "0")
        if len(info.text) > 100 or not (label or _ZERO_START.match(info.text)):
            continue  # (cheap tests first: this looks at every clause; a field starts with its label)
        if not (_ZERO_GATE.search(info.text) or (label and _ZERO_GATE.search(label))):
            continue
        if not _ZERO_FIELD.match(f"{label}: {info.text}" if label and not info.text.startswith(label) else info.text):
            continue
        for near in range(idx - 1, max(-1, idx - 8), -1):
            if blank_line_between(low, infos[near].clause.end, infos[near + 1].clause.start):
                break
            cs, ce = infos[near].clause.start, infos[near].clause.end
            # (a block's second zero field, "Injections: 0" then "Performed: No", stops at the muscle the first negated)
            named = [f for f in muscles if cs <= f.spans[0][0] < ce and f.status in ("today", "negated")]
            # (only a block's "Muscle:" field: a blanked unticked row "[ ] ECRB   # inj: 0" says nothing of the row above)
            if named and not _MUSCLE_FIELD.search(infos[near].clause.field_label + " " + low[cs : named[0].spans[0][0]]):
                break
            if named:
                for f in named:
                    f.status = "negated"
                break


def _side_fields(low: str, infos: list[ClauseInfo], muscles: list[MuscleFact], k: Knowledge) -> list[MuscleFact]:
    """A template's "Side: Right" line gives its side to the unsided muscles of the field next to it."""
    out = muscles
    for idx, info in enumerate(infos):
        fm = _SIDE_FIELD.match(info.text)
        if not fm:
            continue
        sides = _side_of(fm.group("side"))
        for near in (idx - 1, idx - 2, idx - 3, idx - 4, idx - 5, idx - 6, idx + 1, idx + 2):
            if not 0 <= near < len(infos):
                continue
            if infos[near].clause.section != info.clause.section and abs(near - idx) > 1:
                continue
            cs, ce = infos[near].clause.start, infos[near].clause.end
            targets = [
                f for f in out
                if cs <= f.spans[0][0] < ce and f.laterality == "unspecified" and f.status == "today"
                and k.muscles[f.muscle_id].paired
            ]
            if not targets:
                continue
            if near > idx:
                # "Side: Right" above a table or a block of rows: every row until a blank line or another side
                j = near + 1
                while j < len(infos) and j - near < 40 and not blank_line_between(low, infos[j - 1].clause.end, infos[j].clause.start):
                    if _SIDE_FIELD.match(infos[j].text):
                        break
                    js, je = infos[j].clause.start, infos[j].clause.end
                    targets += [
                        f for f in out
                        if js <= f.spans[0][0] < je and f.laterality == "unspecified" and f.status == "today"
                        and k.muscles[f.muscle_id].paired
                    ]
                    j += 1
            elif _item_or_row(infos[near]) or _plain_line(low, infos[near]):
                # "- QL #3 / - glute med (2) / - TFL x1 / Laterality: R": the side field after a list sides it all
                j = near - 1
                while j >= 0 and near - j < 40 and (_item_or_row(infos[j]) or _plain_line(low, infos[j])) and not blank_line_between(
                    low, infos[j].clause.end, infos[j + 1].clause.start
                ):
                    js, je = infos[j].clause.start, infos[j].clause.end
                    targets += [
                        f for f in out
                        if js <= f.spans[0][0] < je and f.laterality == "unspecified" and f.status == "today"
                        and k.muscles[f.muscle_id].paired
                    ]
                    j -= 1
            if near < idx:
                # ("Muscle(s) injected: Upper trapezius; Levator scapulae / Laterality: Right": the whole line)
                j = near - 1
                while j >= 0 and infos[j].clause.line == infos[near].clause.line:
                    js, je = infos[j].clause.start, infos[j].clause.end
                    targets += [
                        f for f in out
                        if js <= f.spans[0][0] < je and f.laterality == "unspecified" and f.status == "today"
                        and k.muscles[f.muscle_id].paired and f not in targets
                    ]
                    j -= 1
            kept = [f for f in out if f not in targets]
            for f in targets:
                for side in sides:
                    kept.append(dataclasses.replace(f, laterality=side, spans=list(f.spans)))
            out = kept
            break
    return out


_NEG_TERMINATE = re.compile(r"\b(?:inject(?:ed|ion)|we|i|then|and then|followed)\b")
_NEG_OF_INJECTION = re.compile(r"\b(?:no|not|nothing)\s+(?:\w+\s+){0,2}inject")
_NEG_OTHER_THING = re.compile(
    r"(?:no|without)\s+(?:any\s+|other\s+|additional\s+)?(?:complications?|adverse|difficult|bleeding|problems?|pain|relief|injectate|medications?"
    r"|anesthetic|anaesthetic|steroids?|drugs?|imaging|ultrasound|guidance)"
)


_PLUS_TPI = re.compile(r"(?:\+|&|\band\b|\bthen\b)\s*(?:tpi|inj(?:ected|ection)?|trigger point inj\w*)\b")


def _injected_after_needling(low: str, info: ClauseInfo, start: int) -> bool:
    """"dry needles the trapezius and levator, then injects the trapezius with lidocaine": this mention
    follows an injection verb that follows the needling cue."""
    after_dry = [a for a, _b, k in info.cues if k == "done" and a > info.dry_at and low.startswith("inj", a)]
    if not after_dry and 0 <= start < info.dry_at:
        # ("| Splenius capitis | L | Dry needle + TPI | 1.5 mL after needling |": a cell that adds the injection)
        pm = _PLUS_TPI.search(low, info.dry_at, info.clause.end)
        after_dry = [pm.start()] if pm else []
    # ("The L fibularis longus was first dry needled (...) and then injected with 1% lidocaine": its subject)
    return any(info.dry_at < a < start for a in after_dry) or (0 <= start < info.dry_at and bool(after_dry))


def _negated(low: str, cs: int, ce: int, m: Mention, cues: Cues) -> bool:
    """ConText-style: a negation before the mention (not cut off by a new verb) or after it."""
    before = low[max(cs, m.start - 60) : m.start]
    last_neg = None
    for nm in cues.negation_before.finditer(before):
        last_neg = nm
    if last_neg is not None:
        scope = before[last_neg.start() :]
        # (a negation closed inside brackets stays there: "TPI, palpation guided (no fluoro): bilat QL x2")
        cut = (_NEG_TERMINATE.search(before[last_neg.end() :]) and not _NEG_OF_INJECTION.search(scope)) or (
            ")" in scope and scope.count(")") > scope.count("(")
        )
        if not cut and not _NEG_OTHER_THING.match(scope):
            return True
    after = low[m.end : min(ce, m.end + 60)]
    if cues.negation_after.search(after) is not None:
        return True
    # "the right piriformis was palpated | but not injected": the clause break before "but" hides it
    return ce - m.end < 40 and _BUT_NOT_INJECTED.match(low, ce) is not None


_BUT_NOT_INJECTED = re.compile(r"[\s,;]*but (?:was |were |it was |they were )?not (?:injected|needled|treated)\b")


def _count(low: str, cs: int, ce: int, m: Mention) -> int | None:
    am = _COUNT_AFTER.match(low, m.end, min(ce, m.end + 40))
    if am:
        v = am.group("a") or am.group("t") or am.group("b")
        return int(v) if v.isdigit() else _WORDNUM[v]
    end = min(ce, m.end + 90)
    if "  " in low[m.end : m.end + 3]:
        # a row of columns aligned with spaces: "Supinator            Left         0"
        cm = _COUNT_COLUMN.match(low, m.end, end)
        if cm:
            return int(cm.group("c"))
    nl = low.find("\n", m.end, end)
    end = end if nl < 0 else nl
    # (each search only where its literal parts are present: this runs for every muscle mention)
    fm = _COUNT_FIELD.search(low, m.end, end) if ":" in low[m.end : end] or "=" in low[m.end : end] else None
    if fm and ("#" in low[m.end : fm.start() + 1] or ":" in low[fm.start() : fm.end()]):
        return int(fm.group("c"))
    before = low[max(cs, m.start - 60) : m.start]
    if not any(w in before for w in _COUNT_NOUNS):
        return None
    bm = _COUNT_BEFORE.search(low, max(cs, m.start - 60), m.start)
    if bm:
        n = bm.group("n")
        return int(n) if n.isdigit() else _WORDNUM[n]
    return None


_INJECTION_WORD = re.compile(r"inject|\btpis?\b|trigger points?|needl|infiltrat")
_REGION_INJECTION = re.compile(r"inject|\btpis?\b|trigger points?")
_GROUP_OWN_SITES = re.compile(
    r"(?:\s+(?:at|from)\s+[lct]\d{1,2}(?:\s*[-–]\s*[lcts]?\d{1,2})?)?\s*,?\s*"
    r"(?:(?:at|x)\s*(?:\d{1,2}|one|two|three|four|five|six)\s+(?:sites?|points?|injections?)\b|x\s*\d{1,2}\b|\(\s*\d{1,2}\s+sites?\s*\))"
)
# a count of sites of its own right after a group or region: "upper back x3 sites", "lumbar paraspinals (4 sites)"
_OWN_SITE_COUNT = re.compile(
    r"\s*,?\s*(?:(?:at|x|×)\s*)?(?:\d{1,2}|one|two|three|four|five|six)\s+(?:sites?|points?|injections?)\b|\s*\(\s*\d{1,2}\s+sites?\s*\)"
)
_NOT_SITE_BEFORE = re.compile(r"(?:advanced|directed|walked|passed|angled|inserted|contact(?:ed)?)\s+(?:\w+\s+)?(?:to|toward|towards|onto|down to|with)\s+(?:the\s+)?$|(?:pain|ache|tenderness|spasms?|tightness|myalgia|syndrome|strain|tender)\s+(?:\w+\s+){0,1}(?:of|in|over|involving|at)\s+(?:the\s+)?(?:(?:left|right|bilateral|l|r)\s+)?$|myofascial\s+(?:\w+\s+)?$|(?:prepped|cleaned|cleansed|draped|positioned)\b|\bprep(?:ped)? (?:of|over) (?:the\s+)?(?:(?:left|right|l|r)\s+)?(?:\w+\s+)?$"
    r"|\b(?:above|below|beneath|under|over|along|near|around|avoiding|avoided|from|lateral to|medial to|deep to|superficial to)\s+(?:the\s+)?$")


def _group_is_site(low: str, cs: int, ce: int, m: Mention, region_word: bool) -> bool:
    """A group or region is an injection site only in a clause about injecting, used as a place."""
    clause = low[cs:ce]
    if _NOT_SITE_AFTER.match(low, m.end) or _NOT_SITE_BEFORE.search(low, max(cs, m.start - 40), m.start):
        return False
    if _OWN_SITE_COUNT.match(low, m.end, ce):
        return True  # "upper back x3 sites bilaterally" in today's list: places injected, counted
    if not _INJECTION_WORD.search(clause):
        return False
    if _PREP_AFTER.search(low[m.end : min(ce, m.end + 30)]):
        return False
    if region_word:
        if not _REGION_INJECTION.search(clause):
            return False  # "the needle was advanced to the occiput" is a route, not an injection site
        return _SITE_CONTEXT.search(low, max(cs, m.start - 40), m.start) is not None
    return True


def _site_item(low: str, cs: int, ce: int, ms: list[Mention]) -> bool:
    """A list item that is only sites: muscles, sides, counts and connectors (at most two other words)."""
    rest = []
    pos = cs
    for m in ms:
        rest.append(low[pos : m.start])
        pos = m.end
    rest.append(low[pos:ce])
    other = [t for t in _GAP_TOKEN.findall(" ".join(rest)) if t.isalpha() and t not in _CONNECTORS and t != "ea"]
    return len(other) <= 2
