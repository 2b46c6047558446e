"""The trainer App, run as a trainee runs it: every shipped scenario answered correctly gives a
perfect scorecard; a deliberate miss gives exactly that miss; the real store is never touched; the
TRAINING banner is on every screen; F6 shows what the patient says."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ketatui.screens.crisis import CrisisScreen
from ketatui.screens.trainer_app import TrainerApp
from ketatui.screens.training_banner import BANNER_MARK
from ketatui.screens.training_scorecard import ScorecardScreen
from ketatui.training.results import Results
from ketatui.training.scenario import Library
from ketatui.training.store import scorecards_dir, training_settings
from training_walk import run_scenario, until

LIBRARY = Library()
START = datetime(2027, 1, 11, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def real_settings(settings, tmp_path):
    """The clinic's settings: the real store in ``data``, training kept in ``training``."""
    return settings.model_copy(update={"training_data_dir": tmp_path / "training", "scenarios_dir": tmp_path / "own-scenarios"})


def clock():
    """Each call a minute and a half later: the run takes the same time on every machine."""
    ticks = iter(range(1000))
    return lambda: START + timedelta(seconds=90 * next(ticks))


def trainer(real_settings, **kwargs) -> TrainerApp:
    return TrainerApp(settings=training_settings(real_settings), library=LIBRARY, trainee="sam.trainee", clock=clock(), **kwargs)


def screen_text(app) -> str:
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() + f":{p.stat().st_mtime_ns}"
            for p in sorted(folder.rglob("*")) if p.is_file()}


def real_store_files(settings) -> dict[str, str]:
    """Every file of the real store, and its key, with its content and modification time."""
    key = settings.key_file
    return _files(settings.data_dir) | {f"key:{key}": hashlib.sha256(key.read_bytes()).hexdigest() + f":{key.stat().st_mtime_ns}"}


async def test_every_scenario_answered_correctly_is_perfect_and_the_real_store_is_untouched(real_settings, make_intake) -> None:
    """One trainee runs every shipped scenario in one sitting, answering as the patient answers."""
    from ketatui.storage import open_repository

    open_repository(real_settings).create(make_intake({"medical_history.demographics.full_name": "Real Person"}).model_dump(mode="json"), user="dr.lee")
    before = real_store_files(real_settings)

    app = trainer(real_settings)
    cards = {}
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.settings.data_dir.resolve().is_relative_to(real_settings.training_data_dir.resolve())
        for scenario in LIBRARY.scenarios:
            await run_scenario(pilot, scenario)
            cards[scenario.id] = app.scorecard
            assert "PERFECT" in screen_text(app) and BANNER_MARK in screen_text(app), scenario.id
            await pilot.press("n")
            await until(pilot, lambda: app.screen is app.picker, "the scenario list")
    for scenario in LIBRARY.scenarios:
        card = cards[scenario.id]
        assert (scenario.id, card.misses()) == (scenario.id, [])
        assert card.perfect and [f.code for f in card.caught] == scenario.flags_in_order
        assert card.crisis.needed == scenario.crisis_expected
    kept = Results(scorecards_dir(real_settings)).all("sam.trainee")
    assert sorted(c.scenario_id for c in kept) == sorted(s.id for s in LIBRARY.scenarios) and all(c.perfect for c in kept)

    assert real_store_files(real_settings) == before, "no file of the real store changed, was added or removed"
    assert [r.full_name for r in open_repository(real_settings).list()] == ["Real Person"]
    training = open_repository(training_settings(real_settings)).list()
    assert len(training) == len(LIBRARY.scenarios) and all(r.training for r in training)
    assert "Jamie Tallis" in {r.full_name for r in training}


async def test_a_deliberate_miss_gives_exactly_that_miss(real_settings) -> None:
    scenario = LIBRARY.get("benzodiazepine-lamotrigine")
    app = trainer(real_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_scenario(pilot, scenario, leave_out={"medications.items[1]"})  # lamotrigine never asked about
        card = app.scorecard
        assert card.misses() == ["Missed flag INT-LAMOTRIGINE (Lamotrigine)", "Not found out: Takes lamotrigine"]
        assert [f.code for f in card.caught] == ["INT-BENZODIAZEPINE"] and not card.perfect
        text = screen_text(app)
        assert "[ ] MISSED        INT-LAMOTRIGINE" in text and "2 to go over" in text


async def test_the_banner_is_on_every_screen_and_f6_says_what_the_patient_says(real_settings) -> None:
    scenario = LIBRARY.get("bp-out-of-range")
    app = trainer(real_settings, scenario=scenario.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.step is not None and app.focused is not None, "the scenario to open")
        await until(pilot, lambda: "Let's get on with it" in screen_text(app), "the patient's opening words")
        await pilot.press("f6")  # on Full name
        await until(pilot, lambda: "Dale Whitcombe, born the 14th of June 1974" in screen_text(app), "the answer about the name")
        for keys in (("f1",), ("escape", "f4"), ("escape", "f8")):
            await pilot.press(*keys)
            await pilot.pause(0.1)
            await until(pilot, lambda: BANNER_MARK in screen_text(app), f"the banner after {keys}")
        await pilot.press("escape")
        app.action_crisis()
        await until(pilot, lambda: isinstance(app.screen, CrisisScreen) and BANNER_MARK in screen_text(app), "the banner over the crisis dialog")
        assert app.crisis_shown


async def test_finishing_early_asks_first_and_counts_what_is_missing(real_settings) -> None:
    app = trainer(real_settings, scenario="no-escort")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.step is not None and app.focused is not None, "the scenario to open")
        await pilot.press("f8")
        await until(pilot, lambda: "Finish this scenario" in screen_text(app), "the finish question")
        assert "Not filled in yet: Medical history" in screen_text(app)
        await pilot.press("escape")
        assert app.step is not None and app.scorecard is None
        await pilot.press("f8", "enter")
        await until(pilot, lambda: isinstance(app.screen, ScorecardScreen), "the scorecard")
        card = app.scorecard
        assert card.missed[0].code == "SUPPORT-NO-ESCORT" and "Medical history" in card.sections_incomplete
        assert len(card.topics_not_discussed) == 11 and card.decision.recorded_schedulable is None
        await pilot.press("e")
        await pilot.pause(0.1)
        exported = sorted(p.name for p in (real_settings.training_data_dir / "exports").iterdir())
        assert [Path(n).suffix for n in exported] == [".json", ".md"]
        await pilot.press("n")
        await until(pilot, lambda: app.picker is not None and app.screen is app.picker, "the scenario list")


def test_the_trainer_app_refuses_the_real_stores_settings(real_settings) -> None:
    with pytest.raises(ValueError, match="opens only the training store"):
        TrainerApp(settings=real_settings, library=LIBRARY)
