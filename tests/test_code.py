"""The coding stage: which procedure code, which muscles, which drug lines and units, which modifiers.

Driven through tpicode.code with short synthetic notes (docs/coding-conventions.md is the spec)."""

from __future__ import annotations

from typing import Any

import pytest

import tpicode
from note_parts import DOS, DRY_INTRO, INTRO, OUTRO
from tpicode.model import Result

TPI_CODES = {"20552", "20553", "20560", "20561"}


def run(body: str, intro: str = INTRO, **kw: Any) -> Result:
    enc: dict[str, Any] = {"note": intro + body + OUTRO, "date_of_service": DOS, **kw}
    return tpicode.code(enc)


def lines(r: Result) -> list[tuple[str, int, list[str]]]:
    return [(ln.code, ln.units, ln.modifiers) for ln in r.lines]


def drug_lines(r: Result) -> list[tuple[str, int, list[str]]]:
    return [(ln.code, ln.units, ln.modifiers) for ln in r.lines if ln.code.startswith("J")]


def med(r: Result, name: str) -> Any:
    found = [m for m in r.medications if m.drug == name]
    assert len(found) == 1, [m.drug for m in r.medications]
    return found[0]


def muscles(r: Result) -> set[tuple[str, str, str]]:
    return {(m.muscle, m.laterality, m.procedure) for m in r.muscles}


def procedure(r: Result) -> tuple[str | None, int]:
    assert r.procedure is not None
    return r.procedure.code, r.procedure.muscle_count


# ============================================================================ drug units


def test_kenalog_40_mg_is_four_units() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine and Kenalog 40 mg.")
    m = med(r, "triamcinolone acetonide")
    assert (m.dose_mg, m.hcpcs, m.units) == (40, "J3301", 4)
    assert drug_lines(r) == [("J3301", 4, [])]


def test_kenalog_25_mg_rounds_up_to_three_units() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine and Kenalog 25 mg.")
    assert drug_lines(r) == [("J3301", 3, [])]


def test_kenalog_5_mg_is_one_unit() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine and Kenalog 5 mg.")
    assert drug_lines(r) == [("J3301", 1, [])]


def test_kenalog_40_brand_concentration_by_volume() -> None:
    # "Kenalog-40" is 40 mg/mL: 1 mL is a 40 mg dose
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine and 1 mL of Kenalog-40.")
    m = med(r, "triamcinolone acetonide")
    assert m.dose_mg == 40
    assert drug_lines(r) == [("J3301", 4, [])]


def test_depo_medrol_after_j1010() -> None:
    r = run(
        "The left trapezius was injected with 2 mL of 1% lidocaine and Depo-Medrol 80 mg.",
        date_of_service="2025-01-10",
    )
    assert drug_lines(r) == [("J1010", 80, [])]


def test_depo_medrol_before_j1010_is_j1030_per_40_mg() -> None:
    r = run(
        "The left trapezius was injected with 2 mL of 1% lidocaine and Depo-Medrol 60 mg.",
        date_of_service="2023-06-01",
    )
    assert drug_lines(r) == [("J1030", 2, [])]


@pytest.mark.parametrize(("day", "code", "units"), [("2024-03-31", "J1030", 2), ("2024-04-01", "J1010", 80)])
def test_depo_medrol_code_switch_day(day: str, code: str, units: int) -> None:
    r = run(
        "The left trapezius was injected with 2 mL of 1% lidocaine and Depo-Medrol 80 mg.",
        date_of_service=day,
    )
    assert drug_lines(r) == [(code, units, [])]


def test_dexamethasone_units() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine and dexamethasone 4 mg.")
    assert drug_lines(r) == [("J1100", 4, [])]


def test_ketorolac_gets_a_line_although_not_covered() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine and ketorolac 30 mg.")
    assert drug_lines(r) == [("J1885", 2, [])]


def test_botox_units() -> None:
    r = run("The left trapezius was injected with Botox 50 units.")
    m = med(r, "onabotulinumtoxina")
    assert (m.hcpcs, m.units) == ("J0585", 50)
    assert [(c, u) for c, u, _ in drug_lines(r)] == [("J0585", 50)]


# ============================================================================ local anesthetics: listed, never billed


@pytest.mark.parametrize("payer", ["medicare", "cigna", "emblemhealth"])
def test_lidocaine_gets_no_line(payer: str) -> None:
    r = run("The left trapezius was injected with 3 mL of 1% lidocaine.", payer=payer)
    m = med(r, "lidocaine")
    # listed with its HCPCS and units, but no claim line
    assert (m.dose_mg, m.hcpcs, m.units) == (30, "J2003", 30)
    assert drug_lines(r) == []
    assert lines(r) == [("20552", 1, [])]


def test_bupivacaine_units_and_no_line() -> None:
    r = run("The left trapezius was injected with 4 mL of 0.5% bupivacaine.")
    m = med(r, "bupivacaine")
    assert (m.dose_mg, m.hcpcs, m.units) == (20, "J0665", 40)
    assert drug_lines(r) == []


def test_one_to_one_mixture_splits_the_volume() -> None:
    # conventions: "1:1 lidocaine/bupivacaine, 10 mL total" is 5 mL of each
    r = run(
        "The left trapezius and left levator scapulae were injected with 10 mL total of a 1:1 mixture of "
        "1% lidocaine and 0.5% bupivacaine."
    )
    lido, bupi = med(r, "lidocaine"), med(r, "bupivacaine")
    assert (lido.volume_ml, lido.dose_mg) == (5, 50)
    assert (bupi.volume_ml, bupi.dose_mg, bupi.units) == (5, 25, 50)
    assert "DRUG_DOSE_MISSING" not in {f.check for f in r.findings}


def test_volume_at_each_of_k_sites_multiplies() -> None:
    r = run(
        "The left trapezius, left levator scapulae and left rhomboid major were injected with 1 mL of 1% "
        "lidocaine at each of 3 sites."
    )
    m = med(r, "lidocaine")
    assert (m.volume_ml, m.dose_mg) == (3, 30)


def test_saline_gets_no_line() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine and 1 mL of normal saline.")
    assert med(r, "sodium chloride").hcpcs is None
    assert drug_lines(r) == []


# ============================================================================ counting muscles


def test_one_muscle_is_20552() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine.")
    assert procedure(r) == ("20552", 1)
    assert muscles(r) == {("trapezius", "left", "injection")}


def test_two_muscles_is_20552() -> None:
    r = run("The left trapezius and left levator scapulae were injected with 2 mL of 1% lidocaine.")
    assert procedure(r) == ("20552", 2)
    assert muscles(r) == {("trapezius", "left", "injection"), ("levator scapulae", "left", "injection")}


def test_three_muscles_is_20553() -> None:
    r = run(
        "The left trapezius, left levator scapulae and left rhomboid major were injected with 3 mL of 1% lidocaine."
    )
    assert procedure(r) == ("20553", 3)
    assert [ln for ln in lines(r) if ln[0] in TPI_CODES] == [("20553", 1, [])]


def test_bilateral_trapezius_and_left_levator_is_20553() -> None:
    r = run("The bilateral trapezius and left levator scapulae were injected with 3 mL of 1% lidocaine.")
    assert procedure(r) == ("20553", 3)
    assert muscles(r) == {
        ("trapezius", "left", "injection"),
        ("trapezius", "right", "injection"),
        ("levator scapulae", "left", "injection"),
    }


def test_side_distributes_over_a_list() -> None:
    r = run(
        "The left trapezius, levator scapulae and rhomboid major were injected with 3 mL of 1% lidocaine."
    )
    assert procedure(r) == ("20553", 3)
    assert {lat for _, lat, _ in muscles(r)} == {"left"}


def test_upper_and_middle_trapezius_left_is_one_muscle() -> None:
    r = run("The left upper trapezius and left middle trapezius were injected with 2 mL of 1% lidocaine.")
    assert procedure(r) == ("20552", 1)
    assert len(r.muscles) == 1
    m = r.muscles[0]
    assert (m.muscle, m.laterality) == ("trapezius", "left")
    assert m.part in {"upper", "middle"}


def test_loose_names() -> None:
    r = run("The L traps and R levator were injected with 2 cc of 1% lido.")
    assert muscles(r) == {("trapezius", "left", "injection"), ("levator scapulae", "right", "injection")}
    assert med(r, "lidocaine").dose_mg == 20


def test_negated_muscle_not_counted() -> None:
    r = run(
        "The left trapezius was injected with 2 mL of 1% lidocaine. The right trapezius was not injected."
    )
    assert procedure(r) == ("20552", 1)
    assert muscles(r) == {("trapezius", "left", "injection")}


def test_exam_and_planned_muscles_not_counted() -> None:
    r = run(
        "Tenderness of the left rhomboid major. The left trapezius was injected with 2 mL of 1% lidocaine. "
        "Will consider injecting the left infraspinatus next visit."
    )
    assert procedure(r) == ("20552", 1)
    assert muscles(r) == {("trapezius", "left", "injection")}


def test_region_only_has_no_procedure_code() -> None:
    r = run("Trigger point injections were given in the neck with 2 mL of 1% lidocaine and Kenalog 40 mg.")
    assert procedure(r) == (None, 0)
    assert r.muscles == []
    assert not [ln for ln in r.lines if ln.code in TPI_CODES]


def test_group_only_has_no_procedure_code() -> None:
    r = run("The lumbar paraspinals were injected with 2 mL of 1% lidocaine and Kenalog 40 mg.")
    assert procedure(r) == (None, 0)
    assert not [ln for ln in r.lines if ln.code in TPI_CODES]


def test_muscle_evidence_points_into_the_note() -> None:
    note = (
        INTRO
        + "The left trapezius and left levator scapulae were injected with 2 mL of 1% lidocaine."
        + OUTRO
    )
    r = tpicode.code({"note": note, "date_of_service": DOS})
    for m in r.muscles:
        assert m.evidence, m.muscle
        for ev in m.evidence:
            assert note[ev.start : ev.end] == ev.text
    trap = next(m for m in r.muscles if m.muscle == "trapezius")
    assert any("trapezius" in ev.text.lower() for ev in trap.evidence)


# ============================================================================ dry needling


def test_dry_needling_two_muscles_is_20560() -> None:
    r = run(
        "Dry needling of the left trapezius and left levator scapulae without injectate.", intro=DRY_INTRO
    )
    assert procedure(r) == ("20560", 2)
    assert {p for _, _, p in muscles(r)} == {"dry_needling"}
    assert [ln for ln in lines(r) if ln[0] in TPI_CODES] == [("20560", 1, [])]


def test_dry_needling_three_muscles_is_20561() -> None:
    r = run(
        "Dry needling of the left trapezius, left levator scapulae and left rhomboid major without injectate.",
        intro=DRY_INTRO,
    )
    assert procedure(r) == ("20561", 3)
    assert [ln for ln in lines(r) if ln[0] in TPI_CODES] == [("20561", 1, [])]
    assert drug_lines(r) == []


def test_dry_needling_before_2020_has_no_code() -> None:
    # 20560/20561 took effect on 2020-01-01
    r = run(
        "Dry needling of the left trapezius and left levator scapulae without injectate.",
        intro=DRY_INTRO,
        date_of_service="2019-06-03",
    )
    assert procedure(r)[0] is None
    assert not [ln for ln in r.lines if ln.code in TPI_CODES]


def test_injected_and_needled_muscles_propose_both_lines() -> None:
    r = run(
        "The left trapezius was injected with 2 mL of 1% lidocaine. The left levator scapulae and left "
        "rhomboid major were dry needled without injectate."
    )
    assert procedure(r) == ("20552", 1)
    assert muscles(r) == {
        ("trapezius", "left", "injection"),
        ("levator scapulae", "left", "dry_needling"),
        ("rhomboid major", "left", "dry_needling"),
    }
    assert {ln[0] for ln in lines(r)} & TPI_CODES == {"20552", "20560"}


# ============================================================================ guidance, E/M, JW/JZ


def test_ultrasound_guidance_line() -> None:
    r = run("Under ultrasound guidance, the left trapezius was injected with 2 mL of 1% lidocaine.")
    assert ("76942", 1, []) in lines(r)


def test_landmark_guidance_is_not_imaging() -> None:
    r = run("Using landmark guidance, the left trapezius was injected with 2 mL of 1% lidocaine.")
    assert not {"76942", "77002", "77021"} & {ln.code for ln in r.lines}


def test_no_guidance_line_without_a_procedure() -> None:
    r = tpicode.code(
        {
            "note": "Ultrasound-guided left knee aspiration was performed. No complications.",
            "date_of_service": DOS,
        }
    )
    assert "76942" not in {ln.code for ln in r.lines}


def test_em_with_separate_problem_gets_modifier_25() -> None:
    r = run(
        "The left trapezius was injected with 2 mL of 1% lidocaine. In addition, we also addressed her "
        "hypertension and refilled lisinopril. E/M 99213."
    )
    assert ("99213", 1, ["25"]) in lines(r)


def test_em_without_separate_problem_gets_no_line() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine. E/M 99213.")
    assert "99213" not in {ln.code for ln in r.lines}


def test_jz_when_single_dose_vial_none_wasted() -> None:
    r = run(
        "The left trapezius was injected with 2 mL of 1% lidocaine and Kenalog 40 mg from a single-dose vial, "
        "none wasted."
    )
    assert drug_lines(r) == [("J3301", 4, ["JZ"])]


def test_no_jz_when_vial_not_stated() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine and Kenalog 40 mg.")
    assert drug_lines(r) == [("J3301", 4, [])]


def test_no_jz_when_single_dose_vial_but_waste_not_stated() -> None:
    # conventions: JZ only when the note says single-dose vial *and* none wasted
    r = run(
        "The left trapezius was injected with 2 mL of 1% lidocaine and Kenalog 40 mg from a single-dose vial."
    )
    assert drug_lines(r) == [("J3301", 4, [])]


def test_jw_line_for_wasted_botox() -> None:
    r = run(
        "The left trapezius and left levator scapulae were injected with Botox 80 units from a single-dose "
        "vial, with 20 units wasted."
    )
    assert sorted(drug_lines(r)) == [("J0585", 20, ["JW"]), ("J0585", 80, [])]


def test_jw_line_for_waste_stated_in_the_next_sentence() -> None:
    r = run(
        "The left trapezius and left levator scapulae were injected with Botox 80 units from a single-dose "
        "100-unit vial. The remaining 20 units of Botox were wasted."
    )
    assert sorted(drug_lines(r)) == [("J0585", 20, ["JW"]), ("J0585", 80, [])]


# ============================================================================ diagnoses


def test_diagnosis_from_note_code() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine.")
    assert [(d.code, d.source) for d in r.diagnoses] == [("M79.18", "note")]


def test_input_diagnoses_win() -> None:
    r = run("The left trapezius was injected with 2 mL of 1% lidocaine.", diagnoses=["M7918"])
    assert [(d.code, d.source) for d in r.diagnoses] == [("M79.18", "input")]


def test_bad_input_diagnosis_is_an_input_error() -> None:
    with pytest.raises(tpicode.InputError, match="diagnos"):
        run("The left trapezius was injected with 2 mL of 1% lidocaine.", diagnoses=["not-a-code"])


# ============================================================================ reading rules added with blind batches 346-405


def code_of(note: str, **kw: Any) -> Result:
    return tpicode.code({"note": note, "date_of_service": DOS, **kw})


def test_palpation_guided_is_a_technique_not_an_exam() -> None:
    r = code_of("P: TPI today to the bilateral quadratus lumborum, 22 g needle, palpation guided, negative aspiration.")
    assert procedure(r) == ("20552", 2)
    r = code_of("Proc: consent, alcohol prep. TPI bilat QL + R glute med, 22g, palpation, neg asp.")
    assert procedure(r) == ("20553", 3)


def test_palpation_on_exam_is_still_an_exam() -> None:
    r = code_of("Exam: left trapezius tender to palpation.\nPlan: heat and stretching.")
    assert procedure(r) == (None, 0)


def test_the_rest_of_a_procedure_paragraph_under_an_exam_heading_is_today() -> None:
    r = code_of(
        "Exam: taut band in the right infraspinatus.\n\nAfter consent I injected the right infraspinatus at two "
        "points. A total of 1.5 cc of 2% lidocaine with 4 mg of dexamethasone was used."
    )
    assert procedure(r) == ("20552", 1)
    assert drug_lines(r) == [("J1100", 4, [])]


def test_an_exam_sentence_before_the_procedure_paragraph_keeps_its_drugs_out() -> None:
    r = code_of("Exam: taut band in the right infraspinatus. She takes lidocaine patches.\n\nI injected the right infraspinatus.")
    assert procedure(r) == ("20552", 1)
    assert r.medications == []


def test_present_tense_scenario_counts() -> None:
    r = code_of(
        "Coding scenario: the physician injects trigger points in the left trapezius, left rhomboid major and "
        "right levator scapulae with 1% lidocaine 3 mL and triamcinolone 40 mg."
    )
    assert procedure(r) == ("20553", 3)
    assert drug_lines(r) == [("J3301", 4, [])]


def test_a_header_with_example_in_it_is_not_an_exam() -> None:
    r = code_of("Payer FAQ example: trigger point injections of the left trapezius and left levator scapulae were performed.")
    assert procedure(r) == ("20552", 2)


@pytest.mark.parametrize("modal", ["may be injected", "could be injected", "might also be injected"])
def test_a_muscle_that_may_be_injected_later_is_not_counted(modal: str) -> None:
    r = code_of(
        "Procedure: the left quadratus lumborum and left gluteus medius were injected with 1% lidocaine 4 mL.\n"
        f"Plan: the left gluteus minimus and left TFL {modal} at a future visit."
    )
    assert procedure(r) == ("20552", 2)


def test_injections_deferred_today_are_not_done() -> None:
    r = code_of(
        "Exam: taut bands in the left upper trapezius and left levator scapulae.\n"
        "Plan: trigger point injections deferred today because of the INR of 3.6. Reschedule TPI of the left "
        "trapezius and left levator scapulae once the INR is 2-3."
    )
    assert procedure(r) == (None, 0)


def test_dates_after_a_tpi_history_label_in_prose_are_prior_sessions() -> None:
    r = code_of(
        "HPI: chronic headache. Trigger point injection history in this clinic: 10/15/2024, 01/21/2025 and "
        "05/06/2025, each with about 60% relief for 10 weeks.\n"
        "Procedure: the right and left splenius capitis were injected with 0.2% ropivacaine 4 mL.",
        date_of_service="2025-09-09",
    )
    assert [str(p.date) for p in r.prior_sessions] == ["2024-10-15", "2025-01-21", "2025-05-06"]
    assert "FREQUENCY_LIMIT" in {f.check for f in r.findings}


def test_a_word_known_only_from_another_misspelling_is_still_corrected() -> None:
    # "lumborem" is a listed misspelling inside "iliocostalis lumborem"; here it is quadratus lumborum
    r = code_of("Procedure: injected the right gluteous medius and the right quadratus lumborem with 1% lidocaine 4 mL.")
    assert muscles(r) == {("gluteus medius", "right", "injection"), ("quadratus lumborum", "right", "injection")}


def test_tpi_today_with_procedure_details_under_an_exam_heading() -> None:
    r = code_of(
        "Exam: taut bands in the bilateral sternocleidomastoid.\n"
        "TPI today, after consent and alcohol prep, 27 g needle, neg asp: bilateral sternocleidomastoid "
        "(1 site each) and L splenius capitis. Ropivacaine 0.5% 3 mL total."
    )
    assert procedure(r) == ("20553", 3)
    assert med(r, "ropivacaine").volume_ml == 3


def test_each_side_with_a_confirming_total_is_multiplied_per_drug() -> None:
    r = code_of(
        "Procedure: the right piriformis and then the left piriformis were injected. Each side received 2 mL of "
        "0.5% bupivacaine and 0.5 mL of Kenalog-40 (20 mg), for 4 mL of bupivacaine and 40 mg of triamcinolone "
        "in total."
    )
    assert (med(r, "bupivacaine").volume_ml, med(r, "triamcinolone acetonide").dose_mg) == (4, 40)
    assert drug_lines(r) == [("J3301", 4, [])]


def test_each_side_without_a_total_is_multiplied_by_the_sides() -> None:
    r = code_of("Procedure: the right and left piriformis were injected. Each side received 20 mg of Kenalog-40.")
    assert med(r, "triamcinolone acetonide").dose_mg == 40


def test_aspiration_before_each_injection_is_no_per_site_amount() -> None:
    r = code_of(
        "The right gastrocnemius and right soleus were injected. The injectate was 4 mL of 0.25% bupivacaine "
        "with dexamethasone 4 mg, with negative aspiration before each injection."
    )
    assert med(r, "dexamethasone sodium phosphate").dose_mg == 4


def test_the_each_of_phrase_next_to_an_amount_is_the_multiplier() -> None:
    r = code_of(
        "The physician injects each of the four trigger points in the left quadratus lumborum, 1.5 mL of 1% "
        "lidocaine at each of 4 sites."
    )
    assert med(r, "lidocaine").volume_ml == 6


def test_additional_sites_in_a_region_are_not_named() -> None:
    r = code_of(
        "Trigger point injections to the left upper trapezius, levator scapulae and rhomboid major, one site "
        "each, plus two additional sites in the left upper back. 1% lidocaine 5 mL."
    )
    assert procedure(r) == ("20553", 3)
    assert "MUSCLE_NOT_NAMED" in {f.check for f in r.findings}


def test_a_region_naming_the_area_of_named_muscles_is_not_a_finding() -> None:
    r = code_of("Trigger point injections to the left upper back: left upper trapezius and left levator scapulae.")
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings}


def test_needled_then_injected_muscle_is_an_injection_and_the_rest_dry_needling() -> None:
    r = code_of(
        "The physician first dry needles the right upper trapezius, the right levator scapulae and the right "
        "rhomboid major with a solid filament needle, then injects the right upper trapezius with 2 mL of 1% "
        "lidocaine."
    )
    assert procedure(r) == ("20552", 1)
    assert {ln.code for ln in r.lines} == {"20552", "20560"}


