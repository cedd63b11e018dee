"""Seeded generator of synthetic trigger point injection notes for benchmarking tpicode.

The notes vary in style, muscles, sides, drugs and distractors so the benchmark exercises the whole engine.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

STYLES: tuple[str, ...] = ("dictation", "template", "bullets", "soap", "abbreviated", "misspelled")
STYLE_WEIGHTS: tuple[int, ...] = (24, 22, 16, 16, 12, 10)
PAYERS: tuple[str, ...] = ("medicare", "medicare", "medicare", "medicare", "cigna", "emblemhealth")


@dataclass(frozen=True)
class Muscle:
    """One injectable muscle with the ways clinicians write it, so notes use varied vocabulary."""

    name: str
    region: str
    variants: tuple[str, ...] = ()
    abbrevs: tuple[str, ...] = ()
    typos: tuple[str, ...] = ()
    paired: bool = True


MUSCLES: tuple[Muscle, ...] = (
    # head and jaw
    Muscle("temporalis", "head", typos=("temporalus",)),
    Muscle("masseter", "head", typos=("masseteer",)),
    Muscle("occipitalis", "head", ("occipitalis belly of the occipitofrontalis",)),
    # neck
    Muscle("upper trapezius", "neck", ("trapezius (upper fibers)", "upper trapezius"), ("upper trap", "traps"),
           ("upper trapezious", "upper trapezeus")),
    Muscle("levator scapulae", "neck", ("levator scapulae", "levator"), ("lev scap",),
           ("levator scapula", "levater scapulae")),
    Muscle("sternocleidomastoid", "neck", ("sternocleidomastoid",), ("SCM",), ("sternocleidomastiod",)),
    Muscle("splenius capitis", "neck", typos=("splenius capitus",)),
    Muscle("splenius cervicis", "neck", typos=("splenius cervicus",)),
    Muscle("semispinalis capitis", "neck", typos=("semispinalis capitus",)),
    Muscle("longissimus capitis", "neck"),
    Muscle("anterior scalene", "neck", ("scalenus anterior",), ("ant scalene",), ("anterior scalane",)),
    Muscle("middle scalene", "neck", ("scalenus medius",), ("mid scalene",)),
    Muscle("posterior scalene", "neck", ("scalenus posterior",)),
    Muscle("rectus capitis posterior major", "neck"),
    # shoulder girdle and upper back
    Muscle("middle trapezius", "upper_back", ("mid trapezius",), ("mid trap",), ("middle trapezious",)),
    Muscle("lower trapezius", "upper_back", (), ("lower trap",), ("lower trapezious",)),
    Muscle("rhomboid major", "upper_back", ("rhomboid", "rhomboids", "rhomboid major"), ("rhomboid",),
           ("rhomboyd", "romboid")),
    Muscle("rhomboid minor", "upper_back", typos=("romboid minor",)),
    Muscle("infraspinatus", "upper_back", (), ("infraspin",), ("infraspinatous", "infraspinatis")),
    Muscle("supraspinatus", "upper_back", (), ("supraspin",), ("supraspinatous",)),
    Muscle("teres major", "upper_back", typos=("teres majer",)),
    Muscle("teres minor", "upper_back"),
    Muscle("serratus posterior superior", "upper_back"),
    Muscle("serratus anterior", "upper_back", typos=("seratus anterior",)),
    Muscle("latissimus dorsi", "upper_back", ("latissimus",), ("lats",), ("latisimus dorsi",)),
    Muscle("pectoralis minor", "upper_back", (), ("pec minor",), ("pectoralis minr",)),
    Muscle("pectoralis major", "upper_back", (), ("pec major",)),
    Muscle("deltoid", "upper_back", ("posterior deltoid", "middle deltoid"), ("delt",), ("deltiod",)),
    Muscle("iliocostalis thoracis", "upper_back"),
    # low back
    Muscle("quadratus lumborum", "low_back", ("quadratus lumborum",), ("QL",), ("quadratus lumborm",)),
    Muscle("iliocostalis lumborum", "low_back"),
    Muscle("longissimus thoracis", "low_back"),
    Muscle("multifidus", "low_back", ("lumbar multifidus",), (), ("multifidis",)),
    Muscle("iliopsoas", "low_back", ("psoas",), (), ("illiopsoas",)),
    # hip and buttock
    Muscle("gluteus medius", "hip", ("gluteus medius",), ("glute med",), ("gluteous medius",)),
    Muscle("gluteus maximus", "hip", (), ("glute max",), ("gluteous maximus",)),
    Muscle("gluteus minimus", "hip", (), ("glute min",), ("gluteous minimus",)),
    Muscle("piriformis", "hip", (), ("piri",), ("piriformus", "pyriformis")),
    Muscle("tensor fasciae latae", "hip", ("tensor fascia lata",), ("TFL",), ("tensor facia lata",)),
    # lower limb
    Muscle("vastus lateralis", "leg", typos=("vastus lateralus",)),
    Muscle("rectus femoris", "leg"),
    Muscle("adductor longus", "leg"),
    Muscle("gastrocnemius", "leg", ("medial gastrocnemius",), ("gastroc",), ("gastrocnemeus",)),
    Muscle("soleus", "leg"),
    # forearm
    Muscle("brachioradialis", "arm", typos=("brachioradialus",)),
    Muscle("extensor carpi radialis longus", "arm", (), ("ECRL",)),
)

REGION_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "head": ("head", "neck"),
    "neck": ("neck", "upper_back"),
    "upper_back": ("upper_back", "neck"),
    "low_back": ("low_back", "hip"),
    "hip": ("hip", "low_back", "leg"),
    "leg": ("leg", "hip"),
    "arm": ("arm", "upper_back"),
}
REGION_WEIGHTS: dict[str, int] = {
    "neck": 34, "upper_back": 24, "low_back": 16, "hip": 14, "head": 5, "leg": 4, "arm": 3,
}
REGION_PAIN: dict[str, tuple[str, ...]] = {
    "head": ("temporal headaches", "jaw pain with chewing", "facial and temple pain"),
    "neck": ("neck pain", "posterior neck and shoulder pain", "cervicogenic headaches", "neck stiffness"),
    "upper_back": ("upper back pain", "interscapular pain", "shoulder blade pain", "thoracic pain"),
    "low_back": ("low back pain", "lumbar pain", "flank and low back pain"),
    "hip": ("buttock pain", "lateral hip pain", "posterior hip pain"),
    "leg": ("thigh pain", "calf cramping pain", "anterior thigh pain"),
    "arm": ("lateral forearm pain", "elbow and forearm pain"),
}
REGION_RADIATION: dict[str, tuple[str, ...]] = {
    "head": ("temple", "jaw", "behind the eye"),
    "neck": ("occiput", "top of the shoulder", "base of the skull", "behind the eye"),
    "upper_back": ("medial scapular border", "posterior shoulder", "lateral arm"),
    "low_back": ("iliac crest", "groin", "upper buttock"),
    "hip": ("posterior thigh", "lateral thigh", "sacroiliac region"),
    "leg": ("knee", "ankle", "heel"),
    "arm": ("lateral epicondyle", "dorsum of the hand"),
}

DIAGNOSES: tuple[str, ...] = (
    "myofascial pain syndrome (M79.18)", "myofascial pain syndrome", "myalgia (M79.10)", "myalgia",
    "myofascial pain, M79.18", "tension-type headache (G44.209)", "fibromyalgia (M79.7)",
    "cervicalgia (M54.2) with myofascial pain", "chronic myofascial pain", "myalgia of the auxiliary muscles",
)


@dataclass
class Section:
    """A note section whose items can be padded with prose until the note reaches its target size."""

    header: str
    items: list[str] = field(default_factory=list)
    joiner: str = " "
    prefix: str = ""
    paddable: str = ""

    def render(self) -> str:
        """Render header plus items; an empty header prints the items alone."""
        body = self.joiner.join(self.prefix + it for it in self.items)
        if not self.header:
            return body
        if self.joiner == " " and self.header.endswith(":") and len(self.header) < 4:
            return f"{self.header} {body}"
        sep = " " if self.joiner == " " and not self.header.isupper() else "\n"
        return f"{self.header}{sep}{body}"

    def delta(self, item: str) -> int:
        """Bytes that appending `item` adds, so padding can track size without re-rendering."""
        return len((self.prefix + item).encode()) + (len(self.joiner) if self.items else 0)


# ----------------------------------------------------------------------------------------------------------
# Style transforms: abbreviations and misspellings applied sentence by sentence.

ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"\bthe patient\b", "pt"), (r"\bThe patient\b", "Pt"), (r"\bpatient\b", "pt"), (r"\bPatient\b", "Pt"),
    (r"\bcomplains of\b", "c/o"), (r"\bwith\b", "w/"), (r"\bwithout\b", "w/o"), (r"\bhistory\b", "hx"),
    (r"\btenderness to palpation\b", "TTP"), (r"\bphysical therapy\b", "PT"), (r"\brange of motion\b", "ROM"),
    (r"\bhome exercise program\b", "HEP"), (r"\bfollow up\b", "f/u"), (r"\bweeks\b", "wks"),
    (r"\bmonths\b", "mos"), (r"\bbilateral\b", "bilat"), (r"\bapproximately\b", "approx"),
    (r"\bsymptoms\b", "sx"), (r"\btreatment\b", "tx"), (r"\bdiagnosis\b", "dx"), (r"\band\b", "&"),
    (r"\breturn to clinic\b", "RTC"), (r"\bsecondary to\b", "2/2"), (r"\bhypertension\b", "HTN"),
)
ABBREV_RE: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in ABBREVIATIONS)

TYPOS: dict[str, tuple[str, ...]] = {
    "patient": ("pateint", "patinet"), "tenderness": ("tendernes", "tendrness"), "received": ("recieved",),
    "separate": ("seperate",), "lidocaine": ("lidocane", "lidocaien"), "bupivacaine": ("bupivicaine",),
    "Kenalog": ("Kenolog", "Kenelog"), "dexamethasone": ("dexamethazone",), "Depo-Medrol": ("Depomedrol",),
    "injected": ("injeted", "inejcted"), "injection": ("injecton", "injeciton"), "muscle": ("muscel",),
    "procedure": ("proceedure", "procedrue"), "tolerated": ("tolerted",), "trigger": ("triger",),
    "palpation": ("palpitation", "palpaton"), "bilateral": ("bilatreal",), "headaches": ("headahces",),
    "physical": ("phyiscal",), "therapy": ("therpay",), "stretching": ("streching",),
}
TYPO_RE: re.Pattern[str] = re.compile(r"\b(" + "|".join(re.escape(k) for k in TYPOS) + r")\b")


def _abbreviate(text: str, rng: random.Random) -> str:
    """Apply clinic shorthand to most occurrences, as a hurried typist would."""
    for pat, rep in ABBREV_RE:
        if rng.random() < 0.8:
            text = pat.sub(rep, text)
    return text


def _misspell(text: str, rng: random.Random) -> str:
    """Introduce common transcription typos in about a third of the eligible words."""

    def sub(m: re.Match[str]) -> str:
        word = m.group(1)
        return rng.choice(TYPOS[word]) if rng.random() < 0.35 else word

    return TYPO_RE.sub(sub, text)


# ----------------------------------------------------------------------------------------------------------
# Sides and muscle phrases


@dataclass(frozen=True)
class Target:
    """A muscle chosen for today's procedure, with its side ("left", "right", "bilateral" or "")."""

    muscle: Muscle
    side: str


