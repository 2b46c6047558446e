"""Whether one answer, on its own, is a positive suicide screen: the kiosk's trigger for the
crisis hold, the moment the answer is given, before the questionnaire is complete.

The rules (``ketatui.clinical.rules``) raise RISK-SUICIDE-SCREEN from whole sections; a patient
must not have to finish a page first. This check uses the same thresholds: any yes to an ASQ
question (the acuity question included), or PHQ-9 item 9 above 0 ("several days" or more).
"""

from __future__ import annotations

from typing import Any

#: The ASQ questions a yes to which is a positive screen (the acuity question only follows a yes).
ASQ_PATHS = frozenset({"asq.wished_dead", "asq.family_better_off", "asq.thoughts_of_killing_self",
                       "asq.ever_tried", "asq.thoughts_right_now"})
#: PHQ-9 item 9: thoughts that you would be better off dead or of hurting yourself.
PHQ9_ITEM9 = "phq9.answers[8]"
#: The item-9 answer from which the screen is positive, as the rules have it (1: "Several days").
ITEM9_POSITIVE_FROM = 1


def positive_answer(path: str, value: Any) -> bool:
    """True when the answer at ``path`` alone makes the suicide screen positive."""
    if path in ASQ_PATHS:
        return value is True
    if path == PHQ9_ITEM9:
        return isinstance(value, int) and not isinstance(value, bool) and value >= ITEM9_POSITIVE_FROM
    return False


def positive_values(values: dict[str, Any]) -> bool:
    """Whether any answer kept so far (``form_state`` values by path) is a positive screen."""
    return any(positive_answer(path, value) for path, value in values.items())