def test_a_present_tense_discard_is_waste() -> None:
    r = code_of(
        "The physician injects the left TFL and the left gluteus medius with methylprednisolone acetate from an "
        "80 mg/mL single-dose vial: 0.5 mL (40 mg) is administered and the remaining 0.5 mL (40 mg) is "
        "discarded as waste."
    )
    assert ("J1010", 40, ["JW"]) in lines(r)


def test_a_bracketed_three_character_code_and_a_present_tense_management_make_a_separate_em() -> None:
    r = code_of(
        "1. Essential hypertension (I10): the physician increases lisinopril to 20 mg daily.\n"
        "2. Myofascial pain syndrome (M79.18): the right upper trapezius and right infraspinatus are injected "
        "with 4 mL of 1% lidocaine.\nBilled as 99213-25 and 20552."
    )
    assert ("99213", 1, ["25"]) in lines(r)


# ============================================================================ reading rules added with blind batch 436-465


def test_medication_and_allergy_lists_keep_their_drugs() -> None:
    r = code_of(
        "MEDICATIONS:\n- lidocaine 5% patch to the left shoulder\n- methylprednisolone 4 mg dose pack, completed\n"
        "ALLERGIES:\n- Triamcinolone (Kenalog): flushing after a knee injection in 2021\n"
        "PROCEDURE: trigger point injections. The left upper trapezius and left levator scapulae were injected "
        "with 0.5% bupivacaine 4 mL "
        "and dexamethasone 4 mg."
    )
    assert procedure(r) == ("20552", 2)
    assert drug_lines(r) == [("J1100", 4, [])]
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_a_one_line_medication_field_is_still_the_injectate() -> None:
    r = code_of("Procedure: TPI, R gluteus medius x3, R piriformis x1.\n- Meds: Depo-Medrol 40 mg; 1% lidocaine 6 mL")
    assert drug_lines(r) == [("J1010", 40, [])]


@pytest.mark.parametrize("phrase", ["Avoid dexamethasone.", "Local anesthetic only (dexamethasone intolerance)."])
def test_an_avoided_drug_is_not_given(phrase: str) -> None:
    r = code_of(f"Plan: {phrase}\nProcedure: the right splenius capitis was injected with 1% lidocaine 3 mL.")
    assert drug_lines(r) == []


def test_neurologic_is_not_corrected_into_a_drug() -> None:
    r = code_of("Neurologic: intact. Procedure: the left trapezius was injected with 1% lidocaine 2 mL.")
    assert {m.drug for m in r.medications} == {"lidocaine"}


def test_dictated_corrections_replace_the_muscle_and_the_dose() -> None:
    r = code_of(
        "procedure colon I injected the right piriformis comma correction comma that was the left piriformis "
        "comma and the left gluteus medius period injectate was dexamethasone eight milligrams correction "
        "dexamethasone four milligrams period"
    )
    assert muscles(r) == {("piriformis", "left", "injection"), ("gluteus medius", "left", "injection")}
    assert drug_lines(r) == [("J1100", 4, [])]


def test_a_bulleted_list_with_procedure_details_under_an_exam_heading_is_the_procedure() -> None:
    r = code_of(
        "Exam: taut bands + referral L lats, L teres major, L infraspinatus\n- L lats x2\n- L teres major x1\n"
        "- L infraspinatus x2\n- 25g 1.5 in, neg asp each site\n- 1% lido 3 mL + Kenalog 40 mg"
    )
    assert procedure(r) == ("20553", 3)


def test_a_pipe_table_with_a_leading_bar_lists_todays_sites() -> None:
    r = code_of(
        "Exam: taut bands B/L upper traps, R levator.\n\n| Muscle | Side | TrPs |\n| Upper trap | B/L | 2 |\n"
        "| Levator | R | 1 |\n| Rhomboids | L | 0 |\n\n- Inj: 1% lido 5 mL + TAC 20 mg"
    )
    assert procedure(r) == ("20553", 3)


def test_a_follow_up_after_earlier_injections_is_no_procedure() -> None:
    r = code_of(
        "Seen about eight weeks after trigger point injections to the left upper trapezius and left levator "
        "scapulae on April eighth with 1% lidocaine. Exam today: small taut band in the left rhomboid major.\n"
        "Plan: no injections were performed today."
    )
    assert procedure(r) == (None, 0)
    r = code_of("s/p TPI 5/6/25: bilat QL + L glute med (1% lido 6 mL + TAC 40 mg)\nP: no TPI today. RTC 6 wk.")
    assert procedure(r) == (None, 0)


def test_drugs_of_another_procedure_done_the_same_day_get_no_tpi_line() -> None:
    r = code_of(
        "P / Procedures:\n1. R knee intra-articular injection: 22 g needle; Kenalog-40 1 mL (40 mg) + 1% lidocaine "
        "3 mL injected into the joint.\n2. Trigger point injections: R TFL x2 and R vastus lateralis x2, 25 g "
        "needle; 0.25% bupivacaine 6 mL total, no steroid."
    )
    assert procedure(r) == ("20552", 2)
    assert drug_lines(r) == []
    assert {m.drug for m in r.medications} >= {"bupivacaine"}


def test_a_needle_free_modality_names_no_site() -> None:
    r = code_of(
        "P / Treatment today:\n1. Dry needling, no injectate: L QL, R QL, R gluteus medius.\n"
        "2. Cupping to the glutes bilaterally, 8 min.\n3. IASTM to the lumbar paraspinals."
    )
    assert procedure(r) == ("20561", 3)
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings}


def test_myofascial_low_back_pain_is_myofascial_pain() -> None:
    r = code_of("Dx: myofascial low back pain. Procedure: the left quadratus lumborum was injected with 1% lidocaine 3 mL.")
    assert [d.code for d in r.diagnoses] == ["M79.18"]


# ---------------------------------------------------------------- blind cases 466-575: what they taught


def test_a_field_that_says_there_was_no_prior_tpi_is_not_a_repeat() -> None:
    base = "Dx: myofascial pain (M79.18). Failed PT 6 wk, NSAIDs.\n{}\nProcedure: L trapezius injected, 1% lidocaine 2 mL. Tolerated well."
    for line in ("Prior TPI: None", "Prior TPI: [x] No   [ ] Yes", "Prior TPI: [x] None   [ ] Yes - date/relief: ____"):
        checks = {f.check for f in code_of(base.format(line)).findings}
        assert "REPEAT_RELIEF_MISSING" not in checks, line
    checks = {f.check for f in code_of(base.format("Prior TPI: 03/04/2025, 30% relief x 2 wk")).findings}
    assert "REPEAT_RELIEF_MISSING" in checks


def test_received_today_is_not_an_earlier_session() -> None:
    r = code_of(
        "Myofascial pain (M79.18); PT and NSAIDs failed; she has never received trigger point injections. "
        "The patient received trigger point injections into the right gastrocnemius and the right soleus, "
        "1% lidocaine 4 mL. Tolerated well, pain 6/10 to 2/10."
    )
    assert procedure(r) == ("20552", 2)
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_a_side_field_above_a_table_sides_every_row() -> None:
    r = code_of(
        "Procedure: trigger point injections\nSide: Right\n| Muscle | # injections |\n| Gluteus maximus | 2 |\n"
        "| Gluteus medius | 2 |\n| Gluteus minimus | 0 |\n| Piriformis | 1 |\n\nMedication: 0.5% ropivacaine 8 mL"
    )
    assert muscles(r) == {(m, "right", "injection") for m in ("gluteus maximus", "gluteus medius", "piriformis")}


def test_an_aligned_column_table_is_read_row_by_row() -> None:
    note = (
        "Prior TPI: [x] No   [ ] Yes\n\n"
        "Muscle                     Laterality    # inj\n"
        "[x] Upper trapezius        Bilateral     2 each side\n"
        "[x] Sternocleidomastoid    Right         2\n"
        "[ ] Temporalis             Left          0\n\n"
        "Medication: Lidocaine 1%, 0.5 mL per site x 6 sites"
    )
    r = code_of(note)
    assert muscles(r) == {
        ("trapezius", "left", "injection"), ("trapezius", "right", "injection"), ("sternocleidomastoid", "right", "injection"),
    }
    assert med(r, "lidocaine").dose_mg == 30


def test_dose_written_as_mg_per_one_ml_is_one_ml() -> None:
    r = code_of("Injected bilateral upper trapezius with a mix of lido 1% 4ml and Kenalog 40mg/1mL.")
    assert drug_lines(r) == [("J3301", 4, [])]
    r = code_of("Injected the left trapezius with lido 1% 4ml and Kenalog 40mg/1mL, 0.5 mL.")
    assert drug_lines(r) == [("J3301", 2, [])]


def test_a_stated_total_beats_a_per_site_amount() -> None:
    r = code_of("TPI: rhomboid major x2, middle trapezius x1 - 2cc 1% lido each site (6cc total) + Kenalog 10 mg.")
    assert med(r, "lidocaine").dose_mg == 60
    r = code_of("R supraspinatus x1, R infraspinatus x2 injected. Lido 2 cc into each muscle, followed by 0.25% bupivacaine 4 mL total.")
    assert med(r, "bupivacaine").dose_mg == 10
    r = code_of(
        "Injection log:\n| Muscle | Side | Injectate |\n| Quadratus lumborum | Right | 1% lidocaine 2 mL + Kenalog-40 0.5 mL |\n"
        "| Gluteus medius | Right | 1% lidocaine 3 mL |\n\nTotals: 1% lidocaine 7 mL; Kenalog-40 0.5 mL."
    )
    assert med(r, "lidocaine").dose_mg == 70


def test_a_negated_tpi_does_not_make_a_botox_note_a_tpi() -> None:
    r = code_of(
        "Chemodenervation for chronic migraine (PREEMPT). Botox 155 units: corrugator, procerus, frontalis, temporalis, "
        "occipitalis, cervical paraspinals, trapezius.\nNo trigger point injections were performed."
    )
    assert procedure(r) == (None, 0)


def test_a_muscle_entered_in_error_is_not_counted() -> None:
    r = code_of(
        "PROCEDURE: Muscles injected: right upper trapezius, left levator scapulae, right rhomboid minor. "
        "1% lidocaine 4 mL.\n\nADDENDUM: \"Left levator scapulae\" was entered in error; the levator scapulae "
        "injected was the right levator scapulae."
    )
    assert ("levator scapulae", "left", "injection") not in muscles(r)
    assert ("levator scapulae", "right", "injection") in muscles(r)


def test_an_e_m_is_not_separate_when_the_other_problem_was_not_addressed() -> None:
    note = (
        "HPI: rheumatoid arthritis (M05.79), no medication changes. Myofascial pain (M79.18), PT failed.\n"
        "A/P: {}\nPROCEDURE: right upper trapezius and left upper trapezius injected, 0.25% bupivacaine 4 mL. "
        "Tolerated well.\nCHARGES: 99213-25, 20552."
    )
    r = code_of(note.format("Rheumatoid arthritis was not addressed today."))
    assert "EM_NOT_SEPARATE" in {f.check for f in r.findings}
    r = code_of(note.format("1. Hypertension (I10): increase amlodipine to 10 mg."))
    assert "EM_NOT_SEPARATE" not in {f.check for f in r.findings}
    assert any(ln.code == "99213" and ln.modifiers == ["25"] for ln in r.lines)


def test_a_template_medication_field_in_the_procedure_is_the_injectate() -> None:
    r = code_of(
        "Procedure: Trigger point injection\nSite(s): upper trapezius, levator scapulae\nSide: Left\n\n"
        "Medication: Lidocaine HCl 1% (10 mg/mL)\nVolume: 4 mL\n\n"
        "Medication: Triamcinolone acetonide (Kenalog-40)\nLot #: K1\nExp: 11/2025\nVolume: 0.5 mL (20 mg)\n"
        "Vial: multi-dose"
    )
    assert drug_lines(r) == [("J3301", 2, [])]


def test_vial_fields_and_an_entire_single_dose_vial() -> None:
    r = code_of(
        "TPI: R SCM x1, R upper trap x2, R lev scap x1.\nDexamethasone sodium phosphate 4 mg/mL, 1 mL single-dose "
        "vial - entire vial used, none wasted - mixed w/ 0.5% bupi 4 mL."
    )
    assert drug_lines(r) == [("J1100", 4, ["JZ"])]
    r = code_of(
        "Trigger point injections: left piriformis, left gluteus medius.\nMedication 2: Kenalog-40 (40 mg/mL)     "
        "Volume: 1 mL      Vial: multi-dose"
    )
    assert drug_lines(r) == [("J3301", 4, [])]


def test_a_prior_sessions_table_under_a_capitals_heading_is_history() -> None:
    r = code_of(
        "PRIOR TPI SESSIONS (this clinic)\n  Date          Muscles                          Relief\n"
        "  11/05/2024    L upper trapezius, L levator scapulae    70% x 10 wks\n"
        "  02/11/2025    L upper trapezius, L rhomboid major      60% x 8 wks\n\n"
        "TODAY'S PROCEDURE\nSide: Left\nSite(s): upper trapezius\nMedication: Lidocaine 1% 2 mL",
        date_of_service="2025-05-06",
    )
    assert muscles(r) == {("trapezius", "left", "injection")}


def test_a_tpi_line_after_the_exam_is_the_procedure() -> None:
    r = code_of(
        "Exam: recurrent taut bands L upper trap, L lev scap.\nTPI L upper trap x2, L lev scap x1. 25g, neg asp.\n"
        "1% lido 3 mL + Kenalog-40 0.5 mL (20 mg)."
    )
    assert procedure(r) == ("20552", 2)
    assert drug_lines(r) == [("J3301", 2, [])]


def test_a_muscle_head_is_not_the_head_region() -> None:
    r = code_of("| Muscle | Side | # of injections |\n| Gastrocnemius, medial head | L | 2 |\n| Soleus | L | 2 |\nBupivacaine 0.5% 4 mL injected.")
    assert muscles(r) == {("gastrocnemius", "left", "injection"), ("soleus", "left", "injection")}
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings}


# ---------------------------------------------------------------- blind cases 576-635: what they taught


def test_an_amount_after_a_bracketed_word_is_the_drugs_own() -> None:
    r = code_of(
        "Right upper trapezius and right levator scapulae injected. Medication: 1% lidocaine (preservative-free) 5 mL "
        "mixed with triamcinolone acetonide (Kenalog-40) 40 mg/mL, 1 mL (40 mg)."
    )
    assert med(r, "lidocaine").dose_mg == 50
    assert drug_lines(r) == [("J3301", 4, [])]


def test_latin_m_before_a_muscle_keeps_its_side() -> None:
    r = code_of("Injected: right m. trapezius x2, right m. levator scapulae x1. 1% lidocaine 3 mL.")
    assert muscles(r) == {("trapezius", "right", "injection"), ("levator scapulae", "right", "injection")}


def test_a_needle_placed_then_aborted_is_an_attempt() -> None:
    r = code_of(
        "Procedure: the right gluteus medius was injected with 1% lidocaine 2 mL. The needle was then placed in the "
        "right piriformis. The patient had a vasovagal episode and the injection was aborted before any medication "
        "was given."
    )
    assert muscles(r) == {("gluteus medius", "right", "injection")}


def test_lines_after_an_injected_line_under_the_exam_are_the_procedure() -> None:
    r = code_of(
        "Exam: taut bands w/ LTR in upper trap and levator.\nTrapezius and levator injected. 25g, neg asp.\n"
        "1% lido 3 mL + dex 4 mg/mL 1 mL.\nPain 6 -> 2/10."
    )
    assert drug_lines(r) == [("J1100", 4, [])]


def test_spoken_decimals_and_per_mil() -> None:
    r = code_of(
        "procedure colon the sternocleidomastoid was injected on both sides period total injectate two cc's of one "
        "percent lidocaine and dexamethasone four milligrams per mil comma point five mils period"
    )
    assert drug_lines(r) == [("J1100", 2, [])]
    r = code_of(
        "I injected the right piriformis period injectate colon five cc's of point two five percent bupivacaine period"
    )
    assert med(r, "bupivacaine").dose_mg == 12.5


def test_half_a_cc_wasted() -> None:
    r = code_of(
        "L and R QL injected. Lido 2% 2.5 mL + dexamethasone 4 mg/mL from a 1 mL single-dose vial: 1/2 cc given "
        "(2 mg), 1/2 cc wasted (2 mg)."
    )
    assert sorted(drug_lines(r)) == [("J1100", 2, []), ("J1100", 2, ["JW"])]


def test_palpated_but_not_injected() -> None:
    r = code_of(
        "Muscles injected: right gluteus medius (2 sites) and right tensor fasciae latae (1 site). The right "
        "piriformis was palpated but not injected. 1% lidocaine 3 mL."
    )
    assert ("piriformis", "right", "injection") not in muscles(r)


def test_a_dictated_correction_to_another_muscle() -> None:
    r = code_of(
        "I injected the right infraspinatus at 3 sites and the right teres major at 1 site period correction comma "
        "that was the right teres minor comma not the teres major period the teres major was not injected period "
        "injectate was 3 cc of 1 percent lidocaine"
    )
    assert muscles(r) == {("infraspinatus", "right", "injection"), ("teres minor", "right", "injection")}


def test_scheduled_but_declined_is_no_procedure() -> None:
    r = code_of(
        "She was scheduled for trigger point injections of the right upper trapezius and the right levator scapulae "
        "today, but she declined the injections today because of a head cold.\nPlan: no procedure was performed today."
    )
    assert procedure(r) == (None, 0)


def test_a_steroid_used_instead_of_another_is_the_only_one() -> None:
    r = code_of(
        "A/P: trigger point injections today; dexamethasone instead of triamcinolone because of his allergy.\n"
        "Procedure: left QL and left gluteus medius injected. 1% lidocaine 6 mL with dexamethasone 10 mg/mL, 0.8 mL (8 mg)."
    )
    assert drug_lines(r) == [("J1100", 8, [])]


def test_an_entire_vial_dose_in_its_own_clause() -> None:
    r = code_of(
        "Right gluteus medius, gluteus minimus and piriformis injected. Injectate: 0.5% ropivacaine 8 mL, with "
        "triamcinolone acetonide 40 mg/mL from a 1 mL single-dose vial; the entire vial (40 mg) was used and none was wasted."
    )
    assert drug_lines(r) == [("J3301", 4, ["JZ"])]


def test_mg_per_ml_is_not_a_per_site_amount() -> None:
    r = code_of(
        "Three injections into the left sternocleidomastoid and two into the left splenius capitis. Solution was 4 mL "
        "of 1% lidocaine and 1 mL of dexamethasone 4 mg per mL, 5 mL total."
    )
    assert drug_lines(r) == [("J1100", 4, [])]


# ---------------------------------------------------------------- blind cases 636-695: what they taught


