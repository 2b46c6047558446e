"""Property tests: any valid intake plans without error and every flag points at a real answer;
an intake with one answer pushed out of bounds never validates.

The strategies build intake documents section by section from the models' own ranges: every
age (minors to the very old), every blood pressure the form accepts, antidepressant trials,
medication lines drawn from catalogue names, brands, typos, free text with doses, and junk.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ketatui.clinical.catalogue import Catalogue
from ketatui.exchange.markdown import plan_markdown, take_home_markdown
from ketatui.clinical.flags import FLAG_DEFINITIONS, SEVERITIES
from ketatui.intake.history import Diagnosis, Sex
from ketatui.intake.instruments import is_response
from ketatui.intake.document import Intake, IntakeInvalid, parse_intake
from ketatui.clinical.plan import Plan, make_plan
from ketatui.clinical.protocol import default_protocol
from ketatui.clinical.schedule import is_open
from ketatui.intake.side_effects import TOPIC_IDS

from builders import TODAY, build_protocol, phq9_answers, set_path

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REAL_TODAY = date.today()

# --- resolving a flag's source field against the Intake -------------------------------------------

#: Dict fields whose keys are a fixed vocabulary rather than whatever happens to be stored.
DICT_KEYS: dict[tuple[str, str], frozenset[str]] = {("SideEffectDiscussion", "discussed"): TOPIC_IDS}
_PART = re.compile(r"([a-z0-9_]+)((?:\[\d+\])*)")


def resolve(intake: Intake, path: str) -> Any:
    """The value at ``path`` ("medical_history.vitals.systolic_bp", "phq9.answers[8]",
    "side_effects.discussed.bladder"); AssertionError when it names no real field."""
    node: Any = intake
    parent: tuple[str, str] | None = None
    for part in path.split("."):
        match = _PART.fullmatch(part)
        assert match, f"{path}: {part!r} is not a field name"
        name, indexes = match.group(1), [int(i) for i in re.findall(r"\d+", match.group(2))]
        if isinstance(node, BaseModel):
            fields = type(node).model_fields
            assert name in fields, f"{path}: {type(node).__name__} has no field {name!r}"
            parent = (type(node).__name__, name)
            node = getattr(node, name)
        elif isinstance(node, dict):
            allowed = DICT_KEYS.get(parent) if parent else None
            assert (name in allowed) if allowed is not None else (name in node), f"{path}: no key {name!r}"
            node, parent = node.get(name), None
        else:
            assert False, f"{path}: cannot go into {part!r} of {type(node).__name__}"
        for index in indexes:
            assert isinstance(node, list) and 0 <= index < len(node), f"{path}: no item [{index}]"
            node = node[index]
    return node


@pytest.mark.parametrize("path", [
    "medical_history.vitals.systolic_bp", "phq9.answers[8]", "phq9.answers", "asq", "medications.items[1].name",
    "side_effects.discussed.bladder", "goals_support.emergency_contact", "medical_history.psychiatric.antidepressant_trials",
])
def test_the_resolver_accepts_real_fields(make_intake, path) -> None:
    resolve(make_intake({"side_effects.discussed": {"dissociation": True}}), path)


@pytest.mark.parametrize("path", [
    "medical_history.vitals.systolic", "phq9.answers[9]", "medications.items[2].name", "side_effects.discussed.hangover",
    "asq.wished_dead.yes", "goals_support.escort.email", "vitals.systolic_bp", "phq9.answers.8", "medications.items[0]name",
])
def test_the_resolver_refuses_anything_else(make_intake, path) -> None:
    with pytest.raises(AssertionError):
        resolve(make_intake(), path)


# --- strategies for valid intakes -----------------------------------------------------------------

CATALOGUE_NAMES = sorted({name for m in Catalogue.default().medicines for name in m.names})
FREE_TEXT = ["Xanax 0.5mg bid", "lorazepam 1mg prn", "Adderall XR 20mg", "levothyroxine 50 mcg", "tramadol 50 mg",
             "lamotrigine and lorazepam", "St John's wort", "my blood pressure pill", "vitamin D 1000 IU", "the blue one"]
SAFE_TEXT = st.text(st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=60).filter(lambda s: s.strip())


@st.composite
def typo_of(draw, names=CATALOGUE_NAMES) -> str:
    name = draw(st.sampled_from(names))
    at = draw(st.integers(0, len(name) - 1))
    kind = draw(st.sampled_from(["drop", "double", "swap", "replace"]))
    if kind == "drop" and len(name) > 1:
        return name[:at] + name[at + 1:]
    if kind == "double":
        return name[:at] + name[at] + name[at:]
    if kind == "swap" and at + 1 < len(name):
        return name[:at] + name[at + 1] + name[at] + name[at + 2:]
    return name[:at] + draw(st.sampled_from("aeioxz")) + name[at + 1:]


MEDICINE_NAMES = st.one_of(st.sampled_from(CATALOGUE_NAMES), typo_of(), st.sampled_from(FREE_TEXT), SAFE_TEXT)
PHONES = st.sampled_from(["+1 555 201 3344", "555 010 2020", "(020) 7946-0958", "+44 20 7946 0958"])
booleans = st.booleans()


def contact() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"name": SAFE_TEXT, "phone": PHONES}, optional={"relationship": st.sampled_from(["partner", "friend", ""])})


@st.composite
def intake_data(draw) -> dict[str, Any]:
    systolic = draw(st.integers(60, 280))
    asq = {k: draw(booleans) for k in ("wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried")}
    asq["thoughts_right_now"] = draw(booleans if any(asq.values()) else st.none() | booleans)
    prior_ketamine = draw(booleans)
    trial = st.fixed_dictionaries({
        "medicine": st.one_of(st.sampled_from(["sertraline", "Wellbutrin XL", "Effexor XR", "citalopram", "Lexapro"]), MEDICINE_NAMES),
        "dose_mg_per_day": st.floats(0.5, 3000, allow_nan=False), "weeks_at_dose": st.integers(0, 520),
        "improvement_percent": st.integers(0, 100), "in_current_episode": booleans, "stopped_for_side_effects": booleans,
    })
    none_taken = draw(booleans)
    data = {
        "route": draw(st.sampled_from(["iv_ketamine", "esketamine"])),
        "medical_history": {
            "demographics": {
                "full_name": draw(SAFE_TEXT),
                "date_of_birth": draw(st.dates(date(REAL_TODAY.year - 100, 1, 1), REAL_TODAY)).isoformat(),
                "sex": draw(st.sampled_from(Sex.__args__)),
                "height_cm": draw(st.floats(100, 250, allow_nan=False)),
                "weight_kg": draw(st.floats(25, 350, allow_nan=False)),
            },
            "psychiatric": {
                "diagnosis": draw(st.sampled_from(Diagnosis.__args__)),
                "episode_months": draw(st.integers(0, 720)),
                "antidepressant_trials": draw(st.lists(trial, max_size=6)),
                "prior_ketamine": prior_ketamine,
                "prior_ketamine_response": draw(st.sampled_from(["not applicable", "responded", "did not respond"])) if prior_ketamine else "not applicable",
                **{k: draw(booleans) for k in ("prior_ect", "prior_tms", "psychosis", "bipolar_disorder", "mood_stabiliser")},
            },
            "substance_use": {
                "active_substance_use_disorder": draw(booleans), "past_ketamine_or_pcp_misuse": draw(booleans),
                "alcohol_drinks_per_week": draw(st.integers(0, 300)), "cannabis_use": draw(booleans),
            },
            "physical": {k: draw(booleans) for k in (
                "hypertension", "hypertension_controlled", "coronary_disease", "heart_failure", "arrhythmia", "pulmonary_hypertension",
                "aneurysm", "arteriovenous_malformation", "stroke", "intracerebral_haemorrhage", "raised_intracranial_pressure",
                "seizures", "glaucoma", "recent_eye_surgery", "liver_disease", "hyperthyroidism", "hyperthyroidism_controlled",
                "bladder_symptoms", "pregnant", "trying_to_conceive", "breastfeeding", "ketamine_allergy")},
            "vitals": {"systolic_bp": systolic, "diastolic_bp": draw(st.integers(30, min(180, systolic - 1))), "pulse": draw(st.integers(25, 250))},
        },
        "phq9": {"answers": draw(st.lists(st.integers(0, 3), min_size=9, max_size=9)), "difficulty": draw(st.none() | st.integers(0, 3))},
        "gad7": draw(st.none() | st.fixed_dictionaries({"answers": st.lists(st.integers(0, 3), min_size=7, max_size=7)})),
        "asq": asq,
        "medications": {"none_taken": none_taken, "items": [] if none_taken else draw(st.lists(
            st.fixed_dictionaries({"name": MEDICINE_NAMES}, optional={"dose": st.sampled_from(["10 mg", "0.5mg", ""])}), min_size=1, max_size=6))},
        "side_effects": {"discussed": draw(st.dictionaries(st.sampled_from(sorted(TOPIC_IDS)), booleans))},
        "goals_support": {
            "goals": draw(st.lists(st.fixed_dictionaries({"description": SAFE_TEXT, "target": SAFE_TEXT}), max_size=3)),
            "escort_every_session": (escort_every := draw(booleans)),
            "escort": draw(contact() if escort_every else st.none() | contact()),
            "emergency_contact": draw(st.none() | contact()),
            "living_situation": draw(st.sampled_from(["lives alone", "with partner or family", "not stated"])),
        },
    }
    return data


PROTOCOLS = st.sampled_from([
    default_protocol(),
    build_protocol({"version": "strict", "thresholds.bp_severe_systolic": 170, "schedule.min_days_between_sessions": 4,
                    "schedule.open_weekdays": ["mon", "wed", "fri"], "course.adjustments.severe_and_chronic": 5}),
])


# --- properties of plans -----------------------------------------------------------------------------


@SETTINGS
@given(data=intake_data(), protocol=PROTOCOLS,
       today=st.dates(REAL_TODAY - timedelta(days=730), REAL_TODAY + timedelta(days=730)),
       start=st.none() | st.dates(date(2026, 1, 1), date(2028, 12, 31)))
def test_any_valid_intake_plans_and_every_flag_names_a_real_field(data, protocol, today, start) -> None:
    intake = parse_intake(data)
    plan = make_plan(intake, protocol, today=today, start=start)

    codes = [f.code for f in plan.flags]
    assert len(codes) == len(set(codes)), "one flag per code"
    ranks = [SEVERITIES.index(f.severity) for f in plan.flags]
    assert ranks == sorted(ranks), "most serious first"
    for flag in plan.flags:
        assert (flag.severity, flag.title) == FLAG_DEFINITIONS[flag.code]
        assert flag.reason.strip()
        assert flag.source_fields
        for path in flag.source_fields:
            resolve(intake, path)
    for adjustment in plan.course.adjustments:
        for path in adjustment.source_fields:
            resolve(intake, path)

    blocking = [f for f in plan.flags if f.severity in ("urgent", "stop")]
    assert plan.schedulable is (not blocking)
    assert len(plan.not_schedulable_because) == len(blocking)
    c = plan.course
    assert c.sessions_min <= c.sessions <= c.sessions_max
    if plan.schedulable:
        dates = [s.date for s in plan.schedule]
        assert len(dates) == c.sessions and dates == sorted(dates)
        assert dates[0] >= (start or today)
        assert all(is_open(d, protocol.schedule) for d in dates)
        assert all((b - a).days >= protocol.schedule.min_days_between_sessions for a, b in zip(dates, dates[1:]))
        assert all(v.date is not None and v.date > dates[-1] for v in plan.follow_up)
    else:
        assert plan.schedule == [] and plan.start_date is None

    assert Plan.model_validate(plan.model_dump(mode="json")) == plan
    assert plan_markdown(plan, intake) and take_home_markdown(plan, intake)


@SETTINGS
@given(data=intake_data())
def test_a_valid_intake_survives_a_round_trip(data) -> None:
    intake = parse_intake(data)
    assert parse_intake(intake.model_dump_json()) == intake


@given(baseline=st.integers(1, 27), current=st.integers(0, 27))
def test_the_plans_response_threshold_agrees_with_the_response_rule(baseline, current) -> None:
    at_or_below = math.floor(baseline * (100 - default_protocol().thresholds.response_drop_percent) / 100)
    assert (current <= at_or_below) is is_response(baseline, current)


def test_the_plan_baseline_uses_that_threshold(make_intake) -> None:
    for total in (1, 9, 15, 27):
        plan = make_plan(make_intake({"phq9.answers": phq9_answers(total, item9=min(3, total // 9))}), default_protocol(), today=TODAY)
        assert is_response(total, plan.baseline.response_at_or_below)
        assert not is_response(total, plan.baseline.response_at_or_below + 1)


# --- invalid intakes ---------------------------------------------------------------------------------

OUT_OF_RANGE = {
    "medical_history.demographics.weight_kg": st.floats(-1000, 24.99) | st.floats(350.01, 1e6),
    "medical_history.demographics.height_cm": st.floats(0, 99.9) | st.floats(250.1, 1e4),
    "medical_history.vitals.systolic_bp": st.integers(-50, 59) | st.integers(281, 10_000),
    "medical_history.vitals.pulse": st.integers(-5, 24) | st.integers(251, 1000),
    "medical_history.psychiatric.episode_months": st.integers(-100, -1) | st.integers(721, 10_000),
    "medical_history.substance_use.alcohol_drinks_per_week": st.integers(-10, -1) | st.integers(301, 5000),
    "phq9.answers.0": st.integers(-10, -1) | st.integers(4, 50),
    "phq9.answers.8": st.integers(4, 50),
}
WRONG_TYPE = {
    "medical_history.demographics.weight_kg": st.sampled_from(["heavy", "70kg", "", None, [70]]),
    "medical_history.vitals.systolic_bp": st.sampled_from(["high", 150.5, "150/90", None]),
    "medical_history.physical.stroke": st.sampled_from(["maybe", "sometimes", 2, "not known"]),
    "medical_history.demographics.date_of_birth": st.sampled_from(["yesterday", "14/03/1984", "1984-02-30", 19840314.5]),
    "phq9.answers": st.sampled_from(["lots", 12, [1, 2, 3], [1] * 10]),
    "route": st.sampled_from(["oral", "IV", 1]),
    "asq.wished_dead": st.sampled_from(["perhaps", 3]),
    "medications.items": st.sampled_from(["Xanax", {"name": "Xanax"}, [{"dose": "1 mg"}]]),
}


@st.composite
def one_bad_answer(draw) -> tuple[dict[str, Any], str]:
    """A valid intake with exactly one thing wrong, and the path the problem must be reported at."""
    data = draw(intake_data())
    kind = draw(st.sampled_from(["range", "type", "diastolic", "future", "unknown", "acuity", "none_taken", "topic", "phone", "escort"]))
    if kind == "range":
        path = draw(st.sampled_from(sorted(OUT_OF_RANGE)))
        set_path(data, path, draw(OUT_OF_RANGE[path]))
    elif kind == "type":
        path = draw(st.sampled_from(sorted(WRONG_TYPE)))
        set_path(data, path, draw(WRONG_TYPE[path]))
    elif kind == "diastolic":
        systolic = draw(st.integers(60, 180))
        set_path(data, "medical_history.vitals.systolic_bp", systolic)
        path = "medical_history.vitals.diastolic_bp"
        set_path(data, path, draw(st.integers(systolic, 180)))
    elif kind == "future":
        path = "medical_history.demographics.date_of_birth"
        set_path(data, path, (REAL_TODAY + timedelta(days=draw(st.integers(1, 3650)))).isoformat())
    elif kind == "unknown":
        section = draw(st.sampled_from(["", "medical_history.", "medical_history.vitals.", "asq.", "goals_support.", "medical_history.physical."]))
        path = section + draw(st.sampled_from(["nickname", "systolic", "notes_x", "phq10"]))
        set_path(data, path, 1)
    elif kind == "acuity":
        set_path(data, "asq.ever_tried", True)
        path = "asq.thoughts_right_now"
        set_path(data, path, None)
    elif kind == "none_taken":
        path = "medications"
        data["medications"] = {"none_taken": True, "items": [{"name": draw(MEDICINE_NAMES)}]}
    elif kind == "topic":
        path = "side_effects.discussed"
        set_path(data, "side_effects.discussed." + draw(st.sampled_from(["hangover", "Bladder", "nausea"])), True)
    elif kind == "escort":
        path = "goals_support.escort"
        data["goals_support"].update(escort_every_session=True, escort=None)
    else:
        path = "goals_support.emergency_contact.phone"
        data["goals_support"]["emergency_contact"] = {"name": "Ana", "phone": draw(st.sampled_from(["call me", "12", "555-CALL-NOW", "+", "++1 555 0100"]))}
    path = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", path)
    return data, path


@SETTINGS
@given(case=one_bad_answer())
def test_an_intake_with_one_bad_answer_never_validates(case) -> None:
    data, path = case
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(data)
    reported = [p.path for p in caught.value.problems]
    assert any(r == path or r.startswith(path + ".") or r.startswith(path + "[") for r in reported), (path, reported)
    assert all(p.label and p.message for p in caught.value.problems)
