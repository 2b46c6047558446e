"""What the synthetic patient says when the trainee asks about a field.

The trainee stands on a field and asks; the answer is the scenario's own words for that field, or
for the nearest part of the intake that has words (a section, a group), else the plain answer from
the correct intake ("Yes.", "184", "More than half the days"). A question the patient has no answer
for gets a shrug, never a hint: the trainee must find the facts by asking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ketatui.intake.instruments import FREQUENCY_CHOICES, PHQ9_DIFFICULTY_CHOICES
from ketatui.training.scenario import Scenario, values_at

#: Row ids a screen gives list rows (``goals.row3``) and positions (``[0]``) are not asked about.
_ROW = re.compile(r"\.row\d+|\[\d+\]")
NO_ANSWER = "(shrugs) I'm not sure what you're asking. Can you put it another way?"
#: What the patient says once a side effect has been explained (the trainee explains; they listen).
UNDERSTOOD = "(listens) Thank you for explaining. Yes, I understand that."


@dataclass(frozen=True)
class Answer:
    """The patient's words, and the part of the intake they answer (for the panel's heading)."""

    words: str
    about: str


def _plain(path: str, value: Any) -> str | None:
    """A value from the correct intake, said as the patient would say it."""
    if isinstance(value, bool):
        return "Yes." if value else "No."
    if isinstance(value, int) and re.fullmatch(r"(phq9|gad7)\.answers(\[\d+\])?", path):
        return f"{FREQUENCY_CHOICES[value]}."
    if isinstance(value, int) and path == "phq9.difficulty":
        return f"{PHQ9_DIFFICULTY_CHOICES[value]}."
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value in (None, "", [], {}):
        return None
    if isinstance(value, (dict, list)):
        return None
    return str(value)


def candidates(path: str) -> list[str]:
    """The field's own path, then each part it belongs to, nearest first (rows included, then without)."""
    out: list[str] = []
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        for each in (key, _ROW.sub("", key)):
            if each not in out:
                out.append(each)
    return out


def title_of(path: str) -> str:
    """The words a screen uses for the part of the intake at ``path`` ("Intake blood pressure and pulse")."""
    from ketatui.intake.document import Intake
    from ketatui.intake.fields import _title_for

    loc = tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", re.sub(r"\.row\d+", "", path)))
    return _title_for(Intake, loc)[1] if loc else path


def answer(scenario: Scenario, path: str) -> Answer:
    """What the patient says when asked about the field at ``path`` (a screen's field path)."""
    says = scenario.persona.says
    keys = candidates(path)
    for key in keys:
        if key in says:
            return Answer(says[key], key)
    if path.startswith("side_effects"):
        return Answer(UNDERSTOOD, "side_effects")
    for key in keys:  # no words written: the correct answer itself, once the path is one field
        values = values_at(scenario.correct_data, key)
        if len(values) == 1:
            words = _plain(key, values[0])
            if words is not None:
                return Answer(words, key)
    return Answer(NO_ANSWER, path)
