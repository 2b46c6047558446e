"""The treatment-session form, following the REMS Patient Monitoring Form (clinical reference §2.3).

In the order of the day: when and how, the blood pressure before dosing (the day check comes
first: a reading at or above the protocol's limit holds the session, and the form says so at
once), the PHQ-9 before dosing in its exact wording, the dose (mg/kg; the mg comes from the
core's ``dose_for`` and is shown as it is typed), the readings at 40 minutes, the effects, and
leaving. The form only collects: ``TreatmentSession`` validates and its problems appear beneath
the fields; the core's ``hold_if_needed`` decides what is stored when the pressure is too high.

``RecordForm`` is the part both course forms share (this one and the follow-up visit): fields by
dotted path, the PHQ-9 rows, problems beneath the fields, and the urgent path on question 9.
"""

from __future__ import annotations

import typing
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from ketatui.clinical.plan import ROUTE_NAMES, Plan
from ketatui.clinical.protocol import Protocol
from ketatui.course.decisions import day_check, hold_if_needed, risk_decisions
from ketatui.course.dose import dose_for
from ketatui.course.records import BloodPressure, FollowUpVisit, TreatmentSession, check_series
from ketatui.intake.document import Intake
from ketatui.intake.fields import FieldProblem, problems_from
from ketatui.intake.instruments import PHQ9, PHQ9_DIFFICULTY_CHOICES, PHQ9_DIFFICULTY_QUESTION, PHQ9_ITEMS, PHQ9_STEM, PHQ_ATTRIBUTION
from ketatui.screens.crisis import CrisisScreen
from ketatui.screens.medical_history import FREQUENCY, FREQUENCY_KEYS, YES_NO, YES_NO_KEYS, nest
from ketatui.screens.widgets import ChoiceRow, LabelledField, control_for, title_of
from ketatui.screens.widgets.field import PROBLEM_MARK

Record = TreatmentSession | FollowUpVisit
ITEM9 = "phq9.answers[8]"


def route_name(route: str) -> str:
    """The route's name without its dosing note ("IV racemic ketamine")."""
    return ROUTE_NAMES[route].split(" (")[0]


def section(title: str, why: str) -> list[Widget]:
    """A heading and one line on why these questions are asked."""
    return [Static(title, classes="form-section"), Static(why, classes="form-why")]