def test_injections_on_two_sides_is_not_a_dated_earlier_session() -> None:
    r = code_of(
        "Myofascial pain (M79.18); PT failed. That is six injections on two sides: the right trapezius at four "
        "points and the left trapezius at two points, 1% lidocaine 6 mL. Tolerated well."
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_billed_guidance_that_the_note_documents_is_not_a_mismatch() -> None:
    r = code_of(
        "Under ultrasound guidance the left pectoralis minor and left serratus anterior were injected with 0.25% "
        "bupivacaine 4 mL. Tolerated well.",
        billed_lines=[{"code": "20552", "units": 1}, {"code": "76942", "units": 1}],
    )
    checks = {f.check for f in r.findings}
    assert "CODE_MISMATCH" not in checks and "GUIDANCE_NOT_COVERED" in checks


def test_a_drug_named_in_the_claim_description_is_not_a_dose() -> None:
    r = code_of(
        "Claim billed: 20553; J1010 x 2 (the biller counted two 40-mg units of Depo-Medrol).\nProcedure: injected the "
        "right TFL, right gluteus medius and right gluteus minimus with 1% lidocaine 5 mL mixed with Depo-Medrol 80 mg."
    )
    assert drug_lines(r) == [("J1010", 80, [])]


def test_a_landmark_joint_does_not_make_the_drug_another_procedures() -> None:
    r = code_of(
        "PROCEDURE PERFORMED: Trigger point injection of the left piriformis muscle under fluoroscopic guidance.\n"
        "DESCRIPTION: Under AP fluoroscopy the inferior margin of the left sacroiliac joint was identified. A spinal "
        "needle was advanced into the left piriformis. Then 8 mL of 0.25% bupivacaine with 40 mg of triamcinolone "
        "acetonide was injected into the muscle."
    )
    assert drug_lines(r) == [("J3301", 4, [])]


def test_a_needle_passed_through_muscles_to_a_facet_is_not_a_tpi() -> None:
    r = code_of(
        "OPERATION PERFORMED: Right C3-C5 cervical medial branch blocks under fluoroscopic control.\nDESCRIPTION: A "
        "spinal needle was advanced at each level through the right splenius capitis and semispinalis capitis muscles "
        "until it contacted the articular pillar; 0.5 cc of 0.5% bupivacaine was injected at each level.\nExam: tender "
        "trigger points in the right upper trapezius."
    )
    assert procedure(r) == (None, 0)


def test_a_chemodenervation_note_with_trigger_points_on_exam_is_not_a_tpi() -> None:
    r = code_of(
        "PROCEDURE PERFORMED: Chemodenervation with botulinum toxin for cervical dystonia, EMG guided.\nINDICATIONS: "
        "tender trigger points in the right upper trapezius.\nDETAILS: Botox doses injected:\n- Right "
        "sternocleidomastoid: 40 units\n- Right upper trapezius: 60 units\nTotal: 100 units injected."
    )
    assert procedure(r) == (None, 0)


def test_a_session_exactly_365_days_earlier_has_left_the_window() -> None:
    note = "Right upper trapezius injected with 1% lidocaine 2 mL. Relief after the last session 75% for 12 weeks."
    r = code_of(note, date_of_service="2025-06-10", prior_sessions=["2024-06-10", "2024-10-15", "2025-02-18"])
    assert "FREQUENCY_LIMIT" not in {f.check for f in r.findings}
    r = code_of(note, date_of_service="2025-06-10", prior_sessions=["2024-06-11", "2024-10-15", "2025-02-18"])
    assert "FREQUENCY_LIMIT" in {f.check for f in r.findings}


def test_a_percentage_that_lasted_is_relief() -> None:
    r = code_of(
        "TPI hx here: 01/14/25, 05/20/25. After 05/20/25: pain 7/10 -> 2/10 (~70%), lasted ~12 wks.\nInjected: L "
        "splenius capitis x2, 1% lido 2 mL."
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_ultrasound_available_but_not_used_is_no_guidance() -> None:
    r = code_of(
        "Guidance: Ultrasound was available in the procedure room but was not used.\nLeft rhomboid major and left "
        "infraspinatus injected with 1% lidocaine 4 mL."
    )
    assert [ln.code for ln in r.lines] == ["20552"]


def test_items_under_a_dry_needling_lead_in_are_needled() -> None:
    r = code_of(
        "TRIGGER POINT INJECTIONS (25 G 1.5 in, palpation guided):\n  - Left infraspinatus, 2 sites\n  - Left teres "
        "minor, 1 site\n  Injectate: 1% lidocaine 3 mL\n\nDRY NEEDLING (no injectate; 0.25 x 40 mm needles):\n  - Left "
        "supraspinatus\n  - Left posterior deltoid\n  - Left teres major\n"
    )
    assert procedure(r) == ("20552", 2)
    assert sorted(ln.code for ln in r.lines) == ["20552", "20561"]


# ---------------------------------------------------------------- blind cases 696-755: what they taught


def test_a_landmark_region_and_a_palpated_site_row() -> None:
    r = code_of(
        "Procedure: trigger point injections, left masticatory muscles\n- Left masseter: 3 sites, 1.5 mL.\n"
        "- Left anterior temporalis: 2 sites, 1 mL (extraoral, above the zygomatic arch).\n"
        "- Left medial pterygoid: 1 site, 1.5 mL (intraoral approach at the palpated trigger point).\n"
        "Anesthetic: 3% mepivacaine 4 mL total."
    )
    assert procedure(r) == ("20553", 3)
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings}


def test_plantar_is_not_a_plan() -> None:
    r = code_of(
        "O: taut bands in the R quadratus plantae.\n- Trigger point dry needling, no injectate:\n"
        "  - R quadratus plantae (medial approach): 2 LTRs\n  - R flexor digitorum brevis: 1 LTR\n"
        "  - R abductor hallucis: 2 LTRs"
    )
    assert procedure(r) == ("20561", 3)


def test_units_given_site_by_site_add_up() -> None:
    r = code_of(
        "Trigger point injections. A 100-unit single-dose vial of Botox was reconstituted. 50 units were injected into the right piriformis "
        "and 50 units into the right obturator internus. The entire vial was used and nothing was wasted."
    )
    assert drug_lines(r) == [("J0585", 100, ["JZ"])]


def test_a_tendon_finding_is_not_a_site() -> None:
    r = code_of(
        "SPORTS MEDICINE - PROCEDURE NOTE\nMRI R shoulder: mild supraspinatus tendinosis.\nTPI: R infraspinatus x2 and "
        "R teres minor x1, 1% lidocaine 3 mL."
    )
    assert muscles(r) == {("infraspinatus", "right", "injection"), ("teres minor", "right", "injection")}


def test_an_imported_previous_procedure_note_is_history() -> None:
    r = code_of(
        "PREVIOUS PROCEDURE NOTE (10/22/2024) - imported for reference:\nProcedure: trigger point injections, bilateral "
        "upper trapezius and bilateral levator scapulae.\nInjectate: Depo-Medrol 80 mg.\nEND OF PREVIOUS PROCEDURE NOTE\n\n"
        "TODAY'S PROCEDURE:\nRight upper trapezius and right levator scapulae injected with Depo-Medrol 40 mg.",
        date_of_service="2025-02-04",
    )
    assert procedure(r) == ("20552", 2)
    assert drug_lines(r) == [("J1010", 40, [])]


def test_a_ratio_mixture_beside_another_drugs_volume() -> None:
    r = code_of(
        "Left trapezius and left levator scapulae injected. Injectate: 8 mL of a 1:1 mixture of 1% lidocaine and "
        "0.25% bupivacaine, with Kenalog-40 0.5 mL (20 mg) added to the syringe."
    )
    assert med(r, "lidocaine").dose_mg == 40
    assert med(r, "bupivacaine").dose_mg == 10


def test_an_addendum_changes_the_drug_and_the_muscles() -> None:
    r = code_of(
        "Muscles injected: right gluteus medius x2, right piriformis x1\nSteroid: Kenalog 40 mg\n\nADDENDUM 05/14/2025: "
        "The steroid was entered in error. The steroid injected on 05/13/2025 was Depo-Medrol 40 mg. No Kenalog was given.",
        date_of_service="2025-05-13",
    )
    assert drug_lines(r) == [("J1010", 40, [])]
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}
    r = code_of(
        "Muscles: right upper trapezius (3 sites), right levator scapulae (2 sites), right supraspinatus (1 site).\n"
        "1% lidocaine 3 mL injected.\n\nADDENDUM 09/09/2025: The right supraspinatus was marked but was NOT injected."
    )
    assert ("supraspinatus", "right", "injection") not in muscles(r)


def test_a_side_field_after_a_list_or_table() -> None:
    r = code_of("TPI:\nMuscles / # TPs:\n - QL #3\n - glute med (2)\n - TFL x1\nLaterality: R\nInj: ropivacaine 0.5% 6 mL")
    assert {m[1] for m in muscles(r)} == {"right"} and len(muscles(r)) == 3


def test_botox_units_from_its_dilution() -> None:
    r = code_of(
        "Procedure: Trigger point injections with Botox.\nDrug: onabotulinumtoxinA (Botox) 100-unit single-dose vial, "
        "reconstituted with 2 mL preservative-free 0.9% sodium chloride. 0.2 mL injected per site at 8 sites:\n"
        "- right splenius capitis: 2 sites\n- left splenius capitis: 2 sites\n- right upper trapezius: 2 sites\n"
        "- left upper trapezius: 2 sites\nThe remaining 0.4 mL (20 units) in the vial was discarded."
    )
    assert sorted(drug_lines(r)) == [("J0585", 20, ["JW"]), ("J0585", 80, [])]
    r = code_of("TPI w/ Botox. Botox 100u single dose vial.\n- R upper trap 25u\n- L upper trap 25u\nTotal 50u, no waste.")
    assert drug_lines(r)[0][:2] == ("J0585", 50)


def test_therapy_never_had_is_not_failed_care() -> None:
    r = code_of(
        "Low back pain for 10 days. He has not taken any medication for it and has not had physical therapy or done "
        "any exercises. No prior TPI.\nProcedure: bilateral quadratus lumborum injected with 1% lidocaine 4 mL. "
        "Tolerated well.\nDx: myofascial pain."
    )
    assert "NECESSITY_MISSING" in {f.check for f in r.findings}


def test_fibromyalgia_does_not_hide_myofascial_pain() -> None:
    r = code_of(
        "Assessment: 1. Myofascial pain syndrome, left shoulder girdle. 2. Fibromyalgia.\nProcedure: left upper trapezius "
        "injected with 1% lidocaine 2 mL. PT failed. Tolerated well."
    )
    assert {d.code for d in r.diagnoses} >= {"M79.18", "M79.7"}


def test_not_inj_and_declines_needling() -> None:
    r = code_of("TPI: L glute med x2, L TFL x1. L QL not inj. 0.5% bupi 4 cc.")
    assert procedure(r) == ("20552", 2)
    r = code_of("S: Declines needling at present (needle phobia).\nRx: manual TrP release (ischaemic compression) Rt upper trap.")
    assert procedure(r) == (None, 0)
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings}


# ---------------------------------------------------------------- blind cases 756-815: what they taught


def test_a_referral_before_failed_therapy_is_not_a_plan() -> None:
    r = code_of(
        "A 58-year-old man is referred to Dr. Romero for neck pain from myofascial pain syndrome, unchanged after ten "
        "weeks of physical therapy and meloxicam. He injects the left upper trapezius with 0.5% bupivacaine 6 mL. "
        "Pain 8/10 before and 3/10 after."
    )
    assert "NECESSITY_MISSING" not in {f.check for f in r.findings}


def test_a_vial_size_in_brackets_is_not_the_dose() -> None:
    r = code_of(
        "Bilateral levator scapulae injected.\nSteroid: dexamethasone sodium phosphate 10 mg/mL single-dose vial (1 mL); "
        "0.4 mL (4 mg) administered, remaining 0.6 mL (6 mg) discarded"
    )
    assert sorted(drug_lines(r)) == [("J1100", 4, []), ("J1100", 6, ["JW"])]


def test_an_ehr_medication_list_is_not_the_injectate() -> None:
    r = code_of(
        "Current Outpatient Medications\n- lidocaine 4 % patch, Apply 1 patch daily\n- ketorolac (TORADOL) 10 mg "
        "tablet, Take 1 tablet every 6 hours\n- methylPREDNISolone (MEDROL DOSEPACK) 4 mg tablet, Use as directed\n\n"
        "Procedure: left SCM and left splenius capitis injected with 0.5% lidocaine 6 mL."
    )
    assert drug_lines(r) == []
    r = code_of(
        "Current Medications: omeprazole 20 mg daily; lidocaine 5% patch PRN; ketorolac 10 mg tabs.\n"
        "Procedure: left upper trapezius injected with 1% lidocaine 2 mL."
    )
    assert drug_lines(r) == []


def test_route_im_in_a_tpi_template_is_the_tpi() -> None:
    r = code_of(
        "Procedure: Trigger point injection\nLaterality: Left\nSite(s): gluteus medius; piriformis\n"
        "Medication Administered:\nlidocaine 1% injectable solution    Route: IM    Dose: not recorded"
    )
    assert procedure(r) == ("20552", 2)
    assert "DRUG_DOSE_MISSING" in {f.check for f in r.findings}


def test_a_single_dose_vial_clause_of_its_own() -> None:
    r = code_of(
        "Location(s): right upper trapezius (2 injections), right rhomboid major (1 injection)\nMedication(s) given:\n"
        "  methylprednisolone acetate (Depo-Medrol) 40 mg/mL, 1 mL (40 mg). Single-dose vial; entire vial used, no waste."
    )
    assert drug_lines(r) == [("J1010", 40, ["JZ"])]


def test_an_orders_heading_is_not_a_managed_problem() -> None:
    r = code_of(
        "Problem List\n- Hypothyroidism (E03.9)\n\nProcedure: left SCM and left splenius capitis injected with 0.5% "
        "lidocaine 6 mL.\nAssessment/Plan: tension-type headache, TPI today.\n\nLevel of service\n99213-25 - Office "
        "visit\n\nOrders Placed This Encounter\n20553"
    )
    assert "EM_NOT_SEPARATE" in {f.check for f in r.findings}


def test_pt_weeks_are_tried_care() -> None:
    r = code_of(
        "HPI: R posterior shoulder ache x 4 mo. PT 6 wks, diclofenac gel and ibuprofen, continuing HEP. No prior "
        "injections. Dx: myofascial pain.\nTPI: R infraspinatus x2, 1% lidocaine 2 mL. Pre 6/10, post 2/10."
    )
    assert "NECESSITY_MISSING" not in {f.check for f in r.findings}


def test_a_template_status_not_performed() -> None:
    r = code_of(
        "Procedure: Trigger point injection\nLaterality: Right\nSite(s): Upper trapezius; Levator scapulae\n"
        "Status: Not performed\nReason: Patient declined.\n\nAssessment/Plan: no injection today."
    )
    assert procedure(r) == (None, 0)


# ---------------------------------------------------------------- blind cases 816-875: what they taught


