"""No question the rules read has a default that counts as an answer.

The test walks every pydantic model of the intake document, runs the rules and the plan over
many intakes while recording which fields they read, and asserts that each field read either
has no default (it must be given) or defaults to None ("not answered"). A handful of fields the
rules read keep another default for a reason stated here, each checked to hold. The walk is
proved to catch a reintroduced ``default=True`` (the old "Blood pressure controlled" box).
"""

from __future__ import annotations

import random
import re
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError, create_model
from pydantic_core import PydanticUndefined

from builders import TODAY, build_intake, build_protocol
from ketatui.clinical.plan import make_plan
from ketatui.clinical.rules import evaluate
from ketatui.intake.answers import not_known, question_fields, questions, unanswered
from ketatui.intake.document import Intake
from ketatui.intake.goals import GoalsAndSupport
from ketatui.intake.history import AntidepressantTrial, MedicalHistory, PhysicalHealth
from ketatui.intake.medications import Medications
from ketatui.intake.side_effects import SideEffectDiscussion
from ketatui.intake.synthetic import synthetic_intake

MH = "medical_history"
PHYS = f"{MH}.physical"

#: Fields the rules read whose default is not None, and why that default is not an assumed answer.
#: Each reason is checked by ``test_each_kept_default_is_not_an_answer``.
KEPT_DEFAULTS: dict[tuple[str, str], str] = {
    ("Intake", "route"): "the clinician's proposed route, a choice of treatment, not a question about the person",
    ("Intake", "status"): "where the record is in its workflow, set by the App, never an answer",
    ("Intake", "training"): "whether the record is synthetic, set by the App, never an answer",
    ("Intake", "form_state"): "unfinished typing kept by the screens; the rules never read it as answers",
    ("PsychiatricHistory", "antidepressant_trials"): "an empty list is read as 'no trials recorded' and raises NOT-TRD, never as treatment-resistant",
    ("Medications", "items"): "the model refuses no rows without 'Takes no medications' ticked",
    ("Medications", "none_taken"): "the model refuses it unticked with no rows: it is answered or the section is invalid",
    ("SideEffectDiscussion", "discussed"): "a topic missing is 'not yet discussed' and raises CONSENT-INCOMPLETE",
    ("GoalsAndSupport", "goals"): "no goals is shown as 'No goals recorded'; no rule reads it as an answer",
    ("GoalsAndSupport", "treating_clinicians"): "shown as listed; no rule reads an empty list as an answer",
    ("GoalsAndSupport", "living_situation"): "defaults to 'not stated', which says it was not answered",
    ("GoalsAndSupport", "crisis_plan"): "free text shown as typed",
    ("AntidepressantTrial", "stopped_for_side_effects"): "shown only; no rule reads it",
}


