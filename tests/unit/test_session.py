"""The intake session, with no UI: answers in, plan and urgency out, saved with its revision.

The whole intake of the keyboard walk (``tests/walk.py``) is driven through ``IntakeSession`` in
a fresh interpreter that never loads Textual, and must store the same record and plan.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from builders import ROOT, TODAY
from ketatui.clinical import plan as plan_module
from ketatui.clinical.protocol import default_protocol
from ketatui.intake.document import Intake, IntakeInvalid
from ketatui.session import IntakeSession, derive
from ketatui.settings import Settings
from ketatui.storage import StaleRevision, open_repository
from ketatui import session as session_module

PROTOCOL = default_protocol()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", key_file=tmp_path / "store.key", user="dr.lee")


@pytest.fixture
def repo(settings):
    return open_repository(settings)


def sections_of(intake: Intake, *names: str) -> dict:
    return {name: getattr(intake, name) for name in names}


def new_session(repo, user: str = "dr.lee") -> IntakeSession:
    return IntakeSession(Intake(), PROTOCOL, repo, user)


WHOLE_INTAKE = f"""
import json, sys
sys.path[:0] = [{str(ROOT / "tests")!r}]
from ketatui.intake.document import Intake
from ketatui.settings import Settings
from ketatui.storage import open_repository
from walk import check_stored, session_walk

