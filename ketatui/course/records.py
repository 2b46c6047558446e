"""Session and follow-up records: one per treatment session or visit, validated like the intake.

The REMS Patient Monitoring Form (clinical reference §2.3) is the template: dose, the PHQ-9
before dosing, blood pressure before, at 40 minutes and at discharge, SpO₂, sedation,
dissociation, adverse events, escort and readiness to leave. Every problem is reported by field
in plain words, with paths into a sessions file such as ``[2].bp_pre.systolic``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, Field, TypeAdapter, ValidationError, ValidationInfo, field_validator

from ketatui.clinical.dose import dose_mg
from ketatui.intake.document import Route
from ketatui.intake.json_input import JSONInputInvalid, load_json
from ketatui.intake.fields import FieldProblem, LongText, RequiredText, Section, problems_from
from ketatui.intake.instruments import ASQ, GAD7, PHQ9

Status = Literal["given", "held", "missed"]
Severity4 = Literal["none", "mild", "moderate", "severe"]
UrinarySymptom = Literal["frequency", "urgency", "pain on passing urine", "blood in urine"]

#: A computed dose and the one recorded may differ by rounding only.
DOSE_TOLERANCE_MG = 0.5


def _record_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("expected a record id (UUID), such as 6f1c2d9e-5b7a-4c3e-9d2f-1a2b3c4d5e01") from None


RecordId = Annotated[str, AfterValidator(_record_id)]


def _new_id() -> str:
    return str(uuid.uuid4())


class BloodPressure(Section):
    """One seated reading; the pulse is taken with it when the form asks for it."""

    systolic: int = Field(title="Systolic (mmHg)", ge=60, le=280)
    diastolic: int = Field(title="Diastolic (mmHg)", ge=30, le=180)
    pulse: int | None = Field(default=None, title="Pulse (beats per minute)", ge=25, le=250)

    @field_validator("diastolic")
    @classmethod
    def _below_systolic(cls, value: int, info: ValidationInfo) -> int:
        systolic = info.data.get("systolic")
        if systolic is not None and value >= systolic:
            raise ValueError(f"{value} must be lower than the systolic {systolic}; check the two numbers were not swapped")
        return value

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic}"


class TreatmentSession(Section):
    """One treatment session as it happened: given, held (not dosed) or missed, with the reason."""

    kind: Literal["session"] = Field(default="session", title="Kind of record")
    record_id: RecordId = Field(default_factory=_new_id, title="Record id")
    rev: int = Field(default=0, ge=0, title="Revision")
    intake_record_id: RecordId = Field(title="Intake record id")
    number: int = Field(title="Session number", ge=1, le=40)
    date: dt.date = Field(title="Session date")
    time: dt.time | None = Field(default=None, title="Dosing started at (HH:MM)")
    route: Route = Field(title="Route")
    status: Status = Field(title="Given, held or missed")
    reason: LongText = Field(default="", title="Why held or missed", validate_default=True)
    dose_mg_per_kg: float | None = Field(default=None, title="Dose (mg/kg)", gt=0, le=2)
    dosing_weight_kg: float | None = Field(default=None, title="Weight used for the dose (kg)", ge=25, le=350)
    dose_mg: float | None = Field(default=None, title="Dose (mg)", gt=0, le=300, validate_default=True)
    phq9: PHQ9 | None = Field(default=None, title="PHQ-9 before dosing", validate_default=True)
    asq: ASQ | None = Field(default=None, title="ASQ suicide screen before dosing")
    bp_pre: BloodPressure | None = Field(default=None, title="Blood pressure before dosing", validate_default=True)
    bp_40min: BloodPressure | None = Field(default=None, title="Blood pressure at 40 minutes")
    bp_discharge: BloodPressure | None = Field(default=None, title="Blood pressure at discharge")
    spo2_lowest: int | None = Field(default=None, title="Lowest SpO₂ (%)", ge=50, le=100)
    dissociation: Severity4 = Field(default="none", title="Dissociation (clinician's rating)")
    cadss6: int | None = Field(default=None, title="CADSS-6 total at 40 minutes, if scored", ge=0, le=24)
    sedation_moaas: int | None = Field(default=None, title="Deepest sedation, MOAA/S (5 = awake, responds normally)", ge=0, le=5)
    nausea_vomiting: Literal["none", "nausea", "vomiting"] = Field(default="none", title="Nausea or vomiting")
    effects_resolved: bool | None = Field(default=None, title="Sedation, dissociation and breathing back to normal before leaving")
    other_adverse_events: LongText = Field(default="", title="Other adverse events")
    escort_confirmed: bool | None = Field(default=None, title="Escort home confirmed", validate_default=True)
    ready_to_leave_at: dt.time | None = Field(default=None, title="Ready to leave at (HH:MM)")
    notes: LongText = Field(default="", title="Notes")
    recorded_by: RequiredText = Field(title="Recorded by")
    recorded_at: dt.datetime = Field(title="Recorded at")

    @field_validator("reason")
    @classmethod
    def _reason_when_not_given(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("status") in ("held", "missed") and not value:
            raise ValueError(f"is required when the session is {info.data['status']}: say why (for example the blood pressure reading, or 'did not attend')")
        return value

    @field_validator("dose_mg")
    @classmethod
    def _dose_from_weight(cls, value: float | None, info: ValidationInfo) -> float | None:
        per_kg, weight, status = info.data.get("dose_mg_per_kg"), info.data.get("dosing_weight_kg"), info.data.get("status")
        if status in ("held", "missed"):
            if value is not None or per_kg is not None or weight is not None:
                raise ValueError(f"a {status} session has no dose; clear the dose, or record the session as given")
            return value
        if per_kg is not None and weight is not None:
            computed = dose_mg(per_kg, weight)
            if value is None:
                return computed
            if abs(value - computed) > DOSE_TOLERANCE_MG:
                raise ValueError(f"{value:g} mg is not {per_kg:g} mg/kg × {weight:g} kg = {computed:g} mg; correct the dose or the weight")
            return value
        if value is None and status == "given":
            raise ValueError("is required for a given session: enter the dose in mg, or the mg/kg and the weight used to work it out")
        return value

    @field_validator("phq9", "bp_pre", "escort_confirmed")
    @classmethod
    def _asked_before_dosing(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.data.get("status") == "given":
            raise ValueError("is required for a given session (it is checked before dosing)")
        return value

    @field_validator("ready_to_leave_at")
    @classmethod
    def _after_dosing(cls, value: dt.time | None, info: ValidationInfo) -> dt.time | None:
        started = info.data.get("time")
        if value is not None and started is not None and value <= started:
            raise ValueError(f"{value:%H:%M} is not after dosing started ({started:%H:%M}); check both times")
        return value


class FollowUpVisit(Section):
    """A visit after (or between) sessions: scores, blood pressure, side effects and the bladder."""

    kind: Literal["follow_up"] = Field(default="follow_up", title="Kind of record")
    record_id: RecordId = Field(default_factory=_new_id, title="Record id")
    rev: int = Field(default=0, ge=0, title="Revision")
    intake_record_id: RecordId = Field(title="Intake record id")
    date: dt.date = Field(title="Visit date")
    phq9: PHQ9 = Field(title="PHQ-9")
    gad7: GAD7 | None = Field(default=None, title="GAD-7")
    asq: ASQ | None = Field(default=None, title="ASQ suicide screen")
    bp: BloodPressure | None = Field(default=None, title="Blood pressure")
    side_effects: LongText = Field(default="", title="Side effects since the last session")
    urinary_symptoms: list[UrinarySymptom] = Field(default_factory=list, title="Urinary symptoms", max_length=4)
    use_outside_clinic: bool = Field(default=False, title="Ketamine use or cravings outside the clinic")
    notes: LongText = Field(default="", title="Notes")
    recorded_by: RequiredText = Field(title="Recorded by")
    recorded_at: dt.datetime = Field(title="Recorded at")


# A plain union, with the discriminator written into the schema by hand: pydantic refuses one on a
# field that a before-validator sees, and every Section's fields pass the one that keeps true/false
# out of numbers.
CourseRecord = Union[TreatmentSession, FollowUpVisit]
MODELS: dict[str, type[TreatmentSession] | type[FollowUpVisit]] = {"session": TreatmentSession, "follow_up": FollowUpVisit}
KIND_WORDS = {"session": "session", "follow_up": "follow-up visit"}


class CourseInvalid(Exception):
    """A sessions file or form that does not validate; carries every problem in plain words."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def course_record_json_schema() -> dict[str, Any]:
    """The JSON Schema of one session or visit record (``kind`` tells which)."""
    schema = TypeAdapter(CourseRecord).json_schema()
    schema["oneOf"] = schema.pop("anyOf")
    schema["discriminator"] = {"propertyName": "kind", "mapping": {kind: f"#/$defs/{model.__name__}" for kind, model in MODELS.items()}}
    return schema


