"""Pictures of the trainer App at 80x24: the scenario list, a step with the TRAINING banner and the
patient's words, the crisis dialog, the finish question, a scorecard with misses, a trainee's
scorecards and the trainer's view. The banner is drawn in both themes, in the 16 ANSI colours and
with NO_COLOR, where it must still read TRAINING.

Regenerate with ``--snapshot-update`` after a change to the look, and look at the pictures
before committing them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ketatui.clinical.protocol import default_protocol
from ketatui.screens.trainer_app import TrainerApp
from ketatui.training.results import Results
from ketatui.training.scenario import Library
from ketatui.training.scorecard import score
from ketatui.training.store import scorecards_dir, training_settings

LIBRARY = Library()
LOOKS = ["default", "high-contrast", "16-colours", "no-color"]
START = datetime(2027, 1, 11, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def real_settings(settings, tmp_path):
    return settings.model_copy(update={"training_data_dir": tmp_path / "training", "scenarios_dir": tmp_path / "own"})


def make_trainer(real_settings, monkeypatch, look: str = "default", **kwargs) -> TrainerApp:
    if look == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")
    ticks = iter(range(1000))
    settings = training_settings(real_settings).model_copy(update={"theme": "high-contrast" if look == "high-contrast" else "default"})
    return TrainerApp(settings=settings, library=LIBRARY, trainee="sam.trainee",
                      clock=lambda: START + timedelta(seconds=754 * next(ticks)), **kwargs)


async def wait(pilot, check) -> None:
    for _ in range(500):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the screen never got ready: {type(pilot.app.screen).__name__}")


def prepared(settle, look: str, *keys: str, scenario: bool = True, until=None, then=None):
    async def run(pilot) -> None:
        app = pilot.app
        app.animation_level = "none"
        if look == "16-colours":
            app.ansi_color = True
            app.theme = "ansi-dark"
        if scenario:  # the step on show, with the patient's first words
            await wait(pilot, lambda: app.step is not None and app.focused is not None and app.step.query("#persona-panel"))
        else:
            await wait(pilot, lambda: app.ready and app.picker.library is not None)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.05)
        if then is not None:
            then(app)
        if until is not None:
            await wait(pilot, lambda: until(app))
        await pilot.pause(0.1)
        await settle(pilot)

    return run


@pytest.mark.parametrize("look", LOOKS)
def test_scenario_list(snap_compare, real_settings, monkeypatch, settle, look) -> None:
    app = make_trainer(real_settings, monkeypatch, look)
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepared(settle, look, "down", scenario=False))


@pytest.mark.parametrize("look", LOOKS)
def test_a_step_with_the_banner_and_the_patients_words(snap_compare, real_settings, monkeypatch, settle, fixed_clock, look) -> None:
    app = make_trainer(real_settings, monkeypatch, look, scenario="bp-out-of-range")
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepared(
        settle, look, "f6", until=lambda a: "14th of June" in str(a.step.query_one("#persona-panel").content)))


def test_the_crisis_dialog_keeps_the_banner(snap_compare, real_settings, monkeypatch, settle, fixed_clock) -> None:
    app = make_trainer(real_settings, monkeypatch, scenario="suicide-acute")
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepared(
        settle, "default", then=lambda a: a.action_crisis(), until=lambda a: a.crisis_shown))


def test_the_finish_question(snap_compare, real_settings, monkeypatch, settle, fixed_clock) -> None:
    app = make_trainer(real_settings, monkeypatch, scenario="no-escort")
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepared(settle, "default", "f8"))


@pytest.mark.parametrize("look", ["default", "high-contrast", "no-color"])
def test_a_scorecard_with_misses(snap_compare, real_settings, monkeypatch, settle, fixed_clock, look) -> None:
    app = make_trainer(real_settings, monkeypatch, look, scenario="no-escort")
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepared(
        settle, look, "f8", "enter", until=lambda a: a.scorecard is not None))


def _seed(real_settings) -> None:
    results = Results(scorecards_dir(real_settings))
    for trainee, scenario_id, miss in (("sam.trainee", "older-cardiac", True), ("ana.k", "older-cardiac", False),
                                       ("ana.k", "pregnancy", True), ("sam.trainee", "bp-out-of-range", False)):
        scenario = LIBRARY.get(scenario_id)
        intake = scenario.correct_intake()
        if miss:
            physical = intake.medical_history.physical
            physical.coronary_disease = physical.trying_to_conceive = False
        results.save(score(scenario, intake, default_protocol(), trainee=trainee, started_at=START,
                           finished_at=START + timedelta(minutes=12), crisis_help_shown=False))


def test_my_scorecards(snap_compare, real_settings, monkeypatch, settle) -> None:
    _seed(real_settings)
    app = make_trainer(real_settings, monkeypatch)
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepared(settle, "default", "r", scenario=False))


@pytest.mark.parametrize("look", ["default", "no-color"])
def test_the_trainers_view(snap_compare, real_settings, monkeypatch, settle, look) -> None:
    _seed(real_settings)
    app = make_trainer(real_settings, monkeypatch, look)
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepared(settle, look, "v", scenario=False))
