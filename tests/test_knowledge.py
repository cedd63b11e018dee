"""The knowledge files: they load, fit their schemas, agree with each other and with the contract."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import simple_icd_10_cm as icd
import yaml

import tpicode
from tpicode.checks import IMPLEMENTATIONS
from tpicode.knowledge import Knowledge, ResolvedPack, data_dir, load_knowledge
from tpicode.knowledge.schema import Code, DiagnosisTerm, Drug, Group, Muscle, Pack, Rule

DATA = data_dir()
REGIONS = {"cervicothoracic", "lumbopelvic", "chest_abdominal", "upper_limb", "lower_limb"}

# The contract's check catalogue (shared/contract.md), listed here on purpose rather than read from code.
CATALOGUE = [
    "MUSCLE_NOT_NAMED",
    "LATERALITY_MISSING",
    "COUNT_BELOW_20553",
    "COUNT_ABOVE_20552",
    "BOTH_CODES_SAME_DAY",
    "UNITS_NOT_ONE",
    "MODIFIER_50",
    "EM_WITHOUT_25",
    "EM_NOT_SEPARATE",
    "JCODE_MISSING",
    "DRUG_NOT_DOCUMENTED",
    "DRUG_DOSE_MISSING",
    "INJECTATE_NOT_COVERED",
    "FREQUENCY_LIMIT",
    "REPEAT_RELIEF_MISSING",
    "RESPONSE_MISSING",
    "NECESSITY_MISSING",
    "DX_NOT_COVERED",
    "GUIDANCE_NOT_COVERED",
    "DRY_NEEDLING_NOT_COVERED",
    "DRY_NEEDLING_SAME_MUSCLE",
    "MULTIPLE_REGIONS",
    "CODE_MISMATCH",
]

AMA_PHRASES = ["single or multiple trigger point(s)", "injection(s);"]


def _raw(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    assert isinstance(doc, dict), name
    return doc


def _raw_pack_rules() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted((DATA / "packs").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for rule in doc.get("rules") or []:
            out.append((path.name, rule))
    return out


@pytest.fixture(scope="module")
def k() -> Knowledge:
    return load_knowledge()


# ---------------------------------------------------------------------------------------------- loading


def test_load_knowledge_loads(k: Knowledge) -> None:
    assert isinstance(k, Knowledge)
    assert k.muscles and k.groups and k.drugs and k.codes and k.dx_terms
    assert set(k.packs) >= {"medicare", "cigna", "emblemhealth"}
    # core is a shared pack, not a payer
    assert "core" not in k.packs


def test_load_knowledge_is_cached() -> None:
    assert load_knowledge() is load_knowledge()


@pytest.mark.parametrize(
    ("fname", "key", "model", "ident"),
    [
        ("muscles.yaml", "muscles", Muscle, "id"),
        ("groups.yaml", "groups", Group, "id"),
        ("drugs.yaml", "drugs", Drug, "id"),
        ("codes.yaml", "codes", Code, "code"),
        ("diagnoses.yaml", "terms", DiagnosisTerm, "code"),
    ],
)
def test_every_entry_validates(fname: str, key: str, model: type[Any], ident: str) -> None:
    entries = _raw(fname)[key]
    assert entries, f"{fname} has no {key}"
    bad = []
    for raw in entries:
        try:
            model(**raw)
        except Exception as exc:  # any failure is reported with the entry that caused it
            bad.append(f"{raw.get(ident)}: {exc}")
    assert bad == []


def test_every_pack_validates() -> None:
    for path in sorted((DATA / "packs").glob("*.yaml")):
        pack = Pack(**yaml.safe_load(path.read_text(encoding="utf-8")))
        assert pack.payer == path.stem


def test_loaded_counts_match_files(k: Knowledge) -> None:
    assert len(k.muscles) == len(_raw("muscles.yaml")["muscles"])
    assert len(k.groups) == len(_raw("groups.yaml")["groups"])
    assert len(k.drugs) == len(_raw("drugs.yaml")["drugs"])
    assert len(k.codes) == len(_raw("codes.yaml")["codes"])
    assert len(k.dx_terms) == len(_raw("diagnoses.yaml")["terms"])


# ---------------------------------------------------------------------------------------------- muscles


def test_at_least_200_muscles(k: Knowledge) -> None:
    assert len(k.muscles) >= 200


def test_every_muscle_region_is_one_of_the_five(k: Knowledge) -> None:
    bad = {m.id: m.region for m in k.muscles.values() if m.region not in REGIONS}
    assert bad == {}
    # and every region is used
    assert {m.region for m in k.muscles.values()} == REGIONS


def test_contract_muscle_names_exist(k: Knowledge) -> None:
    names = {m.name for m in k.muscles.values()}
    for name in [
        "trapezius",
        "levator scapulae",
        "rhomboid major",
        "quadratus lumborum",
        "gluteus medius",
        "sternocleidomastoid",
        "anterior scalene",
        "tensor fasciae latae",
    ]:
        assert name in names, name


def test_muscle_names_lowercase_without_word_muscle(k: Knowledge) -> None:
    for m in k.muscles.values():
        assert m.name == m.name.lower(), m.id
        assert "muscle" not in m.name.split(), m.id


def test_ids_unique_in_files() -> None:
    for fname, key, ident in [
        ("muscles.yaml", "muscles", "id"),
        ("groups.yaml", "groups", "id"),
        ("drugs.yaml", "drugs", "id"),
        ("codes.yaml", "codes", "code"),
    ]:
        ids = [str(e[ident]) for e in _raw(fname)[key]]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        assert dupes == [], f"{fname}: duplicate {ident}s {dupes}"


def test_muscle_names_unique(k: Knowledge) -> None:
    names = [m.name for m in k.muscles.values()]
    assert len(names) == len(set(names))


def test_muscle_and_group_ids_disjoint(k: Knowledge) -> None:
    assert set(k.muscles) & set(k.groups) == set()


def test_rule_ids_unique_per_payer(k: Knowledge) -> None:
    for payer, pack in k.packs.items():
        ids = [r.id for r in pack.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        assert dupes == [], f"{payer}: {dupes}"


def _term_owners(k: Knowledge) -> dict[str, set[tuple[str, str]]]:
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for m in k.muscles.values():
        terms = {m.name, *m.synonyms, *m.abbreviations, *m.abbreviations_cased, *m.misspellings}
        for part_terms in m.parts.values():
            terms.update(part_terms)
        for t in terms:
            owners[" ".join(t.lower().split())].add(("muscle", m.id))
    for g in k.groups.values():
        for t in g.terms:
            owners[" ".join(t.lower().split())].add(("group", g.id))
    for d in k.drugs.values():
        for t in {d.name, *d.names, *d.names_cased}:
            owners[" ".join(t.lower().split())].add(("drug", d.id))
    return owners


def test_no_term_shared_between_entries(k: Knowledge) -> None:
    owners = _term_owners(k)
    shared = {t: sorted(o) for t, o in owners.items() if len(o) > 1}
    assert shared == {}


def test_term_owner_builder_sees_all_kinds(k: Knowledge) -> None:
    # guards the test above: the sets really contain muscle, group and drug terms
    owners = _term_owners(k)
    assert ("muscle", "trapezius") in owners["trapezius"]
    assert any(kind == "group" for kind, _ in owners["paraspinals"])
    assert ("drug", "lidocaine") in owners["xylocaine"]


def test_every_group_could_mean_exists(k: Knowledge) -> None:
    missing = {(g.id, mid) for g in k.groups.values() for mid in g.could_mean if mid not in k.muscles}
    assert missing == set()


def test_convention_groups_are_groups(k: Knowledge) -> None:
    group_terms = {t for g in k.groups.values() for t in g.terms}
    for word in [
        "paraspinals",
        "neck",
        "upper back",
        "rotator cuff",
        "hamstrings",
        "scalenes",
        "erector spinae",
    ]:
        assert word in group_terms, word


# ---------------------------------------------------------------------------------------------- drugs, codes, dx


def test_every_drug_hcpcs_is_in_codes(k: Knowledge) -> None:
    missing = {(d.id, v.code) for d in k.drugs.values() for v in d.hcpcs if v.code not in k.codes}
    assert missing == set()


def test_drug_hcpcs_codes_are_drug_codes(k: Knowledge) -> None:
    for d in k.drugs.values():
        for v in d.hcpcs:
            assert k.codes[v.code].kind == "drug", (d.id, v.code)


def test_contract_drug_table(k: Knowledge) -> None:
    day = dt.date(2025, 6, 2)
    by_name = {d.name: d for d in k.drugs.values()}
    expected = {
        "lidocaine": "J2003",
        "bupivacaine": "J0665",
        "ropivacaine": "J2795",
        "mepivacaine": "J0670",
        "triamcinolone acetonide": "J3301",
        "methylprednisolone acetate": "J1010",
        "dexamethasone sodium phosphate": "J1100",
        "betamethasone sodium phosphate and acetate": "J0702",
        "ketorolac tromethamine": "J1885",
        "onabotulinumtoxina": "J0585",
        "sarapin": "J3490",
        "traumeel": "J3490",
    }
    for name, code in expected.items():
        assert name in by_name, name
        assert by_name[name].hcpcs_on(day) == code, name
    assert by_name["methylprednisolone acetate"].hcpcs_on(dt.date(2024, 3, 31)) == "J1030"
    assert by_name["sodium chloride"].hcpcs_on(day) is None


def test_code_descriptions_are_not_ama_descriptors(k: Knowledge) -> None:
    bad = [c.code for c in k.codes.values() for p in AMA_PHRASES if p in c.description.lower()]
    assert bad == []


def test_ama_phrase_guard_detects_a_descriptor() -> None:
    # guards the test above: the phrases really match the AMA wording in any case
    text = "Injection(s); single or multiple trigger point(s), 1 or 2 muscle(s)".lower()
    assert all(p in text for p in AMA_PHRASES)


def test_tpi_code_ranges(k: Knowledge) -> None:
    assert (k.codes["20552"].muscles_min, k.codes["20552"].muscles_max) == (1, 2)
    assert (k.codes["20553"].muscles_min, k.codes["20553"].muscles_max) == (3, None)
    assert (k.codes["20560"].muscles_min, k.codes["20560"].muscles_max) == (1, 2)
    assert (k.codes["20561"].muscles_min, k.codes["20561"].muscles_max) == (3, None)


def test_dx_codes_are_billable_icd10cm(k: Knowledge) -> None:
    bad = [t.code for t in k.dx_terms if not (icd.is_valid_item(t.code) and icd.is_leaf(t.code))]
    assert bad == []


def test_dx_phrase_belongs_to_one_code(k: Knowledge) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for t in k.dx_terms:
        for term in t.terms:
            owners[term].add(t.code)
    assert {t: c for t, c in owners.items() if len(c) > 1} == {}


def test_convention_dx_terms(k: Knowledge) -> None:
    table = {term: t.code for t in k.dx_terms for term in t.terms}
    assert table["myofascial pain"] == "M79.18"
    assert table["myalgia"] == "M79.10"
    assert table["tension-type headache"] == "G44.209"
    assert table["fibromyalgia"] == "M79.7"


# ---------------------------------------------------------------------------------------------- packs


def test_every_pack_rule_is_complete() -> None:
    rules = _raw_pack_rules()
    assert len(rules) > 20
    for fname, rule in rules:
        where = f"{fname}: {rule.get('id')}"
        assert rule.get("id"), where
        assert rule.get("check"), where
        assert str(rule.get("source") or "").strip(), where
        assert isinstance(rule.get("effective_from"), dt.date), where
        assert rule.get("impl") in IMPLEMENTATIONS, where
        assert str(rule.get("message") or "").strip(), where


def test_every_resolved_rule_has_an_implementation(k: Knowledge) -> None:
    for payer, pack in k.packs.items():
        for rule in pack.rules:
            assert rule.impl in IMPLEMENTATIONS, (payer, rule.id)
            assert rule.source.strip(), (payer, rule.id)


def test_payer_packs_include_core(k: Knowledge) -> None:
    for payer, pack in k.packs.items():
        ids = {r.id for r in pack.rules}
        assert "CORE-CODE-MISMATCH" in ids, payer
        assert pack.bundled_drug_classes == frozenset({"local_anesthetic"}), payer


@pytest.mark.parametrize("check", CATALOGUE)
def test_medicare_raises_every_catalogue_check(k: Knowledge, check: str) -> None:
    assert check in {r.check for r in k.pack("medicare").rules}


def test_packs_rename_no_catalogue_check(k: Knowledge) -> None:
    # a pack may add ids but never misspell one of the catalogue's: every check id is either in the
    # catalogue or one of the known additions
    additions = {"CODING", "NO_TPI", "TRIGGER_POINT_EXAM_MISSING", "OTHER_BLOCK_SAME_SESSION"}
    for pack in k.packs.values():
        for rule in pack.rules:
            assert rule.check in set(CATALOGUE) | additions, (pack.payer, rule.id, rule.check)


def test_unknown_payer_raises_knowledge_error(k: Knowledge) -> None:
    with pytest.raises(tpicode.KnowledgeError, match="nosuchpayer"):
        k.pack("nosuchpayer")


# ---------------------------------------------------------------------------------------------- broken dirs


def _copy_data(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


def _edit(path: Path, fn: Any) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_copied_dir_loads(tmp_path: Path) -> None:
    # the corruption tests below are only meaningful if an uncorrupted copy loads
    k = load_knowledge(str(_copy_data(tmp_path)))
    assert len(k.muscles) == len(load_knowledge().muscles)


def test_broken_muscle_region(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)
    target = _raw("muscles.yaml")["muscles"][5]["id"]

    def corrupt(doc: dict[str, Any]) -> None:
        doc["muscles"][5]["region"] = "torso"

    _edit(d / "muscles.yaml", corrupt)
    with pytest.raises(tpicode.KnowledgeError) as ei:
        load_knowledge(str(d))
    assert "muscles.yaml" in str(ei.value)
    assert target in str(ei.value)


def test_broken_drug_missing_source(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)

    def corrupt(doc: dict[str, Any]) -> None:
        for drug in doc["drugs"]:
            if drug["id"] == "triamcinolone_acetonide":
                del drug["source"]

    _edit(d / "drugs.yaml", corrupt)
    with pytest.raises(tpicode.KnowledgeError) as ei:
        load_knowledge(str(d))
    assert "drugs.yaml" in str(ei.value)
    assert "triamcinolone_acetonide" in str(ei.value)


def test_broken_code_kind(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)

    def corrupt(doc: dict[str, Any]) -> None:
        for c in doc["codes"]:
            if c["code"] == "J3301":
                c["kind"] = "medicine"

    _edit(d / "codes.yaml", corrupt)
    with pytest.raises(tpicode.KnowledgeError) as ei:
        load_knowledge(str(d))
    assert "codes.yaml" in str(ei.value)
    assert "J3301" in str(ei.value)


def test_broken_group_could_mean(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)

    def corrupt(doc: dict[str, Any]) -> None:
        doc["groups"][0]["could_mean"] = ["no_such_muscle"]

    _edit(d / "groups.yaml", corrupt)
    with pytest.raises(tpicode.KnowledgeError) as ei:
        load_knowledge(str(d))
    msg = str(ei.value)
    assert "groups.yaml" in msg
    assert _raw("groups.yaml")["groups"][0]["id"] in msg
    assert "no_such_muscle" in msg


def test_broken_duplicate_muscle_id(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)

    def corrupt(doc: dict[str, Any]) -> None:
        doc["muscles"].append(dict(doc["muscles"][0]))

    _edit(d / "muscles.yaml", corrupt)
    with pytest.raises(tpicode.KnowledgeError) as ei:
        load_knowledge(str(d))
    assert "muscles.yaml" in str(ei.value)
    assert _raw("muscles.yaml")["muscles"][0]["id"] in str(ei.value)


def test_broken_pack_rule_unknown_impl(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)

    def corrupt(doc: dict[str, Any]) -> None:
        for rule in doc["rules"]:
            if rule["id"] == "MCR-GUIDANCE":
                rule["impl"] = "no_such_impl"

    _edit(d / "packs" / "medicare.yaml", corrupt)
    with pytest.raises(tpicode.KnowledgeError) as ei:
        load_knowledge(str(d))
    msg = str(ei.value)
    assert "medicare" in msg
    assert "MCR-GUIDANCE" in msg


def test_broken_pack_rule_without_source(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)

    def corrupt(doc: dict[str, Any]) -> None:
        for rule in doc["rules"]:
            if rule["id"] == "CIGNA-INTERVAL":
                del rule["source"]

    _edit(d / "packs" / "cigna.yaml", corrupt)
    with pytest.raises(tpicode.KnowledgeError) as ei:
        load_knowledge(str(d))
    msg = str(ei.value)
    assert "cigna.yaml" in msg
    assert "CIGNA-INTERVAL" in msg
    assert "source" in msg


def test_broken_yaml_syntax(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)
    (d / "drugs.yaml").write_text("drugs: [unclosed\n", encoding="utf-8")
    with pytest.raises(tpicode.KnowledgeError, match=r"drugs\.yaml"):
        load_knowledge(str(d))


# ---------------------------------------------------------------------------------------------- effective dates


def _rule(**kw: Any) -> Rule:
    base: dict[str, Any] = {
        "id": "TEST-RULE",
        "check": "NO_TPI",
        "impl": "no_tpi",
        "severity": "info",
        "effective_from": dt.date(2099, 1, 1),
        "message": "test rule fired",
        "source": "test",
    }
    base.update(kw)
    return Rule(**base)


def test_future_rule_not_in_force() -> None:
    rule = _rule()
    assert not rule.in_force(dt.date(2025, 6, 2))
    assert not rule.in_force(dt.date(2098, 12, 31))
    assert rule.in_force(dt.date(2099, 1, 1))


def test_rule_effective_to_is_inclusive() -> None:
    rule = _rule(effective_from=dt.date(2020, 1, 1), effective_to=dt.date(2024, 3, 31))
    assert rule.in_force(dt.date(2024, 3, 31))
    assert not rule.in_force(dt.date(2024, 4, 1))
    assert not rule.in_force(dt.date(2019, 12, 31))


def test_future_rule_is_not_run(k: Knowledge) -> None:
    base = k.pack("medicare")
    pack = ResolvedPack(
        payer="medicare",
        title=base.title,
        version=base.version,
        rules=(*base.rules, _rule()),
        bundled_drug_classes=base.bundled_drug_classes,
        bundling_source=base.bundling_source,
    )
    custom = dataclasses.replace(k, packs={**k.packs, "medicare": pack})
    note = "Follow-up visit for knee osteoarthritis. Continue home exercise."
    before = tpicode.code({"note": note, "date_of_service": "2025-06-02"}, knowledge=custom)
    after = tpicode.code({"note": note, "date_of_service": "2099-01-01"}, knowledge=custom)
    assert "TEST-RULE" not in {f.rule for f in before.findings}
    assert "TEST-RULE" in {f.rule for f in after.findings}


def test_medicare_lcd_rules_start_2024_04_01() -> None:
    note = (
        "Procedure: trigger point injections under ultrasound guidance. Indication: myofascial pain "
        "syndrome (M79.18); failed 8 weeks of PT and NSAIDs. Taut bands with twitch response. The left "
        "trapezius was injected with 2 mL of 1% lidocaine. Pre-procedure pain 7/10, post 2/10."
    )
    old = tpicode.code({"note": note, "date_of_service": "2024-03-31"})
    new = tpicode.code({"note": note, "date_of_service": "2024-04-01"})
    assert "MCR-GUIDANCE" not in {f.rule for f in old.findings}
    assert "MCR-GUIDANCE" in {f.rule for f in new.findings}


# ---------------------------------------------------------------------------------------------- related diagnoses

_EM_NOTE = """Office visit 99213 today.
Assessment: 1. Myofascial pain syndrome M79.18. 2. Essential hypertension I10, blood pressure 150/95; ordered a basic metabolic panel.
Procedure: trigger point injections. Palpable taut bands with twitch response in the left upper trapezius, right levator scapulae and left rhomboid major.
Each was injected with 2 mL of 1% lidocaine (6 mL total). Patient tolerated the procedure well with 70% relief immediately after.
Indication: myofascial pain refractory to 8 weeks of physical therapy and NSAIDs."""


def _em_modifiers(k: Any) -> list[list[str]]:
    res = tpicode.code({"note": _EM_NOTE, "date_of_service": "2025-03-10", "payer": "medicare"}, knowledge=k)
    return [list(line.modifiers) for line in res.lines if line.code == "99213"]


def test_related_prefixes_decide_separate_problem(tmp_path: Path) -> None:
    # a managed I10 is a different problem (E/M gets 25); listed as TPI-related, it no longer is
    assert _em_modifiers(load_knowledge()) == [["25"]]
    d = _copy_data(tmp_path)
    _edit(d / "diagnoses.yaml", lambda doc: doc["tpi_related_prefixes"].append("I10"))
    assert _em_modifiers(load_knowledge(str(d))) == []


def test_broken_related_prefixes(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)
    _edit(d / "diagnoses.yaml", lambda doc: doc.pop("tpi_related_prefixes"))
    with pytest.raises(tpicode.KnowledgeError, match=r"diagnoses\.yaml: tpi_related_prefixes"):
        load_knowledge(str(d))
