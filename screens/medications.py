"""Current medications: one row per line the person writes, read against the catalogue as it is typed.

The screen only shows what the core says: the catalogue reads the line medicine by medicine
(a line may hold several: "Zoloft, Xanax"), and the rules' own interaction check, run on that
one row, gives each flag its severity, title and reason. A name the catalogue does not know is
kept exactly as typed and marked for the clinician once the name box is left; while it is being
typed, close names are offered instead. Per keystroke the work is one reading of the line (cached
by text) and the rules' check of one row; the lines under the row are redrawn only when what they
say changes (the wrapped reasons once typing pauses), so typing stays quick on the busiest screen.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import ValidationError
from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Blur, DescendantBlur, Focus
from textual.geometry import Size
from textual.reactive import Reactive
from textual.suggester import Suggester
from textual.timer import Timer
from textual.widgets import Button, Input, Static

from ketatui.clinical.catalogue import Catalogue, MedicationMatch
from ketatui.intake.fields import FieldProblem, problems_from
from ketatui.clinical.flags import Flag, sort_flags
from ketatui.intake.document import Intake
from ketatui.intake.medications import MedicationEntry, Medications
from ketatui.clinical.protocol import Protocol
from ketatui.clinical.rules import interactions
from ketatui.screens.step import IntakeStep, StepResult
from ketatui.screens.widgets import YesBox, title_of
from ketatui.screens.widgets.field import PROBLEM_MARK
from ketatui.screens.widgets.footer import KeysFooter

#: The row's fields in screen order, with the short title shown on each box.
ROW_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Medication"),
    ("dose", "Dose"),
    ("how_often", "How often"),
    ("reason", "What for"),
)
NOT_RECOGNISED = "not recognised — clinician to check"
#: How long typing must pause before the reasons under a row are redrawn.
WHY_AFTER_SECONDS = 0.25


#: Where the last medicine of a line starts: after its last comma, semicolon, "+", "&", "and" or "plus".
_LAST_PART = re.compile(r"^(.*(?:[,;+&|]|\b(?:and|plus)\b)\s*)?(.*)$", re.IGNORECASE | re.DOTALL)


class CatalogueSuggester(Suggester):
    """Completes the medicine being typed from the catalogue (prefix matches only).

    On a line that already names one medicine ("Zoloft, Xa") the last one is completed, and what
    was typed before it is kept exactly as typed.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.catalogue = catalogue

    async def get_suggestion(self, value: str) -> str | None:
        # Input shows the part after what was typed, so only a name that starts with it fits.
        match = _LAST_PART.match(value)
        before, typed = (match.group(1) or "", match.group(2)) if match else ("", value)
        if not typed.strip():
            return None
        for name in self.catalogue.suggest(typed, limit=4):
            if len(name) > len(typed) and name.casefold().startswith(typed.casefold()):
                return before + typed + name[len(typed):]
        return None


def fit_names(lead: str, names: list[str], width: int) -> str:
    """``lead`` and as many whole names as fit in ``width`` columns; a name is never cut short."""
    shown: list[str] = []
    for name in names:
        line = lead + ", ".join([*shown, name])
        if cell_len(line) > width:
            break
        shown.append(name)
    return lead + ", ".join(shown) if shown else ""


def _heard(match: MedicationMatch) -> str:
    """What a recognised name was read as, in a few words."""
    medicine = match.medicine
    if match.how == "typo":
        return f"read as {medicine.generic} (close spelling: check)"
    if match.how == "brand":
        return f"{match.matched_name} = {medicine.generic}"
    return medicine.generic


def _fit(text: str, tail: str, width: int) -> str:
    """``text`` followed by ``tail`` when both fit in ``width``; else ``text`` alone."""
    return text + tail if cell_len(text + tail) <= width else text


