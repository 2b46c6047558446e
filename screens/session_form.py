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
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from ketatui.clinical.plan import ROUTE_NAMES, Plan
from ketatui.clinical.protocol import Protocol
from ketatui.course.decisions import day_check, hold_if_needed, risk_decisions
from ketatui.clinical.dose import dose_for
from ketatui.course.records import BloodPressure, FollowUpVisit, TreatmentSession, check_series
from ketatui.intake.document import Intake
from ketatui.intake.fields import FieldProblem, problems_from
from ketatui.intake.instruments import PHQ9, PHQ9_DIFFICULTY_CHOICES, PHQ9_DIFFICULTY_QUESTION, PHQ9_ITEMS, PHQ9_STEM, PHQ_ATTRIBUTION
from ketatui.screens.crisis import CrisisScreen
from ketatui.screens.medical_history import FREQUENCY, FREQUENCY_KEYS, YES_NO, YES_NO_KEYS, nest
from ketatui.screens.widgets import ChoiceRow, LabelledField, control_for, title_of
from ketatui.screens.widgets.field import PROBLEM_MARK
from ketatui.screens.steady_resize import SteadyResize
from ketatui.screens.widgets.footer import KeysFooter

Record = TreatmentSession | FollowUpVisit
ITEM9 = "phq9.answers[8]"


def route_name(route: str) -> str:
    """The route's name without its dosing note ("IV racemic ketamine")."""
    return ROUTE_NAMES[route].split(" (")[0]


def section(title: str, why: str) -> list[Widget]:
    """A heading and one line on why these questions are asked; each heading starts a part of the form."""
    return [Static(title, classes="form-section", name=title), Static(why, classes="form-why")]


