"""The clinician's desk: every record, found as the name, record id or birth date is typed.

The search box keeps the focus, so typing always searches; the arrows move through the list and
the function keys act on the highlighted record. Rows come from the repository a page at a time,
urgent first and then by the next planned session, in a thread worker that posts ``Listed``;
only the newest answer is shown, so a slow search never overwrites a newer one. Acts on a record
(review, sign, amend, discard) run in thread workers too and say what happened on the status line.

What to open, start or show is posted to the App (``Open``, ``New``, ``CourseRequested``): the
App owns the steps and the course screen. Enter on a signed record asks for its course.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ketatui.kiosk.identity import from_kiosk, kiosk_state

#: Rows fetched at a time; the list scrolls within a page, PgDn at its end fetches the next one.
PAGE_SIZE = 50
#: While keys are typed faster than this (seconds), the Footer's keys wait for a pause.
KEYS_AFTER_TYPING = 0.3
#: The status filter, in the order F5 steps through it (None: every status).
STATUS_FILTERS: tuple[str | None, ...] = (None, "draft", "submitted", "reviewed", "signed")
NO_NAME = "(no name yet)"
#: How often (seconds) the list looks for changes made by another process.
WATCH_EVERY = 1.0
NAME_WIDTH = 30
COLUMNS = f"     {'Name':<{NAME_WIDTH}} {'Born':<10} {'Status':<9} {'Next':<6} {'Record':<8}"


def day(text: str | None) -> str:
    """``12 Dec`` from an ISO date, the same year or not (the full date is in the record)."""
    if not text:
        return "-"
    try:
        return date.fromisoformat(text[:10]).strftime("%d %b")
    except ValueError:
        return text[:6]


def record_line(row: Any, *, current: bool = False) -> str:
    """One record in 73 columns: the cursor (▶, so it shows without colour), urgent (!!),
    training (T), name, born, status, next session, record id."""
    mark = ("▶" if current else " ") + ("!!" if row.urgent else "  ") + ("T" if row.training else "K" if from_kiosk(row.updated_by) else " ")
    name = row.full_name or NO_NAME
    name = name if len(name) <= NAME_WIDTH else name[:NAME_WIDTH - 1] + "…"
    return f"{mark} {name:<{NAME_WIDTH}} {row.date_of_birth or '-':<10} {status_of(row):<9} {day(row.next_session):<6} {row.record_id[:8]}"


def status_of(row: Any) -> str:
    """The status as listed: a draft amending a signed plan says so (it cannot be discarded)."""
    return "amending" if row.status == "draft" and getattr(row, "amends_rev", None) else row.status


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; ``training`` False hides the training records."""

    search: str = ""
    status: str | None = None
    urgent: bool = False
    due_today: bool = False
    training: bool = False

    def query(self, today: date) -> dict[str, Any]:
        return {"search": self.search.strip() or None, "status": self.status, "urgent": True if self.urgent else None,
                "due": today.isoformat() if self.due_today else None, "training": None if self.training else False}

    def described(self) -> str:
        return (f"F5 status: {self.status or 'all'}  F6 urgent: {'only' if self.urgent else 'any'}  "
                f"F7 due today: {'only' if self.due_today else 'any'}  F8 training: {'shown' if self.training else 'hidden'}")