def _muscle_word(m: Muscle, style: str, rng: random.Random) -> str:
    """Choose how the muscle is written, leaning on abbreviations or typos for those styles."""
    if style == "abbreviated" and m.abbrevs and rng.random() < 0.7:
        return rng.choice(m.abbrevs)
    if style == "misspelled" and m.typos and rng.random() < 0.5:
        return rng.choice(m.typos)
    pool = (m.name,) * 3 + m.variants + (m.abbrevs if rng.random() < 0.15 else ())
    return rng.choice(pool)


def _side_word(side: str, style: str, rng: random.Random, adverb: bool = False) -> str:
    """Spell a side the way the chosen style would: L/R/bilat in shorthand, words in prose."""
    short = style in ("abbreviated", "bullets", "template") and rng.random() < 0.6
    if side == "left":
        return rng.choice(("L", "lt", "Lt.", "LT", "L.")) if short else rng.choice(("left", "left", "Left"))
    if side == "right":
        return rng.choice(("R", "rt", "Rt.", "RT", "R.")) if short else rng.choice(("right", "right", "Right"))
    if side == "bilateral":
        if adverb:
            return rng.choice(("bilaterally", "bilaterally", "on both sides", "bilat"))
        return rng.choice(("bilat", "B/L", "b/l", "bilateral")) if short else rng.choice(
            ("bilateral", "bilateral", "right and left", "left and right", "both")
        )
    return ""


