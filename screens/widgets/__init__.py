"""Widgets shared by every step and every role's App: keep them generic (no clinical logic)."""

from ketatui.screens.widgets.choice import ChoiceRow
from ketatui.screens.widgets.crisis_panel import CrisisPanel, crisis_text
from ketatui.screens.widgets.field import LabelledField, YesBox, control_for, field_id, title_of
from ketatui.screens.widgets.progress import ProgressLine, progress_text

__all__ = [
    "ChoiceRow",
    "CrisisPanel",
    "LabelledField",
    "ProgressLine",
    "YesBox",
    "control_for",
    "crisis_text",
    "field_id",
    "progress_text",
    "title_of",
]