class RecordForm(SteadyResize, Screen[Record | None]):
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
        self._fields: list[LabelledField] | None = None
        self._field_count = 0
        self._said = ""
        self.part = 0  # the part of the form in front

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
        """The form in parts, one part of the day per screen: only the part in front is laid out,
        so a key costs the same however long the form is. Tab past a part's last question goes on
        to the next part, Shift+Tab back; the first part is built at once, the rest just after."""
        widgets = self.form_widgets()
        self._field_count = sum(1 for w in widgets if isinstance(w, LabelledField))
        starts = [i for i, w in enumerate(widgets) if w.has_class("form-section")]
        bounds = [0, *starts[1:], len(widgets)]  # anything before the first heading goes with it
        self._parts = [Vertical(*widgets[a:b], classes="form-part") for a, b in zip(bounds, bounds[1:])]
        self._titles = [next((w.name for w in widgets[a:b] if w.has_class("form-section")), "") or "" for a, b in zip(bounds, bounds[1:])]
        self._later = self._parts[1:]
        yield Static(self.heading(), id="form-title")
        with VerticalScroll(id="form-body", can_focus=False):
            yield self._parts[0]
        yield Static("", id="form-live")
        yield KeysFooter(compact=True, show_command_palette=False)  # ctrl+p: in F1 help, no room here

    def on_mount(self) -> None:
        self.show_part(0)
        first = self._focusables(self._parts[0])
        if first:
            first[0].focus()
        self.refresh_live()
        self.call_after_refresh(self._mount_later)

    async def _mount_later(self) -> None:
        """The other parts, one at a time, hidden until they are reached (keys typed meanwhile are
        handled between them)."""
        if not self._later:
            return
        part = self._later.pop(0)
        part.display = False
        await self.query_one("#form-body", VerticalScroll).mount(part)
        if self._later:
            self.call_after_refresh(self._mount_later)
        else:
            self.refresh_live()

    @property
    def complete(self) -> bool:
        """Every part of the form is built."""
        return not self._later and self.is_mounted

    # --- moving through the parts ---

    def show_part(self, index: int) -> None:
        self.part = index
        for number, part in enumerate(self._parts):
            if part.is_mounted:
                part.display = number == index
        where = f" · {self._titles[index]} ({index + 1} of {len(self._parts)})" if len(self._parts) > 1 else ""
        self.query_one("#form-title", Static).update(self.heading() + where)
        self.query_one("#form-body", VerticalScroll).scroll_home(animate=False)

    def _focusables(self, part: Widget) -> list[Widget]:
        """The questions of ``part`` that take the focus, in order (a hidden question is skipped)."""
        def shown(widget: Widget) -> bool:
            node: Any = widget
            while node is not None and node is not part:
                if not node.display:
                    return False
                node = node.parent
            return True

        return [w for w in part.query("*") if w.can_focus and not w.disabled and shown(w)]

    def _cross(self, step: int) -> Widget | None:
        """From the last question of a part to the next part's first (or back): None when not at an edge."""
        here = self._focusables(self._parts[self.part])
        edge = here[-1] if step > 0 else here[0] if here else None
        target = self.part + step
        if self.focused is None or self.focused is not edge or not 0 <= target < len(self._parts) or not self._parts[target].is_mounted:
            return None
        self.show_part(target)
        there = self._focusables(self._parts[target])
        if not there:
            return None
        widget = there[0] if step > 0 else there[-1]
        widget.focus()
        return widget

    def focus_next(self, selector: str | type = "*") -> Widget | None:  # type: ignore[override]
        return self._cross(1) or super().focus_next(selector)

    def focus_previous(self, selector: str | type = "*") -> Widget | None:  # type: ignore[override]
        return self._cross(-1) or super().focus_previous(selector)

    def reveal(self, field: LabelledField) -> None:
        """Bring the part holding ``field`` to the front and put the focus on it."""
        part = next((n for n, p in enumerate(self._parts) if field in p.query(LabelledField)), self.part)
        if part != self.part:
            self.show_part(part)
        field.control.focus()
        field.scroll_visible(animate=False)

    # --- reading the answers ---

    def fields(self) -> list[LabelledField]:
        """The form's fields in order (looked up once the whole form is built: every key reads them)."""
        if self._fields is None or len(self._fields) != self._field_count:
            self._fields = list(self.query(LabelledField))
        return self._fields

    def by_path(self, path: str) -> LabelledField | None:
        return next((f for f in self.fields() if f.path == path), None)

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
        """The line at the foot: ``words``, or what the core says about the answers so far. Only a
        change is drawn (a new line can change the layout, which costs a redraw of the form)."""
        text = words or self.live_text()
        if text != self._said:
            self._said = text
            self.query_one("#form-live", Static).update(text)

    # --- live: what the core says while the form is filled in ---

    def live_text(self) -> str:
        return ""

    def refresh_live(self) -> None:
        self.say("")

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
                self.app.push_screen(CrisisScreen(
                    self.protocol.crisis_contacts, reasons, back_to="the form",
                    note="Stay with the person. A clinician assesses them now, before anything else and before any "
                         "dose, following the clinic's suicide safety procedure. The record keeps this answer."))
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
                self.reveal(target)
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
        "and an escort take the person home, before they leave. The form comes in parts, one for each "
        "part of the day: Tab past the last question goes on to the next part, Shift+Tab back. "
        "Ctrl+S records the session."
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
        field = self.by_path("status")
        return (field.value if field else None) or "given"

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
        self.query_one("#form-live", Static).set_class(bool(self.hold()), "-stop")
        route = self.by_path("route")
        esketamine, given, held = (route.value if route else None) == "esketamine", self.given(), bool(self.hold())
        shown = {"dose_mg_per_kg": given and not esketamine, "dose_mg": given and esketamine, "reason": not given or held}
        for path, show in shown.items():
            field = self.by_path(path)
            if field is not None and field.display != show:
                field.display = show

    def probe_fields(self) -> dict[str, Any]:
        return {"number": self.number, "date": self.on}

    def stored(self, record: Record) -> Record:
        held, _ = hold_if_needed(record, self.protocol)  # type: ignore[arg-type]
        return held