def _target_phrase(t: Target, style: str, rng: random.Random) -> str:
    """Write one muscle with its side, in front ("left QL") or behind ("QL (L)", "QL on the right")."""
    word = _muscle_word(t.muscle, style, rng)
    if not t.side:
        return word
    if t.side == "bilateral" and rng.random() < 0.3:
        return f"{word} {_side_word('bilateral', style, rng, adverb=True)}"
    form = rng.random()
    side = _side_word(t.side, style, rng)
    if t.side == "bilateral" and side == "both":
        return f"both {word} muscles" if rng.random() < 0.5 else f"{word}, both sides"
    if form < 0.65:
        return f"{side} {word}"
    if form < 0.8:
        return f"{word} ({side[0].upper() if t.side != 'bilateral' else side})"
    if form < 0.92 and t.side != "bilateral":
        return f"{word} on the {t.side}"
    return f"{word}, {side}"


def _join_list(parts: list[str], rng: random.Random) -> str:
    """Join phrases the way dictation does, with or without an Oxford comma."""
    if len(parts) == 1:
        return parts[0]
    conj = rng.choice((" and ", ", and ", " & ")) if len(parts) > 2 else rng.choice((" and ", " & ", " and "))
    return ", ".join(parts[:-1]) + conj + parts[-1]


def _targets_prose(targets: list[Target], style: str, rng: random.Random) -> str:
    """Write the injected muscles as a run-on list, sometimes letting one side cover several muscles."""
    groups: list[list[Target]] = []
    for t in targets:
        if groups and groups[-1][0].side == t.side and t.side and rng.random() < 0.6:
            groups[-1].append(t)
        else:
            groups.append([t])
    chunks: list[str] = []
    for g in groups:
        if len(g) == 1:
            chunks.append(_target_phrase(g[0], style, rng))
            continue
        words = [_muscle_word(t.muscle, style, rng) for t in g]
        side = g[0].side
        if rng.random() < 0.6:
            chunks.append(f"{_side_word(side, style, rng)} {_join_list(words, rng)}")
        elif side == "bilateral":
            chunks.append(f"{_join_list(words, rng)} {_side_word(side, style, rng, adverb=True)}")
        else:
            chunks.append(f"{_join_list(words, rng)} on the {side}")
    return "; ".join(chunks) if len(chunks) > 2 and rng.random() < 0.3 else _join_list(chunks, rng)


def _pick_targets(rng: random.Random, max_muscles: int = 8) -> tuple[list[Target], str]:
    """Choose 1-8 distinct muscles from one or two neighbouring regions, each with a side."""
    region = rng.choices(list(REGION_WEIGHTS), weights=list(REGION_WEIGHTS.values()))[0]
    k = rng.choices(range(1, 9), weights=(22, 24, 18, 12, 9, 7, 5, 3))[0]
    k = min(k, max_muscles)
    pool = [m for m in MUSCLES if m.region == region]
    neighbours = [m for m in MUSCLES if m.region in REGION_NEIGHBOURS[region] and m.region != region]
    rng.shuffle(pool)
    rng.shuffle(neighbours)
    chosen = (pool + neighbours)[:k]
    all_bilateral = rng.random() < 0.18
    targets: list[Target] = []
    for m in chosen:
        if not m.paired:
            side = ""
        elif all_bilateral:
            side = "bilateral"
        else:
            side = rng.choices(("left", "right", "bilateral", ""), weights=(36, 30, 27, 7))[0]
        targets.append(Target(m, side))
    return targets, region


# ----------------------------------------------------------------------------------------------------------
# Drugs


def _vol(rng: random.Random) -> str:
    """A plausible injectate volume in mL."""
    return rng.choice(("1", "2", "3", "4", "5", "6", "8", "10", "0.5", "1.5", "2.5"))


def _regimen(rng: random.Random, style: str, n_sites: int) -> str:
    """Describe the injectate: local anesthetic alone, with a steroid, mixtures, per-site volumes, vials."""
    ml = rng.choice(("mL", "mL", "cc", "ml"))
    v = _vol(rng)
    lido = rng.choice(("1% lidocaine", "lidocaine 1%", "1% Xylocaine", "lidocaine 1% plain"))
    bupi = rng.choice(("0.25% bupivacaine", "0.5% bupivacaine", "bupivacaine 0.25%", "0.25% Marcaine",
                       "0.5% Sensorcaine"))
    steroid = rng.choice((
        "Kenalog 40 mg", "Kenalog-40 1 mL", "Kenalog-40 0.5 mL", "triamcinolone 20 mg", "Kenalog 10 mg",
        "Depo-Medrol 80 mg", "Depo-Medrol 40 mg", "methylprednisolone acetate 40 mg",
        "dexamethasone 4 mg", "dexamethasone 10 mg", "Decadron 4 mg",
    ))
    if style == "abbreviated":
        lido = rng.choice(("1% lido", "lido 1%", "1%lido"))
        bupi = rng.choice(("0.25% bupi", "0.5% marcaine", ".25% bupivacaine"))
        steroid = rng.choice(("Kenalog 40mg", "K40 1cc", "dex 4mg", "DepoMedrol 80mg", "TAC 40 mg"))
    kind = rng.choices(
        ("lido", "bupi", "lido_steroid", "bupi_steroid", "mix", "per_site", "ropi", "odd", "no_dose"),
        weights=(22, 12, 24, 10, 12, 10, 3, 4, 3),
    )[0]
    if kind == "lido":
        text = rng.choice((f"{v} {ml} of {lido}", f"{lido}, {v} {ml} total", f"a total of {v} {ml} {lido}"))
    elif kind == "bupi":
        text = rng.choice((f"{v} {ml} of {bupi}", f"{bupi} {v} {ml}"))
    elif kind == "lido_steroid":
        text = rng.choice((
            f"{steroid} mixed with {v} {ml} of {lido}", f"{v} {ml} {lido} and {steroid}",
            f"a solution of {steroid} and {lido} ({v} {ml})", f"{lido} {v} {ml} + {steroid}",
        ))
    elif kind == "bupi_steroid":
        text = rng.choice((f"{steroid} in {v} {ml} of {bupi}", f"{bupi} {v} {ml} with {steroid}"))
    elif kind == "mix":
        text = rng.choice((
            f"a 1:1 mixture of {lido} and {bupi}, {rng.choice(('6', '8', '10'))} {ml} total",
            f"{v} {ml} of {lido} and {_vol(rng)} {ml} of {bupi}",
            f"{lido} {v} {ml}, {bupi} {_vol(rng)} {ml} and {steroid}",
        ))
    elif kind == "per_site":
        per = rng.choice(("0.5", "1", "1", "2"))
        where = f"at each of {n_sites} sites" if n_sites > 1 else "at one site"
        text = f"{per} {ml} of {rng.choice((lido, bupi))} {where}"
    elif kind == "ropi":
        text = f"{v} {ml} of 0.2% ropivacaine"
    elif kind == "odd":
        text = rng.choice((
            f"ketorolac 30 mg in {v} {ml} of {lido}", f"{v} {ml} preservative-free normal saline",
            f"Sarapin 2 {ml} with {v} {ml} {lido}", "Botox 100 units diluted in 4 mL saline",
        ))
    else:
        text = rng.choice((f"{lido}", f"{lido} and {steroid.split()[0]}", "local anesthetic"))
    if "Kenalog" in text or "Depo" in text or "dexameth" in text or "triamcin" in text:
        r = rng.random()
        if r < 0.12:
            text += " from a single-dose vial, no waste"
        elif r < 0.18:
            text += ", single-dose vial; 20 mg wasted and documented"
    return text