class RecordForm(Screen[Record | None]):
    """One course record on one scrolling form. Ctrl+S records it, Escape leaves without recording."""

    CSS_PATH = "../styles/course.tcss"
    model: ClassVar[type[TreatmentSession] | type[FollowUpVisit]]
    help_title: ClassVar[str]
    help_text: ClassVar[str]
    BINDINGS = [
        Binding("ctrl+s", "record", "Record", id="record_form.record", priority=True),
        Binding("escape", "leave", "Leave", id="record_form.leave"),
    ]

    def __init__(self, intake: Intake, protocol: Protocol, plan: Plan, records: list[Record], *, user: str, today: date) -> None:
        super().__init__()
        self.intake, self.protocol, self.plan, self.records = intake, protocol, plan, records
        self.user, self.today = user, today
        self._urgent_shown = False
        self._leave_asked = False

    # --- building ---

    def field(self, model: type[BaseModel], name: str, path: str | None = None, value: Any = None, *, stacked: bool = False) -> LabelledField:
        """A field for ``model.name`` at ``path``; a choice of words starts on the model's default."""
        info = model.model_fields[name]
        if value is None and typing.get_origin(info.annotation) is typing.Literal:
            value = info.default
        made = control_for(model, name, path or name, value)
        if stacked or isinstance(made.control, ChoiceRow):
            made.add_class("-stacked")
            made.stacked = True
        return made

    def yes_no(self, model: type[BaseModel], name: str) -> LabelledField:
        """Yes or no where not answering is different from no (y or n)."""
        row = ChoiceRow(YES_NO, keys=YES_NO_KEYS)
        return LabelledField(title_of(model, name), row, path=name, stacked=True)

    def blood_pressure(self, name: str, model: type[BaseModel]) -> list[Widget]:
        title = title_of(model, name)
        return [Static(title, classes="form-group")] + [self.field(BloodPressure, part, f"{name}.{part}") for part in ("systolic", "diastolic", "pulse")]

    def phq9_questions(self) -> list[Widget]:
        """The PHQ-9 in its exact wording, answered as on the intake's page (0 to 3, then the next)."""
        def question(path: str, text: str, options: list[tuple[str, Any]]) -> LabelledField:
            row = ChoiceRow(options, keys=FREQUENCY_KEYS, advance_on_key=True)
            return LabelledField(text, row, path=path, stacked=True, classes="question")

        difficulty = [(label, score) for score, label in enumerate(PHQ9_DIFFICULTY_CHOICES)]
        return [
            Static(f"{PHQ9_STEM}  Press 0 to 3 to answer; the next question follows.", classes="form-why"),
            *(question(f"phq9.answers[{n}]", f"{n + 1}. {text}", FREQUENCY) for n, text in enumerate(PHQ9_ITEMS)),
            question("phq9.difficulty", PHQ9_DIFFICULTY_QUESTION, difficulty),
            Static(PHQ_ATTRIBUTION, classes="form-why"),
        ]

    def form_widgets(self) -> list[Widget]:  # pragma: no cover - every form builds its own
        raise NotImplementedError

    def heading(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        widgets = self.form_widgets()
        sections = [i for i, w in enumerate(widgets) if w.has_class("form-section")]
        cut = sections[1] if len(sections) > 1 else len(widgets)
        self._later = widgets[cut:]
        yield Static(self.heading(), id="form-title")
        with VerticalScroll(id="form-body"):
            yield from widgets[:cut]
        yield Static("", id="form-live")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        first = next((w for w in self.query("#form-body *") if w.focusable), None)
        if first is not None:
            first.focus()
        self.refresh_live()
        self.call_after_refresh(self._mount_later)

    async def _mount_later(self) -> None:
        """The rest of the form, a part at a time, once the first part is on screen and taking
        answers: some sixty questions take a moment to build, and the first answer should not wait
        for them (keys typed meanwhile are handled between the parts)."""
        if not self._later:
            return
        following = [i for i, w in enumerate(self._later) if w.has_class("form-section") and i]
        cut = following[0] if following else len(self._later)
        part, self._later = self._later[:cut], self._later[cut:]
        await self.query_one("#form-body", VerticalScroll).mount_all(part)
        if self._later:
            self.call_after_refresh(self._mount_later)
        else:
            self.refresh_live()

    @property
    def complete(self) -> bool:
        """Every part of the form is on screen."""
        return not self._later and self.is_mounted

    # --- reading the answers ---

    def fields(self) -> list[LabelledField]:
        return list(self.query(LabelledField))

    def answers(self) -> dict[str, Any]:
        """Every answer given, by path; an empty box is no answer."""
        return {f.path: f.value for f in self.fields() if f.display and not f.is_empty}

    def data(self) -> dict[str, Any]:
        """The record as a dict for the model: the answers nested, plus who recorded it and when."""
        answers = self.answers()
        data: dict[str, Any] = {"intake_record_id": self.intake.record_id, "recorded_by": self.user or "unknown", "recorded_at": datetime.now().astimezone().isoformat()}
        if any(path.startswith("phq9.answers") for path in answers):
            data["phq9"] = {"answers": [None] * len(PHQ9_ITEMS)}
        nest(answers, data)
        return data

    def validated(self) -> tuple[Record | None, list[FieldProblem]]:
        try:
            record = self.model.model_validate(self.data())
        except ValidationError as exc:
            return None, problems_from(exc, self.model)
        problems = check_series([*self.records, record], self.intake.record_id, self.intake.route)
        index = f"[{len(self.records)}]."
        return (None if problems else record), [FieldProblem(p.path.removeprefix(index), p.label, p.message) for p in problems if p.path.startswith(index)]

    def show_problems(self, problems: list[FieldProblem]) -> None:
        """Each problem beneath its field (one about a whole reading or questionnaire beneath its
        first question); one without a field on the form goes in the line at the foot."""
        shown = [f for f in self.fields() if f.display]
        by_field: dict[str, str] = {}
        elsewhere = []
        for problem in problems:
            target = next((f for f in shown if f.path == problem.path), None) or next(
                (f for f in shown if f.path.startswith((problem.path + ".", problem.path + "["))), None)
            if target is None:
                elsewhere.append(problem)
            else:
                by_field.setdefault(target.path, problem.message)
        for f in self.fields():
            f.show_problem(by_field.get(f.path))
        self.say("\n".join(f"{PROBLEM_MARK}{p}" for p in elsewhere[:2]))

    def say(self, words: str) -> None:
        self.query_one("#form-live", Static).update(words or self.live_text())

    # --- live: what the core says while the form is filled in ---

    def live_text(self) -> str:
        return ""

    def refresh_live(self) -> None:
        self.query_one("#form-live", Static).update(self.live_text())

    def urgent_reasons(self) -> list[str]:
        """The core's suicide-risk decisions from question 9 as answered so far."""
        item9 = self.answers().get(ITEM9)
        if not item9:
            return []
        phq = PHQ9.model_construct(answers=[0] * 8 + [item9])
        probe = self.model.model_construct(**self.probe_fields(), phq9=phq, asq=None)
        return [d.reason for d in risk_decisions(probe, len(self.records), self.intake, self.protocol)]

    def probe_fields(self) -> dict[str, Any]:
        return {"date": self.today}

    @on(ChoiceRow.Changed)
    def _choice_changed(self, event: ChoiceRow.Changed) -> None:
        self._leave_asked = False
        self.changed()
        field = next((a for a in event.choice_row.ancestors if isinstance(a, LabelledField)), None)
        if field is not None and field.path == ITEM9:
            reasons = self.urgent_reasons()
            if reasons and not self._urgent_shown:
                self._urgent_shown = True
                self.app.push_screen(CrisisScreen(self.protocol.crisis_contacts, reasons))
            self._urgent_shown = bool(reasons)

    @on(Input.Changed)
    def _typed(self) -> None:
        self._leave_asked = False
        self.changed()

    @on(Input.Submitted)
    def _enter_moves_on(self) -> None:
        self.focus_next()

    def changed(self) -> None:
        """An answer changed: show the live line again and clear the problems the answer fixed."""
        if any(f.problem for f in self.fields()):
            self.show_problems(self.validated()[1])
        else:
            self.refresh_live()

    # --- recording ---

    def action_record(self) -> None:
        if not self.complete:
            return
        record, problems = self.validated()
        if record is None:
            self.show_problems(problems)
            target = next((f for f in self.fields() if f.problem), None)
            if target is not None:
                target.control.focus()
                target.scroll_visible(animate=False)
            self.notify(f"{len(problems)} answer(s) need attention: see the message beneath each one.", title="Not recorded", severity="warning")
            return
        self.dismiss(self.stored(record))

    def stored(self, record: Record) -> Record:
        """What is stored for a valid record (the session form applies the day check)."""
        return record

    def action_leave(self) -> None:
        if self.answers_typed() and not self._leave_asked:
            self._leave_asked = True
            self.say("! Nothing is recorded yet. Press Escape again to leave without recording, or Ctrl+S to record.")
            return
        self.dismiss(None)

    def answers_typed(self) -> bool:
        return bool(self.answers())


class SessionForm(RecordForm):
    """One treatment session, as it happened: given, held or missed."""

    model = TreatmentSession
    help_title = "Recording a treatment session"
    help_text = (
        "The REMS Patient Monitoring Form asks for this after every session. The blood pressure "
        "before dosing comes first: at or above the protocol's limit the session is held (not "
        "dosed) and the form says so at once. The PHQ-9 before dosing tracks the response that "
        "sets the number of sessions, and question 9 screens for suicide risk. The dose is worked "
        "out from the weight (the ideal body weight when the BMI is high). Blood pressure peaks "
        "about 40 minutes after dosing; sedation, dissociation and breathing must have settled, "
        "and an escort take the person home, before they leave. Ctrl+S records the session."
    )

    def __init__(self, intake: Intake, protocol: Protocol, plan: Plan, records: list[Record], *, number: int, on: date, user: str, today: date) -> None:
        super().__init__(intake, protocol, plan, records, user=user, today=today)
        self.number, self.on = number, on
        self.rules = getattr(protocol.course, plan.course.route)

    def heading(self) -> str:
        name = self.intake.medical_history.demographics.full_name if self.intake.medical_history else ""
        return f"Session {self.number} · {name} · {route_name(self.plan.course.route)}"

    def form_widgets(self) -> list[Widget]:
        S = TreatmentSession
        routes = [(route_name(r), r) for r in ROUTE_NAMES]
        status = ChoiceRow([("Given", "given"), ("Held (not dosed)", "held"), ("Missed", "missed")], keys=("g", "h", "m"), value="given")
        per_kg = self.rules.dose_mg_per_kg
        return [
            *section("When and how", "The time starts the observation clock; held or missed moves the later dates."),
            self.field(S, "date", value=self.on.isoformat()),
            self.field(S, "time"),
            LabelledField(title_of(S, "route"), ChoiceRow(routes, value=self.plan.course.route), path="route", stacked=True),
            LabelledField(title_of(S, "status"), status, path="status", stacked=True),
            self.field(S, "reason"),
            *section("Before dosing", "Blood pressure too high: no dose today. No escort home: no dose either."),
            *self.blood_pressure("bp_pre", S),
            self.yes_no(S, "escort_confirmed"),
            *section("PHQ-9 before dosing", "The score shows the response; question 9 screens for suicide risk."),
            *self.phq9_questions(),
            *section("Dose", "The mg comes from the weight (ideal body weight when the BMI is high)."),
            self.field(S, "dose_mg_per_kg", value=per_kg),
            self.field(S, "dose_mg"),
            *section("At 40 minutes and after", "Blood pressure peaks near 40 minutes; the effects are watched until they settle."),
            *self.blood_pressure("bp_40min", S),
            self.field(S, "spo2_lowest"),
            self.field(S, "dissociation"),
            self.field(S, "cadss6"),
            self.field(S, "sedation_moaas"),
            self.field(S, "nausea_vomiting"),
            self.field(S, "other_adverse_events"),
            *section("Leaving", "Nobody leaves before the effects settle, and never alone: an escort takes them."),
            *self.blood_pressure("bp_discharge", S),
            self.yes_no(S, "effects_resolved"),
            self.field(S, "ready_to_leave_at"),
            self.field(S, "notes"),
        ]

    # --- what the form shows as it is filled in ---

    @property
    def status(self) -> str:
        return next((f.value for f in self.fields() if f.path == "status"), None) or "given"

    def given(self) -> bool:
        return self.status == "given"

    def answers(self) -> dict[str, Any]:
        found = super().answers()
        if found.get("status", "given") != "given":
            for name in ("dose_mg_per_kg", "dose_mg"):
                found.pop(name, None)
        return found

    def answers_typed(self) -> bool:
        return any(path not in ("date", "route", "status", "dose_mg_per_kg") for path in self.answers())

    def data(self) -> dict[str, Any]:
        data = super().data() | {"number": self.number}
        dose = self.dose()
        if dose is not None and data.get("status", "given") == "given" and "dose_mg_per_kg" in data:
            data["dosing_weight_kg"] = dose.dosing_weight_kg
            if data.get("route") != "esketamine":
                data.setdefault("dose_mg", dose.mg)
        return data

    def dose(self):
        """The core's dose for the mg/kg typed, or None when it cannot be worked out yet."""
        typed = self.answers().get("dose_mg_per_kg")
        if typed is None or self.intake.medical_history is None:
            return None
        try:
            per_kg = float(typed)
        except ValueError:
            return None
        return dose_for(self.intake.medical_history.demographics, per_kg, self.protocol) if 0 < per_kg <= 2 else None

    def hold(self) -> list[str]:
        """The core's day check on the pressure typed before dosing."""
        answers = self.answers()
        try:
            bp = BloodPressure.model_validate({"systolic": answers.get("bp_pre.systolic"), "diastolic": answers.get("bp_pre.diastolic")})
        except ValidationError:
            return []
        probe = TreatmentSession.model_construct(bp_pre=bp)
        return [f"!! STOP {d.code}: {d.reason}." for d in day_check(probe, self.protocol)]

    def live_text(self) -> str:
        held = self.hold()
        if held and self.given():
            return held[0] + " Ctrl+S records it as held."
        if held:
            return held[0]
        if not self.given():
            return f"Recorded as {self.status}: the reason is required, and the rest of the schedule moves."
        dose = self.dose()
        if dose is not None:
            return f"Dose {dose.mg:g} mg = {dose.mg_per_kg:g} mg/kg × {dose.dosing_weight_kg:g} kg ({dose.basis}; BMI {dose.bmi:g})"
        return "Dose: type the mg/kg to see the mg."

    def refresh_live(self) -> None:
        super().refresh_live()
        live = self.query_one("#form-live", Static)
        live.set_class(bool(self.hold()), "-stop")
        esketamine = next((f.value for f in self.fields() if f.path == "route"), None) == "esketamine"
        for f in self.fields():
            if f.path in ("dose_mg_per_kg", "dose_mg"):
                f.display = self.given() and (f.path == "dose_mg") == esketamine
            if f.path == "reason":
                f.display = not self.given() or bool(self.hold())

    def probe_fields(self) -> dict[str, Any]:
        return {"number": self.number, "date": self.on}

    def stored(self, record: Record) -> Record:
        held, _ = hold_if_needed(record, self.protocol)  # type: ignore[arg-type]
        return held
