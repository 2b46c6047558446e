"""The course of one signed intake: progress, decisions, the remaining dates, and the adjusted plan.

Pushed with ``app.push_screen(CourseScreen(record_id, ...))``. The course engine decides
everything (``course_state``): the response, the decisions most serious first with the scores
that raised them, the moved dates and the adjusted plan. This screen shows them in four views
(1 progress, 2 table, 3 decisions, 4 dates and plan), opens the session and visit forms, asks
the clinician to accept the adjusted plan by signing it as a new revision (the signed one is
never edited in place), and writes the three course exports. Storage work runs in thread workers
whose outcome comes back as messages; every write and export is a line in the audit log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, ContentSwitcher, Input, Label, Static

from ketatui.clinical.flags import SEVERITY_WORDS
from ketatui.clinical.plan import Plan
from ketatui.clinical.protocol import Protocol
from ketatui.clinical.wording import the_course
from ketatui.course.engine import CourseState, accepted_plan, course_state, sessions_ahead, signed_plan
from ketatui.course.records import FollowUpVisit, TreatmentSession, parse_course_records
from ketatui.exchange.course_markdown import PROPOSED_NOTICE, course_markdown, progress_sheet_markdown
from ketatui.exchange.files import write_export
from ketatui.exchange.markdown import plan_markdown
from ketatui.intake.document import Intake, parse_intake
from ketatui.screens.follow_up_form import FollowUpForm
from ketatui.screens.session_form import Record, SessionForm, route_name
from ketatui.screens.sign_dialog import SignDialog, ToSign
from ketatui.screens.widgets import ChoiceRow
from ketatui.screens.widgets.progress_chart import ProgressTable, ProgressView
from ketatui.screens.steady_resize import SteadyResize
from ketatui.screens.widgets.footer import KeysFooter

VIEWS: tuple[tuple[str, str], ...] = (("progress", "Progress"), ("table", "Table"), ("decisions", "Decisions"), ("dates", "Dates and plan"))
ExportKind = Literal["course-summary", "progress-sheet", "course-json"]
EXPORTS: tuple[tuple[str, ExportKind], ...] = (
    ("Clinician summary (.md)", "course-summary"),
    ("Patient progress sheet (.md)", "progress-sheet"),
    ("Whole record (.json)", "course-json"),
)


def _day(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else "date to be set"


def _word(severity: str) -> str:
    """The severity's own word (STOP, REVIEW), as the flags write it."""
    return SEVERITY_WORDS[severity].split(" — ")[0]


def export_name(record_id: str, kind: ExportKind, on: date) -> str:
    """``course-summary-3d8a7c52-2027-03-20.md``: the kind, the record and the day; never the person's name."""
    return f"{kind}-{record_id[:8]}-{on.isoformat()}.{'json' if kind == 'course-json' else 'md'}"


@dataclass(frozen=True)
class Loaded:
    intake: Intake
    plan: Plan
    records: list[Record]
    state: CourseState
    pending: int | None = None  # a draft amendment written after the signed revision shown


