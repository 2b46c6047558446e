"""Which crisis message a positive suicide screen needs, and what the clinician must do now.

The ASQ has two levels (clinical reference 5.6): a yes to questions 1-4 is a positive screen (a
brief suicide safety assessment before the person leaves); a yes to question 5, "thoughts of
killing yourself right now", is an acute positive: imminent risk, the person must not leave or be
left alone, and a clinician does a full safety evaluation at once. The crisis box is headed by the
flag that applies, so an acute positive is never shown as the lesser one.

May import: ``ketatui.clinical.flags`` and the standard library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ketatui.clinical.flags import Flag

ACUTE = "RISK-SUICIDE-ACUTE"
SCREEN = "RISK-SUICIDE-SCREEN"
#: The ASQ's acuity question (question 5), as a form path.
ACUITY_PATH = "asq.thoughts_right_now"

#: What the clinician does now, for each level.
CLINICIAN_INSTRUCTION: dict[str, str] = {
    SCREEN: ("The intake is marked URGENT. Stay with the person and follow the clinic's suicide safety "
             "procedure before they leave."),
    ACUTE: ("Acute positive screen: imminent risk. The person must not leave and must not be left alone. "
            "A clinician does a full safety evaluation now, before anything else."),
}


def crisis_code(flags: Iterable[Flag], answers: Mapping[str, Any] | None = None) -> str:
    """``RISK-SUICIDE-ACUTE`` when the rules raised it or question 5 was just answered yes (before
    the ASQ is complete enough for the rules), else ``RISK-SUICIDE-SCREEN``."""
    if any(flag.code == ACUTE for flag in flags):
        return ACUTE
    if answers is not None and answers.get(ACUITY_PATH) is True:
        return ACUTE
    return SCREEN
