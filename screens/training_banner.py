"""What marks every training screen, and what the synthetic patient says.

``TrainingBanner`` is the line the trainer App puts at the top of every screen it shows. It says
TRAINING in words inside block marks, so it reads the same in every theme, in 16 colours and
with ``NO_COLOR``. ``PersonaPanel`` shows the patient's answer to the field the trainee asked
about; ``asked_path`` says which field that is, whatever step is on show.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from ketatui.screens.widgets import LabelledField
from ketatui.steps import step as step_named

BANNER_MARK = "▌TRAINING▐"


def banner_text(scenario_title: str | None) -> str:
    if scenario_title:
        # One line at 80 columns with the longest scenario title: the patient panel says what F6 does.
        return f"{BANNER_MARK} F6 ask · F8 finish · {scenario_title}"
    return f"{BANNER_MARK} synthetic patients only · the real store is never opened"


def scorecard_banner(scenario_title: str) -> str:
    return f"{BANNER_MARK} scorecard · {scenario_title}"


class TrainingBanner(Static):
    """``▌TRAINING▐ synthetic patient · …``: on every screen of the trainer App."""

    def __init__(self, text: str) -> None:
        super().__init__(text, id="training-banner", markup=False)


class PersonaPanel(Static):
    """``PATIENT Dale Whitcombe · Intake blood pressure and pulse: "184 over 112."``"""

    def __init__(self) -> None:
        super().__init__("", id="persona-panel", markup=False)
        self.page: int | None = None  # the page of a paged step the words were said on

    def say(self, name: str, about: str, words: str) -> None:
        self.update(f"PATIENT {name} · {about}:\n\"{words}\"")

    def wait_for_question(self, name: str) -> None:
        """A new page: the last answer belongs to the page before."""
        self.update(f"PATIENT {name} · F6 on a field: what they say about it")


#: Each medical-history page, as the part of the intake it asks about.
_PAGES = {
    "about": "medical_history.demographics", "depression": "medical_history.psychiatric",
    "trials": "medical_history.psychiatric.antidepressant_trials", "substance": "medical_history.substance_use",
    "physical-heart": "medical_history.physical", "physical-other": "medical_history.physical",
    "vitals": "medical_history.vitals", "phq9": "phq9", "gad7": "gad7", "asq": "asq",
}


def asked_path(screen: Screen, focused: Widget | None) -> str:
    """The intake path of the field the trainee is on (a row's field, a topic, a group), or the
    part of the intake the screen asks about when no single field has focus."""
    from ketatui.screens.goals_support import FieldGroup
    from ketatui.screens.medications import MedicationRow
    from ketatui.screens.side_effects import TopicChecklist

    for node in (focused.ancestors_with_self if focused is not None else []):
        if isinstance(node, LabelledField):
            return node.path
        if isinstance(node, MedicationRow):
            rows = list(screen.query(MedicationRow))
            name = focused.name if focused is not None and focused.name else "name"
            return f"medications.items[{rows.index(node)}].{name}"
        if isinstance(node, TopicChecklist):
            option = node.highlighted_option
            return f"side_effects.discussed.{option.id}" if option is not None and option.id else "side_effects"
        if isinstance(node, FieldGroup):
            return node.path
    page = getattr(screen, "page", None)
    step_id = getattr(screen, "step_id", None)
    if step_id == "medical_history" and isinstance(page, int):
        from ketatui.screens.medical_history import PAGE_IDS

        return _PAGES[PAGE_IDS[page]]
    if step_id:
        sections = step_named(step_id).sections
        return sections[0] if sections else step_id
    return "medical_history"