# ----------------------------------------------------------------------------------------------------------
# Prose padding


def _cap(text: str) -> str:
    """Capitalize the first letter only, leaving ICD codes and abbreviations alone."""
    return text[:1].upper() + text[1:]


def _pronouns(rng: random.Random) -> tuple[str, str, str]:
    """Subject, possessive and object pronouns for a patient of random sex."""
    return ("She", "her", "her") if rng.random() < 0.58 else ("He", "his", "him")


def _date_before(dos: date, rng: random.Random, lo: int, hi: int) -> str:
    """An earlier date written in one of the usual formats."""
    d = dos - timedelta(days=rng.randint(lo, hi))
    return rng.choice((d.isoformat(), f"{d.month}/{d.day}/{d.year}", f"{d.month}/{d.day}/{d.year % 100:02d}"))


class Padder:
    """Produces endless varied clinical sentences for the HPI, history, exam and plan sections."""

    def __init__(
        self, rng: random.Random, region: str, others: list[Muscle], dos: date, style: str,
        pronouns: tuple[str, str, str],
    ) -> None:
        self.rng = rng
        self.region = region
        self.others = others
        self.dos = dos
        self.style = style
        self.he, self.his, self.him = pronouns
        self.used: dict[str, set[int]] = {}
        self.upper = region in ("head", "neck", "upper_back", "arm")

    def _other(self) -> str:
        """Name a muscle that is NOT injected today, with a side, as exam/plan distractors do."""
        m = self.rng.choice(self.others) if self.others else self.rng.choice(MUSCLES)
        side = self.rng.choice(("left", "right", "bilateral", "")) if m.paired else ""
        return _target_phrase(Target(m, side), self.style, self.rng)

    def sentence(self, kind: str) -> str:
        """One sentence for a section kind ("hpi", "history", "exam", "plan"); templates repeat only when spent."""
        opts = self._options(kind)
        used = self.used.setdefault(kind, set())
        fresh = [i for i in range(len(opts)) if i not in used]
        if not fresh:
            used.clear()
            fresh = list(range(len(opts)))
        i = self.rng.choice(fresh)
        used.add(i)
        s = opts[i]()
        if self.style == "abbreviated":
            s = _abbreviate(s, self.rng)
        elif self.style == "misspelled":
            s = _misspell(s, self.rng)
        return s

    def _options(self, kind: str) -> list[Callable[[], str]]:
        """Sentence templates for one section kind, with region-appropriate exam findings."""
        r = self.rng
        he, his = self.he, self.his
        n = r.randint
        if kind == "hpi":
            opts: list[Callable[[], str]] = [
                lambda: f"{he} reports the pain began about {n(2, 18)} {r.choice(('weeks', 'months'))} ago "
                f"after {r.choice(TRIGGERS)}.",
                lambda: f"The pain is described as {r.choice(QUALITIES)} and radiates toward the "
                f"{r.choice(REGION_RADIATION[self.region])}.",
                lambda: f"Symptoms are worse with {r.choice(AGGRAVATING)} and improve somewhat with "
                f"{r.choice(RELIEVING)}.",
                lambda: f"{he} rates the average pain {n(4, 8)}/10 over the past week, at worst {n(7, 10)}/10.",
                lambda: f"Sleep is interrupted {n(2, 7)} nights per week because of the pain.",
                lambda: f"{he} completed {n(4, 16)} sessions of physical therapy with only partial benefit.",
                lambda: f"{he} tried {r.choice(PAIN_MEDS)} for {n(2, 10)} weeks without lasting relief.",
                lambda: f"Denies numbness, tingling or weakness in the {r.choice(('arms', 'hands', 'legs', 'feet'))}.",
                lambda: "No bowel or bladder changes, fevers, chills, night sweats or unintentional weight loss.",
                lambda: f"{he} works as a {r.choice(JOBS)} and spends about {n(4, 10)} hours a day "
                f"{r.choice(ACTIVITIES)}.",
                lambda: f"Headaches occur {n(2, 6)} times a week, typically starting at the base of the skull "
                "in the afternoon." if self.upper else f"Sitting tolerance is about {n(15, 60)} minutes.",
                lambda: f"{he} was seen in urgent care {n(2, 8)} weeks ago and given a "
                f"{r.choice(('Medrol Dosepak', 'cyclobenzaprine prescription', 'course of naproxen'))}.",
                lambda: f"Home stretching, heat and ice have helped only briefly; {he.lower()} has been doing "
                f"the home exercise program {n(3, 7)} days a week.",
                lambda: f"The pain interferes with {r.choice(('driving', 'lifting', 'childcare', 'work', 'sleep'))} "
                f"and {his} ability to {r.choice(('exercise', 'garden', 'lift groceries', 'sit through meetings'))}.",
                lambda: f"{he} previously had trigger point injections of the {self._other()} on "
                f"{_date_before(self.dos, r, 90, 400)} with about {n(40, 80)}% relief lasting {n(3, 12)} weeks.",
                lambda: f"Imaging from {_date_before(self.dos, r, 30, 700)} showed "
                f"{r.choice(IMAGING)}.",
                lambda: f"{he} denies any new trauma, falls or changes in activity since the last visit.",
            ]
        elif kind == "history":
            opts = [
                lambda: f"Past medical history is notable for {_join_list(r.sample(CONDITIONS, n(1, 3)), r)}.",
                lambda: f"Current medications include {_join_list(r.sample(MEDS, n(2, 4)), r)}.",
                lambda: f"Allergies: {r.choice(ALLERGIES)}.",
                lambda: f"{he} {r.choice(SMOKING)} and {r.choice(ALCOHOL)}.",
                lambda: f"Surgical history includes {r.choice(SURGERIES)} in {n(1995, 2023)}.",
                lambda: "Family history is noncontributory to the present complaint.",
                lambda: f"{he} lives with {r.choice(('a spouse', 'two children', 'a partner', 'family', 'a roommate'))} "
                f"and is independent in activities of daily living.",
                lambda: f"Review of systems is otherwise negative except as noted in the HPI; {n(10, 14)} systems reviewed.",
                lambda: f"Not on anticoagulants; last dose of aspirin {n(5, 14)} days ago." if r.random() < 0.5
                else "No anticoagulant or antiplatelet use.",
            ]
        elif kind == "exam":
            opts = [
                lambda: f"Vital signs: BP {n(108, 148)}/{n(64, 92)}, HR {n(58, 96)}, T 98.{n(0, 9)} F, "
                f"BMI {n(19, 38)}.{n(0, 9)}.",
                *self._regional_exam(),
                lambda: f"Mild tenderness is also present over the {self._other()}, without a discrete trigger point.",
                lambda: f"The {self._other()} is tight but nontender and was not a source of referred pain.",

                lambda: "Strength is 5/5 throughout the upper and lower extremities.",
                lambda: "Deep tendon reflexes are 2+ and symmetric; sensation is intact to light touch.",
                lambda: f"Gait is {r.choice(('normal', 'mildly antalgic', 'steady without assistive device'))}.",

                lambda: "No skin lesions, erythema or signs of infection at the planned injection sites.",

                lambda: f"Jump sign present with palpation; referred pain reproduces {his} usual pattern.",
                lambda: f"{he} is alert, oriented and in {r.choice(('mild', 'moderate', 'no acute'))} distress.",
            ]
        else:
            opts = [
                lambda: f"Continue the home exercise program focusing on {r.choice(STRETCHES)}.",
                lambda: f"Ergonomic changes were discussed, including {r.choice(ERGONOMICS)}.",
                lambda: f"Will consider trigger point injection of the {self._other()} at the next visit if "
                "symptoms persist.",
                lambda: f"Referral to physical therapy for {n(4, 8)} weeks of {r.choice(MODALITIES)}.",
                lambda: f"Return to clinic in {n(2, 8)} weeks, sooner if worse.",
                lambda: "Risks discussed included bleeding, infection, pneumothorax, nerve injury and "
                "post-injection soreness.",
                lambda: "Heat and gentle stretching for 48 hours after the injections; avoid strenuous lifting today.",
                lambda: f"Continue {r.choice(PAIN_MEDS)} as needed.",
                lambda: f"The {self._other()} was examined but not injected today because of "
                f"{r.choice(('time constraints', 'patient preference', 'overlying skin irritation'))}.",
                lambda: f"{he} declined injection of the {self._other()} today.",
                lambda: f"Sleep hygiene and stress management were reviewed; {he.lower()} will try "
                f"{r.choice(('a cervical pillow', 'magnesium', 'mindfulness practice', 'a consistent bedtime'))}.",
                lambda: f"Discussed weight loss and aerobic conditioning, {n(20, 40)} minutes {n(3, 5)} days a week.",
                lambda: f"If the response is less than 50 percent, will obtain {r.choice(('MRI', 'EMG', 'x-rays'))}.",
                lambda: f"Questions answered; {he.lower()} verbalized understanding of the plan.",
            ]
        return opts

    def _regional_exam(self) -> list[Callable[[], str]]:
        """Exam manoeuvres that fit the painful region (neck tests for the neck, hip tests for the hip)."""
        r, n = self.rng, self.rng.randint
        if self.upper:
            return [
                lambda: f"Cervical range of motion is reduced in {r.choice(DIRECTIONS)} by about {n(10, 40)} percent.",
                lambda: f"Spurling's test is {r.choice(('negative bilaterally', 'negative', 'equivocal on the left'))}.",
                lambda: "Shoulder range of motion is full with a painful arc between 90 and 120 degrees.",
                lambda: "Forward head posture with rounded shoulders and scapular protraction.",
            ]
        return [
            lambda: f"Lumbar flexion is limited to {n(40, 80)} degrees with pain at end range.",
            lambda: f"Straight leg raise is negative at {n(60, 90)} degrees bilaterally.",
            lambda: f"FABER test is {r.choice(('negative', 'positive for buttock pain', 'negative bilaterally'))}.",
            lambda: "Mild pelvic obliquity with the iliac crest higher on the painful side.",
        ]


