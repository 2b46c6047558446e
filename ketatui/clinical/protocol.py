"""The clinic's protocol: thresholds and course rules read from TOML and validated.

Defaults ship as ``ketatui/data/protocol.toml``; a clinic points ``--protocol`` (or the
``protocol_file`` setting) at its own copy. A bad file is refused with the key and what is accepted.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ketatui.intake.fields import FieldProblem, problems_from

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    bp_severe_systolic: int = Field(ge=120, le=260)
    bp_severe_diastolic: int = Field(ge=70, le=160)
    bp_elevated_systolic: int = Field(ge=100, le=220)
    bp_elevated_diastolic: int = Field(ge=60, le=140)
    minor_age_below: int = Field(ge=16, le=21)
    older_age_from: int = Field(ge=50, le=90)
    bmi_high_from: float = Field(ge=20, le=60)
    mild_phq9_below: int = Field(ge=1, le=27)
    severe_phq9_from: int = Field(ge=1, le=27)
    trd_min_failed_trials: int = Field(ge=1, le=10)
    adequate_trial_weeks: int = Field(ge=1, le=26)
    failed_trial_improvement_below: int = Field(ge=1, le=100)
    response_drop_percent: int = Field(ge=1, le=100)
    remission_phq9_below: int = Field(ge=1, le=27)
    # Course rules (defaults so a protocol file written before the course was recorded still loads).
    partial_response_drop_percent: int = Field(default=25, ge=1, le=100)
    relapse_phq9_from: int = Field(default=10, ge=1, le=27)
    futility_fall_at_most_percent: int = Field(default=0, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> "Thresholds":
        if self.bp_elevated_systolic >= self.bp_severe_systolic or self.bp_elevated_diastolic >= self.bp_severe_diastolic:
            raise ValueError("bp_elevated_* must be lower than bp_severe_*")
        return self


class RouteCourse(_Strict):
    planned: int = Field(ge=1, le=40)
    min: int = Field(ge=1, le=40)
    max: int = Field(ge=1, le=40)
    per_week: int = Field(ge=1, le=3)
    induction_sessions: int | None = Field(default=None, ge=1, le=40)
    maintenance_per_week: int | None = Field(default=None, ge=1, le=3)
    #: After the planned sessions, maintenance every how many weeks (e.g. [1, 2]: weekly to fortnightly).
    maintenance_every_weeks: list[int] = Field(default_factory=list, max_length=4)
    futility_review_after: int = Field(ge=1, le=40)
    early_stop_after: int = Field(ge=1, le=40)
    extension_check_after: int = Field(ge=1, le=40)
    extension_sessions: int = Field(ge=0, le=10)
    observation_minutes: int = Field(ge=30, le=480)
    dose_mg_per_kg: float | None = Field(default=None, gt=0, le=2)

    @model_validator(mode="after")
    def _range(self) -> "RouteCourse":
        if not self.min <= self.planned <= self.max:
            raise ValueError(f"planned ({self.planned}) must lie between min ({self.min}) and max ({self.max})")
        if any(not 1 <= weeks <= 12 for weeks in self.maintenance_every_weeks):
            raise ValueError(f"maintenance_every_weeks ({self.maintenance_every_weeks}) must hold numbers of weeks from 1 to 12")
        if self.induction_sessions is not None and self.induction_sessions > self.planned:
            raise ValueError(f"induction_sessions ({self.induction_sessions}) must not be more than planned ({self.planned})")
        return self


class Adjustments(_Strict):
    prior_ketamine_response: int = Field(ge=-10, le=10)
    mild_severity: int = Field(ge=-10, le=10)
    severe_and_chronic: int = Field(ge=-10, le=10)
    chronic_episode_months: int = Field(ge=1, le=240)
    many_failed_trials: int = Field(ge=1, le=20)


class Course(_Strict):
    iv_ketamine: RouteCourse
    esketamine: RouteCourse
    adjustments: Adjustments


class ScheduleRules(_Strict):
    lead_days: int = Field(ge=0, le=90)
    open_weekdays: list[Weekday] = Field(min_length=1)
    min_days_between_sessions: int = Field(ge=1, le=7)
    closed_days: list[date] = Field(default_factory=list)


class FollowUpRules(_Strict):
    first_visit_days_after_last_session: int = Field(ge=1, le=60)
    maintenance_review_weeks: list[int] = Field(default_factory=list)


class SessionRules(_Strict):
    """Blood pressure limits on a treatment day (mmHg). Defaults are clinic choices, see the TOML."""

    hold_systolic: int = Field(default=160, ge=100, le=260)
    hold_diastolic: int = Field(default=100, ge=60, le=160)
    rise_systolic: int = Field(default=180, ge=100, le=260)
    rise_diastolic: int = Field(default=110, ge=60, le=160)


class CrisisContact(_Strict):
    name: str = Field(min_length=1)
    how: str = Field(min_length=1)


class Protocol(_Strict):
    version: str = Field(min_length=1)
    clinic_name: str = "Ketamine clinic"
    thresholds: Thresholds
    adequate_dose_mg: dict[str, float] = Field(default_factory=dict)
    course: Course
    schedule: ScheduleRules
    follow_up: FollowUpRules
    session: SessionRules = Field(default_factory=SessionRules)
    crisis_contacts: list[CrisisContact] = Field(min_length=1)


class ProtocolInvalid(Exception):
    """A protocol file that cannot be used, with every problem named by its TOML key."""

    def __init__(self, source: str, problems: list[FieldProblem]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(f"{p.path}: {p.message}" for p in problems))


def _default_text() -> str:
    return resources.files("ketatui").joinpath("data/protocol.toml").read_text(encoding="utf-8")


def parse_protocol(text: str, source: str = "protocol") -> Protocol:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolInvalid(source, [FieldProblem("(file)", "Protocol file", f"is not valid TOML: {exc}")]) from None
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        raise ProtocolInvalid(source, problems_from(exc, Protocol)) from None


@lru_cache(maxsize=1)
def default_protocol() -> Protocol:
    return parse_protocol(_default_text(), "built-in protocol")


def load_protocol(path: str | Path | None = None) -> Protocol:
    """The protocol at ``path`` (a ``--protocol`` flag, else ``settings.protocol_file``), else the built-in defaults."""
    if not path:
        return default_protocol()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProtocolInvalid(str(file), [FieldProblem("(file)", "Protocol file", f"cannot be read ({exc.strerror})")]) from None
    return parse_protocol(text, str(file))
