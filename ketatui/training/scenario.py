"""A training scenario: a synthetic patient, what they say when asked, and what a correct intake finds.

A scenario is a TOML file: the built-in ones ship in ``ketatui/data/scenarios``, a trainer's own go
in the folder the ``scenarios_dir`` setting names. ``Scenario`` is the one judge of a file: a
problem names the key it is about (``expected.flags[1]``) and what is accepted. Its ``intake`` is
the intake a careful clinician records from the persona; the flags and the course decision it must
give are written in ``expected``, and a test runs every shipped scenario through the real rules so
a file can never drift from them.

May import: pydantic, the intake models, the flag vocabulary and the standard library.
"""

from __future__ import annotations

import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ketatui.clinical.flags import FLAG_DEFINITIONS, sort_flags
from ketatui.intake.answers import unanswered
from ketatui.intake.document import Intake
from ketatui.intake.side_effects import SIDE_EFFECT_TOPICS

BUILT_IN_DIR = Path(__file__).resolve().parents[1] / "data" / "scenarios"
#: Words ``ketatui train`` takes as commands, so no scenario may be called by them.
RESERVED_IDS = frozenset({"results", "summary"})
#: The intake keys a scenario may fill: the sections a person answers, and the route.
INTAKE_KEYS = ("route", "medical_history", "phq9", "gad7", "asq", "medications", "side_effects", "goals_support")

_PART = re.compile(r"([^.\[\]]+)|\[(\d+|\*)\]")


class ScenarioInvalid(Exception):
    """A scenario file that cannot be used; each problem names the key and the fix."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def parts_of(path: str) -> list[str | int]:
    """``"medications.items[0].name"`` -> ``["medications", "items", 0, "name"]`` (``[*]`` stays ``"*"``)."""
    return [name if name else (index if index == "*" else int(index)) for name, index in _PART.findall(path)]


def values_at(data: Any, path: str) -> list[Any]:
    """Every value at ``path`` in plain data; ``[*]`` (or a list met without an index) means any item."""
    found = [data]
    for part in parts_of(path):
        step: list[Any] = []
        for node in found:
            if isinstance(node, list):
                if isinstance(part, int):
                    step += [node[part]] if part < len(node) else []
                elif part == "*":
                    step += node
                else:
                    step += [item[part] for item in node if isinstance(item, dict) and part in item]
            elif isinstance(node, dict) and isinstance(part, str) and part in node:
                step.append(node[part])
        found = step
    return found


class Fact(BaseModel):
    """Something the trainee should find out, and the intake field that shows whether they did."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=3, max_length=200, title="What the trainee should find out")
    field: str = Field(min_length=3, max_length=200, title="The intake field that holds it",
                       description="a dotted path such as medical_history.vitals.systolic_bp; [*] means any row")
    value: str | int | float | bool | None = Field(default=None, title="The answer to find there",
                                                   description="when the field has several rows: the one answer this fact is about")


class Expected(BaseModel):
    """What a correct intake produces: its flags and the course decision."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flags: list[str] = Field(default_factory=list, title="Flags a correct intake raises")
    schedulable: bool = Field(title="Whether sessions can be booked before a review")
    sessions: int | None = Field(default=None, ge=1, le=20, title="Planned sessions, when schedulable")

    @field_validator("flags")
    @classmethod
    def _known_codes(cls, codes: list[str]) -> list[str]:
        unknown = [code for code in codes if code not in FLAG_DEFINITIONS]
        if unknown:
            raise ValueError(f"{', '.join(repr(c) for c in unknown)} is not a flag code; the codes are {', '.join(FLAG_DEFINITIONS)}")
        if len(set(codes)) != len(codes):
            raise ValueError("a flag is listed twice")
        return codes


class Persona(BaseModel):
    """The synthetic patient: a name, what they say first, and what they say when asked about a field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=2, max_length=80, title="The patient's name")
    opening: str = Field(min_length=3, max_length=600, title="What the patient says first")
    says: dict[str, str] = Field(default_factory=dict, title="What the patient says when asked",
                                 description="intake field path (or a section, such as medical_history.vitals) to their words")

    @field_validator("says")
    @classmethod
    def _known_sections(cls, says: dict[str, str]) -> dict[str, str]:
        for path, words in says.items():
            if parts_of(path)[:1] not in ([key] for key in INTAKE_KEYS):
                raise ValueError(f"'{path}' is not a part of the intake; start it with one of {', '.join(INTAKE_KEYS)}")
            if not words.strip():
                raise ValueError(f"'{path}' has no words: say what the patient answers")
        return says