class CourseScreen(SteadyResize, Screen):
    """One person's course: four views, and keys to record, accept and export."""

    CSS_PATH = "../styles/course.tcss"
    help_title = "The treatment course"

    @property
    def help_text(self) -> str:
        """F1: the course in the active protocol's numbers, for this person's route once it is known."""
        return the_course(self.protocol, self.loaded.plan.course.route if self.loaded else "iv_ketamine")

    BINDINGS = [
        Binding("r", "record_session", "Session", id="course.record_session"),
        Binding("v", "record_visit", "Visit", id="course.record_visit"),
        Binding("a", "accept", "Accept plan", id="course.accept"),
        Binding("e", "export", "Export", id="course.export"),
        Binding("escape", "back", "Back", id="course.back"),
    ] + [Binding(str(n), f"view('{view}')", show=False, id=f"course.view_{view}") for n, (view, _) in enumerate(VIEWS, 1)]

    class Said(Message):
        """What a worker has to say: an outcome, or ``!`` and what went wrong."""

        def __init__(self, words: str) -> None:
            super().__init__()
            self.words = words

    class ToSignReady(Message):
        """The adjusted plan is ready to be shown in the sign dialog."""

        def __init__(self, to_sign: ToSign) -> None:
            super().__init__()
            self.to_sign = to_sign

    class Ready(Message):
        def __init__(self, loaded: Loaded, said: str = "") -> None:
            super().__init__()
            self.loaded = loaded
            self.said = said

    def __init__(self, record_id: str, *, repository: Any, protocol: Protocol, user: str, export_dir: Path, today: date | None = None) -> None:
        super().__init__()
        self.record_id, self.repository, self.protocol = record_id, repository, protocol
        self.user, self.export_dir, self.fixed_today = user, export_dir, today
        self.loaded: Loaded | None = None
        self.state: CourseState | None = None
        self.view = "progress"

    @property
    def today(self) -> date:
        return self.fixed_today or date.today()

    def compose(self) -> ComposeResult:
        yield Static("Course · loading…", id="course-title")
        yield Static("", id="course-summary")
        yield Static("", id="course-views")
        with ContentSwitcher(initial="progress", id="course-body"):
            with VerticalScroll(id="progress", classes="view"):
                yield ProgressView()
            yield ProgressTable(id="table")
            with VerticalScroll(id="decisions", classes="view"):
                yield Static("", id="decisions-text", markup=False)
            with VerticalScroll(id="dates", classes="view"):
                yield Static("", id="dates-text", markup=False)
        yield Static("", id="course-status")
        yield KeysFooter(compact=True, show_command_palette=False)  # ctrl+p: in F1 help, no room here

    def on_mount(self) -> None:
        self._show_views()
        self._load()

    # --- loading and working out the course (the core decides) ---

    def _read(self) -> Loaded:
        doc = self.repository.get(self.record_id, user=self.user)
        pending = None
        if doc["status"] != "signed" and doc.get("amends_rev"):  # an amendment waits: the course runs on the signed plan
            pending = doc["rev"]
            doc = self.repository.get(self.record_id, user=self.user, rev=doc["amends_rev"])
        intake = parse_intake(doc)
        records = parse_course_records(self.repository.course_records(self.record_id, user=self.user),
                                       intake_record_id=intake.record_id, route=intake.route)
        plan = signed_plan(intake, self.protocol, records, today=self.today)
        return Loaded(intake, plan, records, course_state(intake, plan, records, self.protocol, self.today), pending)

    @work(thread=True, exclusive=True, group="course")
    def _load(self, said: str = "") -> None:
        try:
            self.post_message(self.Ready(self._read(), said))
        except Exception as exc:  # shown, never a traceback: the store, the record or its course cannot be read
            self.post_message(self.Said(f"! The course cannot be shown: {exc}"))

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        self.loaded = loaded = message.loaded
        self.state = state = loaded.state
        name = loaded.intake.medical_history.demographics.full_name if loaded.intake.medical_history else "(no name)"
        signed = f"signed rev {loaded.intake.rev} by {loaded.intake.signed_by}" if loaded.intake.status == "signed" else f"not signed ({loaded.intake.status})"
        if loaded.pending is not None:
            signed += f"; draft rev {loaded.pending} unsigned"
        self.query_one("#course-title", Static).update(f"Course · {name} · {route_name(state.route)} · {signed}")
        self.query_one("#course-summary", Static).update(self._summary(state))
        self.query_one(ProgressView).show(state.progress, loaded.plan.baseline.response_at_or_below, loaded.plan.baseline.remission_below,
                                          self.protocol.thresholds.response_drop_percent)
        self.query_one(ProgressTable).show(state.progress)
        self.query_one("#decisions-text", Static).update(self._decisions(state))
        self.query_one("#dates-text", Static).update(self._dates(state))
        self._show_views()
        self._status(message.said)
        self.refresh_bindings()

    @on(Said)
    def _said(self, message: Said) -> None:
        self._status(message.words)

    def _summary(self, state: CourseState) -> str:
        """Three lines: where the course is, the response in the engine's words, the most serious decision."""
        counts = f"{state.sessions_given} of {state.sessions_planned} given"
        if state.sessions_held or state.sessions_missed:
            counts += f" · {state.sessions_held} held · {state.sessions_missed} missed"
        if not state.schedule:
            nxt = "none left to book"
        elif not state.schedulable:
            nxt = "!! do not book yet (3)"
        else:
            nxt = f"next: session {state.schedule[0].number}, {_day(state.schedule[0].date)}"
        serious = state.decisions[0] if state.decisions else None
        # The decision's title: its reason, often longer than the line, is in the decisions view (3).
        top = (f"{'!!' if serious.severity in ('urgent', 'stop') else '!'} {_word(serious.severity)} {serious.code} (3): {serious.title}"
               if serious and serious.severity != "info" else "No decision to review")
        return f"{counts} · {nxt}\n{state.response_words}\n{top}"

    def _decisions(self, state: CourseState) -> str:
        lines: list[str] = []
        if not state.schedulable:
            lines += ["!! Do not book the next session until reviewed:" if state.schedule else "Nothing left to book:"] + [f"   - {r}" for r in state.not_schedulable_because] + [""]
        for d in state.decisions:
            lines += [f"{'!!' if d.severity in ('urgent', 'stop') else '!' if d.severity in ('review', 'caution') else '-'} "
                      f"{_word(d.severity)} {d.code}: {d.title}", f"   {d.reason}", ""]
        return "\n".join(lines) or "No decisions yet: the first review point is at session 3."

    def _dates(self, state: CourseState) -> str:
        adjusted, link = state.adjusted_plan, state.adjusted_plan.based_on
        lines = ["Remaining sessions"] + ([f"  {s.number:>2}. {_day(s.date)} ({s.phase})" for s in state.schedule] or ["  none left to book"])
        lines += ["", "Follow-up"] + [f"  {_day(v.date)}: {v.when}" for v in state.follow_up]
        lines += ["", f"Signed plan: {link.sessions} sessions (rev {link.intake_rev}). Adjusted: {adjusted.sessions_planned} "
                  f"(range {adjusted.sessions_min}-{adjusted.sessions_max})."]
        lines += [f"  {c.change:+d} at session {c.at_session} ({c.code}): {c.reason}" for c in adjusted.changes] or ["  No change to the number of sessions."]
        return "\n".join(lines)

    # --- views ---

    def _show_views(self) -> None:
        count = len(self.state.decisions) if self.state else 0
        parts = []
        for n, (view, title) in enumerate(VIEWS, 1):
            label = f"{n} {title}" + (f" ({count})" if view == "decisions" and count else "")
            parts.append(f"[{label}]" if view == self.view else f" {label} ")
        self.query_one("#course-views", Static).update("  ".join(parts))

    def action_view(self, view: str) -> None:
        self.view = view
        self.query_one("#course-body", ContentSwitcher).current = view
        self._show_views()
        self.query_one(f"#{view}").focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("record_session", "record_visit", "export", "accept"):
            return self.state is not None
        return True

    # --- recording a session or a visit ---

    def action_record_session(self) -> None:
        loaded, state = self.loaded, self.state
        assert loaded is not None and state is not None
        number = state.sessions_given + 1
        on = state.schedule[0].date if state.schedule and state.schedule[0].date >= self.today else self.today
        self.app.push_screen(SessionForm(loaded.intake, self.protocol, loaded.plan, loaded.records, number=number, on=on, user=self.user, today=self.today),
                             self._recorded)

    def action_record_visit(self) -> None:
        loaded = self.loaded
        assert loaded is not None
        self.app.push_screen(FollowUpForm(loaded.intake, self.protocol, loaded.plan, loaded.records, on=self.today, user=self.user, today=self.today),
                             self._recorded)

    def _recorded(self, record: Record | None) -> None:
        if record is not None:
            self._status("Recording…")
            self._store(record)

    @work(thread=True, exclusive=True, group="course")
    def _store(self, record: Record) -> None:
        loaded = self.loaded
        try:
            ahead = None
            if loaded is not None:
                records = [r for r in loaded.records if r.record_id != record.record_id] + [record]
                ahead = sessions_ahead(loaded.intake, self.protocol, records, self.today)
            self.repository.add_course_record(self.record_id, record.model_dump(mode="json"), user=self.user, sessions_ahead=ahead)
        except Exception as exc:
            self.post_message(self.Said(f"! Not recorded: {exc}. Nothing was stored; try again."))
            return
        what = f"Session {record.number} recorded as {record.status}" if isinstance(record, TreatmentSession) else f"Follow-up visit of {_day(record.date)} recorded"
        self._load(what + ".")

    # --- accepting the adjusted plan by signing ---

    def action_accept(self) -> None:
        loaded, state = self.loaded, self.state
        assert loaded is not None and state is not None
        if loaded.pending is not None:
            self._status(f"! Draft revision {loaded.pending} waits to be signed: sign it from the records list first.")
            return
        if not state.adjusted_plan.changes:
            self._status("Nothing to accept: the adjusted plan has the signed plan's number of sessions.")
            return
        self.app.push_screen(AcceptPlanDialog(state, self.user), self._accept_answered)

    def _accept_answered(self, sign: bool | None) -> None:
        if sign:
            self._status("Preparing the plan to sign…")
            self._prepare_signing()

    @work(thread=True, exclusive=True, group="course")
    def _prepare_signing(self) -> None:
        """The adjusted plan exactly as it will be frozen, for the sign dialog; nothing is written yet."""
        loaded, state = self.loaded, self.state
        assert loaded is not None and state is not None
        plan = accepted_plan(loaded.plan, state)
        why = "; ".join(f"{c.change:+d} sessions at session {c.at_session} ({c.code}): {c.reason}" for c in state.adjusted_plan.changes)
        reason = f"Adjusted plan accepted: {why}"
        signed_rev = loaded.intake.rev

        def revise() -> int:
            """The amendment that signing freezes: the signed plan with the adjusted count (thread)."""
            draft = self.repository.amend(self.record_id, user=self.user, reason=reason)
            draft["plan"] = plan.model_dump(mode="json")
            return self.repository.save(draft, user=self.user, expected_rev=draft["rev"])["rev"]

        try:
            first = not self.repository.has_signing_passphrase(self.user)
        except Exception as exc:
            self.post_message(self.Said(f"! Not signed: {exc}. The signed plan is unchanged."))
            return
        name = loaded.intake.medical_history.demographics.full_name if loaded.intake.medical_history else "(no name)"
        to_sign = ToSign(self.record_id, signed_rev, name, plan_markdown(plan, loaded.intake), first_passphrase=first,
                         changes=[f"Planned sessions: {loaded.plan.course.sessions} → {plan.course.sessions}"], reason=reason,
                         title=f"Sign the adjusted plan: {name} (signed revision {signed_rev} is kept)", revise=revise)
        self.post_message(self.ToSignReady(to_sign))

    @on(ToSignReady)
    def _open_sign_dialog(self, message: ToSignReady) -> None:
        self._status("")
        dialog = SignDialog(message.to_sign, repository=self.repository, user=self.user)
        signed_rev = message.to_sign.rev

        def done(signed: dict | None) -> None:
            if signed is not None:
                self._load(f"Adjusted plan signed by {self.user} as revision {signed['rev']}; revision {signed_rev} is kept as it was signed.")
            elif dialog.revised is not None:  # the amendment was written but a passphrase was refused
                self._load(f"! Not signed: the adjusted plan is kept as draft revision {dialog.revised}; sign it from the records list. "
                           f"Revision {signed_rev} is still the signed plan.")
            else:
                self._status("Not signed: the signed plan is unchanged.")

        self.app.push_screen(dialog, done)

    # --- exports ---

    def action_export(self) -> None:
        self.app.push_screen(CourseExportDialog(self.record_id, self.export_dir, self.today), self._export_chosen)

    def _export_chosen(self, request: tuple[Path, ExportKind] | None) -> None:
        if request is not None:
            self._status(f"Writing {request[0]} …")
            self._write(*request)

    def export_text(self, kind: ExportKind) -> str:
        loaded, state = self.loaded, self.state
        assert loaded is not None and state is not None
        if kind == "course-summary":
            return course_markdown(state, loaded.intake)
        if kind == "progress-sheet":
            return progress_sheet_markdown(state, loaded.intake, loaded.plan, self.protocol.clinic_name)
        whole = {"intake": loaded.intake.model_dump(mode="json"), "records": [r.model_dump(mode="json") for r in loaded.records], "course": state.as_json()}
        return json.dumps(whole, indent=2, ensure_ascii=False) + "\n"

    @work(thread=True, exclusive=True, group="export")
    def _write(self, path: Path, kind: ExportKind) -> None:
        loaded = self.loaded
        assert loaded is not None
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = write_export(path, self.export_text(kind))
            self.repository.log_export(self.record_id, loaded.intake.rev, user=self.user, target=kind)
        except OSError as exc:
            self.post_message(self.Said(f"! Could not write {path}: {exc.strerror or exc}. Try another folder or name."))
            return
        self.post_message(self.Said(f"Written to {target}"))

    def _status(self, words: str) -> None:
        status = self.query_one("#course-status", Static)
        status.update(words)
        status.set_class(words.startswith("!"), "-failed")


