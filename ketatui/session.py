"""One intake being run, whatever the role: the workflow every App (clinician, kiosk, trainer) is
a thin UI over.

An ``IntakeSession`` holds the intake, the protocol, the repository and who is working. A screen
hands it what a step collected (``apply``); the session sets the sections and the raw answers,
runs the rules once and the plan once, and says what follows: the plan (None while a section is
missing), the flags, and whether the intake is urgent and why. Urgency is decided here and only
here, and written on the intake as its ``triage``, which storage lists without knowing why.
``save`` stores the intake with the revision it was read at, so a stale edit is refused, never
written over another session's.

May import: the intake models, the clinical rules and plan, the step table, the storage
interface (``Repository``), and the standard library. Never Textual or the screens.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ketatui.clinical.flags import Flag
from ketatui.clinical.plan import Plan, make_plan
from ketatui.clinical.protocol import Protocol
from ketatui.clinical.rules import evaluate
from ketatui.intake.document import Intake, Triage, parse_intake
from ketatui.intake.listing import listing
from ketatui.steps import STEP_IDS, after, before, step

if TYPE_CHECKING:
    from ketatui.storage.repository import Repository

#: The fields a save writes back on the intake from what the store returned.
STORED_FIELDS = ("rev", "created_at", "created_by", "updated_at", "updated_by")


@dataclass(frozen=True)
class Derived:
    """What the answers so far lead to: the plan once every section is in, the flags, the triage."""

    plan: Plan | None
    flags: list[Flag]
    triage: Triage

    @property
    def urgent(self) -> bool:
        return self.triage.urgent

    @property
    def reasons(self) -> list[str]:
        """The urgent flags' reasons, quoting the answers that raised them."""
        return self.triage.reasons


def _triage(flags: list[Flag], plan: Plan | None, screen_positive: bool) -> Triage:
    urgent = [f for f in flags if f.severity == "urgent"]
    severities = {f.severity for f in flags}
    return Triage(urgent=screen_positive or bool(urgent), blocked=plan is not None and not plan.schedulable,
                  review="review" in severities, caution="caution" in severities, reasons=[f.reason for f in urgent])


def derive(intake: Intake, protocol: Protocol, *, screen_positive: bool = False, today: date | None = None) -> Derived:
    """The rules once, and the plan once when no section it needs is missing; the plan and the
    triage are written on ``intake``, so every stored document carries them. Every place that
    derives a plan for storing (the App, import, demo data) goes through here."""
    if intake.missing_sections():
        plan, flags = None, evaluate(intake, protocol, today=today)
    else:
        plan = make_plan(intake, protocol, today=today)
        flags = list(plan.flags)
    triage = _triage(flags, plan, screen_positive)
    intake.plan = plan.model_dump(mode="json") if plan is not None else None
    intake.triage = triage
    intake.listing = listing(intake)
    return Derived(plan, flags, triage)


def _content(doc: dict[str, Any]) -> dict[str, Any]:
    """A document without who saved it and when, nor steps that kept nothing: what a save would change."""
    content = {k: v for k, v in doc.items() if k not in STORED_FIELDS}
    content["form_state"] = {k: v for k, v in (doc.get("form_state") or {}).items() if v}
    return content


def answered(value: Any) -> bool:
    """Whether anything was typed or chosen (where a step stands, ``page``, is not an answer)."""
    if isinstance(value, dict):
        return any(answered(v) for k, v in value.items() if k != "page")
    if isinstance(value, list):
        return any(answered(v) for v in value)
    return value not in (None, "", False)