def recognition(catalogue: Catalogue, name: str, flags: list[Flag], *, typing: bool = False, width: int = 76) -> tuple[Content, Content]:
    """What one typed line reads as, medicine by medicine, and the rules' flags for it, in words.

    Returns the status shown under the row (what each medicine on the line was read as, then one
    line per flag with its severity in words) and why each flag matters (shown while the row has
    focus). While the name is being typed (``typing``) a name the catalogue does not know yet is
    not judged: a few close names are offered instead, and ``MED-UNRECOGNISED`` waits until the
    field is left. Every line fits ``width`` columns; a name is never cut short.
    """
    parts = catalogue.read_line(name)
    if not parts:
        return Content(""), Content("")
    status: list[Content | str | tuple[str, str]] = []
    if len(parts) > 1:
        status.append((f"{len(parts)} medicines on this line:", "bold"))
    for number, part in enumerate(parts):
        if status:
            status.append("\n")
        lead = f" {part.text} → " if len(parts) > 1 else ""
        needs = cell_len(_heard(part.match)) if part.match else cell_len(NOT_RECOGNISED)
        if cell_len(lead) + needs > width:
            lead = f" {number + 1}. → "  # a long part: its number, so what it was read as stays whole
        if part.match is None:
            close = [n for n in catalogue.suggest(part.text, limit=6) if n.casefold() != part.text.casefold()]
            if typing:
                words = fit_names("close names: ", close, width - cell_len(lead)) or "no catalogue name like this yet"
                status += [lead, words]
            else:
                first = NOT_RECOGNISED.capitalize() if len(parts) == 1 else NOT_RECOGNISED
                hint = fit_names(" · close names: ", close, width - cell_len(lead) - cell_len(first))
                status += [lead, (first, "bold"), hint]
        else:
            head = "Recognised: " if len(parts) == 1 else ""
            heard = _fit(_heard(part.match), f" · {part.match.medicine.drug_class}", width - cell_len(lead) - cell_len(head))
            status += [lead, (head.strip(), "bold"), " " if head else "", heard]
    why: list[Content | str | tuple[str, str]] = []
    for flag in flags:
        if typing and flag.code == "MED-UNRECOGNISED":
            continue
        status += ["\n", (f" {flag.severity.upper()} ", "bold reverse"), " ", (flag.code, "bold"), f" {flag.title}"]
        why += ["\n" if why else "", (f"{flag.code}:", "italic"), f" {flag.reason}"]
    return Content.assemble(*status), Content.assemble(*why)