def course_order(record: TreatmentSession | FollowUpVisit) -> tuple[dt.date, int, dt.time, dt.datetime]:
    """The order things happened in: by day, sessions before visits, then by time and entry."""
    if isinstance(record, TreatmentSession):
        return record.date, 0, record.time or dt.time.min, record.recorded_at.replace(tzinfo=None)
    return record.date, 1, dt.time.min, record.recorded_at.replace(tzinfo=None)


def _label(model: type[Section], problem: FieldProblem, index: int, kind: str) -> FieldProblem:
    """Give a reading's part its reading ("Blood pressure at 40 minutes, systolic") and the record its number."""
    label = problem.label
    parts = problem.path.split(".")
    if len(parts) >= 3:
        parent = model.model_fields.get(parts[1])
        if parent is not None and parent.title and not label.startswith(parent.title):
            label = f"{parent.title}, {label[0].lower()}{label[1:]}"
    return FieldProblem(problem.path, f"Record {index + 1} ({KIND_WORDS[kind]}), {label}", problem.message)


def parse_course_record(data: Any, index: int = 0) -> TreatmentSession | FollowUpVisit:
    """One record from a dict, raising ``CourseInvalid`` with problems at ``[index].field``."""
    where = f"[{index}]"
    if not isinstance(data, dict):
        raise CourseInvalid([FieldProblem(where, f"Record {index + 1}", "must be a session or visit record (a JSON object)")])
    kind = data.get("kind")
    if kind not in MODELS:
        raise CourseInvalid([FieldProblem(f"{where}.kind", f"Record {index + 1}, Kind of record", "choose one of: session, follow_up")])
    model = MODELS[kind]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise CourseInvalid([_label(model, p, index, kind) for p in problems_from(exc, model, prefix=(where,))]) from None


