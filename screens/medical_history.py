"""Step 1: the medical history, on pages that each fit 80x24, with the PHQ-9, GAD-7 and ASQ as their own pages.

The screen holds no clinical logic. Fields, labels and validity come from the core models
(``MedicalHistory``, ``PHQ9``, ``GAD7``, ``ASQ``); scores, bands and whether a screen is positive
come from their properties. Answers are kept exactly as typed in ``form_state`` so an answer that
does not validate yet is never lost, and a problem is shown beneath its field in the model's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.events import DescendantBlur, DescendantFocus
from textual.walk import walk_depth_first
from textual.widget import AwaitMount, Widget
from textual.widgets import Button, ContentSwitcher, Input, Label, Static

from ketatui.clinical import wording
from ketatui.clinical.protocol import Protocol
from ketatui.intake.answers import QuestionField, no_answer_for, question_fields
from ketatui.intake.fields import FieldProblem, problems_from
from ketatui.intake.history import (
    AntidepressantTrial,
    Demographics,
    MedicalHistory,
    PhysicalHealth,
    PsychiatricHistory,
    SubstanceUse,
    Vitals,
)
from ketatui.intake.instruments import (
    ASQ,
    ASQ_ACUITY_QUESTION,
    ASQ_ATTRIBUTION,
    ASQ_EVER_TRIED_FOLLOW_UP,
    ASQ_QUESTIONS,
    FREQUENCY_CHOICES,
    GAD7,
    GAD7_ITEMS,
    GAD7_STEM,
    PHQ9,
    PHQ9_DIFFICULTY_CHOICES,
    PHQ9_DIFFICULTY_QUESTION,
    PHQ9_ITEMS,
    PHQ9_STEM,
    PHQ_ATTRIBUTION,
)
from ketatui.intake.document import Intake
from ketatui.screens.step import IntakeStep, StepResult
from ketatui.clinical.crisis import crisis_code
from ketatui.screens.widgets import ChoiceRow, CrisisPanel, LabelledField, YesBox, control_for, title_of
from ketatui.screens.navigation import PageChanged, ScreeningChanged
from ketatui.screens.widgets.footer import KeysFooter

MH = "medical_history"
TRIALS = f"{MH}.psychiatric.antidepressant_trials"
TRIAL_TEXT_FIELDS = ("medicine", "dose_mg_per_day", "weeks_at_dose", "improvement_percent")
TRIAL_CHECKS = ("in_current_episode", "stopped_for_side_effects")
ASQ_FIELDS = ("wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried")
FREQUENCY = [(label, score) for score, label in enumerate(FREQUENCY_CHOICES)]
FREQUENCY_KEYS = ("0", "1", "2", "3")
YES_NO = [("Yes", True), ("No", False)]
YES_NO_KEYS = ("y", "n")

#: The questions the rules read (``ketatui.intake.answers``), by path: each must be answered
#: before the step is finished, and a follow-up only when the question it follows is yes.
QUESTIONS: dict[str, QuestionField] = {q.path: q for q in question_fields(MedicalHistory, MH)}
TRIAL_QUESTIONS: tuple[QuestionField, ...] = tuple(question_fields(AntidepressantTrial))
#: A field shown only while another answer is yes (path -> the path it depends on). A hidden
#: field is left out of the section, so the model's default (not answered) applies.
DEPENDS_ON: dict[str, str] = {
    **{path: q.follows for path, q in QUESTIONS.items() if q.follows},
    "asq.ever_tried_details": "asq.ever_tried",
}
#: The pages whose questions "none of these" (ctrl+o) answers no, as a group.
GROUP_PAGES = ("depression", "substance", "physical-heart", "physical-other")
ACUITY = "asq.thoughts_right_now"
NOT_ANSWERED = "not answered: press y or n"
NOT_COUNTED = "not answered: type a number, 0 if none"
BUILD_AHEAD_AFTER = 0.15  # seconds after a page is shown: the next page is built while this one is read

PHYSICAL_HEART = (
    "hypertension", "hypertension_controlled", "coronary_disease", "heart_failure", "arrhythmia",
    "pulmonary_hypertension", "aneurysm", "arteriovenous_malformation", "stroke",
    "intracerebral_haemorrhage", "raised_intracranial_pressure", "seizures",
)
PHYSICAL_OTHER = (
    "glaucoma", "recent_eye_surgery", "liver_disease", "hyperthyroidism", "hyperthyroidism_controlled",
    "bladder_symptoms", "pregnant", "trying_to_conceive", "breastfeeding", "ketamine_allergy",
    "other_allergies", "other_conditions",
)


@dataclass(frozen=True)
class Page:
    """One page; its help is plain text, or built from the protocol when it quotes the clinic's numbers."""

    id: str
    title: str
    help: str | Callable[[Protocol], str]


