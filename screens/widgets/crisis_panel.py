"""The crisis resources from the clinic's protocol, with the urgent flag's own words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from ketatui.clinical.protocol import CrisisContact


def crisis_text(contacts: Sequence[CrisisContact], reasons: Sequence[str] = (), *, code: str = "RISK-SUICIDE-SCREEN",
                instruction: bool = False) -> str:
    """Plain text: the severity words and flag title, why (when the rules have said), then every contact.
    With ``instruction``, an acute positive says at once what must happen now."""
    from ketatui.clinical.crisis import ACUTE, CLINICIAN_INSTRUCTION
    from ketatui.clinical.flags import FLAG_DEFINITIONS, SEVERITY_WORDS

    _, title = FLAG_DEFINITIONS[code]
    lines = [f"!! {SEVERITY_WORDS['urgent']}: {title}"]
    if instruction and code == ACUTE and not reasons:
        lines.append(CLINICIAN_INSTRUCTION[ACUTE])
    lines += list(reasons)
    lines.append("Crisis resources:")
    lines += [f"  * {contact.name}: {contact.how}" for contact in contacts]
    return "\n".join(lines)


class CrisisPanel(Static):
    """Shown the moment a suicide screen turns positive; it stays until the answers change."""

    def __init__(self, contacts: Sequence[CrisisContact], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(crisis_text(contacts), id=id, classes=classes, markup=False)
        self.contacts = list(contacts)
        self.code = "RISK-SUICIDE-SCREEN"

    def show_reasons(self, reasons: Sequence[str], code: str = "RISK-SUICIDE-SCREEN") -> None:
        self.code = code
        self.update(crisis_text(self.contacts, reasons, code=code))

    def show_code(self, code: str) -> None:
        """The heading for this level (a yes to ASQ question 5 is acute), redrawn only when it changes."""
        if code != self.code:
            self.code = code
            self.update(crisis_text(self.contacts, code=code, instruction=True))