TRIGGERS = ("a motor vehicle collision", "lifting boxes during a move", "starting a new desk job",
            "a fall on ice", "gardening over a weekend", "no clear inciting event", "a long flight",
            "increased hours at a computer", "carrying a toddler", "a new weightlifting routine")
QUALITIES = ("aching and tight", "a deep knot-like pressure", "burning", "throbbing", "dull and constant",
             "sharp with certain movements", "a band-like tightness")
AGGRAVATING = ("prolonged sitting", "looking down at the phone", "reaching overhead", "driving",
               "standing for more than an hour", "bending and lifting", "typing", "stress")
RELIEVING = ("heat", "massage", "rest", "stretching", "a hot shower", "ibuprofen", "changing position")
PAIN_MEDS = ("ibuprofen 600 mg", "naproxen 500 mg twice daily", "cyclobenzaprine 10 mg at bedtime",
             "tizanidine 2 mg", "acetaminophen 1000 mg", "gabapentin 300 mg", "duloxetine 30 mg",
             "meloxicam 15 mg", "methocarbamol 750 mg", "topical diclofenac gel")
MEDS = (*PAIN_MEDS, "lisinopril 10 mg", "atorvastatin 20 mg", "levothyroxine 50 mcg", "metformin 500 mg",
        "sertraline 50 mg", "omeprazole 20 mg", "amlodipine 5 mg")
JOBS = ("bookkeeper", "software developer", "nurse", "truck driver", "teacher", "warehouse associate",
        "hair stylist", "dental hygienist", "call center agent", "retired machinist", "cashier")
ACTIVITIES = ("at a computer", "driving", "standing at a register", "lifting and carrying", "on the phone")
IMAGING = ("mild multilevel degenerative disc disease without stenosis", "no acute osseous abnormality",
           "straightening of the cervical lordosis", "mild facet arthropathy at L4-5 and L5-S1",
           "a small disc bulge at C5-6 without cord compression")
