"""Training scenarios: every shipped one is checked against the real rules engine, so a scenario can
never drift from the rules; a bad file is refused with the key it is about; a trainer's own folder
adds to (or replaces) the built-in ones; the patient answers from the scenario's words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from ketatui.clinical.flags import FLAG_DEFINITIONS
from ketatui.clinical.protocol import default_protocol
from ketatui.session import derive
from ketatui.training.persona import NO_ANSWER, UNDERSTOOD, answer, candidates, title_of
from ketatui.training.scenario import BUILT_IN_DIR, Library, ScenarioInvalid, parse_scenario, values_at

LIBRARY = Library()
#: The flag families the issue asks for, one scenario (at least) each.
FAMILIES = {"BP-SEVERE", "INT-BENZODIAZEPINE", "INT-LAMOTRIGINE", "INT-MAOI", "INT-STIMULANT", "RISK-SUICIDE-SCREEN",
            "RISK-SUICIDE-ACUTE", "CI-PREGNANCY", "PSYCHOSIS", "SUBSTANCE-USE", "BLADDER", "SUPPORT-NO-ESCORT", "NOT-TRD",
            "AGE-OLDER", "CARDIAC"}


def test_at_least_ten_scenarios_ship_covering_every_family_and_every_file_is_valid() -> None:
    assert LIBRARY.problems == []
    assert len(LIBRARY.scenarios) >= 10
    assert FAMILIES <= {code for s in LIBRARY.scenarios for code in s.expected.flags}
    assert len({s.id for s in LIBRARY.scenarios}) == len(list(BUILT_IN_DIR.glob("*.toml")))


@pytest.mark.parametrize("scenario", LIBRARY.scenarios, ids=lambda s: s.id)
@pytest.mark.parametrize("today", [date.today(), date(2027, 1, 11), date(2035, 6, 30)])
def test_the_expected_flags_and_decision_are_what_the_real_rules_give(scenario, today) -> None:
    derived = derive(scenario.correct_intake(), default_protocol(), today=today)
    assert [f.code for f in derived.flags] == scenario.flags_in_order
    assert derived.plan is not None and derived.plan.schedulable is scenario.expected.schedulable
    if scenario.expected.sessions is not None:
        assert derived.plan.course.sessions == scenario.expected.sessions


@pytest.mark.parametrize("scenario", LIBRARY.scenarios, ids=lambda s: s.id)
def test_the_patient_has_words_for_every_fact_and_the_intake_is_synthetic(scenario) -> None:
    intake = scenario.correct_intake()
    assert intake.training and intake.current_step == "summary"
    for fact in scenario.facts:
        said = answer(scenario, fact.field.replace("[*]", "[0]"))
        assert said.words != NO_ANSWER, fact.field


BASE = (BUILT_IN_DIR / "no-escort.toml").read_text(encoding="utf-8")


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioInvalid) as caught:
        parse_scenario(text, "mine.toml")
    return caught.value.problems


def test_a_bad_file_is_refused_with_the_key_it_is_about() -> None:
    assert problems(BASE.replace('flags = ["SUPPORT-NO-ESCORT"]', 'flags = ["SUPPORT-NO-ESCROT"]'))[0].startswith(
        "key 'expected.flags': 'SUPPORT-NO-ESCROT' is not a flag code")
    assert problems(BASE.replace("systolic_bp = 130", "systolic_bp = 20")) == [
        "key 'intake.medical_history.vitals.systolic_bp': Input should be greater than or equal to 60"]
    assert problems(BASE.replace('title = "Nobody', 'titel = "Nobody')) == [
        "key 'title': is missing; add it", "key 'titel': is not a key here; check its spelling"]
    assert problems(BASE.replace('id = "no-escort"', 'id = "results"')) == [
        "key 'id': 'results' is a word of `ketatui train`; choose another id"]
    assert problems(BASE.replace('field = "goals_support.emergency_contact.name"', 'field = "goals_support.escort.name"'))[0].startswith(
        "key 'facts[1].field': 'goals_support.escort.name' holds no answer")
    assert problems(BASE.replace('[persona.says]', '[persona.says]\n"vitals" = "120 over 80"')) == [
        "key 'persona.says': 'vitals' is not a part of the intake; start it with one of route, medical_history, phq9, "
        "gad7, asq, medications, side_effects, goals_support"]
    assert problems("id = [")[0].startswith("is not valid TOML")


def test_a_trainers_own_folder_adds_scenarios_replaces_by_id_and_lists_bad_files(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(BASE.replace('id = "no-escort"', 'id = "bus-home"').replace("Nobody to take them home", "Takes the bus home"))
    (tmp_path / "replaced.toml").write_text(BASE.replace("Nobody to take them home", "No escort (clinic version)"))
    (tmp_path / "broken.toml").write_text(BASE.replace("schedulable = false", "schedulable = maybe"))
    library = Library(tmp_path)
    assert library.get("bus-home").title == "Takes the bus home"
    assert library.get("no-escort").title == "No escort (clinic version)"
    assert [p.source for p in library.problems] == [str(tmp_path / "broken.toml")]
    assert library.get("bus").id == "bus-home"  # a unique start is enough
    with pytest.raises(KeyError, match="matches more than one"):
        library.get("s")


def test_the_patient_answers_from_the_nearest_words_then_the_recorded_answer() -> None:
    older = LIBRARY.get("older-cardiac")
    assert answer(older, "medical_history.physical.coronary_disease").words.startswith("Angina, yes")
    assert answer(older, "medical_history.physical.glaucoma").about == "medical_history.physical"  # the section's words
    assert answer(older, "phq9.answers[3]").words == "More than half the days."
    assert answer(older, "phq9.difficulty").words == "Very difficult."
    assert answer(older, "goals_support.goals.row7.description").about == "goals_support"
    assert answer(older, "side_effects.discussed.vision").words == UNDERSTOOD
    assert answer(LIBRARY.get("maoi"), "medications.items[1].name").words.startswith("A-D-D-E-R-A-L")
    assert candidates("goals_support.goals.row3.target")[:3] == [
        "goals_support.goals.row3.target", "goals_support.goals.target", "goals_support.goals.row3"]
    assert candidates("medical_history.psychiatric.antidepressant_trials[0].medicine")[3] == "medical_history.psychiatric.antidepressant_trials"
    assert title_of("phq9.answers[3]") == "PHQ-9 question #4" and title_of("medical_history.vitals") == "Intake blood pressure and pulse"


@hsettings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.[]0123456789*", max_size=40))
def test_any_path_gets_an_answer_and_never_fails(path: str) -> None:
    said = answer(LIBRARY.scenarios[0], path)
    assert said.words
    values_at(LIBRARY.scenarios[0].correct_data, path)


def test_every_expected_code_is_in_the_vocabulary() -> None:
    assert all(code in FLAG_DEFINITIONS for s in LIBRARY.scenarios for code in s.expected.flags)


def test_a_scenario_that_leaves_a_question_unanswered_is_refused_naming_it():
    """A scenario's intake is what a careful clinician records: every question the rules read answered."""
    text = (BUILT_IN_DIR / "older-cardiac.toml").read_text(encoding="utf-8")
    assert "\nstroke = false\n" in text
    with pytest.raises(ScenarioInvalid) as caught:
        parse_scenario(text.replace("\nstroke = false\n", "\n"), "mine.toml")
    assert "'intake.medical_history.physical.stroke'" in str(caught.value)
    assert "answer each with true or false" in str(caught.value)
