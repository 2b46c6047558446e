"""The scorecard: what a trainee's intake caught and missed, compared with the scenario.

Flags come from the real rules run on the trainee's intake (``ketatui.session.derive``), never
from the screens: caught (expected and raised), missed (expected, not raised) and raised wrongly
(raised, not expected). Then the facts the trainee found out, the sections left incomplete, the
side-effect topics not discussed, whether the crisis path was followed when the screen is
positive, the course decision and the time taken. Exported as Markdown and JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ketatui.clinical.catalogue import Catalogue
from ketatui.clinical.flags import FLAG_DEFINITIONS
from ketatui.clinical.protocol import Protocol
from ketatui.intake.document import Intake
from ketatui.intake.side_effects import SIDE_EFFECT_TOPICS
from ketatui.training.scenario import Scenario, values_at

#: The steps of the crisis path when a suicide screen is positive, in the order they are taken.
CRISIS_STEPS = (
    ("asked_acuity", "ASQ question 5 (thoughts of suicide right now) asked and answered"),
    ("crisis_help_shown", "Crisis help opened for the clinician (shown when the screen turned positive, or F9)"),
    ("crisis_plan", "A crisis plan written in Goals and support"),
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FlagResult(_Frozen):
    code: str
    title: str
    reason: str = ""  # the rule's reason when it was raised


class FactResult(_Frozen):
    text: str
    field: str
    elicited: bool
    recorded: list[Any] = Field(default_factory=list)


class CrisisStep(_Frozen):
    id: str
    text: str
    done: bool


class CrisisPath(_Frozen):
    needed: bool
    steps: list[CrisisStep] = Field(default_factory=list)

    @property
    def followed(self) -> bool:
        return all(step.done for step in self.steps)


class Decision(_Frozen):
    expected_schedulable: bool
    recorded_schedulable: bool | None  # None: no plan, a section is missing
    expected_sessions: int | None = None
    recorded_sessions: int | None = None

    @property
    def matches(self) -> bool:
        if self.recorded_schedulable != self.expected_schedulable:
            return False
        return self.expected_sessions is None or self.expected_sessions == self.recorded_sessions


class Scorecard(_Frozen):
    """One trainee's run of one scenario."""

    scenario_id: str
    scenario_title: str
    trainee: str
    record_id: str
    started_at: datetime
    finished_at: datetime
    seconds: int = Field(ge=0)
    caught: list[FlagResult]
    missed: list[FlagResult]
    wrongly_raised: list[FlagResult]
    facts: list[FactResult]
    sections_incomplete: list[str]
    topics_not_discussed: list[str]
    crisis: CrisisPath
    decision: Decision

    @property
    def facts_missed(self) -> list[FactResult]:
        return [f for f in self.facts if not f.elicited]

    @property
    def perfect(self) -> bool:
        return not (self.missed or self.wrongly_raised or self.facts_missed or self.sections_incomplete
                    or self.topics_not_discussed) and self.crisis.followed and self.decision.matches

    @property
    def time_taken(self) -> str:
        minutes, seconds = divmod(self.seconds, 60)
        return f"{minutes} min {seconds:02d} s"

    def misses(self) -> list[str]:
        """Every miss in one line each: what the scorecard would have a trainer talk through."""
        lines = [f"Missed flag {f.code} ({f.title})" for f in self.missed]
        lines += [f"Raised wrongly {f.code} ({f.title})" for f in self.wrongly_raised]
        lines += [f"Not found out: {f.text}" for f in self.facts_missed]
        lines += [f"Section incomplete: {name}" for name in self.sections_incomplete]
        lines += [f"Side effect not discussed: {name}" for name in self.topics_not_discussed]
        lines += [f"Crisis path: not done: {s.text}" for s in self.crisis.steps if not s.done]
        if not self.decision.matches:
            lines.append(f"Course decision: {decision_words(self.decision.recorded_schedulable, self.decision.recorded_sessions)}; "
                         f"expected {decision_words(self.decision.expected_schedulable, self.decision.expected_sessions)}")
        return lines


def decision_words(schedulable: bool | None, sessions: int | None) -> str:
    if schedulable is None:
        return "no plan (a section is missing)"
    if not schedulable:
        return "not schedulable until reviewed"
    return f"schedulable, {sessions} sessions" if sessions else "schedulable"


def _same(path: str, found: Any, wanted: Any, catalogue: Catalogue) -> bool:
    """Answers compared as a clinician would: case and spacing aside, a medicine by what it is."""
    if isinstance(wanted, bool) or isinstance(found, bool):
        return found is wanted
    if isinstance(wanted, (int, float)) and isinstance(found, (int, float)):
        return float(found) == float(wanted)
    a, b = str(found).strip().casefold(), str(wanted).strip().casefold()
    if a == b:
        return True
    if path.startswith("medications.") and path.endswith(".name"):
        ma, mb = catalogue.match(str(found)), catalogue.match(str(wanted))
        return ma is not None and mb is not None and ma.medicine.generic == mb.medicine.generic
    return False