CONDITIONS = ("hypertension", "type 2 diabetes", "hypothyroidism", "anxiety", "depression", "GERD",
              "hyperlipidemia", "migraine", "asthma", "obesity", "obstructive sleep apnea", "osteoarthritis")
ALLERGIES = ("NKDA", "penicillin (rash)", "sulfa drugs", "codeine (nausea)", "no known drug allergies",
             "latex")
ALCOHOL = ("drinks alcohol rarely", "drinks socially", "does not drink alcohol", "drinks on weekends")
SMOKING = ("has never smoked", "is a former smoker", "smokes half a pack per day", "vapes occasionally")
SURGERIES = ("appendectomy", "cholecystectomy", "C-section", "right knee arthroscopy", "tonsillectomy",
             "carpal tunnel release", "hernia repair")
DIRECTIONS = ("rotation to the left", "rotation to the right", "lateral flexion", "extension", "flexion")
STRETCHES = ("chin tucks and upper trapezius stretches", "scapular retraction", "pectoral doorway stretches",
             "hip flexor and piriformis stretches", "core stabilization", "thoracic extension over a roll")
ERGONOMICS = ("raising the monitor to eye level", "a headset for phone calls", "a lumbar support",
              "micro-breaks every 30 minutes", "a standing desk", "adjusting the car seat")
MODALITIES = ("manual therapy and stretching", "postural retraining", "dry needling and exercise",
              "strengthening and core work", "myofascial release")


# ----------------------------------------------------------------------------------------------------------
# Procedure text


def _pain_scores(rng: random.Random) -> str:
    """Pre/post pain scores or a response statement, sometimes absent (a documentation gap)."""
    pre, post = rng.randint(5, 10), rng.randint(0, 4)
    return rng.choice((
        f"Pre-procedure pain {pre}/10, post-procedure {post}/10.",
        f"Pain {pre}/10 before and {post}/10 after the injections.",
        f"VAS {pre} -> {post}.",
        "The patient tolerated the procedure well with immediate relief.",
        f"Reports pain improved to {post}/10 within 10 minutes.",
        "",
    ))


def _guidance(rng: random.Random) -> str:
    """Ultrasound guidance in some notes, palpation or nothing in most."""
    return rng.choices((
        "Ultrasound guidance was used to visualize the muscle and adjacent neurovascular structures; images were saved.",
        "Under ultrasound guidance,",
        "Trigger points were localized by palpation.",
        "Landmark guided, without ultrasound.",
        "",
    ), weights=(8, 6, 30, 8, 48))[0]


def _em_statement(rng: random.Random) -> str:
    """An E/M statement in some notes: separate problem with modifier 25, or a bare level."""
    code = rng.choice(("99212", "99213", "99214", "99204", "99203"))
    return rng.choices((
        f"A separately identifiable E/M service ({code}) was performed for management of "
        f"{rng.choice(('hypertension', 'new knee pain', 'medication refills and insomnia', 'diabetes follow-up'))}; "
        "modifier 25 appended.",
        f"E/M: {code}-25 for evaluation of a separate complaint of {rng.choice(('headaches', 'hip pain', 'neuropathy'))}.",
        f"Level of service {code}.",
        "No separate E/M today.",
        "",
    ), weights=(12, 8, 6, 6, 68))[0]


def _sites(targets: list[Target]) -> int:
    """Number of injection sites implied by the muscle-sides (bilateral counts two)."""
    return sum(2 if t.side == "bilateral" else 1 for t in targets)


def _procedure_items(targets: list[Target], style: str, rng: random.Random, needling: str) -> list[str]:
    """The sentences/lines that document what was injected today, in the voice of the style."""
    n_sites = _sites(targets)
    regimen = _regimen(rng, style, n_sites)
    guidance = _guidance(rng)
    gauge = rng.choice(("25-gauge 1.5-inch", "27-gauge 1.25-inch", "25 g 1.5 in", "22-gauge 3.5-inch spinal"))
    muscles = _targets_prose(targets, style, rng)
    verb = "needled" if needling == "dry" else "injected"
    items: list[str] = []
    if needling == "dry":
        items.append(rng.choice((
            f"Dry needling was performed to the {muscles} using 0.30 x 40 mm filiform needles; no injectate was used.",
            f"Trigger points in the {muscles} were needled without injectate until local twitch responses resolved.",
            f"IMS/dry needling: {muscles}.",
        )))
    elif style in ("template", "bullets"):
        items.append(f"Trigger point injection, {n_sites} site(s)")
    else:
        pre = rng.choice((
            "After informed consent was obtained and a time-out performed, the skin was prepped with chlorhexidine.",
            "Verbal and written consent obtained. Skin prepped with alcohol in sterile fashion.",
            "Risks and benefits reviewed and consent signed; sites cleaned with ChloraPrep.",
        ))
        items.append(pre)
        lead = guidance if guidance == "Under ultrasound guidance," else ""
        body = rng.choice((
            f"Using a {gauge} needle, trigger points were {verb} in the {muscles} with {regimen}.",
            f"Trigger point injections were performed into the {muscles} using {regimen}.",
            f"The {muscles} {'were' if any(c in muscles for c in (' and ', ',', '&', 'bilat', 'both')) else 'was'} {verb} with "
            f"{regimen} after negative aspiration.",
            f"Taut bands in the {muscles} were identified and {verb}; {regimen} was used.",
        ))
        items.append(f"{lead} {body[0].lower()}{body[1:]}" if lead else body)
        if guidance and lead == "":
            items.append(guidance)
    if needling == "mixed":
        extra = rng.choice([m for m in MUSCLES if m not in {t.muscle for t in targets}])
        items.append(f"In addition, the {_target_phrase(Target(extra, rng.choice(('left', 'right'))), style, rng)} "
                     "was dry needled without injectate.")
    scores = _pain_scores(rng)
    if scores:
        items.append(scores)
    items.append(rng.choice(("No complications.", "EBL minimal. No complications.", "Band-Aids applied.",
                             "Hemostasis achieved; bandages applied.", "No paresthesias or adverse events.")))
    return items


def _structured_procedure(targets: list[Target], style: str, rng: random.Random) -> list[str]:
    """Template/bullet lines: one muscle per line with volume, then medication and guidance fields."""
    n_sites = _sites(targets)
    lines = []
    ml = rng.choice(("mL", "cc"))
    for t in targets:
        phrase = _target_phrase(t, style, rng)
        extra = rng.choice(("", f" - {rng.choice(('1', '2', '0.5'))} {ml}", f" x{rng.randint(1, 3)} TPs",
                            f", {rng.randint(1, 3)} site(s)"))
        lines.append(f"{phrase}{extra}")
    meds = _regimen(rng, style, n_sites)
    guidance = _guidance(rng) or "Palpation"
    return [*lines, f"Medication: {meds}", f"Guidance: {guidance}"]