def parse_course_records(data: str | bytes | list[Any], *, intake_record_id: str | None = None, route: str | None = None) -> list[TreatmentSession | FollowUpVisit]:
    """Validate a JSON list of session and visit records, then the series as a whole."""
    if isinstance(data, (str, bytes)):
        try:
            data = load_json(data)
        except JSONInputInvalid as exc:
            raise CourseInvalid([FieldProblem(exc.where, "Sessions file" if exc.where == "(file)" else exc.where, str(exc))]) from None
    if not isinstance(data, list):
        raise CourseInvalid([FieldProblem("(file)", "Sessions file", "must hold a JSON list of session and visit records")])
    records, problems = [], []
    for index, item in enumerate(data):
        try:
            records.append(parse_course_record(item, index))
        except CourseInvalid as exc:
            problems += exc.problems
    if problems:
        raise CourseInvalid(problems)
    problems = check_series(records, intake_record_id, route)
    if problems:
        raise CourseInvalid(problems)
    return records


def check_series(records: list[TreatmentSession | FollowUpVisit], intake_record_id: str | None = None, route: str | None = None) -> list[FieldProblem]:
    """Problems between records: another person's record, another route, a repeated id, session numbers out of turn.

    A held or missed session keeps the number of the session that was due; a given session takes
    the next number, so "session 3" is always the third dose.
    """
    problems: list[FieldProblem] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        label = f"Record {index + 1} ({KIND_WORDS[record.kind]})"
        if intake_record_id is not None and record.intake_record_id != intake_record_id:
            problems.append(FieldProblem(f"[{index}].intake_record_id", f"{label}, Intake record id",
                                         f"belongs to intake {record.intake_record_id}, not to this intake ({intake_record_id})"))
        if route is not None and isinstance(record, TreatmentSession) and record.route != route:
            problems.append(FieldProblem(f"[{index}].route", f"{label}, Route", f"is {record.route}, but this course is {route}; check the route or the intake"))
        if record.record_id in seen:
            problems.append(FieldProblem(f"[{index}].record_id", f"{label}, Record id", f"is the same as record {seen[record.record_id] + 1}'s; each record has its own id"))
        seen.setdefault(record.record_id, index)
    sessions = sorted(((i, r) for i, r in enumerate(records) if isinstance(r, TreatmentSession)), key=lambda pair: (course_order(pair[1]), pair[0]))
    given_on: dict[dt.date, int] = {}
    given = 0
    for index, session in sessions:
        label = f"Record {index + 1} (session)"
        if session.number != given + 1:
            problems.append(FieldProblem(f"[{index}].number", f"{label}, Session number",
                                         f"is {session.number}, but {given} session(s) were given before {session.date.isoformat()}, so this is session {given + 1} "
                                         "(a held or missed session keeps the number of the session that was due)"))
        if session.status == "given":
            if session.date in given_on:
                problems.append(FieldProblem(f"[{index}].date", f"{label}, Session date", f"a dose was already given that day (record {given_on[session.date] + 1}); check the date"))
            given_on.setdefault(session.date, index)
            given += 1
    return problems
