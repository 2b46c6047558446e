"""Goals and support: what the person wants from treatment and who stands with them.

Goals and treating clinicians are lists (add, remove); the escort home and the emergency
contact are one person each. Whether the support is enough is the core's question: the rules
raise SUPPORT-NO-ESCORT and SUPPORT-NO-CONTACT on the plan summary.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.events import DescendantBlur
from textual.widgets import Button, Static, TextArea

from ketatui.intake.answers import unanswered
from ketatui.intake.fields import FieldProblem, problems_from
from ketatui.intake.goals import INTAKE_DATE, Contact, Goal, GoalsAndSupport, TreatingClinician
from ketatui.screens.step import IntakeStep, StepResult
from ketatui.screens.widgets import LabelledField, control_for, title_of
from ketatui.screens.widgets.field import PROBLEM_MARK
from ketatui.screens.widgets.footer import KeysFooter

_ROOT = "goals_support"
#: Goal and clinician rows come and go, so each gets a path (and widget id) of its own, never an
#: index; their problems are matched by position in ``show_problems``.
_row_number = itertools.count()


def typed_fields(model: type[BaseModel]) -> list[str]:
    """The fields a person types; not those read from another (a goal's date, read from "By when")."""
    return [name for name, field in model.model_fields.items()
            if not (isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("read_from"))]


class FieldGroup(Vertical):
    """One goal, contact or clinician: a labelled box per model field, filled or blank as a whole."""

    def __init__(self, model: type[BaseModel], path: str, values: dict[str, Any] | None = None, *, heading: str = "", classes: str = "") -> None:
        super().__init__(classes=f"gs-group {classes}".strip())
        self.model = model
        self.path = path
        self.values_in = values or {}
        self.heading = heading

    def compose(self) -> ComposeResult:
        if self.heading:
            yield Static(self.heading, classes="gs-group-heading")
        for name in typed_fields(self.model):
            field = control_for(self.model, name, f"{self.path}.{name}", self.values_in.get(name) or "")
            field.add_class(f"gs-{name.replace('_', '-')}")
            yield field

    def fields(self) -> dict[str, LabelledField]:
        return {name: self.query_one(f".gs-{name.replace('_', '-')}", LabelledField) for name in typed_fields(self.model)}

    def values(self) -> dict[str, str]:
        return {name: field.value for name, field in self.fields().items()}

    def is_blank(self) -> bool:
        return all(field.is_empty for field in self.fields().values())

    def show_problems(self, messages: dict[str, str]) -> None:
        for name, field in self.fields().items():
            field.show_problem(messages.get(name, ""))

    def first_box(self) -> LabelledField:
        return next(iter(self.fields().values()))


class GoalsSupportStep(IntakeStep):
    """Step 4: goals with a measurable target, the escort home, contacts, clinicians, crisis plan."""

    step_id = "goals_support"
    step_title = "Goals and support"
    help_text = (
        "Goals with a target you can measure show whether treatment is working for this person, "
        "not only on a questionnaire. Every session needs an adult to take the person home: "
        "without one, sessions cannot be booked. An emergency contact, the clinicians already "
        "involved, where the person lives and a crisis plan keep them safe between sessions."
    )
    CSS_PATH = "../styles/goals_support.tcss"
    BINDINGS = [
        Binding("ctrl+n", "add_goal", "Add goal", id="goals_support.add_goal"),
        Binding("ctrl+t", "add_clinician", "Add clinician", id="goals_support.add_clinician"),
        Binding("ctrl+r", "remove_row", "Remove row", id="goals_support.remove_row"),
    ]

    def compose(self) -> ComposeResult:
        state = self._restored_state()
        with VerticalScroll(id="gs-body", can_focus=False):
            yield Static(id="gs-top-problem")
            yield Static(self._words("goals"), classes="gs-heading")
            with Vertical(id="gs-goals"):
                for values in state.get("goals") or [{}]:
                    yield self._goal(values)
            yield Button("Add a goal", id="gs-add-goal", compact=True)
            yield Static(self._words("home"), classes="gs-heading")
            yield control_for(GoalsAndSupport, "escort_every_session", f"{_ROOT}.escort_every_session", state.get("escort_every_session"))
            yield FieldGroup(Contact, f"{_ROOT}.escort", state.get("escort"), heading=self.words("text:escort", title_of(GoalsAndSupport, "escort")), classes="gs-escort")
            yield FieldGroup(Contact, f"{_ROOT}.emergency_contact", state.get("emergency_contact"), heading=self.words("text:emergency-contact", title_of(GoalsAndSupport, "emergency_contact")), classes="gs-emergency")
            yield Static(self._words("clinicians"), classes="gs-heading")
            with Vertical(id="gs-clinicians"):
                for values in state.get("treating_clinicians") or [{}]:
                    yield self._clinician(values)
            yield Button("Add a clinician", id="gs-add-clinician", compact=True)
            yield Static(self._words("living"), classes="gs-heading")
            yield control_for(GoalsAndSupport, "living_situation", f"{_ROOT}.living_situation", state.get("living_situation", "not stated"))
            yield LabelledField(title_of(GoalsAndSupport, "crisis_plan"), TextArea(str(state.get("crisis_plan", "")), id="gs-crisis-plan", soft_wrap=True, tab_behavior="focus"), path=f"{_ROOT}.crisis_plan", stacked=True)
        yield KeysFooter(compact=True, show_command_palette=False)  # ctrl+p: in F1 help, no room here

    def _words(self, section: str) -> str:
        patient = self.audience == "patient"
        return {
            "goals": "What you want from treatment, and how we will know" if patient else "Goals, each with a measurable target",
            "home": "Getting home and who to call" if patient else "Escort home and emergency contact",
            "clinicians": "Doctors and therapists who already look after you" if patient else "Treating clinicians",
            "living": "Where you live and your crisis plan" if patient else "Living situation and crisis plan",
        }[section]

    def on_mount(self) -> None:
        self._renumber()
        self.goal_groups()[0].first_box().control.focus()

    def _restored_state(self) -> dict[str, Any]:
        """Half-typed answers win over the saved section: they are newer and may not validate yet."""
        saved = self.intake.form_state.get(self.step_id)
        if saved:
            return saved
        section = self.intake.goals_support
        return section.model_dump() if section is not None else {}

    def _goal(self, values: dict[str, Any]) -> FieldGroup:
        return FieldGroup(Goal, f"{_ROOT}.goals.row{next(_row_number)}", values, heading=self.words("text:goal", "Goal"), classes="gs-goal")

    def _clinician(self, values: dict[str, Any]) -> FieldGroup:
        return FieldGroup(TreatingClinician, f"{_ROOT}.treating_clinicians.row{next(_row_number)}", values, heading=self.words("text:clinician", "Clinician"), classes="gs-clinician")

    def goal_groups(self) -> list[FieldGroup]:
        return list(self.query_one("#gs-goals").query_children(FieldGroup))

    def clinician_groups(self) -> list[FieldGroup]:
        return list(self.query_one("#gs-clinicians").query_children(FieldGroup))

    def _renumber(self) -> None:
        for groups, word in ((self.goal_groups(), self.words("text:goal", "Goal")),
                             (self.clinician_groups(), self.words("text:clinician", "Treating clinician"))):
            for number, group in enumerate(groups, start=1):
                group.query_one(".gs-group-heading", Static).update(f"{word} {number}")

    # --- the contract ---

    def _answers(self) -> dict[str, Any]:
        """Everything as typed, rows included, for ``form_state``."""
        return {
            "goals": [group.values() for group in self.goal_groups()],
            "escort_every_session": self._field("escort_every_session").value,
            "escort": self.query_one(".gs-escort", FieldGroup).values(),
            "emergency_contact": self.query_one(".gs-emergency", FieldGroup).values(),
            "treating_clinicians": [group.values() for group in self.clinician_groups()],
            "living_situation": self._field("living_situation").value,
            "crisis_plan": self.query_one("#gs-crisis-plan", TextArea).text,
        }

    def _field(self, name: str) -> LabelledField:
        return next(f for f in self.query(LabelledField) if f.path == f"{_ROOT}.{name}")

    def collect(self) -> StepResult:
        answers = self._answers()
        escort, emergency = self.query_one(".gs-escort", FieldGroup), self.query_one(".gs-emergency", FieldGroup)
        section_input = {
            **answers,
            "goals": [g.values() for g in self.goal_groups() if not g.is_blank()],
            "treating_clinicians": [c.values() for c in self.clinician_groups() if not c.is_blank()],
            "escort": None if escort.is_blank() else escort.values(),
            "emergency_contact": None if emergency.is_blank() else emergency.values(),
        }
        try:
            section = GoalsAndSupport.model_validate(section_input, context={INTAKE_DATE: self.intake_date()})
        except ValidationError as exc:
            return StepResult(problems=problems_from(exc, GoalsAndSupport, prefix=(_ROOT,)), form_state=answers)
        missing = [FieldProblem(q.path, q.label, "not answered: press y or n") for q in unanswered(section, _ROOT)]
        return StepResult(sections={_ROOT: section}, problems=missing, form_state=answers)

    def intake_date(self) -> date:
        """What "3 months" is counted from: the day the intake was started (today for a new one)."""
        created = self.intake.created_at
        return created.date() if created is not None else date.today()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        """Each message beside its field; list rows are matched in the order they were collected."""
        targets: dict[str, tuple[FieldGroup | LabelledField, str]] = {}
        for key, groups in (("goals", self.goal_groups()), ("treating_clinicians", self.clinician_groups())):
            for index, group in enumerate(g for g in groups if not g.is_blank()):
                for name in group.model.model_fields:
                    targets[f"{_ROOT}.{key}[{index}].{name}"] = (group, name)
        for key, css in (("escort", ".gs-escort"), ("emergency_contact", ".gs-emergency")):
            group = self.query_one(css, FieldGroup)
            targets[f"{_ROOT}.{key}"] = (group, "name")  # about the contact as a whole: shown at its first box
            for name in Contact.model_fields:
                targets[f"{_ROOT}.{key}.{name}"] = (group, name)
        for name in ("escort_every_session", "living_situation", "crisis_plan"):
            targets[f"{_ROOT}.{name}"] = (self._field(name), "")
        by_group: dict[FieldGroup, dict[str, str]] = {g: {} for g in self.query(FieldGroup)}
        by_field: dict[LabelledField, str] = {}
        elsewhere: list[str] = []
        for problem in problems:
            target, name = targets.get(problem.path, (None, ""))
            if isinstance(target, FieldGroup):
                by_group[target][name] = problem.message
            elif isinstance(target, LabelledField):
                by_field[target] = problem.message
            else:
                elsewhere.append(str(problem))
        for group, messages in by_group.items():
            group.show_problems(messages)
        for name in ("escort_every_session", "living_situation", "crisis_plan"):
            field = self._field(name)
            field.show_problem(by_field.get(field, ""))
        top = self.query_one("#gs-top-problem", Static)
        top.update("\n".join(PROBLEM_MARK + line for line in elsewhere))
        top.set_class(bool(elsewhere), "-shown")

    # --- events and actions ---

    @on(Button.Pressed, "#gs-add-goal")
    async def _add_goal_pressed(self) -> None:
        await self.action_add_goal()

    @on(Button.Pressed, "#gs-add-clinician")
    async def _add_clinician_pressed(self) -> None:
        await self.action_add_clinician()

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self.post_message(IntakeStep.FieldLeft())

    async def action_add_goal(self) -> None:
        await self._add(self.query_one("#gs-goals"), self._goal({}))

    async def action_add_clinician(self) -> None:
        await self._add(self.query_one("#gs-clinicians"), self._clinician({}))

    async def _add(self, where: Vertical, group: FieldGroup) -> None:
        await where.mount(group)
        self._renumber()
        group.first_box().control.focus(scroll_visible=False)
        self.call_after_refresh(group.scroll_visible, animate=False)  # once the group has its place

    async def action_remove_row(self) -> None:
        group = self._group_with_focus()
        kind = next((k for k in ("gs-goal", "gs-clinician") if group is not None and group.has_class(k)), None)
        if group is None or kind is None:
            self.notify("Move to a goal or a treating clinician first, then remove it.", severity="warning")
            return
        where = self.query_one("#gs-goals" if kind == "gs-goal" else "#gs-clinicians", Vertical)
        position = list(where.query_children(FieldGroup)).index(group)
        await group.remove()
        rest = list(where.query_children(FieldGroup))
        if not rest:
            rest = [self._goal({}) if kind == "gs-goal" else self._clinician({})]
            await where.mount(rest[0])
        self._renumber()
        rest[min(position, len(rest) - 1)].first_box().control.focus()

    def _group_with_focus(self) -> FieldGroup | None:
        node = self.focused
        while node is not None and not isinstance(node, FieldGroup):
            node = node.parent
        return node
