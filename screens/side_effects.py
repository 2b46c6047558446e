"""Side-effect discussion: each topic in plain words with how often it happens, marked once it
has been discussed and understood, and the person's own concerns and questions.

The screen only collects. A topic left unmarked is the core's business: the rules raise
CONSENT-INCOMPLETE on the plan summary.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import DescendantBlur
from textual.message import Message
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ketatui.intake.fields import FieldProblem, problems_from
from ketatui.screens.step import IntakeStep, StepResult
from ketatui.screens.widgets import title_of
from ketatui.screens.widgets.field import PROBLEM_MARK
from ketatui.intake.side_effects import SIDE_EFFECT_TOPICS, TOPIC_IDS, SideEffectDiscussion, SideEffectTopic, topic
from ketatui.screens.widgets.footer import KeysFooter

#: The free-text fields, with the words a patient sees above each box (clinicians see the model's titles).
TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("concerns", "What worries you"),
    ("questions", "Your questions"),
)


def topic_prompt(topic: SideEffectTopic, marked: bool) -> Content:
    """One topic as the person reads it: the mark in words, title, what happens, how often."""
    state = "[x]" if marked else "[ ]"
    words = "discussed and understood" if marked else "not yet discussed"
    return Content.assemble(
        (f"{state} {topic.title}", "bold"), f" — {words}", "\n",
        topic.explanation, "\n", ("How often: ", "italic"), topic.how_often,
    )


class TopicChecklist(OptionList):
    """The topics, one focus stop: arrows move, space (or enter) marks or unmarks the highlighted one.

    The mark is written out ("[x] discussed and understood"), never shown by colour alone.
    """

    BINDINGS = [Binding("space,enter", "toggle", "Mark / unmark topic", id="side_effects.toggle", key_display="space")]

    class Changed(Message):
        """The set of marked topics changed."""

    def __init__(self, *, id: str | None = None) -> None:
        options: list[Option | None] = []
        for each in SIDE_EFFECT_TOPICS:
            options += [None] if options else []  # a blank line between topics
            options.append(Option(topic_prompt(each, False), id=each.id))
        super().__init__(*options, id=id)
        self.marked: set[str] = set()

    def set_marked(self, topic_id: str, marked: bool) -> None:
        if marked == (topic_id in self.marked):
            return
        if marked:
            self.marked.add(topic_id)
        else:
            self.marked.discard(topic_id)
        self.replace_option_prompt(topic_id, topic_prompt(topic(topic_id), marked))
        self.post_message(self.Changed())

    def action_toggle(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id is not None:
            self.set_marked(option.id, option.id not in self.marked)


class SideEffectsStep(IntakeStep):
    """Step 3: what must be explained before consent, and what was."""

    step_id = "side_effects"
    step_title = "Side-effect discussion"
    help_text = (
        "Before agreeing to treatment a person needs to know what can happen during and after a "
        "session and how often. Go through each topic together; mark it (space) once it has been "
        "discussed and understood. Anything not marked stays open on the plan summary, so consent "
        "is not complete until every topic is covered. Write down the person's own worries and "
        "questions in their words."
    )
    CSS_PATH = "../styles/side_effects.tcss"

    def compose(self) -> ComposeResult:
        with Vertical(id="se-body"):
            yield Static(id="se-count")
            yield TopicChecklist(id="se-topics")
            yield Static(id="se-problem")
            with Horizontal(id="se-notes"):
                for field, patient_words in TEXT_FIELDS:
                    with Vertical(classes="se-note"):
                        yield Label(patient_words if self.audience == "patient" else title_of(SideEffectDiscussion, field))
                        yield TextArea(id=f"se-{field}", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        yield KeysFooter(compact=True, show_command_palette=False)  # ctrl+p: in F1 help, no room here

    def on_mount(self) -> None:
        state = self._restored_state()
        topics = self.query_one("#se-topics", TopicChecklist)
        for topic_id, marked in (state.get("discussed") or {}).items():
            if topic_id in TOPIC_IDS:
                topics.set_marked(topic_id, bool(marked))
        for field, _ in TEXT_FIELDS:
            self.query_one(f"#se-{field}", TextArea).text = str(state.get(field, ""))
        topics.border_title = self._list_title()
        self._show_count()
        topics.focus()

    def _list_title(self) -> str:
        if self.audience == "patient":
            return "Press space on each one you have talked through and understood"
        return "Space marks a topic as discussed and understood"

    def _restored_state(self) -> dict[str, Any]:
        """Half-typed answers win over the saved section: they are newer."""
        saved = self.intake.form_state.get(self.step_id)
        if saved:
            return saved
        section = self.intake.side_effects
        return section.model_dump() if section is not None else {}

    def _show_count(self) -> None:
        marked = len(self.query_one("#se-topics", TopicChecklist).marked)
        total = len(SIDE_EFFECT_TOPICS)
        words = f"{marked} of {total} topics marked as discussed and understood"
        if marked < total:
            words += f"; {total - marked} still to go"
        self.query_one("#se-count", Static).update(words)

    # --- the contract ---

    def _answers(self) -> dict[str, Any]:
        marked = self.query_one("#se-topics", TopicChecklist).marked
        answers: dict[str, Any] = {"discussed": {t.id: t.id in marked for t in SIDE_EFFECT_TOPICS}}
        for field, _ in TEXT_FIELDS:
            answers[field] = self.query_one(f"#se-{field}", TextArea).text
        return answers

    def collect(self) -> StepResult:
        answers = self._answers()
        try:
            section = SideEffectDiscussion(**answers)
        except ValidationError as exc:
            return StepResult(problems=problems_from(exc, SideEffectDiscussion, prefix=("side_effects",)), form_state=answers)
        return StepResult(sections={"side_effects": section}, form_state=answers)

    def show_problems(self, problems: list[FieldProblem]) -> None:
        problem = self.query_one("#se-problem", Static)
        problem.update("\n".join(f"{PROBLEM_MARK}{p}" for p in problems))
        problem.set_class(bool(problems), "-shown")
        for field, _ in TEXT_FIELDS:
            box = self.query_one(f"#se-{field}", TextArea)
            box.set_class(any(p.path == f"side_effects.{field}" for p in problems), "-invalid")

    # --- events ---

    @on(TopicChecklist.Changed)
    def _marks_changed(self) -> None:
        self._show_count()

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self.post_message(IntakeStep.FieldLeft())
