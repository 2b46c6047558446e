"""Schema migrations: one pure function per step from version N to N+1, applied on read.

Stored documents are never rewritten just because the app was updated: a document is migrated
in memory when it is read, and saved in the current version the next time it is saved.

Version 1 (the first stored form) differed from version 2 in these ways:

- the revision counter was ``revision`` (now ``rev``), and a draft's status was ``in_progress``;
- ``current_step`` was the step's number, 1 to 5 (now the step's name);
- the person's name and date of birth were ``demographics.name`` and ``demographics.dob``;
- there were no ``training``, ``amends_rev``, ``route``, ``gad7`` or ``form_state`` keys.

Version 2 differed from version 3 in how a question the rules read was answered: a yes/no box
could not say "not answered". Its follow-ups ("Blood pressure controlled by treatment",
"Overactive thyroid controlled") and "In the current episode" were ticked before anyone answered
them, an unticked box was stored as ``false`` whether or not it had been asked, and an empty
"Alcoholic drinks per week" as 0. Version 3 keeps None for "not answered" (``intake.answers``).
``v2_to_v3`` therefore, on a record that is not signed, turns every value that was only the form's
default into None for a clinician to confirm: a follow-up's ``true``, a yes/no ``false``, a
trial's ``in_current_episode: true``, 0 drinks, and "not applicable" after earlier ketamine. A
``true`` the clinician ticked, and every number typed, are kept. A signed record reads exactly as
it was signed (the v2 defaults it was read with are written out in memory; the stored bytes are
never changed): the clinician who signed it saw and accepted those answers (docs/answers.md).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from ketatui.intake.schema import SCHEMA_VERSION

Document = dict[str, Any]

_V1_STEPS = {1: "medical_history", 2: "medications", 3: "side_effects", 4: "goals_support", 5: "summary"}


def v1_to_v2(doc: Document) -> Document:
    out = copy.deepcopy(doc)
    out["rev"] = out.pop("revision", out.get("rev", 0))
    if out.get("status") == "in_progress":
        out["status"] = "draft"
    step = out.get("current_step")
    if isinstance(step, int) or (isinstance(step, str) and step.isdigit()):
        out["current_step"] = _V1_STEPS.get(int(step), "medical_history")
    history = out.get("medical_history")
    demo = history.get("demographics") if isinstance(history, dict) else None  # a wrong shape is left for validation to name
    if isinstance(demo, dict):
        if "name" in demo:
            demo["full_name"] = demo.pop("name")
        if "dob" in demo:
            demo["date_of_birth"] = demo.pop("dob")
    out.setdefault("training", False)
    out.setdefault("amends_rev", None)
    out.setdefault("route", "iv_ketamine")
    out.setdefault("gad7", None)
    out.setdefault("form_state", {})
    out["schema_version"] = 2
    return out


#: The v2 answers that were only a default: question -> the default the v2 form stored.
_V2_DEFAULTS: dict[str, dict[str, Any]] = {
    "psychiatric": {name: False for name in ("prior_ect", "prior_tms", "prior_ketamine", "psychosis", "bipolar_disorder", "mood_stabiliser")},
    "substance_use": {"active_substance_use_disorder": False, "past_ketamine_or_pcp_misuse": False, "alcohol_drinks_per_week": 0, "cannabis_use": False},
    "physical": {name: False for name in (
        "hypertension", "coronary_disease", "heart_failure", "arrhythmia", "pulmonary_hypertension", "aneurysm",
        "arteriovenous_malformation", "stroke", "intracerebral_haemorrhage", "raised_intracranial_pressure", "seizures",
        "glaucoma", "recent_eye_surgery", "liver_disease", "hyperthyroidism", "bladder_symptoms", "pregnant",
        "trying_to_conceive", "breastfeeding", "ketamine_allergy")},
}
#: A follow-up and the question it follows; its v2 ``true`` was ticked before anyone answered.
_V2_FOLLOW_UPS = {"hypertension_controlled": "hypertension", "hyperthyroidism_controlled": "hyperthyroidism"}


@dataclass
class MigrationReport:
    """What the migrations read while ``reporting()`` was on: records read from an older schema,
    and the ids of those whose assumed answers became "not answered"."""

    read: int = 0
    answers_to_confirm: dict[str, int] = field(default_factory=dict)  # record id -> answers reset


_REPORT: ContextVar[MigrationReport | None] = ContextVar("migration_report", default=None)


@contextmanager
def reporting() -> Iterator[MigrationReport]:
    """Count what every ``migrate`` does inside the ``with``: ``ketatui db upgrade`` says it."""
    report = MigrationReport()
    token = _REPORT.set(report)
    try:
        yield report
    finally:
        _REPORT.reset(token)


def _unassume(section: dict[str, Any], defaults: dict[str, Any], prefix: str) -> list[str]:
    """Set to None every answer in ``section`` equal to the v2 form's default; the paths changed."""
    changed = []
    for name, default in defaults.items():
        value = section.get(name, default)
        if value is None:
            continue
        if value == default and type(value) is type(default):
            section[name] = None
            changed.append(f"{prefix}.{name}")
    return changed


