"""The plan summary: the draft plan the core derives, shown the way the clinician exports it.

``make_plan`` decides everything; the text is ``plan_markdown`` (the clinician's summary) or
``take_home_markdown`` (the patient's sheet), so the screen and the exported file always agree:
not schedulable first, then flags most serious first with their severity in words and reasons,
the course and why (every adjustment weighed, the dose in mg), the known conditions, each medicine
as typed and as read, the side-effect discussion, the dated schedule, re-checks, follow-ups,
discharge rules, goals and support.
Saving is the App's job (``SaveRequested``); exporting writes a file in a thread worker.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static

from ketatui.exchange.markdown import plan_markdown, take_home_markdown
from ketatui.intake.fields import FieldProblem
from ketatui.clinical.flags import SEVERITY_WORDS
from ketatui.intake.document import Intake, IntakeInvalid
from ketatui.clinical.plan import Plan, make_plan
from ketatui.clinical.protocol import Protocol
from ketatui.clinical.rules import evaluate
from ketatui.screens.export_dialog import ExportDialog, ExportRequest, default_export_name
from ketatui.screens.step import IntakeStep, StepResult
from ketatui.screens.widgets.field import PROBLEM_MARK
from ketatui.exchange.files import write_export
from ketatui.screens.widgets.footer import KeysFooter


class PlanSummary(IntakeStep):
    """Step 5: the draft plan, for the clinician to review, save, export and later sign."""

    step_id = "summary"
    help_text = (
        "The draft plan ketatui derives from the answers and the clinic's protocol. Flags come "
        "first, most serious first, each with the answer that raised it: URGENT means act now, "
        "STOP means do not schedule until a physician documents clearance, REVIEW means look "
        "before the first session. It is never a decision: a clinician reviews it and signs."
    )
    CSS_PATH = "../styles/plan_summary.tcss"
    BINDINGS = [
        Binding("s", "save", "Save plan", id="summary.save"),
        Binding("e", "export", "Export", id="summary.export"),
    ]

    class SaveRequested(Message):
        """The clinician asked to save; the App stores the intake with this plan (None: not ready)."""

        def __init__(self, intake: Intake, plan: Plan | None) -> None:
            super().__init__()
            self.intake = intake
            self.plan = plan

    class Exported(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    class ExportFailed(Message):
        def __init__(self, path: Path, reason: str) -> None:
            super().__init__()
            self.path = path
            self.reason = reason

    def __init__(self, intake: Intake, protocol: Protocol, *, audience: str = "clinician", today: date | None = None,
                 export_dir: Path | None = None) -> None:
        super().__init__(intake, protocol, audience=audience)
        self.today = today
        self.export_dir = export_dir

    def export_folder(self) -> Path:
        """Where a file name without a folder goes: the settings' export folder, never the
        folder the App happened to be started in."""
        if self.export_dir is not None:
            return self.export_dir
        from ketatui.settings import Settings

        settings = getattr(self.app, "settings", None)
        return settings.export_dir if isinstance(settings, Settings) else Settings.model_fields["export_dir"].get_default(call_default_factory=True)
        self.plan: Plan | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="ps-body"):
            yield Static(id="ps-problems")
            yield Markdown(id="ps-plan")
        yield Static(id="ps-status")
        yield KeysFooter(compact=True, show_command_palette=False)  # ctrl+p: in F1 help, no room here

    def on_mount(self) -> None:
        self.query_one("#ps-body").focus()

    async def on_screen_resume(self) -> None:
        """Re-derive every time the summary is shown: the answers may have changed since."""
        await self.show_plan()

    async def show_plan(self) -> None:
        today = self.today or date.today()
        try:
            self.plan = make_plan(self.intake, self.protocol, today=today)
        except IntakeInvalid as exc:
            self.plan = None
            text = self._not_ready(exc.problems, today)
        else:
            text = self._text(self.plan)
        shown = self.query_one("#ps-plan", Markdown)
        if text != shown.source:  # unchanged (back from a dialog): keep the reader's place
            await shown.update(text)

    def _text(self, plan: Plan) -> str:
        if self.audience == "patient":
            return take_home_markdown(plan, self.intake, self.protocol.clinic_name)
        return plan_markdown(plan, self.intake)

    def _not_ready(self, missing: list[FieldProblem], today: date) -> str:
        """No plan yet: what is missing, then the flags the answers so far already raise."""
        lines = ["# Not ready for a plan", "", "A plan needs these first:", ""]
        lines += [f"- {problem}" for problem in missing]
        flags = evaluate(self.intake, self.protocol, today=today)
        if flags:
            lines += ["", "## Flags so far, most serious first", ""]
            lines += [f"- **{SEVERITY_WORDS[f.severity]}** · {f.code} — {f.title}. {f.reason}" for f in flags]
        return "\n".join(lines)

    # --- the contract: nothing to type here ---

    def collect(self) -> StepResult:
        return StepResult()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        box = self.query_one("#ps-problems", Static)
        box.update("\n".join(f"{PROBLEM_MARK}{problem}" for problem in problems))
        box.set_class(bool(problems), "-shown")

    # --- save and export ---

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A patient at the kiosk reads the sheet; saving and writing files are the clinician's."""
        if action in ("save", "export") and self.audience == "patient":
            return False
        return True

    def action_save(self) -> None:
        self.post_message(self.SaveRequested(self.intake, self.plan))

    def action_export(self) -> None:
        if self.plan is None:
            self._status("! Nothing to export yet: the plan needs the missing answers first.")
            return
        name = self.intake.medical_history.demographics.full_name if self.intake.medical_history else None
        self.app.push_screen(ExportDialog(default_export_name(name, self.today or date.today()), self.export_folder()), self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is None or self.plan is None:
            return
        clinician = plan_markdown(self.plan, self.intake)
        patient = take_home_markdown(self.plan, self.intake, self.protocol.clinic_name)
        text = {"clinician": clinician, "patient": patient, "both": f"{clinician}\n\n---\n\n{patient}"}[request.version]
        self._status(f"Writing {request.path} …")
        self._write(request.path, text, self.export_folder())

    @work(thread=True, exclusive=True, group="export")
    def _write(self, path: Path, text: str, folder: Path) -> None:
        """Blocking file I/O off the UI thread; the outcome comes back as a message. The export
        folder is made on first use (this account only); a folder typed in the name is not."""
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = write_export(path, text)
        except OSError as exc:
            self.post_message(self.ExportFailed(path, exc.strerror or str(exc)))
        else:
            self.post_message(self.Exported(target))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self._status(f"Written to {message.path}")

    @on(ExportFailed)
    def _export_failed(self, message: ExportFailed) -> None:
        self._status(f"! Could not write {message.path}: {message.reason}. Nothing was written; try another folder or name.")

    def _status(self, words: str) -> None:
        status = self.query_one("#ps-status", Static)
        status.update(words)
        status.set_class(words.startswith("!"), "-failed")
        status.set_class(bool(words), "-shown")