PAGES: tuple[Page, ...] = (
    Page("about", title_of(MedicalHistory, "demographics"), wording.about_the_person),
    Page("depression", title_of(MedicalHistory, "psychiatric"), wording.depression_so_far),
    Page("trials", title_of(PsychiatricHistory, "antidepressant_trials"), wording.antidepressant_trials),
    Page("substance", title_of(MedicalHistory, "substance_use"),
         "Active substance use and any past misuse of ketamine or PCP need review before a course: "
         "ketamine can be misused. Alcohol and cannabis are to be avoided on treatment days."),
    Page("physical-heart", title_of(MedicalHistory, "physical") + ": heart, blood vessels, brain",
         "Ketamine raises blood pressure for about an hour. Aneurysm, arteriovenous malformation, "
         "bleeding in the brain and stroke stop scheduling until a physician clears it; heart "
         "disease and raised pressure in the skull need review."),
    Page("physical-other", title_of(MedicalHistory, "physical") + ": eyes, liver, thyroid, more",
         "Glaucoma or recent eye surgery (eye pressure), liver disease (liver tests), an overactive "
         "thyroid, bladder symptoms, pregnancy, breastfeeding and a ketamine allergy each change "
         "whether or how ketamine can be given."),
    Page("vitals", title_of(MedicalHistory, "vitals"), wording.intake_blood_pressure),
    Page("phq9", "PHQ-9 depression questionnaire", wording.phq9_baseline),
    Page("gad7", "GAD-7 anxiety questionnaire",
         "Anxiety often comes with depression and can rise during a session; the GAD-7 gives a "
         "baseline. It is optional: leave it all unanswered to skip it."),
    Page("asq", title_of(Intake, "asq"),
         "The ASQ (NIMH) screens for suicide risk. Any yes to questions 1 to 4 is a positive "
         "screen: a clinician does a brief safety assessment before the person leaves, and the "
         "crisis resources are shown at once. Question 5 is asked only after a yes."),
)
PAGE_IDS = tuple(page.id for page in PAGES)