def _unassume_history(history: dict[str, Any], prefix: str) -> list[str]:
    """Reset the assumed answers of a v2 ``medical_history`` (a section, or a draft's form values nested)."""
    changed: list[str] = []
    for group, defaults in _V2_DEFAULTS.items():
        section = history.get(group)
        if isinstance(section, dict):
            changed += _unassume(section, defaults, f"{prefix}.{group}")
    physical = history.get("physical")
    if isinstance(physical, dict):
        for follow_up, parent in _V2_FOLLOW_UPS.items():
            value = physical.get(follow_up, True)  # absent: the v2 default, true
            if value is True or (value is not None and physical.get(parent) is not True):
                physical[follow_up] = None  # pre-ticked, or kept from a question that was not asked
                changed.append(f"{prefix}.physical.{follow_up}")
    psychiatric = history.get("psychiatric")
    if isinstance(psychiatric, dict):
        if psychiatric.get("prior_ketamine_response", "not applicable") == "not applicable":
            psychiatric["prior_ketamine_response"] = None  # the v2 default; "not applicable" is asked again after a yes
        changed += _unassume_trials(psychiatric.get("antidepressant_trials"), f"{prefix}.psychiatric.antidepressant_trials")
    return changed


def _unassume_trials(trials: Any, prefix: str) -> list[str]:
    changed = []
    for index, trial in enumerate(trials if isinstance(trials, list) else []):
        if isinstance(trial, dict) and trial.get("in_current_episode", True) is True:
            trial["in_current_episode"] = None
            changed.append(f"{prefix}[{index}].in_current_episode")
    return changed


def _unassume_form_values(state: dict[str, Any]) -> list[str]:
    """A draft's typed answers (``form_state``) showed the same pre-ticked and unticked boxes."""
    values = state.get("values")
    changed: list[str] = []
    if isinstance(values, dict):
        prefix = "medical_history."
        for group, defaults in _V2_DEFAULTS.items():
            for name, default in defaults.items():
                path = f"{prefix}{group}.{name}"
                if path in values and values[path] == default and type(values[path]) is type(default):
                    values[path] = None
                    changed.append(path)
        for follow_up in _V2_FOLLOW_UPS:
            path = f"{prefix}physical.{follow_up}"
            if values.get(path) is True:
                values[path] = None
                changed.append(path)
    changed += _unassume_trials(state.get("trials"), "form_state.trials")
    return changed


def _as_signed(history: dict[str, Any]) -> None:
    """Write out the v2 defaults a signed record was read with, so it reads as it was signed
    (an absent follow-up of a yes was "controlled", an absent box "no")."""
    for group, defaults in _V2_DEFAULTS.items():
        section = history.setdefault(group, {}) if group != "psychiatric" else history.get(group)
        if isinstance(section, dict):  # a section left out was the v2 model's default: every box unticked
            for name, default in defaults.items():
                section.setdefault(name, default)
    physical = history.get("physical")
    if isinstance(physical, dict):
        for follow_up, parent in _V2_FOLLOW_UPS.items():
            if physical.get(parent) is True:
                physical.setdefault(follow_up, True)
    psychiatric = history.get("psychiatric")
    if isinstance(psychiatric, dict):
        for trial in psychiatric.get("antidepressant_trials") or []:
            if isinstance(trial, dict):
                trial.setdefault("in_current_episode", True)


def v2_to_v3(doc: Document) -> Document:
    """Answers that were only the v2 form's defaults become None ("not answered"), except on a
    signed record, which stays as it was signed (see the module's docstring)."""
    out = copy.deepcopy(doc)
    out["schema_version"] = 3
    if out.get("status") == "signed":
        history = out.get("medical_history")
        if isinstance(history, dict):
            _as_signed(history)
        return out
    changed: list[str] = []
    history = out.get("medical_history")
    if isinstance(history, dict):
        changed += _unassume_history(history, "medical_history")
    form_state = out.get("form_state")
    if isinstance(form_state, dict) and isinstance(form_state.get("medical_history"), dict):
        changed += _unassume_form_values(form_state["medical_history"])
    report = _REPORT.get()
    if report is not None and changed:
        report.answers_to_confirm[str(out.get("record_id"))] = len(changed)
    return out


#: ``MIGRATIONS[n]`` turns a version-n document into a version n+1 one.
MIGRATIONS: dict[int, Callable[[Document], Document]] = {1: v1_to_v2, 2: v2_to_v3}


def version_of(doc: Document) -> int:
    version = doc.get("schema_version", 1)
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"schema_version must be a whole number from 1, not {version!r}")
    return version


def migrate(doc: Document, target: int = SCHEMA_VERSION) -> Document:
    """``doc`` brought up to ``target``; the input is left as it was. Newer documents are refused."""
    version = version_of(doc)
    if version > target:
        raise ValueError(f"schema version {version} is newer than {target}; it cannot be migrated down")
    report = _REPORT.get()
    if report is not None and version < target:
        report.read += 1
    while version < target:
        doc = MIGRATIONS[version](doc)
        version += 1
    return doc


def brought_up_to_date(data: Any) -> Any:
    """An intake file of an older schema migrated; anything else (a newer or unreadable version,
    not an object) is returned as it is, for the model to name what is wrong with it."""
    if not isinstance(data, dict):
        return data
    try:
        return migrate(data) if version_of(data) < SCHEMA_VERSION else data
    except ValueError:
        return data