class IntakeSession:
    """The intake a person is working on, from its first answer to its last save."""

    def __init__(self, intake: Intake, protocol: Protocol, repository: Repository | None, user: str, stored_rev: int = 0) -> None:
        self.intake = intake
        self.protocol = protocol
        self.repository = repository
        self.user = user
        self.stored_rev = stored_rev  # 0: not in the store yet
        self._lock = threading.Lock()  # one save (or audit line) at a time, whatever thread asks
        self._screen_positive = False
        self.exported_rev = 0  # the stored revision last exported (0: none in this session)
        self.derived = derive(intake, protocol)
        # What the store holds, as this session sees it: reading an intake is not changing it.
        self._stored_content = _content(self.snapshot()) if stored_rev else None

    @classmethod
    def resume(cls, doc: dict[str, Any], protocol: Protocol, repository: Repository | None, user: str) -> IntakeSession:
        """A stored draft, opened where it was left. Raises ``IntakeInvalid`` naming what is wrong."""
        intake = parse_intake(doc)
        return cls(intake, protocol, repository, user, stored_rev=intake.rev)

    # --- answers in, what follows out ---

    def apply(self, step_id: str, sections: dict[str, Any], form_state: dict[str, Any]) -> Derived:
        """Keep a step's raw answers and the sections that validate (None for those that do not),
        then derive once."""
        self.intake.form_state[step_id] = form_state
        for name in step(step_id).sections:
            setattr(self.intake, name, sections.get(name))
        self.derived = derive(self.intake, self.protocol, screen_positive=self._screen_positive)
        return self.derived

    def screening(self, positive: bool) -> Derived:
        """A suicide screen turned positive (or back) while its page is still being answered,
        before it is complete enough for the rules: held here, so urgency has one source."""
        self._screen_positive = positive
        self.derived = Derived(self.derived.plan, self.derived.flags, _triage(self.derived.flags, self.derived.plan, positive))
        self.intake.triage = self.derived.triage
        return self.derived

    @property
    def urgent(self) -> bool:
        return self.derived.urgent

    # --- where the intake stands ---

    def finished(self, step_id: str) -> bool:
        """Every section the step must fill for a plan is in (a step with none is never finished)."""
        needed = step(step_id).required
        return bool(needed) and all(getattr(self.intake, name) is not None for name in needed)

    def first_open_step(self) -> str:
        """The first step not finished yet (the last step once all are)."""
        return next((s for s in STEP_IDS if not self.finished(s)), STEP_IDS[-1])

    def plan_state(self) -> str | None:
        """Where the plan stands, for a step that fills no section (the summary): None while a step
        before it is unfinished, else whether it is saved, and exported, as it is now."""
        if self.derived.plan is None:
            return None
        if self.stored_rev == 0 or self.changed():
            return "plan ready, not saved"
        return "plan saved and exported" if self.exported_rev == self.stored_rev else "plan saved"

    def can_go_to(self, step_id: str) -> bool:
        """Go to offers the finished steps, the first open one, and the step on show."""
        return step_id == self.intake.current_step or step_id == self.first_open_step() or self.finished(step_id)

    def next_step(self, step_id: str) -> str | None:
        return after(step_id)

    def previous_step(self, step_id: str) -> str | None:
        return before(step_id)

    def move_to(self, step_id: str) -> None:
        """The step now on show, stored with the intake so a draft reopens there."""
        self.intake.current_step = step(step_id).id  # type: ignore[assignment]

    # --- the store ---

    def worth_storing(self) -> bool:
        """A new intake is stored once something is typed: no empty drafts in the list."""
        return self.stored_rev > 0 or answered(self.intake.form_state)

    def changed(self) -> bool:
        """Whether the intake differs from what this session last read or stored: opening or
        paging through a record changes nothing, so it must not make a revision."""
        return self._stored_content is None or _content(self.snapshot()) != self._stored_content

    def snapshot(self) -> dict[str, Any]:
        """The intake as it is now, to save (taken where the answers change, saved anywhere)."""
        return self.intake.model_dump(mode="json")

    def save(self, doc: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create or save ``doc`` (the intake now, if not given) at the revision last stored, and
        take back the new revision and who/when. Blocking; safe from any thread. Raises the
        store's errors (``StaleRevision`` when another session saved first)."""
        if self.repository is None:
            raise RuntimeError("no store is open, so nothing can be saved")
        with self._lock:
            doc = self.snapshot() if doc is None else doc
            if self.stored_rev == 0:
                stored = self.repository.create(doc, user=self.user)
            else:
                stored = self.repository.save(doc, user=self.user, expected_rev=self.stored_rev)
            self.stored_rev = stored["rev"]
            self._stored_content = _content(doc)
            for key in STORED_FIELDS:
                setattr(self.intake, key, stored.get(key))
        return stored

    def log_export(self, kind: str) -> bool:
        """The audit line for an export of the stored intake: the kind of file, never its name
        (which may hold the person's name). False when the intake is not stored yet."""
        if self.repository is None or self.stored_rev == 0:
            return False
        with self._lock:
            self.repository.log_export(self.intake.record_id, self.stored_rev, user=self.user, target=kind)
            self.exported_rev = self.stored_rev
        return True
