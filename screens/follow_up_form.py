"""The follow-up visit form: PHQ-9, GAD-7, blood pressure, side effects, urinary symptoms, notes.

A visit's PHQ-9 counts at the review points like a session's, so the course can be adjusted
between sessions. ``FollowUpVisit`` validates; the shared parts (problems beneath the fields,
the urgent path on PHQ-9 question 9) are ``RecordForm``'s.
"""

from __future__ import annotations

import typing
from datetime import date
from typing import Any

from textual.widget import Widget
from textual.widgets import Static

from ketatui.clinical.plan import Plan
from ketatui.clinical.protocol import Protocol
from ketatui.course.records import FollowUpVisit, UrinarySymptom
from ketatui.intake.document import Intake
from ketatui.intake.instruments import GAD7_ITEMS, GAD7_STEM
from ketatui.screens.medical_history import FREQUENCY, FREQUENCY_KEYS
from ketatui.screens.session_form import Record, RecordForm, section
from ketatui.screens.widgets import ChoiceRow, LabelledField, YesBox

URINARY = "urinary_symptoms"
SYMPTOMS: tuple[str, ...] = typing.get_args(UrinarySymptom)


class FollowUpForm(RecordForm):
    """One visit after (or between) sessions."""

    model = FollowUpVisit
    help_title = "Recording a follow-up visit"
    help_text = (
        "After the sessions (and between them if needed) the PHQ-9 shows whether the response "
        "holds: a score back up after a response is a relapse, which calls for a maintenance "
        "decision. Question 9 screens for suicide risk. The GAD-7 follows anxiety. Blood pressure, "
        "side effects and urinary symptoms are asked because repeated ketamine can harm the "
        "bladder, and use outside the clinic because it can be misused. Tab past a part's last "
        "question goes on to the next part, Shift+Tab back. Ctrl+S records the visit."
    )

    def __init__(self, intake: Intake, protocol: Protocol, plan: Plan, records: list[Record], *, on: date, user: str, today: date) -> None:
        super().__init__(intake, protocol, plan, records, user=user, today=today)
        self.on = on

    def heading(self) -> str:
        name = self.intake.medical_history.demographics.full_name if self.intake.medical_history else ""
        return f"Follow-up visit · {name}"

    def form_widgets(self) -> list[Widget]:
        V = FollowUpVisit
        gad7 = [LabelledField(f"{n + 1}. {text}", ChoiceRow(FREQUENCY, keys=FREQUENCY_KEYS, advance_on_key=True),
                              path=f"gad7.answers[{n}]", stacked=True, classes="question") for n, text in enumerate(GAD7_ITEMS)]
        symptoms = [LabelledField(None, YesBox(symptom.capitalize(), False, compact=True), path=f"{URINARY}.{symptom}", classes="-check") for symptom in SYMPTOMS]
        return [
            self.field(V, "date", value=self.on.isoformat()),
            *section("PHQ-9", "Shows whether the response holds; question 9 screens for suicide risk."),
            *self.phq9_questions(),
            *section("GAD-7 (optional)", "Anxiety often comes with depression. Leave it all unanswered to skip it."),
            Static(f"{GAD7_STEM}  Press 0 to 3 to answer.", classes="form-why"),
            *gad7,
            *section("Blood pressure", "Ketamine raises blood pressure; a reading here shows where it sits now."),
            *self.blood_pressure("bp", V),
            *section("Side effects and the bladder", "Repeated ketamine can harm the bladder: tick each symptom since last time."),
            self.field(V, "side_effects"),
            Static(FollowUpVisit.model_fields[URINARY].title or "", classes="form-group"),
            *symptoms,
            LabelledField(None, YesBox(FollowUpVisit.model_fields["use_outside_clinic"].title or "", False, compact=True), path="use_outside_clinic", classes="-check"),
            self.field(V, "notes"),
        ]

    def answers(self) -> dict[str, Any]:
        """Ticked boxes only (an unticked symptom is no answer); the symptoms become one list."""
        found = {path: value for path, value in super().answers().items() if value is not False}
        ticked = [path.split(".", 1)[1] for path in list(found) if path.startswith(URINARY + ".")]
        for symptom in ticked:
            found.pop(f"{URINARY}.{symptom}")
        if ticked:
            found[URINARY] = ticked
        return found

    def data(self) -> dict[str, Any]:
        data = super().data()
        if "gad7" in data:
            data["gad7"]["answers"] = data["gad7"]["answers"] + [None] * (len(GAD7_ITEMS) - len(data["gad7"]["answers"]))
        return data

    def answers_typed(self) -> bool:
        return any(path != "date" for path in self.answers())