# ----------------------------------------------------------------------------------------------------------
# Non-TPI injection notes


def _other_injection(rng: random.Random, style: str) -> tuple[str, list[str], str, list[Muscle]]:
    """A note for an injection that is not a TPI (epidural, joint, bursa, IM, nerve block) or a declined TPI."""
    kind = rng.choice(("esi_l", "esi_c", "knee", "gtb", "subacromial", "im_toradol", "gon", "si", "declined"))
    lido = rng.choice(("1% lidocaine", "lidocaine 1%"))
    if kind == "esi_l":
        level = rng.choice(("L4-5", "L5-S1", "L3-4"))
        return ("Lumbar interlaminar epidural steroid injection", [
            f"Under fluoroscopic guidance, a 20-gauge Tuohy needle was advanced at {level} using loss of resistance.",
            f"After confirming epidural spread with Omnipaque, 80 mg Depo-Medrol and 2 mL of {lido} were injected.",
            "Paraspinal muscle spasm noted but no trigger point injections were performed today.",
        ], "low_back", [m for m in MUSCLES if m.region in ("low_back", "hip")])
    if kind == "esi_c":
        return ("Cervical interlaminar epidural steroid injection at C7-T1", [
            "Using fluoroscopy, an 18-gauge Tuohy needle entered the epidural space at C7-T1.",
            "Dexamethasone 10 mg in 2 mL preservative-free saline was injected without paresthesia.",
            "Upper trapezius tenderness was noted on exam; trigger point injections deferred.",
        ], "neck", [m for m in MUSCLES if m.region in ("neck", "upper_back")])
    if kind == "knee":
        side = rng.choice(("right", "left"))
        return (f"{side.capitalize()} knee intra-articular injection", [
            f"The {side} knee was prepped and a 22-gauge needle was introduced via the superolateral approach.",
            f"Kenalog 40 mg with 4 mL of {lido} was injected into the joint; quadriceps tone was normal.",
        ], "leg", [m for m in MUSCLES if m.region in ("leg", "hip")])
    if kind == "gtb":
        side = rng.choice(("right", "left"))
        return (f"{side.capitalize()} greater trochanteric bursa injection", [
            f"Point of maximal tenderness over the {side} greater trochanter was marked.",
            "Depo-Medrol 40 mg with 3 mL of 0.25% bupivacaine was injected into the bursa.",
            "Gluteus medius tendinopathy suspected; no trigger point injections today.",
        ], "hip", [m for m in MUSCLES if m.region == "hip"])
    if kind == "subacromial":
        side = rng.choice(("right", "left"))
        return (f"{side.capitalize()} subacromial bursa injection", [
            "Posterior approach, 25-gauge 1.5-inch needle, below the posterolateral acromion.",
            f"Kenalog-40 1 mL with 4 mL {lido} injected into the subacromial space; supraspinatus strength 4+/5.",
        ], "upper_back", [m for m in MUSCLES if m.region == "upper_back"])
    if kind == "im_toradol":
        side = rng.choice(("right", "left"))
        return ("Intramuscular ketorolac", [
            f"Toradol 60 mg IM was given in the {side} gluteus medius (ventrogluteal site) for acute pain.",
            "No trigger point injections were performed at this visit.",
        ], "hip", [m for m in MUSCLES if m.region in ("hip", "low_back")])
    if kind == "gon":
        return ("Bilateral greater occipital nerve blocks", [
            "The occipital arteries were palpated and the greater occipital nerves blocked bilaterally.",
            "3 mL of 0.5% bupivacaine with 20 mg triamcinolone was injected on each side.",
            "Semispinalis capitis and upper trapezius were tender; TPIs to be considered next visit.",
        ], "neck", [m for m in MUSCLES if m.region == "neck"])
    if kind == "si":
        side = rng.choice(("right", "left"))
        return (f"{side.capitalize()} sacroiliac joint injection", [
            f"Under fluoroscopy the {side} SI joint was entered with a 22-gauge spinal needle.",
            f"Contrast confirmed intra-articular spread; 40 mg Kenalog and 2 mL of {lido} injected.",
            "Piriformis tenderness noted; stretching program reviewed.",
        ], "hip", [m for m in MUSCLES if m.region in ("hip", "low_back")])
    targets, region = _pick_targets(rng, 3)
    return ("Trigger point injections discussed, not performed", [
        f"Trigger point injections of the {_targets_prose(targets, style, rng)} were offered.",
        rng.choice(("The patient declined injections today and prefers to continue PT.",
                    "Deferred today because the patient is on an antibiotic for cellulitis.",
                    "Plan TPI at the next visit once insurance authorization is obtained.")),
    ], region, [m for m in MUSCLES if m.region == region])


# ----------------------------------------------------------------------------------------------------------
# Note assembly


def _headers(style: str) -> dict[str, str]:
    """Section headers as the style writes them."""
    if style == "dictation" or style == "misspelled":
        return {"cc": "CHIEF COMPLAINT:", "hpi": "HISTORY OF PRESENT ILLNESS:", "history": "PAST HISTORY:",
                "exam": "PHYSICAL EXAMINATION:", "assessment": "ASSESSMENT:", "procedure": "PROCEDURE:",
                "plan": "PLAN:"}
    if style == "soap":
        return {"cc": "CC:", "hpi": "S:", "history": "PMH/Meds/Social:", "exam": "O:", "assessment": "A:",
                "procedure": "Procedure:", "plan": "P:"}
    if style == "abbreviated":
        return {"cc": "CC:", "hpi": "HPI:", "history": "PMH:", "exam": "PE:", "assessment": "A/P:",
                "procedure": "TPI:", "plan": "Plan:"}
    return {"cc": "Chief Complaint:", "hpi": "History of Present Illness:", "history": "Past History:",
            "exam": "Physical Exam:", "assessment": "Assessment:", "procedure": "Procedure Note:",
            "plan": "Plan:"}