class AcceptPlanDialog(ModalScreen[bool]):
    """The adjusted plan beside the signed one, what changed and why; signing needs the clinician's yes."""

    CSS_PATH = "../styles/course.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Do not sign", id="accept_plan.cancel"),
        Binding("y", "sign", "Sign", id="accept_plan.sign"),
    ]

    def __init__(self, state: CourseState, user: str) -> None:
        super().__init__()
        self.state, self.user = state, user

    def compose(self) -> ComposeResult:
        adjusted, link = self.state.adjusted_plan, self.state.adjusted_plan.based_on
        signed = f"rev {link.intake_rev}, signed by {link.signed_by or '?'} {link.signed_at[:10] if link.signed_at else ''}".strip()
        dates = ", ".join(f"{s.number}: {s.date:%d %b}" for s in adjusted.schedule) or "none"
        with Vertical(id="accept-box") as box:
            box.border_title = "Accept the adjusted plan by signing it"
            with Horizontal(id="accept-compare"):
                yield Static(f"Signed plan\n{signed}\n\n{link.sessions} sessions", classes="accept-side", markup=False)
                yield Static(f"Adjusted plan (proposed)\n{self.state.response_words}\n\n{adjusted.sessions_planned} sessions "
                             f"(range {adjusted.sessions_min}-{adjusted.sessions_max})\nRemaining: {dates}", classes="accept-side", markup=False)
            yield Static("What changed, and why:\n" + "\n".join(f"  {c.change:+d} at session {c.at_session} ({c.code}): {c.reason}" for c in adjusted.changes),
                         id="accept-changes", markup=False)
            yield Static(f"{PROPOSED_NOTICE}\nSigning makes a new signed revision; the one signed before is kept as it was.", id="accept-note", markup=False)
            with Horizontal(id="accept-buttons"):
                yield Button(f"Sign as {self.user} (y)", id="accept-sign", variant="primary", compact=True)
                yield Button("Do not sign (Esc)", id="accept-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#accept-cancel", Button).focus()  # Enter alone never signs

    @on(Button.Pressed, "#accept-sign")
    def action_sign(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#accept-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class CourseExportDialog(ModalScreen[tuple[Path, ExportKind] | None]):
    """Which export, and its file name in the export folder (settings: ``export_dir``)."""

    CSS_PATH = "../styles/course.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="course_export.cancel")]

    def __init__(self, record_id: str, folder: Path, on: date) -> None:
        super().__init__()
        self.record_id, self.folder, self.on = record_id, folder, on
        self._confirm_replace: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="course-export-box") as box:
            box.border_title = "Export the course"
            yield Label("Which export (1-3)")
            yield ChoiceRow(EXPORTS, value="course-summary", id="course-export-kind")
            yield Label("File name, or a full path to write it elsewhere")
            yield Input(export_name(self.record_id, "course-summary", self.on), id="course-export-path", select_on_focus=False)
            yield Static(f"Folder: {self.folder}", id="course-export-folder", markup=False)
            yield Static("", id="course-export-message", markup=False)
            yield Static("Enter writes the file; Escape cancels. The name carries no patient name.", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#course-export-kind", ChoiceRow).focus()

    @on(ChoiceRow.Changed, "#course-export-kind")
    def _kind_changed(self, event: ChoiceRow.Changed) -> None:
        if event.value:
            self.query_one("#course-export-path", Input).value = export_name(self.record_id, event.value, self.on)

    @on(Input.Submitted, "#course-export-path")
    def _submitted(self) -> None:
        text = self.query_one("#course-export-path", Input).value.strip()
        kind = self.query_one("#course-export-kind", ChoiceRow).value or "course-summary"
        if not text:
            return
        path = Path(text).expanduser()
        path = path if path.is_absolute() else self.folder / path
        if path.exists() and self._confirm_replace != path:
            self._confirm_replace = path
            self.query_one("#course-export-message", Static).update(f"! {path.name} already exists. Enter again replaces it; or change the name.")
            return
        self.dismiss((path, kind))

    def action_cancel(self) -> None:
        self.dismiss(None)