def _display(value: Any) -> Any:
    """Numbers as a person would type them (175, not 175.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def flatten(data: Any, prefix: str, into: dict[str, Any]) -> dict[str, Any]:
    """{"a": {"b": [1]}} -> {"a.b[0]": 1}: the same paths ``problems_from`` reports."""
    if isinstance(data, dict):
        for key, value in data.items():
            flatten(value, f"{prefix}.{key}" if prefix else key, into)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            flatten(value, f"{prefix}[{index}]", into)
    else:
        into[prefix] = data
    return into


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def nest(values: dict[str, Any], into: dict[str, Any]) -> dict[str, Any]:
    """The reverse of ``flatten``; list items keep their position (None where unanswered)."""
    for path, value in values.items():
        parts = [name if name else int(index) for name, index in _PART.findall(path)]
        node: Any = into
        for part, following in zip(parts, parts[1:]):
            empty: Any = [] if isinstance(following, int) else {}
            if isinstance(part, int):
                while len(node) <= part:
                    node.append(None)
                if node[part] is None:
                    node[part] = empty
                node = node[part]
            else:
                node = node.setdefault(part, empty)
        last = parts[-1]
        if isinstance(last, int):
            while len(node) <= last:
                node.append(None)
        node[last] = value
    return into


class TrialRow(Vertical):
    """One antidepressant trial: four answers in two columns and two yes/no boxes."""

    def __init__(self, index: int, values: dict[str, Any]) -> None:
        super().__init__(classes="trial")
        self.index = index
        self.values = values
        self.fields: list[LabelledField] = []
        for name in TRIAL_TEXT_FIELDS + TRIAL_CHECKS:
            default = AntidepressantTrial.model_fields[name].default
            value = values.get(name, default if isinstance(default, bool) else None)
            self.fields.append(control_for(AntidepressantTrial, name, f"{TRIALS}[{index}].{name}", _display(value)))

    def compose(self) -> ComposeResult:
        yield Label(f"{self.screen.words('text:trial', 'Trial')} {self.index + 1}", classes="trial-title")
        with Grid(classes="trial-grid"):
            yield from self.fields
        yield Button(f"{self.screen.words('text:remove-trial', 'Remove trial')} {self.index + 1}", compact=True, classes="remove-trial")

    def answers(self) -> dict[str, Any]:
        return {field.path.rsplit(".", 1)[1]: field.value for field in self.fields}


class MedicalHistoryStep(IntakeStep):
    """Step 1 of the intake, in ten short pages; Next checks a page before moving on.

    A page's widgets are built the first time it is shown (the step opens at once); answers on
    pages not built yet live in ``_values``, which every collect brings up to date. The widgets
    built are also kept in lists (``_page_fields``, ``_trial_rows``, ``_live``): a page turn or an
    answer reads them there, not by searching the screen's hundreds of widgets each time.
    """

    step_id = "medical_history"
    step_title = "Medical history"
    help_text = (
        "The medical history decides whether ketamine can be given safely and how the course is "
        "planned: conditions that raise risk with a rise in blood pressure, medicines and substances, "
        "the depression so far (how long, what has been tried), and the baseline scores every "
        "session is measured against. Answers are saved as you go; a page with a problem says "
        "what is wrong beneath the field."
    )
    CSS_PATH = "../styles/medical_history.tcss"
    BINDINGS = [
        Binding("ctrl+n", "add_trial", "Add trial", id="medical_history.add_trial"),
        Binding("ctrl+r", "remove_trial", "Remove trial", id="medical_history.remove_trial"),
        Binding("ctrl+o", "none_of_these", "None of these", id="medical_history.none_of_these"),
    ]

    def __init__(self, intake: Intake, protocol, *, audience: str = "clinician") -> None:
        super().__init__(intake, protocol, audience=audience)
        state = intake.form_state.get(self.step_id) or {}
        # What was typed (form_state) wins over the saved sections: it is newer and may not validate yet.
        self._values: dict[str, Any] = {**self._values_from_sections(intake), **state.get("values", {})}
        saved_trials = intake.medical_history.psychiatric.antidepressant_trials if intake.medical_history else []
        self._trials: list[dict[str, Any]] = [dict(t) for t in state["trials"]] if "trials" in state else [
            {k: _display(v) for k, v in t.model_dump(mode="json").items()} for t in saved_trials]
        page = state.get("page")
        self.page = PAGE_IDS.index(page) if page in PAGE_IDS else 0
        self._built: dict[str, AwaitMount] = {}  # page id -> its widgets' mounting, once built
        self._page_fields: dict[str, list[LabelledField]] = {}  # page id -> its fields (trials apart)
        self._trial_rows: list[TrialRow] = []
        self._live: dict[str, Widget] = {}  # scores, BMI, ASQ result, crisis panel: by id, once built
        self._said: dict[str, str] = {}  # what each live line says now
        self._live_due = False  # an answer changed: the live lines are brought up to date after its frame
        self._follow_up_due: str | None = None  # a yes opened this follow-up: it takes the cursor once shown
        self._checked_pages: set[str] = set()
        self._touched: set[str] = set()
        self._positive = False

    @staticmethod
    def _values_from_sections(intake: Intake) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in ("medical_history", "phq9", "gad7", "asq"):
            section = getattr(intake, name)
            if section is not None:
                flatten(section.model_dump(mode="json"), name, values)
        return {k: v for k, v in values.items() if not k.startswith(TRIALS)}

    # --- building the pages ---

    def _field(self, model: type[BaseModel], name: str, prefix: str) -> LabelledField:
        path = f"{prefix}.{name}"
        value = self._values.get(path)
        if value is None:
            default = model.model_fields[name].default
            value = default if isinstance(default, bool) else None
        field = control_for(model, name, path, _display(value))
        if isinstance(field.control, ChoiceRow):
            field.control.stays_on_last = True  # a page's last answer stays in view: F3 goes on
            if path in QUESTIONS:
                field.control.advance_on_key = True  # one key answers a question the rules read and moves on
        if isinstance(field.control, ChoiceRow) and (not field.has_class("-yes-no") or self.audience == "patient"):
            field.add_class("-stacked")  # a clinician's yes/no sits beside its label: one line each
            field.stacked = True
        return field

    def _question(self, path: str, text: str, options: list[tuple[str, Any]], keys: tuple[str, ...]) -> LabelledField:
        row = ChoiceRow(options, keys=keys, value=self._values.get(path), advance_on_key=True)
        row.stays_on_last = True
        return LabelledField(text, row, path=path, stacked=True, classes="question")

    def _page_widgets(self, page_id: str) -> list[Widget]:
        """The widgets of one page, with the answers known so far."""
        if page_id == "about":
            fields: list[Widget] = [self._field(Demographics, n, f"{MH}.demographics")
                                    for n in ("full_name", "date_of_birth", "sex", "height_cm", "weight_kg")]
            return fields + [Static(id="bmi", classes="score")]
        if page_id == "depression":
            return [self._field(PsychiatricHistory, n, f"{MH}.psychiatric") for n in (
                "diagnosis", "episode_months", "prior_ect", "prior_tms", "prior_ketamine",
                "prior_ketamine_response", "psychosis", "bipolar_disorder", "mood_stabiliser")]
        if page_id == "trials":
            return [
                Static(self.words("text:trials", "Each antidepressant tried in this episode. Leave the page empty if there were none."), classes="intro"),
                Vertical(*self._new_trial_rows(self._trials or [{}]), id="trial-rows"),
                Button(self.words("text:add-trial", "Add a trial (ctrl+n)"), id="add-trial", compact=True),
            ]
        if page_id == "substance":
            return [self._field(SubstanceUse, n, f"{MH}.substance_use") for n in (
                "active_substance_use_disorder", "past_ketamine_or_pcp_misuse", "alcohol_drinks_per_week", "cannabis_use", "details")]
        if page_id == "physical-heart":
            return [Static(self.words("text:physical", "y yes, n no, u not known; ctrl+o: no to the rest of the page."), classes="intro")] + [
                self._field(PhysicalHealth, n, f"{MH}.physical") for n in PHYSICAL_HEART]
        if page_id == "physical-other":
            return [self._field(PhysicalHealth, n, f"{MH}.physical") for n in PHYSICAL_OTHER]
        if page_id == "vitals":
            note: list[Widget] = [Static(self.words("text:vitals", ""), classes="intro")] if not self.asks(f"{MH}.vitals.systolic_bp") else []
            return note + [self._field(Vitals, n, f"{MH}.vitals") for n in ("systolic_bp", "diastolic_bp", "pulse")]
        if page_id == "phq9":
            difficulty = [(label, score) for score, label in enumerate(PHQ9_DIFFICULTY_CHOICES)]
            return [
                Static(f"{PHQ9_STEM}  Press 0 to 3 to answer; the next question follows.", classes="intro"),
                *(self._question(f"phq9.answers[{n}]", f"{n + 1}. {text}", FREQUENCY, FREQUENCY_KEYS) for n, text in enumerate(PHQ9_ITEMS)),
                self._question("phq9.difficulty", PHQ9_DIFFICULTY_QUESTION, difficulty, FREQUENCY_KEYS),
                Static(PHQ_ATTRIBUTION, classes="attribution"),
                Static(id="phq9-score", classes="score"),
            ]
        if page_id == "gad7":
            return [
                Static(f"{GAD7_STEM}  Press 0 to 3 to answer; the next question follows.", classes="intro"),
                *(self._question(f"gad7.answers[{n}]", f"{n + 1}. {text}", FREQUENCY, FREQUENCY_KEYS) for n, text in enumerate(GAD7_ITEMS)),
                Static(PHQ_ATTRIBUTION, classes="attribution"),
                Static(id="gad7-score", classes="score"),
            ]
        details = Input(str(self._values.get("asq.ever_tried_details") or ""), compact=True, select_on_focus=False)
        return [
            CrisisPanel(self.protocol.crisis_contacts, id="crisis-panel"),
            *(self._question(f"asq.{name}", f"{n + 1}. {text}", YES_NO, YES_NO_KEYS) for n, (name, text) in enumerate(zip(ASQ_FIELDS, ASQ_QUESTIONS))),
            LabelledField(ASQ_EVER_TRIED_FOLLOW_UP, details, path="asq.ever_tried_details"),
            self._question(ACUITY, f"5. {ASQ_ACUITY_QUESTION}", YES_NO, YES_NO_KEYS),
            Static(ASQ_ATTRIBUTION, classes="attribution"),
            Static(id="asq-result", classes="score"),
        ]

    def compose(self) -> ComposeResult:
        yield Static(id="page-title")
        with ContentSwitcher(initial=PAGE_IDS[self.page], id="pages"):
            for page in PAGES:
                yield VerticalScroll(id=page.id, classes="page")
        yield KeysFooter(compact=True, show_command_palette=False)  # ctrl+p: in F1 help, no room here

    async def on_mount(self) -> None:
        await self._show_page(self.page, focus=True)
        self._refresh_live(self.collect())

    # --- paging (PagedStep) ---

    @property
    def page_label(self) -> str:
        return f"page {self.page + 1} of {len(PAGES)}"

    def page_help(self) -> str:
        words = PAGES[self.page].help
        return words if isinstance(words, str) else words(self.protocol)

    def _page_widget(self, index: int) -> VerticalScroll:
        return self.query_one(f"#{PAGE_IDS[index]}", VerticalScroll)

    async def _build(self, index: int) -> None:
        """Build a page's widgets, once; a page being built ahead is waited for."""
        page_id = PAGE_IDS[index]
        if page_id not in self._built:
            widgets = self._page_widgets(page_id)
            self._keep(page_id, widgets)
            self._built[page_id] = self._page_widget(index).mount_all(widgets)
        await self._built[page_id]

    async def _show_page(self, index: int, *, focus: bool) -> None:
        page_id = PAGE_IDS[index]
        await self._build(index)
        self.page = index
        self.query_one("#pages", ContentSwitcher).current = page_id
        self.query_one("#page-title", Static).update(self.words(f"page:{page_id}", PAGES[index].title))
        self._refresh_live(self.collect())
        if focus:
            self._focus_first(index)  # at once: keys typed straight after Next or New must land here
        self.refresh_bindings()
        self.post_message(PageChanged())
        self.set_timer(BUILD_AHEAD_AFTER, self._build_ahead)

    async def _build_ahead(self) -> None:
        """While the page on show is read, build the next one (hidden), so Next only shows it.
        Not the trials page: building it adds an empty trial row to what is kept."""
        ahead = self.page + 1
        if ahead < len(PAGES) and PAGE_IDS[ahead] != "trials" and PAGE_IDS[ahead] not in self._built:
            await self._build(ahead)

    def _keep(self, page_id: str, widgets: list[Widget]) -> None:
        """Remember a page's fields, trial rows and live lines as it is built."""
        self._page_fields[page_id] = [w for w in widgets if isinstance(w, LabelledField)]
        self._live.update({w.id: w for w in widgets if w.id is not None and not isinstance(w, LabelledField)})

    def _focus_first(self, index: int) -> None:
        page = self._page_widget(index)
        problem = next((f for f in self._fields_on(PAGE_IDS[index]) if f.has_class("-problem") and f.display), None)
        target = problem.control if problem else next((w for w in walk_depth_first(page, with_root=False)
                                                       if w.focusable and all(a.display for a in w.ancestors_with_self if a is not page)), None)
        if target is not None:
            target.focus()
            target.scroll_visible(animate=False)

    def next_page(self) -> bool:
        result = self.collect()
        page_id = PAGE_IDS[self.page]
        self._checked_pages.add(page_id)
        problems = [p for p in result.problems if self.asks(p.path)]  # a patient is not held up on a clinician's question
        here = [p for p in problems if self._page_of(p.path) == page_id]
        self._display_problems(result.problems)
        if here:
            self._focus_first(self.page)
            self.notify(self._why_not_moved(here, "on this page"), title="Not moved on", severity="warning")
            return True
        if self.page + 1 < len(PAGES):
            self.run_worker(self._show_page(self.page + 1, focus=True), exclusive=True, group="page")
            return True
        if problems:
            first = min(PAGE_IDS.index(self._page_of(p.path)) for p in problems)
            self._checked_pages.update(self._page_of(p.path) for p in problems)
            self.run_worker(self._show_page(first, focus=True), exclusive=True, group="page")
            self.notify(self._why_not_moved(problems, "on earlier pages; this is the first"), title="Not moved on", severity="warning")
            return True
        return False

    def _why_not_moved(self, problems: list[FieldProblem], where: str) -> str:
        """What holds the step, naming the unanswered questions (in the audience's words)."""
        missing = [p for p in problems if p.message in (NOT_ANSWERED, NOT_COUNTED)]
        others = [p for p in problems if p not in missing]
        parts = []
        if missing:
            shown = [self.words(p.path, p.label) for p in missing[:4]]
            more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
            parts.append(f"Not answered {where}: " + "; ".join(shown) + more + ".")
            if self.page_has_group():
                parts.append(self.words("text:none-of-these", "y yes, n no; ctrl+o answers no to the rest of the page."))
        if others:
            parts.append(f"{_count(others)} {where}: see the message beneath each one.")
        return " ".join(parts)

    def page_has_group(self) -> bool:
        return PAGE_IDS[self.page] in GROUP_PAGES

    def action_none_of_these(self) -> None:
        """Answer no to every question on this page still unanswered: an explicit answer, kept as
        one. A follow-up is left alone (it follows a yes, so no is not implied), and so is
        anything already answered."""
        if not self.page_has_group():
            return
        values = self._current_values()
        changed = 0
        for field in self._fields_on(PAGE_IDS[self.page]):
            question = QUESTIONS.get(field.path)
            if question is None or question.follows or not field.display or not field.is_empty:
                continue
            model, name = _owner_of(field.path)
            field.value = no_answer_for(model, name)
            values[field.path] = field.value
            changed += 1
        self._refresh_live(self.collect())
        self.post_message(IntakeStep.FieldLeft())
        still = [f for f in self._fields_on(PAGE_IDS[self.page]) if f.display and f.path in QUESTIONS and f.is_empty]
        if still:
            still[0].control.focus()
            still[0].scroll_visible(animate=False)
        if not changed:  # what changed shows on every row (● No); only a key that did nothing is told
            self.notify(self.words("text:none-of-these-nothing", "Every question on this page was already answered."), timeout=3)

    def start_at_last_page(self) -> None:
        self.page = len(PAGES) - 1

    def previous_page(self) -> bool:
        if self.page == 0:
            return False
        self.run_worker(self._show_page(self.page - 1, focus=True), exclusive=True, group="page")
        return True

    # --- the contract ---

    def _fields_on(self, page_id: str) -> list[LabelledField]:
        """The fields of one page, in order, once it is built."""
        if page_id == "trials":
            return [f for row in self._trial_rows for f in row.fields]
        return self._page_fields.get(page_id, [])

    def _fields(self) -> list[LabelledField]:
        """Every field built so far, page by page."""
        return [f for page_id in PAGE_IDS for f in self._fields_on(page_id)]

    def _current_values(self) -> dict[str, Any]:
        """Every answer: from the widgets of built pages, else as restored."""
        self._values.update({f.path: f.value for fields in self._page_fields.values() for f in fields})
        if "trials" in self._built:
            self._trials = [row.answers() for row in self._trial_rows]
        return self._values

    @staticmethod
    def _shown(path: str, values: dict[str, Any]) -> bool:
        """A question that only follows a yes (DEPENDS_ON, the ASQ acuity question) is left out otherwise."""
        if path in DEPENDS_ON:
            return values.get(DEPENDS_ON[path]) is True
        if path == ACUITY:
            return _screened(values)
        return True

    def collect(self) -> StepResult:
        values = self._current_values()
        form_state = {"page": PAGE_IDS[self.page], "values": dict(values), "trials": [dict(t) for t in self._trials]}
        answers = {
            path: value for path, value in values.items()
            if self._shown(path, values) and value is not None and not (isinstance(value, str) and not value.strip())
        }
        data: dict[str, Any] = {
            MH: {"demographics": {}, "psychiatric": {}, "substance_use": {}, "physical": {}, "vitals": {}},
            "phq9": {"answers": [None] * len(PHQ9_ITEMS)},
            "gad7": {"answers": [None] * len(GAD7_ITEMS)},
            "asq": {},
        }
        nest(answers, data)
        data[MH]["psychiatric"]["antidepressant_trials"] = [
            {k: v for k, v in trial.items() if not (isinstance(v, str) and not v.strip())}
            for trial in self._trials if not _blank_trial(trial)
        ]
        sections: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        models: tuple[tuple[str, type[BaseModel]], ...] = (("medical_history", MedicalHistory), ("phq9", PHQ9), ("gad7", GAD7), ("asq", ASQ))
        for name, model in models:
            if name == "gad7" and all(a is None for a in data["gad7"]["answers"]):
                continue  # the GAD-7 is optional: nothing answered means not given
            try:
                sections[name] = model.model_validate(data[name])
            except ValidationError as exc:
                problems += problems_from(exc, model, prefix=(name,))
        problems += self._unanswered(values)
        return StepResult(sections=sections, problems=problems, form_state=form_state)

    def _unanswered(self, values: dict[str, Any]) -> list[FieldProblem]:
        """Every question the rules read that is asked and not answered: never read as no."""
        found = [FieldProblem(path, q.label, NOT_ANSWERED if q.yes_no else NOT_COUNTED) for path, q in QUESTIONS.items()
                 if self._shown(path, values) and (values.get(path) is None or values.get(path) == "")]
        for index, trial in enumerate(self._trials):
            if not _blank_trial(trial):
                found += [FieldProblem(f"{TRIALS}[{index}].{q.path}", f"Trial {index + 1}: {q.label}", NOT_ANSWERED)
                          for q in TRIAL_QUESTIONS if trial.get(q.path) is None]
        return found

    def show_problems(self, problems: list[FieldProblem]) -> None:
        self._checked_pages.update(self._page_of(p.path) for p in problems)
        self._display_problems(problems)

    def _display_problems(self, problems: list[FieldProblem]) -> None:
        """Each field shows its first problem once its page was checked (Next), or once it was left
        with something typed in it: nobody is told off for a field they have not reached."""
        first: dict[str, str] = {}
        for problem in problems:
            first.setdefault(problem.path, problem.message)
        for field in self._fields():
            page = self._page_of(field.path)
            visible = page in self._checked_pages or (field.path in self._touched and not field.is_empty)
            field.show_problem(first.get(field.path) if visible else None)

    def _page_of(self, path: str) -> str:
        """Which page holds the field at ``path`` (a problem's path or a field's)."""
        if path.startswith(TRIALS):
            return "trials"
        section, _, rest = path.partition(".")
        if section in ("phq9", "gad7", "asq"):
            return section
        group, _, name = rest.partition(".")
        name = name.split(".")[0]
        return {
            "demographics": "about", "psychiatric": "depression", "substance_use": "substance", "vitals": "vitals",
            "physical": "physical-other" if name in PHYSICAL_OTHER else "physical-heart",
        }.get(group, "about")

    # --- live answers: scores, questions that follow a yes, the crisis panel ---

    def _refresh_live(self, result: StepResult) -> None:
        values = self._values
        for field in self._fields():
            field.display = self._shown(field.path, values) and self.asks(field.path)
        positive = _screened(values)
        if (panel := self._live.get("crisis-panel")) is not None:
            panel.display = positive and self.audience != "patient"  # a patient's App shows its own crisis screen
            if positive and isinstance(panel, CrisisPanel):
                panel.show_code(crisis_code((), values))
        if positive != self._positive:
            self._positive = positive
            self.post_message(ScreeningChanged(positive))
        self._refresh_scores(result)
        self._display_problems(result.problems)

    def _refresh_scores(self, result: StepResult) -> None:
        sections = result.sections
        if "bmi" in self._live:
            demographics = None
            try:
                demographics = Demographics.model_validate(self._section_data(f"{MH}.demographics"))
            except ValidationError:
                pass
            self._say("bmi", f"BMI {demographics.bmi} (from height and weight)" if demographics else "")
        for name, model, count in (("phq9", PHQ9, len(PHQ9_ITEMS)), ("gad7", GAD7, len(GAD7_ITEMS))):
            label = "PHQ-9" if name == "phq9" else "GAD-7"
            given = [a for a in (self._values.get(f"{name}.answers[{i}]") for i in range(count)) if a is not None]
            section = sections.get(name)
            if section is not None:
                text = f"{label} total {section.total} of {3 * count}: {section.band}"
            else:
                text = f"{label}: {len(given)} of {count} answered, score so far {model.model_construct(answers=given).total}"
            self._say(f"{name}-score", text)
        asq = sections.get("asq")
        self._say("asq-result", f"ASQ result: {asq.result}" if asq else "ASQ result: not complete")

    def _say(self, line_id: str, text: str) -> None:
        """Update a live line once its page is built, only when its words change."""
        line = self._live.get(line_id)
        if isinstance(line, Static) and self._said.get(line_id) != text:
            self._said[line_id] = text
            line.update(text, layout=False)  # one line high whatever it says

    def _section_data(self, prefix: str) -> dict[str, Any]:
        values = {p[len(prefix) + 1:]: v for p, v in self._values.items() if p.startswith(prefix + ".")}
        return {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}

    @on(ChoiceRow.Changed)
    @on(YesBox.Changed)
    def _answer_changed(self, event: ChoiceRow.Changed | YesBox.Changed) -> None:
        """The answer is drawn first; the scores, follow-on questions and problems once the frame
        that shows it is out (a run of keys is checked once)."""
        field = next((a for a in event.control.ancestors if isinstance(a, LabelledField)), None)
        if field is not None and event.value is True:
            self._follow_up_due = next((p for p, parent in DEPENDS_ON.items() if parent == field.path), None)
        if not self._live_due:
            self._live_due = True
            self.call_after_refresh(self._refresh_live_due)
        self.post_message(IntakeStep.FieldLeft())

    def _built_field(self, path: str) -> LabelledField | None:
        return next((f for f in self._fields_on(self._page_of(path)) if f.path == path), None)

    def _refresh_live_due(self) -> None:
        if self._live_due:
            self._live_due = False
            self._refresh_live(self.collect())
        path, self._follow_up_due = self._follow_up_due, None
        follow_up = self._built_field(path) if path else None
        if follow_up is not None and follow_up.display and follow_up.is_empty:
            follow_up.control.focus()  # a yes opens its follow-up, unanswered: it is the next question
            follow_up.scroll_visible(animate=False)

    @on(Input.Submitted)
    def _enter_moves_on(self) -> None:
        self.focus_next()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """The question taking the focus comes wholly into view, its last option above the score
        line docked at the page's foot: Textual's own scroll on focus runs before an answer's
        live lines are laid out, and left the next question's options under the score."""
        field = next((a for a in event.widget.ancestors if isinstance(a, LabelledField)), None)
        if field is not None:
            self.call_after_refresh(field.scroll_visible, animate=False, immediate=True)

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        field = next((a for a in event.widget.ancestors if isinstance(a, LabelledField)), None)
        if field is not None:
            self._touched.add(field.path)
            if isinstance(field.control, Input):
                self._refresh_live(self.collect())
        self.post_message(IntakeStep.FieldLeft())

    # --- trials ---

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_trial", "remove_trial"):
            return PAGE_IDS[self.page] == "trials"
        if action == "none_of_these":
            return self.page_has_group()
        return True

    def _new_trial_rows(self, trials: list[dict[str, Any]]) -> list[TrialRow]:
        """A row for each trial, kept as the trials on screen."""
        self._trial_rows = [TrialRow(i, t) for i, t in enumerate(trials)]
        return self._trial_rows

    async def _rebuild_trials(self, trials: list[dict[str, Any]], focus_row: int | None) -> None:
        self._trials = trials
        holder = self.query_one("#trial-rows", Vertical)
        await holder.remove_children()
        rows = self._new_trial_rows(trials)
        await holder.mount_all(rows)
        if focus_row is not None and rows:
            row = rows[min(focus_row, len(rows) - 1)]
            row.fields[0].control.focus()
            row.scroll_visible(animate=False)
        elif not rows:
            self.query_one("#add-trial", Button).focus()
        self.post_message(IntakeStep.FieldLeft())

    async def action_add_trial(self) -> None:
        self._current_values()
        await self._rebuild_trials(self._trials + [{}], focus_row=len(self._trials))

    def _row_with_focus(self) -> TrialRow | None:
        return next((a for a in (self.focused.ancestors_with_self if self.focused else []) if isinstance(a, TrialRow)), None)

    async def action_remove_trial(self, row: TrialRow | None = None) -> None:
        row = row or self._row_with_focus()
        if row is None:
            self.notify("Move to a trial first (Tab), then remove it.", severity="warning")
            return
        self._current_values()
        trials = list(self._trials)
        removed = trials.pop(row.index)
        await self._rebuild_trials(trials, focus_row=row.index)
        self.notify(f"Removed trial {row.index + 1} ({str(removed.get('medicine') or '').strip() or 'empty'}).")

    @on(Button.Pressed, "#add-trial")
    async def _add_pressed(self) -> None:
        await self.action_add_trial()

    @on(Button.Pressed, ".remove-trial")
    async def _remove_pressed(self, event: Button.Pressed) -> None:
        row = next(a for a in event.button.ancestors if isinstance(a, TrialRow))
        await self.action_remove_trial(row)


def _screened(values: dict[str, Any]) -> bool:
    """Whether the ASQ is positive so far, by the core's rule (``ASQ.positive``); unanswered is not a yes.
    The acuity question only follows a yes, so questions 1 to 4 decide it."""
    answers = {name: values.get(f"asq.{name}") for name in ASQ_FIELDS}
    return bool(ASQ.model_construct(**answers, thoughts_right_now=None).positive)


def _owner_of(path: str) -> tuple[type[BaseModel], str]:
    """The model and field name of a medical history path ("medical_history.physical.stroke")."""
    _, group, name = path.split(".")
    owner = {"psychiatric": PsychiatricHistory, "substance_use": SubstanceUse, "physical": PhysicalHealth}[group]
    return owner, name


def _blank_trial(trial: dict[str, Any]) -> bool:
    """A trial row with nothing typed in it is not a trial."""
    return all(not str(trial.get(name) or "").strip() for name in TRIAL_TEXT_FIELDS)


def _count(problems: list[FieldProblem]) -> str:
    return "1 answer needs attention" if len(problems) == 1 else f"{len(problems)} answers need attention"