settings = Settings(data_dir=sys.argv[1], key_file=sys.argv[2], user="dr.lee")
record_id, plan = session_walk(settings)
repository = open_repository(settings)
stored = Intake.model_validate(repository.get(record_id, user="test"))
check_stored(stored, next(s for s in repository.drafts() if s.record_id == record_id))
print(json.dumps({{"textual": sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich")), "plan": plan}}))
"""


def test_a_whole_intake_through_the_session_alone_stores_the_walks_record_and_plan(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-c", WHOLE_INTAKE, str(tmp_path / "data"), str(tmp_path / "store.key")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["textual"] == [], "the session runs with no UI loaded"
    plan = result["plan"]
    assert [f["code"] for f in plan["flags"]] == ["INT-BENZODIAZEPINE"]
    assert (plan["course"]["sessions"], plan["course"]["per_week"], len(plan["schedule"])) == (6, 2, 6)
    dates = [s["date"] for s in plan["schedule"]]
    assert dates == sorted(dates) and plan["start_date"] == dates[0]


def test_apply_keeps_the_answers_and_derives_flags_before_a_plan_can_be_made(repo, make_intake) -> None:
    answered = make_intake({"medical_history.vitals.systolic_bp": 184})
    session = new_session(repo)
    derived = session.apply("medical_history", sections_of(answered, "medical_history", "phq9", "gad7", "asq"), {"page": "vitals", "values": {"x": "184"}})
    assert derived.plan is None, "the other steps' sections are still missing"
    assert "BP-SEVERE" in [f.code for f in derived.flags]
    assert session.intake.form_state["medical_history"] == {"page": "vitals", "values": {"x": "184"}}
    assert session.intake.medical_history.vitals.systolic_bp == 184
    assert session.intake.plan is None and session.intake.triage.urgent is False

    for step_id, names in (("medications", ("medications",)), ("side_effects", ("side_effects",)), ("goals_support", ("goals_support",))):
        derived = session.apply(step_id, sections_of(answered, *names), {})
    assert derived.plan is not None and not derived.plan.schedulable
    assert session.intake.plan == derived.plan.model_dump(mode="json")
    assert (session.intake.triage.urgent, session.intake.triage.blocked) == (False, True)


def test_a_section_that_no_longer_validates_is_taken_away(repo, make_intake) -> None:
    session = IntakeSession(make_intake(), PROTOCOL, repo, "dr.lee")
    assert session.derived.plan is not None
    derived = session.apply("medications", {}, {"rows": [{"name": ""}]})
    assert session.intake.medications is None and derived.plan is None and session.intake.plan is None


def test_the_rules_run_once_per_change(repo, make_intake, monkeypatch) -> None:
    calls: list[str] = []
    for module in (session_module, plan_module):
        real = module.evaluate
        monkeypatch.setattr(module, "evaluate", lambda *a, _real=real, **k: calls.append("rules") or _real(*a, **k))
    complete = make_intake()
    session = new_session(repo)
    calls.clear()
    session.apply("medical_history", sections_of(complete, "medical_history", "phq9", "gad7", "asq"), {})
    assert calls == ["rules"]
    session = IntakeSession(complete, PROTOCOL, repo, "dr.lee")
    calls.clear()
    session.apply("medications", sections_of(complete, "medications"), {})
    assert calls == ["rules"], "making the plan runs the rules; they are not run again for urgency"


def test_save_creates_then_saves_at_the_revision_it_read(repo) -> None:
    session = new_session(repo)
    assert not session.worth_storing(), "nothing typed yet: no empty draft in the list"
    session.apply("medical_history", {}, {"values": {"full_name": "Robin Hale"}})
    assert session.worth_storing()
    first = session.save()
    assert (first["rev"], session.stored_rev, session.intake.rev, session.intake.created_by) == (1, 1, 1, "dr.lee")
    second = session.save()
    assert (second["rev"], session.intake.updated_by) == (2, "dr.lee")
    assert repo.get(session.intake.record_id, user="test")["form_state"]["medical_history"] == {"values": {"full_name": "Robin Hale"}}


def test_a_save_after_another_session_saved_is_refused_and_nothing_is_overwritten(repo) -> None:
    mine = new_session(repo)
    mine.apply("medical_history", {}, {"values": {"full_name": "Robin Hale"}})
    mine.save()
    theirs = IntakeSession.resume(repo.get(mine.intake.record_id, user="dr.kim"), PROTOCOL, repo, "dr.kim")
    theirs.apply("medical_history", {}, {"values": {"full_name": "Robin Hale-Smith"}})
    theirs.save()
    mine.apply("medical_history", {}, {"values": {"full_name": "R. Hale"}})
    with pytest.raises(StaleRevision):
        mine.save()
    assert mine.stored_rev == 1
    assert repo.get(mine.intake.record_id, user="test")["form_state"]["medical_history"]["values"]["full_name"] == "Robin Hale-Smith"


def test_saves_from_several_threads_keep_the_revisions_straight(repo) -> None:
    session = new_session(repo)
    session.apply("medical_history", {}, {"values": {"full_name": "Robin Hale"}})
    session.save()
    failures: list[BaseException] = []

    def save() -> None:
        try:
            session.save(session.snapshot())
        except BaseException as exc:  # a StaleRevision here would mean two saves raced
            failures.append(exc)

    threads = [threading.Thread(target=save) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert session.stored_rev == 9 == repo.get(session.intake.record_id, user="test")["rev"]


def test_finished_steps_and_where_go_to_may_go(repo, make_intake) -> None:
    complete = make_intake()
    session = new_session(repo)
    assert [session.finished(s) for s in ("medical_history", "medications", "summary")] == [False, False, False]
    assert session.first_open_step() == "medical_history"
    session.apply("medical_history", sections_of(complete, "medical_history", "phq9", "gad7", "asq"), {})
    assert session.finished("medical_history") and session.first_open_step() == "medications"
    assert [s for s in ("medical_history", "medications", "side_effects", "goals_support", "summary") if session.can_go_to(s)] == [
        "medical_history", "medications"]
    assert (session.next_step("medications"), session.previous_step("medications")) == ("side_effects", "medical_history")
    assert (session.next_step("summary"), session.previous_step("medical_history")) == (None, None)
    session.move_to("medications")
    assert session.intake.current_step == "medications"


def test_a_positive_asq_makes_the_draft_urgent_in_the_list_before_it_has_a_plan(repo, make_intake) -> None:
    answered = make_intake({"asq.wished_dead": True, "asq.thoughts_right_now": False})
    session = new_session(repo)
    derived = session.apply("medical_history", sections_of(answered, "medical_history", "phq9", "gad7", "asq"), {"page": "asq"})
    assert derived.plan is None and derived.urgent
    assert derived.reasons == [next(f.reason for f in derived.flags if f.code == "RISK-SUICIDE-SCREEN")]
    assert "ASQ question 1 answered yes" in derived.reasons[0], "the reason quotes the answer"
    session.save()
    calm = new_session(repo)
    calm.apply("medical_history", sections_of(make_intake(), "medical_history", "phq9", "gad7", "asq"), {"page": "asq"})
    calm.save()
    rows = repo.drafts()
    assert [(r.record_id, r.urgent) for r in rows] == [(session.intake.record_id, True), (calm.intake.record_id, False)], "urgent first"


def test_a_suicide_screen_turning_positive_while_answered_is_urgent_at_once(repo) -> None:
    session = new_session(repo)
    assert not session.urgent
    assert session.screening(True).urgent and session.intake.triage.urgent
    session.apply("medical_history", {}, {"page": "asq", "values": {"asq.wished_dead": True}})
    assert session.urgent, "held until the screen says otherwise"
    session.save()
    assert repo.drafts()[0].urgent, "stored with the record's summary"
    assert not session.screening(False).urgent


def test_an_export_is_audited_as_a_kind_of_file_once_the_intake_is_stored(repo, settings, make_intake) -> None:
    session = IntakeSession(make_intake({"medical_history.demographics.full_name": "Robin Hale"}), PROTOCOL, repo, "dr.lee")
    assert session.log_export("markdown file") is False, "nothing stored to audit yet"
    session.save()
    assert session.log_export("markdown file") is True
    lines = [line for line in (settings.data_dir / "audit.log").read_text().splitlines() if '"action":"export"' in line]
    assert len(lines) == 1 and session.intake.record_id in lines[0] and "Robin" not in lines[0]


def test_a_stored_draft_that_no_longer_validates_says_what_is_wrong(repo, make_data) -> None:
    doc = make_data({"medical_history.vitals.systolic_bp": "high"})
    with pytest.raises(IntakeInvalid) as raised:
        IntakeSession.resume(doc, PROTOCOL, repo, "dr.lee")
    assert "systolic" in str(raised.value).lower()


def test_derive_writes_the_plan_and_the_triage_on_the_intake(make_intake) -> None:
    intake = make_intake({"medical_history.vitals.systolic_bp": 184})
    derived = derive(intake, PROTOCOL, today=TODAY)
    assert derived.plan is not None and derived.plan.generated_on == TODAY
    assert intake.plan["schedulable"] is False and intake.triage.blocked and not intake.triage.urgent