class Scenario(BaseModel):
    """One training scenario (see the module's docstring and docs/training.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$", title="Scenario id", description="lower-case letters, digits and dashes")
    title: str = Field(min_length=3, max_length=70, title="Title")
    family: str = Field(min_length=3, max_length=60, title="Flag family it teaches")
    brief: str = Field(min_length=10, max_length=800, title="What the trainee is told before starting")
    persona: Persona
    facts: list[Fact] = Field(min_length=1, title="Facts to elicit")
    expected: Expected
    intake: dict[str, Any] = Field(title="The correct intake")

    @field_validator("id")
    @classmethod
    def _not_a_command(cls, value: str) -> str:
        if value in RESERVED_IDS:
            raise ValueError(f"'{value}' is a word of `ketatui train`; choose another id")
        return value

    @field_validator("intake", mode="before")
    @classmethod
    def _sections_only(cls, value: Any) -> Any:
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(INTAKE_KEYS))
            if unknown:
                raise ValueError(f"{', '.join(unknown)} cannot be set by a scenario; use {', '.join(INTAKE_KEYS)}")
            if "side_effects" not in value:  # a correct intake discusses every topic
                value = {**value, "side_effects": {"discussed": {t.id: True for t in SIDE_EFFECT_TOPICS}}}
            try:
                Intake.model_validate(value)
            except ValidationError as exc:
                raise ValueError(INTAKE_PROBLEMS + "\n".join(f"key 'intake.{_key(e['loc'])}': {_message(e)}" for e in exc.errors())) from None
        return value

    @model_validator(mode="after")
    def _every_question_answered(self) -> Scenario:
        """A careful clinician answers every question the rules read: none is left for a default."""
        intake = self.correct_intake()
        missing = unanswered(intake.medical_history, "medical_history") + unanswered(intake.goals_support, "goals_support")
        if missing:
            raise ValueError("the intake leaves questions unanswered; answer each with true or false (a number for "
                             "drinks): " + ", ".join(f"'intake.{q.path}'" for q in missing))
        return self

    @model_validator(mode="after")
    def _facts_are_in_the_intake(self) -> Scenario:
        data = self.correct_intake().model_dump(mode="json")
        for index, fact in enumerate(self.facts):
            found = [v for v in values_at(data, fact.field) if v not in (None, "", [], {})]
            if not found:
                raise ValueError(f"facts[{index}].field: '{fact.field}' holds no answer in the scenario's intake")
            if fact.value is not None and fact.value not in found:
                raise ValueError(f"facts[{index}].value: {fact.value!r} is not among the intake's answers at '{fact.field}' ({found})")
        return self

    def correct_intake(self) -> Intake:
        """The intake a careful clinician records from this persona (a new record each time)."""
        return Intake(training=True, current_step="summary", **self.intake)

    @cached_property
    def correct_data(self) -> dict[str, Any]:
        return self.correct_intake().model_dump(mode="json")

    @property
    def crisis_expected(self) -> bool:
        """A correct intake screens positive for suicide risk, so the crisis path must be followed."""
        return any(code.startswith("RISK-SUICIDE") for code in self.expected.flags)

    @property
    def flags_in_order(self) -> list[str]:
        """The expected codes, most serious first (the order the plan shows them)."""
        from ketatui.clinical.flags import make_flag

        return [f.code for f in sort_flags([make_flag(code, "expected", "scenario") for code in self.expected.flags])]


INTAKE_PROBLEMS = "the intake does not validate: "


def _message(error: Any) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        return "is missing; add it"
    if error["type"] == "extra_forbidden":
        return "is not a key here; check its spelling"
    return message


def _key(loc: tuple[Any, ...]) -> str:
    key = ""
    for item in loc:
        key += f"[{item}]" if isinstance(item, int) else (f".{item}" if key else str(item))
    return key or "(file)"


def problems_of(exc: ValidationError) -> list[str]:
    """Each error as "key 'expected.flags': what is wrong", in words a trainer can act on."""
    problems = []
    for error in exc.errors():
        message = _message(error)
        if message.startswith(INTAKE_PROBLEMS):  # the intake's own problems, each with its key
            problems += message.removeprefix(INTAKE_PROBLEMS).split("\n")
            continue
        if not error["loc"] and ": " in message:  # a check across keys names its key first
            key, _, message = message.partition(": ")
            problems.append(f"key '{key}': {message}")
            continue
        problems.append(f"key '{_key(error['loc'])}': {message}")
    return problems


def parse_scenario(text: str, source: str) -> Scenario:
    """A scenario from TOML text; ``ScenarioInvalid`` names every problem by its key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioInvalid(source, [f"is not valid TOML ({exc}); fix that line"]) from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioInvalid(source, problems_of(exc)) from None


def load_scenario(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioInvalid(str(path), [f"cannot be read ({exc.strerror or exc}); check its permissions"]) from None
    return parse_scenario(text, str(path))


class Library:
    """Every scenario a trainer can run: the built-in ones, then the trainer's own folder.

    A file that cannot be used is kept in ``problems`` (and listed), never silently dropped; a
    trainer's file with the id of a built-in one replaces it, so a clinic can adapt a scenario.
    """

    def __init__(self, own_dir: Path | None = None, *, built_in: Path = BUILT_IN_DIR) -> None:
        self.own_dir = own_dir
        self.problems: list[ScenarioInvalid] = []
        found: dict[str, Scenario] = {}
        self.sources: dict[str, Path] = {}
        for folder in (built_in, own_dir):
            if folder is None or not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.toml")):
                try:
                    scenario = load_scenario(path)
                except ScenarioInvalid as exc:
                    self.problems.append(exc)
                    continue
                found[scenario.id] = scenario
                self.sources[scenario.id] = path
        self.scenarios = list(found.values())

    def get(self, scenario_id: str) -> Scenario:
        """The scenario with this id (or a unique start of it); ``KeyError`` says which ids there are."""
        exact = {s.id: s for s in self.scenarios}
        if scenario_id in exact:
            return exact[scenario_id]
        starts = [s for s in self.scenarios if s.id.startswith(scenario_id)]
        if len(starts) == 1:
            return starts[0]
        which = "matches more than one" if starts else "is not a scenario"
        raise KeyError(f"'{scenario_id}' {which}; the scenarios are {', '.join(exact) or '(none)'}")
