"""The course by keyboard, as a clinician runs it: six sessions (one held for blood pressure, one
missed), the adjustment it leads to, accepting it by signing, and the exports, against a real
store; what is stored, the moved dates and the audit lines are read back from it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from builders import TODAY, phq9_answers

from ketatui.clinical.plan import make_plan
from ketatui.clinical.protocol import default_protocol
from ketatui.screens.course import CourseExportDialog, CourseScreen
from ketatui.screens.crisis import CrisisScreen
from ketatui.screens.follow_up_form import FollowUpForm
from ketatui.screens.session_form import SessionForm
from ketatui.screens.sign_dialog import SignDialog

USER = "dr.lee"
PASSPHRASE = "lee signs 4 plans"


def signed_intake(repository, make_intake) -> str:
    """The base example (PHQ-9 18, six sessions planned from Mon 9 Mar 2026), stored and signed."""
    intake = make_intake()
    intake.status = "draft"
    intake.plan = make_plan(intake, default_protocol(), today=TODAY).model_dump(mode="json")
    stored = repository.create(intake.model_dump(mode="json"), user=USER)
    repository.set_signing_passphrase(USER, PASSPHRASE)
    repository.sign(stored["record_id"], user=USER, expected_rev=stored["rev"], passphrase=PASSPHRASE)
    return stored["record_id"]


def shown(d) -> str:
    """The screen as one line of words, however the lines wrapped."""
    return " ".join(d.text().translate(str.maketrans("▌▐", "  ")).split())


def audit(repository) -> list[dict]:
    return [json.loads(line) for line in repository.layout.audit.read_text().splitlines()]


async def open_course(d, app, record_id: str, export_dir: Path) -> CourseScreen:
    await d.until(lambda: app.ready and app.repository is not None, "the store to open")
    screen = CourseScreen(record_id, repository=app.repository, protocol=app.protocol, user=app.user, export_dir=export_dir, today=TODAY)
    await app.push_screen(screen)
    await d.until(lambda: screen.state is not None, "the course")
    return screen


async def record_session(d, course: CourseScreen, *, bp: tuple[str, str] = ("130", "80"), score: int | None = None, missed: str = "") -> None:
    """R, then the form by keyboard: status, blood pressure, escort, the PHQ-9, Ctrl+S."""
    given = course.state.sessions_given
    records = len(course.loaded.records)
    await d.keys("r")
    await d.until(lambda: isinstance(d.app.screen, SessionForm) and d.app.screen.complete, "the session form")
    await d.keys("tab", "tab", "tab")  # date (the next date is filled in), time, route: to given/held/missed
    if missed:
        await d.keys("m", "tab")
        await d.type(missed)
    else:
        await d.keys("tab")
        await d.answer(bp[0])
        await d.answer(bp[1])
        await d.keys("tab", "y", "tab")  # pulse left empty; escort confirmed
        for answer in phq9_answers(score):
            await d.keys(str(answer))
    await d.keys("ctrl+s")
    await d.until(lambda: d.app.screen is course and len(course.loaded.records) == records + 1, "the session to be stored")
    assert course.state.sessions_given in (given, given + 1)


@pytest.mark.slow
async def test_a_whole_course_by_keyboard(make_app, driver_for, repository, make_intake, tmp_path) -> None:
    record_id = signed_intake(repository, make_intake)
    signed_rev = repository.get(record_id, user=USER)["rev"]
    exports = tmp_path / "exports"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        course = await open_course(d, app, record_id, exports)
        assert "0 of 6 given · next: session 1, Mon 09 Mar 2026" in d.text()

        await record_session(d, course, score=14)
        await record_session(d, course, score=11)
        await record_session(d, course, bp=("170", "100"), score=10)  # the day check holds it
        assert "3 of 6" not in d.text() and "2 of 6 given · 1 held · 0 missed · !! do not book yet (3)" in d.text()
        assert "!! STOP SESSION-HOLD-BP" in d.text()
        await record_session(d, course, score=8)
        await record_session(d, course, missed="did not attend")
        await d.keys("4")
        text = d.text()
        assert "4. Thu 26 Mar 2026" in text and "6. Thu 02 Apr 2026" in text  # moved from Thu 19 and Thu 26 Mar
        await record_session(d, course, score=3)

        state = course.state
        assert (state.sessions_given, state.sessions_held, state.sessions_missed, state.response) == (4, 1, 1, "remission")
        await d.keys("3")
        assert "- INFO COURSE-EARLY-END: Remission: the course may end early" in d.text()
        await d.keys("4")
        assert "Signed plan: 6 sessions" in d.text() and "Adjusted: 4" in d.text()

        await d.keys("a")
        await d.until(lambda: "Accept the adjusted plan by signing it" in d.text(), "the signing dialog")
        assert f"Sign as {USER} (y)" in d.text() and "-2 at session 4 (COURSE-EARLY-END)" in d.text()
        await d.keys("enter")  # Enter alone never signs: the focus is on "Do not sign"
        assert repository.get(record_id, user=USER)["rev"] == signed_rev
        await d.keys("a")
        await d.until(lambda: "Accept the adjusted plan by signing it" in d.text(), "the signing dialog")
        await d.keys("y")
        await d.until(lambda: isinstance(app.screen, SignDialog), "the sign dialog")
        assert "Sign the adjusted plan: Jordan" in shown(d) and "Planned sessions: 6 → 4" in shown(d)
        assert "Adjusted plan accepted: -2 sessions at session 4" in shown(d)
        await d.keys("escape")  # the passphrase is what signs: without it nothing is written
        await d.until(lambda: app.screen is course and "Not signed: the signed plan is unchanged." in d.text(), "the cancel")
        assert repository.get(record_id, user=USER)["rev"] == signed_rev
        await d.keys("a")
        await d.until(lambda: "Accept the adjusted plan by signing it" in d.text(), "the accept dialog")
        await d.keys("y")
        await d.until(lambda: isinstance(app.screen, SignDialog), "the sign dialog")
        await d.type("not my passphrase")
        await d.keys("enter")
        await d.until(lambda: "Wrong passphrase: 4 tries left. Nothing was signed." in d.text(), "the refusal")
        await d.type(PASSPHRASE)
        await d.keys("enter")
        await d.until(lambda: "Adjusted plan signed by dr.lee" in d.text(), "the signature")
        assert "Signed plan: 4 sessions (rev 5). Adjusted: 4" in shown(d) and "No change to the number of sessions." in d.text()

        for kind in ("1", "2", "3"):
            await d.keys("e")
            await d.until(lambda: isinstance(app.screen, CourseExportDialog), "the export dialog")
            await d.keys(kind, "enter", "enter")
            await d.until(lambda: app.screen is course and "Written to" in d.text(), "the export")
            course._status("")

    stored = repository.course_records(record_id, user=USER)
    assert [(r["number"], r["status"]) for r in sorted(stored, key=lambda r: (r["date"], r["recorded_at"]))] == [
        (1, "given"), (2, "given"), (3, "held"), (3, "given"), (4, "missed"), (4, "given")]
    held = next(r for r in stored if r["status"] == "held")
    assert held["date"] == "2026-03-16" and held["dose_mg"] is None and "170/100" in held["reason"]
    given = next(r for r in stored if r["number"] == 1)
    assert (given["dose_mg_per_kg"], given["phq9"]["answers"], given["escort_confirmed"]) == (0.5, phq9_answers(14), True)
    assert given["dose_mg"] == given["dosing_weight_kg"] * 0.5

    now = repository.get(record_id, user=USER)
    assert (now["status"], now["signed_by"], now["rev"] > signed_rev, now["plan"]["course"]["sessions"]) == ("signed", USER, True, 4)
    assert repository.get(record_id, user=USER, rev=signed_rev)["plan"]["course"]["sessions"] == 6  # the signed one, as signed
    assert repository.amendments(record_id, user=USER)[-1]["reason"].startswith("Adjusted plan accepted: -2 sessions at session 4 (COURSE-EARLY-END): PHQ-9 18 → 3")

    lines = audit(repository)
    assert [line["target"].split()[0] for line in lines if line["action"] == "course"] == ["session"] * 6
    assert [line["action"] for line in lines if line["action"] in ("amend", "update", "sign", "sign-refused")][-4:] == ["amend", "update", "sign-refused", "sign"]
    assert "target" not in [line for line in lines if line["action"] == "sign"][-1]  # signed with the passphrase, not "without"
    assert [line["target"] for line in lines if line["action"] == "export"] == ["course-summary", "progress-sheet", "course-json"]
    written = sorted(p.name for p in exports.iterdir())
    assert written == [f"{kind}-{record_id[:8]}-2026-03-02.{ext}" for kind, ext in (("course-json", "json"), ("course-summary", "md"), ("progress-sheet", "md"))]
    assert "Jordan" not in " ".join(written)
    assert json.loads((exports / written[0]).read_text())["course"]["sessions_given"] == 4


async def test_a_pre_dose_pressure_at_the_limit_says_at_once_the_session_is_held(make_app, driver_for, repository, make_intake, tmp_path) -> None:
    record_id = signed_intake(repository, make_intake)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        course = await open_course(d, app, record_id, tmp_path)
        await d.keys("r")
        await d.until(lambda: isinstance(app.screen, SessionForm) and app.screen.complete, "the session form")
        assert "Dose 32 mg = 0.5 mg/kg × 64 kg (actual weight" in d.text()
        await d.keys("tab", "tab", "tab", "tab")
        await d.answer("160")
        assert "!! STOP" not in d.text()
        await d.answer("95")
        assert "!! STOP SESSION-HOLD-BP: Blood pressure before dosing 160/95 is at or above 160/100: not dosed today. Ctrl+S records it as held." in shown(d)


async def test_a_positive_question_9_opens_the_crisis_resources_at_once(make_app, driver_for, repository, make_intake, tmp_path) -> None:
    record_id = signed_intake(repository, make_intake)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        course = await open_course(d, app, record_id, tmp_path)
        await d.keys("v")
        await d.until(lambda: isinstance(app.screen, FollowUpForm) and app.screen.complete, "the visit form")
        await d.keys("tab", *"11111111", "2")
        await d.until(lambda: isinstance(app.screen, CrisisScreen) and "988" in d.text(), "the crisis dialog")
        assert "Follow-up visit (Mon 02 Mar 2026): PHQ-9 question 9 answered 'More than" in d.text()
        assert "A clinician assesses them now" in shown(d) and "back to the form" in shown(d) and "intake" not in shown(d)
        await d.keys("escape")
        assert isinstance(app.screen, FollowUpForm)  # the answers underneath are kept
        assert course.loaded.records == []


async def test_problems_show_beneath_their_fields_and_nothing_is_stored(make_app, driver_for, repository, make_intake, tmp_path) -> None:
    record_id = signed_intake(repository, make_intake)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await open_course(d, app, record_id, tmp_path)
        await d.keys("r")
        await d.until(lambda: isinstance(app.screen, SessionForm) and app.screen.complete, "the session form")
        await d.keys("tab", "tab", "tab", "tab")
        await d.answer("80")
        await d.answer("120")
        await d.keys("ctrl+s")
        assert isinstance(app.screen, SessionForm)
        assert d.field("bp_pre.diastolic").problem == "! 120 must be lower than the systolic 80; check the two numbers were not swapped"
        assert d.field("escort_confirmed").problem == "! not answered yet: choose one of the answers"
        assert d.field("phq9.answers[0]").problem == "! not answered yet: choose one of the answers"
        assert d.field("phq9.answers[1]").problem == ""  # the whole questionnaire is missing: said once
        await d.keys("escape")
        assert "Nothing is recorded yet" in d.text()
        await d.keys("escape")
        assert isinstance(app.screen, CourseScreen)
    assert repository.course_records(record_id, user=USER) == []


async def test_enter_on_a_signed_record_in_the_browser_opens_its_course(make_app, driver_for, repository, make_intake) -> None:
    from ketatui.screens.records_browser import RecordsBrowser

    signed_intake(repository, make_intake)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: isinstance(app.screen, RecordsBrowser) and app.screen.rows, "the records")
        await d.keys("enter")
        await d.until(lambda: isinstance(app.screen, CourseScreen) and app.screen.state is not None, "the course")
        assert "Course · Jordan Ellis · IV racemic ketamine · signed rev 2 by dr.lee" in d.text()
        assert "0 of 6 given" in d.text()
        await d.keys("escape")
        assert isinstance(app.screen, RecordsBrowser)


async def test_a_record_without_a_baseline_score_says_why_there_is_no_course(make_app, driver_for, repository, make_intake, tmp_path) -> None:
    from builders import DELETE

    intake = make_intake({"phq9": DELETE})
    intake.status = "draft"
    record_id = repository.create(intake.model_dump(mode="json"), user=USER)["record_id"]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: app.ready and app.repository is not None, "the store to open")
        screen = CourseScreen(record_id, repository=app.repository, protocol=app.protocol, user=app.user, export_dir=tmp_path, today=TODAY)
        await app.push_screen(screen)
        await d.until(lambda: "! The course cannot be shown:" in d.text(), "the reason")
        assert screen.state is None
        await d.keys("r")
        assert app.screen is screen  # nothing to record against