class RowInput(Input):
    """A fixed-width box whose text never changes its size, so a keystroke repaints the box only.

    A stock Input marks its scroll size as a layout change on every keystroke, which re-lays out
    the whole screen; with a dozen rows here that alone would blow the repaint budget.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)

    # Textual runs each class's own handler in turn (this one's, then Input's): these add to Input's.
    def _on_blur(self, event: Blur) -> None:
        self.scroll_x = 0  # a long answer shows its start again, not its tail

    def _on_focus(self, event: Focus) -> None:
        # Back in the box: the cursor (where typing goes on) is brought into view again.
        cursor = cell_len(self.value[: self.cursor_position])
        self.scroll_x = max(0, cursor - self.scrollable_content_region.width + 1)


class MedicationRow(Vertical):
    """Name, dose, how often and what for, with what the catalogue made of the name below."""

    def __init__(self, catalogue: Catalogue, flags_for: Callable[[str], list[Flag]], values: dict[str, str] | None = None) -> None:
        super().__init__(classes="med-row")
        self.catalogue = catalogue
        self.flags_for = flags_for
        self.initial = values or {}
        self.status = self.why = Content("")  # as shown, so an unchanged line is not drawn again
        self._why_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="med-fields"):
            for field, title in ROW_FIELDS:
                box = RowInput(
                    value=str(self.initial.get(field, "")),
                    name=field,
                    classes=f"med-{field.replace('_', '-')}",
                    suggester=CatalogueSuggester(self.catalogue) if field == "name" else None,
                    select_on_focus=False,
                )
                box.border_title = title
                yield box
        yield Static(classes="med-status")
        yield Static(classes="med-why")
        yield Static(classes="med-problem")

    def on_mount(self) -> None:
        self.refresh_recognition()

    def on_descendant_focus(self) -> None:
        self.set_class(self.has_focus_within, "-active")

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self.set_class(self.has_focus_within, "-active")
        if event.widget is self.field("name"):
            self.refresh_recognition()  # the name is left: now a name the catalogue does not know is marked

    def field(self, name: str) -> Input:
        return self.query_one(f".med-{name.replace('_', '-')}", Input)

    def values(self) -> dict[str, str]:
        return {field: self.field(field).value for field, _ in ROW_FIELDS}

    def is_blank(self) -> bool:
        return not any(value.strip() for value in self.values().values())

    def refresh_recognition(self, *, typing: bool = False) -> None:
        """Show what the name now reads as; re-lay out the screen only when a line is added or dropped.

        ``typing``: the name is still being typed, so a name not known yet is not judged.
        """
        name = self.field("name").value
        width = (self.size.width or 78) - 2  # the status line's padding
        status, why = recognition(self.catalogue, name, self.flags_for(name) if name.strip() else [], typing=typing, width=width)
        if status != self.status:
            same_height = status.plain.count("\n") == self.status.plain.count("\n")
            self.query_one(".med-status", Static).update(status, layout=not same_height)
            self.status = status
        self.set_class(bool(status.plain), "-has-status")
        if why != self.why:
            # The reasons wrap, so drawing them can re-lay out the screen: wait for a pause in typing.
            self.why = why
            if self._why_timer is not None:
                self._why_timer.stop()
            self._why_timer = self.set_timer(WHY_AFTER_SECONDS, self._show_why)

    def _show_why(self) -> None:
        self._why_timer = None
        self.query_one(".med-why", Static).update(self.why)
        self.set_class(bool(self.why.plain), "-has-why")
        if self.has_class("-active"):
            self.call_after_refresh(self.scroll_visible, animate=False)  # the reasons may end below the screen

    def show_problem(self, text: str) -> None:
        problem = self.query_one(".med-problem", Static)
        problem.update(PROBLEM_MARK + text if text else "")
        self.set_class(bool(text), "-has-problem")


class MedicationsStep(IntakeStep):
    """Step 2: what the person takes now, as they say it."""

    step_id = "medications"
    step_title = "Current medications"
    help_text = (
        "Some medicines change how ketamine works or how safe a session is: sedatives and "
        "benzodiazepines, opioids, stimulants, MAOIs, lamotrigine, theophylline and others. "
        "List everything taken now, including as-needed medicines, supplements and herbal "
        "remedies such as St John's wort. Several medicines on one line (\"Zoloft, Xanax\") are "
        "read one by one, and what each was read as is shown under the row. Ketamine or "
        "esketamine taken elsewhere, by any route, is flagged for review. A name is judged when "
        "its box is left: one the catalogue does not know is kept as typed for the clinician to check."
    )
    CSS_PATH = "../styles/medications.tcss"
    BINDINGS = [
        Binding("ctrl+n", "add_row", "Add medication", id="medications.add_row"),
        Binding("ctrl+r", "remove_row", "Remove row", id="medications.remove_row"),
    ]

    def __init__(self, intake: Intake, protocol: Protocol, *, audience: str = "clinician") -> None:
        super().__init__(intake, protocol, audience=audience)
        self.catalogue = Catalogue.default()

    # --- building the screen ---

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="med-body", can_focus=False):
            yield Static(self._intro(), id="med-intro")
            yield YesBox(self.words("medications.none_taken", title_of(Medications, "none_taken")), id="none-taken", compact=True)
            yield Static(id="med-top-problem")
            yield Vertical(id="med-rows")
            yield Button("Add another medication", id="add-row", compact=True)
        yield KeysFooter(compact=True, show_command_palette=False)  # ctrl+p: in F1 help, no room here

    def _row(self, values: dict[str, str] | None = None) -> MedicationRow:
        return MedicationRow(self.catalogue, self.flags_for, values)

    def flags_for(self, name: str) -> list[Flag]:
        """The rules' interaction flags for one typed name: the very flags the plan summary shows."""
        row = MedicationEntry.model_construct(name=name.strip())
        alone = self.intake.model_copy(update={"medications": Medications.model_construct(items=[row])})
        return sort_flags(list(interactions(alone, self.protocol, date.today(), self.catalogue)))

    def _intro(self) -> str:
        if self.audience == "patient":
            return "List every medicine you take now. Add the ones you take only when you need them, and herbal ones too."
        return "Everything taken now, as-needed and herbal too. → takes a suggestion."

    async def on_mount(self) -> None:
        state = self._restored_state()
        self.query_one("#none-taken", YesBox).value = bool(state.get("none_taken", False))
        rows = [self._row(values) for values in state.get("rows", [])]
        rows = rows or [self._row()]
        await self.query_one("#med-rows").mount_all(rows)
        rows[0].field("name").focus()

    def _restored_state(self) -> dict[str, Any]:
        """Half-typed answers win over the saved section: they are newer and may not validate yet."""
        saved = self.intake.form_state.get(self.step_id)
        if saved:
            return saved
        section = self.intake.medications
        if section is None:
            return {}
        return {"none_taken": section.none_taken, "rows": [item.model_dump() for item in section.items]}

    # --- the contract ---

    def rows(self) -> list[MedicationRow]:
        return list(self.query_one("#med-rows").query_children(MedicationRow))

    def _filled_rows(self) -> list[MedicationRow]:
        """Rows with anything typed in them; an untouched row is not a medication."""
        return [row for row in self.rows() if not row.is_blank()]

    def collect(self) -> StepResult:
        none_taken = self.query_one("#none-taken", YesBox).value
        form_state = {"none_taken": none_taken, "rows": [row.values() for row in self.rows()]}
        try:
            section = Medications(items=[row.values() for row in self._filled_rows()], none_taken=none_taken)
        except ValidationError as exc:
            return StepResult(problems=problems_from(exc, Medications, prefix=("medications",)), form_state=form_state)
        return StepResult(sections={"medications": section}, form_state=form_state)

    def show_problems(self, problems: list[FieldProblem]) -> None:
        filled = self._filled_rows()
        by_row: dict[int, list[str]] = {}
        top: list[str] = []
        for problem in problems:
            index, field = _row_field(problem.path)
            if index is not None and index < len(filled):
                title = title_of(MedicationEntry, field) if field in MedicationEntry.model_fields else problem.label
                by_row.setdefault(index, []).append(f"{title}: {problem.message}")
            else:
                top.append(problem.message if problem.path == "medications" else str(problem))
        for index, row in enumerate(filled):
            row.show_problem("; ".join(by_row.get(index, [])))
        for row in self.rows():
            if row not in filled:
                row.show_problem("")
        top_problem = self.query_one("#med-top-problem", Static)
        top_problem.update("\n".join(PROBLEM_MARK + line for line in top))
        top_problem.set_class(bool(top), "-shown")

    # --- events ---

    @on(Input.Changed)
    def _name_changed(self, event: Input.Changed) -> None:
        if event.input.name == "name":
            row = event.input.parent.parent
            if isinstance(row, MedicationRow):
                row.refresh_recognition(typing=event.input.has_focus)

    @on(Button.Pressed, "#add-row")
    async def _add_pressed(self) -> None:
        await self.action_add_row()

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self.post_message(IntakeStep.FieldLeft())

    # --- actions ---

    async def action_add_row(self) -> None:
        row = self._row()
        await self.query_one("#med-rows").mount(row)
        self._focus_row(row)

    def _focus_row(self, row: MedicationRow) -> None:
        row.field("name").focus(scroll_visible=False)
        self.call_after_refresh(row.scroll_visible, animate=False)  # once the row has its place

    def action_remove_row(self) -> None:
        rows = self.rows()
        current = self._row_with_focus()
        if current is None:
            self.notify("Move to a medication row first, then remove it.", severity="warning")
            return
        position = rows.index(current)
        removed = current.field("name").value.strip()
        if len(rows) == 1:
            for box in current.query(Input):
                box.value = ""
            current.show_problem("")
            current.field("name").focus()
        else:
            current.remove()
            neighbour = rows[position + 1] if position + 1 < len(rows) else rows[position - 1]
            self.call_after_refresh(self._focus_row, neighbour)
        self.notify(f"Removed {removed or 'an empty row'}.")

    def _row_with_focus(self) -> MedicationRow | None:
        focused = self.focused
        while focused is not None and not isinstance(focused, MedicationRow):
            focused = focused.parent
        return focused


def _row_field(path: str) -> tuple[int | None, str]:
    """("medications.items[2].name") -> (2, "name"); anything else -> (None, "")."""
    prefix = "medications.items["
    if not path.startswith(prefix):
        return None, ""
    number, _, rest = path[len(prefix):].partition("]")
    if not number.isdigit():
        return None, ""
    return int(number), rest.lstrip(".")