def _build(rng: random.Random, dos: date, target_bytes: int, max_bytes: int) -> str:
    """Build one note, then pad its prose sections with clinical sentences up to the target size."""
    style = rng.choices(STYLES, weights=STYLE_WEIGHTS)[0]
    h = _headers(style)
    bulleted = style == "bullets"
    joiner, prefix = ("\n", "- ") if bulleted else (" ", "")

    def sec(key: str, items: list[str], paddable: str = "") -> Section:
        return Section(h[key], list(items), joiner, prefix, paddable)

    is_other = rng.random() < 0.10
    diagnosis = rng.choice(DIAGNOSES)
    if is_other:
        title, proc_items, region, others = _other_injection(rng, style)
        complaint = rng.choice(REGION_PAIN[region])
        assessment = [f"{_cap(complaint)}.", f"{title}."]
        targets: list[Target] = []
    else:
        targets, region = _pick_targets(rng)
        injected = {t.muscle for t in targets}
        others = [m for m in MUSCLES if m.region in REGION_NEIGHBOURS[region] and m not in injected]
        needling = rng.choices(("inject", "dry", "mixed"), weights=(92, 6, 2))[0]
        if style in ("template", "bullets") and needling == "inject":
            proc_items = _structured_procedure(targets, style, rng)
            title = "Trigger point injections"
        else:
            proc_items = _procedure_items(targets, style, rng, needling)
            title = "Trigger point injections" if needling != "dry" else "Dry needling"
        complaint = rng.choice(REGION_PAIN[region])
        assessment = [_cap(diagnosis) + rng.choice((".", f" with {complaint}."))]
        if rng.random() < 0.7:
            assessment.append(rng.choice((
                "Failed conservative care including PT, NSAIDs and home stretching.",
                f"Persistent despite {rng.randint(6, 12)} weeks of physical therapy and muscle relaxants.",
                "Active trigger points with referred pain reproducing the complaint.",
            )))
    em = _em_statement(rng)
    he, his, _him = _pronouns(rng)
    age = rng.randint(22, 84)
    padder = Padder(rng, region, others, dos, style, (he, his, _him))

    def styled(s: str) -> str:
        if style == "abbreviated":
            return _abbreviate(s, rng)
        if style == "misspelled":
            return _misspell(s, rng)
        return s

    opener = styled(rng.choice((
        f"{age}-year-old {'female' if he == 'She' else 'male'} presents for follow up of {complaint}.",
        f"The patient is a {age} y/o {'woman' if he == 'She' else 'man'} with {complaint} for "
        f"{rng.randint(3, 30)} months.",
        f"{he} returns today for {his} {complaint}, here for scheduled injections.",
    )))
    sections = [
        sec("cc", [_cap(complaint) + "."]),
        sec("hpi", [opener], "hpi"),
        sec("history", [padder.sentence("history")], "history"),
        sec("exam", [styled(_exam_core(targets, style, rng)) if targets else padder.sentence("exam")], "exam"),
        sec("assessment", [styled(a) for a in assessment]),
    ]
    proc_header = h["procedure"]
    if is_other:
        proc_items = [f"{title}.", *proc_items]
    if style in ("template", "bullets") and not is_other and proc_items[-1].startswith("Guidance"):
        proc = Section(f"{proc_header}\nMuscles injected:", [styled(p) for p in proc_items], "\n",
                       "  " if style == "template" else "- ")
    else:
        proc = sec("procedure", [styled(p) for p in proc_items])
        proc.header = proc_header
    sections.append(proc)
    plan_items = [padder.sentence("plan")]
    if em:
        plan_items.append(styled(em))
    sections.append(sec("plan", plan_items, "plan"))
    if style == "soap":
        sections = [s for s in sections if s.header != "CC:"]

    sep = "\n\n" if style != "abbreviated" else "\n"
    size = len(sep.join(s.render() for s in sections).encode())
    paddable = [s for s in sections if s.paddable]
    weights = [5 if s.paddable == "hpi" else 3 if s.paddable in ("exam", "plan") else 2 for s in paddable]
    misses = 0
    while size < target_bytes and misses < 25:
        s = rng.choices(paddable, weights=weights)[0]
        sentence = padder.sentence(s.paddable)
        d = s.delta(sentence)
        if size + d > max_bytes:
            misses += 1
            continue
        s.items.append(sentence)
        size += d
    return sep.join(s.render() for s in sections)


def _exam_core(targets: list[Target], style: str, rng: random.Random) -> str:
    """The exam finding that justifies the injection: palpable trigger points with a twitch response."""
    muscles = _targets_prose(targets, style, rng)
    return rng.choice((
        f"Palpable taut bands with twitch response and referred pain in the {muscles}.",
        f"Active trigger points are identified in the {muscles}, reproducing the usual pain.",
        f"Tenderness to palpation with discrete trigger points: {muscles}.",
    ))


def generate(n: int, seed: int = 0, min_bytes: int = 500, max_bytes: int = 4000) -> list[dict[str, str]]:
    """Generate `n` encounter dicts, reproducibly from `seed`, with notes sized in [min_bytes, max_bytes]."""
    out: list[dict[str, str]] = []
    start = date(2024, 1, 1)
    for i in range(n):
        rng = random.Random(f"tpicode-bench:{seed}:{i}")
        dos = start + timedelta(days=rng.randint(0, 729))
        payer = rng.choice(PAYERS)
        note = ""
        for _ in range(50):
            target = rng.randint(min_bytes, max_bytes)
            note = _build(rng, dos, target, max_bytes)
            if min_bytes <= len(note.encode()) <= max_bytes:
                break
        out.append({"id": f"b{seed}-{i:05d}", "note": note, "date_of_service": dos.isoformat(), "payer": payer})
    return out


def generate_sized(n: int, seed: int = 1, lo: int = 1000, hi: int = 2000) -> list[dict[str, str]]:
    """Generate notes in a narrow size band (default 1-2 KB), the size the throughput target is stated for."""
    return generate(n, seed=seed, min_bytes=lo, max_bytes=hi)


def _main(argv: list[str]) -> int:
    """Print three sample notes and size statistics, to eyeball the generator without the engine."""
    n = int(argv[1]) if len(argv) > 1 else 2000
    for label, encs in (("0.5-4 KB", generate(n, 0)), ("1-2 KB", generate_sized(n, 1))):
        sizes = sorted(len(e["note"].encode()) for e in encs)
        print(f"{label}: n={len(sizes)} min={sizes[0]} p50={sizes[len(sizes) // 2]} "
              f"mean={sum(sizes) / len(sizes):.0f} max={sizes[-1]}")
    for e in generate(3, 7):
        print("=" * 100)
        print(f"id={e['id']} date={e['date_of_service']} payer={e['payer']} bytes={len(e['note'].encode())}")
        print(e["note"])
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