class RecordsBrowser(Screen):
    """The clinician App's home: search, filter, and act on the highlighted record."""

    CSS_PATH = "../styles/records_browser.tcss"  # also on ClinicianApp, which shows it as its default screen
    help_title = "Records"
    help_text = (
        "Every intake in the store, the urgent ones first, then by the date of the next planned "
        "session. Type part of a name, the start of a record id, or a birth date (1984, 1984-03-14 "
        "or 3/14/1984) to find one; F5 to F8 narrow the list. A plan is reviewed (F2), then signed "
        "(F3) with your signing passphrase, which freezes it; a signed plan changes only by an "
        "amendment (F4) that says why, listed as amending until it is signed. Opening a record only "
        "reads it: nothing is saved until an answer changes."
    )
    BINDINGS = [
        Binding("enter", "open", "Open", id="records.open", priority=True),
        Binding("ctrl+n", "new", "New", id="records.new"),
        Binding("f2", "review", "Review", id="records.review"),
        Binding("f3", "sign", "Sign", id="records.sign"),
        Binding("f4", "amend", "Amend", id="records.amend"),
        Binding("ctrl+d", "discard", "Discard", id="records.discard", priority=True),
        Binding("f5", "status", "Status filter", id="records.status", show=False),
        Binding("f6", "urgent", "Urgent only", id="records.urgent", show=False),
        Binding("f7", "due_today", "Due today", id="records.due_today", show=False),
        Binding("f8", "training", "Training shown", id="records.training", show=False),
        Binding("down", "move(1)", "Next record", id="records.down", show=False, priority=True),
        Binding("up", "move(-1)", "Previous record", id="records.up", show=False, priority=True),
        Binding("pagedown", "move(10)", "Page down", id="records.page_down", show=False, priority=True),
        Binding("pageup", "move(-10)", "Page up", id="records.page_up", show=False, priority=True),
    ]

    class Open(Message):
        """Open this intake in the steps (the App reads it; reading writes only the view line)."""

        def __init__(self, record_id: str) -> None:
            super().__init__()
            self.record_id = record_id

    class New(Message):
        """Start a new intake."""

    class CourseRequested(Message):
        """Show the treatment course of this signed intake."""

        def __init__(self, record_id: str) -> None:
            super().__init__()
            self.record_id = record_id

    class Listed(Message):
        def __init__(self, asked: int, rows: list, total: int, offset: int, error: str | None = None, hidden: int = 0,
                     quiet: bool = False, counted: bool = True) -> None:
            super().__init__()
            self.counted = counted  # False: the rows are right, the total is only "at least" (still counting)
            self.quiet = quiet  # a look for changes made elsewhere: redraw only if the rows differ
            self.asked, self.rows, self.total, self.first_row, self.error = asked, rows, total, offset, error
            self.hidden = hidden  # training records the filters hide, counted when nothing else matches

    class Said(Message):
        """An act finished (or failed): what to tell, and whether the list must be read again."""

        def __init__(self, words: str, *, reload: bool = True, keep: str | None = None) -> None:
            super().__init__()
            self.words, self.reload, self.keep = words, reload, keep

    def __init__(self, *, title: str, user: str, today: date | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.user = user
        self.today = today
        self.filters = Filters()
        self.rows: list = []
        self.total = 0
        self.first_row = 0
        self._asked = 0  # the newest page asked for; older answers are dropped
        self.listed_for = 0  # which ask the rows on screen answer (equal to ``_asked``: up to date)
        self._keys_for: object = ()  # the highlighted record's status the Footer's keys were drawn for
        self._keep: str | None = None  # the record to highlight again once the page is read
        self._tell = ""  # what the last act did, said again under the fresh page
        self._cursor: int | None = None  # the row drawn with the ▶
        self._hidden = 0  # training records hidden by F8, counted when nothing else is listed
        self.typed_at = 0.0  # when the search last changed (monotonic): the App waits for a pause
        self._keys_timer: Any = None  # redraws the Footer's keys once typing pauses
        self._lines: list[str] = []  # the rows as drawn in the list
        self._said = "Opening the store…"  # what the status line says
        self._counted = True  # False while the total shown is only "at least" (the whole list is being read)

    # --- what is on screen ---

    def compose(self) -> ComposeResult:
        with Vertical(id="records"):
            with Horizontal(id="records-header"):
                yield Static(self.title_text, id="records-title")
                yield Static(self._who(), id="records-user")
            yield Static(id="records-notice", markup=False)
            yield Input(placeholder="Search: part of a name, a record id or a birth date", id="records-search")
            yield Static(self.filters.described(), id="records-filters")
            yield Static(COLUMNS, id="records-columns")
            yield OptionList(id="records-list")
            yield Static("Opening the store…", id="records-status")
        yield Footer(show_command_palette=False)  # ctrl+p: in F1 help

    def _who(self) -> str:
        return f"Clinician: {self.user}" if self.user else ""

    def on_mount(self) -> None:
        self.set_interval(WATCH_EVERY, self._watch_store, name="records: changes made elsewhere")
        self.query_one("#records-list", OptionList).can_focus = False
        self.query_one("#records-search", Input).focus()

    @property
    def up_to_date(self) -> bool:
        """The rows on screen answer the newest search and filters."""
        return self._asked > 0 and self.listed_for == self._asked

    @property
    def repository(self) -> Any:
        return getattr(self.app, "repository", None)

    @property
    def highlighted(self) -> Any:
        index = self.query_one("#records-list", OptionList).highlighted
        return self.rows[index] if index is not None and index < len(self.rows) else None

    def show_notice(self, line: str, more: str = "") -> None:
        """A standing notice under the title (the clinic's crisis contacts still the US defaults),
        in the blank line above the search; F1 help says it in full (``more``)."""
        self.query_one("#records-notice", Static).update(line)
        self.set_class(bool(line), "-notice")
        self.help_text = (f"{more}\n\n" if more else "") + type(self).help_text  # first: it asks for action

    def show_user(self, user: str) -> None:
        self.user = user
        self.query_one("#records-user", Static).update(self._who())

    def say(self, words: str) -> None:
        if words != self._said:  # the same words again would lay the screen out again for nothing
            self._said = words
            self.query_one("#records-status", Static).update(words)

    def _count(self) -> str:
        if not self.total and self._hidden:
            return f"No records here, but {self._hidden} training record{'s' if self._hidden > 1 else ''} match: F8 shows them."
        if not self.total:
            if self.filters.search.strip():
                return f"No record matches “{self.filters.search.strip()}”. Ctrl+N starts a new intake."
            return "No records here. Ctrl+N starts a new intake; F5 to F8 change the filters."
        last = self.first_row + len(self.rows)
        if not self._counted:
            return f"{self.first_row + 1}–{last} of {self.total} or more (counting the rest…)"
        more = "  PgDn at the end: next page" if last < self.total else ""
        return f"{self.first_row + 1}–{last} of {self.total}{more}"

    # --- reading the list ---

    def reload(self, *, offset: int = 0, keep: str | None = None, quiet: bool = False) -> None:
        """Ask for a page of rows with the filters as they are now (a thread worker answers)."""
        if self.repository is None:
            return
        self._asked += 1
        self._keep = keep
        self.fetch(self._asked, self.filters, offset, quiet)

    def _watch_store(self) -> None:
        """While the list is in front and up to date, read the page again: an intake saved or
        marked urgent by another process (a kiosk, a colleague) shows within about a second."""
        if self.app.screen is self and self.up_to_date and self.repository is not None:
            self.reload(offset=self.first_row, keep=self.highlighted.record_id if self.highlighted else None, quiet=True)

    @work(thread=True, group="records-list", exit_on_error=False)
    def fetch(self, asked: int, filters: Filters, offset: int, quiet: bool = False) -> None:
        try:
            query = filters.query(self.today or date.today())
            if query.get("search") and query.get("due") is None:
                from ketatui.storage.repository import EarlyPages

                if isinstance(self.repository, EarlyPages):
                    # In a new process the whole list is still being read: the first rows
                    # already held may tell this page for certain, and then no key waits.
                    early = self.repository.early_page(**{k: v for k, v in query.items() if k != "due"}, offset=offset, limit=PAGE_SIZE)
                    if early is not None:
                        self.post_message(self.Listed(asked, early.rows, early.total, early.offset, quiet=quiet, counted=early.counted))
                        if early.counted or asked != self._asked:
                            return  # complete, or a newer key is on its way with its own answer
            page = self.repository.page(**query, offset=offset, limit=PAGE_SIZE)
            hidden = 0
            if not page.total and not filters.training:
                hidden = self.repository.page(**(query | {"training": True}), limit=0).total
        except Exception as exc:  # StorageError and the OS's: shown, never a traceback
            self.post_message(self.Listed(asked, [], 0, offset, error=str(exc)))
            return
        self.post_message(self.Listed(asked, page.rows, page.total, page.offset, hidden=hidden, quiet=quiet))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        if message.asked != self._asked:
            return  # a newer search is on its way
        if message.error:
            self.say(f"! Records cannot be listed: {message.error}")
            self.listed_for = message.asked
            return
        if message.quiet and list(message.rows) == self.rows and message.total == self.total and message.counted == self._counted:
            self.listed_for = message.asked  # nothing changed elsewhere: the screen stays as it is
            return
        keep = self._keep
        self.rows, self.total, self.first_row = list(message.rows), message.total, message.first_row
        self._counted = message.counted
        self._hidden = message.hidden
        options = self.query_one("#records-list", OptionList)
        ids = [r.record_id for r in self.rows]
        at = ids.index(keep) if keep in ids else 0
        lines = [record_line(r, current=i == at) for i, r in enumerate(self.rows)]
        redraw = lines != self._lines or options.highlighted != (at if self.rows else None)
        if redraw:
            # Typing on often keeps the same first rows: then the list is not drawn again.
            self._lines = lines
            options.clear_options()
            self._cursor = at if self.rows else None
            options.add_options([Option(line, id=record_id) for line, record_id in zip(lines, ids)])
            if self.rows:
                options.highlighted = at
        self.say(f"{self._tell}  {self._count()}" if self._tell else self._count())
        self._tell = ""
        self.listed_for = message.asked
        self._keys_follow()
        if not redraw:
            self._say_origin()  # no highlight event follows to say it

    @on(Input.Changed, "#records-search")
    def _typed(self, event: Input.Changed) -> None:
        self.typed_at = time.monotonic()
        self.filters = Filters(event.value, self.filters.status, self.filters.urgent, self.filters.due_today, self.filters.training)
        self.reload()

    def _refilter(self, **change: Any) -> None:
        f = self.filters
        values = {"search": f.search, "status": f.status, "urgent": f.urgent, "due_today": f.due_today, "training": f.training}
        self.filters = Filters(**(values | change))
        self.query_one("#records-filters", Static).update(self.filters.described())
        self.reload()

    def action_status(self) -> None:
        at = STATUS_FILTERS.index(self.filters.status)
        self._refilter(status=STATUS_FILTERS[(at + 1) % len(STATUS_FILTERS)])

    def action_urgent(self) -> None:
        self._refilter(urgent=not self.filters.urgent)

    def action_due_today(self) -> None:
        self._refilter(due_today=not self.filters.due_today)

    def action_training(self) -> None:
        self._refilter(training=not self.filters.training)

    def action_move(self, by: int) -> None:
        options = self.query_one("#records-list", OptionList)
        if not self.rows:
            return
        at = (options.highlighted or 0) + by
        if at >= len(self.rows) and self.first_row + len(self.rows) < self.total:
            self.reload(offset=self.first_row + PAGE_SIZE)
            return
        if at < 0 and self.first_row > 0:
            self.reload(offset=max(0, self.first_row - PAGE_SIZE))
            return
        options.highlighted = max(0, min(len(self.rows) - 1, at))

    @on(OptionList.OptionHighlighted, "#records-list")
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        options = event.option_list
        for at in {self._cursor, event.option_index}:
            if at is not None and at < len(self.rows):
                line = record_line(self.rows[at], current=at == event.option_index)
                options.replace_option_prompt_at_index(at, line)
                if at < len(self._lines):
                    self._lines[at] = line
        self._cursor = event.option_index
        self._keys_follow()
        self._say_origin()

    def _say_origin(self) -> None:
        """Where the highlighted record came from, when a kiosk left it."""
        row = self.highlighted
        origin = kiosk_state(row.status, row.updated_by) if row is not None else None
        if origin is not None:
            self.say(f"{row.full_name or NO_NAME}: {origin}.  {self._count()}")

    def _keys_follow(self) -> None:
        """Redraw the Footer's keys for the highlighted record, now or, while the clinician types,
        once typing pauses: the Footer is composed again and the screen laid out, which costs
        more than the search. The keys act as the highlighted record allows whatever the Footer
        shows (``check_action``)."""
        if self._keys_timer is not None:
            self._keys_timer.stop()
            self._keys_timer = None
        if self.rows and time.monotonic() - self.typed_at < KEYS_AFTER_TYPING:
            self._keys_timer = self.set_timer(KEYS_AFTER_TYPING, self._keys_follow)
        else:
            self._refresh_keys()

    def _refresh_keys(self) -> None:
        """Redraw the Footer only when the keys that apply change (they follow the highlighted
        record's status): redrawing it on every key typed would slow the search down."""
        row = self.highlighted
        state = None if row is None else status_of(row)
        if state != self._keys_for:
            self._keys_for = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        row = self.highlighted
        if action == "new":
            return getattr(self.app, "ready", True)
        if action == "open":
            return row is not None
        if action == "review":
            return row is not None and row.status in ("draft", "submitted")
        if action == "discard":
            return row is not None and status_of(row) == "draft"
        if action == "sign":
            return row is not None and row.status != "signed"
        if action == "amend":
            return row is not None
        return True

    # --- acts on the highlighted record ---

    def action_new(self) -> None:
        self.post_message(self.New())

    def action_open(self) -> None:
        """A signed plan is frozen: what there is to do with it is its course. Anything else opens
        in the steps where it was left."""
        row = self.highlighted
        if row is not None:
            self.post_message(self.CourseRequested(row.record_id) if row.status == "signed" else self.Open(row.record_id))

    def action_review(self) -> None:
        row = self.highlighted
        if row is not None:
            self.say(f"Marking {row.full_name or NO_NAME} reviewed…")
            self._review(row)

    @work(thread=True, group="records-act", exit_on_error=False)
    def _review(self, row: Any) -> None:
        try:
            rev = row.rev
            if row.status == "draft":
                rev = self.repository.submit(row.record_id, user=self.user, expected_rev=rev)["rev"]
            reviewed = self.repository.review(row.record_id, user=self.user, expected_rev=rev)
        except Exception as exc:
            self.post_message(self.Said(f"! Not marked reviewed: {exc}"))
            return
        self.post_message(self.Said(f"{row.full_name or NO_NAME} reviewed by {self.user} (revision {reviewed['rev']}). F3 signs it.",
                                    keep=row.record_id))

    def action_sign(self) -> None:
        row = self.highlighted
        if row is None:
            return
        if row.status != "reviewed":
            self.say(f"! {row.full_name or NO_NAME} is {row.status}: review it first (F2), then sign.")
            return
        self.say("Reading the plan to sign…")
        self._read_for_signing(row)

    @work(thread=True, group="records-act", exit_on_error=False)
    def _read_for_signing(self, row: Any) -> None:
        from ketatui.screens.sign_dialog import ToSign, prepare

        try:
            to_sign: ToSign = prepare(self.repository, row.record_id, self.user)
        except Exception as exc:
            self.post_message(self.Said(f"! Cannot sign: {exc}", reload=False))
            return
        self.app.call_from_thread(self._show_sign_dialog, to_sign)

    def _show_sign_dialog(self, to_sign: Any) -> None:
        from ketatui.screens.sign_dialog import SignDialog

        self.say("")

        def signed(result: dict | None) -> None:
            if result is not None:
                self.post_message(self.Said(f"Signed by {self.user} as revision {result['rev']}: the plan is frozen.",
                                            keep=to_sign.record_id))
            else:
                self.say("Not signed.")

        self.app.push_screen(SignDialog(to_sign, repository=self.repository, user=self.user), signed)

    def action_amend(self) -> None:
        from ketatui.screens.amend_dialog import AmendDialog

        row = self.highlighted
        if row is None:
            return
        if row.status == "signed":
            def reason_given(reason: str | None) -> None:
                if reason:
                    self.say("Starting the amendment…")
                    self._amend(row, reason)

            self.app.push_screen(AmendDialog(row.full_name or NO_NAME, row.rev), reason_given)
            return
        self.say("Reading what changed…")
        self._read_changes(row)

    @work(thread=True, group="records-act", exit_on_error=False)
    def _amend(self, row: Any, reason: str) -> None:
        try:
            draft = self.repository.amend(row.record_id, user=self.user, reason=reason)
        except Exception as exc:
            self.post_message(self.Said(f"! Not amended: {exc}"))
            return
        self.post_message(self.Said(f"Amendment started as revision {draft['rev']}; revision {row.rev} stays as it was signed."))
        self.post_message(self.Open(row.record_id))

    @work(thread=True, group="records-act", exit_on_error=False)
    def _read_changes(self, row: Any) -> None:
        from ketatui.screens.amend_dialog import read_amendment

        try:
            amendment = read_amendment(self.repository, row.record_id, self.user)
        except Exception as exc:
            self.post_message(self.Said(f"! {exc}", reload=False))
            return
        self.app.call_from_thread(self._show_changes, amendment)

    def _show_changes(self, amendment: Any) -> None:
        from ketatui.screens.amend_dialog import ChangesDialog

        self.say("")
        self.app.push_screen(ChangesDialog(amendment))

    def action_discard(self) -> None:
        row = self.highlighted
        if row is None or status_of(row) != "draft":
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._discard(row)
            else:
                self.say("Kept.")

        self.app.push_screen(DiscardDialog(row.full_name or NO_NAME, row.record_id), answered)

    @work(thread=True, group="records-act", exit_on_error=False)
    def _discard(self, row: Any) -> None:
        try:
            self.repository.discard(row.record_id, user=self.user, expected_rev=row.rev)
        except Exception as exc:
            self.post_message(self.Said(f"! Not discarded: {exc}"))
            return
        self.post_message(self.Said(f"Draft {row.full_name or NO_NAME} discarded by {self.user} (the audit log keeps that)."))

    @on(Said)
    def _said(self, message: Said) -> None:
        self.say(message.words)
        if message.reload:
            self._tell = message.words
            self.reload(offset=self.first_row, keep=message.keep)

    def on_screen_resume(self) -> None:
        self.query_one("#records-search", Input).focus()
        self.refresh_bindings()


class DiscardDialog(ModalScreen[bool]):
    """Discard a draft? Y discards, N or Escape keeps it."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Discard", id="discard.yes"),
        Binding("n,escape", "answer(False)", "Keep", id="discard.no"),
    ]

    def __init__(self, name: str, record_id: str) -> None:
        super().__init__()
        self.name_shown, self.record_id = name, record_id

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="discard"):
            yield Static("Discard this draft?", classes="dialog-title")
            yield Static(f"{self.name_shown} (record {self.record_id[:8]}). It leaves the records list and cannot be "
                         "opened again; the audit log keeps that you discarded it.", markup=False)
            yield Static("Y  discard it      N or Escape  keep it", classes="dialog-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