def _fact(scenario: Scenario, fact: Any, data: dict[str, Any], catalogue: Catalogue) -> FactResult:
    recorded = [v for v in values_at(data, fact.field) if v not in (None, "", [], {})]
    wanted = [fact.value] if fact.value is not None else values_at(scenario.correct_data, fact.field)
    elicited = all(any(_same(fact.field, got, want, catalogue) for got in recorded) for want in wanted)
    return FactResult(text=fact.text, field=fact.field, elicited=elicited, recorded=recorded)


def _flag(code: str, reason: str = "") -> FlagResult:
    return FlagResult(code=code, title=FLAG_DEFINITIONS[code][1], reason=reason)


def score(scenario: Scenario, intake: Intake, protocol: Protocol, *, trainee: str, started_at: datetime,
          finished_at: datetime, crisis_help_shown: bool) -> Scorecard:
    """The scorecard of ``intake`` as the trainee left it (derived again here, so it is the rules' word)."""
    from ketatui.session import derive

    work = intake.model_copy(deep=True)
    derived = derive(work, protocol)
    raised = {f.code: f for f in derived.flags}
    expected = scenario.flags_in_order
    catalogue = Catalogue.default()
    data = work.model_dump(mode="json")

    crisis = CrisisPath(needed=scenario.crisis_expected)
    if crisis.needed:
        done = {
            "asked_acuity": work.asq is not None and work.asq.thoughts_right_now is not None,
            "crisis_help_shown": crisis_help_shown,
            "crisis_plan": bool(work.goals_support and work.goals_support.crisis_plan.strip()),
        }
        crisis = CrisisPath(needed=True, steps=[CrisisStep(id=i, text=t, done=done[i]) for i, t in CRISIS_STEPS])
    plan = derived.plan
    side = work.side_effects
    return Scorecard(
        scenario_id=scenario.id, scenario_title=scenario.title, trainee=trainee, record_id=work.record_id,
        started_at=started_at, finished_at=finished_at, seconds=max(0, int((finished_at - started_at).total_seconds())),
        caught=[_flag(c, raised[c].reason) for c in expected if c in raised],
        missed=[_flag(c) for c in expected if c not in raised],
        wrongly_raised=[_flag(f.code, f.reason) for f in derived.flags if f.code not in scenario.expected.flags],
        facts=[_fact(scenario, fact, data, catalogue) for fact in scenario.facts],
        sections_incomplete=[p.label for p in work.missing_sections()],
        topics_not_discussed=[t.title for t in (side.not_discussed() if side else SIDE_EFFECT_TOPICS)],
        crisis=crisis,
        decision=Decision(expected_schedulable=scenario.expected.schedulable, expected_sessions=scenario.expected.sessions,
                          recorded_schedulable=plan.schedulable if plan else None,
                          recorded_sessions=plan.course.sessions if plan else None),
    )


def _mark(ok: bool) -> str:
    return "[x]" if ok else "[ ]"


def markdown(card: Scorecard) -> str:
    """The scorecard as Markdown: the same words as on screen, for a trainer's file or an e-mail."""
    lines = [f"# Training scorecard: {card.scenario_title}", "",
             "SYNTHETIC TRAINING RECORD: no real patient.", "",
             f"- Trainee: {card.trainee}",
             f"- Scenario: {card.scenario_id}",
             f"- Finished: {card.finished_at.astimezone().strftime('%Y-%m-%d %H:%M')}",
             f"- Time taken: {card.time_taken}",
             f"- Result: {'PERFECT' if card.perfect else f'{len(card.misses())} to go over'}", ""]
    lines += ["## Flags", ""]
    lines += [f"- [x] caught {f.code}: {f.title}" for f in card.caught]
    lines += [f"- [ ] MISSED {f.code}: {f.title}" for f in card.missed]
    lines += [f"- [!] RAISED WRONGLY {f.code}: {f.title} ({f.reason})" for f in card.wrongly_raised]
    if not (card.caught or card.missed or card.wrongly_raised):
        lines.append("- none expected, none raised")
    lines += ["", "## Facts to find out", ""]
    lines += [f"- {_mark(f.elicited)} {f.text}" for f in card.facts]
    lines += ["", "## Completeness", ""]
    lines.append("- Sections incomplete: " + (", ".join(card.sections_incomplete) or "none"))
    lines.append("- Side effects not discussed: " + (", ".join(card.topics_not_discussed) or "none"))
    lines += ["", "## Crisis path", ""]
    if card.crisis.needed:
        lines += [f"- {_mark(s.done)} {s.text}" for s in card.crisis.steps]
    else:
        lines.append("- not needed: the suicide screen is negative in this scenario")
    d = card.decision
    lines += ["", "## Course decision", "",
              f"- {_mark(d.matches)} recorded: {decision_words(d.recorded_schedulable, d.recorded_sessions)}; "
              f"expected: {decision_words(d.expected_schedulable, d.expected_sessions)}", ""]
    return "\n".join(lines)
