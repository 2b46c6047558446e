"""The clinician's desk, as a clinician uses it: find a record among 500 by typing part of a name,
open it (nothing written but the view), review it, sign it with the passphrase (a wrong one
first), amend it with a reason and see what changed, and discard another draft. The stored
revisions and the audit lines are checked at every step. Pictures of the browser at 80x24."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest

from ketatui.clinical.protocol import default_protocol
from ketatui.screens.amend_dialog import AmendDialog, ChangesDialog
from ketatui.screens.records_browser import DiscardDialog, RecordsBrowser
from ketatui.screens.sign_dialog import SignDialog
from ketatui.session import derive

USER = "dr.lee"
THEMES = ["default", "high-contrast"]
PASSPHRASE = "correct horse battery"


def intake_doc(make_intake, name: str, *, status: str = "draft", dates: list[str] | None = None, **paths) -> dict:
    """A stored-ready intake for ``name``, with its plan, triage and listing derived as the App does."""
    intake = make_intake({"medical_history.demographics.full_name": name, **paths})
    intake.record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    intake.status = status
    intake.current_step = "summary"
    derive(intake, default_protocol())
    doc = intake.model_dump(mode="json")
    if dates is not None:  # fixed dates, so pictures do not change from day to day
        doc["plan"]["schedule"] = [dict(s, date=d) for s, d in zip(doc["plan"]["schedule"], dates)]
    return doc


def many(make_intake, count: int) -> list[dict]:
    """``count`` people, made once and copied with their own name and id (fast enough for 500)."""
    base = intake_doc(make_intake, "Base Person", dates=["2099-01-05", "2099-01-08"])
    docs = []
    for i in range(count):
        doc = copy.deepcopy(base)
        name = f"Person {i:03d} Example"
        doc["record_id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        doc["medical_history"]["demographics"]["full_name"] = name
        doc["listing"] = dict(doc["listing"], full_name=name)
        docs.append(doc)
    return docs


def words(d) -> str:
    """The screen as one line of words without box edges, so a wrapped message still reads whole."""
    return " ".join(d.text().translate(str.maketrans("", "", "│▊▎")).split())


def audit(settings) -> list[dict]:
    return [json.loads(line) for line in Path(settings.data_dir, "audit.log").read_text().splitlines() if line]


def acts(settings, record_id: str) -> list[tuple[str, str, int]]:
    return [(a["action"], a["user"], a["rev"]) for a in audit(settings) if a["record_id"] == record_id]


async def browsing(d, app) -> RecordsBrowser:
    await d.until(lambda: isinstance(app.screen, RecordsBrowser) and app.ready and app.screen.rows, "the records")
    return app.screen


async def listed(d, browser: RecordsBrowser, check, what: str) -> None:
    await d.until(lambda: check([r.full_name for r in browser.rows]), what)


async def test_find_open_review_sign_amend_and_discard_among_500(make_app, driver_for, repository, settings, make_intake) -> None:
    repository.create_many(many(make_intake, 498), user="kiosk")
    quill = repository.create(intake_doc(make_intake, "Marguerite Quill", **{"medical_history.demographics.weight_kg": 70}), user="kiosk")
    vell = repository.create(intake_doc(make_intake, "Dorian Vell"), user="kiosk")
    rid = quill["record_id"]
    repository.set_signing_passphrase(USER, PASSPHRASE)
    assert repository.page().total == 500

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        browser = await browsing(d, app)
        assert "Clinician: dr.lee" in d.text().splitlines()[0], "who is working, in the header"
        assert "of 500" in d.text()

        # Find by typing part of a name, then open: only the view is written.
        await d.type("quil")
        await listed(d, browser, lambda names: names == ["Marguerite Quill"], "the one match")
        assert "1–1 of 1" in d.text() and "▶    Marguerite Quill" in d.text()
        await d.keys("enter")
        await d.until(lambda: app.step is not None, "the record to open")
        assert app.intake.record_id == rid
        await d.keys("f10")
        browser = await browsing(d, app)
        await d.saved()
        assert [r["rev"] for r in repository.revisions(rid, user="test")] == [1], "reading it made no revision"
        assert acts(settings, rid)[:2] == [("create", "kiosk", 1), ("view", USER, 1)]
        assert not any(a[0] == "update" for a in acts(settings, rid))

        # Review: draft → submitted → reviewed, each a revision and an audit line by the clinician.
        await listed(d, browser, lambda names: names == ["Marguerite Quill"], "the match again")
        await d.keys("f2")
        await d.until(lambda: browser.rows and browser.rows[0].status == "reviewed", "the review")
        assert "Marguerite Quill reviewed by dr.lee (revision 3)" in d.text()
        assert ("submit", USER, 2) in acts(settings, rid) and ("review", USER, 3) in acts(settings, rid)

        # Sign: the plan shown as it will be frozen; a wrong passphrase first, then the right one.
        await d.keys("f3")
        dialog = await d.until(lambda: isinstance(app.screen, SignDialog) and app.screen, "the sign dialog")
        assert "Sign the plan: Marguerite Quill, revision 3" in d.text()
        assert "Treatment plan (draft)" in d.text() and "Signing passphrase for dr.lee:" in d.text()
        await d.type("wrong horse")
        await d.keys("enter")
        await d.until(lambda: "tries left" in d.text(), "the wrong passphrase refused")
        assert "! Wrong passphrase: 4 tries left. Nothing was signed." in d.text()
        assert repository.get(rid, user="test")["status"] == "reviewed"
        assert ("sign-refused", USER, 3) in acts(settings, rid)
        await d.type(PASSPHRASE)
        await d.keys("enter")
        await d.until(lambda: app.screen is not dialog, "the dialog to close")
        await d.until(lambda: browser.rows and browser.rows[0].status == "signed", "the signature listed")
        assert "Signed by dr.lee as revision 4: the plan is frozen." in d.text()
        signed = repository.get(rid, user="test")
        assert (signed["status"], signed["signed_by"], signed["rev"]) == ("signed", USER, 4)
        assert ("sign", USER, 4) in acts(settings, rid)
        assert not any(PASSPHRASE in json.dumps(line) or "wrong horse" in json.dumps(line) for line in audit(settings))

        # Amend: a reason is required; the amendment opens in the steps; the change is shown.
        await d.keys("f4")
        await d.until(lambda: isinstance(app.screen, AmendDialog), "the amend dialog")
        await d.keys("enter")
        assert "! Reason for the amendment: required." in d.text()
        await d.type("Weight corrected at the scale")
        await d.keys("enter")
        await d.until(lambda: app.step is not None and app.intake.rev == 5, "the amendment to open")
        assert app.intake.amends_rev == 4 and app.intake.status == "draft"
        await d.keys("f4", "home", "enter")  # Go to: the first step, the medical history
        await d.until(lambda: app.step is not None and app.step.step_id == "medical_history", "the medical history")
        await d.focus("medical_history.demographics.weight_kg")
        await d.keys("ctrl+u")
        await d.answer("82")
        await d.keys("f10")
        browser = await browsing(d, app)
        await d.saved()
        revisions = repository.revisions(rid, user="test")
        assert [(r["rev"], r["status"]) for r in revisions][0] == (4, "signed"), "the signed revision is kept as signed"
        assert revisions[-1]["medical_history"]["demographics"]["weight_kg"] == 82
        assert revisions[0]["medical_history"]["demographics"]["weight_kg"] == 70
        assert repository.amendments(rid, user="test")[0]["reason"] == "Weight corrected at the scale"
        assert ("amend", USER, 5) in acts(settings, rid)
        await listed(d, browser, lambda names: names == ["Marguerite Quill"], "the amendment listed")
        assert "Marguerite Quill" in d.text() and " amending " in d.text(), "an amendment is told apart from a new draft"
        assert "Discard" not in d.text(), "an amendment of a signed plan is never offered for discarding"
        await d.keys("ctrl+d")
        assert not isinstance(app.screen, DiscardDialog)
        await d.keys("f4")
        await d.until(lambda: isinstance(app.screen, ChangesDialog), "what changed")
        text = d.text()
        assert "Amendment of Marguerite Quill: revision 4 (signed) →" in text
        assert "Reason: Weight corrected at the scale" in text
        assert "Medical history › About the person › Weight (kg): 70.0 → 82.0" in text
        await d.keys("escape")

        # Discard another draft, after saying yes.
        await d.keys("ctrl+u")
        await d.type("vell")
        await listed(d, browser, lambda names: names == ["Dorian Vell"], "the draft to discard")
        await d.keys("ctrl+d")
        await d.until(lambda: isinstance(app.screen, DiscardDialog), "the confirmation")
        assert "Discard this draft?" in d.text()
        await d.keys("y")
        await d.until(lambda: "discarded by dr.lee" in d.text(), "the discard")
        await listed(d, browser, lambda names: names == [], "the list without it")
        assert "No record matches “vell”. Ctrl+N starts a new intake." in words(d)
        assert acts(settings, vell["record_id"])[-1] == ("discard", USER, 1)
        assert repository.page().total == 499


async def test_filters_narrow_the_list_and_urgent_comes_first(make_app, driver_for, repository, make_intake) -> None:
    repository.create(intake_doc(make_intake, "Calm Person"), user="kiosk")
    repository.create(intake_doc(make_intake, "Urgent Person", **{"asq.wished_dead": True, "asq.thoughts_right_now": False}), user="kiosk")
    repository.create(intake_doc(make_intake, "Trainee Case") | {"training": True}, user="trainer")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        browser = await browsing(d, app)
        await listed(d, browser, lambda names: names == ["Urgent Person", "Calm Person"], "urgent first, training hidden")
        assert "▶!!  Urgent Person" in d.text(), "urgent in symbols, not only colour"
        await d.keys("f8")
        await listed(d, browser, lambda names: "Trainee Case" in names, "training shown")
        assert "   T Trainee Case" in d.text() and "F8 training: shown" in d.text()
        await d.keys("f6")
        await listed(d, browser, lambda names: names == ["Urgent Person"], "urgent only")
        await d.keys("f6", "f5", "f5")
        await listed(d, browser, lambda names: names == [], "no submitted record")
        assert "F5 status: submitted" in d.text()


@pytest.mark.parametrize("theme", THEMES)
def test_browser_empty(snap_compare, settle, make_app, theme) -> None:
    async def run(pilot) -> None:
        pilot.app.animation_level = "none"
        await wait_for(pilot, lambda: pilot.app.ready and "No records here" in text_of(pilot))
        await settle(pilot)

    assert snap_compare(make_app(theme=theme), terminal_size=(80, 24), run_before=run)


@pytest.mark.parametrize("theme", THEMES)
def test_browser_with_500_records(snap_compare, settle, make_app, repository, make_intake, theme) -> None:
    repository.create_many(many(make_intake, 499), user="kiosk")
    repository.create(intake_doc(make_intake, "Ursula Urgent", dates=["2099-01-02"], **{"asq.wished_dead": True, "asq.thoughts_right_now": False}), user="kiosk")

    async def run(pilot) -> None:
        pilot.app.animation_level = "none"
        await wait_for(pilot, lambda: "of 500" in text_of(pilot))
        await settle(pilot)

    assert snap_compare(make_app(theme=theme), terminal_size=(80, 24), run_before=run)


@pytest.mark.parametrize("theme", THEMES)
def test_browser_search_with_no_match(snap_compare, settle, make_app, repository, make_intake, theme) -> None:
    repository.create_many(many(make_intake, 20), user="kiosk")

    async def run(pilot) -> None:
        pilot.app.animation_level = "none"
        await wait_for(pilot, lambda: "of 20" in text_of(pilot))
        await pilot.press(*"zebedee")
        await wait_for(pilot, lambda: "No record matches" in text_of(pilot))
        await settle(pilot)

    assert snap_compare(make_app(theme=theme), terminal_size=(80, 24), run_before=run)


def text_of(pilot) -> str:
    return "\n".join(strip.text.rstrip() for strip in pilot.app.screen._compositor.render_strips())


async def wait_for(pilot, check) -> None:
    for _ in range(500):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the screen never got ready:\n{text_of(pilot)}")


async def test_enter_on_a_signed_record_opens_its_course(make_app, driver_for, repository, make_intake) -> None:
    from ketatui.screens.course import CourseScreen

    stored = repository.create(intake_doc(make_intake, "Signed Person"), user="kiosk")
    repository.sign(stored["record_id"], user=USER, expected_rev=1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        browser = await browsing(d, app)
        assert browser.rows[0].status == "signed"
        await d.keys("enter")
        screen = await d.until(lambda: isinstance(app.screen, CourseScreen) and app.screen, "the course")
        assert screen.record_id == stored["record_id"]
        assert app.step is None, "a signed plan is not opened for editing"