def test_aspiration_prior_to_each_injection_is_not_history() -> None:
    r = code_of(
        "Dx: myofascial pain (M79.18). Failed PT 6 wk. Prior TPI: none\nProcedure: left vastus lateralis injected, 1% "
        "lidocaine 3 mL.\nAspiration negative prior to each injection: [X] Yes\nPain 6/10 -> 2/10."
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_side_before_an_abbreviated_muscle_part() -> None:
    r = code_of("TPI: L lats x2, L teres major x1, L post delt x1. 1% lido 3 mL.")
    assert ("deltoid", "left", "injection") in muscles(r)


def test_pain_fields_side_by_side() -> None:
    r = code_of(
        "Sites:\n  Right upper trapezius - 2 injections\nMedication: lidocaine 1% 4 mL\n"
        "Pre-procedure pain: 7/10   Post-procedure pain: 3/10"
    )
    assert "RESPONSE_MISSING" not in {f.check for f in r.findings}


def test_units_each_and_a_stated_total() -> None:
    r = code_of(
        "Trigger point injections. One 100-unit single-dose vial of Botox is reconstituted with 2 mL of saline. The "
        "physician injects the right temporalis and the left temporalis with 20 units each, and the right splenius "
        "capitis and the left splenius capitis with 30 units each, for 100 units in total; the whole vial is used and "
        "nothing is discarded."
    )
    assert drug_lines(r) == [("J0585", 100, ["JZ"])]


def test_needled_then_injected_subject_is_injected() -> None:
    r = code_of(
        "P: The L fibularis longus was first dry needled (0.30 x 40 mm filament needle) and then injected at 2 points "
        "with 1% lidocaine, 2 mL total. The L tibialis anterior and the L extensor digitorum longus were dry needled "
        "only, no injectate."
    )
    assert procedure(r) == ("20552", 1)
    assert sorted(ln.code for ln in r.lines) == ["20552", "20560"]


def test_site_muscle_table_heading_and_side_column_b() -> None:
    r = code_of(
        "Exam: taut bands in the sites below.\n\n| Site / muscle | Side | # injections |\n| Adductor magnus | L | 1 |\n"
        "| Gracilis | L | 0 |\n\nMedication: 1% lidocaine 3 mL"
    )
    assert muscles(r) == {("adductor magnus", "left", "injection")}
    r = code_of("Trigger point injections:\n| Muscle | Side | # TrPs |\n| Masseter | B | 2 each |\n| Temporalis | R | 2 |\n1% lidocaine 3 mL")
    assert procedure(r) == ("20553", 3)


def test_dated_rows_of_a_prior_sessions_pipe_table() -> None:
    r = code_of(
        "PRIOR TPI SESSIONS (this clinic)\n| Date | Muscles injected | Relief |\n| 09/10/2024 | R adductor longus | 60% / 10 wk |\n"
        "| 01/14/2025 | R adductor longus | 65% / 9 wk |\n| 04/22/2025 | R adductor longus | 60% / 8 wk |\n\n"
        "TODAY'S PROCEDURE\n| Muscle | Side | # injections |\n| Adductor longus | R | 2 |\nInjectate: 1% lidocaine 3 mL",
        date_of_service="2025-08-05",
    )
    assert "FREQUENCY_LIMIT" in {f.check for f in r.findings}


def test_a_total_that_closes_another_drug() -> None:
    r = code_of(
        "I injected the right adductor pollicis at two sites and the right first dorsal interosseous at two sites, "
        "using 0.5 cc of 2% lidocaine at each of the 4 sites plus 2 mg of dexamethasone in total."
    )
    assert med(r, "lidocaine").dose_mg == 40


def test_an_im_shot_in_the_ventrogluteal_site_is_not_a_tpi() -> None:
    r = code_of(
        "P: 1. Ketorolac 60 mg IM now, given by RN (see MAR). 2. Consider trigger point injection of the L quadratus "
        "lumborum at a later visit.\n\nMEDICATION ADMINISTRATION RECORD\nDrug: Ketorolac tromethamine 30 mg/mL\n"
        "Dose: 60 mg (2 mL) | Route: IM | Site: right ventrogluteal (gluteus medius) | Time: 11:40"
    )
    assert procedure(r) == (None, 0)
    assert r.lines == []


# ---------------------------------------------------------------- blind cases 936-995: what they taught


def test_relief_that_lasted_close_to_three_months() -> None:
    r = code_of(
        "He had trigger point injections here on 03/12/2024. He reports about 60% relief after that session, and it "
        "lasted close to three months.\nProcedure: right QL injected with 0.5% bupivacaine 6 mL.",
        date_of_service="2024-07-09",
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_these_muscles_received_no_medication() -> None:
    r = code_of(
        "1) Trigger point injections: right quadratus lumborum and right gluteus medius, 1% lidocaine 4 mL.\n"
        "2) Dry needling, no injectate: right gluteus maximus and right piriformis. These two muscles received no medication."
    )
    assert sorted(ln.code for ln in r.lines) == ["20552", "20560"]


def test_bare_scores_after_a_pain_label() -> None:
    r = code_of("Left masseter and left temporalis injected with 3% mepivacaine 3.4 mL.\nPain (NRS): 7 before, 2 after.")
    assert "RESPONSE_MISSING" not in {f.check for f in r.findings}


def test_muscles_in_a_charges_line_are_not_sites() -> None:
    r = code_of(
        "P: Left pectoralis major x2 and left pectoralis minor x1 injected. She declined injection of the left serratus "
        "anterior.\nCharges entered by front desk: 20553 (pec major, pec minor, serratus anterior)."
    )
    assert procedure(r) == ("20552", 2)


def test_left_and_right_columns_with_ticks() -> None:
    r = code_of(
        "Muscles injected:\n| Muscle | Left | Right |\n|---|---|---|\n| Upper trapezius | [x] x2 | [x] x2 |\n"
        "| Levator scapulae | [ ] | [x] x1 |\n| Rhomboid major | [ ] | [ ] |\nMedication: Lidocaine 1% 4 mL"
    )
    assert muscles(r) == {
        ("trapezius", "left", "injection"), ("trapezius", "right", "injection"), ("levator scapulae", "right", "injection"),
    }


def test_a_dry_needling_heading_over_a_needle_field() -> None:
    r = code_of(
        "TRIGGER POINT DRY NEEDLING (no injectate)\n  Needle: 0.25 x 40 mm solid filament\n  [x] L upper trap ..... 4 LTRs\n"
        "  [x] L levator scap ..... 2 LTRs\n  [ ] L rhomboids\nMANUAL / MODALITIES\n  [x] Dry cupping, L rhomboids, 5 min"
    )
    assert procedure(r) == ("20560", 2)


def test_tpi_today_as_planned_with_guidance() -> None:
    r = code_of(
        "P: TPI today as planned. Real-time ultrasound guidance was used. R pectoralis minor x2, R serratus anterior x2 "
        "injected with 0.25% bupivacaine, 6 mL total.",
        payer="cigna",
    )
    assert "76942" in {ln.code for ln in r.lines}


def test_spoken_half_a_cc_and_allergies_colon() -> None:
    r = code_of("i injected the left temporalis period kenalog forty comma half a cc period")
    assert drug_lines(r) == [("J3301", 2, [])]
    r = code_of(
        "allergies colon lidocaine and bupivacaine comma hives period new paragraph procedure colon the right gluteus "
        "medius was injected with six cc's of preservative free normal saline period"
    )
    assert {m.drug for m in r.medications} == {"sodium chloride"}


# ============================================================================ reading rules added with blind batch 1016-1075


def test_without_any_injectate_does_not_negate_the_muscle_after_it() -> None:
    r = code_of(
        "The therapist inserts solid filament needles, without any injectate, into the right gluteus medius, the right "
        "gluteus minimus and the right piriformis. Tolerated well."
    )
    assert procedure(r) == ("20561", 3)


def test_a_scenario_question_reports_nothing_done() -> None:
    note = (
        "The physician performs a right suprascapular nerve block with 5 mL of 0.5% bupivacaine. There is a tender "
        "trigger point in the right infraspinatus, not injected today.\nWhat procedure was performed, and is a trigger "
        "point injection code reported?"
    )
    r = code_of(note)
    assert procedure(r) == (None, 0)
    assert not {f.check for f in r.findings} & {"MUSCLE_NOT_NAMED", "DRUG_NOT_DOCUMENTED"}
    # a form's question with its answer is still a statement
    r = code_of("Trigger point injection performed? Yes. Site: left trapezius. Lidocaine 1% 2 mL. Tolerated well.")
    assert procedure(r) == ("20552", 1)


def test_speech_recognition_trapeze_is_q_l_and_depot_medrol() -> None:
    r = code_of(
        "I injected the left upper trapeze is at 2 sites and the right Q L at 2 sites with 4 mL of 0.5% bupivacaine "
        "mixed with depot Medrol 40 mg. Tolerated well."
    )
    assert muscles(r) == {("trapezius", "left", "injection"), ("quadratus lumborum", "right", "injection")}
    assert drug_lines(r) == [("J1010", 40, [])]
    assert med(r, "bupivacaine").dose_mg == 20


def test_by_lateral_is_bilateral() -> None:
    r = code_of("i injected the splenius capitis by lateral comma one site on each side period lidocaine 2 cc period")
    assert procedure(r) == ("20552", 2)


def test_a_problem_list_is_not_today() -> None:
    r = code_of(
        "PROBLEM LIST (active)\n- Chronic migraine (G43.709) - onabotulinumtoxinA per neurology\n\nPROCEDURE: TPI\n"
        "Injected: L pectoralis minor x1, L serratus anterior x2. Ropivacaine 0.2% 6 mL. Tolerated well."
    )
    assert {m.drug for m in r.medications} == {"ropivacaine"}
    assert not any(ln.code == "J0585" for ln in r.lines)


def test_saline_rinses_and_nasal_sprays_are_not_injectate() -> None:
    r = code_of(
        "A/P: 1. Myofascial pain, trigger point injections today (below). 2. Allergic rhinitis: start fluticasone "
        "nasal spray; saline rinses.\nPROCEDURE: TPI R abductor hallucis x2. 1% lidocaine 2 mL. Tolerated well."
    )
    assert {m.drug for m in r.medications} == {"lidocaine"}


def test_ultrasound_said_not_used_today_overrides_template_text() -> None:
    note = (
        "PROCEDURE [template]: The procedure was performed under ultrasound guidance with images saved.\n"
        "Muscles injected: R gluteus medius x2, R gluteus minimus x2.\nInjectate: 1% lidocaine 5 mL.\n"
        "Guidance: palpation only. Ultrasound was NOT used today; the template sentence does not apply."
    )
    assert not any(ln.code == "76942" for ln in code_of(note).lines)
    # and still read when the note says it was used
    note = "R gluteus medius and R gluteus minimus injected under ultrasound guidance with 1% lidocaine 5 mL."
    assert "76942" in {ln.code for ln in code_of(note).lines}


def test_a_nurse_timestamp_before_the_procedure_line() -> None:
    r = code_of(
        "MD exam: taut bands BILAT UPPER TRAPS + R levator.\n0935 consent signed.\n"
        "0940 TPI by Dr Okafor: BILAT UPPER TRAPS x2 sites each, R LEVATOR x1 site.\nmeds: LIDO 1% 4cc.\n0950 tol well."
    )
    assert procedure(r) == ("20553", 3)


def test_a_bracketed_copy_forward_block_is_history() -> None:
    r = code_of(
        "[Copied forward from procedure note 12/02/2025]\nProcedure: TPI L upper trapezius x2, R rhomboid major x1. "
        "1% lidocaine 5 mL + Kenalog-40 1 mL.\n[End of copied text]\n\nInjected today: R levator scapulae x1. "
        "1% lidocaine 3 mL. Tolerated well."
    )
    assert muscles(r) == {("levator scapulae", "right", "injection")}
    assert drug_lines(r) == []


def test_waste_in_a_sentence_of_its_own_is_the_billable_drugs() -> None:
    r = code_of(
        "L infraspinatus and L teres minor injected with 1% lidocaine 5 mL. Kenalog-40 from a single-dose 1 mL vial: "
        "0.5 mL (20 mg) was drawn up with the lidocaine and injected. The remaining 0.5 mL (20 mg) in the vial was discarded."
    )
    assert sorted(drug_lines(r)) == [("J3301", 2, []), ("J3301", 2, ["JW"])]


def test_a_steroid_vial_field_and_a_discarded_field() -> None:
    r = code_of(
        "Site 1: Right upper trapezius - 2 injections\nSite 2: Right levator scapulae - 2 injections\n"
        "Steroid: dexamethasone 10 mg/mL\nSteroid vial: single-dose, 1 mL\nSteroid given: 0.8 mL (8 mg)\n"
        "Steroid discarded: 0.2 mL (2 mg)\nTolerated well."
    )
    assert sorted(drug_lines(r)) == [("J1100", 2, ["JW"]), ("J1100", 8, [])]


def test_spoken_waste_with_its_dose_restated() -> None:
    r = code_of(
        "the left gluteus medius was injected at two points period triamcinolone from a forty milligram per cc single "
        "dose vial colon point seven five cc comma thirty milligrams comma injected and point two five cc comma ten "
        "milligrams comma wasted period"
    )
    assert sorted(drug_lines(r)) == [("J3301", 1, ["JW"]), ("J3301", 3, [])]


def test_a_dose_corrected_in_an_addendum_replaces_the_first() -> None:
    r = code_of(
        "i injected the left masseter with one and a half cc's of two percent lidocaine and kenalog forty comma one half "
        "cc comma twenty milligrams period\naddendum colon correction period only one quarter cc of kenalog forty comma "
        "ten milligrams comma was drawn up and injected comma not one half cc period"
    )
    assert drug_lines(r) == [("J3301", 1, [])]
    # an addendum that restates the volume keeps the concentration stated before it
    r = code_of(
        "R glute max and R glute med injected with 0.5% bupivacaine 4 mL + Depo-Medrol 40 mg.\nADDENDUM: correction: the "
        "piriformis was not injected. The whole 4 mL of bupivacaine and the 40 mg of Depo-Medrol went to those two muscles."
    )
    assert med(r, "bupivacaine").dose_mg == 20
    # more of a drug in an addendum is not a correction of the first amount
    r = code_of(
        "R glute max injected with Kenalog 20 mg.\nAddendum: an additional Kenalog 20 mg was injected into the R glute med."
    )
    assert med(r, "triamcinolone acetonide").dose_mg == 40  # (20 would mean the addendum replaced the first amount)


def test_side_columns_aligned_with_spaces() -> None:
    r = code_of(
        "MUSCLES INJECTED\n                        LEFT          RIGHT\nLevator scapulae        [x] 2 sites   [x] 1 site\n"
        "Splenius cervicis       [x] 1 site    [ ] ---\nUpper trapezius         [ ] ---       [ ] ---\n\n"
        "Lidocaine 1% 4 mL. Tolerated well."
    )
    assert muscles(r) == {
        ("levator scapulae", "left", "injection"), ("levator scapulae", "right", "injection"),
        ("splenius cervicis", "left", "injection"),
    }


def test_a_box_per_side_on_a_muscle_row() -> None:
    r = code_of(
        "Procedure: [x] Trigger point injection\nSite / side / # inj:\n  Infraspinatus   [x] L  x2    [x] R  x2\n"
        "  Teres minor     [ ] L        [ ] R\nMeds: lidocaine 1% 4 mL total. Tolerated well."
    )
    assert muscles(r) == {("infraspinatus", "left", "injection"), ("infraspinatus", "right", "injection")}


def test_a_ratio_after_the_two_drugs_it_mixes() -> None:
    r = code_of(
        "- Inj: glute max B/L, 3 sites each side\n- Mix: lido 1% / bupi 0.5% 1:1, 10 mL total + Kenalog-10 (10 mg/mL) "
        "2 mL (20 mg) from multi-dose vial = 12 mL\n- tol well"
    )
    assert med(r, "lidocaine").dose_mg == 50 and med(r, "bupivacaine").dose_mg == 25
    assert drug_lines(r) == [("J3301", 2, [])]


def test_relief_with_a_duration_field() -> None:
    r = code_of(
        "Response to last session (08/20/2024): NRS 7/10 -> 2/10, ~70% relief, duration 10 weeks\n"
        "Muscles injected: L upper trapezius (2), L levator scapulae (2). Lidocaine 1% 5 mL. Tolerated well.",
        prior_sessions=["2024-08-20"],
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


# ---------------------------------------------------------------------------- blind batch 1076-1135


def test_dictation_names_split_into_sound_alike_words() -> None:
    r = code_of(
        "procedure colon I injected the left mass eater at two sites comma the write infra spin atus at one site and "
        "the left tear is minor period injectate was two cc's of one percent lido cane with one cc of sell a stone "
        "soluspan comma six milligrams period tolerated well period"
    )
    assert muscles(r) == {
        ("masseter", "left", "injection"), ("infraspinatus", "right", "injection"), ("teres minor", "left", "injection"),
    }
    assert med(r, "lidocaine").dose_mg == 20 and drug_lines(r) == [("J0702", 1, [])]


def test_sound_alike_words_are_not_read_in_typed_notes() -> None:
    r = code_of("Left trapezius injected with lidocaine 2 mL. The mass eater at the fair was a joke he told.")
    assert muscles(r) == {("trapezius", "left", "injection")}


def test_dictated_lift_and_write_sides() -> None:
    r = code_of("i injected the lift gluteus medius period the write piriformis was injected too period lidocaine two cc period")
    assert muscles(r) == {("gluteus medius", "left", "injection"), ("piriformis", "right", "injection")}


def test_a_code_read_digit_by_digit() -> None:
    r = code_of(
        "hypertension colon blood pressure high comma amlodipine increased to ten milligrams period separately "
        "identifiable period procedure colon I injected the right infraspinatus and the right teres major with two cc's "
        "of one percent lidocaine period tolerated well period nine nine two one four with modifier twenty five period",
        diagnoses=["M79.18", "I10"],
    )
    assert ("99214", 1, ["25"]) in lines(r)


def test_dictated_corrections_make_that_and_another_muscle() -> None:
    r = code_of(
        "i injected the right vastus medialis comma correction comma the right vastus lateralis at three sites period "
        "injectate one cc of kenalog forty comma no comma make that three quarters of a cc comma thirty milligrams "
        "period"
    )
    assert muscles(r) == {("vastus lateralis", "right", "injection")}
    assert drug_lines(r) == [("J3301", 3, [])]


def test_could_not_tolerate_a_drug_is_not_a_response() -> None:
    r = code_of(
        "History: PT and acetaminophen, and could not tolerate naproxen, without lasting relief.\n"
        "Procedure: I injected the left gluteus medius and the left piriformis with lidocaine 5 mL. Bandaid applied."
    )
    assert "RESPONSE_MISSING" in {f.check for f in r.findings}


def test_pain_after_an_event_in_the_history_is_not_the_post_score() -> None:
    r = code_of(
        "S: L interscapular pain for 3 months after a heavy-lifting shift, 7/10.\nP: TPI L rhomboid major x2. "
        "Lidocaine 1% 3 mL.\nPost: 7/10 -> 2/10."
    )
    assert "RESPONSE_MISSING" not in {f.check for f in r.findings}


def test_an_addendum_that_corrects_the_side() -> None:
    r = code_of(
        "PROCEDURE: Injected: right gluteus medius (2 sites) and right piriformis (1 site). 1% lidocaine 5 mL.\n"
        "ADDENDUM 01/13/2026 16:20 - laterality correction: the Injected line above states the wrong side. The "
        "injections were performed on the LEFT gluteus medius and the LEFT piriformis."
    )
    assert muscles(r) == {("gluteus medius", "left", "injection"), ("piriformis", "left", "injection")}


def test_a_macro_contradicted_by_the_free_text() -> None:
    r = code_of(
        "PROCEDURE (macro): trigger point injections were performed into the bilateral trapezius and bilateral levator "
        "scapulae muscles using 1% lidocaine.\nProvider free text: The macro above is the clinic default and is wrong "
        "on the sites. Only the right upper trapezius and right levator scapulae were injected. The left trapezius and "
        "left levator scapulae were NOT injected."
    )
    assert procedure(r) == ("20552", 2)


def test_an_allergy_heading_over_plain_lines() -> None:
    r = code_of(
        "ALLERGIES\n   Triamcinolone (Kenalog) - hives after a knee injection, 2022\n   Amoxicillin - rash\n\n"
        "PROCEDURE: TPI R gluteus medius x2, R TFL x1. Injectate: 1:1 1% lidocaine and 0.5% bupivacaine, 8 mL total."
    )
    assert drug_lines(r) == []


def test_carried_forward_and_quoted_blocks_are_history() -> None:
    r = code_of(
        "[carried forward] PROCEDURE 04/30/2024: TPI right and left upper trapezius, right and left levator scapulae, "
        "1% lidocaine 8 mL + Kenalog-40 1 mL.\n[end carried forward]\nToday: bilateral upper trapezius injected with "
        "1% lidocaine 4 mL + Kenalog-40 0.5 mL."
    )
    assert drug_lines(r) == [("J3301", 2, [])]
    r = code_of(
        "Quoted from Dr. A's note of 10/15/2024:\n> PROCEDURE: TPI right supraspinatus x2, right teres minor x1.\n"
        "> Injectate: 1% lidocaine 5 mL + Kenalog-40 1 mL (40 mg).\n(end of quoted text)\n"
        "Today: right supraspinatus and right infraspinatus injected with 2% lidocaine 3 mL and Kenalog-10 1 mL."
    )
    assert procedure(r) == ("20552", 2) and drug_lines(r) == [("J3301", 1, [])]


def test_a_late_entry_line_opens_the_procedure() -> None:
    r = code_of(
        "PROCEDURE: TPI R gluteus maximus and R gluteus medius. 0.5% bupivacaine 4 mL.\nPLAN: HEP.\n"
        "ADDENDUM 09/10/2025 08:15 (late entry, same physician): Correction to the procedure above. The right piriformis "
        "was NOT injected. As the needle was advanced toward the piriformis the patient felt a paresthesia."
    )
    assert procedure(r) == ("20552", 2)


def test_a_group_with_its_own_site_count_is_not_a_summary() -> None:
    r = code_of(
        "Procedure:\n- Right quadratus lumborum x2, left quadratus lumborum x2, right iliocostalis lumborum x1.\n"
        "- Lumbar paraspinals bilaterally at L3, L4 and L5 (6 sites).\nInjectate: 1% lidocaine 8 mL."
    )
    assert "MUSCLE_NOT_NAMED" in {f.check for f in r.findings}


def test_a_dry_needling_field_and_a_capitals_dry_needling_title() -> None:
    r = code_of(
        "Procedure:\n1) Dry needling: solid filament needles into the right soleus and right fibularis longus.\n"
        "2) Trigger point injections: the right soleus was then injected with Kenalog-40 0.5 mL."
    )
    assert muscles(r) == {("soleus", "right", "injection"), ("fibularis longus", "right", "dry_needling")}
    r = code_of(
        "SUBJECTIVE: neck pain. First dry needling session today.\n\nDRY NEEDLING (TrP-DN, no injectate)   Needles: "
        "0.25 x 30 mm\n  Muscle            Side    Needled\n  Upper trapezius    R       ✓\n  Infraspinatus      R       -\n"
    )
    assert muscles(r) == {("trapezius", "right", "dry_needling")}
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_grids_with_count_and_box_cells() -> None:
    r = code_of(
        "INJECTION GRID\n  Muscle                 Left     Right\n  Upper trapezius         2        2\n"
        "  Sternocleidomastoid     0        1\n  Splenius capitis        0        0\n\nLidocaine 1% 6 mL."
    )
    assert muscles(r) == {
        ("trapezius", "left", "injection"), ("trapezius", "right", "injection"), ("sternocleidomastoid", "right", "injection"),
    }
    r = code_of(
        "| Muscle             | Left | Right |\n|--------------------|------|-------|\n| Quadratus lumborum | [x]  | [x]   |\n"
        "| Gluteus medius     | [x]  | [ ]   |\n| Piriformis         | [ ]  | [ ]   |\nRopivacaine 0.2% 10 mL."
    )
    assert procedure(r) == ("20553", 3)
    r = code_of(
        "MUSCLES INJECTED           LEFT    RIGHT\nSemispinalis capitis        ☒       ☒\nSplenius capitis            ☒       ☐\n"
        "Temporalis                  ☐       ☐\n\nInjectate: bupivacaine 0.25%, 6 mL total"
    )
    assert procedure(r) == ("20553", 3)


def test_injected_and_dry_needled_columns() -> None:
    r = code_of(
        "Tick what was done to each muscle:\n    Muscle              Side    Injected    Dry needled\n"
        "    Upper trapezius      R        [x]          [ ]\n    Supraspinatus        R        [x]          [x]\n"
        "    Infraspinatus        R        [ ]          [x]\n    Teres major          R        [ ]          [ ]\n\n"
        "Injectate: lidocaine 1% 5 mL + dexamethasone 4 mg"
    )
    assert muscles(r) == {
        ("trapezius", "right", "injection"), ("supraspinatus", "right", "injection"),
        ("infraspinatus", "right", "dry_needling"),
    }


def test_export_layouts_tabs_csv_semicolons_and_yes_no_columns() -> None:
    r = code_of(
        "muscle\tside\tsites\tinjected\ntibialis anterior\tright\t2\tY\nfibularis brevis\tright\t0\tN\n\n"
        "medication\tdose\tvial\twasted\ndexamethasone\t4 mg\tsingle-dose 1 mL\tnone\n"
    )
    assert muscles(r) == {("tibialis anterior", "right", "injection")}
    assert drug_lines(r) == [("J1100", 4, ["JZ"])]
    r = code_of(
        'Trigger point injections today.\n"row","muscle","side","sites","injected"\n"1","Gluteus maximus","R","2","yes"\n"2","Piriformis","R","1","yes"\n'
        '"3","Tensor fasciae latae","R","0","no"\n\nbupivacaine 0.5% 4 mL'
    )
    assert procedure(r) == ("20552", 2)
    r = code_of(
        "MUSCLE;SIDE;INJ_COUNT;NOTE\nUpper trapezius;L;2;-\nLevator scapulae;L;1;-\nRhomboid major;L;0;-\n\n"
        "Consent signed; chlorhexidine; palpation guided; lidocaine 1% 3 mL"
    )
    assert muscles(r) == {("trapezius", "left", "injection"), ("levator scapulae", "left", "injection")}
    r = code_of(
        "Side:  ( ) Right   (x) Left\n\nMuscle                    Injected (Y/N)    Sites\n"
        "Extensor digitorum              Y             1\nAnconeus                        N             0\n\nLidocaine 1% 3 mL"
    )
    assert muscles(r) == {("extensor digitorum", "left", "injection")}


def test_numbered_prior_sessions_and_form_fields() -> None:
    r = code_of(
        "Prior trigger point injection sessions (this clinic):\n  #1  12/12/2024\n  #2  03/19/2025\n  #3  05/02/2025\n"
        "Response to last session: 65% relief for 9 weeks.\nConservative care >= 6 weeks:  [x] Physical therapy\n"
        "Sites: R upper trapezius x2. Lidocaine 1% 2 mL.\nPain (NRS):  pre 7/10   post 3/10"
    )
    assert "FREQUENCY_LIMIT" in {f.check for f in r.findings}
    assert not {"RESPONSE_MISSING", "REPEAT_RELIEF_MISSING"} & {f.check for f in r.findings}


def test_plain_lines_under_a_lead_in_and_a_side_line_after_them() -> None:
    r = code_of(
        "Procedure: Trigger point injections\nMuscles injected:\n  Gluteus medius (2 sites)\n  Gluteus minimus (1 site)\n"
        "Side: Left\n\nTender, not injected today:\n  Piriformis\n  Quadratus lumborum\nSide: Left\n\n"
        "Medication: Polocaine (mepivacaine) 1%, 8 mL"
    )
    assert muscles(r) == {("gluteus medius", "left", "injection"), ("gluteus minimus", "left", "injection")}
    assert {m.drug for m in r.medications} == {"mepivacaine"}


def test_procedure_performed_no() -> None:
    r = code_of(
        "PLANNED: right upper trapezius, right levator scapulae.\nProcedure performed:  [ ] Yes   [x] No\n"
        "Reason: fever. Medication drawn up: none (lidocaine 1% and Kenalog-40 vials not opened)"
    )
    assert r.lines == [] and procedure(r) == (None, 0)


# ---------------------------------------------------------------------------- blind batch 1136-1195


def test_a_restated_dose_after_equals_is_not_a_total_volume() -> None:
    r = code_of(
        "Injected: L QL x2, L glute med x2, L piriformis x1.\nInjectate: 0.5% bupivacaine 6 mL and 1% lidocaine 4 mL "
        "mixed with triamcinolone acetonide (Kenalog-40) 1 mL = 40 mg, 11 mL total."
    )
    assert drug_lines(r) == [("J3301", 4, [])]


def test_manual_therapy_items_are_not_sites() -> None:
    r = code_of(
        "Dry needling today: bilateral upper trapezius and R levator scapulae, no injectate.\n"
        "- STM suboccipitals and cervical paraspinals, 8 min\n- Therapeutic exercise 15 min"
    )
    assert procedure(r) == ("20561", 3)
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings}


def test_billing_education_sentences_name_no_dose() -> None:
    r = code_of(
        "HCPCS J3301 is reported per 10 mg of triamcinolone acetonide.\nTPI R medial gastrocnemius x2, R soleus x2. "
        "Injectate: Kenalog-10 1.5 mL (triamcinolone 15 mg) with 1% lidocaine 2 mL."
    )
    assert drug_lines(r) == [("J3301", 2, [])]


def test_a_titles_question_is_not_a_separate_e_m() -> None:
    r = code_of(
        "IS THIS E/M SEPARATELY IDENTIFIABLE?\nTPI R gluteus maximus x2, R TFL x1 with dexamethasone 8 mg. "
        "Charges: 99213-25 (evaluation of the hip pain and decision to inject).",
        diagnoses=["M79.18"],
    )
    assert "EM_NOT_SEPARATE" in {f.check for f in r.findings}
    assert not any(ln.code == "99213" for ln in r.lines)


def test_a_toxin_given_into_trigger_points_is_a_tpi() -> None:
    r = code_of(
        "A neurologist injected onabotulinumtoxinA into trigger points of four neck muscles.\n"
        "Procedure: Botox 100-unit single-dose vial reconstituted with 2 mL saline. Right splenius capitis 20 units, "
        "left splenius capitis 20 units, right semispinalis capitis 20 units, left semispinalis capitis 20 units: 80 "
        "units injected. The remaining 20 units in the vial were discarded."
    )
    assert procedure(r) == ("20553", 4)
    assert sorted(drug_lines(r)) == [("J0585", 20, ["JW"]), ("J0585", 80, [])]


def test_a_plan_heading_with_its_note_in_brackets() -> None:
    r = code_of(
        "A:\n1. Adhesive capsulitis, R shoulder.\n2. Myofascial pain, R shoulder girdle.\n\n"
        "P / Procedures (consent signed, time-out):\n1. Trigger point injections: R upper trapezius x2, R levator "
        "scapulae x1. Injectate: 0.25% bupivacaine 4 mL + dexamethasone 4 mg."
    )
    assert procedure(r) == ("20552", 2) and drug_lines(r) == [("J1100", 4, [])]
    r = code_of("A: MPS R lumbar.\nP/Proc: consent, prone.\n- R QL x2\n- R glute max x2\nMix: lido 1% 5 mL.")
    assert procedure(r) == ("20552", 2)


def test_terse_forms_ut_ropi_medias_each_of_and_spo2() -> None:
    r = code_of("TPI x3: R UT x2, L gluteus medias x1. inj: ropi 0.2% 6ml + kenalog 40mg/ml 0.5cc (20mg)")
    assert muscles(r) == {("trapezius", "right", "injection"), ("gluteus medius", "left", "injection")}
    assert med(r, "ropivacaine").dose_mg == 12
    r = code_of("TPI x6: b/l upper traps x2 ea, L lev scap x2 - 1% lido 1cc @ ea of 6 sites")
    assert med(r, "lidocaine").dose_mg == 60
    r = code_of(
        "TPI L pec major x2\ninj: .25% bupi 6ml + depo-medrol 80mg/1ml SDV -> 0.5ml (40mg) given, 0.5ml (40mg) wasted\n"
        "pain 7/10 -> 2/10, tol well, SpO2 98%"
    )
    assert sorted(drug_lines(r)) == [("J1010", 40, []), ("J1010", 40, ["JW"])]


def test_hasnt_tried_and_relief_for_weeks_in_brackets() -> None:
    r = code_of("57M upper back pain. hasn't tried PT, HEP or any meds. no prior TPI.\nTPI b/l rhomb x2 ea. 1% lido 4ml. tol well")
    assert "NECESSITY_MISSING" in {f.check for f in r.findings}
    r = code_of(
        "TPI hx: 10/21/24. after 10/21: 7/10 -> 3/10 (~60%) x 9wk.\nTPI x4: R med gastroc x2, R soleus x2. "
        "1% lido 4cc. 7/10 pre -> 2/10 post",
        prior_sessions=["2024-10-21"],
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


# ---------------------------------------------------------------------------- blind batch 1196-1255


def test_vial_dose_amounts_written_in_other_ways() -> None:
    r = code_of(
        "TPI R QL x2, R glute max x1. Injectate: lidocaine 2%, 2.5 mL, with Depo-Medrol 40 mg/mL from a 1 mL "
        "single-dose vial; the entire vial was used, no waste.",
        date_of_service="2024-04-02",
    )
    assert drug_lines(r) == [("J1010", 40, ["JZ"])]
    r = code_of(
        "Drug preparation: Botox 100-unit single-dose vial reconstituted with 2 mL saline.\nInjections: 20 units (0.4 mL) "
        "were injected at each of 4 trigger points in the left piriformis and left gluteus medius.\nWaste: the remaining "
        "20 units in the vial were discarded."
    )
    assert sorted(drug_lines(r)) == [("J0585", 20, ["JW"]), ("J0585", 80, [])]
    r = code_of(
        "TPI R infraspinatus, R teres minor. Injectate: 1% lidocaine 4 mL mixed with ketorolac (Toradol) 0.5 mL drawn "
        "from a 30 mg/mL, 1 mL single-dose vial; the remaining 0.5 mL of ketorolac was discarded."
    )
    assert sorted(drug_lines(r)) == [("J1885", 1, []), ("J1885", 1, ["JW"])]
    r = code_of(
        "A trigger point was injected in each of the three muscles (left pectoralis major, left pectoralis minor, left "
        "serratus anterior); each received 1.5 cc of 1% lidocaine and 0.5 cc of Celestone (6 mg/cc)."
    )
    assert med(r, "lidocaine").dose_mg == 45 and drug_lines(r) == [("J0702", 2, [])]


def test_another_kind_of_injection_in_the_history_is_not_a_repeat() -> None:
    r = code_of(
        "No previous trigger point injections. She had flushing after a steroid knee injection in 2023.\n"
        "TPI R infraspinatus x2. 1% lidocaine 3 mL. Tolerated well."
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_consent_forms_attached_notes_and_planned_headings() -> None:
    r = code_of(
        "CONSENT FOR TRIGGER POINT INJECTION (pre-printed form)\nMuscles commonly treated include the trapezius, "
        "rhomboids, quadratus lumborum and gluteus medius. Medications may include Kenalog 40 mg and Toradol 30 mg.\n\n"
        "PROCEDURE: Muscles injected today: left vastus lateralis and left vastus medialis. Ropivacaine 0.2% 6 mL."
    )
    assert procedure(r) == ("20552", 2) and drug_lines(r) == []
    r = code_of(
        "PLANNED PROCEDURE: TPI left upper trapezius, left levator scapulae.\nPROCEDURE: After chlorhexidine prep of the "
        "left upper trapezius and before any needle was inserted he reported chest pain. Procedure aborted."
    )
    assert procedure(r) == (None, 0)
    r = code_of(
        "P: TPI not done today because of anticoagulation.\n\n==== ATTACHED FOR REFERENCE: PRIOR DOCUMENT ====\n"
        "Procedure: I injected the right infraspinatus and the right teres minor with 1% lidocaine 4 mL and dexamethasone "
        "4 mg.\n==== END OF ATTACHED DOCUMENT ===="
    )
    assert procedure(r) == (None, 0) and r.lines == []


def test_list_items_that_say_held_deferred_or_not_done() -> None:
    r = code_of(
        "PROCEDURE: Injected: right levator scapulae and right rhomboid major with 0.5% lidocaine 6 mL.\n"
        "- Kenalog: held because of the A1c.\n- Right quadratus lumborum and right gluteus medius: deferred to a "
        "separate visit."
    )
    assert procedure(r) == ("20552", 2) and drug_lines(r) == []


def test_bil_and_a_refused_contralateral_muscle() -> None:
    r = code_of(
        "Injected:\n  - upper trap bil, 2 each\n  - R splenius capitis x1 and ipsilateral semispinalis capitis x1\n"
        "  - contralateral splenius capitis: not injected\nLidocaine 1% 6 mL."
    )
    assert muscles(r) == {
        ("trapezius", "left", "injection"), ("trapezius", "right", "injection"),
        ("splenius capitis", "right", "injection"), ("semispinalis capitis", "right", "injection"),
    }


def test_relief_written_as_scores_and_sessions_dated_in_the_note() -> None:
    r = code_of(
        "History: after the last session her buttock pain went from 8/10 to 4/10 and stayed at that level for six "
        "weeks.\nProcedure: TPI R gluteus maximus x2. Lidocaine 1% 3 mL. Tolerated well.",
        prior_sessions=["2025-03-01"],
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}
    r = code_of(
        "History: trigger point injections in this office on 08/04/2024, 11/15/2024 and 03/04/2025, relief 60% for "
        "10 weeks each time.\nProcedure: TPI R QL x2. Lidocaine 1% 3 mL. Tolerated well."
    )
    assert "FREQUENCY_LIMIT" in {f.check for f in r.findings}


def test_a_muscle_named_only_as_a_reference_in_a_refusal() -> None:
    r = code_of(
        "Injected: Right infraspinatus - 2 sites\n    Right teres minor - 1 site\nThe right teres major was not injected "
        "today (patient asked to stop after the teres minor). Saline 3 mL."
    )
    assert procedure(r) == ("20552", 2)


def test_a_group_row_with_its_own_count_in_a_plain_list() -> None:
    r = code_of(
        "Sites injected:\n    Left upper trapezius           x2\n    Left splenius capitis          x1\n"
        "    Left cervical paraspinals      x2\n\nInjectate: 0.25% bupivacaine 6 mL."
    )
    assert "MUSCLE_NOT_NAMED" in {f.check for f in r.findings}


def test_meds_used_heading_before_the_sites() -> None:
    r = code_of(
        "Meds used:\n- Dexamethasone 10 mg/mL, 1 mL single-dose vial: 0.4 mL (4 mg) given; remaining 0.6 mL (6 mg) "
        "discarded.\n- Bupivacaine 0.5% plain 1.5 mL.\n\nSites treated:\n- L abductor hallucis x2\n- L quadratus plantae x1"
    )
    assert sorted(drug_lines(r)) == [("J1100", 4, []), ("J1100", 6, ["JW"])]


def test_volumes_given_row_by_row_under_a_drug_heading() -> None:
    r = code_of(
        "Procedure: consent signed.\nVolumes per muscle (1% lidocaine):\n  R rectus femoris - 3 mL (2 sites)\n"
        "  R vastus medialis - 2 mL (1 site), plus dexamethasone 10 mg/mL 0.4 mL (4 mg)\nPlan: recheck 6 wks."
    )
    assert med(r, "lidocaine").dose_mg == 50 and drug_lines(r) == [("J1100", 4, [])]


def test_a_paragraph_pasted_twice_is_read_once() -> None:
    para = (
        "PROCEDURE: Trigger point injections. The right piriformis (2 sites) and the left piriformis (2 sites) were "
        "injected with a total of 0.25% bupivacaine 8 mL mixed with Kenalog-40 1 mL (40 mg)."
    )
    r = code_of(para + "\n\n" + para + "\n\nRESPONSE: Pain 7/10 before, 2/10 after.")
    assert drug_lines(r) == [("J3301", 4, [])] and med(r, "bupivacaine").dose_mg == 20


def test_a_flowsheet_row_that_says_held() -> None:
    r = code_of(
        "TRIGGER POINT DRY NEEDLING (solid filament, no injectate):\n    L upper trapezius ........ needled, 3 LTRs\n"
        "    L levator scapulae ....... needled, 2 LTRs\n    L infraspinatus .......... held today (sunburn); not needled\n"
    )
    assert procedure(r) == ("20560", 2)


# ---------------------------------------------------------------------------- blind batch 1256-1315


def test_a_letter_style_note_after_an_impression_line() -> None:
    r = code_of(
        "Impression: myofascial pain syndrome of the left gluteal region (M79.18).\n\nWith her lying prone, I cleaned "
        "the skin. Guided by palpation, I used a 25-gauge 2-inch needle for three trigger points in the left gluteus "
        "medius and a 22-gauge needle for one trigger point in the left piriformis. The injectate was 4 mL of 0.5% "
        "bupivacaine.\n\nShe tolerated it well."
    )
    assert procedure(r) == ("20552", 2)


def test_template_rows_with_a_part_and_a_side_column() -> None:
    r = code_of(
        "Procedure: trigger point injections\n    Muscle                     Side          # injections\n"
        "    Trapezius (upper)          Bilateral     2 each side\n    Levator scapulae           Right         1\n"
        "    Deltoid, posterior         Left          1\n    Rhomboid major             Left          0\n"
        "      lidocaine 1% (10 mg/mL) injection - 6 mL\n      triamcinolone acetonide (Kenalog-40) 40 mg/mL - 0.5 mL\n"
    )
    assert procedure(r) == ("20553", 4)
    assert med(r, "lidocaine").dose_mg == 60 and drug_lines(r) == [("J3301", 2, [])]


def test_a_vial_line_ending_in_a_colon_and_the_amounts_below_it() -> None:
    r = code_of(
        "TPI bilateral gluteus medius x2 each.\nMethylprednisolone acetate (Depo-Medrol) 80 mg/mL, 1 mL single-dose "
        "vial:\n   administered 0.5 mL (40 mg) | wasted 0.5 mL (40 mg), witnessed"
    )
    assert sorted(drug_lines(r)) == [("J1010", 40, []), ("J1010", 40, ["JW"])]


def test_a_previous_visit_block_and_drug_corrections_in_an_addendum() -> None:
    r = code_of(
        "From 3/4 visit:\n  Procedure: TPI L upper trapezius x2, L rhomboid major x1. 1% lidocaine 5 mL + Kenalog-40 1 mL.\n\n"
        "Procedure today: Injected: L upper trapezius x2, L levator scapulae x1. Injectate: 1% lidocaine 4 mL + "
        "dexamethasone 4 mg."
    )
    assert drug_lines(r) == [("J1100", 4, [])] and med(r, "lidocaine").dose_mg == 40
    r = code_of(
        "I injected the left piriformis and the left gluteus maximus with 1% lidocaine 5 mL mixed with Kenalog 40 mg.\n"
        "ADDENDUM: medication correction: the corticosteroid was Depo-Medrol 40 mg. Kenalog was NOT given; \"Kenalog 40 "
        "mg\" in the procedure paragraph was dictated in error."
    )
    assert drug_lines(r) == [("J1010", 40, [])]
    r = code_of(
        "I injected the right pectoralis major and right serratus anterior with Depo-Medrol 80 mg.\nADDENDUM (N. Haddad, "
        "DO): Dose correction. The Depo-Medrol dose was 40 mg, not eighty milligrams as transcribed."
    )
    assert drug_lines(r) == [("J1010", 40, [])]


def test_a_correction_line_that_withdraws_a_muscle() -> None:
    r = code_of(
        "PROCEDURE: I injected the left rhomboid major, the left rhomboid minor and the left middle trapezius with 0.5% "
        "lidocaine 6 mL.\nPLAN: HEP.\nCORRECTION (addendum, E. Fontaine, MD, 07/30/2025): The left rhomboid minor was "
        "examined but NOT injected."
    )
    assert procedure(r) == ("20552", 2)


def test_drug_columns_in_a_site_table_with_a_totals_row() -> None:
    r = code_of(
        "| Site  | Muscle              | Side | Lidocaine 1% (mL) | Kenalog-40 (mL) |\n"
        "|-------|---------------------|------|-------------------|-----------------|\n"
        "| 1     | Quadratus lumborum  | R    | 2.0               | 0.25            |\n"
        "| 2     | Quadratus lumborum  | L    | 2.0               | 0.25            |\n"
        "| 3     | Gluteus medius      | R    | 2.0               | 0.25            |\n"
        "| TOTAL | 3 muscles           |      | 6.0 (60 mg)       | 0.75 (30 mg)    |\n"
    )
    assert med(r, "lidocaine").dose_mg == 60 and drug_lines(r) == [("J3301", 3, [])]


def test_side_grids_with_a_count_column_and_injection_counts_under_an_exam() -> None:
    r = code_of(
        "Muscle                              Left   Right   Sites\nExtensor carpi radialis brevis       ☐      ☑       2\n"
        "Supinator                            ☐      ☐       -\nExtensor digitorum                   ☐      ☑       1\n\n"
        "Local anesthetic: lidocaine 1% 3 mL"
    )
    assert muscles(r) == {("extensor carpi radialis brevis", "right", "injection"), ("extensor digitorum", "right", "injection")}
    r = code_of(
        "Exam: taut bands.\nREGION 1 (number of injections)\n    Muscle                    R     L\n"
        "    Upper trapezius           2     0\n    Levator scapulae          0     0\n\nMedication: lidocaine 1% 4 mL"
    )
    assert muscles(r) == {("trapezius", "right", "injection")}
    r = code_of(
        "Exam: taut bands in the left trapezius and rhomboid major.\n\n  Site   Muscle               Side   Volume\n"
        "  1      Upper trapezius      L      1.75 mL\n  2      Rhomboid major       L      1.75 mL\n\nInjectate: lidocaine 1% 3.5 mL"
    )
    assert procedure(r) == ("20552", 2)


def test_a_side_in_brackets_is_its_muscles_own() -> None:
    r = code_of("Muscles injected: splenius capitis, semispinalis capitis, levator scapulae (right only)\nSide: Bilateral\nLidocaine 1% 5 mL")
    assert procedure(r) == ("20553", 5)


def test_hash_counts_in_a_sided_list_and_a_dictated_side_after_a_name() -> None:
    r = code_of("1) TPI to left-sided QL (#2), glut med (#2) and glut min (#1). Inj: 2% lido 3 mL")
    assert muscles(r) == {
        ("quadratus lumborum", "left", "injection"), ("gluteus medius", "left", "injection"),
        ("gluteus minimus", "left", "injection"),
    }
    r = code_of(
        "procedure colon dry needling comma no injectate comma to the gastrocnemius bilaterally and the right soleus "
        "period tolerated well period"
    )
    assert procedure(r) == ("20561", 3)


# ---------------------------------------------------------------------------- blind batch 1316-1375


def test_dry_needling_discussed_offered_held_or_left_to_the_therapist_is_not_done() -> None:
    r = code_of(
        "S: Last visit we discussed adding trigger point dry needling to the R SCM and R upper trapezius.\n"
        "Treatment:\n- Trigger point dry needling offered for the R SCM and R upper trapezius.\n"
        "- Patient DECLINED dry needling today. No needling performed.\n"
        "- 97140 x2 (25 min): manual trigger point release R SCM and R upper trapezius."
    )
    assert procedure(r) == (None, 0)
    r = code_of(
        "- Dry needling HELD today (prolonged post-needling soreness).\n- 97140 x1 (10 min): STM/IASTM R TFL and R "
        "vastus lateralis;\n- 97110 x2 (25 min): side-lying hip abduction.\nP: if needling is not cleared, continue manual."
    )
    assert procedure(r) == (None, 0)
    assert {f.check for f in r.findings} <= {"NO_TPI"}
    r = code_of(
        "Injected: R upper trapezius x2, R levator scapulae x1 with lidocaine 1% 3 mL.\n"
        "Plan: the PT may continue needling the infraspinatus at her discretion."
    )
    assert muscles(r) == {("trapezius", "right", "injection"), ("levator scapulae", "right", "injection")}


def test_a_manual_only_row_and_a_manual_column() -> None:
    r = code_of(
        "TRIGGER POINT DRY NEEDLING (no injectate):\n  R gluteus medius ........ 3 LTRs\n  R piriformis ............ 2 LTRs\n"
        "  R TFL ................... STM only (see 97140);\n"
    )
    assert procedure(r) == ("20560", 2)
    r = code_of(
        "Dry needling today.\n    Muscle               Side    Manual / STM (97140)    TrP dry needling (no injectate)\n"
        "    Infraspinatus         L            [X]                        [ ]\n"
        "    Teres major           L            [ ]                        [X]  2 LTRs\n"
    )
    assert muscles(r) == {("teres major", "left", "dry_needling")}


def test_a_20561_billed_for_two_needled_muscles_is_a_code_mismatch() -> None:
    r = code_of(
        "Dry needling, no injectate: R gluteus medius and R piriformis, local twitch responses. Tolerated well.",
        billed_lines=[{"code": "20561"}],
    )
    checks = {f.check for f in r.findings}
    assert "CODE_MISMATCH" in checks and "COUNT_BELOW_20553" not in checks


def test_amounts_and_sessions_in_operative_reports() -> None:
    r = code_of(
        "The injectate was the entire contents of a 1 mL single-dose vial of Depo-Medrol (40 mg/mL, 40 mg) mixed with "
        "5 mL of 1% lidocaine; none of the steroid was wasted. The left infraspinatus and left teres major were injected."
    )
    assert drug_lines(r) == [("J1010", 40, ["JZ"])]
    r = code_of(
        "Using a 27-gauge needle and after a negative aspiration at each site, 0.5 mL of 2% lidocaine without "
        "epinephrine was injected at each of 8 sites in the right and left splenius capitis."
    )
    assert med(r, "lidocaine").dose_mg == 80
    r = code_of(
        "Trigger point injection log\nDate         Muscles                              Injectate\n"
        "10/21/2024   L quadratus lumborum             0.5% bupivacaine 5 mL + Kenalog-40 1 mL\n"
        "06/02/2025   L quadratus lumborum             0.5% bupivacaine 5 mL\n"
    )
    assert drug_lines(r) == []


def test_an_ordinal_needle_today_is_not_a_session_and_pain_at_discharge() -> None:
    r = code_of(
        "The left rhomboid major and left middle trapezius were injected with lidocaine 1% 4 mL. She felt lightheaded "
        "after the fourth injection and asked to stop. Pain 6/10 before treatment, 4/10 at discharge."
    )
    checks = {f.check for f in r.findings}
    assert "REPEAT_RELIEF_MISSING" not in checks and "RESPONSE_MISSING" not in checks


def test_a_side_after_bracketed_notes_and_tpis_here_on_dates() -> None:
    r = code_of(
        "The temporalis (anterior and middle fibers, 2 sites) and masseter (superficial part, 2 sites) on the left were "
        "injected. Xylocaine 2% 1 mL."
    )
    assert muscles(r) == {("temporalis", "left", "injection"), ("masseter", "left", "injection")}
    r = code_of(
        "- TPIs here 08/11/2024, 11/17/2024 and 03/30/2025 - each gave 60-70% relief lasting 12 wks\n"
        "- R QL x2, L QL x2\n- 0.5% bupivacaine 6 mL"
    )
    assert "FREQUENCY_LIMIT" in {f.check for f in r.findings}


def test_a_new_problem_visit_title_is_not_a_separate_problem() -> None:
    r = code_of(
        "SPORTS & SPINE CLINIC - NEW PROBLEM VISIT WITH PROCEDURE\nA: myofascial pain, R shoulder girdle.\n"
        "Procedure: I injected the R infraspinatus and R teres minor with dexamethasone 6 mg. Tolerated well. 99213-25.",
        diagnoses=["M79.18"],
    )
    assert "EM_NOT_SEPARATE" in {f.check for f in r.findings}


# ---------------------------------------------------------------------------- blind batch 1376-1420


def test_a_side_label_over_a_list_of_sites_after_a_history_field() -> None:
    r = code_of(
        "Hx: 64M, R thigh pain x 6 mo; failed PT 8 wk. No prior TPI.\nRight: vastus lateralis #2, rectus femoris #1, "
        "vastus medialis #1\nInjectate: Carbocaine 1% 5 mL\nPre 7/10 / Post 2/10."
    )
    assert procedure(r) == ("20553", 3)
    assert {m.laterality for m in r.muscles} == {"right"}


def test_an_e_m_level_corrected_in_an_addendum() -> None:
    r = code_of(
        "A/P: 1. Myofascial pain R forearm. 2. Acute sinusitis: start amoxicillin-clavulanate. Separately identifiable.\n"
        "Procedure: I injected the R brachioradialis and R supinator with Kenalog-10 2 mL. Tolerated well.\n"
        "Charges: 99213-25, 20552, J3301 x2.\nADDENDUM: the E/M level should read 99214-25, not 99213.",
        diagnoses=["M79.18", "J01.00"],
    )
    assert ("99214", 1, ["25"]) in lines(r) and not any(ln.code == "99213" for ln in r.lines)


# ---------------------------------------------------------------------------- blind batch 1421-1456


def test_manual_only_items_and_cells_beside_needled_ones() -> None:
    r = code_of(
        "Dry needling, no injectate:\n  - R upper trapezius: 3 LTRs\n  - R levator scapulae: 2 LTRs\n"
        "  - R SCM: pincer STM only, 3 min; not needled (will reassess)."
    )
    assert procedure(r) == ("20560", 2)
    r = code_of(
        "Dry needling today.\n    Muscle               | LEFT                    | RIGHT\n"
        "    Upper trapezius      | DN, 2 insertions, 3 LTR | DN, 2 insertions, 2 LTR\n"
        "    Levator scapulae     | DN, 1 insertion, 2 LTR  | STM only - not needled\n"
    )
    assert procedure(r) == ("20561", 3)
    r = code_of("20560  Trigger point dry needling - DECLINED by patient today; manual release R upper trapezius instead.")
    assert procedure(r) == (None, 0) and {f.check for f in r.findings} <= {"NO_TPI"}


def test_spoken_icd_codes_keep_their_letter_and_digits() -> None:
    r = code_of(
        "diagnosis colon chest wall pain comma R zero seven point eight nine period she did six weeks of physical "
        "therapy without relief period I injected the left pectoralis major period lidocaine three cc's period "
        "tolerated well period"
    )
    assert "DX_NOT_COVERED" in {f.check for f in r.findings}
    r = code_of(
        "diagnosis colon tension type headache comma G forty four point two two nine period I injected the left "
        "temporalis period lidocaine two cc's period tolerated well period"
    )
    assert "DX_NOT_COVERED" not in {f.check for f in r.findings}


def test_spoken_dates_of_earlier_sessions() -> None:
    # a year said once for a list, a year said as "twenty twenty five", and no year at all
    spoken = (
        "history colon she has had trigger point injections here on march fourth comma june tenth and september "
        "twenty third of twenty twenty four period procedure colon I injected the right quadratus lumborum period "
        "lidocaine two cc's period tolerated well period"
    )
    r = code_of(spoken, date_of_service="2025-01-14")
    assert [str(p.date) for p in r.prior_sessions] == ["2024-03-04", "2024-06-10", "2024-09-23"]
    assert "FREQUENCY_LIMIT" in {f.check for f in r.findings}
    r = code_of(spoken.replace("of twenty twenty four", "twenty twenty four"), date_of_service="2025-01-14")
    assert [str(p.date) for p in r.prior_sessions] == ["2024-03-04", "2024-06-10", "2024-09-23"]
    # a month and day without a year is the latest such day before the date of service
    r = code_of(
        "History: trigger point injections here on June 17 and October 14 last year and on February 10.\n"
        "Procedure: the right masseter was injected with 1 mL of 1% lidocaine.",
        date_of_service="2026-06-16",
    )
    assert [str(p.date) for p in r.prior_sessions] == ["2025-06-17", "2025-10-14", "2026-02-10"]


def test_relief_after_an_earlier_session_in_dictated_scores() -> None:
    note = (
        "she has had trigger point injections here on february tenth of this year period after the february "
        "injections her pain went from eight out of ten down to three out of ten comma and it stayed down for about "
        "ten weeks period procedure colon I injected the right masseter period lidocaine one cc period pain seven out "
        "of ten before comma two out of ten after period"
    )
    r = code_of(note, date_of_service="2026-06-16")
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}
    r = code_of(note.replace("comma and it stayed down for about ten weeks ", ""), date_of_service="2026-06-16")
    assert "REPEAT_RELIEF_MISSING" in {f.check for f in r.findings}


def test_a_dictated_age_after_a_is_not_joined_to_it_as_an_icd_letter() -> None:
    from tpicode.read import lower_same_length, normalize

    note = "the patient is a seventy year old woman comma diagnosis M seventy nine point one eight period"
    _text, low, _back = normalize(note, lower_same_length(note))
    assert "is a 70 year old" in low and "m79.18" in low


def test_the_sum_after_equals_is_not_the_last_drugs_volume() -> None:
    r = code_of(
        "Procedure: TPI to the left upper trapezius and left levator scapulae.\n"
        "Syringe contents: 1% lidocaine 4.5 mL + Kenalog-40 (triamcinolone acetonide 40 mg/mL) 0.5 mL = 5.0 mL."
    )
    assert (med(r, "triamcinolone acetonide").dose_mg, med(r, "lidocaine").volume_ml) == (20, 4.5)
    assert ("J3301", 2, []) in drug_lines(r)


def test_a_no_cell_after_a_piped_side_column_is_not_injected() -> None:
    r = code_of(
        "Trigger point injections, palpation guided, 1% lidocaine 5 mL.\n"
        "| # | Muscle            | Side | Trigger point confirmed | Sites injected |\n"
        "|---|-------------------|------|-------------------------|----------------|\n"
        "| 1 | Upper trapezius   | L    | Yes                     | 2              |\n"
        "| 2 | Levator scapulae  | L    | Yes                     | 1              |\n"
        "| 3 | Levator scapulae  | R    | No                      | 0              |\n"
    )
    assert muscles(r) == {("trapezius", "left", "injection"), ("levator scapulae", "left", "injection")}


def test_a_field_dated_before_the_visit_is_that_days_record() -> None:
    note = (
        "Procedure 04/29/2025 (carried forward): TPI R rhomboid major x2; 0.5% bupivacaine 4 mL + Kenalog-40 1 mL (40 mg).\n"
        "PROCEDURE: TPI R rhomboid major x2 sites, R rhomboid minor x1 site.\n"
        "Injectate: 0.25% bupivacaine 8 mL + triamcinolone acetonide 40 mg/mL 0.5 mL (20 mg)."
    )
    r = code_of(note, date_of_service="2025-06-24")
    assert med(r, "triamcinolone acetonide").dose_mg == 20 and ("J3301", 2, []) in drug_lines(r)
    r = code_of(note.replace("04/29/2025", "06/24/2025"), date_of_service="2025-06-24")
    assert med(r, "triamcinolone acetonide").dose_mg != 20


def test_an_abbreviation_the_note_defines_names_that_muscle_later() -> None:
    note = (
        "Exam: taut bands in B/L upper trapezius (UT) and R levator scapulae (LS).\n"
        "Inj: B/L UT x2 sites ea, R LS x1 site. lido 1% 4 cc."
    )
    r = code_of(note)
    assert muscles(r) == {
        ("trapezius", "left", "injection"), ("trapezius", "right", "injection"), ("levator scapulae", "right", "injection")
    }
    # undefined, "LS" is not a muscle (it is as often the lumbosacral spine)
    r = code_of(note.replace(" (LS)", ""))
    assert procedure(r) == ("20552", 2)


def test_claim_talk_that_names_a_tpi_does_not_report_one() -> None:
    r = code_of(
        "CLAIM AUDIT EXERCISE\nThe claim below was built as a trigger point injection because two muscles are named.\n"
        "Procedure: Left first dorsal compartment tendon sheath injection between the abductor pollicis longus and "
        "extensor pollicis brevis tendons. Injected Kenalog-40 0.5 mL. No trigger point injection was performed.",
        billed_lines=[{"code": "20552", "units": 1}],
    )
    found = {f.check for f in r.findings}
    assert r.procedure is None or r.procedure.code is None
    assert "CODE_MISMATCH" in found and "MUSCLE_NOT_NAMED" not in found


def test_a_present_tense_needle_advanced_into_a_muscle_is_the_injection() -> None:
    r = code_of(
        "Coding scenario: trigger point injections. Under real-time ultrasound guidance, a 22-gauge spinal needle is advanced in plane into the "
        "left gluteus minimus and then into the left piriformis, and 6 mL of 0.25% bupivacaine is seen spreading "
        "within each muscle after negative aspiration. Pain goes from 8/10 to 3/10."
    )
    assert procedure(r) == ("20552", 2)


def test_per_site_amounts_after_each_of_the_k_sites_and_a_named_muscles_sites() -> None:
    r = code_of(
        "PROCEDURE: Trigger point injections, right quadratus lumborum and right gluteus medius.\n"
        "Sites: right quadratus lumborum x2, right gluteus medius x2 (4 sites).\n"
        "Each of the 4 sites received 1% lidocaine 2 mL. The 2 quadratus lumborum sites also each received "
        "methylprednisolone acetate (Depo-Medrol) 40 mg/mL, 0.5 mL, drawn into the same syringe; the gluteus medius "
        "sites received lidocaine only."
    )
    assert (med(r, "lidocaine").dose_mg, med(r, "methylprednisolone acetate").dose_mg) == (80, 40)


def test_nothing_was_injected_into_a_needled_muscle() -> None:
    note = (
        "PROCEDURE:\n1. Trigger point injections: right quadratus lumborum and right gluteus medius. Injectate: 1% "
        "lidocaine 4 mL mixed with Kenalog-40 1 mL, divided among the 4 sites.\n2. Dry needling: the right piriformis "
        "was needled without injectate, 6 passes, several local twitch responses. Nothing was injected into the right "
        "piriformis.\n"
    )
    r = code_of(note)
    assert ("piriformis", "right", "dry_needling") in muscles(r) and procedure(r) == ("20552", 2)
    assert ("20560", 1, []) in lines(r)


def test_a_table_rows_volume_for_a_slash_mix_is_neither_drugs() -> None:
    r = code_of(
        "Trigger point injections, palpation guided.\n"
        "| Muscle            | Side | # injections | Volume  | Drug              |\n"
        "| Upper trapezius   | L    | 2            | 2.0 mL  | lido/TAC mix      |\n"
        "| Levator scapulae  | L    | 2            | 2.0 mL  | lido/TAC mix      |\n\n"
        "Mix: lidocaine 1% 5 mL + Kenalog-40 (triamcinolone 40 mg/mL) 1 mL (40 mg) = 6 mL, all given as above.\n"
    )
    assert (med(r, "lidocaine").dose_mg, med(r, "triamcinolone acetonide").dose_mg) == (50, 40)


def test_a_wasted_field_that_says_none_is_not_a_waste() -> None:
    r = code_of(
        "TPI R gluteus medius and R piriformis, palpation guided.\n"
        "Steroid: dexamethasone sodium phosphate 10 mg/mL\n   Vial: [x] single-dose 1 mL   [ ] multi-dose\n"
        "   Given: 1 mL (10 mg)    Wasted: none (entire vial used)\n"
    )
    assert drug_lines(r) == [("J1100", 10, ["JZ"])]


def test_conservative_care_fields_ticked_blank_and_with_a_duration() -> None:
    base = (
        "Dx: M79.18 myofascial pain syndrome. Exam: taut bands with referral in the R gluteus medius.\n"
        "{care}\nPrior TPI: none\nProcedure: TPI R gluteus medius, 1% lidocaine 3 mL. Pain 7/10 -> 2/10, tolerated well.\n"
    )
    ticked = code_of(base.format(care="Conservative care (>= 6 wks): [x] PT   [x] HEP   [x] NSAID (meloxicam 15 mg)"))
    assert "NECESSITY_MISSING" not in {f.check for f in ticked.findings}
    blank = code_of(base.format(care="Conservative care tried (>= 6 weeks):  [ ] PT   [ ] NSAIDs   [ ] Home exercise"))
    assert "NECESSITY_MISSING" in {f.check for f in blank.findings}
    below = code_of(base.format(care="CONSERVATIVE CARE TRIED >= 6 WEEKS (tick):\n[x] Physical therapy (10 visits)  [x] NSAID"))
    assert "NECESSITY_MISSING" not in {f.check for f in below.findings}


def test_a_site_blocks_zero_injections_and_a_flowsheets_laterality_rows() -> None:
    r = code_of(
        "Procedure: Trigger point injections\nInjectate: lidocaine 1% 4 mL\n\nSite 1\n  Muscle: Rhomboid major\n  Side: Left\n"
        "  Injections: 2\n\nSite 2\n  Muscle: Infraspinatus\n  Side: Left\n  Injections: 0\n  Comment: deferred\n"
    )
    assert muscles(r) == {("rhomboid major", "left", "injection")}
    r = code_of(
        "FLOWSHEET - Trigger Point Injection\n"
        "TPI Site 1 Muscle                       Gluteus maximus\n"
        "TPI Site 1 Laterality                   Left\n"
        "TPI Site 1 # Injections                 2\n"
        "TPI Site 2 Muscle                       Piriformis\n"
        "TPI Site 2 Laterality                   Left\n"
        "TPI Site 2 # Injections                 0\n"
        "Local Anesthetic                        Ropivacaine 0.5% 6 mL\n"
    )
    assert muscles(r) == {("gluteus maximus", "left", "injection")}


def test_a_syringe_field_after_the_exam_is_the_procedures() -> None:
    r = code_of(
        "Exam: taut bands in the R upper trapezius and R levator scapulae.\n"
        "Consent signed; palpation guided; 25 G needle.\nSyringe: lidocaine 1% 3.5 mL + Kenalog-40 0.5 mL (20 mg)\n\n"
        "INJECTION LOG\n  10:14  R upper trapezius    site 1   0.8 mL\n  10:16  R levator scapulae   site 1   0.8 mL\n"
    )
    assert med(r, "triamcinolone acetonide").dose_mg == 20


def test_an_unticked_box_alone_on_its_line_blanks_the_whole_line() -> None:
    r = code_of(
        "DIAGNOSES (check all that apply)\n    [ ] M79.18   Myofascial pain syndrome\n    [x] M54.2    Cervicalgia\n"
        "Exam: taut bands in the left splenius capitis. Failed PT x 8 weeks.\n"
        "Procedure: TPI left splenius capitis, 1% lidocaine 2 mL. Pain 6/10 -> 2/10.\n"
    )
    assert "DX_NOT_COVERED" in {f.check for f in r.findings}


def test_a_pipe_in_a_title_line_leaves_an_aligned_side_grid_readable() -> None:
    r = code_of(
        "athenaOne | Procedure Documentation | Trigger Point Injection\n\n"
        "MUSCLES INJECTED          LEFT    RIGHT\n"
        "Upper trapezius            ☑       ☑\n"
        "Levator scapulae           ☑       ☐\n"
        "Rhomboid minor             ☐       ☐\n\n"
        "Medications: Lidocaine 1% - 4 mL\n"
    )
    assert muscles(r) == {
        ("trapezius", "left", "injection"), ("trapezius", "right", "injection"), ("levator scapulae", "left", "injection")
    }


def test_an_injection_item_after_a_dry_needling_item_is_an_injection() -> None:
    r = code_of(
        "Procedure (consent signed, R side-lying, chlorhexidine prep, palpation guided):\n"
        "1. Dry needling first, 0.30 x 75 mm solid filament needle: L quadratus lumborum, L gluteus medius.\n"
        "2. Then trigger point injections into the same two muscles: L quadratus lumborum x2 sites, L gluteus medius x1.\n"
        "   Injectate: 0.5% bupivacaine 6 mL + Kenalog-40 1 mL (40 mg).\n"
    )
    assert muscles(r) == {("quadratus lumborum", "left", "injection"), ("gluteus medius", "left", "injection")}
    assert ("J3301", 4, []) in drug_lines(r)
    r = code_of(
        "Procedure (consent, prone, alcohol prep, palpation guided):\n"
        "1) Dry needling, 0.30 x 40 mm needle: R upper trapezius, R levator scapulae, R rhomboid minor.\n"
        "2) TPI after needling: R upper trapezius x2 sites and R levator scapulae x1 site; 1% lidocaine 3 mL.\n"
    )
    assert ("rhomboid minor", "right", "dry_needling") in muscles(r) and procedure(r) == ("20552", 2)


def test_a_long_procedure_heading_starts_the_procedure_and_keeps_its_words() -> None:
    r = code_of(
        "Indications:\n1. R subacromial bursitis (M75.51).\n2. Myofascial pain, R shoulder girdle (M79.18).\n\n"
        "Procedure 1 - R subacromial bursa injection, posterior approach, landmark guided:\n"
        "22 g needle into the subacromial space; Kenalog-40 1 mL (40 mg) + 0.5% bupivacaine 3 mL injected.\n\n"
        "Procedure 2 - Trigger point injections, R upper trapezius, R infraspinatus:\n"
        "R upper trapezius x2 sites, R infraspinatus x2 sites. Injectate: 1% lidocaine 4 mL + dexamethasone 4 mg.\n"
    )
    assert procedure(r) == ("20552", 2) and drug_lines(r) == [("J1100", 4, [])]


def test_chemodenervation_sites_and_toxin_are_that_procedures() -> None:
    r = code_of(
        "This man with cervical dystonia returns for his scheduled botulinum toxin treatment, cycle 5.\n\n"
        "Procedure 1, chemodenervation for cervical dystonia (64616) with EMG guidance: Botox 200-unit vial. The left "
        "sternocleidomastoid received 60 units and the right splenius capitis 80 units. The remaining 60 units were "
        "discarded.\n\n"
        "Procedure 2, trigger point injections: the right rhomboid major and the right middle trapezius were injected "
        "with 6 mL of 0.25% bupivacaine and 0.5 mL of Kenalog-40 (20 mg).\n"
    )
    assert muscles(r) == {("rhomboid major", "right", "injection"), ("trapezius", "right", "injection")}
    assert drug_lines(r) == [("J3301", 2, [])]


def test_a_time_after_a_drug_given_for_another_reason_is_not_a_dose() -> None:
    r = code_of(
        "P / Procedures:\n1. Trigger point injections: L quadratus lumborum x2 sites; 0.5% bupivacaine 6 mL.\n"
        "2. Ketorolac (Toradol) 60 mg IM given by the RN in the R ventrogluteal site.\n"
        "Continue HEP; no oral NSAIDs for 24 h after the ketorolac.\n"
    )
    assert not [ln for ln in lines(r) if ln[0] == "J1885"]


def test_the_rest_of_a_manual_therapy_item_is_hands_on() -> None:
    r = code_of(
        "Interventions:\n1. Trigger point dry needling, no injectate:\n   - L upper trapezius: 3 LTRs\n"
        "   - L levator scapulae: 2 LTRs\n"
        "2. Manual therapy (97140), 12 min: ischemic compression and STM to the L rhomboid major; suboccipital release; "
        "upper thoracic PA mobs.\n"
    )
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings} and procedure(r) == ("20560", 2)


def test_a_numbered_procedure_title_line_heads_its_fields() -> None:
    r = code_of(
        "Procedure 1 - Trigger point injections\nMuscles: left upper trapezius (2 sites), left levator scapulae (1 site)\n"
        "Injectate: 1% lidocaine 3 mL + Kenalog-40 0.5 mL (20 mg)\n\n"
        "Procedure 2 - Dry needling (no injectate)\nMuscles: left infraspinatus, left teres minor, left rhomboid major\n"
        "Technique: solid filament needles, pistoning. No medication was injected into these three muscles.\n"
    )
    assert procedure(r) == ("20552", 2) and ("20561", 1, []) in lines(r)


def test_needled_muscles_stay_needled_when_later_said_not_injected() -> None:
    r = code_of(
        "Procedure: Consent signed; prone; palpation guided.\n"
        "1) Dry needling: solid filament needles into the right quadratus lumborum, right gluteus medius and right "
        "piriformis.\n2) Trigger point injections: the right gluteus medius and right piriformis were then injected with "
        "0.25% bupivacaine 6 mL. The right quadratus lumborum was not injected.\n"
    )
    assert ("quadratus lumborum", "right", "dry_needling") in muscles(r) and ("20560", 1, []) in lines(r)


def test_a_hip_injection_is_another_procedure() -> None:
    r = code_of(
        "Coding Exercise 9 - Hip injections\nThe physician injects the right greater trochanteric bursa with Kenalog-40 "
        "1 mL. The physician plans trigger point injections of the right gluteus medius at the next visit.\n"
    )
    assert r.procedure is None or r.procedure.code is None
    assert not {"MUSCLE_NOT_NAMED", "DRUG_NOT_DOCUMENTED"} & {f.check for f in r.findings}


def test_a_relief_duration_in_the_next_clause() -> None:
    note = (
        "Interval history: first TPI session here on 02/04/2025. Pain fell from 7/10 to 2/10 (about 70% relief) and "
        "headache days from 20 to 6 per month; the benefit lasted about 11 weeks.\n"
        "Procedure: TPI right splenius capitis, 1% lidocaine 2 mL. Pain 6/10 -> 2/10.\n"
    )
    r = code_of(note, date_of_service="2025-06-10", prior_sessions=["2025-02-04"])
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_sides_said_as_on_the_right_and_on_the_left_and_slash_columns() -> None:
    r = code_of("I injected the splenius capitis on the right and on the left, two sites each. Lidocaine 1% 2 mL.")
    assert procedure(r) == ("20552", 2)
    r = code_of(
        "Muscles injected (side / muscle / # sites):\n    Left / pectoralis major / 2\n    Left / pectoralis minor / 1\n"
        "Medication: lidocaine 1% 3 mL\n"
    )
    assert muscles(r) == {("pectoralis major", "left", "injection"), ("pectoralis minor", "left", "injection")}


def test_a_title_naming_region_injections_is_not_a_site() -> None:
    r = code_of(
        "Coding Scenario 14 - Head and neck injections\nThe physician performs bilateral greater occipital nerve "
        "blocks with 2 mL of 0.5% bupivacaine and 10 mg of triamcinolone around each nerve. Trigger point injections "
        "of the semispinalis capitis are not performed today.\n"
    )
    assert r.procedure is None or r.procedure.code is None
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings}


def test_a_procedure_log_after_the_exam_is_the_procedure() -> None:
    r = code_of(
        "Exam (provider): taut bands in the R upper trapezius and R levator scapulae.\n"
        "13:55  Consent signed.\n"
        "13:59  Syringe prepared: 1% lidocaine 3 mL + dexamethasone sodium phosphate 4 mg/mL 1 mL (4 mg).\n\n"
        "  Time   Site                        Vol     Asp\n"
        "  14:02  R upper trapezius #1        1 mL    neg\n"
        "  14:05  R levator scapulae          1 mL    neg\n"
    )
    assert procedure(r) == ("20552", 2) and drug_lines(r) == [("J1100", 4, [])]
    r = code_of(
        "Exam: recurrent taut bands in both splenius capitis.\nConsent: Signed. Prep: alcohol. Palpation guided.\n"
        "| Side | Muscle            | Injections |\n|------|-------------------|------------|\n"
        "| L    | Splenius capitis  | 2          |\n| R    | Splenius capitis  | 2          |\n"
        "Injectate: bupivacaine 0.5% 3 mL total.\n"
    )
    assert procedure(r) == ("20552", 2)


def test_fields_of_a_form_location_medication_given_and_guidance_no() -> None:
    r = code_of(
        "Procedure: Trigger point injection\nFindings: taut band in the right upper trapezius.\n\n"
        "Location(s): right upper trapezius; right levator scapulae\n"
        "Medication(s): lidocaine 1% 3 mL; ketorolac (Toradol) 30 mg/mL, 1 mL (30 mg)\n"
        "Ultrasound guidance:                 No\n"
    )
    assert procedure(r) == ("20552", 2) and lines(r) == [("20552", 1, []), ("J1885", 2, [])]
    r = code_of(
        "Exam: taut bands in the left and right levator scapulae.\nProcedure: TPI both levator scapulae.\n\nMEDICATIONS\n"
        "  Given: methylprednisolone acetate (Depo-Medrol) 40 mg/mL, 0.5 mL (20 mg) injected.\n"
    )
    assert ("J1010", 20, []) in drug_lines(r)


def test_a_side_grid_with_bracketed_counts_a_part_cell_and_a_ticked_row_without_side() -> None:
    r = code_of(
        "Dry needling, injectate: none.\n"
        "Muscle                   L (# insertions)    R (# insertions)\n"
        "Gastrocnemius (medial)   3                   0\n"
        "Soleus                   2                   0\n"
    )
    assert muscles(r) == {("gastrocnemius", "left", "dry_needling"), ("soleus", "left", "dry_needling")}
    r = code_of(
        "Procedure: Trigger point injections, 1% lidocaine 3 mL.\n"
        "    Muscles                    L      R\n"
        "      Rhomboid major          [ ]    [x]\n"
        "      Trapezius (middle)      [ ]    [x]\n"
    )
    assert muscles(r) == {("rhomboid major", "right", "injection"), ("trapezius", "right", "injection")}
    r = code_of(
        "TPI today, 1% lidocaine 3 mL.\n    [x] Trapezius (upper)        Side: [x] L  [ ] R\n"
        "    [x] Sternocleidomastoid      Side: [ ] L  [ ] R\n    [ ] Infraspinatus            Side: [ ] L  [ ] R\n"
    )
    assert ("sternocleidomastoid", "unspecified", "injection") in muscles(r)
    assert "LATERALITY_MISSING" in {f.check for f in r.findings}


def test_amounts_around_a_mixture_total_and_a_bracketed_preservative_free() -> None:
    r = code_of(
        "TPI R infraspinatus.\nMedication: Depo-Medrol 40 mg/mL, 1 mL; mixed with 1% lidocaine 4 mL (total 5 mL)\n"
    )
    assert med(r, "lidocaine").dose_mg == 40
    r = code_of("TPI R quadratus lumborum.\nInjectate: ropivacaine 0.5% (preservative-free) 6 mL + Kenalog-40 1 mL.\n")
    assert med(r, "ropivacaine").dose_mg == 30


def test_a_history_table_relief_and_a_dated_drop_with_an_arrow() -> None:
    r = code_of(
        "Interval: after the 03/04/2025 injections she had 70% fewer headache days (NRS 7/10 -> 2/10) for 9 weeks.\n"
        "Procedure: TPI left splenius capitis, bupivacaine 0.5% 3 mL. Pain 6/10 -> 2/10.\n",
        date_of_service="2025-06-10", prior_sessions=["2025-03-04"],
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_a_tendon_sheaths_chapter_title_does_not_make_a_tpi() -> None:
    r = code_of(
        "Coding Practice - Injections of tendon sheaths, ligaments and trigger points\nCase 12\n"
        "The physician injects Kenalog-40 0.25 mL (10 mg) with 1 mL of 1% lidocaine into the tendon sheath of the first "
        "dorsal compartment, alongside the abductor pollicis longus and extensor pollicis brevis tendons. No muscle is "
        "injected.\n"
    )
    assert (r.procedure is None or r.procedure.code is None) and lines(r) == []
    assert not {"MUSCLE_NOT_NAMED", "NECESSITY_MISSING", "DX_NOT_COVERED"} & {f.check for f in r.findings}


def test_relief_and_duration_in_a_history_table_row() -> None:
    r = code_of(
        "Prior TPI flowsheet\n| Date       | Muscles injected    | Relief, duration |\n"
        "|------------|---------------------|------------------|\n"
        "| 03/11/2025 | L QL, L glute med   | 65%, 10 weeks    |\n\n"
        "Procedure: TPI L quadratus lumborum, bupivacaine 0.5% 4 mL. Pain 7/10 -> 2/10.\n",
        date_of_service="2025-07-22",
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_site_blocks_performed_no_and_amounts_added_block_by_block() -> None:
    r = code_of(
        "Procedure: Trigger point injection\n\n"
        "  Injection #1\n    Site: Left supraspinatus\n"
        "    Medication: 1% lidocaine 1.5 mL + triamcinolone acetonide 40 mg/mL 0.25 mL (10 mg)\n    Performed: Yes\n\n"
        "  Injection #2\n    Site: Left infraspinatus\n"
        "    Medication: 1% lidocaine 2 mL + triamcinolone acetonide 40 mg/mL 0.25 mL (10 mg)\n    Performed: Yes\n\n"
        "  Injection #3\n    Site: Left teres minor\n"
        "    Medication: 1% lidocaine 1.5 mL + triamcinolone acetonide 40 mg/mL 0.25 mL (10 mg) - drawn up, not given\n"
        "    Performed: No - patient asked to stop\n"
    )
    assert procedure(r) == ("20552", 2)
    assert (med(r, "lidocaine").dose_mg, med(r, "triamcinolone acetonide").dose_mg) == (35, 20)


def test_a_technique_cell_that_adds_an_injection_to_needling() -> None:
    r = code_of(
        "Technique by muscle:\n| Muscle                | Side | Technique          | Injectate               |\n"
        "|-----------------------|------|--------------------|-------------------------|\n"
        "| Semispinalis capitis  | L    | TPI                | 1.5 mL                  |\n"
        "| Splenius capitis      | L    | Dry needle + TPI   | 1.5 mL after needling   |\n"
        "| Levator scapulae      | L    | Dry needle only    | none                    |\n\n"
        "Injectate: bupivacaine 0.25% 3 mL total\n"
    )
    assert ("splenius capitis", "left", "injection") in muscles(r) and procedure(r) == ("20552", 2)


def test_risks_named_in_consent_and_a_muscle_held_away_are_not_other_things() -> None:
    r = code_of(
        "Diagnosis: myofascial pain syndrome of the left scalenes.\n"
        "PROCEDURE: Risks including phrenic nerve and brachial plexus block were discussed, and written consent was "
        "obtained. Under ultrasound the left anterior scalene was injected at one site and the left middle scalene at one "
        "site. Injectate: 0.5% bupivacaine 2 mL total.\n"
    )
    assert procedure(r) == ("20552", 2)
    r = code_of(
        "PROCEDURE: Trigger point injections. The left sternocleidomastoid was injected at two sites, held away from "
        "the carotid, and the left splenius capitis at one site. Injectate: 2 mL of 2% lidocaine.\n"
    )
    assert procedure(r) == ("20552", 2)


def test_a_group_with_its_own_count_of_sites_beside_named_muscles() -> None:
    r = code_of(
        "Using palpation guidance, the right quadratus lumborum was injected at 2 sites, the right iliocostalis "
        "lumborum at 1 site, and the right lumbar paraspinals at L4-L5 at 2 sites. 4 mL of 0.5% bupivacaine was used."
    )
    assert "MUSCLE_NOT_NAMED" in {f.check for f in r.findings} and procedure(r) == ("20552", 2)


def test_per_side_and_per_muscle_amounts_with_their_totals() -> None:
    r = code_of(
        "The right gluteus medius was injected at 2 sites and the left gluteus medius at 2 sites. Each side received "
        "2 mL of 1% lidocaine and 1 mL of Kenalog-10 (10 mg), for totals of 4 mL of lidocaine and 20 mg of "
        "triamcinolone."
    )
    assert med(r, "triamcinolone acetonide").dose_mg == 20
    r = code_of(
        "Trigger point injections: the right quadratus lumborum and the right gluteus minimus. Each muscle receives 3 mL "
        "of 0.5% ropivacaine after negative aspiration (6 mL total), and 0.4 mL of dexamethasone 10 mg/mL (4 mg) is added."
    )
    assert med(r, "ropivacaine").dose_mg == 30


def test_solid_filament_needles_with_no_medication_are_dry_needling() -> None:
    r = code_of(
        "PROCEDURES:\n1. Trigger point injections, right gluteus medius.\n2. Trigger point dry needling, right gluteus "
        "minimus.\n\n1. The right gluteus medius was injected at 2 sites with 0.25% bupivacaine 6 mL.\n"
        "2. 0.30 x 60 mm solid filament needles, pistoning technique, no medication: right quadratus lumborum 2 "
        "insertions, right gluteus minimus 1 insertion.\n"
    )
    assert ("quadratus lumborum", "right", "dry_needling") in muscles(r) and procedure(r) == ("20552", 1)


def test_nothing_injected_into_a_needled_muscle_and_nothing_on_the_other_side() -> None:
    r = code_of(
        "Using solid filament needles, the right upper trapezius and the left levator scapulae were dry needled. The "
        "right upper trapezius was then injected with 1.5 mL of 1% lidocaine. The band in the left levator scapulae had "
        "released with the needling, and nothing was injected into the levator."
    )
    assert ("levator scapulae", "left", "dry_needling") in muscles(r)
    r = code_of(
        "i injected the left quadratus lumborum and the left gluteus medius, correction, that was the right side, the "
        "right quadratus lumborum and the right gluteus medius, nothing was injected on the left. lidocaine 5 cc."
    )
    assert muscles(r) == {("quadratus lumborum", "right", "injection"), ("gluteus medius", "right", "injection")}


def test_an_epidural_item_keeps_its_steroid_and_a_procedures_list_names_the_tpi() -> None:
    r = code_of(
        "PROCEDURES:\n1. L4-5 interlaminar epidural steroid injection under fluoroscopic guidance.\n"
        "2. Trigger point injections, left quadratus lumborum, palpation guided.\n\n"
        "PROCEDURE 1: Consent signed. Under fluoroscopy a 20 g Tuohy needle was advanced to the L4-5 interlaminar space "
        "with loss of resistance; 2 mL of iohexol showed epidural spread without vascular uptake. Injected: Depo-Medrol "
        "80 mg (40 mg/mL, 2 mL).\n\n"
        "PROCEDURE 2: palpation guided: left quadratus lumborum x2 sites. Injectate: 0.25% bupivacaine 4 mL + Kenalog-10 "
        "1 mL (10 mg).\n"
    )
    assert procedure(r) == ("20552", 1) and drug_lines(r) == [("J3301", 1, [])]


def test_toxin_units_after_the_diluent_are_the_toxins() -> None:
    r = code_of(
        "TPI left piriformis.\nLeft piriformis: one Botox 100-unit single-dose vial was reconstituted with 2 mL of "
        "saline, and 50 units (1 mL) were injected at 2 trigger points in the left piriformis. The remaining 50 units in "
        "the vial were discarded.\n"
    )
    assert sorted(drug_lines(r)) == [("J0585", 50, []), ("J0585", 50, ["JW"])]


def test_a_quiz_question_about_the_note_is_not_the_note() -> None:
    r = code_of(
        "Coding Quiz.\nThe physician performs a right knee intra-articular injection with Kenalog-40 1 mL. Ketorolac "
        "30 mg is given IM into the right gluteus medius at the ventrogluteal site.\n"
        "Question: The note says that the gluteus medius was injected. Should a trigger point injection code be "
        "reported?\n"
    )
    assert r.procedure is None or r.procedure.code is None


def test_radio_box_sides_and_blank_cells_before_a_count() -> None:
    r = code_of(
        "TPI today, 1% lidocaine 6 mL.\n"
        "    Muscle: Quadratus lumborum       Side: (x) Left  (x) Right     Injections: 2 each\n"
        "    Muscle: Iliocostalis lumborum    Side: ( ) Left  ( ) Right     Injections: 0\n"
    )
    assert muscles(r) == {("quadratus lumborum", "left", "injection"), ("quadratus lumborum", "right", "injection")}
    r = code_of(
        "Trigger point injections, 1% lidocaine 4 mL.\n| # | Muscle           | Side | Injected | Injections |\n"
        "|---|------------------|------|----------|------------|\n| 1 | Gluteus maximus  | L    | [x]      | 2          |\n"
        "| 2 | Piriformis       | L    | [ ]      | 0          |\n"
    )
    assert muscles(r) == {("gluteus maximus", "left", "injection")}


def test_a_spoken_side_switch_with_no_muscle_moves_the_sentence_before() -> None:
    r = code_of(
        "procedure colon I injected the right piriformis at one site comma the right glute medius at two sites period "
        "scratch that comma it was the left side period the right side was not injected period injectate was five cc of "
        "lidocaine mixed with one half cc of kenalog forty period"
    )
    assert muscles(r) == {("piriformis", "left", "injection"), ("gluteus medius", "left", "injection")}
    assert med(r, "triamcinolone acetonide").dose_mg == 20


def test_a_discussed_plan_and_a_group_row_with_its_count() -> None:
    r = code_of(
        "Plan discussed: injection of the two neck muscles; needling without injectate of the scapular muscles.\n"
        "| # | Muscle            | Side | Technique | Injectate         |\n"
        "| 1 | Upper trapezius   | R    | TPI       | lidocaine 1% 2 mL |\n"
        "| 2 | Levator scapulae  | R    | TPI       | lidocaine 1% 1 mL |\n"
    )
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings}
    r = code_of(
        "Procedure: trigger point injections.\n| Muscle                 | Side | # inj |\n"
        "|------------------------|------|-------|\n| Cervical paraspinals   | L    | 2     |\n"
        "| Splenius cervicis      | L    | 2     |\nInjectate: lidocaine 0.5% 6 mL total.\n"
    )
    assert "MUSCLE_NOT_NAMED" in {f.check for f in r.findings}


def test_only_minor_improvement_is_failed_care() -> None:
    r = code_of(
        "S: pain over the cheek for 4 months. Night guard, jaw stretching exercises twice daily and ibuprofen, with only "
        "minor improvement. No prior injections.\nA: Myofascial pain (M79.18).\nPROCEDURE: right masseter injected at 2 "
        "points with 2% lidocaine 1.8 mL. Pain 6/10 before, 2/10 after.\n"
    )
    assert "NECESSITY_MISSING" not in {f.check for f in r.findings}


def test_side_grids_with_count_columns_and_an_abbreviated_name() -> None:
    r = code_of(
        "Trigger point injections, 1% lidocaine 6 mL.\n\n"
        "  MUSCLES INJECTED                 L      R      # TPs (L / R)\n"
        "    Trapezius (upper)             [x]    [x]     2 / 2\n"
        "    Levator scapulae              [x]    [ ]     1 / -\n"
        "    Serratus posterior sup.       [ ]    [ ]     - / -\n"
    )
    assert muscles(r) == {
        ("trapezius", "left", "injection"), ("trapezius", "right", "injection"), ("levator scapulae", "left", "injection")
    }


def test_prior_tpi_none_with_a_blank_date_field_is_a_first_session() -> None:
    r = code_of(
        "PRIOR TPI:  [x] None   [ ] Yes, date: ________\n\nProcedure: TPI left upper trapezius, 1% lidocaine 2 mL. "
        "Pain 6/10 -> 2/10. Failed PT x 8 weeks. Dx M79.18.\n"
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_a_dry_needling_flowsheets_sides_and_a_block_titled_by_letter() -> None:
    r = code_of(
        "Trigger point dry needling, no injectate.\n"
        "DN Site 1 Muscle                           Infraspinatus\n"
        "DN Site 1 Side                             Left\n"
        "DN Site 2 Muscle                           Rhomboid major\n"
        "DN Site 2 Side                             Left\n"
        "DN Site 2 Needled                          No - no taut band today\n"
    )
    assert muscles(r) == {("infraspinatus", "left", "dry_needling")}
    r = code_of(
        "Trigger point injections.\n\n  Site A\n    Muscle: Trapezius (upper fibers)\n    Side: Left\n"
        "    Drug: lidocaine 1% 2 mL\n  Site B\n    Muscle: Levator scapulae\n    Side: Left\n"
        "    Drug: lidocaine 1% 1.5 mL\n"
    )
    assert med(r, "lidocaine").dose_mg == 35


def test_treatment_started_today_is_not_failed_conservative_care() -> None:
    r = code_of(
        "S: left shoulder blade pain x 3 weeks. Has not tried any treatment for it yet. Dx myofascial pain M79.18.\n"
        "Procedure: TPI left latissimus dorsi, 1% lidocaine 2 mL. Pain 6/10 -> 2/10.\n"
        "Start home stretching program, acetaminophen as needed, PT referral if not better.\n"
    )
    assert "NECESSITY_MISSING" in {f.check for f in r.findings}


def test_a_misspelled_procedure_heading_and_stretches_of_a_group() -> None:
    r = code_of(
        "Exam: taut bands in Lt trapezuis and Lt levater scapulae.\nProceedure: verbal consent, palpation guided.\n"
        "Lt trapezuis x2, Lt levater scapulae x2.\nLidocane 1% 5 mL total.\n"
    )
    assert procedure(r) == ("20552", 2)
    r = code_of(
        "Failed PT x 6 wk, HEP (piriformis/glute stretches), ibuprofen.\nTx: DN (dry needling), no injectate.\n"
        " - B/L glute med\n - L piriformis\n"
    )
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings} and procedure(r) == ("20561", 3)


def test_a_silent_w_in_a_dictated_muscle_name() -> None:
    r = code_of(
        "procedure colon I injected the right vast us lateralis at three sites and the right wrecked us femoris at two "
        "sites period injectate was five cc's of one percent lidocaine period"
    )
    assert procedure(r) == ("20552", 2)


def test_a_mixture_total_after_equals_and_side_columns_named_with_a_count() -> None:
    r = code_of(
        "TPI both upper trapezius.\nInjectate: 1% lidocaine 5 mL mixed with Kenalog-40 (triamcinolone acetonide "
        "40 mg/mL) 1 mL = 6 mL total.\n"
    )
    assert med(r, "triamcinolone acetonide").dose_mg == 40
    r = code_of(
        "TRIGGER POINT INJECTION\n  Muscle            R inj   L inj\n  Infraspinatus     2       0\n"
        "  Teres major       1       0\n  Rhomboid major    0       0\n\n  Medication: lidocaine 1% 5 mL (50 mg)\n"
    )
    assert muscles(r) == {("infraspinatus", "right", "injection"), ("teres major", "right", "injection")}


def test_a_lettered_capitals_heading_over_a_table_of_needled_muscles() -> None:
    r = code_of(
        "  A. TRIGGER POINT INJECTION (with injectate)\n     Muscle              Side     Sites    Injectate\n"
        "     Infraspinatus       Right    2        1% lidocaine 1.5 mL\n\n"
        "  B. DRY NEEDLING (solid filament needle, no injectate)\n     Muscle              Side     Technique\n"
        "     Supraspinatus       Right    pistoning, 3 local twitch responses\n"
    )
    assert muscles(r) == {("infraspinatus", "right", "injection"), ("supraspinatus", "right", "dry_needling")}


def test_relief_said_with_a_verb_and_a_log_row_with_nothing_given() -> None:
    r = code_of(
        "Interval history: after the 01/14/2025 injections his neck pain improved about 75% and stayed improved for "
        "roughly 3 months.\nProcedure: TPI right rhomboid major, lidocaine 1% 2 mL. Pain 6/10 -> 2/10.\n",
        date_of_service="2025-06-10", prior_sessions=["2025-01-14"],
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}
    r = code_of(
        "INJECTION LOG\n    Time   Muscle              Side   Needle       Medication             Vol     # inj\n"
        "    0944   Levator scapulae    L      25g 1.5\"     ropivacaine 0.2%       2 mL    1\n"
        "    ----   Upper trapezius     L      --           --                     --      0\n"
    )
    assert muscles(r) == {("levator scapulae", "left", "injection")}


# ============================================================================ blind batches g1982-g2041


def test_a_region_with_its_own_site_count_in_todays_list_is_not_a_named_muscle() -> None:
    r = code_of(
        "TPI performed: R sternocleidomastoid x2 sites; upper back x3 sites bilaterally.\n"
        "Lido 1% 5 mL + dexamethasone 4 mg, divided.\n"
    )
    assert procedure(r) == ("20552", 1)
    assert "MUSCLE_NOT_NAMED" in {f.check for f in r.findings}


def test_a_dose_given_beside_the_drugs_other_name_in_brackets() -> None:
    r = code_of(
        "Procedure: TPI to the right vastus lateralis and right soleus.\n"
        "Injectate: ropivacaine 0.2% 10 mL mixed with Celestone Soluspan 1 mL (betamethasone 6 mg), about 2 mL per site.\n"
    )
    m = med(r, "betamethasone sodium phosphate and acetate")
    assert (m.dose_mg, m.units) == (6, 1)
    r = code_of(
        "Procedure: TPI to the right rhomboid major and right rhomboid minor.\n"
        "Injectate: Depo-Medrol (methylprednisolone acetate) 40 mg/mL, two 1 mL single-dose vials, 2 mL total (80 mg), "
        "entire contents used, none wasted; mixed with 5 mL of 1% lidocaine.\n"
    )
    assert drug_lines(r) == [("J1010", 80, ["JZ"])]


def test_a_muscle_said_to_be_nontender_is_an_exam_finding() -> None:
    r = code_of(
        "On examination there are taut bands in the right soleus; the right tibialis anterior is nontender.\n"
        "The physician performs dry needling with no injectate: the right soleus is needled.\n"
    )
    assert muscles(r) == {("soleus", "right", "dry_needling")}


def test_an_auditors_question_about_separate_identifiability_is_not_the_notes_answer() -> None:
    r = code_of(
        "Post-payment review. Determine whether the E/M is supported as separately identifiable.\n"
        "HPI: left neck pain. No other problems addressed today.\n"
        "Procedure: TPI to the left splenius capitis with 0.5% ropivacaine 2 mL. Pain 6/10 -> 1/10.\n"
        "E/M 99213-25.\n"
    )
    assert "99213" not in {ln.code for ln in r.lines}
    assert "EM_NOT_SEPARATE" in {f.check for f in r.findings}


def test_a_waste_column_cell_of_half_a_millilitre_is_waste_not_none() -> None:
    r = code_of(
        "SITES: L splenius capitis x2, L semispinalis capitis x1, L SCM x1.\n\n"
        "MEDICATIONS ADMINISTERED:\n"
        "| Medication        | Conc.    | Given           | Vial             | Discarded      |\n"
        "|-------------------|----------|-----------------|------------------|----------------|\n"
        "| Lidocaine HCl     | 1%       | 3.5 mL          | multi-dose       | --             |\n"
        "| Depo-Medrol       | 40 mg/mL | 0.5 mL (20 mg)  | single-dose 1 mL | 0.5 mL (20 mg) |\n"
    )
    assert sorted(drug_lines(r)) == [("J1010", 20, []), ("J1010", 20, ["JW"])]


def test_a_site_blocks_second_zero_field_does_not_reach_the_block_above() -> None:
    r = code_of(
        "Site 1:\n  Muscle: Infraspinatus\n  Side: Right\n  Injections: 2\n  Medication: lidocaine 1% 2 mL\n"
        "Site 2:\n  Muscle: Teres major\n  Side: Right\n  Injections: 1\n  Medication: lidocaine 1% 1 mL\n"
        "Site 3:\n  Muscle: Teres minor\n  Side: Right\n  Injections: 0\n  Performed: No (tender only)\n  Medication: --\n"
    )
    assert muscles(r) == {("infraspinatus", "right", "injection"), ("teres major", "right", "injection")}


def test_prior_tpi_answered_na_with_a_remark_is_a_first_session() -> None:
    r = code_of(
        "Prior TPI: N/A (first session)\nSites injected: bilateral upper trapezius\nLocal anesthetic: lidocaine 1% 6 mL\n"
        "Response: tolerated well.\n"
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_a_list_of_muscles_examined_is_not_the_list_injected() -> None:
    r = code_of(
        "Muscles examined (trigger points palpated): bilateral upper trapezius, right levator scapulae, left rhomboid major\n"
        "Procedure: Trigger point injections\nMuscles injected: right upper trapezius, right levator scapulae\n"
        "Injectate: lidocaine 0.5% 6 mL\n"
    )
    assert muscles(r) == {("trapezius", "right", "injection"), ("levator scapulae", "right", "injection")}


def test_trigger_point_im_is_the_route_of_the_tpi_not_an_im_shot() -> None:
    r = code_of(
        "Procedure: Trigger point injections, right brachioradialis.\n"
        "Medication                      Dose     Volume    Route                    Admin time\n"
        "Ketorolac tromethamine 30 mg/mL 15 mg    0.5 mL    trigger point (IM)       14:33\n"
    )
    assert drug_lines(r) == [("J1885", 1, [])]


def test_a_conservative_care_field_left_as_stars_is_not_failed_care() -> None:
    r = code_of(
        "Reason for procedure: right upper back pain x 3 months.\nDiagnosis: Myofascial pain syndrome (M79.18)\n"
        "Conservative treatment tried: ***\nPrior trigger point injections: none\n"
        "Exam: taut bands in the right rhomboid major.\n\nProcedure: Trigger point injection\nLaterality: Right\n"
        "Muscle(s): rhomboid major\nInjectate: lidocaine 1% 2 mL\n"
    )
    assert "NECESSITY_MISSING" in {f.check for f in r.findings}


def test_an_im_shot_named_again_in_the_plan_stays_the_shots() -> None:
    r = code_of(
        "P/Proc:\n1. Ketorolac (Toradol) 60 mg IM by RN, R ventrogluteal site (gluteus medius), for the acute flare.\n"
        "2. TPI - palpation guided: L QL x2, L glute med x2. Bupivacaine 0.5% 6 mL total. No steroid.\n"
        "F/u 4 wks; no NSAIDs x 5 days after ketorolac.\n"
    )
    assert drug_lines(r) == []
    assert "ketorolac tromethamine" not in {m.drug for m in r.medications if m.billed}


def test_another_procedures_fluoroscopy_under_its_item_fields_is_not_tpi_guidance() -> None:
    r = code_of(
        "Procedure 1: Bilateral L4 medial branch blocks, fluoroscopic guidance\n"
        "  Skin local: 1% lidocaine 0.5 mL at each entry point\n"
        "  Needle: 22 g spinal, advanced through the multifidus under AP/oblique fluoroscopy\n"
        "  Codes: 64493-50\n\n"
        "Procedure 2: Trigger point injections\n  Guidance: palpation only (C-arm not used)\n"
        "  Sites: right quadratus lumborum x2, left quadratus lumborum x2\n  Injectate: 0.25% bupivacaine 8 mL total\n"
    )
    assert lines(r) == [("20552", 1, [])]


def test_another_procedure_named_in_a_remark_on_the_tpi_item() -> None:
    r = code_of(
        "1. Left subacromial bursa injection under ultrasound guidance: Kenalog-40 1 mL + 1% lidocaine 4 mL.\n"
        "2. Trigger point injections, palpation guided (the ultrasound was used for the bursa only): left upper "
        "trapezius x2 and left levator scapulae x1. Injectate: 0.25% bupivacaine 4 mL with dexamethasone 4 mg.\n"
    )
    assert procedure(r) == ("20552", 2)
    assert drug_lines(r) == [("J1100", 4, [])]


def test_osteopathic_counterstrain_to_a_muscle_is_not_a_needle() -> None:
    r = code_of(
        "Procedures:\n1. OMT, 2 regions (98926): lumbar - muscle energy L2; pelvis - muscle energy and counterstrain to "
        "the R piriformis (no needle).\n2. TPI: L levator scapulae, L rhomboid major, 1% lidocaine 4 mL.\n"
    )
    assert procedure(r) == ("20552", 2)


# ============================================================================ blind batches g2042-g2101


def test_an_aborted_attempt_with_the_needle_only_through_the_skin_is_no_tpi() -> None:
    r = code_of(
        "Procedure: consent signed. 1% lidocaine 4 mL was drawn up. The 25 g needle was placed through the skin over "
        "the L rhomboid major; before it was advanced into the muscle he felt lightheaded. The needle was withdrawn "
        "at once. The procedure was aborted: no medication was injected into the L rhomboid major or the L upper "
        "trapezius, and no other site was needled.\n"
    )
    assert r.procedure is not None and r.procedure.code is None
    assert lines(r) == []


def test_a_comma_or_bracket_ends_what_a_negation_governs() -> None:
    r = code_of(
        "Using solid filament needles with no injectate, I dry needled the left soleus and the left medial gastrocnemius.\n"
    )
    assert procedure(r) == ("20560", 2)
    r = code_of(
        "The right piriformis: 8 mL of 0.25% bupivacaine with 40 mg of triamcinolone acetonide (Kenalog-40, 1 mL "
        "from a single-dose vial, entire contents used, none wasted) was injected into the muscle.\n"
    )
    assert drug_lines(r) == [("J3301", 4, ["JZ"])]


def test_platelet_rich_plasma_with_tendon_fenestration_is_not_a_tpi() -> None:
    r = code_of(
        "PROCEDURE: Ultrasound-guided platelet-rich plasma injection with tendon fenestration, right common extensor "
        "tendon. A 22 g needle was advanced into the hypoechoic ECRB portion of the common extensor origin and the "
        "4 mL of plasma was injected. Trigger points in the R ECRL were not injected today; we will consider trigger "
        "point injections at follow-up.\n"
    )
    assert r.procedure is not None and r.procedure.code is None


def test_a_numbered_procedure_heading_takes_its_kind_from_the_procedure_list() -> None:
    r = code_of(
        "PROCEDURES:\n1. Chemodenervation of the left upper extremity, 4 muscles (64642), with EMG guidance.\n"
        "2. Trigger point injections, left upper trapezius and left levator scapulae (20552).\n\n"
        "PROCEDURE 1: Consent on file. Two 100-unit vials of onabotulinumtoxinA (Botox), each reconstituted with "
        "2 mL saline. Left biceps brachii 80 units, left brachialis 50 units. Under AP fluoroscopy.\n\n"
        "PROCEDURE 2: Palpation guided. Left upper trapezius x2 sites and left levator scapulae x1 site, injected "
        "with 1% lidocaine 3 mL mixed with Kenalog-40 0.25 mL (triamcinolone 10 mg).\n"
    )
    assert procedure(r) == ("20552", 2)
    assert lines(r) == [("20552", 1, []), ("J3301", 1, [])]


def test_another_procedures_item_heading_and_a_prolotherapy_heading_start_its_context() -> None:
    r = code_of(
        "P / Procedures:\n1. R first dorsal compartment injection (20550): needle introduced into the tendon sheath "
        "of the abductor pollicis longus. Kenalog-40 0.25 mL (triamcinolone 10 mg) + 1% lidocaine 0.5 mL.\n"
        "2. Trigger point injections: R brachioradialis x1 site, R supinator x1 site. Injectate: 2% lidocaine 1.5 mL "
        "+ dexamethasone 4 mg/mL 1 mL (4 mg).\n"
    )
    assert drug_lines(r) == [("J1100", 4, [])]
    assert med(r, "lidocaine").dose_mg == 30
    r = code_of(
        "Procedure 1, dextrose prolotherapy: prone, chlorhexidine prep. Dextrose 15% was prepared from 3 mL of 50% "
        "dextrose, and 0.5 mL was placed at each of 20 enthesis points.\n\n"
        "Procedure 2, trigger point injections: the left gluteus medius and the left piriformis were injected with "
        "1% lidocaine 6 mL.\n"
    )
    assert "INJECTATE_NOT_COVERED" not in {f.check for f in r.findings}


def test_a_block_answered_performed_no_performs_nothing() -> None:
    r = code_of(
        "PROCEDURE 1 - R SACROILIAC JOINT INJECTION (27096)\nGuidance: fluoroscopy\n"
        "Injectate: Kenalog-40 1 mL (40 mg) + 0.5% bupivacaine 1.5 mL\n\n"
        "PROCEDURE 2 - TRIGGER POINT INJECTIONS\nPlanned sites: R quadratus lumborum, R gluteus maximus\n"
        "Performed: No\nReason: deferred\n"
    )
    assert r.procedure is not None and r.procedure.code is None
    assert not {"MUSCLE_NOT_NAMED", "DRUG_NOT_DOCUMENTED"} & {f.check for f in r.findings}


def test_relief_said_as_pain_that_fell_by_a_percentage() -> None:
    r = code_of(
        "She had trigger point injections in this clinic on 12/02/2024. Afterward her headache intensity fell by "
        "about 65%; the benefit lasted about 10 weeks.\nProcedure: TPI to the right splenius capitis with 0.5% "
        "bupivacaine 2 mL. Pain 6/10 -> 2/10.\n",
        date_of_service="2025-03-04",
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_care_that_has_not_given_lasting_relief_has_failed() -> None:
    r = code_of(
        "Diagnosis: myofascial pain syndrome (M79.12). Naproxen and a topical NSAID have not given lasting "
        "relief. Exam: taut bands in the left upper trapezius.\nProcedure: TPI left upper trapezius with 1% "
        "lidocaine 2 mL. Pain 6/10 -> 2/10.\n"
    )
    assert "NECESSITY_MISSING" not in {f.check for f in r.findings}


def test_a_dictated_amount_corrected_before_the_drug_is_named() -> None:
    r = code_of(
        "i injected the right and left temporalis period injectate was four cc's comma scratch that comma five cc's "
        "of one percent lidocaine total comma no steroid period\n"
    )
    assert med(r, "lidocaine").dose_mg == 50


def test_the_size_of_a_vial_written_after_it_is_not_the_dose() -> None:
    r = code_of(
        "Procedure: TPI left upper trapezius and left levator scapulae.\nTriamcinolone Acetonide (Kenalog-40) 40 mg/mL "
        "injection, multi-dose vial 5 mL. 0.5 mL (20 mg) administered.\n"
    )
    assert drug_lines(r) == [("J3301", 2, [])]


def test_a_grid_row_not_treated_today_is_not_injected() -> None:
    r = code_of(
        "PROCEDURE\n  Muscle                   Side   Technique                     # TPs\n"
        "  Upper trapezius          R      TPI                           2\n"
        "  Infraspinatus            R      --                            0     (not treated today)\n"
    )
    assert muscles(r) == {("trapezius", "right", "injection")}


def test_dated_rows_under_a_procedure_history_heading_that_name_a_tpi() -> None:
    r = code_of(
        "Reason for Appointment: right jaw pain.\n\nProcedure History:\n 01/21/2025 Trigger point injection - R masseter, R temporalis (lidocaine)\n"
        " 05/06/2025 Trigger point injection - R masseter (lidocaine)\n 2019       Cataract extraction, right eye\n\n"
        "Procedure: TPI right masseter and right temporalis with 2% lidocaine 1.5 mL. Relief after the last "
        "injections was about 70% for 10 weeks.\n",
        date_of_service="2025-08-19",
    )
    assert [p.date.isoformat() for p in r.prior_sessions] == ["2025-01-21", "2025-05-06"]


# ============================================================================ blind batches g2102-g2161


def test_a_list_item_whose_own_end_says_the_muscle_was_not_injected() -> None:
    r = code_of(
        "Procedure: TPI.\n - Right upper trapezius: 2 sites injected\n - Right levator scapulae: 2 sites injected\n"
        " - Right rhomboid major: the needle was placed, but the patient became lightheaded; the needle was withdrawn "
        "before any injectate was given and the rhomboid major was not injected.\nInjectate: 1% lidocaine 4 mL.\n"
    )
    assert procedure(r) == ("20552", 2)


def test_a_side_after_is_injected() -> None:
    r = code_of("The multifidus is injected bilaterally at L4 and at L5, and the right quadratus lumborum at two points.")
    assert procedure(r) == ("20553", 3)


def test_and_then_splits_a_run_on_sentence_doing_two_procedures() -> None:
    r = code_of(
        "After consent we performed left T8 and T9 intercostal nerve blocks with 0.5% bupivacaine 3 mL and Depo-Medrol "
        "20 mg at each level, and then, with a new prep, trigger point injections, palpation guided, into the left "
        "serratus anterior x2, left latissimus dorsi x2 and left lower trapezius x1, using 1% lidocaine 4 mL.\n"
    )
    assert procedure(r) == ("20553", 3)


def test_proc_number_labels_are_procedure_sections() -> None:
    r = code_of(
        "A:\n1. Lumbar radiculopathy (M54.17)\nProc 1: L5-S1 interlaminar ESI under fluoro. Injected Depo-Medrol 80 mg.\n"
        "Proc 2: TPI, palpation guided (no fluoro): bilat quadratus lumborum x2 each; piriformis x2. Lido 1% 6 mL.\n"
    )
    assert procedure(r) == ("20553", 3)


def test_an_intramuscular_injection_heading_is_another_procedure() -> None:
    r = code_of(
        "Exam: tender taut bands in the left quadratus lumborum.\n\n"
        "PROCEDURE: Intramuscular injection #1\n  Medication: ketorolac tromethamine 60 mg\n  Route: IM\n"
        "  Site: left gluteus medius, ventrogluteal\nPROCEDURE: Intramuscular injection #2\n"
        "  Medication: dexamethasone sodium phosphate 8 mg\n  Route: IM\n  Site: right deltoid\n\n"
        "Plan: if the trigger points persist, PCP may consider trigger point injections.\n"
    )
    assert r.procedure is not None and r.procedure.code is None
    assert lines(r) == []


def test_a_muscle_that_received_toxin_only_is_the_chemodenervations() -> None:
    r = code_of(
        "PROCEDURE 2 - Trigger point injections: left upper trapezius x2 sites and left infraspinatus x2 sites, "
        "injected with 1% lidocaine 3 mL. The left pectoralis major received toxin only; no trigger point injection "
        "was given to it.\n"
    )
    assert procedure(r) == ("20552", 2)


def test_lido_cane_is_speech_recognitions_lidocaine() -> None:
    r = code_of(
        "procedure colon trigger point injections period i injected the right tensor fascia lata at two sites and the "
        "right vastus lateralis at two sites period injectate was lido cane one percent five cc's with kenna log forty "
        "one half cc comma twenty milligrams period pain six out of ten before comma two out of ten after period\n"
    )
    assert med(r, "lidocaine").dose_mg == 50
    assert med(r, "triamcinolone acetonide").volume_ml == 0.5


def test_imaging_beside_another_procedure_when_the_tpi_was_done_by_palpation() -> None:
    r = code_of(
        "PROCEDURES:\n1. Right hip intra-articular injection under fluoroscopic guidance.\n2. Trigger point injections.\n\n"
        "DESCRIPTION: Under AP fluoroscopy a 22-gauge spinal needle was advanced to the junction of the femoral head "
        "and neck. We then injected 40 mg of Kenalog into the joint.\n\nThe C-arm was moved out of the field and the "
        "trigger point injections were done by palpation, without imaging: the right gluteus medius and the right "
        "piriformis were injected with 0.25% bupivacaine 6 mL.\n"
    )
    assert lines(r) == [("20552", 1, [])]


def test_a_billing_lines_own_description_is_not_a_separate_problem() -> None:
    r = code_of(
        "Assessment: myofascial pain syndrome, hips (M79.18). No other problem was evaluated or managed.\n"
        "Procedure: TPI right gluteus medius and right piriformis with 1% lidocaine 4 mL. Pain 6/10 -> 2/10.\n"
        "Billing worksheet:\n99214-25   New problem with procedure\n20552\n"
    )
    assert "99214" not in {ln.code for ln in r.lines}


def test_an_order_for_a_drug_is_not_the_drug_given_nor_today_a_repeat() -> None:
    r = code_of(
        "ORDERS\nOrder: Triamcinolone acetonide injection, per 10 mg (J3301) - qty 2\n\n"
        "Procedure: the left infraspinatus and the left teres minor were injected. The left supraspinatus was NOT "
        "injected: on re-examination after the first injections its taut band had released.\n"
        "Injectate: lidocaine 1% 4 mL mixed with Kenalog-40 (triamcinolone 40 mg/mL) 0.5 mL = 20 mg.\n"
    )
    assert drug_lines(r) == [("J3301", 2, [])]
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_percent_less_pain_is_relief() -> None:
    r = code_of(
        "She had trigger point injections of the left scalene muscles on April 1, 2025. After the April injections "
        "she had about 65% less neck and arm pain for ten weeks.\nProcedure: TPI left anterior scalene with 0.5% "
        "lidocaine 2 mL. Pain 6/10 -> 1/10.\n",
        date_of_service="2025-07-15",
    )
    assert "REPEAT_RELIEF_MISSING" not in {f.check for f in r.findings}


def test_flowsheet_rows_named_for_the_tpi_history_are_earlier_sessions() -> None:
    r = code_of(
        "Row Name                                   10/07/25 1340\n"
        "TPI History - Session A                    09/10/2024: L piriformis; relief 50% x 8 wks\n"
        "TPI History - Session B                    01/14/2025: L piriformis; relief 60% x 12 wks\n"
        "TPI Site 1 Muscle                          Piriformis\nTPI Site 1 Laterality                      Left\n"
        "Local Anesthetic                           Lidocaine 1% 4 mL\n",
        date_of_service="2025-10-07",
    )
    assert [p.date.isoformat() for p in r.prior_sessions] == ["2024-09-10", "2025-01-14"]


def test_a_numbered_table_under_a_short_prior_sessions_heading() -> None:
    r = code_of(
        "Prior TPI Sessions\n  Session   Date         Muscles                          Relief reported\n"
        "  1         09/10/2024   L + R gluteus medius             50% x 6 wk\n"
        "  2         01/07/2025   L + R gluteus medius             40% x 4 wk\n\n"
        "Procedure: TPI left gluteus medius with lidocaine 1% 3 mL.\n",
        date_of_service="2025-06-24",
    )
    assert [p.date.isoformat() for p in r.prior_sessions] == ["2024-09-10", "2025-01-07"]


def test_a_negation_closed_in_brackets_stays_there() -> None:
    r = code_of("Proc 2: TPI, palpation guided (no fluoro): bilat quadratus lumborum x2 each. Lido 1% 6 mL.\n")
    assert procedure(r) == ("20552", 2)


def test_a_laterality_field_sides_every_muscle_on_the_line_above() -> None:
    r = code_of(
        "Procedure: trigger point injections\nMuscle(s) injected: Upper trapezius; Levator scapulae\nLaterality: Right\n"
        "Medication: lidocaine 1% 3 mL\n"
    )
    assert muscles(r) == {("trapezius", "right", "injection"), ("levator scapulae", "right", "injection")}


def test_a_grid_row_of_an_abbreviated_muscle_with_no_box_ticked() -> None:
    r = code_of(
        "TRIGGER POINT INJECTIONS\n  | Muscle                  | Left       | Right      |\n"
        "  |-------------------------|------------|------------|\n"
        "  | Rhomboid major          | [x] 2 inj  | [x] 2 inj  |\n  | Serratus post. superior | [ ]        | [ ]        |\n"
        "Medication: lidocaine 1% 4 mL\n"
    )
    assert "MUSCLE_NOT_NAMED" not in {f.check for f in r.findings}
    assert procedure(r) == ("20552", 2)


def test_a_region_row_with_its_own_number_of_injections_is_an_unnamed_site() -> None:
    r = code_of(
        "Sites:\n    Iliocostalis lumborum           Side: ( ) L  ( ) R  (x) Bilateral    # of injections: 2 each side\n"
        "    Lumbar paraspinals (L4-L5)      Side: ( ) L  (x) R  ( ) Bilateral    # of injections: 1\n"
        "Medication: lidocaine 1% 8 mL\n"
    )
    assert "MUSCLE_NOT_NAMED" in {f.check for f in r.findings}