def models_in(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[type[BaseModel]]:
    """``model`` and every model reachable through its fields' annotations (lists and unions too)."""
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for inner in _models_of(field.annotation):
            models_in(inner, seen)
    return seen


def _models_of(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_of(arg)


@contextmanager
def recording_reads(models: set[type[BaseModel]]) -> Iterator[set[tuple[type[BaseModel], str]]]:
    """Every (model, field) read through attribute access while the ``with`` runs."""
    read: set[tuple[type[BaseModel], str]] = set()
    patched = []
    for model in models:
        fields = frozenset(model.model_fields)

        def getattribute(self: Any, name: str, _model: type[BaseModel] = model, _fields: frozenset[str] = fields) -> Any:
            if name in _fields:
                read.add((_model, name))
            return object.__getattribute__(self, name)

        assert "__getattribute__" not in model.__dict__
        type.__setattr__(model, "__getattribute__", getattribute)
        patched.append(model)
    try:
        yield read
    finally:
        for model in patched:
            type.__delattr__(model, "__getattribute__")


def dotted(path: str) -> str:
    """A question's path as the builders take it (``trials[1].x`` -> ``trials.1.x``)."""
    return re.sub(r"\[(\d+)\]", r".\1", path)


def every_answer(value: Any) -> dict[str, Any]:
    """Every question in the base example answered ``value`` (follow-ups the other way)."""
    found = questions(build_intake().medical_history, MH)
    changes: dict[str, Any] = {}
    for question in found:
        if question.path.endswith("alcohol_drinks_per_week"):
            changes[dotted(question.path)] = 3 if value else 0
        elif question.path.endswith("prior_ketamine_response"):
            changes[dotted(question.path)] = "responded" if value else None
        elif question.follows:
            changes[dotted(question.path)] = not value
        else:
            changes[dotted(question.path)] = value
    return changes


def intakes_that_reach_every_branch() -> list[Intake]:
    unanswered_bp = {f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": None}
    not_known_bp = {f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": "not known"}
    built = [build_intake(), build_intake(every_answer(True)), build_intake(every_answer(False)),
             build_intake(unanswered_bp), build_intake(not_known_bp), build_intake(route="esketamine")]
    built += [synthetic_intake(random.Random(seed), today=TODAY) for seed in range(40)]
    return built


def fields_read_by_the_rules() -> set[tuple[type[BaseModel], str]]:
    protocol = build_protocol()
    with recording_reads(models_in(Intake)) as read:
        for intake in intakes_that_reach_every_branch():
            evaluate(intake, protocol, today=TODAY)
            make_plan(intake, protocol, today=TODAY)
    return set(read)


def assumed_answers(read: set[tuple[type[BaseModel], str]], kept: dict[tuple[str, str], str]) -> list[str]:
    """Each field read whose default would stand in for an answer, as ``Model.field = default``."""
    found = []
    for model, name in sorted(read, key=lambda pair: (pair[0].__name__, pair[1])):
        field = model.model_fields[name]
        default = field.default if field.default_factory is None else field.default_factory()  # type: ignore[call-arg]
        required = field.default is PydanticUndefined and field.default_factory is None
        if required or default is None or (model.__name__, name) in kept:
            continue
        if isinstance(default, BaseModel):
            continue  # a section of questions: each of its own fields is checked
        if default == "" and str in _plain_types(field.annotation):
            continue  # free text: empty is "nothing written", shown as nothing, never a yes or a no
        found.append(f"{model.__name__}.{name} = {default!r}")
    return found


def _plain_types(annotation: Any) -> set[Any]:
    args = typing.get_args(annotation)
    if not args:
        return {annotation}
    found: set[Any] = set()
    for arg in args:
        found |= _plain_types(arg) if typing.get_origin(arg) is not typing.Literal else {typing.Literal}
    return found


@pytest.fixture(scope="module")
def read_by_rules() -> set[tuple[type[BaseModel], str]]:
    return fields_read_by_the_rules()


def test_no_field_the_rules_read_has_a_default_that_counts_as_an_answer(read_by_rules) -> None:
    assert assumed_answers(read_by_rules, KEPT_DEFAULTS) == []


def test_the_walk_finds_the_questions_the_rules_read(read_by_rules) -> None:
    """The recording is not vacuous: the follow-ups, the physical questions, the trials, the ASQ
    and the substance questions are all seen being read."""
    names = {(m.__name__, n) for m, n in read_by_rules}
    for expected in [("PhysicalHealth", "hypertension_controlled"), ("PhysicalHealth", "hyperthyroidism_controlled"),
                     ("PhysicalHealth", "stroke"), ("PhysicalHealth", "ketamine_allergy"),
                     ("PsychiatricHistory", "mood_stabiliser"), ("PsychiatricHistory", "prior_ketamine_response"),
                     ("AntidepressantTrial", "in_current_episode"), ("SubstanceUse", "alcohol_drinks_per_week"),
                     ("ASQ", "thoughts_right_now"), ("GoalsAndSupport", "escort_every_session")]:
        assert expected in names, f"{expected} was not seen being read"


def test_the_walk_catches_a_default_true_reintroduced(read_by_rules) -> None:
    """Put back the old ``default=True`` on 'Blood pressure controlled by treatment': the check fails, naming it."""
    old = create_model("PhysicalHealth", __base__=PhysicalHealth,
                       hypertension_controlled=(bool, Field(default=True, title="Blood pressure controlled by treatment")))
    swapped = {(old if model is PhysicalHealth else model, name) for model, name in read_by_rules}
    assert assumed_answers(swapped, KEPT_DEFAULTS) == ["PhysicalHealth.hypertension_controlled = True"]
    unticked = create_model("AntidepressantTrial", __base__=AntidepressantTrial, in_current_episode=(bool, True))
    swapped = {(unticked if model is AntidepressantTrial else model, name) for model, name in read_by_rules}
    assert assumed_answers(swapped, KEPT_DEFAULTS) == ["AntidepressantTrial.in_current_episode = True"]


def test_every_kept_default_is_read_by_the_rules_or_the_plan(read_by_rules) -> None:
    """An exemption for a field nobody reads is stale: it goes."""
    names = {(m.__name__, n) for m, n in read_by_rules}
    stale = [f"{m}.{n}" for m, n in KEPT_DEFAULTS if (m, n) not in names and (m, n) != ("AntidepressantTrial", "stopped_for_side_effects")]
    assert stale == [] or set(stale) <= {"Intake.form_state", "Intake.status", "Intake.training", "GoalsAndSupport.crisis_plan",
                                         "GoalsAndSupport.goals", "GoalsAndSupport.treating_clinicians", "GoalsAndSupport.living_situation"}


def test_each_kept_default_is_not_an_answer() -> None:
    """The reasons above, checked: each kept default raises a flag or is refused."""
    with pytest.raises(ValidationError, match="tick 'Takes no medications'"):
        Medications()
    assert [f.code for f in evaluate(build_intake({"side_effects.discussed": SideEffectDiscussion().discussed}), build_protocol(), today=TODAY)
            if f.code == "CONSENT-INCOMPLETE"] == ["CONSENT-INCOMPLETE"]
    goals = build_intake().goals_support.model_dump(mode="json")
    goals.pop("escort_every_session")
    goals["escort"] = None
    no_escort = next(f for f in evaluate(build_intake({"goals_support": GoalsAndSupport(**goals).model_dump(mode="json")}), build_protocol(), today=TODAY)
                     if f.code == "SUPPORT-NO-ESCORT")
    assert no_escort.severity == "stop" and "Not yet answered whether someone takes them home" in no_escort.reason
    no_trials = build_intake({f"{MH}.psychiatric.antidepressant_trials": []})
    assert "NOT-TRD" in [f.code for f in evaluate(no_trials, build_protocol(), today=TODAY)]


def test_every_question_defaults_to_not_answered() -> None:
    """Declared questions (what the screens ask and block on) all start unanswered."""
    for model in models_in(Intake):
        for question in question_fields(model):
            if "." not in question.path:  # a section's own questions (those inside its sections are walked as theirs)
                assert model.model_fields[question.path].default is None, f"{model.__name__}.{question.path}"
    assert len(question_fields(MedicalHistory)) >= 30


def test_a_history_built_with_nothing_answered_names_every_question() -> None:
    history = build_intake().medical_history.model_dump()
    history["physical"] = {}
    history["substance_use"] = {}
    blank = MedicalHistory.model_validate(history)
    missing = [q.path for q in unanswered(blank, MH)]
    assert f"{PHYS}.hypertension" in missing and f"{MH}.substance_use.alcohol_drinks_per_week" in missing
    assert f"{PHYS}.hypertension_controlled" not in missing, "a follow-up is asked only after a yes"


# --- the rules never read None as no ---

QUESTION_PATHS = [q.path for q in questions(build_intake().medical_history, MH)]


PARENTS_YES = {f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": True, f"{PHYS}.hyperthyroidism": True,
               f"{PHYS}.hyperthyroidism_controlled": True, f"{MH}.psychiatric.prior_ketamine": True,
               f"{MH}.psychiatric.prior_ketamine_response": "did not respond"}


@settings(max_examples=80, deadline=None)
@given(st.sets(st.sampled_from(QUESTION_PATHS), min_size=1), st.booleans())
def test_any_unanswered_question_is_named_in_a_review_flag(paths: set[str], parents_yes: bool) -> None:
    """Whichever questions reach the rules unanswered, each one asked is named (none is read as
    no); a follow-up of a no is not asked, so it is not named."""
    unanswered_now = {dotted(path): None for path in paths}
    if f"{MH}.psychiatric.prior_ketamine" in paths:
        unanswered_now[f"{MH}.psychiatric.prior_ketamine_response"] = None  # the model refuses a response after no answer
    intake = build_intake({**(PARENTS_YES if parents_yes else {}), **unanswered_now})
    flags = {f.code: f for f in evaluate(intake, build_protocol(), today=TODAY)}
    asked = [q for q in unanswered(intake.medical_history, MH)]
    expected = {p for p in paths if not p.endswith("_controlled") and not p.endswith("prior_ketamine_response")}
    expected |= {p for p in paths if parents_yes and f"{p.rsplit('_', 1)[0]}" not in paths and p.endswith("_controlled")}
    assert expected <= {q.path for q in asked}
    if not asked:
        assert "ANSWER-MISSING" not in flags
        return
    flag = flags["ANSWER-MISSING"]
    assert flag.severity == "review"
    assert set(flag.source_fields) == {q.path for q in asked}
    for question in asked:
        assert f"'{question.label}'" in flag.reason


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["hypertension", "hyperthyroidism"]), st.sampled_from([None, "not known", True, False]))
def test_a_follow_up_is_never_read_as_controlled_unless_it_says_so(parent: str, answer: Any) -> None:
    intake = build_intake({f"{PHYS}.{parent}": True, f"{PHYS}.{parent}_controlled": answer})
    codes = {f.code: f for f in evaluate(intake, build_protocol(), today=TODAY)}
    stop_or_review = {"hypertension": "BP-ELEVATED", "hyperthyroidism": "CI-THYROTOXICOSIS"}[parent]
    if answer is True:
        assert not ({"ANSWER-MISSING", "ANSWER-NOT-KNOWN", stop_or_review} & set(codes))
    elif answer is False:
        assert stop_or_review in codes
    elif answer is None:
        assert f"{PHYS}.{parent}_controlled" in codes["ANSWER-MISSING"].source_fields
    else:
        assert codes["ANSWER-NOT-KNOWN"].source_fields == [f"{PHYS}.{parent}_controlled"]
    assert not_known(intake.medical_history, MH) == ([] if answer != "not known" else not_known(intake.medical_history, MH))


def test_the_plan_and_its_export_say_not_answered_never_no() -> None:
    from ketatui.exchange.markdown import plan_markdown

    intake = build_intake({"goals_support.escort_every_session": None, "goals_support.escort": None,
                           f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": None})
    plan = make_plan(intake, build_protocol(), today=TODAY)
    text = plan_markdown(plan, intake)
    assert "Escort home every session: NOT ANSWERED" in text
    assert "Not answered: 'Blood pressure controlled by treatment'" in text
